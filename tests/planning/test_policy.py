"""The planning policy as a table: role x state x ownership -> may / sees (pure: no database)."""

from types import SimpleNamespace

import pytest

from labtrack.auth.permissions import Role
from labtrack.planning import policy
from labtrack.planning.values import PlanStatus, SanctionKind

OWN, OTHER = 1, 2


def actor(role):
    if role is None:
        return None  # the system (command line, demo, schedule)
    return SimpleNamespace(role=role, id=10, lab_id=OWN if role == Role.LAB_MANAGER else None)


def plan(status=PlanStatus.DRAFT, published=False, draw_published=False):
    return SimpleNamespace(
        status=status,
        published_on="2010-01-01" if published else None,
        draw_published_on="2010-12-01" if draw_published else None,
    )


def sanction(kind=SanctionKind.SUSPENSION, lab_id=OWN, ended=False):
    return SimpleNamespace(kind=kind, lab_id=lab_id, ended_on="2010-09-01" if ended else None)


ROLES = [Role.ADMIN, Role.QUALITY, Role.INSPECTOR, Role.VIEWER, Role.LAB_MANAGER, None]
A, Q, N, V, M, S = ROLES  # N: an inspector


@pytest.mark.parametrize(
    "role, lab, expected",
    [(r, OWN, True) for r in ROLES]
    + [
        (A, OTHER, True),
        (Q, OTHER, True),
        (N, OTHER, True),
        (V, OTHER, True),
        (M, OTHER, False),
        (S, OTHER, True),
    ],
)
def test_who_sees_a_labs_grade(role, lab, expected):
    assert policy.sees_grade(actor(role), lab) is expected


@pytest.mark.parametrize(
    "role, expected", [(A, True), (Q, True), (N, False), (V, False), (M, False), (S, True)]
)
def test_who_grades(role, expected):
    assert policy.may_grade(actor(role)) is expected


# plan state: (status, published, draw published)
DRAFT = plan()
PUBLISHED_DRAFT = plan(published=True)
DRAWN = plan(PlanStatus.DRAWN)
DRAWN_PUBLISHED = plan(PlanStatus.DRAWN, published=True)
ALL_PUBLIC = plan(PlanStatus.DRAWN, published=True, draw_published=True)


@pytest.mark.parametrize(
    "role, the_plan, sees, sees_draw, sees_inputs",
    [
        (Q, DRAFT, True, True, True),
        (N, DRAFT, True, True, True),
        (V, DRAWN, True, True, True),
        (M, DRAFT, False, False, False),
        (M, DRAWN, False, False, False),
        (M, DRAWN_PUBLISHED, True, False, False),
        (M, ALL_PUBLIC, True, True, False),
    ],
)
def test_who_sees_plans_draws_and_their_inputs(role, the_plan, sees, sees_draw, sees_inputs):
    who = actor(role)
    assert (
        policy.sees_plan(who, the_plan),
        policy.sees_draw(who, the_plan),
        policy.sees_draw_inputs(who, the_plan),
    ) == (
        sees,
        sees_draw,
        sees_inputs,
    )


@pytest.mark.parametrize(
    "role, the_plan, edit, draw, publish_plan, publish_draw, swap",
    [
        (Q, DRAFT, True, True, True, False, False),
        (Q, PUBLISHED_DRAFT, False, True, False, False, False),
        (Q, DRAWN, False, False, True, False, True),
        (Q, DRAWN_PUBLISHED, False, False, False, True, True),
        (Q, ALL_PUBLIC, False, False, False, False, True),
        (A, DRAFT, True, True, True, False, False),
        (S, DRAFT, True, True, True, False, False),
        (N, DRAFT, False, False, False, False, False),
        (V, DRAWN_PUBLISHED, False, False, False, False, False),
        (M, DRAFT, False, False, False, False, False),
    ],
)
def test_who_changes_draws_publishes_and_swaps(role, the_plan, edit, draw, publish_plan, publish_draw, swap):
    who = actor(role)
    assert (
        policy.may_edit_plan(who, the_plan),
        policy.may_draw(who, the_plan),
        policy.may_publish_plan(who, the_plan),
        policy.may_publish_draw(who, the_plan),
        policy.may_swap(who, the_plan),
    ) == (edit, draw, publish_plan, publish_draw, swap)


@pytest.mark.parametrize(
    "role, the_sanction, sees, lifts",
    [
        (Q, sanction(), True, True),
        (A, sanction(lab_id=OTHER), True, True),
        (Q, sanction(ended=True), True, False),
        (Q, sanction(SanctionKind.REVOCATION), True, False),
        (Q, sanction(SanctionKind.CANCELLATION), True, False),
        (Q, sanction(SanctionKind.DEADLINE_RECTIFICATION), True, True),
        (N, sanction(), True, False),
        (V, sanction(lab_id=OTHER), True, False),
        (M, sanction(), True, False),
        (M, sanction(lab_id=OTHER), False, False),
        (S, sanction(), True, True),
    ],
)
def test_who_sees_and_lifts_sanctions(role, the_sanction, sees, lifts):
    who = actor(role)
    assert (policy.sees_sanction(who, the_sanction), policy.may_lift(who, the_sanction)) == (sees, lifts)


@pytest.mark.parametrize(
    "role, expected", [(A, True), (Q, True), (N, False), (V, False), (M, False), (S, True)]
)
def test_who_imposes(role, expected):
    assert policy.may_impose(actor(role)) is expected


@pytest.mark.parametrize(
    "role, active, expected",
    [
        (Role.INSPECTOR, True, True),
        (Role.INSPECTOR, False, False),
        (Role.QUALITY, True, False),
        (Role.ADMIN, True, False),
    ],
)
def test_who_may_be_drawn(role, active, expected):
    assert policy.may_be_drawn(SimpleNamespace(role=role, active=active)) is expected


def test_lab_managers_are_narrowed_to_their_lab():
    from sqlalchemy import column, select

    stmt = policy.narrow_labs(select(column("x")), column("lab_id"), actor(M))
    assert "lab_id = :lab_id_1" in str(stmt)
    assert policy.narrow_labs(select(column("x")), column("lab_id"), actor(V)) is not stmt
    assert "WHERE" not in str(policy.narrow_labs(select(column("x")), column("lab_id"), actor(V)))
