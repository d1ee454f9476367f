"""Two `send-reminders` at once (two processes on one database, one mail server): no reminder is
added twice and nobody gets a second e-mail."""

import subprocess
import sys
from datetime import date, timedelta

from sqlalchemy import func, select

from config import TestingConfig
from labtrack import create_app
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.notify.models import Notification
from tests import factories as f
from tests.jobs.conftest import ROOT, subprocess_env

DAY = date(2010, 6, 1)


def test_two_runs_at_once_never_duplicate_a_reminder_or_an_email(database_url, tmp_path, smtp):
    url = database_url if database_url.startswith("postgresql") else f"sqlite:///{tmp_path / 'app.db'}"
    app = create_app(type("Config", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        db.create_all()
        try:
            labs = f.LabFactory.create_batch(30)
            managers = [f.UserFactory(role=Role.LAB_MANAGER, lab=lab) for lab in labs]
            f.UserFactory(role=Role.QUALITY, username="quality-1")
            for i, lab in enumerate(labs):
                for days in (10, 3, 0, -1, -7):
                    f.FindingFactory(audit__lab=lab, lab=lab, due_on=DAY + timedelta(days=days + i % 2 * 30))
            env = subprocess_env(
                DATABASE_URL=url,
                LABTRACK_INSTANCE=str(tmp_path / "instance"),
                MAIL_SERVER="127.0.0.1",
                MAIL_PORT=smtp.port,
            )
            command = [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "wsgi",
                "labtrack",
                "send-reminders",
                "--on",
                DAY.isoformat(),
            ]
            runs = [
                subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                for _ in range(2)
            ]
            outputs = [run.communicate(timeout=120)[0].decode() for run in runs]
            assert [run.returncode for run in runs] == [0, 0], outputs
            db.session.expire_all()
            # 15 labs with findings due in 10, 3, 0, -1 and -7 days (the other 15 a month later):
            # 15 x 5 findings x 1 manager, and quality for the 15 escalated ones.
            assert db.session.scalar(select(func.count()).select_from(Notification)) == 15 * 5 + 15
            created = sorted(int(out.split(" reminders")[0].rsplit(" ", 1)[1]) for out in outputs)
            assert sum(created) == 90  # what one run added, the other did not add again
            recipients = [str(m["To"]) for m in smtp.messages]
            assert len(recipients) == len(set(recipients)) == 16  # one e-mail each, never two
            assert sorted(recipients) == sorted(
                [f"{m.username}@example.cn" for m in managers[::2]] + ["quality-1@example.cn"]
            )
            assert (
                db.session.scalar(
                    select(func.count()).select_from(Notification).where(Notification.emailed_at.is_(None))
                )
                == 0
            )
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
