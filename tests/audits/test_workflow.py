"""The pure state table: every state x every role x every target, allowed and refused."""

import itertools

import pytest

from labtrack.audits import workflow
from labtrack.audits.workflow import ROLES, State, resolve

# DESIGN's table, written out by hand: (from, to) -> roles allowed.
EXPECTED = {
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
CASES = list(itertools.product(list(State), list(State), ROLES))


@pytest.mark.parametrize(("current", "target", "role"), CASES)
def test_every_state_role_and_target(current, target, role):
    allowed = EXPECTED.get((current, target), set())
    if role in allowed:
        step = resolve(current, target, role)
        assert (step.source, step.target) == (current, target)
    else:
        with pytest.raises(workflow.Refused) as refused:
            resolve(current, target, role)
        can_ever_reach = any(t == target and role in roles for (_s, t), roles in EXPECTED.items())
        edge_exists = (current, target) in EXPECTED
        assert refused.value.kind == ("state" if can_ever_reach and not edge_exists else "role")


@pytest.mark.parametrize(("current", "target"), [k for k, v in EXPECTED.items() if "lab_manager" in v])
def test_lab_manager_of_another_lab_is_refused(current, target):
    assert resolve(current, target, "lab_manager", own_lab=True)
    with pytest.raises(workflow.Refused) as refused:
        resolve(current, target, "lab_manager", own_lab=False)
    assert refused.value.kind == "role"
    assert workflow.available(current, "lab_manager", own_lab=False) == []


def test_required_fields_per_step():
    by_name = {t.name: t for t in workflow.TRANSITIONS}
    assert set(by_name["submit_plan"].required) == {
        "root_cause",
        "root_cause_method",
        "correction",
        "occurs_elsewhere",
        "corrective_action",
        "action_owner",
        "action_target_on",
    }
    assert (
        by_name["submit_evidence"].required == ("evidence_text",) and by_name["submit_evidence"].needs_files
    )
    assert by_name["close"].needs_password and by_name["close"].required == ("effectiveness_review",)
    for name in ("reject_plan", "reject_evidence", "cancel", "reopen"):
        assert by_name[name].needs_comment


def test_closed_and_cancelled_are_final_except_reopen():
    assert workflow.available(State.CANCELLED, "admin") == []
    assert [t.name for t in workflow.available(State.CLOSED, "admin")] == ["reopen"]


def test_overdue_definition():
    from datetime import date

    due, day = date(2010, 6, 9), date(2010, 6, 10)
    assert workflow.is_overdue("plan_accepted", due, day)
    assert not workflow.is_overdue("plan_accepted", due, due)
    assert not workflow.is_overdue("closed", due, day)
    assert not workflow.is_overdue("cancelled", due, day)


@pytest.mark.parametrize("role", ROLES)
def test_extension_rule(role):
    for state in State:
        expected = role in ("quality", "admin") and state in workflow.ACTIVE_STATES
        assert workflow.can_extend(state, role) is expected
