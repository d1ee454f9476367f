"""Benchmark of the reminders: `send-reminders` for one day over a national data set.

    .venv/bin/python -m bench.reminders [--scale tiny|small|full]

Full scale: 10,000 labs (each with a manager, one in ten with a deputy), 100,000 open findings
with due dates spread over 8 months around the day, 10,000 certificates, 20 open rounds of 500
labs, 20 quality staff. The run is timed end to end (reminder tiers, the notifications inserted
with their unique key, a history row per record and tier, then one e-mail per recipient to a real
SMTP server on 127.0.0.1), and again the next minute (idempotent: nothing new, nothing sent). The
floor, measured in the same run: plain sqlite3 selecting the same candidate findings, one
executemany of the same number of rows into a minimal notifications table with the same unique
index and of the history rows, and smtplib sending the same number of one-line messages over one
connection to the same server. Target: the run under 60 s; each recipient exactly one e-mail.
"""

import argparse
import json
import smtplib
import sqlite3
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from config import TestingConfig
from labtrack import create_app
from labtrack.extensions import db
from labtrack.models_base import utcnow

SCALES = {"tiny": (200, 2_000), "small": (1_000, 10_000), "full": (10_000, 100_000)}
DAY = date(2011, 6, 1)
ACTIVE = ("open", "plan_submitted", "plan_accepted", "evidence_submitted")


def _rows(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), 20_000):
        db.session.execute(insert(model.__table__), rows[start : start + 20_000])


def populate(n_labs: int, n_findings: int, rng: np.random.Generator) -> None:
    """The national data set (bulk inserts, not timed)."""
    from labtrack.audits.models import Audit, Finding
    from labtrack.auth.models import User
    from labtrack.labs.models import Lab, Qualification
    from labtrack.proficiency.models import Participant, Round

    now = utcnow()
    _rows(Lab, [{"id": i, "code": f"N{i:05d}", "name": f"实验室 {i}", "region": f"R{i % 21}", "kind": "regional_lab",
                 "status": "active", "is_model_lab": False, "created_at": now, "updated_at": now}
                for i in range(1, n_labs + 1)])  # fmt: skip
    users = [{"username": f"manager-N{i:05d}", "email": f"m{i}@lab.example.cn", "role": "lab_manager", "lab_id": i,
              "locale": "zh_Hans_CN" if i % 2 else None}
             for i in range(1, n_labs + 1)]  # fmt: skip
    users += [{"username": f"deputy-N{i:05d}", "email": f"d{i}@lab.example.cn", "role": "lab_manager", "lab_id": i,
               "locale": None} for i in range(1, n_labs + 1, 10)]  # fmt: skip
    users += [{"username": f"quality-{i}", "email": f"q{i}@bureau.example.cn", "role": "quality", "lab_id": None,
               "locale": "zh_Hans_CN"} for i in range(20)]  # fmt: skip
    for u in users:
        u.update(full_name="", password_hash="x", active=True, created_at=now)
    _rows(User, users)
    _rows(Audit, [{"id": i, "reference": f"FC-2011-{i:05d}", "lab_id": i, "kind": "flight_check", "title": "Check",
                   "started_on": date(2011, 1, 10), "documents_reviewed": 0, "instruments_checked": 0,
                   "reports_sampled": 0, "status": "completed", "created_at": now}
                  for i in range(1, n_labs + 1)])  # fmt: skip
    labs = rng.integers(1, n_labs + 1, n_findings)
    offsets = rng.integers(-120, 121, n_findings)
    numbers: Counter = Counter()
    findings = []
    for lab, offset in zip(labs.tolist(), offsets.tolist(), strict=True):
        numbers[lab] += 1
        findings.append({"audit_id": lab, "lab_id": lab, "number": numbers[lab], "source": "audit", "severity": "minor",
                         "area": "records", "clause": "7.5", "description": "Records incomplete.",
                         "raised_on": DAY - timedelta(days=60), "due_on": DAY + timedelta(days=offset),
                         "status": ACTIVE[numbers[lab] % 4], "version": 1, "reopened_count": 0})  # fmt: skip
    _rows(Finding, findings)
    _rows(Qualification, [{"lab_id": i, "scheme": "CMA", "certificate_no": f"CMA-{i:06d}", "issued_on": date(2006, 1, 1),
                           "expires_on": DAY + timedelta(days=int(rng.integers(-300, 2000))), "status": "valid"}
                          for i in range(1, n_labs + 1)])  # fmt: skip
    for r in range(20):
        rnd = Round(code=f"BS-2011-{r:02d}", title=f"Round {r}", kind="blind_sample", measurand="Pb", unit="mg/kg",
                    status="open", assigned_value_method="reference", closes_on=DAY + timedelta(days=3 if r < 5 else 20))  # fmt: skip
        db.session.add(rnd)
        db.session.flush()
        chosen = rng.choice(np.arange(1, n_labs + 1), size=min(500, n_labs), replace=False)
        _rows(Participant, [{"round_id": rnd.id, "lab_id": int(lab), "participant_code": f"P{k:04d}", "invited_at": now}
                            for k, lab in enumerate(chosen)])  # fmt: skip
    db.session.commit()


