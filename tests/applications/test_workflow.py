"""An application from draft to certificate through the services: every step, the refusals, the
partial decision, the scope periods it grants, reductions, renewals, the certificate."""

from datetime import date

import pytest
from sqlalchemy import select

from labtrack.applications import assessment, service, steps
from labtrack.applications.models import Application
from labtrack.audits import rectification
from labtrack.audits.models import Audit
from labtrack.extensions import db
from labtrack.labs.models import Qualification
from labtrack.scope.models import ScopeEntry
from labtrack.services import Conflict, Forbidden, InvalidInput
from tests.applications.conftest import NEW_ITEMS
from tests.factories import PASSWORD


def _entries(lab, code=None):
    stmt = select(ScopeEntry).where(ScopeEntry.lab_id == lab.id).order_by(ScopeEntry.id)
    rows = list(db.session.scalars(stmt))
    return [e for e in rows if code is None or e.item.code == code]


def draft(world, kind="extension", items=NEW_ITEMS, lab="SC-A", who="manager"):
    data = {"kind": kind, "items": items}
    if who != "manager":
        data["lab_code"] = lab
    return service.create(data, world.users[who])


def to_rectification(world, application, team=("i-1", "i-2")):
    """Submitted 2010-09-17, accepted and reviewed 2010-09-21, assessed 2010-09-27 to 2010-10-08."""
    q = world.users["quality"]
    steps.transition(application, "submitted", {}, world.users["manager"], on=date(2010, 9, 17))
    steps.transition(application, "accepted", {}, q, on=date(2010, 9, 21))
    steps.transition(application, "review", {}, q, on=date(2010, 9, 21))
    steps.transition(
        application,
        "assessment",
        {"lead": team[0], "members": list(team[1:]), "starts_on": "2010-09-27"},
        q,
        on=date(2010, 9, 27),
    )
    return application


def test_a_lab_manager_drafts_for_their_own_lab_with_entered_picked_and_new_items(world):
    application = draft(world)
    assert application.lab.code == "SC-A" and application.status == "draft"
    assert application.reference == "QA-2010-001"
    codes = [(i.item_code, i.category_code, i.item_id is not None) for i in application.items]
    assert codes == [("F-2", "FOOD", True), ("T-1", "TEX", True), ("W-1", "WATER", False)]
    with pytest.raises(Forbidden):
        service.create({"kind": "extension", "lab_code": "SC-B", "items": []}, world.users["viewer"])


@pytest.mark.parametrize(
    "items, field",
    [
        ([{"item_code": "F-2"}, {"item_code": "f-2"}], "item_code"),  # twice (codes compare folded)
        ([{"item_code": "F-1"}], "item_code"),  # already held
        ([{"item_code": "X-9", "category_code": "NEW"}], "category_name"),  # new without names
    ],
)
def test_bad_items_are_refused_with_nothing_saved(world, items, field):
    with pytest.raises(InvalidInput) as refused:
        draft(world, items=items)
    errors = refused.value.errors["items"]
    assert any(field in fields for fields in errors.values())
    assert db.session.scalar(select(Application.id)) is None


def test_a_renewal_of_an_expired_certificate_is_refused(world):
    world.certs["SC-B"].expires_on = date(2010, 8, 31)
    db.session.commit()
    with pytest.raises(InvalidInput) as refused:
        draft(world, kind="renewal", items=[{"item_code": "F-1"}], lab="SC-B", who="admin")
    assert "expired" in refused.value.errors["kind"][0]


def test_an_initial_application_needs_a_lab_without_a_valid_certificate(world):
    with pytest.raises(InvalidInput):
        draft(world, kind="initial", items=[{"item_code": "F-2"}], lab="SC-A", who="admin")
    application = draft(world, kind="initial", items=[{"item_code": "F-2"}], lab="NEW-1", who="admin")
    assert application.kind == "initial"


def test_submit_starts_a_clock_that_counts_across_the_mid_autumn_make_up_days(world):
    application = draft(world)
    steps.transition(application, "submitted", {}, world.users["manager"], on=date(2010, 9, 17))
    (clock,) = application.clocks
    # After Fri 17 Sep: Sun 19 (make-up) 1, Mon 20 2, Tue 21 3, 22-24 holiday, Sat 25 (make-up) 4,
    # Sun 26 (make-up) 5.
    assert (clock.step, clock.limit_days, clock.due_on) == ("acceptance", 5, date(2010, 9, 26))
    steps.transition(application, "accepted", {}, world.users["quality"], on=date(2010, 9, 27))
    assert (clock.stopped_on, clock.working_days, clock.on_time) == (date(2010, 9, 27), 6, False)
    assert [c.step for c in application.clocks] == ["acceptance", "assessment"]


