"""Complaints: registration (an unknown lab refused), the steps with their dates, a finding raised
into the usual rectification, what a lab manager sees, and the counts for the risk grade; and the
documents a finding's rectification revises."""

from datetime import date

import pytest
from sqlalchemy import func, select

from labtrack.audits.models import Audit, Finding
from labtrack.extensions import db
from labtrack.records import complaints, links
from labtrack.records.models import Complaint, FindingDocument
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound
from tests.factories import FindingFactory
from tests.records.factories import ComplaintFactory, DocumentFactory, RevisionFactory

pytestmark = pytest.mark.usefixtures("frozen")
NEW = {
    "channel": "hotline",
    "lab_code": "HOME",
    "received_on": "2010-05-20",
    "complainant_name": "王先生",
    "complainant_contact": "138 0000 0001",
    "subject": "The report differs from a re-test",
    "description": "Another lab found a different lead content in the same batch.",
}
FINDING = {
    "severity": "minor",
    "area": "reports_certificates",
    "clause": "7.8.2",
    "description": "The report gave the wrong batch number.",
}


def _reload(ident):
    db.session.expire_all()
    return db.session.get(Complaint, ident)


def test_a_complaint_about_an_unknown_lab_is_refused_and_nothing_is_written(world):
    with pytest.raises(InvalidInput) as refused:
        complaints.register_complaint(world.quality, {**NEW, "lab_code": "NO-SUCH-LAB"})
    assert refused.value.errors == {"lab_code": ["No such laboratory: NO-SUCH-LAB."]}
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0


@pytest.mark.parametrize(
    "field, value",
    [
        ("channel", "pigeon"),
        ("received_on", "2010-06-02"),
        ("subject", ""),
        ("description", " "),
        ("lab_code", ""),
    ],
)
def test_registration_refuses_bad_fields(world, field, value):
    with pytest.raises(InvalidInput) as refused:
        complaints.register_complaint(world.quality, {**NEW, field: value})
    assert set(refused.value.errors) == {field}


def test_registered_complaints_are_numbered_by_year(world):
    first = complaints.register_complaint(world.inspector, NEW)
    second = complaints.register_complaint(
        world.quality, {**NEW, "received_on": "2010-05-21", "channel": "letter"}
    )
    assert (first.reference, second.reference) == ("CP-2010-001", "CP-2010-002")
    assert first.status == "received" and first.lab_id == world.home.id
    with pytest.raises(Forbidden):
        complaints.register_complaint(world.manager, NEW)
    with pytest.raises(Forbidden):
        complaints.register_complaint(world.viewer, NEW)


def test_the_steps_in_order_with_their_dates(world):
    complaint = complaints.register_complaint(world.quality, NEW)
    with pytest.raises(Conflict):
        complaints.transition(world.quality, complaint, "answered", {"feedback": "x"})
    with pytest.raises(InvalidInput) as refused:
        complaints.transition(world.quality, complaint, "acknowledged", {"acknowledged_on": "2010-05-19"})
    assert "before the step before" in refused.value.errors["acknowledged_on"][0]
    complaints.transition(world.quality, complaint, "acknowledged", {"acknowledged_on": "2010-05-20"})
    with pytest.raises(InvalidInput) as refused:
        complaints.transition(world.quality, complaint, "investigated", {"outcome": "maybe"})
    assert set(refused.value.errors) == {"investigation", "outcome"}
    complaints.transition(
        world.inspector,
        complaint,
        "investigated",
        {
            "investigated_on": "2010-05-26",
            "investigation": "Re-tested the retained sample.",
            "outcome": "substantiated",
        },
    )
    complaints.transition(world.quality, complaint, "answered", {"feedback": "Told by telephone."})
    again = _reload(complaint.id)
    assert (again.status, again.feedback_on, again.days_to_feedback) == ("answered", date(2010, 6, 1), 12)
    with pytest.raises(Conflict):
        complaints.transition(world.quality, again, "answered", {"feedback": "again"})


def test_handling_is_refused_to_readers_and_unknown_steps(world):
    complaint = ComplaintFactory(lab=world.home)
    with pytest.raises(Forbidden):
        complaints.transition(world.viewer, complaint, "acknowledged", {})
    with pytest.raises(InvalidInput):
        complaints.transition(world.quality, complaint, "received", {})
    with pytest.raises(Conflict):
        complaints.transition(world.quality, complaint, "acknowledged", {}, version=complaint.version + 5)


def test_a_lab_manager_sees_the_complaints_about_their_own_lab_only(world):
    own = ComplaintFactory(lab=world.home)
    theirs = ComplaintFactory(lab=world.other)
    assert complaints.get_complaint(world.manager, own.id) == own
    with pytest.raises(NotFound):
        complaints.get_complaint(world.manager, theirs.id)
    listed = [c.id for c in db.session.scalars(complaints.complaints_query(world.manager))]
    assert listed == [own.id]
    # The search does not look at the complainant for those who may not see them.
    assert list(db.session.scalars(complaints.complaints_query(world.manager, q="王先生"))) == []
    assert [
        c.id for c in db.session.scalars(complaints.complaints_query(world.quality, q="王先生"))
    ] == sorted([own.id, theirs.id], reverse=True)


