"""The state tables of revisions and complaints (pure)."""

import pytest

from labtrack.records import workflow as w


@pytest.mark.parametrize(
    "status, to, step",
    [
        ("draft", "in_review", "submit"),
        ("in_review", "draft", "return"),
        ("in_review", "effective", "approve"),
        ("draft", "obsolete", "discard"),
        ("in_review", "obsolete", "discard"),
        ("draft", "effective", None),  # never approved without review
        ("effective", "effective", None),  # a second approval
        ("superseded", "effective", None),  # an old revision never comes back into force
        ("effective", "obsolete", None),  # withdrawal is the document's, not a step
        ("effective", "superseded", None),  # superseded only by the next approval
        ("obsolete", "draft", None),
    ],
)
def test_revision_steps(status, to, step):
    found = w.revision_step(status, to)
    assert (found.name if found else None) == step


def test_only_approval_needs_a_signature_and_return_and_discard_a_reason():
    assert [s.name for s in w.REVISION_STEPS if s.needs_password] == ["approve"]
    assert {s.name for s in w.REVISION_STEPS if "comment" in s.required} == {"return", "discard"}
    assert w.RevisionStatus.SUPERSEDED not in w.REVISION_TARGETS


@pytest.mark.parametrize(
    "status, to, step",
    [
        ("received", "acknowledged", "acknowledge"),
        ("acknowledged", "investigated", "investigate"),
        ("investigated", "answered", "answer"),
        ("received", "investigated", None),
        ("received", "answered", None),
        ("acknowledged", "answered", None),
        ("answered", "acknowledged", None),
    ],
)
def test_complaint_steps(status, to, step):
    found = w.complaint_step(status, to)
    assert (found.name if found else None) == step


def test_steps_offered_from_a_state():
    assert [s.name for s in w.revision_steps_from("in_review")] == ["return", "approve", "discard"]
    assert [s.name for s in w.complaint_steps_from("answered")] == []
