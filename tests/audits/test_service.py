"""The rectification service: steps with their fields, locking, history, extensions, round findings."""

from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from labtrack.audits import rectification, service
from labtrack.audits.models import EvidenceFile, Finding
from labtrack.audits.workflow import State
from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound
from tests.audits.conftest import PDF, PLAN, PNG
from tests.conftest import PASSWORD


def _history(finding):
    return db.session.scalars(
        select(HistoryEntry)
        .where(HistoryEntry.table_name == "findings", HistoryEntry.record_id == finding.id)
        .order_by(HistoryEntry.id)
    ).all()


@freeze_time("2010-06-01")
def test_raise_finding_from_round_does_not_commit_and_writes_history(app, make_lab, make_user):
    lab = make_lab("SC-TC")
    quality = make_user("quality")
    first = service.raise_finding_from_round(
        lab=lab,
        round_code="PT-2010-07",
        description="Unsatisfactory z = 3.4 for lead.",
        severity="major",
        actor=quality,
    )
    second = service.raise_finding_from_round(
        lab=lab,
        round_code="PT-2010-07",
        description="Questionable result twice running.",
        severity="minor",
        actor=quality,
        area="quality_control",
        clause="7.7.3",
    )
    assert (first.number, second.number) == (1, 2)
    assert first.source == "round" and first.source_ref == "PT-2010-07" and first.audit_id is None
    assert first.due_on == date(2010, 7, 1) and second.due_on == date(2010, 7, 31)
    assert first.status == "open" and first.version == 1 and first.clause == "7.7.2"
    assert len(_history(first)) == 1 and _history(first)[0].username == quality.username
    db.session.rollback()  # the caller decides: nothing was committed
    assert db.session.scalar(select(Finding.id)) is None


def test_raise_finding_from_round_refuses_bad_fields(app, make_lab, make_user):
    with pytest.raises(InvalidInput) as exc:
        service.raise_finding_from_round(
            lab=make_lab(),
            round_code="PT-1",
            description="",
            severity="huge",
            actor=make_user("quality"),
            area="nowhere",
            clause="99",
        )
    assert set(exc.value.errors) == {"description", "severity", "area", "clause"}


@freeze_time("2010-05-10")
def test_raise_finding_numbers_within_audit_and_defaults_due_date(app, make_audit, make_user):
    inspector = make_user("inspector")
    audit, other = make_audit(), make_audit()
    data = {"severity": "minor", "area": "records", "clause": "7.5", "description": "Raw records rewritten."}
    a1 = service.raise_finding(audit, data, inspector)
    a2 = service.raise_finding(audit, dict(data, severity="major"), inspector, files=[("photo.png", PNG)])
    b1 = service.raise_finding(other, data, inspector)
    assert (a1.number, a2.number, b1.number) == (1, 2, 1)
    assert a1.due_on == date(2010, 7, 9) and a2.due_on == date(2010, 6, 9)
    assert [f.stage for f in a2.files] == ["finding"]
    with pytest.raises(NotFound):  # another lab's manager does not learn the audit exists
        service.raise_finding(audit, data, make_user("lab_manager"))
    with pytest.raises(Forbidden):  # the lab's own manager: a flight check's findings are the bureau's
        service.raise_finding(audit, data, make_user("lab_manager", lab=audit.lab))
    with pytest.raises(Forbidden):
        service.raise_finding(audit, data, make_user("quality"))


def _walk_to_closed(finding, manager, inspector):
    rectification.transition(finding, "plan_submitted", PLAN, manager, version=finding.version)
    rectification.transition(
        finding, "plan_accepted", {"comment": "Plan is adequate."}, inspector, version=finding.version
    )
    rectification.transition(
        finding,
        "evidence_submitted",
        {"evidence_text": "Training records attached."},
        manager,
        version=finding.version,
        files=[("training.pdf", PDF)],
    )
    rectification.transition(
        finding,
        "closed",
        {"effectiveness_review": "Checked 20 reports: compliant.", "password": PASSWORD},
        inspector,
        version=finding.version,
    )


