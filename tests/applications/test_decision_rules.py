"""The decision on an application (DESIGN "Qualification applications"): how refused items are
named and kept with their reasons, a decision the lab's changed scope no longer allows, a renewal
that does not renew an item, the basis of a re-granted item, the clocks a decision stops and starts,
and the certificate's configurable validity. Dates are counted by hand on the 2010 calendar."""

from datetime import date

import pytest
from sqlalchemy import select

from labtrack.applications import service, steps
from labtrack.applications.models import Application
from labtrack.extensions import db
from labtrack.labs.models import Qualification
from labtrack.scope.models import ScopeEntry
from labtrack.services import Conflict, InvalidInput
from tests import factories as f
from tests.applications.conftest import NEW_ITEMS
from tests.factories import PASSWORD


def _entries(lab, code):
    stmt = select(ScopeEntry).where(ScopeEntry.lab_id == lab.id).order_by(ScopeEntry.id)
    return [e for e in db.session.scalars(stmt) if e.item.code == code]


def _ready(world, kind="extension", items=NEW_ITEMS, lab="SC-A"):
    """An application through its assessment with no finding: ready for decision on Fri 2010-10-08.
    Submitted Fri 17 Sep, accepted and reviewed Tue 21 Sep, team sent Mon 27 Sep."""
    who = world.users["manager"] if lab == "SC-A" else world.users["admin"]
    data = {"kind": kind, "items": items}
    if lab != "SC-A":
        data["lab_code"] = lab
    application = service.create(data, who)
    q = world.users["quality"]
    steps.transition(application, "submitted", {}, who, on=date(2010, 9, 17))
    steps.transition(application, "accepted", {}, q, on=date(2010, 9, 21))
    steps.transition(application, "review", {}, q, on=date(2010, 9, 21))
    steps.transition(application, "assessment", {"lead": "i-1"}, q, on=date(2010, 9, 27))
    steps.transition(application, "rectification", {}, q, on=date(2010, 10, 8))
    return application


def _decide(world, application, on=date(2010, 10, 12), **data):
    return steps.transition(
        application, "decided", {"password": PASSWORD, **data}, world.users["quality"], on=on
    )


def _item(application, code):
    return next(i for i in application.items if i.item_code == code)


# --- naming the refused items ----------------------------------------------------------------


def test_refusals_given_as_a_mapping_of_code_to_reason_are_kept_on_the_items(world):
    application = _ready(world)
    _decide(world, application, refused={"t-1": "无纺织品检测场地", "W-1": "浊度仪未检定"})
    assert application.decision == "partial"
    assert (_item(application, "T-1").outcome, _item(application, "T-1").reason) == (
        "refused",
        "无纺织品检测场地",
    )
    assert (_item(application, "W-1").outcome, _item(application, "W-1").reason) == (
        "refused",
        "浊度仪未检定",
    )
    assert (_item(application, "F-2").outcome, _item(application, "F-2").reason) == ("granted", None)
    assert [e.item.code for e in _entries(world.labs["SC-A"], "F-2")] == ["F-2"]
    assert _entries(world.labs["SC-A"], "T-1") == []


def test_a_refusal_may_name_the_item_by_its_id(world):
    application = _ready(world)
    water = _item(application, "W-1")
    _decide(world, application, refused=[{"item_id": water.id, "reason": "无检测能力"}])
    assert (water.outcome, water.reason) == ("refused", "无检测能力")
    assert application.decision == "partial"


@pytest.mark.parametrize(
    "refused, message",
    [
        ([{"item_code": "X-9", "reason": "x"}], "X-9 is not an item of this application."),
        ({"T-1": ""}, "T-1: give the reason for refusing it."),
        ([{"item_code": "T-1"}], "T-1: give the reason for refusing it."),
        (["T-1"], "Each refusal names an item and the reason."),
        ("T-1", "Each refusal names an item and the reason."),
    ],
)
def test_a_refusal_without_an_item_of_the_application_or_a_reason_is_named_and_nothing_decided(
    world, refused, message
):
    application = _ready(world)
    with pytest.raises(InvalidInput) as answer:
        _decide(world, application, refused=refused)
    assert message in answer.value.errors["refused"]
    db.session.expire_all()
    assert application.status == "rectification" and application.decision is None
    assert [i.outcome for i in application.items] == [None, None, None]
    assert _entries(world.labs["SC-A"], "F-2") == []


def test_refusing_every_item_refuses_the_application_and_starts_no_certificate_clock(world):
    application = _ready(world, items=[{"item_code": "F-2"}, {"item_code": "F-3"}])
    _decide(world, application, refused={"F-2": "能力不足", "F-3": "能力不足"})
    assert application.decision == "refused"
    assert [c.step for c in application.clocks if c.running] == []
    assert _entries(world.labs["SC-A"], "F-2") == [] and _entries(world.labs["SC-A"], "F-3") == []


def test_exclude_open_must_be_a_yes_or_no(world):
    application = _ready(world)
    with pytest.raises(InvalidInput) as answer:
        _decide(world, application, exclude_open="perhaps")
    assert "exclude_open" in answer.value.errors


