"""Sending the assessment team, completing the assessment, and its findings (DESIGN "Qualification
applications": the assessment is an external_assessment audit; its findings get the rules'
deadline, 1 month for technical clauses 6 and 7, 2 months otherwise; the application waits for
them). Every refusal names its field and changes nothing."""

from datetime import date

import pytest
from sqlalchemy import func, select

from labtrack.applications import assessment, service, steps
from labtrack.audits import rectification
from labtrack.audits import service as audits_service
from labtrack.audits.models import Audit
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound
from tests import factories as f
from tests.applications.conftest import NEW_ITEMS
from tests.factories import PASSWORD


def _reviewed(world):
    """Submitted Fri 2010-09-17, accepted and under review from Tue 2010-09-21."""
    manager, q = world.users["manager"], world.users["quality"]
    application = service.create({"kind": "extension", "items": NEW_ITEMS}, manager)
    steps.transition(application, "submitted", {}, manager, on=date(2010, 9, 17))
    steps.transition(application, "accepted", {}, q, on=date(2010, 9, 21))
    steps.transition(application, "review", {}, q, on=date(2010, 9, 21))
    return application


def _assess(world, application, on=date(2010, 9, 27), **data):
    data.setdefault("lead", "i-1")
    return steps.transition(application, "assessment", data, world.users["quality"], on=on)


def _audits():
    return db.session.scalar(select(func.count()).select_from(Audit))


AREAS = {"6.4": "equipment_traceability", "7.5": "records", "8.3": "qms_documentation"}


def _finding(world, application, clause="6.4", items=(), raised_on="2010-09-28", who="i-1"):
    return assessment.raise_finding(
        application,
        {
            "severity": "minor",
            "area": AREAS[clause],
            "clause": clause,
            "description": "天平未经检定",
            "raised_on": raised_on,
            "item_ids": list(items),
        },
        world.users[who],
    )


# --- the team --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"lead": ""}, "lead", "This field is required."),
        ({"lead": "ghost"}, "lead", "ghost is not one of the bureau's active staff."),
        ({"lead": "manager-SC-A"}, "lead", "manager-SC-A is not one of the bureau's active staff."),
        ({"members": ["i-2", "viewer"]}, "members", "viewer is not one of the bureau's active staff."),
        ({"members": {"i-2": True}}, "members", "Must be a list of usernames."),
        (
            {"starts_on": "2010-09-20"},
            "starts_on",
            "The assessment cannot start before the application was accepted.",
        ),
        (
            {"starts_on": "2010-09-28", "ends_on": "2010-09-27"},
            "ends_on",
            "The assessment cannot end before it starts.",
        ),
        ({"starts_on": "28/09/2010"}, "starts_on", None),
    ],
)
def test_a_team_that_cannot_be_sent_is_named_and_nothing_is_recorded(world, data, field, message):
    application = _reviewed(world)
    with pytest.raises(InvalidInput) as answer:
        _assess(world, application, **data)
    assert field in answer.value.errors
    if message:
        assert message in answer.value.errors[field]
    db.session.expire_all()
    assert application.status == "review" and application.audit_id is None and application.assessors == []
    assert _audits() == 0


def test_an_inactive_inspector_is_not_sent(world):
    world.users["i-2"].active = False
    db.session.commit()
    application = _reviewed(world)
    with pytest.raises(InvalidInput) as answer:
        _assess(world, application, members=["i-2"])
    assert answer.value.errors["members"] == ["i-2 is not one of the bureau's active staff."]


def test_a_team_holds_at_most_ten_people(world):
    extra = [f.UserFactory(role=Role.INSPECTOR, username=f"x-{n}").username for n in range(10)]
    application = _reviewed(world)
    with pytest.raises(InvalidInput) as answer:
        _assess(world, application, members=extra)
    assert answer.value.errors["members"] == ["At most 10 people on a team."]
    _assess(world, application, members=extra[:9])
    assert len(application.assessors) == 10


