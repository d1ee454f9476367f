"""Audit and rectification rules: recording audits and findings, and every step of the workflow.

Views, the API, the CLI and other areas (proficiency raises findings from rounds) all call these
functions; they take the acting user, raise domain errors and (except where said) commit once.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from labtrack.audits import evidence, workflow
from labtrack.audits.checks import (
    TEXT_MAX,
    check_version,
    choice_field,
    date_field,
    may_see,
    role_of,
    save,
    text_field,
)
from labtrack.audits.clauses import CLAUSES
from labtrack.audits.models import (
    AUDIT_KIND_PREFIX,
    Area,
    Audit,
    AuditKind,
    AuditStatus,
    EvidenceFile,
    Finding,
    FindingSource,
    Severity,
)
from labtrack.audits.workflow import ACTIVE_STATES, State
from labtrack.auth.permissions import lab_scope_id
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound, act_as, commit

COMMENT_MAX = 2000  # the history log keeps comments of up to 2,000 characters
AUDIT_FIELDS = (
    "lab_id",
    "kind",
    "title",
    "started_on",
    "ended_on",
    "lead_id",
    "team",
    "documents_reviewed",
    "instruments_checked",
    "reports_sampled",
    "status",
    "summary",
)
FINDING_EDIT_FIELDS = ("severity", "area", "clause", "description")


# --- deadlines -------------------------------------------------------------------------------


def due_date(severity: str, raised_on: date) -> date:
    """The default deadline: raised on + FINDING_DUE_DAYS[severity] (DESIGN: major 30, minor 60)."""
    days = current_app.config["FINDING_DUE_DAYS"].get(str(severity), 60)
    return raised_on + timedelta(days=int(days))


# --- audits ----------------------------------------------------------------------------------


def audits_query(
    lab: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    region: str | None = None,
    year: int | None = None,
    q: str | None = None,
) -> Select:
    """Audits the current user may see, filtered, newest first."""
    stmt = select(Audit).join(Lab, Audit.lab_id == Lab.id)
    scope = lab_scope_id()
    if scope is not None:
        stmt = stmt.where(Audit.lab_id == scope)
    if lab:
        stmt = stmt.where(Lab.code == lab)
    if kind:
        stmt = stmt.where(Audit.kind == kind)
    if status:
        stmt = stmt.where(Audit.status == status)
    if region:
        stmt = stmt.where(Lab.region == region)
    if year:
        stmt = stmt.where(Audit.started_on >= date(year, 1, 1), Audit.started_on <= date(year, 12, 31))
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Audit.reference.ilike(like), Audit.title.ilike(like), Lab.name.ilike(like)))
    # The list shows each audit's lab, lead and number of findings: load them per page, not per row.
    stmt = stmt.options(selectinload(Audit.lab), selectinload(Audit.lead), selectinload(Audit.findings))
    return stmt.order_by(Audit.started_on.desc(), Audit.id.desc())


def get_audit(actor: Any, audit_id: int) -> Audit:
    """The audit if the actor may see it, else NotFound."""
    audit = db.session.get(Audit, audit_id)
    if audit is None or not may_see(actor, audit):
        raise NotFound(_("No such audit."))
    return audit


def _next_reference(kind: str, year: int) -> str:
    prefix = f"{AUDIT_KIND_PREFIX[AuditKind(kind)]}-{year}-"
    taken = db.session.scalars(select(Audit.reference).where(Audit.reference.like(prefix + "%"))).all()
    numbers = [int(r[len(prefix) :]) for r in taken if r[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _audit_values(data: dict, audit: Audit | None) -> dict:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if "lab_code" in data and "lab_id" not in data:
        lab = db.session.scalar(select(Lab).where(Lab.code == data.get("lab_code")))
        if lab is None:
            errors["lab_code"] = [_("No such laboratory.")]
        else:
            values["lab_id"] = lab.id
    elif "lab_id" in data or audit is None:
        lab = db.session.get(Lab, data.get("lab_id")) if isinstance(data.get("lab_id"), int) else None
        if lab is None:
            errors["lab_id"] = [_("No such laboratory.")]
        else:
            values["lab_id"] = lab.id
    partial = audit is not None
    for key in ("kind", "status"):
        if key in data or not partial:
            allowed = AuditKind if key == "kind" else AuditStatus
            if key == "status" and not data.get(key) and not partial:
                values[key] = AuditStatus.PLANNED
                continue
            values[key] = choice_field(data, key, [v.value for v in allowed], errors)
    if "title" in data or not partial:
        values["title"] = text_field(data, "title", errors, limit=200)
    if "started_on" in data or not partial:
        values["started_on"] = date_field(data, "started_on", errors)
    if "ended_on" in data:
        values["ended_on"] = date_field(data, "ended_on", errors, required=False)
    for key in ("team", "summary"):
        if key in data:
            values[key] = text_field(
                data, key, errors, required=False, limit=500 if key == "team" else TEXT_MAX
            )
    if "lead_id" in data:
        from labtrack.auth.models import User

        lead_id = data.get("lead_id")
        if lead_id in (None, "", 0):
            values["lead_id"] = None
        elif not isinstance(lead_id, int) or db.session.get(User, lead_id) is None:
            errors["lead_id"] = [_("No such user.")]
        else:
            values["lead_id"] = lead_id
    for key in ("documents_reviewed", "instruments_checked", "reports_sampled"):
        if key in data:
            value = data.get(key)
            if value in (None, ""):
                values[key] = 0
            elif not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1_000_000:
                errors[key] = [_("A whole number from 0 to 1,000,000.")]
            else:
                values[key] = value
    start = values.get("started_on", audit.started_on if audit else None)
    end = values.get("ended_on", audit.ended_on if audit else None)
    if start and end and end < start:
        errors.setdefault("ended_on", []).append(_("The audit cannot end before it starts."))
    if errors:
        raise InvalidInput(_("The audit could not be saved."), errors)
    return values


def create_audit(data: dict, actor: Any) -> Audit:
    """Record an audit (any of the six kinds); its reference is given by kind and year."""
    if role_of(actor) not in (workflow.INSPECTOR, workflow.ADMIN):
        raise Forbidden(_("Only inspectors record audits."))
    values = _audit_values(data, None)
    audit = Audit(**values)
    audit.reference = _next_reference(audit.kind, audit.started_on.year)
    act_as(actor)
    db.session.add(audit)
    commit()
    return audit


def update_audit(audit: Audit, data: dict, actor: Any) -> Audit:
    """Change an audit's details (dates, team, counts, status)."""
    if role_of(actor) not in (workflow.INSPECTOR, workflow.ADMIN):
        raise Forbidden(_("Only inspectors edit audits."))
    values = _audit_values(data, audit)
    if "lab_id" in values and values["lab_id"] != audit.lab_id and audit.findings:
        raise InvalidInput(
            _("The audit could not be saved."),
            {"lab_id": [_("The audit has findings; its laboratory cannot change.")]},
        )
    for key, value in values.items():
        setattr(audit, key, value)
    act_as(actor)
    commit()
    return audit


