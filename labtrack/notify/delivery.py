"""Sending notifications by e-mail: one message per recipient and run, in their language.

Every minute the worker sends what users who chose "immediately" have waiting; the daily run
(`send-reminders`) sends everyone's, which is the daily digest of those who chose it. Each
recipient gets one e-mail per run, however many notifications it carries. Notifications are
claimed before sending (so two senders at once never send one twice); a refusal leaves them
un-e-mailed with the next try after 1, 2, 4, ... minutes (at most MAIL_RETRY_MAX_MINUTES), logged.
"""

import logging
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import ngettext as _n
from sqlalchemy import bindparam, func, or_, select, update

from labtrack.extensions import db
from labtrack.models_base import utcnow
from labtrack.notify import mail, messages
from labtrack.notify.models import Delivery, Notification, Preference
from labtrack.notify.service import shown

log = logging.getLogger("labtrack.notify.mail")

BATCH = 500  # recipients per claim
CLAIM_MINUTES = 15  # a claim older than this belonged to a sender that died: free again
LISTED = 100  # notifications listed in one e-mail (the rest: "and N more")


@dataclass(frozen=True)
class Recipient:
    """Who an e-mail goes to, as composing it needs them."""

    id: int
    username: str
    full_name: str | None
    email: str
    locale: str | None


@dataclass
class DeliveryReport:
    """What a run sent."""

    emails: int = 0
    notifications: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _waiting(now: datetime) -> list[Any]:
    """Conditions on notifications that wait for e-mail now."""
    config = current_app.config
    return [
        Notification.emailed_at.is_(None),
        Notification.created_at >= now - timedelta(days=config["MAIL_MAX_AGE_DAYS"]),
        or_(Notification.email_next_at.is_(None), Notification.email_next_at <= now),
        or_(
            Notification.email_claim.is_(None),
            Notification.email_claimed_at < now - timedelta(minutes=CLAIM_MINUTES),
        ),
    ]


def _recipients(now: datetime, digest: bool) -> list[int]:
    """Users with e-mail on and something waiting (digest runs: everyone; else only "immediately")."""
    from labtrack.auth.models import User

    stmt = (
        select(Notification.recipient_id)
        .join(User, User.id == Notification.recipient_id)
        .outerjoin(Preference, Preference.user_id == User.id)
        .where(*_waiting(now), User.active.is_(True), User.email.is_not(None), User.email != "")
        .where(func.coalesce(Preference.email_enabled, True).is_(True))
        .distinct()
    )
    if not digest:
        stmt = stmt.where(
            func.coalesce(Preference.delivery, Delivery.IMMEDIATE.value) == Delivery.IMMEDIATE.value
        )
    return sorted(db.session.scalars(stmt))


def deliver(digest: bool = False, now: datetime | None = None) -> DeliveryReport:
    """Send what is waiting, one e-mail per recipient. Nothing when no mail server is configured."""
    report = DeliveryReport()
    config = current_app.config
    if not mail.configured(config):
        return report
    now = now or utcnow()
    recipients = _recipients(now, digest)
    connections = max(1, int(config.get("MAIL_CONNECTIONS", 4)))
    senders = [mail.Sender(config) for _ in range(connections)]
    try:
        with current_app.test_request_context("/"), ThreadPoolExecutor(connections) as pool:
            for start in range(0, len(recipients), BATCH):
                batch = recipients[start : start + BATCH]
                if not _batch(pool, senders, batch, now, digest, report):
                    break  # the server is down: the rest waits for the next run
    finally:
        for sender in senders:
            sender.close()
    return report


_COLUMNS = (
    Notification.id,
    Notification.recipient_id,
    Notification.kind,
    Notification.record_table,
    Notification.record_id,
    Notification.params,
    Notification.created_at,
    Notification.read_at,
)


