"""The database a benchmark runs on: SQLite files (default) or a throw-away PostgreSQL server.

A benchmark asks its back-end for databases by name, creates the app's schema through it, opens
plain DB-API connections for the floors (sqlite3 / psycopg) and writes SQL once with `?`
placeholders and the few spellings that differ (`flag`, `types`, `group_by`).

    backend = open_backend("postgresql", workdir)   # starts tests.pg.TempPostgres
    url = backend.database("scope")                  # a fresh, empty database
    ...
    backend.close()
"""

import contextlib
import io
import sqlite3
from collections.abc import Iterable
from pathlib import Path

CHOICES = ("sqlite", "postgresql")


class SQLiteBackend:
    """Database files in the work folder; floors measured with the sqlite3 module."""

    name = "sqlite"
    floor_label = "plain sqlite3"
    bulk_label = "one executemany"
    types = {"pk": "INTEGER PRIMARY KEY", "real": "REAL", "date": "TEXT", "int": "INT", "text": "TEXT"}

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir

    def database(self, name: str, fresh: bool = True) -> str:
        """The URL of database `name` (a file in the work folder), emptied unless fresh=False."""
        path = self.workdir / f"{name}.db"
        if fresh:
            path.unlink(missing_ok=True)
        return f"sqlite:///{path}"

    def exists(self, name: str) -> bool:
        return (self.workdir / f"{name}.db").exists()

    def connect(self, url: str) -> sqlite3.Connection:
        """A plain sqlite3 connection to the database of `url`."""
        return sqlite3.connect(url.removeprefix("sqlite:///"))

    def create_schema(self, app) -> None:
        """The app's tables and indexes from its models."""
        from labtrack.extensions import db

        with app.app_context():
            db.create_all()
            db.engine.dispose()

    def sql(self, text: str) -> str:
        return text

    @staticmethod
    def flag(condition: str) -> str:
        """A condition as 0/1 (SQLite's comparisons already are)."""
        return f"({condition})"

    @staticmethod
    def group_by(key: str, *dependent: str) -> str:
        """GROUP BY the key; SQLite lets the columns that depend on it be selected bare."""
        return key

    @staticmethod
    def date(value) -> str:
        return value.isoformat()

    def speed_up(self, conn) -> None:
        """Bulk loading without a journal (the data set is thrown away anyway)."""
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")

    def load(self, conn, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
        """One executemany of plain tuples."""
        marks = ", ".join("?" * len(columns))
        conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def after_load(self, conn, tables: Iterable[str]) -> None:
        self.analyze(conn)

    def analyze(self, conn) -> None:
        """Planner statistics after a bulk load."""
        conn.commit()
        conn.execute("ANALYZE")
        conn.commit()

    def open_floor(self, app_url: str, fresh: bool = True):
        """A connection to the floor's minimal schema (its own file), and the prefix naming the app's tables."""
        conn = self.connect(self.database("floor", fresh))
        if fresh:
            self.speed_up(conn)
            conn.execute(f"ATTACH '{app_url.removeprefix('sqlite:///')}' AS app")
        return conn, "app."

    def version(self) -> str:
        return f"SQLite {sqlite3.sqlite_version}"

    def close(self) -> None:
        pass


class PostgresBackend(SQLiteBackend):
    """A throw-away server (tests.pg.TempPostgres) from the installed binaries; floors with psycopg."""

    name = "postgresql"
    floor_label = "plain psycopg"
    bulk_label = "COPY"
    types = {
        "pk": "integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        "real": "double precision",
        "date": "date",
        "int": "integer",
        "text": "text",
    }

    def __init__(self, workdir: Path) -> None:
        from tests.pg import TempPostgres

        super().__init__(workdir)
        self.server = TempPostgres()
        self.server.start()
        self.created: set[str] = set()

    def database(self, name: str, fresh: bool = True) -> str:
        self.created.add(name)
        return self.server.create_database(name)

    def exists(self, name: str) -> bool:
        return False  # the server lives only as long as the run

    def connect(self, url: str):
        import psycopg

        return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))

    def create_schema(self, app) -> None:
        """The production path: the Alembic migrations (`flask db upgrade`), indexes included."""
        from flask_migrate import upgrade

        from labtrack.extensions import db

        # Alembic's logging configuration writes INFO lines to stderr: keep them out of the figures.
        with app.app_context(), contextlib.redirect_stderr(io.StringIO()):
            upgrade()
            db.engine.dispose()

    def sql(self, text: str) -> str:
        return text.replace("?", "%s")

    @staticmethod
    def flag(condition: str) -> str:
        return f"({condition})::int"

    @staticmethod
    def group_by(key: str, *dependent: str) -> str:
        return ", ".join((key, *dependent))

    @staticmethod
    def date(value):
        return value

    def speed_up(self, conn) -> None:
        pass  # the server already runs with fsync and synchronous_commit off

    def load(self, conn, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
        """COPY ... FROM STDIN (text format: the server parses the values as for an INSERT)."""
        with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def after_load(self, conn, tables: Iterable[str]) -> None:
        """Move the id sequences past the explicit ids loaded, then ANALYZE."""
        for table in tables:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            )
        self.analyze(conn)

    def analyze(self, conn) -> None:
        """VACUUM ANALYZE: statistics, and the visibility map that index-only scans need.

        Right after COPY no page is marked all-visible, so every "index-only" scan still visits the
        heap for each row; autovacuum would fix that some time later, at a moment the run cannot
        control. Vacuuming here measures the steady state, the same for the app and the floor.
        """
        conn.commit()
        conn.autocommit = True
        try:
            conn.execute("VACUUM ANALYZE")
        finally:
            conn.autocommit = False

    def open_floor(self, app_url: str, fresh: bool = True):
        """The floor's minimal schema is the schema `floor` of the app's database (first on the search path)."""
        conn = self.connect(app_url)
        if fresh:
            conn.execute("DROP SCHEMA IF EXISTS floor CASCADE")
            conn.execute("CREATE SCHEMA floor")
            conn.commit()
        conn.execute("SET search_path TO floor")
        return conn, "public."

    def version(self) -> str:
        import psycopg

        with psycopg.connect(self.server.url("postgres").replace("+psycopg", "")) as conn:
            return "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0]

    def close(self) -> None:
        self.server.stop()


def open_backend(name: str, workdir: Path) -> SQLiteBackend:
    """The back-end called `name` (see CHOICES), started."""
    return PostgresBackend(workdir) if name == "postgresql" else SQLiteBackend(workdir)
