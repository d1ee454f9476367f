"""History rows: who changed which record, when, from what to what."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from labtrack.extensions import db
from labtrack.models_base import utcnow


class HistoryEntry(db.Model):
    """One insert, update or delete of a domain record. Never edited or deleted."""

    __tablename__ = "history_entries"
    __table_args__ = (Index("ix_history_entries_record", "table_name", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str | None] = mapped_column(String(64))
    table_name: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(16))  # insert | update | delete | a workflow verb
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    comment: Mapped[str | None] = mapped_column(String(2000))


@event.listens_for(HistoryEntry, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    raise RuntimeError("history rows are append-only")


@event.listens_for(HistoryEntry, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise RuntimeError("history rows are append-only")
