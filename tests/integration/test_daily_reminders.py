"""`make run` starts `flask labtrack worker` beside the web server: a reminder appears in-app the
day a finding falls due, also when the worker starts after the daily hour (it catches up once)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from config import TestingConfig
from labtrack import create_app
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.jobs import runner
from labtrack.jobs.models import Job
from labtrack.models_base import utcnow
from labtrack.notify.models import Notification
from tests import factories as f
from tests.jobs.conftest import Worker, subprocess_env, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def shared(tmp_path):
    """An app on a SQLite file the worker process opens too."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    settings = {
        "SQLALCHEMY_DATABASE_URI": url,
        "UPLOAD_FOLDER": str(tmp_path / "up"),
        "JOBS_QUEUE_FILE": str(tmp_path / "queue.db"),
        "DAILY_HOUR": 0,
    }
    app = create_app(type("Config", (TestingConfig,), settings))
    with app.app_context():
        db.create_all()
        yield app, url
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _reminders(user) -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(select(Notification.kind).where(Notification.recipient_id == user.id)))


def test_the_worker_started_after_the_daily_hour_reminds_of_a_finding_due_today(shared, tmp_path):
    app, url = shared
    today = utcnow().date()
    lab = f.LabFactory(code="SC-DUE")
    manager = f.UserFactory(role=Role.LAB_MANAGER, lab=lab, username="manager-SC-DUE")
    f.FindingFactory(audit__lab=lab, lab=lab, raised_on=today - timedelta(days=30), due_on=today)
    db.session.commit()
    env = subprocess_env(
        DATABASE_URL=url,
        LABTRACK_INSTANCE=str(tmp_path / "instance"),
        UPLOAD_FOLDER=str(tmp_path / "up"),
        JOBS_QUEUE_FILE=str(tmp_path / "queue.db"),
        DAILY_HOUR="0",
    )
    worker = Worker(env, tmp_path / "worker.log").start()
    try:
        found = wait_for(lambda: _reminders(manager), timeout=90)
    finally:
        worker.stop()
    assert found == ["finding_due:0"], (tmp_path / "worker.log").read_text(errors="replace")[-2000:]
    ran = db.session.scalar(select(func.count()).select_from(Job).where(Job.kind.like("daily:%")))
    assert ran >= 1


def test_the_catch_up_runs_once_a_day_and_not_before_the_hour(shared):
    app, _url = shared
    now = utcnow().replace(hour=5, minute=0)
    app.config["DAILY_HOUR"] = 6
    assert runner.catch_up_daily(app, now) is False  # before the hour: the schedule's own run
    assert runner.catch_up_daily(app, now.replace(hour=7)) is True
    assert runner.catch_up_daily(app, now.replace(hour=8)) is False  # ran today already
    assert runner.catch_up_daily(app, now.replace(hour=7) + timedelta(days=1)) is True
