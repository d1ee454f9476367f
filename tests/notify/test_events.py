"""The domain events become notifications for the right people (DESIGN's list)."""

import pytest
from sqlalchemy import select

from labtrack import events
from labtrack.audits.workflow import State
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.notify.models import Notification
from tests import factories as f


def told(kind=None) -> dict[str, str]:
    """{username: kind} of every notification (of a kind)."""
    stmt = select(Notification)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return {n.recipient.username: n.kind for n in db.session.scalars(stmt)}


def test_a_raised_finding_tells_the_labs_active_managers_but_not_who_raised_it(app, people):
    finding = f.FindingFactory(audit__lab=people["lab"], lab=people["lab"])
    events.finding_raised.send(finding, actor=people["inspector"])
    db.session.commit()
    assert told() == {"manager-SC-TC": "finding_raised", "deputy-SC-TC": "finding_raised"}
    note = db.session.scalar(select(Notification).limit(1))
    assert (note.record_table, note.record_id) == ("findings", finding.id)
    assert note.params["label"] == finding.label and note.params["lab"] == "SC-TC"
    assert note.params["severity"] == "major" and note.params["due_on"] == finding.due_on.isoformat()


def test_a_lab_manager_raising_a_self_inspection_finding_is_not_told_of_it(app, people):
    finding = f.FindingFactory(audit__lab=people["lab"], lab=people["lab"])
    events.finding_raised.send(finding, actor=people["manager"])
    db.session.commit()
    assert told() == {"deputy-SC-TC": "finding_raised"}


@pytest.mark.parametrize(
    "step, kind", [("submit_plan", "plan_submitted"), ("submit_evidence", "evidence_submitted")]
)
def test_submissions_go_to_the_audits_lead(app, people, step, kind):
    finding = f.FindingFactory(audit__lab=people["lab"], audit__lead=people["inspector2"], lab=people["lab"])
    events.finding_changed.send(finding, actor=people["manager"], step=step, comment=None)
    db.session.commit()
    assert told() == {"inspector2": kind}


def test_without_a_lead_submissions_go_to_every_inspector_and_quality(app, people):
    finding = f.FindingFactory(audit__lab=people["lab"], audit__lead=None, lab=people["lab"])
    events.finding_changed.send(finding, actor=people["manager"], step="submit_plan", comment="")
    db.session.commit()
    assert told() == {
        "inspector": "plan_submitted",
        "inspector2": "plan_submitted",
        "quality": "plan_submitted",
    }


def test_a_disabled_lead_is_replaced_by_every_verifier(app, people):
    lead = f.UserFactory(role=Role.INSPECTOR, username="retired", active=False)
    finding = f.FindingFactory(audit__lab=people["lab"], audit__lead=lead, lab=people["lab"])
    events.finding_changed.send(finding, actor=people["manager"], step="submit_evidence", comment="")
    db.session.commit()
    assert set(told()) == {"inspector", "inspector2", "quality"}


@pytest.mark.parametrize(
    "step, kind",
    [
        ("accept_plan", "plan_accepted"),
        ("reject_plan", "plan_rejected"),
        ("reject_evidence", "evidence_rejected"),
        ("close", "finding_closed"),
        ("reopen", "finding_reopened"),
        ("extend", "deadline_extended"),
        ("cancel", "finding_cancelled"),
    ],
)
def test_the_regulators_steps_go_to_the_labs_managers(app, people, step, kind):
    finding = f.FindingFactory(audit__lab=people["lab"], lab=people["lab"], status=State.PLAN_SUBMITTED)
    events.finding_changed.send(finding, actor=people["quality"], step=step, comment="Root cause not shown.")
    db.session.commit()
    assert told() == {"manager-SC-TC": kind, "deputy-SC-TC": kind}
    assert db.session.scalar(select(Notification).limit(1)).params["comment"] == "Root cause not shown."


def test_an_unknown_step_tells_nobody(app, people):
    finding = f.FindingFactory(audit__lab=people["lab"], lab=people["lab"])
    events.finding_changed.send(finding, actor=people["quality"], step="edit", comment="")
    db.session.commit()
    assert told() == {}


@pytest.mark.parametrize(
    "to, kind", [("open", "round_opened"), ("published", "round_published"), ("closed", None)]
)
def test_round_events_go_to_the_invited_labs_managers(app, people, to, kind):
    rnd = f.RoundFactory(code="PT-2010-07")
    f.ParticipantFactory(round=rnd, lab=people["other_lab"])
    events.round_changed.send(rnd, actor=people["quality"], to=to)
    db.session.commit()
    assert told() == ({"manager-SC-CD": kind} if kind else {})
    if kind:
        note = db.session.scalar(select(Notification).limit(1))
        assert (note.record_table, note.params["round"]) == ("rounds", "PT-2010-07")


@pytest.mark.parametrize("status, kind", [("done", "job_done"), ("failed", "job_failed")])
def test_a_finished_job_tells_whoever_started_it(app, people, status, kind):
    from labtrack.jobs.models import Job

    job = Job(kind="scope_import", started_by_id=people["viewer"].id, status=status, error="Row 2: bad date")
    db.session.add(job)
    db.session.flush()
    events.job_finished.send(job, status=status)
    db.session.commit()
    assert told() == {"viewer": kind}


@pytest.mark.parametrize("status", ["done", "failed"])
def test_an_import_preview_tells_nobody_its_page_shows_the_outcome(app, people, status):
    from labtrack.jobs.models import Job

    preview = Job(
        kind="lab_import", started_by_id=people["viewer"].id, status=status, params={"dry_run": True}
    )
    real = Job(kind="lab_import", started_by_id=people["viewer"].id, status=status, params={"dry_run": False})
    db.session.add_all([preview, real])
    db.session.flush()
    events.job_finished.send(preview, status=status)
    events.job_finished.send(real, status=status)
    db.session.commit()
    notes = db.session.scalars(select(Notification)).all()
    assert [(n.record_id, n.kind) for n in notes] == [(real.id, f"job_{status}")]


def test_a_receivers_own_failure_never_fails_the_change(app, people, monkeypatch, caplog):
    from labtrack.notify import events as receivers

    def broken(lab_id):
        raise RuntimeError("directory unavailable")

    monkeypatch.setattr(receivers, "lab_managers", broken)
    finding = f.FindingFactory(audit__lab=people["lab"], lab=people["lab"])
    events.finding_raised.send(finding, actor=people["inspector"])  # does not raise
    db.session.commit()
    assert told() == {}
    assert "not recorded" in caplog.text
