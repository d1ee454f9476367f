"""Complaints (投诉) about laboratories: received through a channel, acknowledged, investigated with
an outcome, a finding raised where warranted, feedback to the complainant with its date.

A finding raised from a complaint goes into the usual rectification: the investigation is recorded
as an audit of the lab of kind `flight_check` (an unannounced check, which is how a complaint is
investigated on site) through the audits service's public functions `create_audit` and
`raise_finding`; the complaint keeps both. An investigation that was already recorded as an audit
of the lab may be named instead (`audit_reference`).
"""

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from labtrack import parsing
from labtrack.audits import service as audits_service
from labtrack.audits.clauses import CLAUSES
from labtrack.audits.models import Area, Audit, AuditKind, AuditStatus, Finding, Severity
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.parsing import Fields
from labtrack.records import policy, signals
from labtrack.records.figures import count_if
from labtrack.records.models import WARRANTING, Channel, Complaint, Outcome
from labtrack.records.values import lab_by_code, like, search_text
from labtrack.records.workflow import ComplaintStatus, complaint_step
from labtrack.services import Conflict, Forbidden, InvalidInput, load, transaction

INVESTIGATION_KIND = AuditKind.FLIGHT_CHECK
DETAIL_FIELDS = (
    "channel",
    "complainant_name",
    "complainant_contact",
    "subject",
    "description",
    "received_on",
)
TARGETS = {s.value for s in ComplaintStatus} - {ComplaintStatus.RECEIVED.value}


# --- reading ---------------------------------------------------------------------------------


def complaints_query(
    actor: Any,
    *,
    q: str | None = None,
    lab: str | None = None,
    channel: str | None = None,
    status: str | None = None,
    outcome: str | None = None,
    region: str | None = None,
    year: int | None = None,
    awaiting_feedback: bool = False,
) -> Select:
    """Complaints the actor may see, filtered, newest first."""
    stmt = select(Complaint).join(Lab, Complaint.lab_id == Lab.id)
    stmt = policy.narrow_complaints(stmt, Complaint.lab_id, actor)
    text = search_text(q)
    if text:
        pattern = like(text)
        columns = [Complaint.reference, Complaint.subject, Lab.code, Lab.name]
        if policy.sees_complainant(actor):
            columns.append(Complaint.complainant_name)
        stmt = stmt.where(or_(*(c.ilike(pattern, escape="\\") for c in columns)))
    if lab:
        stmt = stmt.where(Lab.code_key == parsing.code_key(lab))
    if channel:
        stmt = stmt.where(Complaint.channel == channel)
    if status:
        stmt = stmt.where(Complaint.status == status)
    if outcome:
        stmt = stmt.where(Complaint.outcome == outcome)
    if region:
        stmt = stmt.where(Lab.region == region)
    if year:
        stmt = stmt.where(
            Complaint.received_on >= date(year, 1, 1), Complaint.received_on <= date(year, 12, 31)
        )
    if awaiting_feedback:
        stmt = stmt.where(Complaint.status != ComplaintStatus.ANSWERED)
    stmt = stmt.options(selectinload(Complaint.lab), selectinload(Complaint.finding))
    return stmt.order_by(Complaint.received_on.desc(), Complaint.id.desc())


def get_complaint(actor: Any, complaint_id: int) -> Complaint:
    """A complaint the actor may see (NotFound otherwise: a lab manager asking for another lab's)."""
    return load(
        Complaint, complaint_id, visible=lambda c: policy.sees_complaint(actor, c), what=_("complaint")
    )


def complaint_counts(lab_id: int, since: date) -> dict[str, int]:
    """A lab's complaints received on or after `since`, for the risk grade: `received`,
    `substantiated` (wholly or partly), `unanswered` (no feedback yet) and `findings` raised."""
    warranting = [o.value for o in WARRANTING]
    stmt = select(
        func.count(Complaint.id),
        count_if(Complaint.outcome.in_(warranting)),
        count_if(Complaint.status != ComplaintStatus.ANSWERED.value),
        func.count(Complaint.finding_id),
    ).where(Complaint.lab_id == lab_id, Complaint.received_on >= since)
    received, substantiated, unanswered, findings = db.session.execute(stmt).one()
    return {
        "received": int(received or 0),
        "substantiated": int(substantiated or 0),
        "unanswered": int(unanswered or 0),
        "findings": int(findings or 0),
    }


