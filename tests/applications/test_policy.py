"""The applications policy and state table as tables: role x status x ownership -> may (pure: no
database), and the working-day arithmetic with worked dates."""

from datetime import date
from types import SimpleNamespace

import pytest

from labtrack.applications import policy, workflow
from labtrack.applications.values import Kind, Status
from labtrack.applications.workdays import MissingYear, WorkingCalendar, clock_state
from labtrack.auth.permissions import ROLE_PERMISSIONS, Perm, Role

OWN, OTHER = 1, 2
ROLES = [Role.ADMIN, Role.QUALITY, Role.INSPECTOR, Role.VIEWER, Role.LAB_MANAGER, None]
A, Q, N, V, M, S = ROLES  # N: an inspector; S: the system


def actor(role, user_id=10):
    if role is None:
        return None
    return SimpleNamespace(
        role=role, id=user_id, lab_id=OWN if role == Role.LAB_MANAGER else None, active=True
    )


def application(status=Status.DRAFT, lab_id=OWN, kind=Kind.EXTENSION, submitted=False, decision=None):
    return SimpleNamespace(
        status=status,
        lab_id=lab_id,
        lab=SimpleNamespace(id=lab_id),
        kind=kind,
        first_submitted_on=date(2010, 9, 1) if submitted else None,
        decision=decision,
        ready_on=None,
    )


@pytest.mark.parametrize(
    "role, lab, expected",
    [(r, OWN, True) for r in ROLES]
    + [(A, OTHER, True), (Q, OTHER, True), (N, OTHER, True), (V, OTHER, True), (M, OTHER, False)],
)
def test_who_sees_an_application(role, lab, expected):
    assert policy.sees(actor(role), application(lab_id=lab)) is expected


@pytest.mark.parametrize(
    "role, lab, status, expected",
    [
        (M, OWN, Status.DRAFT, True),
        (M, OWN, Status.RETURNED, True),
        (M, OWN, Status.SUBMITTED, False),
        (M, OWN, Status.REVIEW, False),
        (M, OTHER, Status.DRAFT, False),
        (A, OTHER, Status.DRAFT, True),
        (Q, OWN, Status.DRAFT, False),
        (N, OWN, Status.DRAFT, False),
        (V, OWN, Status.DRAFT, False),
        (S, OWN, Status.RETURNED, True),
    ],
)
def test_who_edits_and_submits(role, lab, status, expected):
    record = application(status=status, lab_id=lab)
    assert policy.may_edit(actor(role), record) is expected
    assert policy.may_submit(actor(role), record) is expected


@pytest.mark.parametrize(
    "role, submitted, expected", [(M, False, True), (M, True, False), (A, False, True), (Q, False, False)]
)
def test_only_a_never_submitted_draft_is_deleted(role, submitted, expected):
    assert policy.may_delete(actor(role), application(submitted=submitted)) is expected


DIVISION_STEPS = [
    (policy.may_accept, Status.SUBMITTED),
    (policy.may_return, Status.SUBMITTED),
    (policy.may_review, Status.ACCEPTED),
    (policy.may_assess, Status.REVIEW),
    (policy.may_complete_assessment, Status.ASSESSMENT),
]


@pytest.mark.parametrize("may, status", DIVISION_STEPS, ids=lambda x: getattr(x, "__name__", str(x)))
@pytest.mark.parametrize(
    "role, expected", [(A, True), (Q, True), (N, False), (V, False), (M, False), (S, True)]
)
def test_the_division_takes_its_steps_in_their_status_only(may, status, role, expected):
    assert may(actor(role), application(status=status)) is expected
    assert may(actor(role), application(status=Status.DRAFT)) is False


@pytest.mark.parametrize(
    "kind, status, expected",
    [
        (Kind.EXTENSION, Status.RECTIFICATION, True),
        (Kind.EXTENSION, Status.REVIEW, False),  # assessed kinds wait for the assessment
        (Kind.REDUCTION, Status.REVIEW, True),  # decided on the documents
        (Kind.CHANGE, Status.REVIEW, True),
        (Kind.RENEWAL, Status.ASSESSMENT, False),
        (Kind.INITIAL, Status.DECIDED, False),
    ],
)
def test_when_an_application_may_be_decided(kind, status, expected):
    assert policy.may_decide(actor(Q), application(status=status, kind=kind)) is expected


@pytest.mark.parametrize("team, expected", [((), True), ((11,), True), ((10,), False), ((10, 11), False)])
def test_nobody_on_the_assessment_team_decides(team, expected):
    assert policy.may_decide(actor(Q, user_id=10), application(status=Status.RECTIFICATION), team) is expected


@pytest.mark.parametrize(
    "decision, expected", [("granted", True), ("partial", True), ("refused", False), (None, False)]
)
def test_a_certificate_follows_a_decision_that_granted(decision, expected):
    assert policy.may_certify(actor(Q), application(status=Status.DECIDED, decision=decision)) is expected


