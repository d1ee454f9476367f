"""Writes a history row for every insert, update and delete of a Tracked model."""

import enum
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from flask import has_request_context
from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from labtrack.models_base import utcnow


class Tracked:
    """Mixin: changes to this model are written to the history automatically.

    `__story_day__` names the date (a dotted path: `"session.starts_on"`) on which a record of
    the demo's story came about; while `session.info["story_days"]` is set (the demo loading), its
    insert is dated then (09:00, never later than now) rather than at the moment of loading."""

    __history_exclude__: tuple[str, ...] = ()
    __story_day__: str | None = None


def story_time(obj: Any) -> datetime | None:
    """When the story says `obj` came about (its `__story_day__` at 09:00, never in the future)."""
    path = type(obj).__story_day__
    value: Any = obj
    for part in (path or "").split(".") if path else ():
        value = getattr(value, part, None)
        if value is None:
            return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(9, 0))
    else:
        return None
    return min(moment, utcnow())


def _noop_set(target, value, oldvalue, initiator):
    return value


@event.listens_for(Tracked, "mapper_configured", propagate=True)
def _load_old_values(mapper, cls) -> None:
    """Make every column load its old value before it is set, so history shows old -> new even
    when the record was expired by a commit (a set listener with active_history does that)."""
    for attr in mapper.column_attrs:
        event.listen(getattr(cls, attr.key), "set", _noop_set, active_history=True, retval=True)


def set_actor(session: Session, user: Any) -> None:
    """Name the user whose actions the following flushes record (CLI, services)."""
    session.info["actor"] = user


def set_comment(session: Session, comment: str | None) -> None:
    """Attach a comment (a reason, a transition note) to the next flush's history rows."""
    session.info["history_comment"] = comment


def set_time(session: Session, at: datetime | None) -> None:
    """Date the history rows of the following flushes at `at` (a demo telling a story of past
    days); None goes back to the present moment."""
    if at is None:
        session.info.pop("history_at", None)
    else:
        session.info["history_at"] = at


def current_actor(session: Session) -> Any:
    """The user to record: the one set on the session, else the signed-in user."""
    actor = session.info.get("actor")
    if actor is None and has_request_context():
        from flask_login import current_user

        if current_user and current_user.is_authenticated:
            actor = current_user
    return actor


def to_json(value: Any) -> Any:
    """A JSON-safe form of a column value."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def _columns(obj: Tracked) -> list[Any]:
    exclude = set(obj.__history_exclude__)
    return [a for a in inspect(obj).mapper.column_attrs if a.key not in exclude]


def _insert_changes(obj: Tracked) -> dict[str, list]:
    changes = {}
    for attr in _columns(obj):
        value = getattr(obj, attr.key)
        if value is not None and attr.key != "id":
            changes[attr.key] = [None, to_json(value)]
    return changes


def _update_changes(obj: Tracked) -> dict[str, list]:
    state = inspect(obj)
    changes = {}
    for attr in _columns(obj):
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if old != new:
            changes[attr.key] = [to_json(old), to_json(new)]
    return changes


def _delete_changes(obj: Tracked) -> dict[str, list]:
    return {
        a.key: [to_json(getattr(obj, a.key)), None]
        for a in _columns(obj)
        if getattr(obj, a.key) is not None and a.key != "id"
    }


def history_row(actor: Any, table: str, record_id: int, action: str, changes: dict, comment=None, at=None):
    """The column values of one history row (at the present moment unless `at` is given)."""
    return {
        "at": at or utcnow(),
        "user_id": getattr(actor, "id", None),
        "username": getattr(actor, "username", None),
        "table_name": table,
        "record_id": record_id,
        "action": action,
        "changes": changes,
        "comment": comment,
    }


def _after_flush(session: Session, flush_context: Any) -> None:
    from labtrack.history.models import HistoryEntry

    actor = current_actor(session)
    comment = session.info.get("history_comment")  # the unit of work's: every flush until it ends
    rows = []
    for obj in session.new:
        if isinstance(obj, Tracked):
            rows.append(("insert", obj, _insert_changes(obj)))
    for obj in session.dirty:
        if isinstance(obj, Tracked) and session.is_modified(obj, include_collections=False):
            changes = _update_changes(obj)
            if changes:
                rows.append(("update", obj, changes))
    for obj in session.deleted:
        if isinstance(obj, Tracked):
            rows.append(("delete", obj, _delete_changes(obj)))
    if not rows:
        return
    at = session.info.get("history_at")
    story = session.info.get("story_days", False)
    values = [
        history_row(
            actor,
            obj.__tablename__,
            inspect(obj).mapper.primary_key_from_instance(obj)[0],
            action,
            changes,
            comment,
            (story_time(obj) if story and action == "insert" else None) or at,
        )
        for action, obj, changes in rows
    ]
    session.connection().execute(insert(HistoryEntry), values)


def record_bulk(session: Session, table: str, entries: list[tuple[int, str, dict]], comment=None):
    """Write history rows for changes made with bulk SQL (imports), in one executemany."""
    from labtrack.history.models import HistoryEntry

    if not entries:
        return
    actor = current_actor(session)
    at = session.info.get("history_at")
    values = [history_row(actor, table, rid, action, ch, comment, at) for rid, action, ch in entries]
    session.execute(insert(HistoryEntry), values)


def record_bulk_copy(session: Session, table: str, entries: list[tuple[int, str, dict]], comment=None):
    """`record_bulk` for PostgreSQL with psycopg 3: the same rows, loaded with COPY ... FROM STDIN.

    COPY runs on the session's own connection, inside its transaction (a rollback undoes it); the
    ids come from the table's sequence (the column's default). `changes` is serialised by the
    column type's own bind processor, so the stored JSON text is what `record_bulk` would store.
    """
    from labtrack.history.models import HistoryEntry

    if not entries:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql" or connection.dialect.driver != "psycopg":
        raise RuntimeError("record_bulk_copy needs PostgreSQL through psycopg 3; use record_bulk")
    actor = current_actor(session)
    at = session.info.get("history_at")  # a demo's story date, as record_bulk honours it
    columns = list(history_row(actor, table, 0, "insert", {}, comment))
    json_text = HistoryEntry.__table__.c.changes.type.bind_processor(connection.dialect)
    position = columns.index("changes")
    statement = f"COPY {HistoryEntry.__tablename__} ({', '.join(columns)}) FROM STDIN"
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for rid, action, ch in entries:
            values = list(history_row(actor, table, rid, action, ch, comment, at).values())
            values[position] = json_text(values[position])
            copy.write_row(values)


def _forget_comment(session: Session, *_args: Any) -> None:
    """A unit of work's comment ends with it (committed or rolled back)."""
    session.info.pop("history_comment", None)


def install() -> None:
    """Listen to every ORM session's flushes (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
    for name in ("after_commit", "after_rollback"):
        if not event.contains(Session, name, _forget_comment):
            event.listen(Session, name, _forget_comment)