# --- registering -----------------------------------------------------------------------------


def next_reference(year: int) -> str:
    """The next free reference of a year: CP-2010-001, CP-2010-002 …"""
    prefix = f"CP-{year}-"
    taken = db.session.scalars(select(Complaint.reference).where(Complaint.reference.like(prefix + "%")))
    numbers = [int(r[len(prefix) :]) for r in taken if r[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _details(f: Fields, complaint: Complaint | None) -> dict:
    values: dict[str, Any] = {}
    partial = complaint is not None
    for key in DETAIL_FIELDS:
        if partial and key not in f.data:
            continue
        if key == "channel":
            values[key] = f.get(key, parsing.choice, [c.value for c in Channel])
        elif key == "complainant_name":
            values[key] = f.get(key, parsing.name, required=False, max_len=parsing.SHORT_MAX)
        elif key == "complainant_contact":
            values[key] = f.get(key, parsing.name, required=False, max_len=200)
        elif key == "subject":
            values[key] = f.get(key, parsing.name)
        elif key == "description":
            values[key] = f.get(key, parsing.text)
        else:
            latest = complaint.acknowledged_on if complaint and complaint.acknowledged_on else today()
            values[key] = f.get(key, parsing.day, latest=latest)
    return values


def register_complaint(actor: Any, data: dict) -> Complaint:
    """Record a complaint about a lab (`lab_code`; an unknown lab is refused), received through a
    channel on a day (not in the future)."""
    if not policy.may_register_complaint(actor):
        raise Forbidden(_("You may not register complaints."))
    f = Fields(data)
    lab = lab_by_code(f, "lab_code", actor)
    values = _details(f, None)
    f.raise_if_any(_("The complaint could not be registered."))
    with transaction(actor):
        complaint = Complaint(
            reference=next_reference(values["received_on"].year),
            lab_id=lab.id,
            status=ComplaintStatus.RECEIVED,
            created_by_id=getattr(actor, "id", None),
            **values,
        )
        db.session.add(complaint)
        db.session.flush()
        signals.complaint_changed.send(complaint, actor=actor, step="register")
    return complaint


def update_complaint(actor: Any, complaint: Complaint, data: dict, version: Any = None) -> Complaint:
    """Correct a complaint's details (channel, complainant, subject, description, received on)."""
    if not policy.may_handle(actor, complaint):
        raise Forbidden(_("You may not change complaints."))
    _check_version(complaint, version)
    f = Fields(data)
    values = _details(f, complaint)
    f.raise_if_any(_("The complaint could not be saved."))
    with transaction(actor, data.get("comment") or None):
        for key, value in values.items():
            setattr(complaint, key, value)
    return complaint


def _check_version(complaint: Complaint, version: Any) -> None:
    if version not in (None, "") and str(version) != str(complaint.version):
        raise Conflict(
            _(
                "Someone else changed this complaint meanwhile. Reload it to see their change, then try again."
            ),
            {"version": [_("The complaint has changed since you read it.")]},
        )


# --- the steps -------------------------------------------------------------------------------


def transition(actor: Any, complaint: Complaint, to: Any, data: dict, version: Any = None) -> Complaint:
    """Take the next step: `acknowledged` (acknowledged_on), `investigated` (investigated_on,
    investigation, outcome) or `answered` (feedback_on, feedback: what the complainant was told).

    Dates default to today, are never in the future nor before the step before. Refusals, in
    order: 422 unknown target; 403 the actor may not; 409 the state does not allow it or `version`
    is stale; 422 missing or bad fields.
    """
    if str(to) not in TARGETS:
        raise InvalidInput(_("Unknown target state."), {"to": [_("Not one of the allowed values.")]})
    if not policy.may_handle(actor, complaint):
        raise Forbidden(_("You may not handle complaints."))
    step = complaint_step(complaint.status, str(to))
    if step is None:
        raise Conflict(
            _(
                "A complaint that is %(state)s cannot move to %(to)s.",
                state=complaint.status_label,
                to=str(to),
            )
        )
    _check_version(complaint, version)
    f = Fields(data)
    values: dict[str, Any] = {}
    previous = {
        "acknowledge": complaint.received_on,
        "investigate": complaint.acknowledged_on,
        "answer": complaint.investigated_on,
    }[step.name]
    day_field = step.required[0]
    given = data.get(day_field)
    if parsing.is_blank(given):
        values[day_field] = today()
    else:
        values[day_field] = f.get(day_field, parsing.day, latest=today())
    if values[day_field] and previous and values[day_field] < previous:
        f.add(day_field, _("This cannot come before the step before it (%(day)s).", day=previous.isoformat()))
    if step.name == "investigate":
        values["investigation"] = f.get("investigation", parsing.text)
        values["outcome"] = f.get("outcome", parsing.choice, [o.value for o in Outcome])
    elif step.name == "answer":
        values["feedback"] = f.get("feedback", parsing.text)
    comment = f.get("comment", parsing.text, required=False, max_len=parsing.COMMENT_MAX)
    f.raise_if_any(_("The step could not be taken; see the fields marked."))
    with transaction(actor, comment):
        for key, value in values.items():
            setattr(complaint, key, value)
        complaint.status = ComplaintStatus(step.target)
        if comment:
            complaint.last_comment = comment
        signals.complaint_changed.send(complaint, actor=actor, step=step.name)
    return complaint


# --- raising a finding -----------------------------------------------------------------------


def raise_finding(actor: Any, complaint: Complaint, data: dict) -> Finding:
    """Raise a finding against the lab from a substantiated complaint, into the usual rectification.

    Fields: severity, area, clause, description, due_on (optional, by severity otherwise) and
    audit_reference (optional: an audit of the lab that recorded the investigation; otherwise a
    flight check is recorded for it).
    """
    if not policy.may_raise_finding(actor, complaint):
        if policy.may_handle(actor, complaint) and policy.raises_findings(actor):
            raise Conflict(
                _("A finding is raised once, from a complaint whose investigation substantiated it.")
            )
        raise Forbidden(_("You may not raise findings from complaints."))
    f = Fields(data)
    values = {
        "severity": f.get("severity", parsing.choice, [s.value for s in Severity]),
        "area": f.get("area", parsing.choice, [a.value for a in Area]),
        "clause": f.get("clause", parsing.choice, list(CLAUSES)),
        "description": f.get("description", parsing.text),
    }
    due_on = f.get("due_on", parsing.day, required=False, earliest=today())
    if due_on:
        values["due_on"] = due_on.isoformat()
    audit = None
    reference = f.get("audit_reference", parsing.code, required=False)
    if reference:
        audit = db.session.scalar(select(Audit).where(Audit.reference == reference))
        if audit is None or audit.lab_id != complaint.lab_id:
            f.add("audit_reference", _("No audit %(reference)s of this laboratory.", reference=reference))
    f.raise_if_any(_("The finding could not be raised."))
    with transaction(actor, _("finding raised from complaint %(ref)s", ref=complaint.reference)):
        if audit is None:
            audit = _record_investigation(actor, complaint)
        finding = audits_service.raise_finding(audit, values, actor)
        complaint.audit_id = audit.id
        complaint.finding_id = finding.id
        signals.complaint_changed.send(complaint, actor=actor, step="finding")
    return finding


def _record_investigation(actor: Any, complaint: Complaint) -> Audit:
    """The complaint's investigation as an audit of the lab (a flight check), through the audits service."""
    day = complaint.investigated_on or today()
    return audits_service.create_audit(
        {
            "lab_id": complaint.lab_id,
            "kind": INVESTIGATION_KIND.value,
            "title": _("Complaint investigation %(ref)s", ref=complaint.reference)[:200],
            "started_on": day,
            "ended_on": day,
            "lead_id": getattr(actor, "id", None),
            "status": AuditStatus.COMPLETED.value,
            "summary": f"{complaint.subject}\n\n{complaint.investigation or ''}".strip(),
        },
        actor,
    )