@pytest.mark.parametrize(
    "role, on_team, status, expected",
    [
        (N, True, Status.ASSESSMENT, True),
        (N, True, Status.RECTIFICATION, True),
        (N, False, Status.ASSESSMENT, False),
        (N, True, Status.REVIEW, False),
        (Q, True, Status.ASSESSMENT, False),  # quality does not raise findings (FINDINGS_EDIT)
    ],
)
def test_team_members_who_raise_findings_raise_the_assessments(role, on_team, status, expected):
    who = actor(role)
    assert policy.may_raise_finding(who, application(status=status), (10,) if on_team else ()) is expected


@pytest.mark.parametrize(
    "role, expected", [(A, True), (Q, False), (N, False), (V, False), (M, False), (S, True)]
)
def test_administrators_edit_the_working_calendar(role, expected):
    assert policy.may_edit_calendar(actor(role)) is expected
    assert policy.sees_calendar(actor(role)) is True


# --- the state table ---------------------------------------------------------------------------

LAB = ROLE_PERMISSIONS[Role.LAB_MANAGER]
DIV = ROLE_PERMISSIONS[Role.QUALITY]


@pytest.mark.parametrize(
    "current, target, kind, perms, answer",
    [
        ("draft", "submitted", "extension", LAB, "submit"),
        ("returned", "submitted", "extension", LAB, "submit"),
        ("draft", "submitted", "extension", DIV, "permission"),
        ("submitted", "accepted", "extension", DIV, "accept"),
        ("submitted", "returned", "extension", DIV, "return"),
        ("submitted", "accepted", "extension", LAB, "permission"),
        ("accepted", "review", "initial", DIV, "review"),
        ("review", "assessment", "renewal", DIV, "assess"),
        ("review", "assessment", "reduction", DIV, "state"),
        ("review", "decided", "change", DIV, "decide"),
        ("review", "decided", "extension", DIV, "state"),
        ("assessment", "rectification", "extension", DIV, "complete_assessment"),
        ("rectification", "decided", "initial", DIV, "decide"),
        ("decided", "certified", "extension", DIV, "certify"),
        ("certified", "decided", "extension", DIV, "state"),
        ("draft", "accepted", "extension", DIV, "state"),
    ],
)
def test_the_state_table(current, target, kind, perms, answer):
    try:
        assert workflow.resolve(current, target, kind, perms).name == answer
    except workflow.Refused as refused:
        assert refused.kind == answer


def test_what_each_side_is_offered():
    assert [t.target for t in workflow.available("review", "extension", DIV)] == [Status.ASSESSMENT]
    assert [t.target for t in workflow.available("review", "reduction", DIV)] == [Status.DECIDED]
    assert workflow.available("submitted", "extension", {Perm.APPLICATIONS_SUBMIT}) == []


# --- working days ------------------------------------------------------------------------------

CAL_2010 = WorkingCalendar.of(
    [2010],
    holidays=[date(2010, 9, d) for d in (22, 23, 24)] + [date(2010, 10, d) for d in range(1, 8)],
    workdays=[date(2010, 9, 19), date(2010, 9, 25), date(2010, 9, 26), date(2010, 10, 9)],
)


@pytest.mark.parametrize(
    "start, days, due",
    [
        (date(2010, 9, 1), 0, date(2010, 9, 1)),
        (date(2010, 9, 1), 5, date(2010, 9, 8)),  # Wed -> the next Wed (a weekend between)
        (date(2010, 9, 17), 5, date(2010, 9, 26)),  # Sun 19, Mon 20, Tue 21, Sat 25, Sun 26
        (date(2010, 9, 30), 5, date(2010, 10, 13)),  # over National Day, Sat 9 Oct worked
        (date(2010, 9, 30), 20, date(2010, 11, 3)),
    ],
)
def test_due_dates_in_working_days(start, days, due):
    assert CAL_2010.add(start, days) == due


@pytest.mark.parametrize(
    "start, end, taken",
    [
        (date(2010, 9, 17), date(2010, 9, 17), 0),
        (date(2010, 9, 17), date(2010, 9, 27), 6),
        (date(2010, 9, 30), date(2010, 10, 8), 1),
        (date(2010, 10, 1), date(2010, 10, 7), 0),
    ],
)
def test_working_days_taken(start, end, taken):
    assert CAL_2010.between(start, end) == taken


def test_a_count_into_a_year_not_set_up_says_which():
    with pytest.raises(MissingYear) as missing:
        CAL_2010.add(date(2010, 12, 28), 5)
    assert missing.value.year == 2011
    state = clock_state(CAL_2010, date(2010, 12, 28), 5, date(2010, 12, 29))
    assert state["missing_year"] == 2011 and state["due_on"] is None and state["taken"] == 1


def test_a_clock_state_on_a_day():
    running = clock_state(CAL_2010, date(2010, 9, 17), 5, date(2010, 9, 21))
    assert (running["taken"], running["due_on"], running["left"], running["overdue"]) == (
        3,
        date(2010, 9, 26),
        2,
        False,
    )
    late = clock_state(CAL_2010, date(2010, 9, 17), 5, date(2010, 9, 27))
    assert late["overdue"] is True
    stopped = clock_state(CAL_2010, date(2010, 9, 17), 5, date(2010, 9, 30), stopped_on=date(2010, 9, 21))
    assert (stopped["taken"], stopped["on_time"]) == (3, True)
