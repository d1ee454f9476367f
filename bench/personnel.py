"""Benchmark of the personnel area at the issue's scale: the training report for everyone, and a
lab's people page.

    .venv/bin/python -m bench.personnel [--scale small|full]

full: 10,000 labs, 200,000 people, 2,000,000 attendances (100,000 sessions of 2010), 400,000 exam
results (two theory exams of all 200,000 people); small: a tenth of each.

1. The training report for everyone over 2010 (`reports.training_report`: totals, months,
   organisers, regions, labs, posts, exams by exam / region / lab / post, contests) against a
   floor measured in the same run: the same figures from plain sqlite3 queries written by hand on
   the same file. Both must give the same numbers (checked). Target: at most 2x the floor.
2. A lab's people page (`GET /personnel/labs/<code>`: its staff with posts, this year's training
   hours, authorisations in force, the scope coverage and its latest training) through the test
   client. Target: under 100 ms; the floor is the page's rows read with plain sqlite3.
"""

import argparse
import os
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from config import TestingConfig
from labtrack import create_app
from labtrack.extensions import db

SCALES = {"small": (1_000, 20, 10_000), "full": (10_000, 20, 100_000)}  # labs, people per lab, sessions
REGIONS = [f"Region-{i:02d}" for i in range(21)]
POSTS = [
    "analyst",
    "sampler",
    "authorised_signatory",
    "head",
    "technical_director",
    "quality_manager",
    "other",
]
PASSWORD = "bench-password"
YEAR = (date(2010, 1, 1), date(2010, 12, 31))


def _timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _insert(con: sqlite3.Connection, table: str, rows: list[dict]) -> None:
    """Insert rows, adding `code_key` (the code as compared) where the table has that column."""
    if "code_key" in {row[1] for row in con.execute(f"PRAGMA table_info({table})")}:
        rows = [{**r, "code_key": r["code"].casefold()} for r in rows]
    columns = list(rows[0])
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    con.executemany(sql, [tuple(r[c] for c in columns) for r in rows])


