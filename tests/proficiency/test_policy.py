"""The proficiency policy as a table: role x round status x ownership, read straight from DESIGN.

Actors: the four bureau roles, the manager of a lab invited to the round ("own manager") and the
manager of a lab that is not ("outside manager"). Ownership: a result of the own manager's lab
(OWN) or of another invited lab (OTHER). Each row is a predicate's answer over the statuses
planned, open, closed, evaluated, published (Y = yes, . = no).
"""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.proficiency import policy
from labtrack.proficiency.models import Result, Round, RoundStatus
from tests import factories as f

OWN, OTHER, OUTSIDE = 1, 2, 3
STATUSES = [s.value for s in RoundStatus]
assert STATUSES == ["planned", "open", "closed", "evaluated", "published"]

ACTORS = {
    "admin": SimpleNamespace(role=Role.ADMIN, lab_id=None),
    "quality": SimpleNamespace(role=Role.QUALITY, lab_id=None),
    "inspector": SimpleNamespace(role=Role.INSPECTOR, lab_id=None),
    "viewer": SimpleNamespace(role=Role.VIEWER, lab_id=None),
    "own manager": SimpleNamespace(role=Role.LAB_MANAGER, lab_id=OWN),
    "outside manager": SimpleNamespace(role=Role.LAB_MANAGER, lab_id=OUTSIDE),
}


def _round(status: str) -> tuple[Round, Result, Result]:
    """A round in `status` with labs OWN and OTHER invited, and a result of each (plain objects)."""
    rnd = SimpleNamespace(
        status=RoundStatus(status), participants=[SimpleNamespace(lab_id=OWN), SimpleNamespace(lab_id=OTHER)]
    )
    own = SimpleNamespace(round=rnd, lab_id=OWN)
    other = SimpleNamespace(round=rnd, lab_id=OTHER)
    return rnd, own, other


TABLE = {
    # who sees the round at all (a lab manager: invited, and not while planned)
    "sees_round": {
        "admin": "YYYYY", "quality": "YYYYY", "inspector": "YYYYY", "viewer": "YYYYY",
        "own manager": ".YYYY", "outside manager": ".....",
    },
    # scores, grades, x_pt, u(x_pt), sigma_pt, evaluation, charts: before publication only managers of rounds
    "sees_scores": {
        "admin": "YYYYY", "quality": "YYYYY", "inspector": "....Y", "viewer": "....Y",
        "own manager": "....Y", "outside manager": ".....",
    },
    # the reported value of the own manager's lab
    "sees_result OWN": {
        "admin": "YYYYY", "quality": "YYYYY", "inspector": "YYYYY", "viewer": "YYYYY",
        "own manager": ".YYYY", "outside manager": ".....",
    },
    # another lab's reported value: a lab manager once published
    "sees_result OTHER": {
        "admin": "YYYYY", "quality": "YYYYY", "inspector": "YYYYY", "viewer": "YYYYY",
        "own manager": "....Y", "outside manager": ".....",
    },
    # which lab is behind the own lab's participant code
    "sees_identity OWN": {
        "admin": "YYYYY", "quality": "YYYYY", "inspector": "YYYYY", "viewer": "YYYYY",
        "own manager": "YYYYY", "outside manager": ".....",
    },
    # which lab is behind another lab's participant code: never for a lab manager
    "sees_identity OTHER": {
        "admin": "YYYYY", "quality": "YYYYY", "inspector": "YYYYY", "viewer": "YYYYY",
        "own manager": ".....", "outside manager": ".....",
    },
    # entering (or withdrawing) the own lab's result: while open, by RESULTS_ENTER, a manager its own
    "may_enter_result OWN": {
        "admin": ".Y...", "quality": ".Y...", "inspector": ".Y...", "viewer": ".....",
        "own manager": ".Y...", "outside manager": ".....",
    },
    "may_enter_result OTHER": {
        "admin": ".Y...", "quality": ".Y...", "inspector": ".Y...", "viewer": ".....",
        "own manager": ".....", "outside manager": ".....",
    },
    # a file of several labs' results: the bureau's staff who enter results
    "may_upload_results": {
        "admin": ".Y...", "quality": ".Y...", "inspector": ".Y...", "viewer": ".....",
        "own manager": ".....", "outside manager": ".....",
    },
    # the change log names x_pt and every lab: those who see both
    "sees_round_history": {
        "admin": "YYYYY", "quality": "YYYYY", "inspector": "....Y", "viewer": "....Y",
        "own manager": ".....", "outside manager": ".....",
    },
}  # fmt: skip