# --- raising findings ------------------------------------------------------------------------


def _finding_values(data: dict, errors: dict, partial: bool = False) -> dict:
    values: dict[str, Any] = {}
    if "severity" in data or not partial:
        values["severity"] = choice_field(data, "severity", [s.value for s in Severity], errors)
    if "area" in data or not partial:
        values["area"] = choice_field(data, "area", [a.value for a in Area], errors)
    if "clause" in data or not partial:
        values["clause"] = choice_field(data, "clause", CLAUSES.keys(), errors)
    if "description" in data or not partial:
        values["description"] = text_field(data, "description", errors)
    return values


def _next_number(audit_id: int | None, source_ref: str | None) -> int:
    if audit_id is not None:
        stmt = select(func.max(Finding.number)).where(Finding.audit_id == audit_id)
    else:
        stmt = select(func.max(Finding.number)).where(
            Finding.source == FindingSource.ROUND, Finding.source_ref == source_ref
        )
    return (db.session.scalar(stmt) or 0) + 1


def raise_finding(audit: Audit, data: dict, actor: Any, files: Iterable[tuple[str, bytes]] = ()) -> Finding:
    """Record a finding of an audit, numbered within it; due date by severity unless given."""
    if role_of(actor) not in (workflow.INSPECTOR, workflow.ADMIN):
        raise Forbidden(_("Only inspectors raise findings."))
    errors: dict[str, list[str]] = {}
    values = _finding_values(data, errors)
    raised_on = date_field(data, "raised_on", errors, required=False) or today()
    due_on = date_field(data, "due_on", errors, required=False)
    if due_on is not None and due_on < raised_on:
        errors.setdefault("due_on", []).append(_("The due date cannot be before the finding was raised."))
    checked = evidence.check_files(files, errors)
    if errors:
        raise InvalidInput(_("The finding could not be saved."), errors)
    finding = Finding(
        audit=audit,
        lab_id=audit.lab_id,
        number=_next_number(audit.id, None),
        source=FindingSource.AUDIT,
        raised_by_id=getattr(actor, "id", None),
        raised_on=raised_on,
        due_on=due_on or due_date(values["severity"], raised_on),
        status=State.OPEN,
        **values,
    )
    act_as(actor)
    db.session.add(finding)
    evidence.attach(finding, checked, actor, "finding")
    commit()
    return finding