def build(path: str, labs: int, per_lab: int, sessions: int) -> dict:
    """The data set, written with plain executemany (not timed)."""
    rng = random.Random(20100522)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    now = "2010-01-01 00:00:00"
    lab_columns = {row[1] for row in con.execute("PRAGMA table_info(labs)")}
    key = ", code_key" if "code_key" in lab_columns else ""  # the code as compared, where the schema has it
    con.executemany(
        f"INSERT INTO labs (id, code{key}, name, region, kind, status, is_model_lab, created_at, updated_at) "
        f"VALUES (?, ?{', ?' if key else ''}, ?, ?, 'regional_lab', 'active', 0, ?, ?)",
        [
            (
                i,
                f"B{i:05d}",
                *((f"b{i:05d}",) if key else ()),
                f"Lab {i}",
                REGIONS[i % len(REGIONS)],
                now,
                now,
            )
            for i in range(1, labs + 1)
        ],
    )
    people, posts = [], []
    pid = 0
    for lab in range(1, labs + 1):
        for n in range(per_lab):
            pid += 1
            left = "2010-09-30" if rng.random() < 0.03 else None
            people.append((pid, lab, f"S{n:03d}", f"s{n:03d}", f"Person {pid}", "1995-01-01", left, now, now))
            main = (
                "head"
                if n == 0
                else ("quality_manager" if n == 1 else rng.choice(["analyst"] * 6 + ["sampler", "other"]))
            )
            posts.append((pid, main))
            if n > 1 and rng.random() < 0.3:
                posts.append((pid, "authorised_signatory" if main != "authorised_signatory" else "analyst"))
    con.executemany(
        "INSERT INTO persons (id, lab_id, staff_no, staff_key, name, employed_from, employed_to, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        people,
    )
    con.executemany("INSERT INTO person_posts (person_id, post) VALUES (?, ?)", posts)
    total = len(people)
    session_rows, attendance_rows = [], []
    organisers = ["lab"] * 8 + ["provincial_bureau", "prefecture_bureau"]
    for sid in range(1, sessions + 1):
        organiser = rng.choice(organisers)
        start = date(2010, 1, 1) + timedelta(days=rng.randrange(365))
        lab = rng.randrange(1, labs + 1) if organiser == "lab" else None
        external = rng.randrange(0, 20) if organiser != "lab" else 0
        session_rows.append(
            (
                sid,
                f"Session {sid}",
                organiser,
                lab,
                start.isoformat(),
                start.isoformat(),
                rng.choice([2.0, 3.0, 4.0, 8.0]),
                external,
                now,
                now,
            )
        )
        if lab is not None:
            first = (lab - 1) * per_lab + 1
            chosen = rng.sample(range(first, first + per_lab), k=per_lab)  # all of the lab
        else:
            chosen = rng.sample(range(1, total + 1), k=20)
        attendance_rows += [(sid, p, None if rng.random() < 0.95 else 1.0, now) for p in chosen]
    con.executemany(
        "INSERT INTO training_sessions (id, title, organiser, organiser_lab_id, starts_on, ends_on, hours, "
        "external_attendees, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        session_rows,
    )
    con.executemany(
        "INSERT OR IGNORE INTO training_attendances (session_id, person_id, hours, created_at) VALUES (?, ?, ?, ?)",
        attendance_rows,
    )
    con.executemany(
        "INSERT INTO exams (id, title, kind, held_on, pass_mark, all_labs, created_at, updated_at) "
        "VALUES (?, ?, 'theory', ?, 60, 1, ?, ?)",
        [(1, "May", "2010-05-22", now, now), (2, "November", "2010-11-20", now, now)],
    )
    results = []
    for exam in (1, 2):
        for p in range(1, total + 1):
            absent = rng.random() < 0.03
            results.append(
                (exam, p, "absent" if absent else "sat", None if absent else float(rng.randint(30, 100)))
            )
    con.executemany(
        "INSERT INTO exam_results (exam_id, person_id, named, status, score) VALUES (?, ?, 0, ?, ?)", results
    )
    # A catalogue, each lab's scope (30 items) and category authorisations of its staff.
    _insert(
        con,
        "test_categories",
        [{"id": c, "code": f"C{c:02d}", "name": f"Category {c}", "created_at": now} for c in range(1, 51)],
    )
    _insert(
        con,
        "test_items",
        [
            {
                "id": i,
                "code": f"I{i:04d}",
                "name": f"Item {i}",
                "category_id": (i - 1) // 20 + 1,
                "created_at": now,
            }
            for i in range(1, 1001)
        ],
    )
    scope, auths = [], []
    for lab in range(1, labs + 1):
        category = rng.randrange(1, 49)
        items = [(category - 1) * 20 + k for k in range(1, 21)] + [category * 20 + k for k in range(1, 11)]
        scope += [(lab, item, "2008-01-01", now) for item in items]
        first = (lab - 1) * per_lab + 1
        auths.append((first + 2, category, "perform", now, now))
        auths.append((first + 3, category, "sign", now, now))
        if rng.random() < 0.7:
            auths.append((first + 4, category + 1, "perform", now, now))
    con.executemany(
        "INSERT INTO scope_entries (lab_id, item_id, granted_on, basis, created_at) VALUES (?, ?, ?, 'initial', ?)",
        scope,
    )
    con.executemany(
        "INSERT INTO authorisations (person_id, category_id, activity, valid_from, basis, status, outside_scope, "
        "created_at, updated_at) VALUES (?, ?, ?, '2008-01-01', 'training', 'active', 0, ?, ?)",
        auths,
    )
    con.commit()
    con.execute("ANALYZE")
    con.commit()
    counts = {
        "labs": labs,
        "people": total,
        "sessions": sessions,
        "attendances": con.execute("SELECT count(*) FROM training_attendances").fetchone()[0],
        "results": len(results),
    }
    con.close()
    return counts


# --- the floor: the report's numbers from plain sqlite3 --------------------------------------

ATT = "FROM training_attendances a JOIN training_sessions s ON s.id = a.session_id WHERE s.starts_on BETWEEN ? AND ?"
ATT_P = ATT.replace("WHERE", "JOIN persons p ON p.id = a.person_id WHERE")
MEASURES = "count(DISTINCT a.session_id), count(*), coalesce(sum(coalesce(a.hours, s.hours)), 0), count(DISTINCT a.person_id)"
COUNTS = "count(*), coalesce(sum(coalesce(a.hours, s.hours)), 0)"
SIT = (
    "FROM exam_results r JOIN exams e ON e.id = r.exam_id "
    "WHERE e.held_on BETWEEN ? AND ? AND e.held_on <= ? AND e.contest_id IS NULL AND e.kind != 'skills_contest'"
)
SIT_L = SIT.replace("WHERE", "JOIN persons p ON p.id = r.person_id JOIN labs l ON l.id = p.lab_id WHERE")
EXAM = (
    "count(*), sum(r.status = 'sat'), sum(r.status = 'absent'), sum(r.status = 'pending'), "
    "sum(r.status = 'sat' AND r.score >= e.pass_mark), avg(CASE WHEN r.status = 'sat' THEN r.score END)"
)
EMPLOYED = "p.employed_from <= ? AND (p.employed_to IS NULL OR p.employed_to >= ?)"
SESSIONS = "FROM training_sessions WHERE starts_on BETWEEN ? AND ?"