def test_the_acceptance_clock_waits_over_national_day(world):
    application = draft(world)
    steps.transition(application, "submitted", {}, world.users["manager"], on=date(2010, 9, 30))
    # After Thu 30 Sep: 1-7 Oct holiday, Fri 8 1, Sat 9 (make-up) 2, Mon 11 3, Tue 12 4, Wed 13 5.
    assert application.clocks[0].due_on == date(2010, 10, 13)


def test_a_step_in_a_year_without_a_calendar_is_refused_and_changes_nothing(world):
    application = draft(world)
    with pytest.raises(Conflict) as refused:
        steps.transition(application, "submitted", {}, world.users["manager"], on=date(2011, 1, 5))
    assert "2011" in refused.value.message
    db.session.expire_all()
    assert application.status == "draft" and application.clocks == [] and application.steps == []


def test_returned_with_reasons_then_submitted_again(world):
    application = draft(world)
    manager, q = world.users["manager"], world.users["quality"]
    steps.transition(application, "submitted", {}, manager, on=date(2010, 9, 1))
    with pytest.raises(InvalidInput) as refused:
        steps.transition(application, "returned", {}, q, on=date(2010, 9, 2))
    assert "reasons" in refused.value.errors
    steps.transition(application, "returned", {"reasons": "附表三缺少签字"}, q, on=date(2010, 9, 2))
    assert (application.status, application.return_reasons, application.returns) == (
        "returned",
        "附表三缺少签字",
        1,
    )
    service.add_item(application, {"item_code": "F-3"}, manager)
    steps.transition(application, "submitted", {}, manager, on=date(2010, 9, 6))
    assert application.first_submitted_on == date(2010, 9, 1) and application.submitted_on == date(2010, 9, 6)
    assert [s.name for s in application.steps] == ["submit", "return", "submit"]
    assert [c.running for c in application.clocks] == [False, True]


def test_sides_refused_each_others_steps(world):
    application = draft(world)
    with pytest.raises(Forbidden):
        steps.transition(application, "submitted", {}, world.users["quality"], on=date(2010, 9, 1))
    steps.transition(application, "submitted", {}, world.users["manager"], on=date(2010, 9, 1))
    with pytest.raises(Forbidden):
        steps.transition(application, "accepted", {}, world.users["manager"], on=date(2010, 9, 2))
    with pytest.raises(Conflict):
        steps.transition(application, "decided", {}, world.users["quality"], on=date(2010, 9, 2))
    with pytest.raises(InvalidInput):
        steps.transition(application, "nowhere", {}, world.users["quality"], on=date(2010, 9, 2))


def test_the_assessment_is_an_external_assessment_audit_with_its_team(world):
    application = to_rectification(world, draft(world))
    audit = db.session.get(Audit, application.audit_id)
    assert audit.kind == "external_assessment" and audit.lab_id == world.labs["SC-A"].id
    assert audit.lead_id == world.users["i-1"].id
    assert [(a.user.username, a.lead) for a in application.assessors] == [("i-1", True), ("i-2", False)]
    assert application.status == "assessment"


def test_findings_get_the_rules_deadlines(world):
    application = to_rectification(world, draft(world))
    i1 = world.users["i-1"]
    technical = assessment.raise_finding(
        application,
        {
            "severity": "minor",
            "area": "equipment_traceability",
            "clause": "6.4",
            "description": "未检定",
            "raised_on": "2010-09-28",
        },
        i1,
    )
    other = assessment.raise_finding(
        application,
        {
            "severity": "minor",
            "area": "qms_documentation",
            "clause": "8.3",
            "description": "文件未受控",
            "raised_on": "2010-09-28",
        },
        i1,
    )
    assert technical.due_on == date(2010, 10, 28) and other.due_on == date(2010, 11, 28)
    with pytest.raises(Forbidden):  # not on the team
        assessment.raise_finding(
            application,
            {"severity": "minor", "area": "records", "clause": "7.5", "description": "x"},
            world.users["admin"],
        )


def _finding(world, application, item_ids=("W-1",)):
    return assessment.raise_finding(
        application,
        {
            "severity": "major",
            "area": "equipment_traceability",
            "clause": "6.4",
            "description": "浊度仪未经检定",
            "raised_on": "2010-09-28",
            "item_ids": list(item_ids),
        },
        world.users["i-1"],
    )