MANAGES = {"admin": True, "quality": True, "inspector": False, "viewer": False, "own manager": False,
           "outside manager": False}  # fmt: skip


def _answer(predicate: str, actor, status: str) -> bool:
    rnd, own, other = _round(status)
    name, _, whose = predicate.partition(" ")
    target = {"OWN": own, "OTHER": other}.get(whose)
    if name == "may_enter_result":
        return policy.may_enter_result(actor, rnd, target.lab_id)
    if name in ("sees_result", "sees_identity"):
        return getattr(policy, name)(actor, target)
    return getattr(policy, name)(actor, rnd)


CASES = [
    (predicate, who, status, row[i] == "Y")
    for predicate, rows in TABLE.items()
    for who, row in rows.items()
    for i, status in enumerate(STATUSES)
]


@pytest.mark.parametrize(("predicate", "who", "status", "expected"), CASES,
                         ids=[f"{p}-{w}-{s}" for p, w, s, _e in CASES])  # fmt: skip
def test_policy_table(predicate, who, status, expected):
    assert _answer(predicate, ACTORS[who], status) is expected


@pytest.mark.parametrize("who", ACTORS)
def test_who_manages_rounds(who):
    actor = ACTORS[who]
    assert policy.may_manage(actor) is MANAGES[who]
    assert policy.sees_pipeline(actor) is MANAGES[who]
    expected = ("evaluated", "published") if MANAGES[who] else ("published",)
    assert policy.scored_statuses(actor) == expected


@pytest.mark.parametrize("who", ACTORS)
def test_only_lab_managers_are_confined(who):
    confined = who.endswith("manager")
    assert policy.sees_every_identity(ACTORS[who]) is not confined
    assert (policy.shown_statuses(ACTORS[who]) is None) is not confined


@pytest.mark.parametrize("nobody", [None, SimpleNamespace(role="chairman", lab_id=None), SimpleNamespace()])
def test_no_role_sees_or_does_nothing(nobody):
    for status in STATUSES:
        rnd, own, other = _round(status)
        assert not policy.sees_round(nobody, rnd) and not policy.sees_scores(nobody, rnd)
        assert not policy.sees_result(nobody, own) and not policy.sees_identity(nobody, other)
        assert not policy.may_enter_result(nobody, rnd, OWN) and not policy.may_manage(nobody)


def test_a_manager_without_a_lab_sees_no_round():
    lost = SimpleNamespace(role=Role.LAB_MANAGER, lab_id=None)
    rnd, own, _other = _round("published")
    assert not policy.sees_round(lost, rnd) and not policy.sees_result(lost, own)


def test_an_uninvited_lab_cannot_enter_even_for_staff():
    rnd, _own, _other = _round("open")
    assert not policy.may_enter_result(ACTORS["quality"], rnd, OUTSIDE)


# --- the narrowing of queries agrees with sees_round ---------------------------------------------


def test_narrow_lists_exactly_the_rounds_sees_round_allows(app):
    own, other = f.LabFactory(code="N-OWN"), f.LabFactory(code="N-OTHER")
    for status in RoundStatus:
        for labs in ((own,), (other,), (own, other)):
            rnd = f.RoundFactory(
                status=status, code=f"N-{status.value}-{'-'.join(lab.code[2:] for lab in labs)}"
            )
            for n, lab in enumerate(labs, start=1):
                f.ParticipantFactory(round=rnd, lab=lab, participant_code=f"P{n:03d}")
    users = [
        f.UserFactory(role=Role.ADMIN),
        f.UserFactory(role=Role.QUALITY),
        f.UserFactory(role=Role.INSPECTOR),
        f.UserFactory(role=Role.VIEWER),
        f.UserFactory(role=Role.LAB_MANAGER, lab=own),
        f.UserFactory(role=Role.LAB_MANAGER, lab=f.LabFactory(code="N-NONE")),
    ]
    every = db.session.scalars(select(Round)).all()
    assert len(every) == 15
    for user in users:
        listed = set(db.session.scalars(policy.narrow(select(Round.code), user)))
        assert listed == {r.code for r in every if policy.sees_round(user, r)}, user.role
    manager = users[4]
    assert set(db.session.scalars(policy.narrow(select(Round.code), manager))) == {
        f"N-{s}-{labs}" for s in STATUSES[1:] for labs in ("OWN", "OWN-OTHER")
    }