def floor(con: sqlite3.Connection) -> dict:
    """Every figure of the report for everyone, with hand-written SQL (joining only what each needs)."""
    a, b = (d.isoformat() for d in YEAR)
    on = b
    q = lambda sql, *args: con.execute(sql, args).fetchall()  # noqa: E731
    return {
        "named": q(
            f"SELECT count(*), coalesce(sum(coalesce(a.hours, s.hours)), 0), count(DISTINCT a.person_id) {ATT}",
            a,
            b,
        )[0],
        "sessions": q(
            f"SELECT count(*), sum(external_attendees), sum(external_attendees * hours), sum(hours) {SESSIONS}",
            a,
            b,
        )[0],
        "by_organiser": q(f"SELECT s.organiser, {COUNTS} {ATT} GROUP BY s.organiser", a, b)
        + q(f"SELECT organiser, count(*), sum(external_attendees) {SESSIONS} GROUP BY organiser", a, b),
        "by_month": q(f"SELECT strftime('%m', s.starts_on), {COUNTS} {ATT} GROUP BY 1", a, b)
        + q(
            f"SELECT strftime('%m', starts_on), count(*), sum(external_attendees) {SESSIONS} GROUP BY 1", a, b
        ),
        "by_lab": q(f"SELECT p.lab_id, {MEASURES} {ATT_P} GROUP BY p.lab_id", a, b),
        "heads_lab": q(
            f"SELECT p.lab_id, count(*) FROM persons p WHERE {EMPLOYED} GROUP BY p.lab_id", on, on
        ),
        "labs": q("SELECT id, code, name, region FROM labs ORDER BY code"),
        "by_region": q(
            f"SELECT l.region, {MEASURES} {ATT_P.replace('WHERE', 'JOIN labs l ON l.id = p.lab_id WHERE')} GROUP BY l.region",
            a,
            b,
        ),
        "heads_region": q(
            f"SELECT l.region, count(*) FROM persons p JOIN labs l ON l.id = p.lab_id WHERE {EMPLOYED} GROUP BY l.region",
            on,
            on,
        ),
        "by_post": q(
            f"SELECT pp.post, {MEASURES} {ATT.replace('WHERE', 'JOIN person_posts pp ON pp.person_id = a.person_id WHERE')} GROUP BY pp.post",
            a,
            b,
        ),
        "heads_post": q(
            f"SELECT pp.post, count(*) FROM persons p JOIN person_posts pp ON pp.person_id = p.id WHERE {EMPLOYED} GROUP BY pp.post",
            on,
            on,
        ),
        "exams": q(f"SELECT count(DISTINCT e.id), {EXAM} {SIT}", a, b, on)[0],
        "by_exam": q(f"SELECT e.id, e.title, {EXAM} {SIT} GROUP BY e.id", a, b, on),
        "exam_lab": q(f"SELECT l.code, {EXAM} {SIT_L} GROUP BY l.id", a, b, on),
        "exam_region": q(f"SELECT l.region, {EXAM} {SIT_L} GROUP BY l.region", a, b, on),
        "exam_post": q(
            f"SELECT pp.post, {EXAM} {SIT.replace('WHERE', 'JOIN person_posts pp ON pp.person_id = r.person_id WHERE')} GROUP BY pp.post",
            a,
            b,
            on,
        ),
        "contests": q("SELECT id FROM exams WHERE kind = 'skills_contest' AND held_on BETWEEN ? AND ?", a, b),
    }


def same_numbers(report: dict, fl: dict) -> None:
    """The report and the floor agree (totals, labs, regions, posts, exams)."""
    named = fl["named"]
    t = report["training"]
    assert (t["named_attendances"], t["people_trained"]) == (named[0], named[2]), (t, named)
    assert t["sessions"] == fl["sessions"][0]
    assert t["attendances"] == named[0] + fl["sessions"][1]
    assert abs(t["hours"] - (named[1] + fl["sessions"][2])) < 1e-6
    months = {int(m["month"][5:]): m["attendances"] for m in report["by_month"]}
    named_months = {
        int(row[0]): row[1] for row in fl["by_month"] if len(row) == 3 and isinstance(row[2], float)
    }
    assert all(months[m] >= n for m, n in named_months.items())
    labs = {
        r["lab_id"]: (r["sessions"], r["attendances"], r["hours"], r["people_trained"])
        for r in report["by_lab"]
        if r["attendances"]
    }
    assert labs == {row[0]: tuple(row[1:]) for row in fl["by_lab"]}
    regions = {r["region"]: r["attendances"] for r in report["by_region"]}
    assert regions == {row[0]: row[2] for row in fl["by_region"]}
    posts = {r["post"]: r["attendances"] for r in report["by_post"] if r["attendances"]}
    assert posts == {row[0]: row[2] for row in fl["by_post"]}
    e = report["exams"]
    assert (e["exams"], e["required"], e["sat"], e["passed"]) == (
        fl["exams"][0],
        fl["exams"][1],
        fl["exams"][2],
        fl["exams"][5],
    )
    assert {r["code"]: r["sat"] for r in report["exams_by_lab"]} == {row[0]: row[2] for row in fl["exam_lab"]}