def test_decided_in_part_without_the_items_of_an_open_finding(world):
    application = to_rectification(world, draft(world))
    finding = _finding(world, application)
    q = world.users["quality"]
    steps.transition(application, "rectification", {}, q, on=date(2010, 10, 8))
    assert application.ready_on is None
    with pytest.raises(Conflict):
        steps.transition(application, "decided", {"password": PASSWORD}, q, on=date(2010, 10, 12))
    steps.transition(
        application, "decided", {"password": PASSWORD, "exclude_open": True}, q, on=date(2010, 10, 12)
    )
    assert application.decision == "partial" and application.status == "decided"
    outcomes = {i.item_code: (i.outcome, i.basis) for i in application.items}
    assert outcomes == {
        "F-2": ("granted", "extension"),
        "T-1": ("granted", "extension"),
        "W-1": ("refused", None),
    }
    refused = next(i for i in application.items if i.item_code == "W-1")
    assert finding.label in refused.reason
    lab = world.labs["SC-A"]
    for code in ("F-2", "T-1"):
        (entry,) = _entries(lab, code)
        assert (entry.granted_on, entry.basis, entry.withdrawn_on) == (date(2010, 10, 12), "extension", None)
    assert _entries(lab, "W-1") == []
    assert application.decided_by.username == "quality" and application.signed_at is not None


def test_a_finding_concerning_the_whole_application_blocks_the_decision(world):
    application = to_rectification(world, draft(world))
    _finding(world, application, item_ids=())
    q = world.users["quality"]
    steps.transition(application, "rectification", {}, q, on=date(2010, 10, 8))
    with pytest.raises(Conflict) as refused:
        steps.transition(
            application, "decided", {"password": PASSWORD, "exclude_open": True}, q, on=date(2010, 10, 12)
        )
    assert "whole application" in refused.value.message


def test_the_last_finding_settled_starts_the_decision_clock(world):
    application = to_rectification(world, draft(world))
    finding = _finding(world, application)
    q = world.users["quality"]
    steps.transition(application, "rectification", {}, q, on=date(2010, 10, 8))
    rectification.transition(finding, "cancelled", {"comment": "Raised twice"}, q, version=finding.version)
    db.session.expire_all()
    assert application.ready_on == date(2010, 9, 1)
    decision_clock = next(c for c in application.clocks if c.step == "decision")
    assert decision_clock.running and decision_clock.limit_days == 20


def test_the_decider_signs_with_their_password_and_was_not_on_the_team(world):
    application = to_rectification(world, draft(world), team=("i-1", "quality2"))
    q2 = world.users["quality2"]
    steps.transition(application, "rectification", {}, world.users["quality"], on=date(2010, 10, 8))
    assert application.ready_on == date(2010, 10, 8)  # no findings: ready at once
    with pytest.raises(Forbidden) as refused:
        steps.transition(application, "decided", {"password": PASSWORD}, q2, on=date(2010, 10, 12))
    assert "assessment team" in refused.value.message
    q = world.users["quality"]
    with pytest.raises(InvalidInput) as wrong:
        steps.transition(application, "decided", {"password": "nope"}, q, on=date(2010, 10, 12))
    assert "password" in wrong.value.errors
    with pytest.raises(InvalidInput):
        steps.transition(application, "decided", {}, q, on=date(2010, 10, 12))
    db.session.expire_all()
    assert application.status == "rectification" and _entries(world.labs["SC-A"], "F-2") == []
    steps.transition(
        application,
        "decided",
        {"password": PASSWORD, "refused": [{"item_code": "T-1", "reason": "无纺织品实验室"}]},
        q,
        on=date(2010, 10, 12),
    )
    assert application.decision == "partial"
    refused_item = next(i for i in application.items if i.item_code == "T-1")
    assert (refused_item.outcome, refused_item.reason) == ("refused", "无纺织品实验室")
    decision_clock = next(c for c in application.clocks if c.step == "decision")
    # After Fri 8 Oct: Sat 9 (make-up) 1, Mon 11 2, Tue 12 3.
    assert (decision_clock.working_days, decision_clock.on_time) == (3, True)


def test_certified_extension_reissues_the_annex_and_new_items_join_the_catalogue(world):
    application = to_rectification(world, draft(world))
    q = world.users["quality"]
    steps.transition(application, "rectification", {}, q, on=date(2010, 10, 8))
    steps.transition(application, "decided", {"password": PASSWORD}, q, on=date(2010, 10, 12))
    steps.transition(application, "certified", {}, q, on=date(2010, 10, 14))
    assert application.status == "certified" and application.certificate_no == "CMA-A"
    assert application.qualification_id == world.certs["SC-A"].id
    water = next(i for i in application.items if i.item_code == "W-1")
    assert water.item is not None and water.item.category.code == "WATER"
    (entry,) = _entries(world.labs["SC-A"], "W-1")
    assert water.scope_entry_id == entry.id
    assert [c.running for c in application.clocks] == [False] * len(application.clocks)


