"""Cross-area reports."""

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from labtrack.auth.permissions import Perm, require
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
    summary = campaign_report.summary_from_form(form, current_user)
    if summary is None:  # bad dates or region: the form with its messages
        return render_template("reports/campaign.html", form=form, s=None), 422
    fmt = request.args.get("format", "html")
    if fmt in ("csv", "xlsx"):
        rows = campaign_report.export_rows(summary)
        return export_response(fmt, campaign_report.export_name(summary), campaign_report.EXPORT_HEADER, rows)
    if fmt != "html":
        raise NotFound(_("No such %(what)s.", what=_("export format")))
    return render_template("reports/campaign.html", form=form, s=summary)