def test_a_substantiated_complaint_raises_a_finding_into_rectification(world, app):
    complaint = ComplaintFactory(lab=world.home, investigated=True)
    finding = complaints.raise_finding(world.inspector, complaint, FINDING)
    again = _reload(complaint.id)
    audit = db.session.get(Audit, again.audit_id)
    assert again.finding_id == finding.id
    assert (audit.kind, audit.lab_id, audit.started_on, audit.status) == (
        "flight_check",
        world.home.id,
        date(2010, 5, 14),
        "completed",
    )
    assert complaint.reference in audit.title
    finding = db.session.get(Finding, finding.id)
    assert (finding.status, finding.lab_id, finding.audit_id) == ("open", world.home.id, audit.id)
    assert finding.due_on == date(2010, 7, 31)  # minor: 60 days from today
    with pytest.raises(Conflict):
        complaints.raise_finding(world.inspector, again, FINDING)


def test_a_finding_may_join_the_audit_that_recorded_the_investigation(world):
    complaint = ComplaintFactory(lab=world.home, answered=True, outcome="partly_substantiated")
    FindingFactory(audit__lab=world.home, audit__reference="FC-2010-077")
    with pytest.raises(InvalidInput) as refused:
        complaints.raise_finding(world.inspector, complaint, {**FINDING, "audit_reference": "FC-1999-001"})
    assert "audit_reference" in refused.value.errors
    complaints.raise_finding(world.inspector, complaint, {**FINDING, "audit_reference": "FC-2010-077"})
    assert db.session.scalar(select(func.count()).select_from(Audit)) == 1


def test_bad_finding_fields_or_a_wrong_outcome_raise_nothing(world):
    complaint = ComplaintFactory(lab=world.home, investigated=True)
    with pytest.raises(InvalidInput) as refused:
        complaints.raise_finding(world.inspector, complaint, {**FINDING, "severity": "huge", "clause": "99"})
    assert set(refused.value.errors) == {"severity", "clause"}
    unfounded = ComplaintFactory(lab=world.home, answered=True)
    with pytest.raises(Conflict):
        complaints.raise_finding(world.inspector, unfounded, FINDING)
    with pytest.raises(Forbidden):
        complaints.raise_finding(world.quality, complaint, FINDING)
    assert db.session.scalar(select(func.count()).select_from(Audit)) == 0
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 0


def test_complaint_counts_for_the_risk_grade(world):
    ComplaintFactory(lab=world.home, received_on=date(2009, 12, 1), answered=True)  # before `since`
    ComplaintFactory(lab=world.home, received_on=date(2010, 2, 1), answered=True)
    ComplaintFactory(lab=world.home, received_on=date(2010, 3, 1), investigated=True)  # substantiated
    ComplaintFactory(lab=world.home, received_on=date(2010, 4, 1))
    ComplaintFactory(lab=world.other, received_on=date(2010, 4, 1))
    assert complaints.complaint_counts(world.home.id, date(2010, 1, 1)) == {
        "received": 3,
        "substantiated": 1,
        "unanswered": 2,
        "findings": 0,
    }


# --- the documents a finding's rectification revises -----------------------------------------


def test_the_rectification_names_the_documents_it_revises(world):
    finding = FindingFactory(audit__lab=world.home, plan_accepted=True)
    revision = RevisionFactory(document=DocumentFactory(lab=world.home), label="B/0")
    other_lab = RevisionFactory(document=DocumentFactory(lab=world.other))
    named = links.set_finding_documents(world.manager, finding.id, [revision.id])
    assert [r.id for r in named] == [revision.id]
    with pytest.raises(InvalidInput) as refused:
        links.set_finding_documents(world.manager, finding.id, [other_lab.id, 999999, "x1"])
    assert "revision_ids" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        links.set_finding_documents(world.quality, finding.id, [other_lab.id, 10**30])
    assert len(refused.value.errors["revision_ids"]) == 2
    assert [r.id for r in links.finding_documents(world.viewer, finding.id)] == [revision.id]
    links.set_finding_documents(world.inspector, finding.id, [])
    assert db.session.scalar(select(func.count()).select_from(FindingDocument)) == 0


def test_the_documents_of_a_closed_finding_are_fixed_and_other_labs_see_nothing(world):
    closed = FindingFactory(audit__lab=world.home, closed=True)
    with pytest.raises(Conflict):
        links.set_finding_documents(world.quality, closed.id, [])
    open_one = FindingFactory(audit__lab=world.home)
    with pytest.raises(NotFound):
        links.finding_documents(world.outsider, open_one.id)
    with pytest.raises(Forbidden):
        links.set_finding_documents(world.viewer, open_one.id, [])
