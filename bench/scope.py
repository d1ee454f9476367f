"""Scope benchmark: growth (everyone, a region, a lab), a 500,000-row import, a 1,500-item scope page.

Each figure is printed beside a floor measured in the same run by plain sqlite3 (or, with
`--db postgresql`, plain psycopg) on a minimal schema (entries, items, labs; the same covering
indexes) producing the same answer. `--db postgresql` starts a throw-away server from the
installed binaries (tests.pg.TempPostgres), creates the schema with the migrations and loads the
data set with COPY.

    python -m bench.scope [--scale tiny|small|full] [--db sqlite|postgresql] [--keep]
"""

import argparse
import csv
import os
import resource
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from bench import scope_data
from bench._backend import CHOICES, SQLiteBackend, open_backend

A, B = date(2014, 12, 31), date(2019, 12, 31)


def best(fn, repeat: int = 3):
    """The fastest of a few runs (seconds) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def make_app(url: str, upload: str):
    from config import TestingConfig
    from labtrack import create_app

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        UPLOAD_FOLDER = upload
        SERVER_NAME = None

    return create_app(Config)


def build(backend: SQLiteBackend, url: str, scale: str) -> dict:
    """Create the schema through the app (models / migrations), then fill it in bulk."""
    backend.create_schema(make_app(url, tempfile.mkdtemp()))
    return scope_data.generate(url, scale, backend=backend)


def build_floor(backend: SQLiteBackend, url: str) -> None:
    """The minimal schema the floor reads: the same rows and the same kind of indexes."""
    conn, app = backend.open_floor(url)
    t = backend.types
    for statement in (
        f"CREATE TABLE labs (id {t['int']} PRIMARY KEY, region {t['text']})",
        f"CREATE TABLE items (id {t['int']} PRIMARY KEY, category_id {t['int']}, parameters {t['int']})",
        f"CREATE TABLE entries (lab_id {t['int']}, item_id {t['int']}, g {t['date']}, w {t['date']})",
        f"INSERT INTO labs SELECT id, region FROM {app}labs",
        f"INSERT INTO items SELECT id, category_id, parameters FROM {app}test_items",
        f"INSERT INTO entries SELECT lab_id, item_id, granted_on, withdrawn_on FROM {app}scope_entries",
        "CREATE INDEX e_asof ON entries (g, w, item_id)",
        "CREATE INDEX e_lab ON entries (lab_id, g, w, item_id)",
        "CREATE INDEX l_region ON labs (region)",
    ):
        conn.execute(statement)
    backend.analyze(conn)
    conn.close()


def floor_growth(backend: SQLiteBackend, conn, a, b, region: str | None = None) -> dict:
    """The same figures with one GROUP BY per item and a little Python over at most 5,000 rows."""
    where = "AND lab_id IN (SELECT id FROM labs WHERE region = ?)" if region else ""
    args = [a, a, b, b, a, a, b, a] + ([region] if region else [])
    flag = backend.flag
    rows = conn.execute(
        backend.sql(f"""
        SELECT e.item_id, i.category_id, COALESCE(i.parameters, 0),
               MAX({flag("e.g <= ? AND (e.w IS NULL OR e.w > ?)")}), MAX({flag("e.w IS NULL OR e.w > ?")}),
               SUM({flag("e.w IS NULL OR e.w > ?")}) , SUM({flag("e.g <= ? AND (e.w IS NULL OR e.w > ?)")})
        FROM entries e JOIN items i ON i.id = e.item_id
        WHERE e.g <= ? AND (e.w IS NULL OR e.w > ?) {where}
        GROUP BY {backend.group_by("e.item_id", "i.category_id", "i.parameters")}"""),
        args,
    ).fetchall()
    cats_a = {c for _, c, _, x, _, _, _ in rows if x}
    cats_b = {c for _, c, _, _, y, _, _ in rows if y}
    return {
        "items_from": sum(r[3] for r in rows),
        "items_to": sum(r[4] for r in rows),
        "categories_from": len(cats_a),
        "categories_to": len(cats_b),
        "parameters_from": sum(r[2] for r in rows if r[3]),
        "parameters_to": sum(r[2] for r in rows if r[4]),
        "items_added": sorted(r[0] for r in rows if r[4] and not r[3]),
        "categories_added": sorted(cats_b - cats_a),
    }


def _same(ours, floor: dict, id_of_code) -> bool:
    keys = ("items_from", "items_to", "categories_from", "categories_to", "parameters_from", "parameters_to")
    return (
        all(getattr(ours, k) == floor[k] for k in keys)
        and sorted(id_of_code(c) for c in ours.items_added) == floor["items_added"]
    )


def write_import_file(path: str, rows: int, first_lab: int, labs: int) -> None:
    """A scope CSV of `rows` periods for `labs` new labs (catalogue items, one period each)."""
    from labtrack.scope.import_check import HEADER

    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        per_lab = rows // labs
        for n in range(rows):
            lab = first_lab + n // per_lab
            item = n % per_lab + 1
            cat = (item - 1) % scope_data.CATEGORIES + 1
            writer.writerow(
                [
                    f"BL{lab:05d}",
                    f"K{cat:03d}",
                    f"检测大类 {cat}",
                    f"T{item:05d}",
                    f"检测项目 {item}",
                    f"GB/T {10000 + item}-2010",
                    "",
                    f"20{10 + n % 12:02d}-0{1 + n % 9}-15",
                    "" if n % 7 else "2024-06-30",
                ]
            )


def bench_import(backend: SQLiteBackend, workdir: Path, rows: int) -> dict:
    """Our import of `rows` rows (streamed, bulk) against plain csv loaded into a minimal table in bulk
    (SQLite: one executemany; PostgreSQL: COPY ... FROM STDIN, as issue 11 names the floor)."""
    url = backend.database("import")
    labs = 500
    app = make_app(url, str(workdir / "uploads"))
    from labtrack.extensions import db

    backend.create_schema(app)
    conn = backend.connect(url)
    backend.load(
        conn,
        "labs",
        scope_data.LAB_COLUMNS,
        (
            (
                i,
                f"BL{i:05d}",
                f"bl{i:05d}",
                f"L{i}",
                "R",
                "regional_lab",
                "active",
                0,
                "2025-01-01",
                "2025-01-01",
            )
            for i in range(1, labs + 1)
        ),
    )
    backend.after_load(conn, ["labs"])
    conn.close()
    csv_path = str(workdir / "import.csv")
    write_import_file(csv_path, rows, 1, labs)
    # Floor: parse the CSV and load it in bulk into a minimal table with the same three indexes.
    floor_db = backend.connect(backend.database("floor_import"))
    t = backend.types
    for statement in (
        f"CREATE TABLE e (lab {t['text']}, item {t['text']}, g {t['date']}, w {t['date']})",
        "CREATE INDEX e1 ON e (g, w, item)",
        "CREATE INDEX e2 ON e (item, lab, g)",
        "CREATE INDEX e3 ON e (lab, g, w, item)",
    ):
        floor_db.execute(statement)
    floor_db.commit()
    started = time.perf_counter()
    with open(csv_path, encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        backend.load(
            floor_db, "e", ("lab", "item", "g", "w"), ((r[0], r[3], r[7], r[8] or None) for r in reader)
        )
    floor_db.commit()
    floor = time.perf_counter() - started
    floor_db.close()
    from labtrack.scope.importer import import_scope

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with app.test_request_context():
        started = time.perf_counter()
        report = import_scope(csv_path, actor=None, comment="bench")
        ours = time.perf_counter() - started
        # The same file again: every row matches a recorded period (checked, nothing written).
        started = time.perf_counter()
        again = import_scope(csv_path, actor=None, comment="bench again")
        reimport = time.perf_counter() - started
        db.engine.dispose()
    assert again.applied and again.unchanged == rows, (again.unchanged, again.errors[:5])
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert report.applied, report.errors[:5]
    size = os.path.getsize(csv_path) / 1e6
    return {
        "rows": rows,
        "ours": ours,
        "reimport": reimport,
        "floor": floor,
        "file_mb": size,
        "rss_growth_mb": (after - before) / 1024,
        "periods": report.new_periods,
    }


def main(argv: list[str] | None = None) -> None:
    """Build the data set, run each measurement, print figure / floor / ratio / target."""
    parser = argparse.ArgumentParser(prog="python -m bench.scope")
    parser.add_argument("--scale", choices=list(scope_data.SCALES), default="small")
    parser.add_argument("--db", choices=CHOICES, default="sqlite", help="the database to measure on")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the SQLite databases in /tmp for another run (PostgreSQL: always fresh)",
    )
    args = parser.parse_args(argv)
    suffix = "" if args.db == "sqlite" else f"-{args.db}"
    workdir = Path(tempfile.gettempdir()) / f"labtrack-bench-scope-{args.scale}{suffix}"
    workdir.mkdir(exist_ok=True)
    backend = open_backend(args.db, workdir)
    try:
        run(backend, workdir, args.scale, args.keep)
    finally:
        backend.close()


def run(backend: SQLiteBackend, workdir: Path, scale: str, keep: bool) -> None:
    """Every figure on one back-end."""
    import_rows = 500_000 if scale == "full" else (25_000 if scale == "small" else 2_000)
    floor_name = backend.floor_label
    print(f"scale={scale} db={backend.name} ({backend.version()}); load average {os.getloadavg()[0]:.2f}")
    result = bench_import(backend, workdir, import_rows)
    print(
        f"import {result['rows']:,} rows ({result['file_mb']:.0f} MB CSV): {result['ours']:.2f} s; "
        f"floor (csv + {backend.bulk_label}, minimal table) {result['floor']:.2f} s; "
        f"ratio {result['ours'] / result['floor']:.2f}x (target <= 3x); peak RSS growth {result['rss_growth_mb']:.0f} MB"
    )
    print(
        f"import the same file again (all {result['rows']:,} rows unchanged): {result['reimport']:.2f} s; "
        f"ratio {result['reimport'] / result['floor']:.2f}x the same floor"
    )
    reuse = keep and backend.exists("scope") and backend.exists("floor")
    url = backend.database("scope", fresh=not reuse)
    if not reuse:
        info = build(backend, url, scale)
        print(
            f"data set: {info['labs']:,} labs, {info['categories']} categories, {info['items']:,} items, "
            f"{info['periods']:,} lab-item periods (generated in {info['seconds']} s)"
        )
        started = time.perf_counter()
        build_floor(backend, url)
        print(
            f"floor schema ({floor_name}: labs, items, entries, 3 indexes) built in {time.perf_counter() - started:.1f} s"
        )
    app = make_app(url, str(workdir / "uploads"))
    from sqlalchemy import select

    from labtrack.extensions import db
    from labtrack.labs.models import Lab
    from labtrack.scope.growth import growth

    floor_conn, _ = backend.open_floor(url, fresh=False)
    a, b = backend.date(A), backend.date(B)
    with app.test_request_context():
        ours_t, ours = best(lambda: growth(A, B))
        floor_t, floor = best(lambda: floor_growth(backend, floor_conn, a, b))
        id_of = lambda code: int(code[1:])  # noqa: E731  (bench item codes are T<id>)
        print(
            f"growth, everyone: {ours_t * 1000:.0f} ms; floor {floor_t * 1000:.0f} ms; ratio {ours_t / floor_t:.2f}x "
            f"(target <= 2x); same answer: {_same(ours, floor, id_of)}; {ours.headline()}"
        )
        region = "Region 07"
        ours_t, ours = best(lambda: growth(A, B, region=region))
        floor_t, floor = best(lambda: floor_growth(backend, floor_conn, a, b, region))
        print(
            f"growth, one region: {ours_t * 1000:.0f} ms; floor {floor_t * 1000:.0f} ms; ratio {ours_t / floor_t:.2f}x "
            f"(target <= 2x); same answer: {_same(ours, floor, id_of)}"
        )
        labs = db.session.scalars(
            select(Lab).where(Lab.id.in_([17, 4711 % scope_data.SCALES[scale] + 2, 99]))
        ).all()
        times = [best(lambda lab=lab: growth(A, B, lab=lab), 5)[0] for lab in labs]
        print(
            f"growth, one lab: median {statistics.median(times) * 1000:.1f} ms over {len(labs)} labs (target < 50 ms)"
        )
        from labtrack.auth.models import User

        if db.session.scalar(select(User).where(User.username == "bench")) is None:
            user = User(username="bench", role="admin")
            user.set_password("bench-password")
            db.session.add(user)
            db.session.commit()
    client = app.test_client()
    client.post("/login", data={"username": "bench", "password": "bench-password"})
    page_t, response = best(lambda: client.get("/scope/labs/BL00001"), 5)
    assert response.status_code == 200, response.status_code
    rows = response.get_data(as_text=True).count("/scope/items/")
    print(f"scope page of a lab holding {rows:,} items: {page_t * 1000:.0f} ms (target < 150 ms)")
    floor_conn.close()
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
