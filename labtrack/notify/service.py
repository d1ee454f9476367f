"""Notifications: adding them (from event receivers and reminders), reading and marking them,
and each user's delivery preference."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select, update

from labtrack.extensions import db
from labtrack.models_base import utcnow
from labtrack.notify import messages, policy
from labtrack.notify.models import Delivery, Notification, Preference
from labtrack.services import InvalidInput, load, transaction


def record_ref(record: Any) -> tuple[str | None, int | None]:
    """(table, id) of a model instance, or the pair itself."""
    if record is None:
        return None, None
    if isinstance(record, tuple):
        return record
    if getattr(record, "id", None) is None:
        db.session.flush()  # a record created in this unit of work: give it its id
    return record.__tablename__, record.id


def notify(
    kind: str, recipients: Iterable[Any], record: Any = None, params: dict | None = None, actor: Any = None
) -> list[Notification]:
    """Add a notification of `kind` for each recipient (users), inside the current unit of work.

    The actor is left out unless the policy says otherwise, as are unreachable (disabled) users;
    each recipient is told once. Never commits.
    """
    table, record_id = record_ref(record)
    actor_id = getattr(actor, "id", None)
    seen: set[int] = set()
    added = []
    for user in recipients:
        if user is None or user.id in seen or not policy.reachable(user):
            continue
        if actor_id is not None and user.id == actor_id and not policy.told_of_own_action(kind):
            continue
        seen.add(user.id)
        note = Notification(
            recipient_id=user.id,
            kind=kind,
            record_table=table,
            record_id=record_id,
            params=dict(params or {}),
        )
        db.session.add(note)
        added.append(note)
    return added


# --- reading -----------------------------------------------------------------------------------


def notifications_query(actor: Any, unread: bool = False) -> Select:
    """The actor's own notifications, newest first."""
    stmt = select(Notification).where(Notification.recipient_id == getattr(actor, "id", -1))
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt.order_by(Notification.created_at.desc(), Notification.id.desc())


def unread_count(actor: Any) -> int:
    """How many of the actor's notifications are unread."""
    if getattr(actor, "id", None) is None:
        return 0
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.recipient_id == actor.id, Notification.read_at.is_(None))
    )


@dataclass(frozen=True)
class Shown:
    """A notification as a page or an e-mail shows it (text in the current language)."""

    id: int
    kind: str
    text: str
    url: str | None
    created_at: Any
    read: bool
    record_table: str | None
    record_id: int | None


def shown(note: Notification, external: bool = False) -> Shown:
    """Render a notification in the current language."""
    return Shown(
        note.id,
        note.kind,
        messages.text(note.kind, note.params),
        messages.link(note.record_table, note.record_id, note.params, external=external),
        note.created_at,
        note.read_at is not None,
        note.record_table,
        note.record_id,
    )


def get(actor: Any, notification_id: int) -> Notification:
    """One of the actor's notifications (404 for anyone else's)."""
    return load(
        Notification, notification_id, visible=lambda n: policy.sees(actor, n), what=_("notification")
    )


def mark_read(actor: Any, notification_id: int) -> Notification:
    """Mark one of the actor's notifications read (again: no change)."""
    note = get(actor, notification_id)
    with transaction(actor):
        if note.read_at is None:
            note.read_at = utcnow()
    return note


def mark_all_read(actor: Any) -> int:
    """Mark every unread notification of the actor read; how many there were."""
    with transaction(actor):
        done = db.session.execute(
            update(Notification)
            .where(Notification.recipient_id == actor.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
        )
    return done.rowcount


# --- preferences -------------------------------------------------------------------------------


def preference_of(user: Any) -> Preference:
    """The user's delivery preference (the defaults when they never chose: immediately, e-mail on)."""
    found = db.session.get(Preference, user.id)
    return found or Preference(user_id=user.id, delivery=Delivery.IMMEDIATE, email_enabled=True)


def save_preference(actor: Any, delivery: str, email_enabled: bool) -> Preference:
    """Save the actor's own choice of delivery."""
    try:
        choice = Delivery(delivery)
    except ValueError:
        raise InvalidInput(
            _("Choose how to receive e-mail."), {"delivery": [_("Choose how to receive e-mail.")]}
        ) from None
    with transaction(actor, _("Notification preferences")):
        pref = db.session.get(Preference, actor.id)
        if pref is None:
            pref = Preference(user_id=actor.id)
            db.session.add(pref)
        pref.delivery, pref.email_enabled = choice, bool(email_enabled)
    return pref
