"""Planning benchmark: grading every lab (as a job), a draw over the whole population, and the
public directory's search, on the scope data set (full: 10,000 labs, 5,000 items, ~3 million
lab-item periods) with certificates, audits, findings, comparison results and sanctions added.

Each figure is printed beside a floor measured in the same run with plain sqlite3 on the same file
(the same grouped counts and an executemany of the gradings; the labs read and hashed as the draw
does; the holders of an item in a region today):

    python -m bench.planning [--scale tiny|small|full] [--keep]
"""

import argparse
import hashlib
import os
import random
import sqlite3
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench import scope_data
from bench._backend import SQLiteBackend

TODAY = date.today()  # the data are placed around today (no clock is frozen: timings must be real)
KINDS = (
    "technical_centre",
    "regional_lab",
    "product_quality_institute",
    "metrology_institute",
    "fibre_inspection_institute",
    "special_equipment_institute",
    "enterprise_lab",
    "third_party_lab",
)


def best(fn, repeat: int = 3):
    """The fastest of a few runs (seconds) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def make_app(url: str, workdir: Path):
    from config import TestingConfig
    from labtrack import create_app

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        UPLOAD_FOLDER = str(workdir / "uploads")
        SERVER_NAME = None
        JOBS_IMMEDIATE = True
        JOBS_QUEUE_FILE = str(workdir / "queue.db")

    return create_app(Config)


def add_planning_data(url: str, n_labs: int, seed: int = 11) -> dict:
    """Kinds, certificates, inspections with findings, published comparison results, sanctions and
    inspectors on top of the scope data set (bulk, plain sqlite3)."""
    rng = random.Random(seed)
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    conn.execute("PRAGMA synchronous = OFF")
    now = "2024-12-31 00:00:00.000000"
    conn.executemany(
        "UPDATE labs SET kind = ?, code_key = lower(code) WHERE id = ?",
        ((KINDS[i % 8], i) for i in range(1, n_labs + 1)),
    )
    conn.execute("UPDATE test_items SET code_key = lower(code)")
    conn.execute("UPDATE test_categories SET code_key = lower(code)")
    quals = []
    for lab in range(1, n_labs + 1):
        expires = TODAY + timedelta(days=rng.randint(-200, 2000))
        quals.append(
            (
                lab,
                "CMA",
                f"CMA{lab:06d}",
                (expires - timedelta(days=2190)).isoformat(),
                expires.isoformat(),
                "valid",
            )
        )
    conn.executemany(
        "INSERT INTO qualifications (lab_id, scheme, certificate_no, issued_on, expires_on, status) VALUES (?,?,?,?,?,?)",
        quals,
    )
    users = [(f"insp{n:03d}", "inspector", f"Inspector {n}", "x", 1, now) for n in range(200)]
    conn.executemany(
        "INSERT INTO users (username, role, full_name, password_hash, active, created_at) VALUES (?,?,?,?,?,?)",
        users,
    )
    first_user = conn.execute("SELECT min(id) FROM users WHERE username LIKE 'insp%'").fetchone()[0]
    conn.executemany(
        "INSERT INTO inspector_profiles (user_id, region, created_at) VALUES (?,?,?)",
        ((first_user + n, f"Region {n % scope_data.REGIONS:02d}", now) for n in range(200)),
    )
    audits, findings, audit_id = [], [], 0
    for lab in range(1, n_labs + 1):
        for _k in range(rng.randint(0, 3)):
            audit_id += 1
            day = TODAY - timedelta(days=rng.randint(30, 1500))
            audits.append(
                (
                    audit_id,
                    f"FC-B-{audit_id:07d}",
                    lab,
                    "flight_check",
                    "Bench inspection",
                    day.isoformat(),
                    first_user + rng.randrange(200),
                    0,
                    0,
                    0,
                    "completed",
                    now,
                )
            )
            for n in range(rng.randint(0, 4)):
                severity = rng.choice(["major", "minor", "minor", "observation"])
                status = rng.choice(["closed", "closed", "closed", "open", "plan_submitted"])
                findings.append(
                    (
                        audit_id,
                        lab,
                        n + 1,
                        "audit",
                        severity,
                        "records",
                        "7.5.1",
                        "Bench finding",
                        day.isoformat(),
                        (day + timedelta(days=30)).isoformat(),
                        status,
                        1,
                        0,
                    )
                )
    conn.executemany(
        "INSERT INTO audits (id, reference, lab_id, kind, title, started_on, lead_id, documents_reviewed, "
        "instruments_checked, reports_sampled, status, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        audits,
    )
    conn.executemany(
        "INSERT INTO findings (audit_id, lab_id, number, source, severity, area, clause, description, raised_on, "
        "due_on, status, version, reopened_count) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        findings,
    )
    results = 0
    for r in range(1, 101):
        closes = TODAY - timedelta(days=rng.randint(10, 900))
        conn.execute(
            "INSERT INTO rounds (id, code, code_key, title, kind, organiser, measurand, unit, closes_on, status, "
            "assigned_value_method, sigma_pt_method, score_basis, published_at, created_at, updated_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                r,
                f"PT-B-{r:03d}",
                f"pt-b-{r:03d}",
                "Bench round",
                "proficiency_test",
                "",
                "Pb",
                "mg/L",
                closes.isoformat(),
                "published",
                "reference",
                "fixed",
                "z",
                f"{closes.isoformat()} 00:00:00.000000",
                now,
                now,
            ),
        )
        labs = rng.sample(range(1, n_labs + 1), min(100, n_labs))
        for n, lab in enumerate(labs):
            pid = r * 1000 + n
            conn.execute(
                "INSERT INTO round_participants (id, round_id, lab_id, participant_code, invited_at) VALUES (?,?,?,?,?)",
                (pid, r, lab, f"P{n:03d}", now),
            )
            grade = rng.choices(["satisfactory", "questionable", "unsatisfactory"], [85, 10, 5])[0]
            conn.execute(
                "INSERT INTO round_results (round_id, participant_id, lab_id, value, submitted_at, grade) VALUES (?,?,?,?,?,?)",
                (r, pid, lab, 1.0, now, grade),
            )
            results += 1
    sanctions = 0
    for lab in rng.sample(range(2, n_labs + 1), max(3, n_labs // 40)):
        sanctions += 1
        start = TODAY - timedelta(days=rng.randint(0, 600))
        ended = None if rng.random() < 0.4 else (start + timedelta(days=rng.randint(10, 200))).isoformat()
        conn.execute(
            "INSERT INTO sanctions (id, reference, lab_id, kind, whole, basis, starts_on, ends_on, ended_on, end_kind, "
            "created_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                sanctions,
                f"SN-B-{sanctions:05d}",
                lab,
                "suspension",
                0,
                "Order 86",
                start.isoformat(),
                (start + timedelta(days=180)).isoformat(),
                ended,
                "lifted" if ended else None,
                now,
                1,
            ),
        )
        held = [
            row[0]
            for row in conn.execute("SELECT item_id FROM scope_entries WHERE lab_id = ? LIMIT 5", (lab,))
        ]
        conn.executemany(
            "INSERT INTO sanction_items (sanction_id, item_id) VALUES (?,?)", ((sanctions, i) for i in held)
        )
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    return {"audits": len(audits), "findings": len(findings), "results": results, "sanctions": sanctions}


def load_scope(backend: SQLiteBackend, url: str, scale: str) -> dict:
    """The scope benchmark's data set (bench.scope_data), with the codes' comparison keys the
    models now carry (lower-case: the generated codes are ASCII)."""
    conn = backend.connect(url)
    backend.speed_up(conn)
    started, periods, names = time.perf_counter(), 0, []
    for table, columns, rows in scope_data.tables(scale):
        if "code" in columns:
            at = columns.index("code")
            columns = (*columns, "code_key")
            rows = ((*row, row[at].lower()) for row in rows)
        if table == "scope_entries":
            rows = list(rows)
            periods = len(rows)
        backend.load(conn, table, columns, rows)
        names.append(table)
    backend.after_load(conn, names)
    conn.close()
    return {
        "labs": scope_data.SCALES[scale],
        "items": scope_data.ITEMS,
        "periods": periods,
        "seconds": round(time.perf_counter() - started, 1),
    }


# --- floors (plain sqlite3) -------------------------------------------------------------------------


def floor_grading(path: str) -> float:
    """The same grouped counts in plain SQL, a score per lab in Python, an executemany of the rows."""
    conn = sqlite3.connect(path)
    on = TODAY.isoformat()
    since = TODAY.replace(year=TODAY.year - 2).isoformat()
    started = time.perf_counter()
    labs = [r[0] for r in conn.execute("SELECT id FROM labs WHERE status IN ('active', 'suspended')")]
    counts = {lab: [0] * 9 for lab in labs}
    queries = [
        (
            "SELECT r.lab_id, count(*) FROM round_results r JOIN rounds o ON o.id = r.round_id WHERE o.status = 'published' "
            "AND o.closes_on > ? AND o.closes_on <= ? AND r.grade = 'unsatisfactory' GROUP BY r.lab_id",
            (since, on),
        ),
        (
            "SELECT r.lab_id, count(*) FROM round_results r JOIN rounds o ON o.id = r.round_id WHERE o.status = 'published' "
            "AND o.closes_on > ? AND o.closes_on <= ? AND r.grade = 'questionable' GROUP BY r.lab_id",
            (since, on),
        ),
        (
            "SELECT lab_id, count(*) FROM findings WHERE severity = 'major' AND status != 'cancelled' AND raised_on > ? "
            "AND raised_on <= ? GROUP BY lab_id",
            (since, on),
        ),
        (
            "SELECT lab_id, count(*) FROM findings WHERE status IN ('open','plan_submitted','plan_accepted','evidence_submitted') "
            "AND due_on < ? GROUP BY lab_id",
            (on,),
        ),
        (
            "SELECT lab_id, count(*) FROM sanctions WHERE starts_on <= ? AND (ended_on IS NULL OR ended_on > ?) GROUP BY lab_id",
            (on, on),
        ),
        (
            "SELECT lab_id, count(*) FROM sanctions WHERE starts_on > ? AND ended_on <= ? GROUP BY lab_id",
            (since, on),
        ),
        (
            "SELECT lab_id, count(*) FROM (SELECT lab_id, scheme, max(expires_on) AS u FROM qualifications GROUP BY lab_id, scheme) "
            "WHERE u < ? GROUP BY lab_id",
            (on,),
        ),
        (
            "SELECT lab_id, max(started_on) FROM audits WHERE status != 'planned' AND started_on <= ? GROUP BY lab_id",
            (on,),
        ),
    ]
    for n, (sql, args) in enumerate(queries):
        for lab, value in conn.execute(sql, args):
            if lab in counts:
                counts[lab][n] = value
    rows = []
    for lab, c in counts.items():
        score = 4 * c[0] + c[1] + 3 * c[2] + 2 * c[3] + 8 * c[4] + 3 * c[5] + 5 * c[6] + (0 if c[7] else 3)
        rows.append((lab, "ABCD"[min(3, score // 5)], score, repr(c), on))
    conn.execute("CREATE TEMP TABLE g (lab_id INT, grade TEXT, score INT, inputs TEXT, as_of TEXT)")
    conn.executemany("INSERT INTO g VALUES (?,?,?,?,?)", rows)
    conn.commit()
    took = time.perf_counter() - started
    conn.close()
    return took


def floor_draw(path: str) -> float:
    """Read every lab (code, region) and hash it once, sort by the hash: the least a draw does."""
    conn = sqlite3.connect(path)
    started = time.perf_counter()
    labs = conn.execute("SELECT code, region FROM labs ORDER BY code").fetchall()
    keyed = sorted(
        ((hashlib.sha256(f"s\x1flab\x1f1\x1f{c}\x1f1".encode()).hexdigest(), c) for c, _r in labs),
        reverse=True,
    )
    took = time.perf_counter() - started
    assert keyed
    conn.close()
    return took


def floor_search(path: str, item_id: int, region: str) -> float:
    """The labs of a region holding an item today (index lookups, no sanctions, no certificates)."""
    conn = sqlite3.connect(path)
    sql = (
        "SELECT l.id FROM labs l WHERE l.region = ? AND EXISTS (SELECT 1 FROM scope_entries e WHERE e.lab_id = l.id "
        "AND e.item_id = ? AND e.granted_on <= ? AND (e.withdrawn_on IS NULL OR e.withdrawn_on > ?)) ORDER BY l.code LIMIT 25"
    )
    on = TODAY.isoformat()
    took, _rows = best(lambda: conn.execute(sql, (region, item_id, on, on)).fetchall(), 5)
    conn.close()
    return took


# --- ours -------------------------------------------------------------------------------------------


def run(workdir: Path, scale: str, keep: bool) -> None:
    print(f"scale={scale} db=sqlite ({sqlite3.sqlite_version}); load average {os.getloadavg()[0]:.2f}")
    backend = SQLiteBackend(workdir)
    reuse = keep and backend.exists("planning")
    url = backend.database("planning", fresh=not reuse)
    path = url.removeprefix("sqlite:///")
    if not reuse:
        backend.create_schema(make_app(url, workdir))
        info = load_scope(backend, url, scale)
        extra = add_planning_data(url, info["labs"])
        print(
            f"data set: {info['labs']:,} labs, {info['items']:,} items, {info['periods']:,} lab-item periods; "
            f"{extra['audits']:,} inspections, {extra['findings']:,} findings, {extra['results']:,} comparison results, "
            f"{extra['sanctions']:,} sanctions (generated in {info['seconds']} s + more)"
        )
    app = make_app(url, workdir)
    from labtrack.extensions import db
    from labtrack.jobs import submit
    from labtrack.jobs.models import Job
    from labtrack.planning import drawing, plans
    from labtrack.public import directory

    with app.test_request_context():
        db.session.execute(db.text("DELETE FROM risk_gradings"))
        db.session.commit()
        started = time.perf_counter()
        job = submit("risk_grading", None, on=TODAY.isoformat())
        ours = time.perf_counter() - started
        job = db.session.get(Job, job.id)
        floor = floor_grading(path)
        print(
            f"grading everyone as a job: {ours:.2f} s ({job.status}, {job.result['graded']:,} labs, grades {job.result['grades']}); "
            f"floor (the same grouped counts + executemany) {floor:.2f} s; ratio {ours / floor:.2f}x (target < 30 s)"
        )
        started = time.perf_counter()
        again = submit("risk_grading", None, on=TODAY.isoformat())
        print(
            f"grading everyone again (nothing changed): {time.perf_counter() - started:.2f} s; {db.session.get(Job, again.id).result['unchanged']:,} confirmed"
        )
        db.session.execute(db.text("DELETE FROM plan_strata"))
        db.session.execute(db.text("DELETE FROM plan_inspectors"))
        db.session.execute(db.text("DELETE FROM inspection_plans WHERE status = 'draft'"))
        db.session.commit()
        code = f"BENCH-{int(time.time())}"
        pool = [
            u
            for (u,) in db.session.execute(db.text("SELECT username FROM users WHERE username LIKE 'insp%'"))
        ]
        plan = plans.create_plan(
            None,
            {
                "code": code,
                "title": "Bench: every region, 5 %",
                "year": TODAY.year,
                "audit_kind": "flight_check",
                "team_size": 3,
                "risk_weighted": True,
                "exclude_months": 12,
                "strata": [{"region": f"Region {r:02d}", "ratio": "5%"} for r in range(scope_data.REGIONS)],
                "inspectors": pool,
            },
        )
        ours, answer = best(lambda: drawing.make_draw(None, plan, {"seed": "bench", "dry_run": True}))
        floor = floor_draw(path)
        eligible = sum(s["eligible"] for s in answer["strata"])
        print(
            f"draw over the whole population (dry run: {eligible:,} eligible labs in 30 strata, {len(answer['labs']):,} drawn, "
            f"teams of 3 from 200 inspectors): {ours * 1000:.0f} ms; floor (read and hash every lab once) {floor * 1000:.0f} ms; "
            f"ratio {ours / floor:.2f}x (target < 1 s)"
        )
        started = time.perf_counter()
        drawing.make_draw(None, plan, {"seed": "bench"})
        print(
            f"the real draw, recording {len(answer['labs']):,} planned audits with their teams: {time.perf_counter() - started:.2f} s"
        )
        # An item some labs of a region hold today (lab 7's first item, lab 7's region).
        item_id, region = db.session.execute(
            db.text(
                "SELECT e.item_id, l.region FROM scope_entries e JOIN labs l ON l.id = e.lab_id "
                "WHERE e.lab_id = 7 AND e.withdrawn_on IS NULL ORDER BY e.item_id LIMIT 1"
            )
        ).one()
        for label, kwargs in (
            ("item code + region", {"item": f"T{item_id:05d}", "region": region}),
            ("item name words", {"item": f"检测项目 {item_id}"}),
            ("category + region", {"category": "K007", "region": region}),
            ("region only", {"region": region}),
            ("everyone, page 3", {"page": 3}),
        ):
            took, found = best(lambda kwargs=kwargs: directory.search(TODAY, **kwargs), 5)
            print(f"public directory, {label}: {took * 1000:.0f} ms ({found.total:,} labs)")
        floor = floor_search(path, item_id, region)
        took, found = best(lambda: directory.search(TODAY, item=f"T{item_id:05d}", region=region), 5)
        print(
            f"public directory search (item in a region): {took * 1000:.0f} ms; floor (holders of the item in the region, "
            f"no sanctions or certificates) {floor * 1000:.1f} ms; ratio {took / floor:.1f}x (target < 100 ms)"
        )
    client = app.test_client()
    took, response = best(
        lambda: client.get(f"/public/api/labs?item=T{item_id:05d}&region={region.replace(' ', '+')}"), 5
    )
    assert response.status_code == 200
    print(f"GET /public/api/labs?item=&region= through the app: {took * 1000:.0f} ms")
    with app.app_context():
        db.engine.dispose()


def main(argv: list[str] | None = None) -> None:
    """Build the data set, then print each figure beside its floor."""
    parser = argparse.ArgumentParser(prog="python -m bench.planning")
    parser.add_argument("--scale", choices=list(scope_data.SCALES), default="small")
    parser.add_argument("--keep", action="store_true", help="keep the database in /tmp for another run")
    parser.add_argument("--db", choices=["sqlite"], default="sqlite", help="SQLite only")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.gettempdir()) / f"labtrack-bench-planning-{args.scale}"
    workdir.mkdir(exist_ok=True)
    run(workdir, args.scale, args.keep)


if __name__ == "__main__":
    main()