def test_a_blank_password_asks_for_the_signature(world):
    application = _ready(world)
    with pytest.raises(InvalidInput) as answer:
        _decide(world, application, password="   ")
    assert answer.value.errors["password"] == ["Confirm with your password to sign the decision."]


def test_the_decision_note_is_kept_and_the_step_logged_with_its_signer(world):
    application = _ready(world)
    _decide(world, application, comment="评审组意见：符合要求")
    assert application.decision_note == "评审组意见：符合要求"
    last = application.steps[-1]
    assert (last.name, last.from_status, last.to_status, last.on) == (
        "decide",
        "rectification",
        "decided",
        date(2010, 10, 12),
    )
    assert last.actor_id == world.users["quality"].id


# --- the lab's scope changed meanwhile -------------------------------------------------------


def test_an_extension_item_the_lab_was_granted_meanwhile_must_be_refused_first(world):
    application = _ready(world)
    f.ScopeEntryFactory(lab=world.labs["SC-A"], item=world.items["F-2"], granted_on=date(2010, 10, 1))
    with pytest.raises(Conflict) as answer:
        _decide(world, application)
    assert "F-2 (held since 2010-10-01)" in answer.value.message
    db.session.expire_all()
    assert application.status == "rectification"
    _decide(world, application, refused={"F-2": "已于 2010-10-01 批准"})
    assert application.decision == "partial" and len(_entries(world.labs["SC-A"], "F-2")) == 1


def test_a_reduction_of_an_item_no_longer_held_must_be_refused_first(world):
    manager, q = world.users["manager"], world.users["quality"]
    f.ScopeEntryFactory(lab=world.labs["SC-A"], item=world.items["F-3"], granted_on=date(2009, 5, 1))
    application = service.create(
        {"kind": "reduction", "items": [{"item_code": "F-1"}, {"item_code": "F-3"}]}, manager
    )
    steps.transition(application, "submitted", {}, manager, on=date(2010, 9, 1))
    steps.transition(application, "accepted", {}, q, on=date(2010, 9, 2))
    steps.transition(application, "review", {}, q, on=date(2010, 9, 2))
    (held,) = _entries(world.labs["SC-A"], "F-3")
    held.withdrawn_on, held.withdrawal_reason = date(2010, 9, 3), "suspension"
    db.session.commit()
    with pytest.raises(Conflict) as answer:
        _decide(world, application, on=date(2010, 9, 6))
    assert "F-3 (not held)" in answer.value.message
    _decide(world, application, on=date(2010, 9, 6), refused={"F-3": "已暂停"})
    (entry,) = _entries(world.labs["SC-A"], "F-1")
    assert entry.withdrawn_on == date(2010, 9, 6)
    assert held.withdrawn_on == date(2010, 9, 3) and held.withdrawal_reason == "suspension"


# --- renewals and re-granted items -----------------------------------------------------------


def test_a_renewal_that_refuses_an_item_withdraws_it_on_the_decision_date(world):
    lab = world.labs["SC-B"]
    f.ScopeEntryFactory(lab=lab, item=world.items["F-2"], granted_on=date(2006, 4, 1))
    application = _ready(
        world, kind="renewal", items=[{"item_code": "F-1"}, {"item_code": "F-2"}], lab="SC-B"
    )
    _decide(world, application, refused={"F-2": "复评审不合格"})
    (kept,) = _entries(lab, "F-1")
    (dropped,) = _entries(lab, "F-2")
    assert (kept.granted_on, kept.withdrawn_on) == (date(2004, 10, 1), None)
    assert (dropped.withdrawn_on, dropped.withdrawal_reason) == (date(2010, 10, 12), "reduction")
    refused = _item(application, "F-2")
    assert (refused.outcome, refused.scope_entry_id) == ("refused", dropped.id)
    assert application.decision == "partial"


def test_an_item_held_before_and_given_up_is_granted_again_on_re_assessment(world):
    lab = world.labs["SC-A"]
    f.ScopeEntryFactory(
        lab=lab,
        item=world.items["T-1"],
        granted_on=date(2005, 1, 1),
        withdrawn_on=date(2009, 6, 1),
        withdrawal_reason="reduction",
    )
    application = _ready(world, items=[{"item_code": "T-1"}, {"item_code": "F-2"}])
    _decide(world, application)
    assert {i.item_code: i.basis for i in application.items} == {"T-1": "reassessment", "F-2": "extension"}
    old, new = _entries(lab, "T-1")
    assert old.withdrawn_on == date(2009, 6, 1)
    assert (new.granted_on, new.basis, new.withdrawn_on) == (date(2010, 10, 12), "reassessment", None)


# --- clocks around the decision --------------------------------------------------------------


