"""Who may do and see what in the audits area: small pure predicates on (actor, record).

An actor is anything with `role`, `lab_id` and `id` (a signed-in user). Services, views,
templates (as the `audits_policy` global), exports and the API ask these; none of them names a
role. Built on `labtrack.auth.policy` and the permissions each role holds:

- everyone but a lab manager sees every lab's audits and findings; a lab manager only their own
  lab's (another lab's record is answered as not found);
- the bureau's staff who hold AUDITS_EDIT / FINDINGS_EDIT (inspectors, admins) record audits of
  every kind and raise their findings; a lab manager records only their own lab's
  self-inspections and internal audits (the lab's own work) and raises those audits' findings;
- every step of rectification needs the permission its row of the state table names: a lab
  manager submits plans and evidence (RECTIFY) but never accepts or closes a finding, not even
  one raised by their own lab (VERIFY is the bureau's), nor cancels, reopens or extends one
  (FINDINGS_MANAGE, the quality department's).
"""

from typing import Any

from sqlalchemy import ColumnElement, Select

from labtrack.audits import workflow
from labtrack.audits.models import Audit, AuditKind, EvidenceFile, Finding
from labtrack.audits.workflow import ACTIVE_STATES, AWAITING_VERIFICATION, State, Transition
from labtrack.auth import policy as auth
from labtrack.auth.permissions import ROLE_PERMISSIONS, Perm

# The kinds of audit that are a laboratory's own work, which its manager records.
LAB_AUDIT_KINDS: frozenset[AuditKind] = frozenset({AuditKind.SELF_INSPECTION, AuditKind.INTERNAL_AUDIT})


def permissions(actor: Any) -> frozenset[Perm]:
    """The permissions the actor's role holds (none for an unknown role or no actor)."""
    role = auth.role_of(actor)
    return ROLE_PERMISSIONS[role] if role is not None else frozenset()


# --- seeing ------------------------------------------------------------------------------------


def sees(actor: Any, record: Audit | Finding | EvidenceFile) -> bool:
    """Whether the actor may see an audit, a finding or an evidence file (and know it exists)."""
    if isinstance(record, EvidenceFile):
        record = record.finding
    if actor is None:
        return True  # the system itself (command line, loaders), as `narrow` lets it
    return auth.holds(actor, Perm.AUDITS_VIEW if isinstance(record, Audit) else Perm.FINDINGS_VIEW) and (
        auth.sees_lab(actor, record.lab_id)
    )


def sees_lab(actor: Any, lab_id: int | None) -> bool:
    """Whether the actor may see this lab's audits and findings (and know the lab exists)."""
    return actor is None or auth.sees_lab(actor, lab_id)


def lab_scope(actor: Any) -> int | None:
    """The one lab whose records the actor sees (-1: none), or None for every lab."""
    return auth.confined_lab(actor)


def narrow(stmt: Select, actor: Any) -> Select:
    """Narrow a select of audits (or of findings) to the records the actor may see."""
    entity = stmt.column_descriptions[0].get("entity") if stmt.column_descriptions else None
    column = Audit.lab_id if entity is Audit else Finding.lab_id
    return auth.narrow(stmt, column, actor)


# --- recording audits --------------------------------------------------------------------------


def audit_kinds(actor: Any) -> list[AuditKind]:
    """The kinds of audit the actor may record, in the order the form lists them."""
    if not auth.holds(actor, Perm.AUDITS_EDIT):
        return []
    if auth.is_lab_manager(actor):
        return [k for k in AuditKind if k in LAB_AUDIT_KINDS]
    return list(AuditKind)


def may_record_audits(actor: Any) -> bool:
    """Whether the actor may record audits at all (the "New audit" button)."""
    return bool(audit_kinds(actor))


def records_for_own_lab_only(actor: Any) -> bool:
    """Whether the actor records audits only of their own lab (no choice of laboratory)."""
    return auth.is_lab_manager(actor)


def home_lab(actor: Any) -> int | None:
    """The lab an actor confined to one records for (None: they choose, or have no lab)."""
    scope = auth.confined_lab(actor)
    return scope if scope is not None and scope > 0 else None


def may_record_audit(actor: Any, lab_id: int | None, kind: str) -> bool:
    """Whether the actor may record an audit of this kind of this lab."""
    return kind in audit_kinds(actor) and auth.sees_lab(actor, lab_id)


def may_edit_audit(actor: Any, audit: Audit) -> bool:
    """Whether the actor may change an audit (the same rule as recording it)."""
    return sees(actor, audit) and may_record_audit(actor, audit.lab_id, audit.kind)


