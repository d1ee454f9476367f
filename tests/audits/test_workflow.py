"""The pure state table: every state x every target x every set of permissions, allowed and refused."""

import itertools
from datetime import date

import pytest

from labtrack.audits import workflow
from labtrack.audits.workflow import State, resolve
from labtrack.auth.permissions import Perm

R, V, M = Perm.RECTIFY, Perm.VERIFY, Perm.FINDINGS_MANAGE

# DESIGN's table, written out by hand: (from, to) -> the permission the step needs.
EXPECTED = {
    (State.OPEN, State.PLAN_SUBMITTED): R,
    (State.PLAN_SUBMITTED, State.PLAN_ACCEPTED): V,
    (State.PLAN_SUBMITTED, State.OPEN): V,
    (State.PLAN_ACCEPTED, State.EVIDENCE_SUBMITTED): R,
    (State.EVIDENCE_SUBMITTED, State.CLOSED): V,
    (State.EVIDENCE_SUBMITTED, State.PLAN_ACCEPTED): V,
    (State.OPEN, State.CANCELLED): M,
    (State.PLAN_SUBMITTED, State.CANCELLED): M,
    (State.PLAN_ACCEPTED, State.CANCELLED): M,
    (State.EVIDENCE_SUBMITTED, State.CANCELLED): M,
    (State.CLOSED, State.OPEN): M,
}
HOLDINGS = [
    frozenset(),
    frozenset({R}),
    frozenset({V}),
    frozenset({M}),
    frozenset({V, M}),
    frozenset({R, V, M}),
]
CASES = list(itertools.product(list(State), list(State), HOLDINGS))


@pytest.mark.parametrize(("current", "target", "perms"), CASES)
def test_every_state_target_and_holding(current, target, perms):
    needed = EXPECTED.get((current, target))
    if needed is not None and needed in perms:
        step = resolve(current, target, perms)
        assert (step.source, step.target, step.permission) == (current, target, needed)
        return
    with pytest.raises(workflow.Refused) as refused:
        resolve(current, target, perms)
    can_ever_reach = any(t == target and p in perms for (_s, t), p in EXPECTED.items())
    expected_kind = "state" if can_ever_reach and needed is None else "permission"
    assert refused.value.kind == expected_kind
    if needed is not None:
        assert refused.value.needs == needed  # the service names what the step needs


def test_the_table_has_exactly_the_designed_rows_and_each_names_a_permission():
    assert {(t.source, t.target): t.permission for t in workflow.TRANSITIONS} == EXPECTED
    assert {R, V, M} == workflow.STEP_PERMISSIONS


@pytest.mark.parametrize("perms", HOLDINGS)
def test_available_lists_the_steps_open_to_a_holding(perms):
    for state in State:
        expected = {t for (s, t), p in EXPECTED.items() if s == state and p in perms}
        assert {t.target for t in workflow.available(state, perms)} == expected


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
    everything = frozenset(Perm)
    assert workflow.available(State.CANCELLED, everything) == []
    assert [t.name for t in workflow.available(State.CLOSED, everything)] == ["reopen"]


def test_step_named_finds_the_row_from_the_current_state():
    assert workflow.step_named("cancel", State.PLAN_ACCEPTED).source == State.PLAN_ACCEPTED
    assert workflow.step_named("close", State.OPEN) is None
    assert workflow.step_named("nonsense", State.OPEN) is None
    assert workflow.step_named("close", "no-such-state") is None


def test_overdue_definition():
    due, day = date(2010, 6, 9), date(2010, 6, 10)
    assert workflow.is_overdue("plan_accepted", due, day)
    assert not workflow.is_overdue("plan_accepted", due, due)
    assert not workflow.is_overdue("closed", due, day)
    assert not workflow.is_overdue("cancelled", due, day)


def test_deadlines_move_only_while_active_and_need_findings_manage():
    assert workflow.EXTEND_PERMISSION == M
    assert {s for s in State if workflow.extendable(s)} == workflow.ACTIVE_STATES
