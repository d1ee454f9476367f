"""Audit and rectification rules: recording audits and findings, and every step of the workflow.

Views, the API, the CLI and other areas (proficiency raises findings from rounds) all call these
functions; they take the acting user, raise domain errors and (except where said) commit once.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm.exc import StaleDataError

from labtrack.audits import evidence, workflow
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
    RootCauseMethod,
    Severity,
)
from labtrack.audits.workflow import ACTIVE_STATES, State
from labtrack.auth.permissions import lab_scope_id
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.models_base import today, utcnow
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound, act_as, commit

COMMENT_MAX = 2000  # the history log keeps comments of up to 2,000 characters
TEXT_MAX = 10_000
AUDIT_FIELDS = (
    "lab_id", "kind", "title", "started_on", "ended_on", "lead_id", "team", "documents_reviewed",
    "instruments_checked", "reports_sampled", "status", "summary",
)
FINDING_EDIT_FIELDS = ("severity", "area", "clause", "description")


# --- helpers ---------------------------------------------------------------------------------

def _role(actor: Any) -> str:
    return str(getattr(actor, "role", "") or "")


def _own_lab(actor: Any, lab_id: int) -> bool:
    return _role(actor) != workflow.LAB_MANAGER or getattr(actor, "lab_id", None) == lab_id


def may_see(actor: Any, finding_or_audit: Finding | Audit) -> bool:
    """Lab managers see only their own lab's audits and findings; everyone else sees all."""
    return _own_lab(actor, finding_or_audit.lab_id)


def _text(data: dict, key: str, errors: dict, required: bool = True, limit: int = TEXT_MAX) -> str | None:
    value = data.get(key)
    value = value.strip() if isinstance(value, str) else value
    if value in (None, ""):
        if required:
            errors.setdefault(key, []).append(_("This field is required."))
        return None
    if not isinstance(value, str):
        errors.setdefault(key, []).append(_("Must be text."))
        return None
    if len(value) > limit:
        errors.setdefault(key, []).append(_("At most %(n)d characters.", n=limit))
        return None
    return value


def _date(data: dict, key: str, errors: dict, required: bool = True) -> date | None:
    value = data.get(key)
    if value in (None, ""):
        if required:
            errors.setdefault(key, []).append(_("This field is required."))
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.setdefault(key, []).append(_("Not a date (YYYY-MM-DD)."))
        return None


def _choice(data: dict, key: str, allowed: Iterable[str], errors: dict, required: bool = True) -> str | None:
    value = data.get(key)
    if value in (None, ""):
        if required:
            errors.setdefault(key, []).append(_("This field is required."))
        return None
    if str(value) not in set(allowed):
        errors.setdefault(key, []).append(_("Not one of the allowed values."))
        return None
    return str(value)


def due_date(severity: str, raised_on: date) -> date:
    """The default deadline: raised on + FINDING_DUE_DAYS[severity] (DESIGN: major 30, minor 60)."""
    days = current_app.config["FINDING_DUE_DAYS"].get(str(severity), 60)
    return raised_on + timedelta(days=int(days))


def _save(change: Any = None) -> None:
    """Make the change and commit; a concurrent save that bumped the version first is refused."""
    try:
        if callable(change):
            change()
        commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise Conflict(
            _("Someone else saved this finding meanwhile. Reload it to see their change, then try again."),
            {"version": [_("The finding has changed since you read it.")]},
        ) from exc


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
    numbers = [int(r[len(prefix):]) for r in taken if r[len(prefix):].isdigit()]
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
            values[key] = _choice(data, key, [v.value for v in allowed], errors)
    if "title" in data or not partial:
        values["title"] = _text(data, "title", errors, limit=200)
    if "started_on" in data or not partial:
        values["started_on"] = _date(data, "started_on", errors)
    if "ended_on" in data:
        values["ended_on"] = _date(data, "ended_on", errors, required=False)
    for key in ("team", "summary"):
        if key in data:
            values[key] = _text(data, key, errors, required=False, limit=500 if key == "team" else TEXT_MAX)
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
    if _role(actor) not in (workflow.INSPECTOR, workflow.ADMIN):
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
    if _role(actor) not in (workflow.INSPECTOR, workflow.ADMIN):
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
        values["severity"] = _choice(data, "severity", [s.value for s in Severity], errors)
    if "area" in data or not partial:
        values["area"] = _choice(data, "area", [a.value for a in Area], errors)
    if "clause" in data or not partial:
        values["clause"] = _choice(data, "clause", CLAUSES.keys(), errors)
    if "description" in data or not partial:
        values["description"] = _text(data, "description", errors)
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
    if _role(actor) not in (workflow.INSPECTOR, workflow.ADMIN):
        raise Forbidden(_("Only inspectors raise findings."))
    errors: dict[str, list[str]] = {}
    values = _finding_values(data, errors)
    raised_on = _date(data, "raised_on", errors, required=False) or today()
    due_on = _date(data, "due_on", errors, required=False)
    if due_on is not None and due_on < raised_on:
        errors.setdefault("due_on", []).append(_("The due date cannot be before the finding was raised."))
    checked = _check_files(files, errors)
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
    _attach(finding, checked, actor, "finding")
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
    if _role(actor) not in (workflow.INSPECTOR, workflow.ADMIN):
        raise Forbidden(_("Only inspectors edit findings."))
    if finding.status != State.OPEN:
        raise Conflict(_("Only an open finding can be edited."))
    _check_version(finding, version)
    errors: dict[str, list[str]] = {}
    values = _finding_values(data, errors, partial=True)
    if errors:
        raise InvalidInput(_("The finding could not be saved."), errors)
    act_as(actor, data.get("comment") or None)
    _save(lambda: [setattr(finding, key, value) for key, value in values.items()])
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