def _batch(
    pool: ThreadPoolExecutor,
    senders: list[mail.Sender],
    batch: list[int],
    now: datetime,
    digest: bool,
    report: DeliveryReport,
) -> bool:
    """Claim, compose, send (over several connections) and record one batch of recipients.

    False when the mail server is down (what was not sent stays waiting, with its next try set).
    """
    from labtrack.auth.models import User

    token = secrets.token_hex(16)
    db.session.execute(
        update(Notification)
        .where(Notification.recipient_id.in_(batch), *_waiting(now))
        .values(email_claim=token, email_claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    rows = db.session.execute(
        select(*_COLUMNS)
        .where(Notification.email_claim == token)
        .order_by(Notification.recipient_id, Notification.created_at.desc(), Notification.id.desc())
    ).all()
    by_user: dict[int, list[Any]] = {}
    for row in rows:
        by_user.setdefault(row.recipient_id, []).append(row)
    # Plain values, not ORM objects: the sender threads compose from them outside the session.
    users = {
        row.id: Recipient(row.id, row.username, row.full_name, row.email, row.locale)
        for row in db.session.execute(
            select(User.id, User.username, User.full_name, User.email, User.locale).where(
                User.id.in_(list(by_user))
            )
        )
    }

    down = threading.Event()
    work = list(by_user.items())
    lanes = [work[i :: len(senders)] for i in range(len(senders))]
    app = current_app._get_current_object()

    def send_lane(sender: mail.Sender, lane: list) -> list[tuple[int, str | None, bool]]:
        # Each lane composes its own messages just before sending them: one connection's
        # composing overlaps the others' waits on the mail server (composing everything first,
        # then sending, left the server idle for a third of the run at national scale).
        outcomes = []
        with app.test_request_context("/"):
            for uid, items in lane:
                if down.is_set():
                    outcomes.append((uid, "mail server down", True))
                    continue
                try:
                    sender.send(compose(users[uid], items, digest))
                    outcomes.append((uid, None, False))
                except mail.MailError as exc:
                    outcomes.append((uid, str(exc)[:500], exc.down))
                    if exc.down:
                        down.set()
        return outcomes

    sent, failed = [], []
    for outcomes in pool.map(send_lane, senders, lanes):
        for uid, error, is_down in outcomes:
            count = len(by_user[uid])
            if error is None:
                sent.append({"r": uid})
                report.emails += 1
                report.notifications += count
                continue
            failed.append({"r": uid, "n": count, "error": error})
            report.failed += count
            log.warning(
                "e-mail to %s (%s notifications) not sent, will retry: %s", users[uid].username, count, error
            )
            if is_down and error not in report.errors and error != "mail server down":
                report.errors.append(error)
    _record(token, now, sent, failed)
    return not down.is_set()


def _record(token: str, now: datetime, sent: list[dict], failed: list[dict]) -> None:
    """Mark what went (e-mailed) and what did not (next try later, with a growing pause)."""
    table = Notification.__table__
    if sent:
        db.session.execute(
            update(table)
            .where(table.c.email_claim == token, table.c.recipient_id == bindparam("r"))
            .values(emailed_at=now, email_claim=None, email_error=None),
            sent,
        )
    if failed:
        cap = current_app.config["MAIL_RETRY_MAX_MINUTES"]
        claimed = db.session.execute(
            select(table.c.id, table.c.recipient_id, table.c.email_attempts).where(
                table.c.email_claim == token
            )
        ).all()
        errors = {f["r"]: f["error"] for f in failed}
        rows = [
            {
                "nid": nid,
                "attempts": attempts + 1,
                "next_at": now + timedelta(minutes=min(2**attempts, cap)),
                "error": errors[rid],
            }
            for nid, rid, attempts in claimed
            if rid in errors
        ]
        if rows:
            db.session.execute(
                update(table)
                .where(table.c.id == bindparam("nid"))
                .values(
                    email_attempts=bindparam("attempts"),
                    email_next_at=bindparam("next_at"),
                    email_error=bindparam("error"),
                    email_claim=None,
                ),
                rows,
            )
    db.session.commit()


def compose(user: Any, notes: list[Any], digest: bool) -> mail.Mail:
    """The e-mail of one recipient, in their language (text and HTML)."""
    locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        items = [shown(n, external=True) for n in notes[:LISTED]]
        more = max(0, len(notes) - LISTED)
        if len(notes) == 1 and not digest:
            subject = f"[labtrack] {items[0].text}"
        elif digest:
            subject = _n(
                "[labtrack] Your daily digest: %(num)d notification",
                "[labtrack] Your daily digest: %(num)d notifications",
                len(notes),
            )
        else:
            subject = _n("[labtrack] %(num)d notification", "[labtrack] %(num)d notifications", len(notes))
        context = {
            "user": user,
            "items": items,
            "more": more,
            "digest": digest,
            "list_url": messages.absolute(url_for("notify.index")),
            "preferences_url": messages.absolute(url_for("notify.preferences")),
            "locale": locale,
        }
        # The templates straight from the Jinja environment: render_template would run every
        # context processor (the signed-in user, CSRF, ...) for each of thousands of e-mails.
        env = current_app.jinja_env
        text = env.get_template("notify/email_text.html").render(**context)
        html = env.get_template("notify/email.html").render(**context)
    return mail.Mail(to=user.email, subject=subject[:200], text=text, html=html)
