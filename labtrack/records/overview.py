"""What the records area shows at a glance: its figures page, the home dashboard's card and the
lab page's panel, each narrowed to what the reader may see."""

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from labtrack.auth.policy import confined_lab
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.records import complaints, documents, figures, policy
from labtrack.records.models import Complaint, Document
from labtrack.records.workflow import ComplaintStatus, DocumentStatus
from labtrack.services import InvalidInput

DUE_SOON_DAYS = documents.DUE_SOON_DAYS


def default_period() -> tuple[date, date]:
    """This calendar year."""
    year = today().year
    return date(year, 1, 1), date(year, 12, 31)


def regions(actor: Any) -> list[str]:
    """The regions a reader may pick (a lab manager's figures are their own lab's: none)."""
    if confined_lab(actor) is not None:
        return []
    return list(db.session.scalars(select(Lab.region).distinct().order_by(Lab.region)))


def figures_for(actor: Any, date_from: date | None, date_to: date | None, region: str | None) -> dict:
    """The records figures of a period and region (a lab manager: their own lab's, any region)."""
    if date_from is None and date_to is None:
        date_from, date_to = default_period()
    elif date_from is None:
        date_from = date(date_to.year, 1, 1)
    elif date_to is None:
        date_to = date(date_from.year, 12, 31)
    errors: dict[str, list[str]] = {}
    if date_from > date_to:
        errors["to"] = [_("The end date must not come before the start date.")]
    scope = confined_lab(actor)
    if scope is not None:
        region = None
    elif region and region not in regions(actor):
        errors["region"] = [_("No laboratory in region %(region)s.", region=region)]
    if errors:
        raise InvalidInput(_("The period of the figures is not valid."), errors)
    complaint_data = figures.complaint_figures(date_from, date_to, region, scope)
    complaint_data["as_of"] = complaint_data["as_of"].isoformat()
    return {
        "date_from": date_from,
        "date_to": date_to,
        "region": region or None,
        "documents": figures.document_figures(date_from, date_to, region, scope),
        "surveys": figures.survey_figures(date_from, date_to, region, scope),
        "complaints": complaint_data,
    }


def dashboard(actor: Any) -> dict:
    """The home page's card: documents due for review and complaints awaiting feedback."""
    scope = confined_lab(actor)
    on = today()
    card = {
        "documents": figures.documents_due_counts(on, DUE_SOON_DAYS, scope=scope),
        "due_soon_days": DUE_SOON_DAYS,
        "complaints": figures.complaints_awaiting_feedback(scope) if policy.reads_records(actor) else None,
        "handles_complaints": policy.may_register_complaint(actor),
        # The lists behind the counts: a lab manager's own lab's documents only.
        "lab_code": db.session.scalar(select(Lab.code).where(Lab.id == scope)) if scope is not None else None,
    }
    return card


def due_documents(actor: Any, limit: int = 20) -> list[Document]:
    """The documents whose review is due soon or overdue that the dashboard counts for the actor:
    a lab manager's own lab's, everyone else's every lab's and the bureau's."""
    stmt = documents.documents_query(actor, due_within=DUE_SOON_DAYS)
    scope = confined_lab(actor)
    if scope is not None:
        stmt = stmt.where(Document.lab_id == scope)
    return list(
        db.session.scalars(stmt.order_by(None).order_by(Document.review_due_on, Document.id).limit(limit))
    )


def lab_panel(actor: Any, lab: Lab) -> dict:
    """The lab page's panel: its documents in force, those due for review, its complaints."""
    on = today()
    counts = dict(
        db.session.execute(
            select(Document.status, func.count(Document.id))
            .where(Document.lab_id == lab.id)
            .group_by(Document.status)
        ).all()
    )
    due = documents.documents_due_for_review(on, DUE_SOON_DAYS, lab_id=lab.id)[:5]
    recent = []
    complaint_counts = {"total": 0, "awaiting": 0}
    if policy.sees_complaints_of(actor, lab.id):
        recent = list(db.session.scalars(complaints.complaints_query(actor, lab=lab.code).limit(5)))
        row = db.session.execute(
            select(
                func.count(Complaint.id),
                figures.count_if(Complaint.status != ComplaintStatus.ANSWERED.value),
            ).where(Complaint.lab_id == lab.id)
        ).one()
        complaint_counts = {"total": int(row[0] or 0), "awaiting": int(row[1] or 0)}
    return {
        "in_force": int(counts.get(DocumentStatus.EFFECTIVE.value, 0)),
        "drafts": int(counts.get(DocumentStatus.DRAFT.value, 0)),
        "withdrawn": int(counts.get(DocumentStatus.OBSOLETE.value, 0)),
        "due": due,
        "complaints": recent,
        "complaint_counts": complaint_counts,
        "on": on,
    }
