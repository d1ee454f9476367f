"""Benchmark of the proficiency area: evaluating and storing a big round, and a lab's long history.

    .venv/bin/python -m bench.proficiency [--scale tiny|small|full] [--db sqlite|postgresql]

1. Evaluate a closed round of N results (full: 10,000) through `evaluate_round` (load, Algorithm A,
   scores, one executemany of the scores, the evaluation record, commit) against a floor measured
   in the same run: plain sqlite3 on a minimal table doing the same NumPy computation and one
   executemany of the scores. Target: at most 3x the floor.
2. Render a lab's history page over R published rounds (full: 500) with the test client, drawing
   the chart each time (cold) and with the chart reused from the cache (its data unchanged). Target:
   under 150 ms. The floor is the same rows read with plain sqlite3.

`--db postgresql` runs the same on a throw-away PostgreSQL server (tests.pg.TempPostgres; schema
by the migrations); the floors are then plain psycopg on the same minimal table and query.
"""

import argparse
import os
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select

from bench._backend import CHOICES, SQLiteBackend, open_backend
from config import TestingConfig
from labtrack import create_app
from labtrack.auth.models import User
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.proficiency import stats
from labtrack.proficiency.evaluation import evaluate_round
from labtrack.proficiency.models import HomogeneityStudy, Participant, Result, Round
from labtrack.proficiency.scoring import grade_array
from labtrack.services import act_as

SCALES = {"tiny": (200, 20), "small": (1_000, 100), "full": (10_000, 500)}
PASSWORD = "bench-password"


