"""The audits policy, as tables: role x state x ownership (own lab or another), written out by hand.

Pure: actors are plain objects with a role and a lab, records are unsaved model instances.
"""

import itertools
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from labtrack.audits import policy, workflow
from labtrack.audits.models import Audit, AuditKind, EvidenceFile, Finding
from labtrack.audits.workflow import State

ROLES = ("admin", "quality", "inspector", "lab_manager", "viewer")
OWN, OTHER = 1, 2  # lab ids: the lab manager's own lab, and another
OWNERSHIP = (True, False)
LAB_KINDS = {AuditKind.SELF_INSPECTION, AuditKind.INTERNAL_AUDIT}

# DESIGN's table of who may move a finding: (from, to) -> roles.
BY_ROLE = {
    (State.OPEN, State.PLAN_SUBMITTED): {"lab_manager", "admin"},
    (State.PLAN_SUBMITTED, State.PLAN_ACCEPTED): {"inspector", "quality", "admin"},
    (State.PLAN_SUBMITTED, State.OPEN): {"inspector", "quality", "admin"},
    (State.PLAN_ACCEPTED, State.EVIDENCE_SUBMITTED): {"lab_manager", "admin"},
    (State.EVIDENCE_SUBMITTED, State.CLOSED): {"inspector", "quality", "admin"},
    (State.EVIDENCE_SUBMITTED, State.PLAN_ACCEPTED): {"inspector", "quality", "admin"},
    (State.OPEN, State.CANCELLED): {"quality", "admin"},
    (State.PLAN_SUBMITTED, State.CANCELLED): {"quality", "admin"},
    (State.PLAN_ACCEPTED, State.CANCELLED): {"quality", "admin"},
    (State.EVIDENCE_SUBMITTED, State.CANCELLED): {"quality", "admin"},
    (State.CLOSED, State.OPEN): {"quality", "admin"},
}
# Who records audits of which kinds (any lab for the bureau; their own lab for a lab manager).
RECORDS = {
    "admin": set(AuditKind),
    "inspector": set(AuditKind),
    "lab_manager": LAB_KINDS,
    "quality": set(),
    "viewer": set(),
}


def actor(role: str, lab_id: int | None = OWN, uid: int = 7):
    return SimpleNamespace(role=role, lab_id=lab_id if role == "lab_manager" else None, id=uid, active=True)


def audit(kind=AuditKind.FLIGHT_CHECK, own=True) -> Audit:
    return Audit(lab_id=OWN if own else OTHER, kind=kind, reference="X-1", title="t")


def finding(state=State.OPEN, own=True, kind=AuditKind.FLIGHT_CHECK, from_round=False) -> Finding:
    parent = None if from_round else audit(kind, own)
    return Finding(lab_id=OWN if own else OTHER, status=state, audit=parent, number=1)


def sees_as(role: str, own: bool) -> bool:
    return own or role != "lab_manager"


# --- seeing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "own"), list(itertools.product(ROLES, OWNERSHIP)))
def test_who_sees_audits_findings_and_files(role, own):
    a, f = audit(own=own), finding(own=own)
    record = EvidenceFile(
        finding=f, sha256="a" * 64, filename="x.pdf", size=1, kind="pdf", content_type="x", stage="finding"
    )
    expected = sees_as(role, own)
    assert policy.sees(actor(role), a) is expected
    assert policy.sees(actor(role), f) is expected
    assert policy.sees(actor(role), record) is expected
    assert policy.sees_lab(actor(role), a.lab_id) is expected


def test_a_lab_manager_without_a_lab_sees_nothing_and_the_system_everything():
    lost = actor("lab_manager", lab_id=None)
    assert not policy.sees(lost, audit()) and policy.lab_scope(lost) == -1 and policy.home_lab(lost) is None
    assert policy.sees(None, finding(own=False))
    assert not policy.sees(SimpleNamespace(role="nobody", lab_id=None), audit())


@pytest.mark.parametrize("role", ROLES)
def test_narrowing_of_lists(role):
    stmt = policy.narrow(select(Audit), actor(role))
    findings = policy.narrow(select(Finding), actor(role))
    confined = role == "lab_manager"
    assert ("audits.lab_id =" in str(stmt)) is confined
    assert ("findings.lab_id =" in str(findings)) is confined
    assert policy.lab_scope(actor(role)) == (OWN if confined else None)


# --- recording audits and raising findings -----------------------------------------------------


@pytest.mark.parametrize(("role", "kind", "own"), list(itertools.product(ROLES, list(AuditKind), OWNERSHIP)))
def test_who_records_and_edits_which_audits(role, kind, own):
    expected = kind in RECORDS[role] and sees_as(role, own)
    lab_id = OWN if own else OTHER
    assert policy.may_record_audit(actor(role), lab_id, kind) is expected
    assert policy.may_edit_audit(actor(role), audit(kind, own)) is expected


@pytest.mark.parametrize("role", ROLES)
def test_the_kinds_offered_and_whether_a_lab_is_chosen(role):
    assert set(policy.audit_kinds(actor(role))) == RECORDS[role]
    assert policy.may_record_audits(actor(role)) is bool(RECORDS[role])
    assert policy.records_for_own_lab_only(actor(role)) is (role == "lab_manager")
    assert policy.home_lab(actor(role)) == (OWN if role == "lab_manager" else None)


@pytest.mark.parametrize(("role", "kind", "own"), list(itertools.product(ROLES, list(AuditKind), OWNERSHIP)))
def test_who_raises_and_corrects_findings_in_which_audits(role, kind, own):
    expected = kind in RECORDS[role] and sees_as(role, own)
    assert policy.may_raise_finding(actor(role), audit(kind, own)) is expected
    assert policy.may_edit_finding(actor(role), finding(own=own, kind=kind)) is expected