@freeze_time("2010-06-01")
def test_full_workflow_writes_history_for_every_step(app, make_finding, make_user):
    finding = make_finding()
    manager = make_user("lab_manager", lab=finding.lab)
    inspector, quality = make_user("inspector"), make_user("quality")
    _walk_to_closed(finding, manager, inspector)
    assert finding.status == "closed" and finding.closed_on == date(2010, 6, 1)
    assert finding.closed_by_id == inspector.id and finding.signed_at is not None
    rectification.transition(
        finding,
        "open",
        {"comment": "Re-check in August found the same fault."},
        quality,
        version=finding.version,
    )
    assert finding.status == "open" and finding.reopened_count == 1 and finding.closed_on is None
    assert finding.due_on == date(2010, 7, 1)  # a fresh deadline by severity
    rectification.transition(
        finding, "cancelled", {"comment": "Laboratory closed down."}, quality, version=finding.version
    )
    assert finding.cancel_reason == "Laboratory closed down."
    rows = _history(finding)
    updates = [r for r in rows if r.action == "update"]
    assert [r.changes["status"] for r in updates] == [
        ["open", "plan_submitted"],
        ["plan_submitted", "plan_accepted"],
        ["plan_accepted", "evidence_submitted"],
        ["evidence_submitted", "closed"],
        ["closed", "open"],
        ["open", "cancelled"],
    ]
    assert [r.username for r in updates] == [
        manager.username,
        inspector.username,
        manager.username,
        inspector.username,
        quality.username,
        quality.username,
    ]
    assert updates[1].comment == "accept_plan: Plan is adequate."
    assert updates[5].comment == "cancel: Laboratory closed down."
    assert all(r.at is not None for r in updates)
    assert finding.version == 7


def test_rejections_need_a_reason_and_send_back(app, make_finding, make_user):
    finding = make_finding(status=State.PLAN_SUBMITTED)
    inspector = make_user("inspector")
    with pytest.raises(InvalidInput) as exc:
        rectification.transition(finding, "open", {"comment": "  "}, inspector, version=finding.version)
    assert set(exc.value.errors) == {"comment"}
    rectification.transition(
        finding, "open", {"comment": "Root cause is only restated."}, inspector, version=1
    )
    assert finding.status == "open"
    ev = make_finding(status=State.EVIDENCE_SUBMITTED)
    rectification.transition(
        ev, "plan_accepted", {"comment": "Photo unreadable."}, inspector, version=ev.version
    )
    assert ev.status == "plan_accepted"


def test_plan_needs_every_field_and_a_refusal_changes_nothing(app, make_finding, make_user):
    finding = make_finding()
    manager = make_user("lab_manager", lab=finding.lab)
    with pytest.raises(InvalidInput) as exc:
        rectification.transition(
            finding,
            "plan_submitted",
            {"root_cause_method": "guess", "action_target_on": "soon"},
            manager,
            version=1,
        )
    assert set(exc.value.errors) == {
        "root_cause",
        "root_cause_method",
        "correction",
        "occurs_elsewhere",
        "corrective_action",
        "action_owner",
        "action_target_on",
    }
    db.session.rollback()
    fresh = db.session.get(Finding, finding.id)
    assert fresh.status == "open" and fresh.version == 1 and fresh.root_cause is None
    assert len(_history(fresh)) == 1  # only the insert


def test_evidence_needs_text_and_a_file(app, make_finding, make_user):
    finding = make_finding(status=State.PLAN_ACCEPTED)
    manager = make_user("lab_manager", lab=finding.lab)
    with pytest.raises(InvalidInput) as exc:
        rectification.transition(finding, "evidence_submitted", {}, manager, version=1)
    assert set(exc.value.errors) == {"evidence_text", "files"}
    with pytest.raises(InvalidInput) as exc:
        rectification.transition(
            finding,
            "evidence_submitted",
            {"evidence_text": "x"},
            manager,
            version=1,
            files=[("minutes.pdf", b"MZ\x90\x00 not a pdf")],
        )
    assert "files" in exc.value.errors
    assert db.session.scalar(select(EvidenceFile.id)) is None


def test_closing_needs_the_verifiers_own_password(app, make_finding, make_user):
    finding = make_finding(status=State.EVIDENCE_SUBMITTED)
    inspector = make_user("inspector")
    data = {"effectiveness_review": "Effective."}
    with pytest.raises(InvalidInput) as exc:
        rectification.transition(finding, "closed", data, inspector, version=1)
    assert set(exc.value.errors) == {"password"}
    with pytest.raises(InvalidInput) as exc:
        rectification.transition(finding, "closed", dict(data, password="wrong"), inspector, version=1)
    assert set(exc.value.errors) == {"password"}
    db.session.rollback()
    assert db.session.get(Finding, finding.id).status == "evidence_submitted"
    rectification.transition(finding, "closed", dict(data, password=PASSWORD), inspector, version=1)
    assert finding.status == "closed"


