"""Whose side each step is, as the pages offer them and the services refuse them: the steps offered
to each person at each status, the refusal a reader meets, the system (the command line, the demo)
deciding without a signature, and which applications wait for whom."""

from datetime import date

import pytest

from labtrack.applications import policy, service, steps
from labtrack.services import Forbidden, NotFound
from tests.applications.conftest import NEW_ITEMS
from tests.factories import PASSWORD


def _draft(world):
    return service.create({"kind": "extension", "items": NEW_ITEMS}, world.users["manager"])


def _to(application, world, *targets, start=date(2010, 9, 1)):
    """Take the steps to these targets, each by the side whose step it is."""
    q = world.users["quality"]
    data = {"assessment": {"lead": "i-1"}, "decided": {"password": PASSWORD}}
    for to in targets:
        actor = world.users["manager"] if to == "submitted" else q
        steps.transition(application, to, data.get(to, {}), actor, on=start)
    return application


@pytest.mark.parametrize(
    "targets, who, offered",
    [
        ((), "manager", ["submitted"]),
        ((), "quality", []),
        ((), "admin", ["submitted"]),
        ((), "viewer", []),
        ((), "other-manager", []),
        (("submitted",), "quality", ["accepted", "returned"]),
        (("submitted",), "manager", []),
        (("submitted", "accepted"), "quality", ["review"]),
        (("submitted", "accepted", "review"), "quality", ["assessment"]),
        (("submitted", "accepted", "review", "assessment"), "quality", ["rectification"]),
        (("submitted", "accepted", "review", "assessment", "rectification"), "quality", ["decided"]),
        (
            ("submitted", "accepted", "review", "assessment", "rectification", "decided"),
            "quality",
            ["certified"],
        ),
        (("submitted", "accepted", "review", "assessment", "rectification", "decided"), "i-1", []),
    ],
)
def test_the_steps_offered_to_each_person(world, targets, who, offered):
    application = _to(_draft(world), world, *targets)
    assert steps.available_steps(world.users[who], application) == offered


def test_a_document_only_change_is_offered_the_decision_straight_after_review(world):
    application = service.create({"kind": "change", "items": [{"item_code": "F-1"}]}, world.users["manager"])
    _to(application, world, "submitted", "accepted", "review")
    assert steps.available_steps(world.users["quality"], application) == ["decided"]


def test_a_reader_is_told_whose_step_it_is(world):
    application = _draft(world)
    with pytest.raises(Forbidden) as refused:
        steps.transition(application, "submitted", {}, world.users["viewer"], on=date(2010, 9, 1))
    assert refused.value.message == "Only the laboratory submits its application."
    _to(application, world, "submitted")
    with pytest.raises(Forbidden) as refused:
        steps.transition(application, "accepted", {}, world.users["i-1"], on=date(2010, 9, 2))
    assert (
        refused.value.message
        == "Only the accreditation division accepts, reviews, assesses, decides and certifies."
    )
    with pytest.raises(NotFound):
        steps.transition(application, "accepted", {}, world.users["other-manager"], on=date(2010, 9, 2))


def test_the_system_decides_without_a_signature(world):
    application = _to(_draft(world), world, "submitted", "accepted", "review", "assessment", "rectification")
    steps.transition(application, "decided", {}, None, on=date(2010, 9, 2))
    assert (application.decision, application.decided_by_id) == ("granted", None)
    assert application.signed_at is not None and application.steps[-1].actor_id is None


def test_which_applications_wait_for_whom(world):
    manager, q, viewer = world.users["manager"], world.users["quality"], world.users["viewer"]
    application = _draft(world)
    assert policy.waits_for(manager, application) and not policy.waits_for(q, application)
    _to(application, world, "submitted")
    assert policy.waits_for(q, application) and not policy.waits_for(manager, application)
    assert not policy.waits_for(viewer, application)
    steps.transition(application, "returned", {"reasons": "缺页"}, q, on=date(2010, 9, 2))
    assert policy.waits_for(manager, application) and not policy.waits_for(q, application)
    _to(
        application,
        world,
        "submitted",
        "accepted",
        "review",
        "assessment",
        "rectification",
        start=date(2010, 9, 3),
    )
    # no finding: ready for decision at once, so it waits for the division
    assert application.ready_on is not None and policy.waits_for(q, application)
    _to(application, world, "decided", start=date(2010, 9, 6))
    assert policy.waits_for(q, application)  # the certificate
    _to(application, world, "certified", start=date(2010, 9, 7))
    assert not policy.waits_for(q, application) and not policy.waits_for(manager, application)
