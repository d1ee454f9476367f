"""Bulk writes of the scope import: Core executemany everywhere, COPY on PostgreSQL (psycopg 3).

Both write on the session's connection and in its transaction, so a rollback undoes either.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError

from labtrack.extensions import db


def insert_returning(table, rows: list[dict]) -> list[int]:
    """Insert rows with one Core executemany and return their ids in the rows' order."""
    if not rows:
        return []
    result = db.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return [r[0] for r in result]


def copy_connection(session) -> Any:
    """The psycopg 3 connection under the session's transaction on PostgreSQL, else None (Core path)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        return connection.connection.driver_connection
    return None


@contextmanager
def sqlalchemy_errors(statement: str) -> Iterator[None]:
    """Raise a failing COPY's psycopg error as SQLAlchemy's (IntegrityError, ...), like the Core path."""
    import psycopg

    try:
        yield
    except psycopg.Error as exc:
        raise DBAPIError.instance(statement, None, exc, psycopg.Error) from exc


def copy_insert(session, driver_connection, table, rows: list[dict]) -> list[int]:
    """Insert `rows` with COPY on the session's connection, ids reserved from the sequence first.

    The same rows as `_insert_returning` would write, ids increasing in the rows' order; a rollback
    of the session's transaction removes them (the sequence only moves on, as after any rollback).
    """
    if not rows:
        return []
    ids = sorted(
        session.execute(
            text(f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) FROM generate_series(1, :n)"),
            {"n": len(rows)},
        ).scalars()
    )
    columns = list(rows[0])
    statement = f"COPY {table.name} (id, {', '.join(columns)}) FROM STDIN"
    with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for new_id, row in zip(ids, rows, strict=True):
            copy.write_row((new_id, *(row[c] for c in columns)))
    return ids