# --- files -----------------------------------------------------------------------------------

def _check_files(files: Iterable[tuple[str, bytes]], errors: dict) -> list[evidence.CheckedFile]:
    checked = []
    for name, data in files or ():
        if not name and not data:
            continue  # an empty file input
        try:
            checked.append(evidence.check(name, data))
        except evidence.EvidenceRefused as exc:
            errors.setdefault("files", []).append(str(exc))
    return checked


def _attach(finding: Finding, checked: list[evidence.CheckedFile], actor: Any, stage: str) -> None:
    for item in checked:
        evidence.store(item)
        finding.files.append(
            EvidenceFile(
                sha256=item.sha256,
                filename=item.filename,
                size=item.size,
                kind=item.kind,
                content_type=item.content_type,
                stage=stage,
                uploaded_by_id=getattr(actor, "id", None),
            )
        )


def _upload_stage(finding: Finding, role: str) -> str:
    if role == workflow.LAB_MANAGER:
        return "evidence" if finding.status == State.PLAN_ACCEPTED else "plan"
    return "verification" if finding.status in workflow.AWAITING_VERIFICATION else "finding"


def add_files(finding: Finding, files: Iterable[tuple[str, bytes]], actor: Any) -> list[EvidenceFile]:
    """Attach files to a finding outside a step (the lab while rectifying, the regulator any time)."""
    role = _role(actor)
    if not may_see(actor, finding):
        raise NotFound(_("No such finding."))
    if role not in (workflow.LAB_MANAGER, workflow.INSPECTOR, workflow.QUALITY, workflow.ADMIN):
        raise Forbidden(_("Your role may not attach files."))
    if finding.status not in ACTIVE_STATES:
        raise Conflict(_("Files cannot be attached to a closed or cancelled finding."))
    if role == workflow.LAB_MANAGER and finding.status in workflow.AWAITING_VERIFICATION:
        raise Conflict(_("The finding is awaiting verification; attach files after the regulator's answer."))
    errors: dict[str, list[str]] = {}
    checked = _check_files(files, errors)
    if not checked and not errors:
        errors["files"] = [_("Choose at least one file.")]
    if errors:
        raise InvalidInput(_("The files could not be attached."), errors)
    before = len(finding.files)
    act_as(actor, _("files attached"))
    _attach(finding, checked, actor, _upload_stage(finding, role))
    commit()
    return finding.files[before:]


# --- the workflow ----------------------------------------------------------------------------

def _check_version(finding: Finding, version: Any) -> None:
    if version is not None and str(version) != str(finding.version):
        raise Conflict(
            _("Someone else saved this finding meanwhile. Reload it to see their change, then try again."),
            {"version": [_("The finding has changed since you read it.")]},
        )


def check_step(finding: Finding, to: str, actor: Any) -> workflow.Transition:
    """The state table's answer for this actor: NotFound, Forbidden (403) or Conflict (409)."""
    if not may_see(actor, finding):
        raise NotFound(_("No such finding."))
    if to not in {s.value for s in State}:
        raise InvalidInput(_("Unknown target state."), {"to": [_("Not one of the allowed values.")]})
    try:
        return workflow.resolve(finding.status, to, _role(actor), _own_lab(actor, finding.lab_id))
    except workflow.Refused as exc:
        if exc.kind == "role":
            raise Forbidden(_("Your role may not make this change.")) from exc
        raise Conflict(
            _("A finding that is %(state)s cannot move to %(to)s.", state=finding.status_label, to=to)
        ) from exc