def test_the_assessment_clock_runs_45_working_days_and_stops_when_the_assessment_is_complete(world):
    application = _ready(world)
    assessment_clock = next(c for c in application.clocks if c.step == "assessment")
    # 45 working days after Tue 21 Sep: Sat 25 and Sun 26 (make-up) 1-2, 27-30 Sep 3-6, 1-7 Oct
    # holiday, Fri 8 7, Sat 9 (make-up) 8, then five a week from Mon 11 Oct: 11-15 Oct 9-13, ...,
    # 22-26 Nov 39-43, Mon 29 Nov 44, Tue 30 Nov 45.
    assert assessment_clock.due_on == date(2010, 11, 30)
    # Completed Fri 8 Oct: 25, 26, 27, 28, 29, 30 Sep and 8 Oct.
    assert (assessment_clock.working_days, assessment_clock.on_time) == (7, True)


def test_the_decision_clock_is_due_20_working_days_after_the_application_is_ready(world):
    application = _ready(world)
    clock = next(c for c in application.clocks if c.step == "decision")
    # After Fri 8 Oct: Sat 9 (make-up) 1, 11-15 Oct 2-6, 18-22 Oct 7-11, 25-29 Oct 12-16,
    # Mon 1 to Thu 4 Nov 17-20.
    assert (clock.started_on, clock.due_on, clock.limit_days) == (date(2010, 10, 8), date(2010, 11, 4), 20)
    _decide(world, application, on=date(2010, 11, 5))
    assert (clock.working_days, clock.on_time) == (21, False)


def test_a_decision_that_grants_starts_the_certificate_clock(world):
    application = _ready(world)
    _decide(world, application)
    (clock,) = [c for c in application.clocks if c.running]
    # 10 working days after Tue 12 Oct: 13, 14, 15, 18, 19, 20, 21, 22, 25, 26 Oct.
    assert (clock.step, clock.started_on, clock.due_on) == (
        "certificate",
        date(2010, 10, 12),
        date(2010, 10, 26),
    )


def test_clock_limits_come_from_the_configuration(app, world):
    app.config["APPLICATION_CLOCK_LIMITS"] = {"acceptance": 2, "decision": None}
    application = service.create({"kind": "extension", "items": NEW_ITEMS}, world.users["manager"])
    steps.transition(application, "submitted", {}, world.users["manager"], on=date(2010, 9, 17))
    # 2 working days after Fri 17 Sep: Sun 19 (make-up), Mon 20.
    assert application.clocks[0].due_on == date(2010, 9, 20)
    application = _ready(world, items=[{"item_code": "F-3"}])
    decision_clock = next(c for c in application.clocks if c.step == "decision")
    assert (decision_clock.limit_days, decision_clock.due_on) == (None, None)


# --- the certificate -------------------------------------------------------------------------


def test_the_certificate_validity_comes_from_the_configuration(app, world):
    app.config["APPLICATION_CMA_VALID_YEARS"] = 3
    application = _ready(world, kind="renewal", items=[{"item_code": "F-1"}], lab="SC-B")
    _decide(world, application)
    steps.transition(
        application, "certified", {"certificate_no": "CMA-B-2"}, world.users["quality"], on=date(2010, 10, 14)
    )
    cert = db.session.get(Qualification, world.certs["SC-B"].id)
    assert (cert.certificate_no, cert.issued_on, cert.expires_on) == (
        "CMA-B-2",
        date(2010, 10, 14),
        date(2013, 10, 14),
    )
    assert (application.certificate_no, application.certificate_expires_on) == ("CMA-B-2", date(2013, 10, 14))


def test_an_extension_re_issues_the_annex_of_the_certificate_unchanged(world):
    application = _ready(world)
    _decide(world, application)
    steps.transition(application, "certified", {}, world.users["quality"], on=date(2010, 10, 14))
    cert = db.session.get(Qualification, world.certs["SC-A"].id)
    assert (cert.issued_on, cert.expires_on) == (date(2008, 3, 1), date(2014, 3, 1))
    assert application.certificate_expires_on == date(2014, 3, 1)
    (clock,) = [c for c in application.clocks if c.step == "certificate"]
    # After Tue 12 Oct: Wed 13, Thu 14.
    assert (clock.working_days, clock.on_time) == (2, True)


def test_no_certificate_to_re_issue_when_the_lab_holds_none_any_more(world):
    application = _ready(world)
    _decide(world, application)
    world.certs["SC-A"].status = "suspended"
    db.session.commit()
    with pytest.raises(Conflict) as answer:
        steps.transition(application, "certified", {}, world.users["quality"], on=date(2010, 10, 14))
    assert "SC-A holds no CMA certificate" in answer.value.message
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == "decided"


def test_the_certificate_step_is_the_divisions_and_only_after_a_decision(world):
    application = _ready(world)
    with pytest.raises(Conflict):
        steps.transition(application, "certified", {}, world.users["quality"], on=date(2010, 10, 12))
    _decide(world, application)
    from labtrack.services import Forbidden

    with pytest.raises(Forbidden):
        steps.transition(application, "certified", {}, world.users["manager"], on=date(2010, 10, 13))
    with pytest.raises(Forbidden):
        steps.transition(application, "certified", {}, world.users["i-2"], on=date(2010, 10, 13))