def test_members_may_be_typed_in_one_line_and_are_counted_once(world):
    application = _reviewed(world)
    _assess(world, application, members="i-2; quality2, i-2, i-1")
    assert [(a.user.username, a.lead) for a in application.assessors] == [
        ("i-1", True),
        ("i-2", False),
        ("quality2", False),
    ]
    audit = db.session.get(Audit, application.audit_id)
    q2 = world.users["quality2"].full_name
    assert audit.team == f"Inspector One (i-1); Inspector Two (i-2); {q2} (quality2)"
    assert audit.lead_id == world.users["i-1"].id


def test_an_assessment_that_starts_later_is_planned_and_one_that_started_is_in_progress(world):
    application = _reviewed(world)
    _assess(world, application, on=date(2010, 9, 27), starts_on="2010-10-11", ends_on="2010-10-13")
    audit = db.session.get(Audit, application.audit_id)
    assert (audit.status, audit.started_on, audit.ended_on) == (
        "planned",
        date(2010, 10, 11),
        date(2010, 10, 13),
    )
    assert audit.kind == "external_assessment" and audit.lab_id == world.labs["SC-A"].id
    other = service.create({"kind": "extension", "items": [{"item_code": "F-3"}]}, world.users["manager"])
    steps.transition(other, "submitted", {}, world.users["manager"], on=date(2010, 9, 17))
    for to in ("accepted", "review"):
        steps.transition(other, to, {}, world.users["quality"], on=date(2010, 9, 21))
    _assess(world, other, on=date(2010, 9, 27))
    assert db.session.get(Audit, other.audit_id).status == "in_progress"


def test_document_only_kinds_are_never_sent_a_team(world):
    manager, q = world.users["manager"], world.users["quality"]
    application = service.create({"kind": "change", "items": [{"item_code": "F-1"}]}, manager)
    steps.transition(application, "submitted", {}, manager, on=date(2010, 9, 1))
    steps.transition(application, "accepted", {}, q, on=date(2010, 9, 2))
    # a change is decided on the documents: the decision clock starts at acceptance
    assert [c.step for c in application.clocks if c.running] == ["decision"]
    assert application.ready_on == date(2010, 9, 2)
    steps.transition(application, "review", {}, q, on=date(2010, 9, 2))
    with pytest.raises(Conflict):
        _assess(world, application, on=date(2010, 9, 3))


# --- completing the assessment ---------------------------------------------------------------


@pytest.mark.parametrize(
    "ended_on, message",
    [
        ("2010-09-26", "The assessment cannot end before it started (2010-09-27)."),
        ("2010-10-09", "The assessment cannot end after today."),
    ],
)
def test_the_assessment_cannot_end_outside_its_days(world, ended_on, message):
    application = _assess(world, _reviewed(world))
    with pytest.raises(InvalidInput) as answer:
        steps.transition(
            application, "rectification", {"ended_on": ended_on}, world.users["quality"], on=date(2010, 10, 8)
        )
    assert answer.value.errors["ended_on"] == [message]
    db.session.expire_all()
    assert application.status == "assessment" and application.assessed_on is None


def test_completing_the_assessment_completes_its_audit_with_the_summary(world):
    application = _assess(world, _reviewed(world))
    steps.transition(
        application,
        "rectification",
        {"ended_on": "2010-09-29", "summary": "现场评审三天，未发现不符合"},
        world.users["quality"],
        on=date(2010, 10, 8),
    )
    audit = db.session.get(Audit, application.audit_id)
    assert (audit.status, audit.ended_on, audit.summary) == (
        "completed",
        date(2010, 9, 29),
        "现场评审三天，未发现不符合",
    )
    assert application.assessed_on == date(2010, 10, 8)
    # no finding: ready at once; the rectification clock took no working day
    rect = next(c for c in application.clocks if c.step == "rectification")
    assert (rect.started_on, rect.stopped_on, rect.working_days) == (date(2010, 10, 8), date(2010, 10, 8), 0)


