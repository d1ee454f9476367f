"""Audits and their findings: recording, correcting, finding and loading them.

Views, the API, the CLI and other areas (proficiency raises findings from rounds) all call these
functions. Each takes the acting user, asks the audits policy, parses its input with
`labtrack.parsing`, raises domain errors, and writes inside one unit of work (`transaction`) that
also carries the domain event it sends (`labtrack.events`).
"""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from labtrack import events, parsing
from labtrack.audits import evidence, policy
from labtrack.audits.checks import REVIEWED_MAX, TEAM_MAX, check_version
from labtrack.audits.clauses import CLAUSES, clause_fits
from labtrack.audits.models import (
    AUDIT_KIND_LABELS,
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
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.parsing import Fields
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound, act_as, load, transaction

REVIEWED = ("documents_reviewed", "instruments_checked", "reports_sampled")
FINDING_EDIT_FIELDS = ("severity", "area", "clause", "description")


# --- deadlines -------------------------------------------------------------------------------


def due_date(severity: str, raised_on: date) -> date:
    """The default deadline: raised on + FINDING_DUE_DAYS[severity] (DESIGN: major 30, minor 60)."""
    days = current_app.config["FINDING_DUE_DAYS"].get(str(severity), 60)
    return raised_on + timedelta(days=int(days))


# --- loading ---------------------------------------------------------------------------------


def get_audit(actor: Any, audit_id: Any) -> Audit:
    """The audit if the actor may see it, else NotFound (another lab's is answered the same)."""
    return load(Audit, audit_id, visible=lambda a: policy.sees(actor, a), what=_("audit"))


def get_finding(actor: Any, finding_id: Any) -> Finding:
    """The finding if the actor may see it, else NotFound (never reveal another lab's)."""
    return load(Finding, finding_id, visible=lambda f: policy.sees(actor, f), what=_("finding"))


def get_file(actor: Any, finding_id: Any, file_id: Any) -> EvidenceFile:
    """An evidence file of a finding the actor may see, else NotFound."""
    finding = get_finding(actor, finding_id)
    return load(
        EvidenceFile,
        file_id,
        visible=lambda f: f.finding_id == finding.id and policy.sees(actor, f),
        what=_("file"),
    )


def audit_to_edit(actor: Any, audit_id: Any) -> Audit:
    """An audit the actor may change (NotFound, or Forbidden with the reason)."""
    audit = get_audit(actor, audit_id)
    if not policy.may_edit_audit(actor, audit):
        raise Forbidden(_kind_refusal(actor, audit.kind, edit=True))
    return audit


def audit_for_findings(actor: Any, audit_id: Any) -> Audit:
    """An audit the actor may raise findings in (NotFound, or Forbidden with the reason)."""
    audit = get_audit(actor, audit_id)
    _check_may_raise(actor, audit)
    return audit


def finding_to_edit(actor: Any, finding_id: Any) -> Finding:
    """A finding the actor may correct (NotFound, or Forbidden with the reason)."""
    finding = get_finding(actor, finding_id)
    _check_may_edit_finding(actor, finding)
    return finding


# --- audits ----------------------------------------------------------------------------------


def audits_query(
    actor: Any,
    lab: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    region: str | None = None,
    year: int | None = None,
    q: str | None = None,
) -> Select:
    """Audits the actor may see, filtered, newest first (`year` between 1900 and 2199)."""
    stmt = policy.narrow(select(Audit).join(Lab, Audit.lab_id == Lab.id), actor)
    if lab:
        stmt = stmt.where(Lab.code == lab)
    if kind:
        stmt = stmt.where(Audit.kind == kind)
    if status:
        stmt = stmt.where(Audit.status == status)
    if region:
        stmt = stmt.where(Lab.region == region)
    if year is not None:
        try:
            year = parsing.year(year)
        except parsing.ParseError as exc:
            raise InvalidInput(_("The filters are not valid."), {"year": [exc.message]}) from None
        stmt = stmt.where(Audit.started_on >= date(year, 1, 1), Audit.started_on <= date(year, 12, 31))
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Audit.reference.ilike(like), Audit.title.ilike(like), Lab.name.ilike(like)))
    # The list shows each audit's lab, lead and number of findings: load them per page, not per row.
    stmt = stmt.options(selectinload(Audit.lab), selectinload(Audit.lead), selectinload(Audit.findings))
    return stmt.order_by(Audit.started_on.desc(), Audit.id.desc())


def _kind_refusal(actor: Any, kind: str, edit: bool = False) -> str:
    """Why the actor may not record (or change) an audit of this kind, in words."""
    if policy.records_for_own_lab_only(actor) and policy.may_record_audits(actor):
        label = AUDIT_KIND_LABELS.get(kind, kind)
        return _(
            "A laboratory records only its own self-inspections and internal audits; "
            "%(kind)s records are kept by the bureau's inspectors.",
            kind=str(label).lower(),
        )
    return _("Your role may not change audits.") if edit else _("Your role may not record audits.")