def floor(db_path: Path, n_notes: int, n_history: int, n_mails: int, port: int) -> float:
    """Plain sqlite3 and smtplib doing the same amount of work (seconds)."""
    con = sqlite3.connect(db_path)
    con.execute("CREATE TABLE floor_notes (id INTEGER PRIMARY KEY, recipient_id INT, record_table TEXT, record_id INT,"
                " kind TEXT, params TEXT, reminder_on TEXT, created_at TEXT)")  # fmt: skip
    con.execute(
        "CREATE UNIQUE INDEX uq_floor ON floor_notes (recipient_id, record_table, record_id, kind, reminder_on)"
    )
    con.execute("CREATE TABLE floor_history (id INTEGER PRIMARY KEY, at TEXT, table_name TEXT, record_id INT, action TEXT,"
                " changes TEXT, comment TEXT)")  # fmt: skip
    con.commit()
    start = time.perf_counter()
    wanted = [(DAY + timedelta(days=d)).isoformat() for d in (10, 3, 0, -1)]
    rows = con.execute(
        "SELECT f.id, f.lab_id, f.due_on, f.number, a.reference, l.code FROM findings f JOIN labs l ON l.id = f.lab_id"
        " LEFT JOIN audits a ON a.id = f.audit_id WHERE f.status IN (?, ?, ?, ?) AND (f.due_on IN (?, ?, ?, ?) OR f.due_on <= ?)",
        (*ACTIVE, *wanted, (DAY - timedelta(days=7)).isoformat()),
    ).fetchall()
    params = json.dumps({"label": "FC-2011-00001 #1", "lab": "N00001", "due_on": "2011-06-01", "days": 3})
    con.executemany(
        "INSERT INTO floor_notes (recipient_id, record_table, record_id, kind, params, reminder_on, created_at)"
        " VALUES (?, 'findings', ?, 'finding_due:3', ?, '2011-06-01', '2011-06-01') ON CONFLICT DO NOTHING",
        ((i, i, params) for i in range(n_notes)),
    )
    changes = json.dumps({"reminder": [None, "finding_due:3"], "reminded": [None, "manager-N00001"]})
    con.executemany(
        "INSERT INTO floor_history (at, table_name, record_id, action, changes, comment) VALUES (?, 'findings', ?, 'reminder', ?, ?)",
        (("2011-06-01", i, changes, "Reminder") for i in range(n_history)),
    )
    con.commit()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for i in range(n_mails):
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = (
                "labtrack@localhost",
                f"floor{i}@example.cn",
                "Reminder",
            )
            message.set_content("A finding is due.")
            smtp.send_message(message)
    elapsed = time.perf_counter() - start
    con.close()
    assert rows is not None
    return elapsed


def main(argv: list[str] | None = None) -> None:
    """Populate, time the run (twice), time the floor, print the figures."""
    from labtrack.notify.delivery import deliver
    from labtrack.notify.models import Notification
    from labtrack.notify.reminders import send_reminders

    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=SCALES, default="small")
    args, _ = parser.parse_known_args(argv)
    n_labs, n_findings = SCALES[args.scale]
    workdir = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
    db_path = workdir / "reminders.db"
    smtp = SinkServer(workdir)
    try:
        config = type("Config", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "MAIL_SERVER": "127.0.0.1",
                                                   "MAIL_PORT": smtp.port, "SERVER_NAME": None})  # fmt: skip
        app = create_app(config)
        with app.app_context():
            db.create_all()
            rng = np.random.default_rng(11)
            t0 = time.perf_counter()
            populate(n_labs, n_findings, rng)
            print(
                f"data set: {n_labs:,} labs, {n_findings:,} open findings ({time.perf_counter() - t0:.1f} s to load)"
            )
            start = time.perf_counter()
            run = send_reminders(DAY)
            computed = time.perf_counter() - start
            sent = deliver(digest=True)
            total = time.perf_counter() - start
            again_start = time.perf_counter()
            rerun = send_reminders(DAY)
            resent = deliver(digest=True)
            again = time.perf_counter() - again_start
            recipients = db.session.query(Notification.recipient_id).distinct().count()
        per_address = smtp.received()
        n_history = _history_rows(db_path)
        floor_s = floor(db_path, run.created, n_history, sent.emails, smtp.port)
    finally:
        smtp.stop()
    print(
        f"reminders for {DAY}: {run.created:,} ({', '.join(f'{k} {n:,}' for k, n in sorted(run.by_kind.items()))})"
    )
    print(f"  computed and recorded (notifications + {n_history:,} history rows): {computed:.2f} s")
    print(
        f"  e-mail: {sent.emails:,} messages for {recipients:,} recipients carrying {sent.notifications:,} notifications"
    )
    print(
        f"  send-reminders end to end: {total:.2f} s (target < 60 s) against a floor of {floor_s:.2f} s: {total / floor_s:.2f}x"
    )
    print(f"  the same day again: {rerun.created} new, {resent.emails} e-mails, {again:.2f} s")
    ok = max(per_address.values(), default=0) == 1 and sent.emails == recipients == len(per_address)
    print(f"  every recipient's digest a single e-mail: {'yes' if ok else 'NO'}")


class SinkServer:
    """bench._smtp_sink in its own process on a free loopback port, noting each message's recipients."""

    def __init__(self, workdir: Path):
        import socket
        import subprocess
        import sys

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.log = workdir / "smtp.log"
        self.log.touch()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench._smtp_sink", str(self.port), str(self.log)]
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the benchmark's SMTP server did not start")

    def received(self) -> Counter:
        """Messages received, by recipient address (waits for the server to write them all)."""
        time.sleep(0.5)
        return Counter(line.strip() for line in self.log.read_text().splitlines() if line.strip())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _history_rows(db_path: Path) -> int:
    con = sqlite3.connect(db_path)
    try:
        return con.execute("SELECT count(*) FROM history_entries WHERE action = 'reminder'").fetchone()[0]
    finally:
        con.close()


if __name__ == "__main__":
    main()
