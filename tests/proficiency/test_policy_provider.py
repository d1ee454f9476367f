"""The provider's predicates as a table (role x round status x ownership), as in test_policy.py:
the items' studies, their dispatch and receipt. Y = yes, . = no over planned, open, closed,
evaluated, published."""

from types import SimpleNamespace

import pytest

from labtrack.proficiency import policy
from tests.proficiency.test_policy import ACTORS, OTHER, OWN, STATUSES, _round

BUREAU = ("admin", "quality")
TABLE = {
    # the homogeneity study: the quality department, before the round opens
    "may_record_homogeneity": {"admin": "Y....", "quality": "Y....", "inspector": ".....", "viewer": ".....",
                               "own manager": ".....", "outside manager": "....."},
    # the stability study: until the round is evaluated
    "may_record_stability": {"admin": "YYY..", "quality": "YYY..", "inspector": ".....", "viewer": ".....",
                             "own manager": ".....", "outside manager": "....."},
    # items sent: until the round closes
    "may_record_dispatch": {"admin": "YY...", "quality": "YY...", "inspector": ".....", "viewer": ".....",
                            "own manager": ".....", "outside manager": "....."},
    # an item received: the bureau (and those entering results) for any lab, a lab manager its own once open
    "may_record_receipt OWN": {"admin": "YY...", "quality": "YY...", "inspector": "YY...", "viewer": ".....",
                               "own manager": ".Y...", "outside manager": "....."},
    "may_record_receipt OTHER": {"admin": "YY...", "quality": "YY...", "inspector": "YY...", "viewer": ".....",
                                 "own manager": ".....", "outside manager": "....."},
    # the studies tell the assigned value: like the scores
    "sees_studies": {"admin": "YYYYY", "quality": "YYYYY", "inspector": "....Y", "viewer": "....Y",
                     "own manager": "....Y", "outside manager": "....."},
    # when a participant's item was sent and received: a lab manager its own
    "sees_dispatch OWN": {"admin": "YYYYY", "quality": "YYYYY", "inspector": "YYYYY", "viewer": "YYYYY",
                          "own manager": ".YYYY", "outside manager": "....."},
    "sees_dispatch OTHER": {"admin": "YYYYY", "quality": "YYYYY", "inspector": "YYYYY", "viewer": "YYYYY",
                            "own manager": ".....", "outside manager": "....."},
}  # fmt: skip


def _answer(predicate: str, actor, status: str) -> bool:
    rnd, _own, _other = _round(status)
    name, _, whose = predicate.partition(" ")
    lab_id = {"OWN": OWN, "OTHER": OTHER}.get(whose)
    if name == "may_record_receipt":
        return policy.may_record_receipt(actor, rnd, lab_id)
    if name == "sees_dispatch":
        return policy.sees_dispatch(actor, SimpleNamespace(round=rnd, lab_id=lab_id))
    return getattr(policy, name)(actor, rnd)


CASES = [
    (predicate, who, status, row[i] == "Y")
    for predicate, rows in TABLE.items()
    for who, row in rows.items()
    for i, status in enumerate(STATUSES)
]


@pytest.mark.parametrize(("predicate", "who", "status", "expected"), CASES,
                         ids=[f"{p}-{w}-{s}" for p, w, s, _e in CASES])  # fmt: skip
def test_provider_policy_table(predicate, who, status, expected):
    assert _answer(predicate, ACTORS[who], status) is expected
