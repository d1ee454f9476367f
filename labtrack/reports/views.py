"""Cross-area reports."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from labtrack.auth.permissions import Perm, require
from labtrack.jobs import exports, report_exports
from labtrack.reports import campaign as campaign_report
from labtrack.reports import policy
from labtrack.services import NotFound
from labtrack.tabular import export_response

bp = Blueprint("reports", __name__, url_prefix="/reports")
bp.add_app_template_global(policy, "reports_policy")

# Each area's report page; a link shows once its endpoint exists.
REPORT_LINKS = [
    ("scope.growth", _l("Capability growth")),
    ("audits.figures", _l("Rectification figures")),
    ("proficiency.index", _l("Comparison rounds and proficiency tests")),
    ("proficiency.coverage", _l("Comparison coverage by laboratory")),
    ("reports.campaign", _l("Campaign summary")),
]


@bp.get("/")
@require(Perm.REPORTS_VIEW)
def index():
    """The list of reports."""
    return render_template("reports/index.html", report_links=REPORT_LINKS)


@bp.get("/campaign")
@require(Perm.REPORTS_VIEW)
def campaign():
    """The campaign summary of a period and region: a printable page, or its figures as CSV / XLSX."""
    form = campaign_report.CampaignForm(formdata=request.args)
    asked = campaign_report.period_from_form(form, current_user)
    if asked is None:  # bad dates or region: the form with its messages
        return render_template("reports/campaign.html", form=form, s=None), 422
    fmt = request.args.get("format", "html")
    if fmt in exports.FORMATS and report_exports.covers_many_labs(current_user, region=asked[2]):
        # national scale: the worker computes and writes the file, the job's page follows it
        job = exports.start(current_user, "campaign", fmt, report_exports.query_args(request.args))
        return redirect(url_for("jobs.detail", job_id=job.id), code=303)
    summary = campaign_report.campaign_summary(current_user, *asked)
    if fmt in ("csv", "xlsx"):
        rows = campaign_report.export_rows(summary)
        return export_response(fmt, campaign_report.export_name(summary), campaign_report.EXPORT_HEADER, rows)
    if fmt != "html":
        raise NotFound(_("No such %(what)s.", what=_("export format")))
    return render_template("reports/campaign.html", form=form, s=summary)