def raise_finding_from_round(
    *,
    lab: Lab,
    round_code: str,
    description: str,
    severity: str,
    actor: Any,
    area: str = "quality_control",
    clause: str = "7.7.2",
) -> Finding:
    """A finding raised by a published comparison round (source "round"); the caller commits.

    Numbered within the round; due date by severity from today; history is written on flush.
    """
    errors: dict[str, list[str]] = {}
    values = _finding_values(
        {"severity": severity, "area": area, "clause": clause, "description": description}, errors
    )
    if not round_code:
        errors["round_code"] = [_("This field is required.")]
    if errors:
        raise InvalidInput(_("The finding could not be saved."), errors)
    raised_on = today()
    finding = Finding(
        audit=None,
        lab_id=lab.id,
        number=_next_number(None, round_code),
        source=FindingSource.ROUND,
        source_ref=round_code,
        raised_by_id=getattr(actor, "id", None),
        raised_on=raised_on,
        due_on=due_date(values["severity"], raised_on),
        status=State.OPEN,
        **values,
    )
    act_as(actor)
    db.session.add(finding)
    db.session.flush()
    return finding


def update_finding(finding: Finding, data: dict, actor: Any, version: int | None) -> Finding:
    """Correct an open finding's severity, area, clause or description (inspectors)."""
    if role_of(actor) not in (workflow.INSPECTOR, workflow.ADMIN):
        raise Forbidden(_("Only inspectors edit findings."))
    if finding.status != State.OPEN:
        raise Conflict(_("Only an open finding can be edited."))
    check_version(finding, version)
    errors: dict[str, list[str]] = {}
    values = _finding_values(data, errors, partial=True)
    if errors:
        raise InvalidInput(_("The finding could not be saved."), errors)
    act_as(actor, data.get("comment") or None)
    save(lambda: [setattr(finding, key, value) for key, value in values.items()])
    return finding


# --- finding queries -------------------------------------------------------------------------


def findings_query(
    lab: str | None = None,
    status: str | None = None,
    severity: str | None = None,
    area: str | None = None,
    overdue: bool | None = None,
    audit_kind: str | None = None,
    region: str | None = None,
    audit_id: int | None = None,
    q: str | None = None,
    on: date | None = None,
) -> Select:
    """Findings the current user may see, filtered; `audit_kind="round"` means raised by a round."""
    on = on or today()
    stmt = select(Finding).join(Lab, Finding.lab_id == Lab.id).outerjoin(Audit, Finding.audit_id == Audit.id)
    scope = lab_scope_id()
    if scope is not None:
        stmt = stmt.where(Finding.lab_id == scope)
    if lab:
        stmt = stmt.where(Lab.code == lab)
    if status == "active":
        stmt = stmt.where(Finding.status.in_([s.value for s in ACTIVE_STATES]))
    elif status:
        stmt = stmt.where(Finding.status == status)
    if severity:
        stmt = stmt.where(Finding.severity == severity)
    if area:
        stmt = stmt.where(Finding.area == area)
    if overdue is True:
        stmt = stmt.where(Finding.status.in_([s.value for s in ACTIVE_STATES]), Finding.due_on < on)
    elif overdue is False:
        stmt = stmt.where(or_(Finding.status.not_in([s.value for s in ACTIVE_STATES]), Finding.due_on >= on))
    if audit_kind == FindingSource.ROUND:
        stmt = stmt.where(Finding.source == FindingSource.ROUND)
    elif audit_kind:
        stmt = stmt.where(Audit.kind == audit_kind)
    if region:
        stmt = stmt.where(Lab.region == region)
    if audit_id:
        stmt = stmt.where(Finding.audit_id == audit_id)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Finding.description.ilike(like), Finding.source_ref.ilike(like)))
    # Lists show each finding's lab, audit, people and files: load them per page, not per row.
    stmt = stmt.options(
        selectinload(Finding.lab),
        selectinload(Finding.audit),
        selectinload(Finding.raised_by),
        selectinload(Finding.closed_by),
        selectinload(Finding.files),
    )
    return stmt.order_by(Finding.due_on, Finding.id)


def get_finding(actor: Any, finding_id: int) -> Finding:
    """The finding if the actor may see it; NotFound otherwise (never reveal another lab's)."""
    finding = db.session.get(Finding, finding_id)
    if finding is None or not may_see(actor, finding):
        raise NotFound(_("No such finding."))
    return finding


def get_file(actor: Any, finding_id: int, file_id: int) -> EvidenceFile:
    """An evidence file of a finding the actor may see, else NotFound."""
    finding = get_finding(actor, finding_id)
    record = db.session.get(EvidenceFile, file_id)
    if record is None or record.finding_id != finding.id:
        raise NotFound(_("No such file."))
    return record
