"""Reading the history of a record."""

from sqlalchemy import select

from labtrack.extensions import db
from labtrack.history.models import HistoryEntry


def history_of(table_name: str, record_id: int, limit: int = 200) -> list[HistoryEntry]:
    """The newest history rows of one record."""
    stmt = (
        select(HistoryEntry)
        .where(HistoryEntry.table_name == table_name, HistoryEntry.record_id == record_id)
        .order_by(HistoryEntry.at.desc(), HistoryEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def history_for(obj) -> list[HistoryEntry]:
    """The history of a model instance."""
    return history_of(obj.__tablename__, obj.id)