def transition(
    finding: Finding,
    to: str,
    data: dict,
    actor: Any,
    *,
    version: Any,
    files: Iterable[tuple[str, bytes]] = (),
) -> Finding:
    """Take one step of the state table, with its required fields; refuses stale versions.

    Order of refusals: 404 (may not see) → 422 (unknown target) → 403 (role) / 409 (state)
    → 409 (stale version) → 422 (missing or bad fields). A refused step changes nothing.
    """
    step = check_step(finding, to, actor)
    _check_version(finding, version)
    errors: dict[str, list[str]] = {}
    if version in (None, ""):
        errors["version"] = [_("The version you last read is required.")]
    values = _step_values(step, finding, data, errors)
    checked = _check_files(files, errors)
    if step.needs_files and not checked and not any(f.stage == "evidence" for f in finding.files):
        errors.setdefault("files", []).append(_("Attach at least one evidence file."))
    password = data.get("password")
    if step.needs_password and "password" not in errors and not (
        isinstance(password, str) and actor.check_password(password)
    ):
        errors["password"] = [_("The password is not correct; the finding was not closed.")]
    if errors:
        raise InvalidInput(_("The step could not be taken; see the fields marked."), errors)
    stage = "evidence" if step.name == "submit_evidence" else _upload_stage(finding, _role(actor))
    act_as(actor, _history_comment(step, values.get("comment")))

    def change() -> None:
        apply_step(finding, step, values, actor, today())
        db.session.flush()  # the step's history row carries the comment
        _attach(finding, checked, actor, stage)

    _save(change)
    return finding


def _history_comment(step: workflow.Transition, comment: str | None) -> str:
    return f"{step.name}: {comment}" if comment else step.name


def _step_values(step: workflow.Transition, finding: Finding, data: dict, errors: dict) -> dict:
    values: dict[str, Any] = {"comment": _text(data, "comment", errors, step.needs_comment, COMMENT_MAX)}
    for key in step.required:
        if key == "action_target_on":
            values[key] = _date(data, key, errors)
            if values[key] and values[key] < finding.raised_on:
                errors.setdefault(key, []).append(_("The target date cannot be before the finding was raised."))
        elif key == "root_cause_method":
            values[key] = _choice(data, key, [m.value for m in RootCauseMethod], errors)
        elif key == "action_owner":
            values[key] = _text(data, key, errors, limit=120)
        else:
            values[key] = _text(data, key, errors)
    if step.needs_password and not data.get("password"):
        errors["password"] = [_("Confirm with your password to sign the closure.")]
    return values


def apply_step(
    finding: Finding, step: workflow.Transition, values: dict, actor: Any, on: date, at: datetime | None = None
) -> None:
    """Set the fields a step changes (no checks: `transition` and the demo loader call this).

    `on` is the day of the step; `at` the moment of the closing signature (now unless given).
    """
    for key in step.required:
        setattr(finding, key, values.get(key))
    comment = values.get("comment")
    finding.last_comment = comment
    if step.name == "submit_plan":
        finding.plan_submitted_on = on
    elif step.name == "accept_plan":
        finding.plan_accepted_on = on
    elif step.name == "submit_evidence":
        finding.evidence_submitted_on = on
    elif step.name == "close":
        finding.closed_on = on
        finding.closed_by_id = getattr(actor, "id", None)
        finding.signed_at = at or utcnow()
    elif step.name == "cancel":
        finding.cancel_reason = comment
        finding.cancelled_on = on
    elif step.name == "reopen":
        finding.reopened_count = (finding.reopened_count or 0) + 1
        finding.closed_on = None
        finding.closed_by_id = None
        finding.signed_at = None
        finding.plan_accepted_on = None
        finding.due_on = due_date(finding.severity, on)
    finding.status = step.target


def extend_deadline(finding: Finding, new_due: Any, reason: Any, actor: Any, *, version: Any) -> Finding:
    """Move the due date later (quality department); the old date stays in the history."""
    if not may_see(actor, finding):
        raise NotFound(_("No such finding."))
    if _role(actor) not in workflow.EXTEND_ROLES:
        raise Forbidden(_("Only the quality department extends deadlines."))
    if not workflow.can_extend(finding.status, _role(actor)):
        raise Conflict(_("The deadline of a closed or cancelled finding cannot change."))
    _check_version(finding, version)
    errors: dict[str, list[str]] = {}
    data = {"due_on": new_due, "comment": reason}
    due = _date(data, "due_on", errors)
    comment = _text(data, "comment", errors, limit=COMMENT_MAX)
    if version in (None, ""):
        errors["version"] = [_("The version you last read is required.")]
    if due is not None and due <= finding.due_on:
        errors.setdefault("due_on", []).append(
            _("The new due date must be later than %(due)s.", due=finding.due_on.isoformat())
        )
    if errors:
        raise InvalidInput(_("The deadline could not be extended."), errors)
    act_as(actor, f"extend: {comment}")

    def change() -> None:
        finding.due_on = due
        finding.last_comment = comment

    _save(change)
    return finding