# --- findings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "clause, raised_on, due",
    [
        ("6.4", "2010-09-28", date(2010, 10, 28)),  # technical: 1 month
        ("7.5", "2010-12-31", date(2011, 1, 31)),
        ("8.3", "2010-12-31", date(2011, 2, 28)),  # other: 2 months, to the month's last day
        ("8.3", "2010-11-30", date(2011, 1, 30)),
    ],
)
def test_a_findings_deadline_follows_the_rules(world, clause, raised_on, due):
    application = _assess(world, _reviewed(world))
    finding = _finding(world, application, clause=clause, raised_on=raised_on)
    assert finding.due_on == due and finding.audit_id == application.audit_id


def test_a_finding_raised_through_the_audits_gets_the_rules_deadline_unless_given_by_hand(world):
    application = _assess(world, _reviewed(world))
    audit = db.session.get(Audit, application.audit_id)
    data = {"severity": "major", "area": "qms_documentation", "clause": "8.3", "description": "文件未受控"}
    by_default = audits_service.raise_finding(audit, {**data, "raised_on": "2010-09-28"}, world.users["i-1"])
    # the audits' default would be 30 days for a major finding (2010-10-28); the rules give 2 months
    assert by_default.due_on == date(2010, 11, 28)
    by_hand = audits_service.raise_finding(
        audit, {**data, "raised_on": "2010-09-28", "due_on": "2010-10-15"}, world.users["i-1"]
    )
    assert by_hand.due_on == date(2010, 10, 15)


def test_a_finding_names_items_by_code_or_id_and_refuses_others(world):
    application = _assess(world, _reviewed(world))
    water = next(i for i in application.items if i.item_code == "W-1")
    finding = _finding(world, application, items=["t-1", water.id, str(water.id)])
    assert sorted(assessment.finding_items(application)[finding.id]) == sorted(
        [water.id, next(i.id for i in application.items if i.item_code == "T-1")]
    )
    with pytest.raises(InvalidInput) as answer:
        _finding(world, application, items=["F-1"])
    assert answer.value.errors["item_ids"] == ["F-1 is not an item of this application."]


def test_findings_are_raised_only_while_the_assessment_or_its_rectification_is_on(world):
    application = _reviewed(world)
    with pytest.raises(Conflict):
        _finding(world, application)
    _assess(world, application)
    q = world.users["quality"]
    steps.transition(application, "rectification", {}, q, on=date(2010, 10, 8))
    steps.transition(application, "decided", {"password": PASSWORD}, q, on=date(2010, 10, 12))
    with pytest.raises(Conflict) as answer:
        _finding(world, application)
    assert answer.value.message == "Findings are raised while the assessment or its rectification is on."


def test_during_the_rectification_the_team_still_raises_findings(world):
    application = _assess(world, _reviewed(world))
    steps.transition(application, "rectification", {}, world.users["quality"], on=date(2010, 10, 8))
    assert _finding(world, application, raised_on="2010-10-09").id
    with pytest.raises(Forbidden) as answer:  # someone off the team is told why, not "not now"
        _finding(world, application, who="i-2")
    assert answer.value.message == "Only a member of the assessment team raises its findings."


def test_another_labs_manager_cannot_reach_the_assessment(world):
    application = _assess(world, _reviewed(world))
    with pytest.raises(NotFound):
        _finding(world, application, who="other-manager")


def test_the_application_waits_for_every_finding_before_it_is_ready(world):
    application = _assess(world, _reviewed(world))
    first = _finding(world, application, clause="6.4")
    second = _finding(world, application, clause="8.3")
    q = world.users["quality"]
    steps.transition(application, "rectification", {}, q, on=date(2010, 10, 8))
    assert application.ready_on is None
    assert [c.step for c in application.clocks if c.running] == ["rectification"]
    rectification.transition(first, "cancelled", {"comment": "重复"}, q, version=first.version)
    db.session.expire_all()
    assert application.ready_on is None
    rectification.transition(second, "cancelled", {"comment": "重复"}, q, version=second.version)
    db.session.expire_all()
    assert application.ready_on == world.today
    assert [c.step for c in application.clocks if c.running] == ["decision"]