def _timed(fn, repeat: int) -> float:
    """The median wall time of `repeat` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _insert_ids(model, rows: list[dict]) -> list[int]:
    table = model.__table__
    return [
        r[0]
        for r in db.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    ]


def setup_round(n: int, rng: np.random.Generator) -> tuple[Round, np.ndarray]:
    """A closed consensus round of n results from n labs (bulk inserted, not timed)."""
    lab_ids = _insert_ids(Lab, [{"code": f"B{i:05d}", "name": f"Lab {i}", "region": "Chengdu", "kind": "regional_lab",
                                 "status": "active", "is_model_lab": False} for i in range(n)])  # fmt: skip
    rnd = Round(code="BENCH-1", title="Bench", kind="blind_sample", measurand="Pb", unit="mg/L", status="closed",
                assigned_value_method="consensus", sigma_pt_method="robust_sd", score_basis="z",
                closes_on=date(2011, 6, 30))  # fmt: skip
    db.session.add(rnd)
    db.session.flush()
    # Its items' homogeneity study (20 items in duplicate, failing): evaluation reads it (issue 15).
    replicates = (10.0 + rng.normal(0, 0.2, (20, 1)) + rng.normal(0, 0.02, (20, 2))).round(4).tolist()
    found = stats.homogeneity(replicates, 0.4)
    db.session.add(HomogeneityStudy(
        round_id=rnd.id, replicates=replicates, sigma_pt=0.4, passed=found.passed,
        passed_expanded=found.passed_expanded,
        **{k: getattr(found, k) for k in ("g", "m", "mean", "s_x", "s_w", "s_s", "criterion", "expanded_criterion")},
    ))  # fmt: skip
    part_ids = _insert_ids(Participant, [{"round_id": rnd.id, "lab_id": lab_id, "participant_code": f"P{i:05d}"}
                                         for i, lab_id in enumerate(lab_ids)])  # fmt: skip
    values = np.round(rng.normal(10.0, 0.4, n) + (rng.random(n) < 0.03) * rng.normal(0, 3, n), 4)
    _insert_ids(Result, [{"round_id": rnd.id, "participant_id": p, "lab_id": lab_id, "value": float(v)}
                         for p, lab_id, v in zip(part_ids, lab_ids, values, strict=True)])  # fmt: skip
    db.session.commit()
    return rnd, values


def floor_evaluation(backend: SQLiteBackend, values: np.ndarray):
    """Plain sqlite3 / psycopg on a minimal table: read values, same NumPy computation, one executemany."""
    con = backend.connect(backend.database("floor"))
    t = backend.types
    con.execute(
        f"CREATE TABLE r (id {t['pk']}, value {t['real']}, score {t['real']}, kind {t['text']}, grade {t['text']})"
    )
    con.cursor().executemany(backend.sql("INSERT INTO r (value) VALUES (?)"), [(float(v),) for v in values])
    con.commit()
    update = backend.sql("UPDATE r SET score = ?, kind = ?, grade = ? WHERE id = ?")

    def run() -> None:
        rows = con.execute("SELECT id, value FROM r ORDER BY id").fetchall()
        ids = [r[0] for r in rows]
        x = np.array([r[1] for r in rows], dtype=np.float64)
        robust = stats.algorithm_a_detail(x)
        u = stats.u_assigned(robust.s_star, x.size)
        scores = (x - robust.x_star) / np.hypot(robust.s_star, u)
        grades = grade_array(scores, "z_prime")
        con.cursor().executemany(
            update,
            list(zip(scores.tolist(), ["z_prime"] * len(ids), grades.tolist(), ids, strict=True)),
        )
        con.commit()

    return run, con


def setup_history(lab: Lab, rounds: int, rng: np.random.Generator) -> None:
    """`rounds` published rounds in which the lab scored (bulk inserted)."""
    start = date(2000, 1, 1)
    round_ids = _insert_ids(Round, [{
        "code": f"H-{i:04d}", "title": f"History round {i}", "kind": "blind_sample", "measurand": "Pb",
        "unit": "mg/L", "status": "published", "assigned_value_method": "reference", "x_pt": 1.0, "u_x_pt": 0.01,
        "sigma_pt_method": "fixed", "sigma_pt": 0.1, "score_basis": "z", "closes_on": start + timedelta(days=14 * i),
        "organiser": "", "created_at": time_now(), "updated_at": time_now()} for i in range(rounds)])  # fmt: skip
    part_ids = _insert_ids(
        Participant, [{"round_id": r, "lab_id": lab.id, "participant_code": "P001"} for r in round_ids]
    )
    scores = rng.normal(0, 1.2, rounds)
    _insert_ids(Result, [{
        "round_id": r, "participant_id": p, "lab_id": lab.id, "value": 1.0 + 0.1 * float(s), "score": float(s),
        "score_kind": "z", "grade": stats.grade(float(s), "z")} for r, p, s in zip(round_ids, part_ids, scores, strict=True)])  # fmt: skip
    db.session.commit()


def time_now():
    from labtrack.models_base import utcnow

    return utcnow()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.proficiency", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="small")
    parser.add_argument("--db", choices=CHOICES, default="sqlite", help="the database to measure on")
    args = parser.parse_args(argv)
    backend = open_backend(args.db, Path(tempfile.mkdtemp(prefix="labtrack-bench-")))
    try:
        run(backend, args.scale)
    finally:
        backend.close()


def run(backend: SQLiteBackend, scale: str) -> None:
    """Both figures on one back-end."""
    n, history_rounds = SCALES[scale]
    rng = np.random.default_rng(20101111)
    url = backend.database("bench")
    print(f"scale={scale} db={backend.name} ({backend.version()}); load average {os.getloadavg()[0]:.2f}")

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        SERVER_NAME = None

    app = create_app(Config)
    backend.create_schema(app)
    with app.app_context(), app.test_request_context():
        actor = User(username="bench", role="quality")
        actor.set_password(PASSWORD)
        db.session.add(actor)
        db.session.commit()
        rnd, values = setup_round(n, rng)
        act_as(actor)
        round_id = rnd.id

        def ours() -> None:
            evaluate_round(db.session.get(Round, round_id), actor)

        ours()  # warm-up: first evaluation creates the evaluation record
        floor_run, con = floor_evaluation(backend, values)
        floor_run()
        t_floor = _timed(floor_run, 5)
        t_ours = _timed(ours, 5)
        con.close()
        print(f"evaluate + store {n:,} results: {t_ours * 1000:.1f} ms; floor {t_floor * 1000:.1f} ms; "
              f"ratio {t_ours / t_floor:.2f}x (target <= 3x); floor: {backend.floor_label}")  # fmt: skip

        lab = db.session.scalar(select(Lab).order_by(Lab.id))
        setup_history(lab, history_rounds, rng)
        viewer = User(username="bench-viewer", role="viewer")
        viewer.set_password(PASSWORD)
        db.session.add(viewer)
        db.session.commit()
        lab_code, lab_id = lab.code, lab.id

    client = app.test_client()
    client.post("/login", data={"username": "bench-viewer", "password": PASSWORD})
    page = f"/rounds/labs/{lab_code}"
    assert client.get(page).status_code == 200

    def cold() -> None:  # the chart is drawn in the browser: the page only carries its points
        client.get(page)

    t_cold = _timed(cold, 7)
    t_page = _timed(lambda: client.get(page), 7)
    floor_con = backend.connect(url)
    query = backend.sql(
        "SELECT r.code, r.title, r.closes_on, s.value, s.score, s.score_kind, s.grade FROM round_results s "
        "JOIN rounds r ON r.id = s.round_id WHERE s.lab_id = ? AND r.status = 'published' ORDER BY r.closes_on"
    )
    t_query = _timed(lambda: floor_con.execute(query, (lab_id,)).fetchall(), 7)
    floor_con.close()
    print(
        f"history page over {history_rounds} rounds: {t_cold * 1000:.1f} ms drawing the chart, "
        f"{t_page * 1000:.1f} ms with the chart reused (target < 150 ms); floor ({backend.floor_label} query of the "
        f"rows) {t_query * 1000:.2f} ms"
    )
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
