"""Pages of complaints: the list, registering one, a complaint with its steps (acknowledge,
investigate, answer) and the finding raised from it."""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from labtrack.auth.permissions import Perm, require
from labtrack.extensions import db
from labtrack.history.service import history_for
from labtrack.parsing import boolean
from labtrack.records import complaints
from labtrack.records.blueprint import PER_PAGE, arg, bp, lab_choices
from labtrack.records.forms import (
    AcknowledgeForm,
    AnswerForm,
    ComplaintEditForm,
    ComplaintFindingForm,
    ComplaintForm,
    InvestigateForm,
    values_of,
)
from labtrack.records.models import CHANNEL_LABELS, COMPLAINT_STATUS_LABELS, OUTCOME_LABELS
from labtrack.records.overview import regions
from labtrack.records.schemas import (
    complaint_export_header,
    complaint_export_row,
    dump_complaint,
)
from labtrack.tabular import export_response
from labtrack.web import form_status, int_arg, page_arg, submit_form


def _filters() -> dict:
    awaiting = request.args.get("awaiting_feedback", "")
    return {
        "q": arg("q"),
        "lab": arg("lab"),
        "channel": arg("channel"),
        "status": arg("status"),
        "outcome": arg("outcome"),
        "region": arg("region"),
        "year": int_arg("year", 1900, 2199),
        "awaiting_feedback": awaiting in ("1", "true", "yes", "on") and boolean(awaiting),
    }


@bp.get("/complaints")
@require(Perm.RECORDS_VIEW)
def complaints_index():
    """Complaints, filtered (a lab manager: those about their own lab)."""
    filters = _filters()
    page = db.paginate(
        complaints.complaints_query(current_user, **filters),
        page=page_arg(),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "records/complaints.html",
        page=page,
        rows=[dump_complaint(current_user, c) for c in page.items],
        filters=filters,
        channels=CHANNEL_LABELS,
        statuses=COMPLAINT_STATUS_LABELS,
        outcomes=OUTCOME_LABELS,
        regions=regions(current_user),
    )


@bp.get("/complaints/export")
@require(Perm.RECORDS_VIEW)
def complaints_export():
    """The filtered complaints as CSV or XLSX (the complainant only for those who handle complaints)."""
    stmt = complaints.complaints_query(current_user, **_filters())
    header = complaint_export_header(current_user)
    rows = (complaint_export_row(header, dump_complaint(current_user, c)) for c in db.session.scalars(stmt))
    return export_response(request.args.get("format", "csv"), "complaints", header, rows)


@bp.route("/complaints/new", methods=["GET", "POST"])
@require(Perm.COMPLAINTS_MANAGE)
def complaint_new():
    """Register a complaint received through any channel."""
    form = ComplaintForm()
    form.lab_code.choices = [("", "—"), *lab_choices(current_user)]
    done = submit_form(
        form,
        lambda: complaints.register_complaint(current_user, values_of(form)),
        success=lambda c: _("Complaint %(ref)s registered.", ref=c.reference),
        to=lambda c: url_for("records.complaint_detail", complaint_id=c.id),
    )
    return done or (render_template("records/complaint_form.html", form=form), form_status(form))


STEP_FORMS = {"acknowledged": AcknowledgeForm, "investigated": InvestigateForm, "answered": AnswerForm}
STEP_MESSAGES = {
    "acknowledged": _l("Receipt acknowledged."),
    "investigated": _l("Investigation and outcome recorded."),
    "answered": _l("Feedback to the complainant recorded."),
}


def _complaint_page(complaint, refused: tuple | None = None, status: int = 200):
    forms = {to: form_class(prefix=to) for to, form_class in STEP_FORMS.items()}
    forms["finding"] = ComplaintFindingForm(prefix="finding", data={"description": _finding_text(complaint)})
    forms["edit"] = ComplaintEditForm(prefix="edit", obj=complaint)
    if refused is not None:
        forms[refused[0]] = refused[1]
    for form in forms.values():
        if hasattr(form, "version"):
            form.version.data = complaint.version
    return (
        render_template(
            "records/complaint.html",
            complaint=complaint,
            c=dump_complaint(current_user, complaint),
            forms=forms,
            history=history_for(complaint),
        ),
        status,
    )


def _finding_text(complaint) -> str:
    return f"{complaint.subject}\n\n{complaint.investigation or ''}".strip()


@bp.get("/complaints/<int:complaint_id>")
@require(Perm.RECORDS_VIEW)
def complaint_detail(complaint_id: int):
    """One complaint, its steps and what came of it."""
    return _complaint_page(complaints.get_complaint(current_user, complaint_id))


@bp.post("/complaints/<int:complaint_id>/<any(acknowledged, investigated, answered):to>")
@require(Perm.COMPLAINTS_MANAGE)
def complaint_step(complaint_id: int, to: str):
    """Acknowledge, record the investigation and outcome, or record the feedback."""
    complaint = complaints.get_complaint(current_user, complaint_id)
    form = STEP_FORMS[to](prefix=to)
    done = submit_form(
        form,
        lambda: complaints.transition(
            current_user, complaint, to, values_of(form, "version"), version=form.version.data
        ),
        success=str(STEP_MESSAGES[to]),
        to=url_for("records.complaint_detail", complaint_id=complaint.id),
    )
    return done or _complaint_page(complaint, (to, form), form_status(form))


@bp.post("/complaints/<int:complaint_id>/edit")
@require(Perm.COMPLAINTS_MANAGE)
def complaint_edit(complaint_id: int):
    """Correct a complaint's details."""
    complaint = complaints.get_complaint(current_user, complaint_id)
    form = ComplaintEditForm(prefix="edit")
    done = submit_form(
        form,
        lambda: complaints.update_complaint(current_user, complaint, values_of(form)),
        success=_("Complaint saved."),
        to=url_for("records.complaint_detail", complaint_id=complaint.id),
    )
    return done or _complaint_page(complaint, ("edit", form), form_status(form))


@bp.post("/complaints/<int:complaint_id>/finding")
@require(Perm.COMPLAINTS_MANAGE)
def complaint_finding(complaint_id: int):
    """Raise a finding from a substantiated complaint, into the usual rectification."""
    complaint = complaints.get_complaint(current_user, complaint_id)
    form = ComplaintFindingForm(prefix="finding")
    done = submit_form(
        form,
        lambda: complaints.raise_finding(current_user, complaint, values_of(form)),
        success=lambda f: _("Finding raised; the laboratory rectifies it as usual."),
        to=url_for("records.complaint_detail", complaint_id=complaint.id),
    )
    return done or _complaint_page(complaint, ("finding", form), form_status(form))
