"""Notifications (one row per recipient and event or reminder) and each user's delivery choice."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from labtrack.extensions import db
from labtrack.history.tracking import Tracked
from labtrack.models_base import utcnow


class Delivery(StrEnum):
    """When a user's e-mails go out."""

    IMMEDIATE = "immediate"
    DIGEST = "digest"


DELIVERY_LABELS = {
    Delivery.IMMEDIATE: _l("One e-mail per notification, as it happens"),
    Delivery.DIGEST: _l("One daily digest"),
}


class Notification(db.Model):
    """Something a user should know or do, about one record; text rendered when shown or sent.

    `kind` is a message key of `labtrack.notify.messages` and `params` what it needs, so the text
    is written in the reader's language. Reminders carry `reminder_on` (the day they were computed
    for): one per recipient, record, tier and day, enforced by the unique constraint so that two
    runs at once never duplicate one. Event notifications leave it NULL (never equal in SQL).
    Not Tracked: a notification is itself a log line, and reminders write the record's history.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint(
            "recipient_id",
            "record_table",
            "record_id",
            "kind",
            "reminder_on",
            name="uq_notifications_reminder",
        ),
        Index("ix_notifications_recipient_read", "recipient_id", "read_at"),
        Index("ix_notifications_mail", "emailed_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    record_table: Mapped[str | None] = mapped_column(String(64))
    record_id: Mapped[int | None]
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reminder_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]
    # Delivery by e-mail: attempts so far, when to try again, the last refusal, and the claim
    # of the sender now working on it (so that two senders never send one notification twice).
    email_attempts: Mapped[int] = mapped_column(default=0)
    email_next_at: Mapped[datetime | None]
    email_error: Mapped[str | None] = mapped_column(String(500))
    email_claim: Mapped[str | None] = mapped_column(String(32))
    email_claimed_at: Mapped[datetime | None]

    recipient: Mapped["User"] = relationship()  # noqa: F821

    @property
    def is_read(self) -> bool:
        """The recipient has marked it read."""
        return self.read_at is not None

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} to {self.recipient_id}>"


class Preference(Tracked, db.Model):
    """How a user wants to hear: e-mail on or off, immediately or in one daily digest."""

    __tablename__ = "notify_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    delivery: Mapped[Delivery] = mapped_column(String(10), default=Delivery.IMMEDIATE)
    email_enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped["User"] = relationship()  # noqa: F821