def test_two_people_saving_at_once_the_second_is_refused(app, make_finding, make_user):
    finding = make_finding(status=State.PLAN_SUBMITTED)
    inspector, quality = make_user("inspector"), make_user("quality")
    read_version = finding.version  # both read version 1
    rectification.transition(finding, "plan_accepted", {}, inspector, version=read_version)
    with pytest.raises(Conflict) as exc:
        rectification.transition(
            finding, "cancelled", {"comment": "duplicate"}, quality, version=read_version
        )
    assert "version" in exc.value.errors
    db.session.rollback()
    assert db.session.get(Finding, finding.id).status == "plan_accepted"


def test_a_save_racing_past_the_version_check_is_refused_at_flush(app, make_finding, make_user):
    finding = make_finding(status=State.PLAN_SUBMITTED)
    inspector = make_user("inspector")
    # Another process commits between our read and our write: the row is at version 2 while
    # this session still believes it read version 1.
    db.session.execute(
        update(Finding).where(Finding.id == finding.id).values(version=2, last_comment="theirs"),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    set_committed_value(finding, "version", 1)
    with pytest.raises(Conflict):
        rectification.transition(finding, "plan_accepted", {}, inspector, version=1)
    db.session.rollback()
    fresh = db.session.get(Finding, finding.id)
    assert fresh.status == "plan_submitted" and fresh.last_comment == "theirs"


def test_deadline_extension_keeps_the_old_date_in_history(app, make_finding, make_user):
    finding = make_finding(due_on=date(2010, 6, 9))
    quality = make_user("quality")
    with pytest.raises(Forbidden):
        rectification.extend_deadline(finding, "2010-07-09", "more time", make_user("inspector"), version=1)
    with pytest.raises(InvalidInput) as exc:
        rectification.extend_deadline(finding, "2010-06-01", "", quality, version=1)
    assert set(exc.value.errors) == {"due_on", "comment"}
    rectification.extend_deadline(
        finding, "2010-07-09", "Instrument repair needs the supplier.", quality, version=1
    )
    row = _history(finding)[-1]
    assert row.changes["due_on"] == ["2010-06-09", "2010-07-09"]
    assert row.comment == "extend: Instrument repair needs the supplier."
    closed = make_finding(status=State.CLOSED)
    with pytest.raises(Conflict):
        rectification.extend_deadline(closed, "2011-01-01", "late", quality, version=1)


def test_lab_manager_of_another_lab_gets_not_found(app, make_finding, make_user, make_lab):
    finding = make_finding()
    stranger = make_user("lab_manager", lab=make_lab())
    with pytest.raises(NotFound):
        rectification.transition(finding, "plan_submitted", PLAN, stranger, version=1)
    with pytest.raises(NotFound):
        service.get_finding(stranger, finding.id)


def test_precedence_role_before_state_before_version_before_fields(app, make_finding, make_user):
    finding = make_finding(status=State.CLOSED)
    viewer, manager = make_user("viewer"), make_user("lab_manager", lab=finding.lab)
    with pytest.raises(Forbidden):  # viewers never change anything
        rectification.transition(finding, "plan_submitted", {}, viewer, version=99)
    with pytest.raises(Conflict):  # a lab manager could submit a plan, but not on a closed finding
        rectification.transition(finding, "plan_submitted", {}, manager, version=99)
    open_one = make_finding()
    with pytest.raises(Conflict):  # stale version beats missing fields
        rectification.transition(
            open_one,
            "plan_submitted",
            {},
            make_user("lab_manager", lab=open_one.lab, username="m2"),
            version=5,
        )


def test_every_state_role_and_target_through_the_service(app, make_finding, make_user):
    """The service answers exactly as DESIGN's table of roles says: a step, Forbidden (403) or
    Conflict (409); the lab manager acting on their own lab's findings."""
    from tests.audits.test_policy import BY_ROLE

    findings = {state: make_finding(status=state) for state in State}
    lab = findings[State.OPEN].lab
    users = {
        role: make_user(role, lab=lab) if role == "lab_manager" else make_user(role)
        for role in ("admin", "quality", "inspector", "lab_manager", "viewer")
    }
    for role, user in users.items():
        for state, finding in findings.items():
            finding.lab_id = lab.id  # every finding in the lab manager's own lab
            for target in State:
                allowed = role in BY_ROLE.get((state, target), set())
                if allowed:
                    assert rectification.check_step(finding, target, user).target == target
                    continue
                can_reach = any(t == target and role in roles for (_s, t), roles in BY_ROLE.items())
                expected = Conflict if can_reach and (state, target) not in BY_ROLE else Forbidden
                with pytest.raises(expected):
                    rectification.check_step(finding, target, user)
    db.session.rollback()