@pytest.mark.parametrize("role", ROLES)
def test_findings_of_comparison_rounds_are_corrected_by_the_bureau(role):
    assert policy.may_edit_finding(actor(role), finding(from_round=True)) is (role in ("admin", "inspector"))


@pytest.mark.parametrize("state", list(State))
def test_only_open_findings_are_editable(state):
    assert policy.editable(finding(state)) is (state == State.OPEN)


@pytest.mark.parametrize(
    ("lead_role", "lead_lab", "kind", "expected"),
    [
        ("inspector", None, AuditKind.FLIGHT_CHECK, True),
        ("quality", None, AuditKind.SUPERVISION_VISIT, True),
        ("admin", None, AuditKind.SELF_INSPECTION, True),
        ("lab_manager", OWN, AuditKind.SELF_INSPECTION, True),
        ("lab_manager", OWN, AuditKind.INTERNAL_AUDIT, True),
        ("lab_manager", OWN, AuditKind.FLIGHT_CHECK, False),  # the bureau leads its own checks
        ("lab_manager", OTHER, AuditKind.SELF_INSPECTION, False),  # nobody leads another lab's
        ("viewer", None, AuditKind.FLIGHT_CHECK, False),
    ],
)
def test_who_may_lead_an_audit(lead_role, lead_lab, kind, expected):
    lead = SimpleNamespace(role=lead_role, lab_id=lead_lab, id=3, active=True)
    assert policy.may_lead(lead, OWN, kind) is expected
    lead.active = False
    assert policy.may_lead(lead, OWN, kind) is False
    assert policy.may_lead(None, OWN, kind) is False


# --- rectification -----------------------------------------------------------------------------

STEP_CASES = [(role, step, own) for role in ROLES for step in workflow.TRANSITIONS for own in OWNERSHIP]


@pytest.mark.parametrize(("role", "step", "own"), STEP_CASES, ids=lambda v: getattr(v, "name", str(v)))
def test_who_takes_which_step_on_whose_finding(role, step, own):
    f = finding(step.source, own)
    expected = role in BY_ROLE[(step.source, step.target)] and sees_as(role, own)
    assert policy.may_take(actor(role), f, step) is expected
    assert (step in policy.steps(actor(role), f)) is expected


@pytest.mark.parametrize(("role", "state"), list(itertools.product(ROLES, list(State))))
def test_a_step_from_another_state_is_never_offered(role, state):
    f = finding(state)
    for step in workflow.TRANSITIONS:
        if step.source != state:
            assert not policy.may_take(actor(role), f, step)


@pytest.mark.parametrize("own", OWNERSHIP)
def test_a_lab_manager_never_accepts_or_closes_even_their_own_labs_self_inspection_findings(own):
    manager = actor("lab_manager")
    for state in (State.PLAN_SUBMITTED, State.EVIDENCE_SUBMITTED, State.CLOSED):
        f = finding(state, own=own, kind=AuditKind.SELF_INSPECTION)
        assert [s.name for s in policy.steps(manager, f)] == []
    assert not policy.may_extend(manager, finding(State.OPEN, own=own, kind=AuditKind.SELF_INSPECTION))


@pytest.mark.parametrize(("role", "state", "own"), list(itertools.product(ROLES, list(State), OWNERSHIP)))
def test_who_extends_deadlines(role, state, own):
    expected = role in ("quality", "admin") and state in workflow.ACTIVE_STATES
    assert policy.may_extend(actor(role), finding(state, own)) is expected
    assert policy.may_extend_deadlines(actor(role)) is (role in ("quality", "admin"))


# Attaching files outside a step: the bureau while the finding is active; the laboratory while it
# is active and not waiting for the bureau's answer; viewers never.
ATTACH = {
    "admin": workflow.ACTIVE_STATES,
    "quality": workflow.ACTIVE_STATES,
    "inspector": workflow.ACTIVE_STATES,
    "lab_manager": {State.OPEN, State.PLAN_ACCEPTED},
    "viewer": set(),
}
STAGES = {  # the stage of a file attached in each state, by the bureau and by the laboratory
    State.OPEN: ("finding", "plan"),
    State.PLAN_SUBMITTED: ("verification", "plan"),
    State.PLAN_ACCEPTED: ("finding", "evidence"),
    State.EVIDENCE_SUBMITTED: ("verification", "plan"),
}


@pytest.mark.parametrize(("role", "state", "own"), list(itertools.product(ROLES, list(State), OWNERSHIP)))
def test_who_attaches_files_and_at_which_stage(role, state, own):
    f = finding(state, own)
    assert policy.may_attach(actor(role), f) is (state in ATTACH[role] and sees_as(role, own))
    if state in STAGES and role != "viewer":
        bureau, lab = STAGES[state]
        assert policy.upload_stage(actor(role), f) == (lab if role == "lab_manager" else bureau)


@pytest.mark.parametrize(
    ("role", "queue", "overview", "figures"),
    [
        ("admin", "verify", True, True),
        ("quality", "verify", True, True),
        ("inspector", "verify", False, True),
        ("lab_manager", "lab", False, True),
        ("viewer", None, False, True),
    ],
)
def test_work_queues_and_figures(role, queue, overview, figures):
    assert policy.queue_kind(actor(role)) == queue
    assert policy.sees_overview(actor(role)) is overview
    assert policy.sees_figures(actor(role)) is figures