def may_lead(user: Any, lab_id: int | None, kind: str) -> bool:
    """Whether this user may be named an audit's lead: the bureau's staff lead any audit; a lab's
    own people lead its own self-inspections and internal audits."""
    if user is None or not getattr(user, "active", True):
        return False
    if auth.is_regulator(user):
        return True
    return kind in LAB_AUDIT_KINDS and auth.is_lab_manager(user) and getattr(user, "lab_id", None) == lab_id


def lead_candidates(actor: Any, user_model: Any) -> ColumnElement[bool]:
    """SQL: the users an actor's audit form offers as lead (their own lab's people for a lab
    manager, the bureau's staff otherwise)."""
    lab = home_lab(actor)
    if records_for_own_lab_only(actor):
        return (user_model.lab_id == (lab if lab is not None else -1)) & (user_model.active.is_(True))
    return user_model.role.in_([r.value for r in auth.REGULATOR_ROLES]) & (user_model.active.is_(True))


# --- findings --------------------------------------------------------------------------------


def may_raise_finding(actor: Any, audit: Audit) -> bool:
    """Whether the actor may raise a finding in this audit (the bureau in any audit; a lab manager
    in their own lab's self-inspections and internal audits)."""
    return auth.holds(actor, Perm.FINDINGS_EDIT) and sees(actor, audit) and audit.kind in audit_kinds(actor)


def may_edit_finding(actor: Any, finding: Finding) -> bool:
    """Whether the actor may correct a finding's severity, area, clause or description (who may
    raise it; findings of comparison rounds: the bureau). Only open ones: `editable`."""
    if finding.audit is not None:
        return may_raise_finding(actor, finding.audit)
    return auth.holds(actor, Perm.FINDINGS_EDIT) and auth.confined_lab(actor) is None


def editable(finding: Finding) -> bool:
    """Whether the finding's state lets its text be corrected (open: no plan yet)."""
    return finding.status == State.OPEN


# --- rectification -----------------------------------------------------------------------------


def may_take(actor: Any, finding: Finding, step: Transition) -> bool:
    """Whether the actor may take this step of the state table on this finding now."""
    return sees(actor, finding) and step.source == finding.status and step.permission in permissions(actor)


def steps(actor: Any, finding: Finding) -> list[Transition]:
    """The steps the actor may take on this finding now (what its page offers)."""
    if not sees(actor, finding):
        return []
    return workflow.available(finding.status, permissions(actor))


def may_extend(actor: Any, finding: Finding) -> bool:
    """Whether the actor may extend this finding's deadline now (quality department, active)."""
    return sees(actor, finding) and may_extend_deadlines(actor) and workflow.extendable(finding.status)


def may_extend_deadlines(actor: Any) -> bool:
    """Whether the actor's role extends deadlines at all (the quality department)."""
    return auth.holds(actor, workflow.EXTEND_PERMISSION)


def attaches_as(actor: Any) -> str | None:
    """Which side the actor attaches files for: "bureau" (verifiers), "lab" (rectifiers), or None."""
    if auth.holds(actor, Perm.VERIFY):
        return "bureau"
    if auth.holds(actor, Perm.RECTIFY):
        return "lab"
    return None


def may_attach(actor: Any, finding: Finding) -> bool:
    """Whether the actor may attach files to this finding now: the bureau while it is active, the
    laboratory while it is active and not awaiting the bureau's answer."""
    side = attaches_as(actor)
    if side is None or not sees(actor, finding) or finding.status not in ACTIVE_STATES:
        return False
    return side == "bureau" or finding.status not in AWAITING_VERIFICATION


def upload_stage(actor: Any, finding: Finding) -> str:
    """Which stage a file the actor attaches now belongs to (plan, evidence, verification, finding)."""
    if attaches_as(actor) == "lab":
        return "evidence" if finding.status == State.PLAN_ACCEPTED else "plan"
    return "verification" if finding.status in AWAITING_VERIFICATION else "finding"


# --- work queues and figures -----------------------------------------------------------------


def queue_kind(actor: Any) -> str | None:
    """The actor's rectification work: "lab" (my lab's findings), "verify" (awaiting my check), or None."""
    if auth.is_lab_manager(actor) and auth.holds(actor, Perm.RECTIFY):
        return "lab"
    if auth.holds(actor, Perm.VERIFY):
        return "verify"
    return None


def sees_overview(actor: Any) -> bool:
    """Whether the actor's work includes the province's totals and most overdue findings."""
    return auth.holds(actor, Perm.FINDINGS_MANAGE)


def sees_figures(actor: Any) -> bool:
    """Whether the actor may read the rectification figures (their own lab's, for a lab manager)."""
    return auth.holds(actor, Perm.REPORTS_VIEW)
