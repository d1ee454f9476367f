"""The records area's pages: the overview, the figures by period and region, the documents a
finding's rectification revises, and the template globals other areas' pages include (lab panel,
dashboard card, a finding's documents). Documents, surveys and complaints have their own modules."""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from labtrack import parsing
from labtrack.auth.permissions import Perm, require
from labtrack.records import complaint_views, document_views, links, overview, policy, survey_views
from labtrack.records.blueprint import bp
from labtrack.records.forms import FindingDocumentsForm
from labtrack.services import InvalidInput
from labtrack.tabular import export_response
from labtrack.web import form_status, submit_form

__all__ = ["bp", "complaint_views", "document_views", "survey_views"]


@bp.get("/")
@require(Perm.RECORDS_VIEW)
def index():
    """Controlled documents, surveys and complaints at a glance."""
    card = overview.dashboard(current_user)
    return render_template("records/index.html", card=card, due=overview.due_documents(current_user))


def _day(name: str, errors: dict):
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return parsing.day(value)
    except parsing.ParseError as exc:
        errors[name] = [str(exc.message)]
        return None


@bp.get("/figures")
@require(Perm.RECORDS_VIEW)
def figures():
    """Documents written, revised, withdrawn; questionnaires; complaints answered and days to
    feedback: by period and region, with CSV/XLSX export."""
    errors: dict = {}
    date_from, date_to = _day("from", errors), _day("to", errors)
    region = request.args.get("region", "").strip() or None
    data = None
    if not errors:
        try:
            data = overview.figures_for(current_user, date_from, date_to, region)
        except InvalidInput as exc:
            errors = exc.errors
    fmt = request.args.get("format")
    if data is not None and fmt in ("csv", "xlsx"):
        name = (
            f"records-{data['region'] or 'all'}-{data['date_from'].isoformat()}-{data['date_to'].isoformat()}"
        )
        return export_response(fmt, name, FIGURE_HEADER, figure_rows(data))
    status = 422 if errors else 200
    return (
        render_template(
            "records/figures.html",
            data=data,
            errors=errors,
            args=request.args,
            regions=overview.regions(current_user),
        ),
        status,
    )


FIGURE_HEADER = ["section", "group", "measure", "value"]


def figure_rows(data: dict) -> list[list]:
    """The figures page as rows (section, group, measure, value)."""
    rows: list[list] = [
        ["period", "", "from", data["date_from"].isoformat()],
        ["period", "", "to", data["date_to"].isoformat()],
        ["period", "", "region", data["region"] or ""],
    ]
    for row in data["documents"]["by_region"]:
        group = row["group"] or "bureau"
        rows += [["documents", group, m, row[m]] for m in ("written", "revised", "withdrawn")]
    rows += [["documents", "total", m, v] for m, v in data["documents"]["total"].items()]
    for row in data["surveys"]["by_audience"]:
        rows += [
            ["surveys", row["audience"], m, _round(row[m])]
            for m in ("surveys", "issued", "returned", "response_rate")
        ]
    measures = (
        "received",
        "acknowledged",
        "investigated",
        "answered",
        "substantiated",
        "findings",
        "feedback_rate",
        "mean_days_to_feedback",
        "median_days_to_feedback",
    )
    for section in ("by_region", "by_channel"):
        for row in data["complaints"][section]:
            rows += [[f"complaints_{section}", row["group"], m, _round(row[m])] for m in measures]
    rows += [["complaints", "total", m, _round(data["complaints"]["total"][m])] for m in measures]
    return rows


def _round(value):
    return round(value, 4) if isinstance(value, float) else value


# --- the documents of a finding's rectification -------------------------------------------------


@bp.route("/findings/<int:finding_id>/documents", methods=["GET", "POST"])
@require(Perm.RECORDS_VIEW)
def finding_documents(finding_id: int):
    """Name the document revisions a finding's rectification revises (the lab, or a verifier)."""
    finding = links.get_finding(current_user, finding_id)
    form = FindingDocumentsForm()
    candidates = links.candidates(current_user, finding)
    form.revision_ids.choices = [
        (r.id, f"{r.document.code} {r.label} · {r.document.title}") for r in candidates
    ]
    if request.method == "GET":
        form.revision_ids.data = [r.id for r in links.linked_revisions(finding.id)]
    done = submit_form(
        form,
        lambda: links.set_finding_documents(current_user, finding.id, form.revision_ids.data or []),
        success=_("The documents of the rectification are saved."),
        to=url_for("records.finding_documents", finding_id=finding.id),
    )
    return done or (
        render_template(
            "records/finding_documents.html",
            finding=finding,
            form=form,
            linked=links.linked_revisions(finding.id),
            may_link=policy.may_link_documents(current_user, finding),
            candidates=candidates,
        ),
        form_status(form),
    )


# --- what other areas' pages include -------------------------------------------------------------


@bp.app_template_global("finding_documents")
def finding_documents_global(finding) -> dict:
    """For templates/records/_finding_documents.html: the revisions a finding's rectification
    revises, and whether the reader may change them."""
    if not policy.sees_finding_documents(current_user, finding):
        return {"visible": False, "revisions": [], "may_link": False}
    return {
        "visible": True,
        "revisions": links.linked_revisions(finding.id),
        "may_link": policy.may_link_documents(current_user, finding),
    }


@bp.app_template_global("records_dashboard")
def records_dashboard() -> dict:
    """For templates/records/_dashboard.html: documents due for review, complaints awaiting feedback."""
    return overview.dashboard(current_user)


@bp.app_template_global("records_lab_panel")
def records_lab_panel(lab) -> dict:
    """For templates/records/_lab_panel.html: the lab's documents and complaints."""
    return overview.lab_panel(current_user, lab)