def test_an_initial_qualification_issues_a_new_cma_certificate(world):
    application = draft(world, kind="initial", items=[{"item_code": "F-2"}], lab="NEW-1", who="admin")
    q = world.users["quality"]
    steps.transition(application, "submitted", {}, world.users["admin"], on=date(2010, 9, 1))
    steps.transition(application, "accepted", {}, q, on=date(2010, 9, 2))
    steps.transition(application, "review", {}, q, on=date(2010, 9, 2))
    steps.transition(application, "assessment", {"lead": "i-1"}, q, on=date(2010, 9, 6))
    steps.transition(application, "rectification", {}, q, on=date(2010, 9, 7))
    steps.transition(application, "decided", {"password": PASSWORD}, q, on=date(2010, 9, 8))
    (entry,) = _entries(world.labs["NEW-1"])
    assert (entry.basis, entry.granted_on) == ("initial", date(2010, 9, 8))
    with pytest.raises(InvalidInput):
        steps.transition(application, "certified", {}, q, on=date(2010, 9, 9))
    steps.transition(application, "certified", {"certificate_no": "2010190001Z"}, q, on=date(2010, 9, 9))
    cert = db.session.scalar(select(Qualification).where(Qualification.lab_id == world.labs["NEW-1"].id))
    assert (cert.certificate_no, cert.issued_on, cert.expires_on) == (
        "2010190001Z",
        date(2010, 9, 9),
        date(2016, 9, 9),
    )


def test_a_renewal_renews_the_certificate_for_six_years(world):
    application = draft(world, kind="renewal", items=[{"item_code": "F-1"}], lab="SC-B", who="admin")
    q = world.users["quality"]
    steps.transition(application, "submitted", {}, world.users["admin"], on=date(2010, 9, 1))
    steps.transition(application, "accepted", {}, q, on=date(2010, 9, 2))
    steps.transition(application, "review", {}, q, on=date(2010, 9, 2))
    steps.transition(application, "assessment", {"lead": "i-1"}, q, on=date(2010, 9, 6))
    steps.transition(application, "rectification", {}, q, on=date(2010, 9, 7))
    steps.transition(application, "decided", {"password": PASSWORD}, q, on=date(2010, 9, 8))
    (entry,) = _entries(world.labs["SC-B"])  # held: its period goes on
    assert entry.granted_on == date(2004, 10, 1) and entry.withdrawn_on is None
    steps.transition(application, "certified", {}, q, on=date(2010, 9, 9))
    cert = db.session.get(Qualification, world.certs["SC-B"].id)
    assert (cert.certificate_no, cert.issued_on, cert.expires_on) == (
        "CMA-B",
        date(2010, 9, 9),
        date(2016, 9, 9),
    )


def test_a_reduction_withdraws_the_items_on_the_decision_date(world):
    application = draft(world, kind="reduction", items=[{"item_code": "F-1"}])
    with pytest.raises(InvalidInput):
        service.add_item(application, {"item_code": "F-2"}, world.users["manager"])  # not held
    q = world.users["quality"]
    steps.transition(application, "submitted", {}, world.users["manager"], on=date(2010, 9, 1))
    steps.transition(application, "accepted", {}, q, on=date(2010, 9, 2))
    steps.transition(application, "review", {}, q, on=date(2010, 9, 2))
    with pytest.raises(Conflict):  # decided on the documents: no assessment
        steps.transition(application, "assessment", {"lead": "i-1"}, q, on=date(2010, 9, 3))
    steps.transition(application, "decided", {"password": PASSWORD}, q, on=date(2010, 9, 6))
    (entry,) = _entries(world.labs["SC-A"], "F-1")
    assert (entry.withdrawn_on, entry.withdrawal_reason) == (date(2010, 9, 6), "reduction")
    item = application.items[0]
    assert item.scope_entry_id == entry.id and item.outcome == "granted"


def test_a_refused_application_grants_nothing_and_issues_no_certificate(world):
    application = to_rectification(world, draft(world, items=[{"item_code": "F-2"}]))
    q = world.users["quality"]
    steps.transition(application, "rectification", {}, q, on=date(2010, 10, 8))
    steps.transition(
        application,
        "decided",
        {"password": PASSWORD, "refused": {"F-2": "能力不足"}},
        q,
        on=date(2010, 10, 8),
    )
    assert application.decision == "refused" and _entries(world.labs["SC-A"], "F-2") == []
    with pytest.raises(Conflict):
        steps.transition(application, "certified", {}, q, on=date(2010, 10, 9))


def test_a_stale_version_is_refused(world):
    application = draft(world)
    with pytest.raises(Conflict):
        steps.transition(
            application, "submitted", {}, world.users["manager"], version=99, on=date(2010, 9, 1)
        )


def test_only_a_never_submitted_draft_is_deleted(world):
    application = draft(world)
    manager = world.users["manager"]
    steps.transition(application, "submitted", {}, manager, on=date(2010, 9, 1))
    with pytest.raises(Conflict):
        service.delete(application, manager)
    other = draft(world)
    service.delete(other, manager)
    assert db.session.get(Application, other.id) is None
