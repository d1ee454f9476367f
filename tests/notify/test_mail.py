"""E-mail end to end against a real SMTP server: one message per recipient in their language
with text and HTML parts, digests, preferences, and a refusing or down server (retried later,
logged, never lost)."""

import logging
from datetime import timedelta

from sqlalchemy import select

from labtrack.extensions import db
from labtrack.models_base import utcnow
from labtrack.notify.delivery import deliver
from labtrack.notify.models import Delivery, Notification, Preference
from labtrack.notify.service import notify


def note_for(user, kind="finding_raised", **params):
    base = {"label": "FC-2010-003 #2", "lab": "SC-TC", "severity": "major", "due_on": "2010-06-30"}
    notify(kind, [user], ("findings", 42), {**base, **params})
    db.session.commit()


def parts(message) -> tuple[str, str]:
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def test_one_notification_is_one_email_with_text_and_html_in_english(mail_app, smtp, people):
    note_for(people["manager"])
    report = deliver()
    assert (report.emails, report.notifications, report.failed) == (1, 1, 0)
    (message,) = smtp.messages
    assert message["To"] == "manager-SC-TC@example.cn"
    assert message["From"] == "labtrack <noreply@labtrack.example.cn>"
    assert message["Subject"] == "[labtrack] New Major finding FC-2010-003 #2 at SC-TC, due 2010-06-30."
    text, html = parts(message)
    assert "New Major finding FC-2010-003 #2 at SC-TC" in text
    assert "https://labtrack.example.cn/audits/findings/42" in text
    assert '<a href="https://labtrack.example.cn/audits/findings/42">' in html
    assert "https://labtrack.example.cn/notify/preferences" in text
    assert db.session.scalar(select(Notification)).emailed_at is not None


def test_a_chinese_readers_email_is_in_chinese(mail_app, smtp, people):
    note_for(people["manager2"])  # locale zh_Hans_CN
    deliver()
    (message,) = smtp.messages
    text, html = parts(message)
    assert "严重" in message["Subject"] and "FC-2010-003 #2" in message["Subject"]
    assert "您好" in text and 'lang="zh-CN"' in html


def test_many_notifications_are_one_email_per_recipient(mail_app, smtp, people):
    for n in range(3):
        note_for(people["manager"], label=f"FC-2010-00{n} #1")
    note_for(people["inspector"], kind="plan_submitted")
    report = deliver()
    assert (report.emails, report.notifications) == (2, 4)
    (message,) = smtp.to("manager-SC-TC@example.cn")
    assert message["Subject"] == "[labtrack] 3 notifications"
    assert parts(message)[0].count("FC-2010-00") == 3
    assert deliver().emails == 0  # nothing left to send


def test_digest_readers_wait_for_the_daily_run(mail_app, smtp, people):
    db.session.add(Preference(user_id=people["manager"].id, delivery=Delivery.DIGEST))
    db.session.commit()
    note_for(people["manager"])
    note_for(people["manager"], kind="plan_accepted")
    assert deliver().emails == 0
    report = deliver(digest=True)
    assert (report.emails, report.notifications) == (1, 2)
    assert smtp.messages[0]["Subject"] == "[labtrack] Your daily digest: 2 notifications"


def test_no_email_when_turned_off_or_without_an_address(mail_app, smtp, people):
    db.session.add(Preference(user_id=people["manager"].id, email_enabled=False))
    people["inspector"].email = None
    db.session.commit()
    note_for(people["manager"])
    note_for(people["inspector"], kind="plan_submitted")
    assert deliver(digest=True).emails == 0
    assert smtp.messages == []
    assert db.session.scalar(select(Notification).limit(1)).read_at is None  # still in the app


def test_without_a_mail_server_notifications_stay_in_app(app, people):
    note_for(people["manager"])
    assert deliver(digest=True).emails == 0
    assert db.session.scalar(select(Notification)).emailed_at is None


def test_a_refusing_server_leaves_it_unemailed_retries_later_and_logs(mail_app, smtp, people, caplog):
    caplog.set_level(logging.WARNING, "labtrack.notify.mail")
    note_for(people["manager"])
    smtp.refuse = True
    report = deliver()
    assert (report.emails, report.failed) == (0, 1)
    note = db.session.scalar(select(Notification))
    db.session.refresh(note)
    assert note.emailed_at is None and note.email_attempts == 1 and "refused" in note.email_error
    assert note.email_next_at > utcnow() and note.email_claim is None
    assert "not sent, will retry" in caplog.text
    smtp.refuse = False
    assert deliver().emails == 0  # too early: it waits for its next try
    report = deliver(now=utcnow() + timedelta(minutes=2))
    assert report.emails == 1
    db.session.refresh(note)
    assert note.emailed_at is not None and note.email_error is None


def test_a_server_that_is_down_backs_off_and_the_notification_is_never_lost(
    mail_app, people, down_port, caplog
):
    mail_app.config["MAIL_PORT"] = down_port
    note_for(people["manager"])
    note_for(people["inspector"], kind="plan_submitted")
    report = deliver()
    assert report.emails == 0 and report.failed == 2 and "unreachable" in report.errors[0]
    pauses = []
    for _attempt in range(3):
        notes = db.session.scalars(select(Notification)).all()
        for n in notes:
            db.session.refresh(n)
        assert all(n.emailed_at is None for n in notes)
        pauses.append(min(n.email_next_at for n in notes))
        deliver(now=pauses[-1] + timedelta(seconds=1))
    gaps = [(b - a).total_seconds() / 60 for a, b in zip(pauses, pauses[1:], strict=False)]
    assert gaps[1] > gaps[0]  # 1, 2, 4 ... minutes apart
    assert "unreachable" in caplog.text


def test_two_senders_at_once_never_send_one_notification_twice(mail_app, smtp, people):
    from labtrack.notify import delivery

    note_for(people["manager"])
    # The first sender has claimed the notification (and not finished): the second skips it.
    token_holder = db.session.scalar(select(Notification))
    token_holder.email_claim, token_holder.email_claimed_at = "someone-else", utcnow()
    db.session.commit()
    assert deliver().emails == 0
    # A claim older than CLAIM_MINUTES belonged to a sender that died: it is sent.
    later = utcnow() + timedelta(minutes=delivery.CLAIM_MINUTES + 1)
    assert deliver(now=later).emails == 1