# --- a lab's people page ---------------------------------------------------------------------

PAGE_SQL = [
    "SELECT p.id, p.name, p.staff_no FROM persons p WHERE p.lab_id = ? AND p.employed_from <= ? "
    "AND (p.employed_to IS NULL OR p.employed_to >= ?) ORDER BY p.name",
    "SELECT pp.person_id, pp.post FROM person_posts pp JOIN persons p ON p.id = pp.person_id WHERE p.lab_id = ?",
    "SELECT a.person_id, sum(coalesce(a.hours, s.hours)) FROM training_attendances a JOIN training_sessions s "
    "ON s.id = a.session_id JOIN persons p ON p.id = a.person_id WHERE p.lab_id = ? AND s.starts_on BETWEEN ? AND ? "
    "GROUP BY a.person_id",
    "SELECT au.person_id, au.activity, count(*) FROM authorisations au JOIN persons p ON p.id = au.person_id "
    "WHERE p.lab_id = ? GROUP BY au.person_id, au.activity",
    "SELECT i.code, i.category_id FROM scope_entries e JOIN test_items i ON i.id = e.item_id WHERE e.lab_id = ?",
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.personnel", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="small")
    args = parser.parse_args(argv)
    labs, per_lab, sessions = SCALES[args.scale]
    workdir = Path(tempfile.mkdtemp(prefix="labtrack-bench-personnel-"))
    path = str(workdir / "personnel.db")
    print(f"scale={args.scale} db=sqlite ({sqlite3.sqlite_version}); load average {os.getloadavg()[0]:.2f}")

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"
        SERVER_NAME = None

    app = create_app(Config)
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    started = time.perf_counter()
    counts = build(path, labs, per_lab, sessions)
    print(
        f"data set: {counts['labs']:,} labs, {counts['people']:,} people, {counts['sessions']:,} sessions, "
        f"{counts['attendances']:,} attendances, {counts['results']:,} exam results "
        f"(built in {time.perf_counter() - started:.0f} s)"
    )
    report_figure(app, path)
    page_figure(app, path, per_lab)
    for leftover in workdir.iterdir():
        leftover.unlink()
    workdir.rmdir()


def report_figure(app, path: str) -> None:
    """The report for everyone against the floor."""
    from labtrack.personnel import reports

    con = sqlite3.connect(path)
    with app.app_context():
        f = reports.Filters(*YEAR)
        report = reports.training_report(f)
        fl = floor(con)
        same_numbers(report, fl)
        t_floor = _timed(lambda: floor(con), 3)
        t_ours = _timed(lambda: reports.training_report(reports.Filters(*YEAR)), 3)
    con.close()
    print(
        f"training report for everyone (2010): {t_ours:.2f} s; floor (plain sqlite3, same numbers) {t_floor:.2f} s; "
        f"ratio {t_ours / t_floor:.2f}x (target <= 2x)"
    )


def page_figure(app, path: str, per_lab: int) -> None:
    """A lab's people page through the test client, against the floor of its rows."""
    from labtrack.auth.models import User

    with app.app_context():
        user = User(username="bench-viewer", role="viewer")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    client = app.test_client()
    client.post("/login", data={"username": "bench-viewer", "password": PASSWORD})
    url = "/personnel/labs/B00042"
    assert client.get(url).status_code == 200
    t_page = _timed(lambda: client.get(url), 15)
    con = sqlite3.connect(path)
    day = date.today().isoformat()
    start, end = f"{date.today().year}-01-01", f"{date.today().year}-12-31"
    args = [(42, day, day), (42,), (42, start, end), (42,), (42,)]
    t_floor = _timed(
        lambda: [con.execute(sql, a).fetchall() for sql, a in zip(PAGE_SQL, args, strict=True)], 15
    )
    con.close()
    print(
        f"a lab's people page ({per_lab} people): {t_page * 1000:.1f} ms (target < 100 ms); "
        f"floor (its rows, plain sqlite3) {t_floor * 1000:.2f} ms; ratio {t_page / t_floor:.1f}x"
    )


if __name__ == "__main__":
    main()
