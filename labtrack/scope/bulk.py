"""Bulk writes of the scope import: DB-API executemany everywhere, COPY on PostgreSQL (psycopg 3).

Both write on the session's connection and in its transaction, so a rollback undoes either.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
from flask import current_app
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import AddConstraint, DropConstraint

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


@dataclass
class Periods:
    """New scope periods as columns (dates as ordinals, `open_end` for "still held"; basis as an
    index into `bases`), and what every one of them shares."""

    lab: np.ndarray
    item: np.ndarray
    granted: np.ndarray
    withdrawn: np.ndarray
    basis: np.ndarray
    row: np.ndarray
    open_end: int
    bases: list[str]
    reduction: str
    created_at: datetime
    import_id: int


COLUMNS = (
    "lab_id",
    "item_id",
    "granted_on",
    "withdrawn_on",
    "basis",
    "withdrawal_reason",
    "created_at",
    "import_id",
    "import_row",
)


def _day_texts(periods: Periods, process: Any) -> dict[int, Any]:
    """Each distinct date of the periods as the database driver takes it (few: dates repeat)."""
    days = np.unique(np.concatenate([periods.granted, periods.withdrawn]))
    texts = {int(d): process(date.fromordinal(int(d))) for d in days if d != periods.open_end}
    texts[periods.open_end] = None
    return texts


LOCK_WAIT = "2s"  # how long a bulk check waits for readers before it gives up and checks per row


@contextmanager
def foreign_keys_checked_once(session, table, rows: int, threshold: int) -> Iterator[bool]:
    """On PostgreSQL, around a load of `rows` rows into `table`: drop its foreign keys, and add them
    back after the load, which checks every row in one join per key instead of one trigger call
    per row and key (three per scope period: 60 % of a national import's time). Yields whether it did.

    Only for a load of at least `threshold` rows and an eighth of the table (the checks read the
    whole table). All of it happens in the session's transaction: a failed load, or a row the
    added key refuses, rolls back to the table as it was. Dropping a key locks the table against
    readers until the commit (seconds at national scale); if readers hold it for more than
    LOCK_WAIT, or the database account may not alter the table, the load keeps the keys and is
    checked per row, as a smaller one is.
    """
    keys = _drop_keys(session, table, rows, threshold)
    yield bool(keys)
    connection = session.connection()
    for fk in keys:
        connection.execute(AddConstraint(fk))


def _drop_keys(session, table, rows: int, threshold: int) -> list:
    """The foreign keys dropped for `foreign_keys_checked_once` (none: the load checks per row)."""
    connection = session.connection()
    if connection.dialect.name != "postgresql" or rows < max(threshold, 1):
        return []
    recorded = session.execute(
        text("SELECT GREATEST(reltuples, 0) FROM pg_class WHERE oid = CAST(:name AS regclass)"),
        {"name": table.name},
    ).scalar()
    if rows * 8 < (recorded or 0):
        return []
    keys = sorted(table.foreign_key_constraints, key=lambda fk: fk.name)
    try:
        with session.begin_nested():  # SAVEPOINT: a refused lock leaves the transaction usable
            inner = session.connection()
            inner.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
            for fk in keys:
                inner.execute(DropConstraint(fk))
            inner.exec_driver_sql("SET LOCAL lock_timeout TO DEFAULT")
    except DBAPIError as exc:
        # Busy (lock_not_available), or an account that may not alter the table: the savepoint
        # is rolled back and the load keeps its keys, checked per row.
        busy = getattr(exc.orig, "sqlstate", None) == "55P03"
        current_app.logger.log(
            logging.INFO if busy else logging.WARNING,
            "scope import: %s keeps its foreign keys, checked per row (%s)",
            table.name,
            "busy" if busy else str(exc.orig).strip().splitlines()[0],
        )
        return []
    return keys


def write_periods(session, periods: Periods, batch: int) -> None:
    """Insert the periods on the session's connection and in its transaction, `batch` rows at a
    time: COPY (text format, one statement) through psycopg 3, else one DB-API executemany per
    batch with the values already in the form the column types store (dates as SQLAlchemy binds
    them), so neither path goes through a Python object per value."""
    from labtrack.scope.models import ScopeEntry

    table = ScopeEntry.__table__
    connection = session.connection()
    dialect = connection.dialect
    created = table.c.created_at.type.bind_processor(dialect)
    created_at = created(periods.created_at) if created else periods.created_at
    process = table.c.granted_on.type.bind_processor(dialect) or (lambda value: value)
    days = _day_texts(periods, process)
    n = len(periods.lab)
    copy = copy_connection(session)
    if copy is None:
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        statement = (
            f"INSERT INTO {table.name} ({', '.join(COLUMNS)}) VALUES ({', '.join([mark] * len(COLUMNS))})"
        )
        for start in range(0, n, batch):
            connection.exec_driver_sql(
                statement, list(_values(periods, days, created_at, start, start + batch))
            )
        return
    texts = {k: "\\N" if v is None else str(v) for k, v in days.items()}
    stamp = str(periods.created_at)
    statement = f"COPY {table.name} ({', '.join(COLUMNS)}) FROM STDIN"
    with sqlalchemy_errors(statement), copy.cursor() as cursor, cursor.copy(statement) as stream:
        for start in range(0, n, batch):
            stream.write(
                "".join(
                    f"{lab}\t{item}\t{g}\t{w}\t{basis}\t{reason}\t{stamp}\t{periods.import_id}\t{row}\n"
                    for lab, item, g, w, basis, reason, row in _values(
                        periods, texts, None, start, start + batch, text=True
                    )
                )
            )


def _values(periods: Periods, days: dict, created_at: Any, start: int, stop: int, text: bool = False):
    """Rows [start, stop) of the periods, as tuples of the INSERT's values (or COPY's texts)."""
    bases = periods.bases
    open_end = periods.open_end
    reduction = periods.reduction
    none = "\\N" if text else None
    columns = zip(
        periods.lab[start:stop].tolist(),
        periods.item[start:stop].tolist(),
        periods.granted[start:stop].tolist(),
        periods.withdrawn[start:stop].tolist(),
        periods.basis[start:stop].tolist(),
        periods.row[start:stop].tolist(),
        strict=True,
    )
    if text:
        for lab, item, g, w, basis, row in columns:
            yield lab, item, days[g], days[w], bases[basis], none if w == open_end else reduction, row
        return
    import_id = periods.import_id
    for lab, item, g, w, basis, row in columns:
        yield (
            lab,
            item,
            days[g],
            days[w],
            bases[basis],
            None if w == open_end else reduction,
            created_at,
            import_id,
            row,
        )