def _next_reference(kind: str, year: int) -> str:
    prefix = f"{AUDIT_KIND_PREFIX[AuditKind(kind)]}-{year}-"
    taken = db.session.scalars(select(Audit.reference).where(Audit.reference.like(prefix + "%"))).all()
    numbers = [int(r[len(prefix) :]) for r in taken if r[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _lab(f: Fields, actor: Any) -> int | None:
    """The audit's lab from `lab_code` (API) or `lab_id` (forms); a lab the actor may not see is
    answered exactly as one that does not exist."""
    if "lab_code" in f.data:
        code = f.get("lab_code", parsing.code)
        lab = db.session.scalar(select(Lab).where(Lab.code == code)) if code else None
        key = "lab_code"
    else:
        lab_id = f.get("lab_id", parsing.integer, minimum=1, maximum=parsing.INT_MAX)
        lab = db.session.get(Lab, lab_id) if lab_id else None
        key = "lab_id"
    if key in f.errors:
        return None
    if lab is None or not policy.sees_lab(actor, lab.id):
        f.add(key, _("No such laboratory."))
        return None
    return lab.id


def _audit_values(data: dict, audit: Audit | None, actor: Any) -> dict:
    """Parse an audit's fields (all of them to record one; those given to change one)."""
    f = Fields(data)
    values: dict[str, Any] = {}
    partial = audit is not None
    given = lambda key: key in data or not partial  # noqa: E731
    if given("kind"):
        values["kind"] = f.get("kind", parsing.choice, [k.value for k in AuditKind])
        if values["kind"] and values["kind"] not in policy.audit_kinds(actor):
            raise Forbidden(_kind_refusal(actor, values["kind"], edit=partial))
    if "lab_code" in data or "lab_id" in data:
        values["lab_id"] = _lab(f, actor)
    elif not partial:
        values["lab_id"] = policy.home_lab(actor)
        if values["lab_id"] is None:
            f.add("lab_code" if "lab_code" in data else "lab_id", _("This field is required."))
    if given("status"):
        values["status"] = f.get("status", parsing.choice, [s.value for s in AuditStatus], required=partial)
        values["status"] = values["status"] or AuditStatus.PLANNED
    if given("title"):
        values["title"] = f.get("title", parsing.name, max_len=parsing.NAME_MAX)
    if given("started_on"):
        values["started_on"] = f.get("started_on", parsing.day)
    if "ended_on" in data:
        values["ended_on"] = f.get("ended_on", parsing.day, required=False)
    if "team" in data:
        values["team"] = f.get("team", parsing.text, required=False, max_len=TEAM_MAX, multiline=False)
    if "summary" in data:
        values["summary"] = f.get("summary", parsing.text, required=False)
    for key in REVIEWED:
        if key in data:
            values[key] = f.get(key, parsing.integer, required=False, maximum=REVIEWED_MAX) or 0
    kind = values.get("kind") or (audit.kind if audit else None)
    lab_id = values.get("lab_id") or (audit.lab_id if audit else None)
    if "lead_id" in data:
        values["lead_id"] = _lead(f, lab_id, kind)
    start = values.get("started_on", audit.started_on if audit else None)
    end = values.get("ended_on", audit.ended_on if audit else None)
    if start and end and end < start and "ended_on" not in f.errors:
        f.add("ended_on", _("The audit cannot end before it starts."))
    f.raise_if_any(_("The audit could not be saved."))
    return values


def _lead(f: Fields, lab_id: int | None, kind: str | None) -> int | None:
    from labtrack.auth.models import User

    if f.data.get("lead_id") in (None, "", 0):
        return None
    lead_id = f.get("lead_id", parsing.integer, minimum=1, maximum=parsing.INT_MAX)
    if lead_id is None:
        return None
    user = db.session.get(User, lead_id)
    if user is None:
        f.add("lead_id", _("No such user."))
    elif kind and not policy.may_lead(user, lab_id, kind):
        f.add("lead_id", _("%(user)s may not lead this audit.", user=user.username))
    return lead_id


def create_audit(data: dict, actor: Any) -> Audit:
    """Record an audit; its reference is given by kind and year. Inspectors record any kind of
    any lab; a lab manager their own lab's self-inspections and internal audits (no lab given:
    their own)."""
    if not policy.may_record_audits(actor):
        raise Forbidden(_("Your role may not record audits."))
    values = _audit_values(data, None, actor)
    with transaction(actor):
        audit = Audit(**values)
        audit.reference = _next_reference(audit.kind, audit.started_on.year)
        db.session.add(audit)
        db.session.flush()
        events.audit_recorded.send(audit, actor=actor)
    return audit


def update_audit(audit: Audit, data: dict, actor: Any) -> Audit:
    """Change an audit's details (dates, team, counts, status): whoever may record it."""
    if not policy.sees(actor, audit):
        raise NotFound(_("No such %(what)s.", what=_("audit")))
    if not policy.may_edit_audit(actor, audit):
        raise Forbidden(_kind_refusal(actor, audit.kind, edit=True))
    values = _audit_values(data, audit, actor)
    if values.get("lab_id", audit.lab_id) != audit.lab_id and audit.findings:
        raise InvalidInput(
            _("The audit could not be saved."),
            {"lab_id": [_("The audit has findings; its laboratory cannot change.")]},
        )
    with transaction(actor):
        for key, value in values.items():
            setattr(audit, key, value)
    return audit


# --- raising findings ------------------------------------------------------------------------


def _check_may_raise(actor: Any, audit: Audit) -> None:
    if not policy.sees(actor, audit):
        raise NotFound(_("No such %(what)s.", what=_("audit")))
    if not policy.may_raise_finding(actor, audit):
        if policy.records_for_own_lab_only(actor) and policy.may_record_audits(actor):
            raise Forbidden(
                _(
                    "A laboratory raises findings only in its own self-inspections and internal "
                    "audits; the findings of a %(kind)s are raised by the bureau's inspectors.",
                    kind=str(AUDIT_KIND_LABELS.get(audit.kind, audit.kind)).lower(),
                )
            )
        raise Forbidden(_("Your role may not raise findings."))


def _check_may_edit_finding(actor: Any, finding: Finding) -> None:
    if not policy.sees(actor, finding):
        raise NotFound(_("No such %(what)s.", what=_("finding")))
    if not policy.may_edit_finding(actor, finding):
        raise Forbidden(_("Only whoever may raise this finding may correct it."))


def _finding_values(f: Fields, partial: bool = False) -> dict:
    values: dict[str, Any] = {}
    if "severity" in f.data or not partial:
        values["severity"] = f.get("severity", parsing.choice, [s.value for s in Severity])
    if "area" in f.data or not partial:
        values["area"] = f.get("area", parsing.choice, [a.value for a in Area])
    if "clause" in f.data or not partial:
        values["clause"] = f.get("clause", parsing.choice, CLAUSES.keys())
    if values.get("clause") and values.get("area") and not clause_fits(values["area"], values["clause"]):
        f.add(
            "clause", _("Clause %(clause)s is not one a finding of this area cites.", clause=values["clause"])
        )
    if "description" in f.data or not partial:
        values["description"] = f.get("description", parsing.text)
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
    _check_may_raise(actor, audit)
    f = Fields(data)
    values = _finding_values(f)
    raised_on = f.get("raised_on", parsing.day, required=False) or today()
    due_on = f.get("due_on", parsing.day, required=False)
    if due_on is not None and due_on < raised_on:
        f.add("due_on", _("The due date cannot be before the finding was raised."))
    checked = evidence.check_files(files, f.errors)
    f.raise_if_any(_("The finding could not be saved."))
    with transaction(actor):
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
        db.session.add(finding)
        evidence.attach(finding, checked, actor, "finding")
        db.session.flush()
        events.finding_raised.send(finding, actor=actor)
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
    """A finding raised by a published comparison round (source "round"), in the caller's unit of
    work: it is flushed (history written, `finding_raised` sent) and the caller commits.

    Numbered within the round; due date by severity from today.
    """
    f = Fields({"severity": severity, "area": area, "clause": clause, "description": description})
    values = _finding_values(f)
    if parsing.is_blank(round_code):
        f.add("round_code", _("This field is required."))
    f.raise_if_any(_("The finding could not be saved."))
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
    events.finding_raised.send(finding, actor=actor)
    return finding


def update_finding(finding: Finding, data: dict, actor: Any, version: Any) -> Finding:
    """Correct an open finding's severity, area, clause or description (whoever may raise it)."""
    _check_may_edit_finding(actor, finding)
    if not policy.editable(finding):
        raise Conflict(_("Only an open finding can be edited."))
    check_version(finding, version)
    f = Fields(data)
    values = _finding_values(f, partial=True)
    area, clause = values.get("area", finding.area), values.get("clause", finding.clause)
    if ("area" in values) != ("clause" in values) and area and clause and not clause_fits(area, clause):
        f.add("clause", _("Clause %(clause)s is not one a finding of this area cites.", clause=clause))
    comment = f.get("comment", parsing.text, required=False, max_len=parsing.COMMENT_MAX)
    f.raise_if_any(_("The finding could not be saved."))
    with transaction(actor, comment):
        for key, value in values.items():
            setattr(finding, key, value)
    return finding


# --- finding queries -------------------------------------------------------------------------


def findings_query(
    actor: Any,
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
    """Findings the actor may see, filtered; `audit_kind="round"` means raised by a round."""
    on = on or today()
    stmt = select(Finding).join(Lab, Finding.lab_id == Lab.id).outerjoin(Audit, Finding.audit_id == Audit.id)
    stmt = policy.narrow(stmt, actor)
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
    if audit_id is not None:
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
