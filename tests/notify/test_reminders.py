"""Reminders and escalation for a day: the tiers, who gets them, once per recipient, record, tier
and day however often it runs, and a history row on each record reminded."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from labtrack.audits.workflow import State
from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.notify.models import Notification
from labtrack.notify.reminders import send_reminders
from labtrack.proficiency.models import RoundStatus
from tests import factories as f

DAY = date(2010, 6, 1)


def reminders() -> set[tuple[str, str, int]]:
    """(username, kind, record id) of every reminder."""
    rows = db.session.execute(select(Notification).where(Notification.reminder_on.is_not(None))).scalars()
    return {(n.recipient.username, n.kind, n.record_id) for n in rows}


def finding_due(people, days: int, **kw):
    return f.FindingFactory(
        audit__lab=people["lab"], lab=people["lab"], due_on=DAY + timedelta(days=days), **kw
    )


@pytest.mark.parametrize(
    "weeks_listed", [1000, 1], ids=["escalation-days-listed", "decades-overdue-fallback"]
)
def test_the_tiers_of_a_finding(app, people, monkeypatch, weeks_listed):
    from labtrack.notify import reminders as module

    monkeypatch.setattr(module, "WEEKS_LISTED", weeks_listed)
    due = {d: finding_due(people, d) for d in (10, 3, 0, -1, -7, -14, 9, 2, -2, -8)}
    run = send_reminders(DAY)
    got = reminders()
    managers = ("manager-SC-TC", "deputy-SC-TC")
    expected = {
        (m, kind, due[d].id)
        for m in managers
        for d, kind in [
            (10, "finding_due:10"),
            (3, "finding_due:3"),
            (0, "finding_due:0"),
            (-1, "finding_overdue"),
            (-7, "finding_escalated"),
            (-14, "finding_escalated"),
        ]
    }
    expected |= {("quality", "finding_escalated", due[-7].id)}  # quality: once, on the seventh day
    assert got == expected  # 9, 2, -2 and -8 days: no tier that day; nobody else hears
    assert run.created == 13
    assert run.by_kind["finding_escalated"] == 5


def test_closed_and_cancelled_findings_are_not_reminded(app, people):
    finding_due(people, 3, closed=True)
    finding_due(people, -7, cancelled=True)
    finding_due(people, 0, status=State.PLAN_ACCEPTED)  # still active
    send_reminders(DAY)
    assert {kind for _u, kind, _r in reminders()} == {"finding_due:0"}


def test_running_twice_for_a_day_adds_nothing_the_second_time(app, people):
    finding_due(people, 3)
    first, second = send_reminders(DAY), send_reminders(DAY)
    assert (first.created, second.created) == (2, 0)
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 2
    entries = db.session.scalars(select(HistoryEntry).where(HistoryEntry.action == "reminder")).all()
    assert len(entries) == 1  # one history row for the record and tier, written once


def test_each_reminder_is_in_the_records_history(app, people):
    finding = finding_due(people, -7)
    send_reminders(DAY)
    entry = db.session.scalar(
        select(HistoryEntry).where(
            HistoryEntry.table_name == "findings",
            HistoryEntry.record_id == finding.id,
            HistoryEntry.action == "reminder",
        )
    )
    assert entry.changes["reminder"] == [None, "finding_escalated"]
    assert entry.changes["reminded"] == [None, "deputy-SC-TC, manager-SC-TC, quality"]
    assert "2010-06-01" in entry.comment


def test_escalation_repeats_weekly_while_the_finding_stays_overdue(app, people):
    finding = finding_due(people, -7)
    kinds_by_day = {}
    for offset in range(0, 15):
        day = DAY + timedelta(days=offset)
        before = db.session.scalar(select(func.count()).select_from(Notification))
        send_reminders(day)
        kinds_by_day[offset] = db.session.scalar(select(func.count()).select_from(Notification)) - before
    assert [o for o, n in kinds_by_day.items() if n] == [0, 7, 14]
    assert finding.id


def test_the_offsets_are_configurable(app, people):
    app.config.update(REMINDER_DUE_DAYS=(5,), REMINDER_ESCALATE_DAYS=30)
    finding_due(people, 5)
    finding_due(people, 10)
    finding_due(people, -7)
    send_reminders(DAY)
    assert {kind for _u, kind, _r in reminders()} == {"finding_due:5"}  # 10 and -7 days: no tier now


def test_a_round_closing_soon_reminds_only_the_labs_without_a_result(app, people):
    rnd = f.RoundFactory(code="BS-2010-02", status=RoundStatus.OPEN, closes_on=DAY + timedelta(days=3))
    f.ParticipantFactory(round=rnd, lab=people["lab"])
    answered = f.ParticipantFactory(round=rnd, lab=people["other_lab"])
    f.ResultFactory(participant=answered, round=rnd, lab=people["other_lab"])
    later = f.RoundFactory(code="BS-2010-03", status=RoundStatus.OPEN, closes_on=DAY + timedelta(days=4))
    f.ParticipantFactory(round=later, lab=people["lab"])
    send_reminders(DAY)
    assert reminders() == {
        ("manager-SC-TC", "round_closing", rnd.id),
        ("deputy-SC-TC", "round_closing", rnd.id),
    }


def test_certificates_expiring_in_90_and_30_days(app, people):
    q90 = f.QualificationFactory(lab=people["other_lab"], expires_on=DAY + timedelta(days=90))
    q30 = f.QualificationFactory(lab=people["other_lab"], expires_on=DAY + timedelta(days=30))
    f.QualificationFactory(lab=people["other_lab"], expires_on=DAY + timedelta(days=60))
    send_reminders(DAY)
    assert reminders() == {
        ("manager-SC-CD", "certificate_expiring:90", q90.id),
        ("manager-SC-CD", "certificate_expiring:30", q30.id),
    }


def test_the_command_reports_what_it_added(app, people):
    finding_due(people, 10)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["labtrack", "send-reminders", "--on", "2010-06-01"])
    again = runner.invoke(args=["labtrack", "send-reminders", "--on", "2010-06-01"])
    assert first.exit_code == 0 and "2 reminders (finding_due:10 2)" in first.output
    assert "0 reminders (none new)" in again.output
    bad = runner.invoke(args=["labtrack", "send-reminders", "--on", "2010-13-01"])
    assert bad.exit_code == 2 and "2010-13-01" in bad.output


@pytest.mark.parametrize("on", ["2010-06-01"])
def test_a_reminder_appears_in_app_the_day_a_finding_falls_due(app, client, auth, people, on):
    finding_due(people, 0)
    app.test_cli_runner().invoke(args=["labtrack", "send-reminders", "--on", on])
    auth.login(people["manager"])
    body = client.get("/api/v1/notifications?unread=1").get_json()
    assert body["meta"]["total"] == 1
    assert body["items"][0]["text"].endswith("is due today.")
