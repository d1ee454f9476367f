"""The real worker process: a job killed mid-way is run again from scratch (or marked failed),
never half-applied; the queue on a SQLite file (the default) and on Redis."""

import pytest
from sqlalchemy import func, select

from config import TestingConfig
from labtrack import create_app, jobs
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.jobs import runner
from labtrack.jobs.models import Job, JobStatus
from labtrack.labs.models import Lab
from labtrack.notify.models import Notification
from tests import factories as f
from tests.jobs.conftest import Worker, subprocess_env, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite-file", "redis"])
def queue_settings(request, tmp_path):
    """Where the queue lives: the default SQLite file, or a real Redis server."""
    if request.param == "redis":
        return {"REDIS_URL": request.getfixturevalue("redis_url"), "JOBS_QUEUE_NAME": f"t{tmp_path.name}"}
    return {"JOBS_QUEUE_FILE": str(tmp_path / "queue.db")}


@pytest.fixture
def shared(database_url, tmp_path, queue_settings):
    """An app on a database a worker process can open too (a SQLite file, or the PostgreSQL one)."""
    url = database_url if database_url.startswith("postgresql") else f"sqlite:///{tmp_path / 'app.db'}"
    settings = {"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(tmp_path / "up"), **queue_settings}
    app = create_app(type("Config", (TestingConfig,), settings))
    with app.app_context():
        db.create_all()
        yield app, url
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _env(tmp_path, url, queue_settings, **extra) -> dict:
    return subprocess_env(
        DATABASE_URL=url,
        LABTRACK_INSTANCE=str(tmp_path / "instance"),
        UPLOAD_FOLDER=str(tmp_path / "up"),
        **{k: str(v) for k, v in queue_settings.items()},
        **extra,
    )


def _labs() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Lab).where(Lab.code.like("SLOW-%")))


def _job(job_id: int) -> Job:
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(Job, job_id)


@pytest.mark.parametrize("attempts, outcome", [(2, JobStatus.DONE), (1, JobStatus.FAILED)])
def test_a_worker_killed_mid_job_leaves_nothing_half_applied(
    shared, tmp_path, queue_settings, attempts, outcome
):
    app, url = shared
    user = f.UserFactory(role=Role.QUALITY)
    env = _env(tmp_path, url, queue_settings, JOB_MAX_ATTEMPTS=attempts)
    marker = tmp_path / "half-way"
    worker = Worker(env, tmp_path / "worker.log").start()
    try:
        job = jobs.submit("test_slow_labs", user, n=6, pause=0.4, marker=str(marker))
        wait_for(marker.exists, timeout=60)
        assert runner.progress_of(app, _job(job.id))[0] >= 1  # progress seen while it runs
        worker.kill()
        assert _job(job.id).status == JobStatus.RUNNING
        assert _labs() == 0  # the half-done work was never committed
        marker.unlink()
        worker = Worker(env, tmp_path / "worker.log").start()  # the next start finds the orphan
        finished = wait_for(lambda: _job(job.id).finished and _job(job.id), timeout=90)
    finally:
        worker.stop()
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert finished.status == outcome, log[-3000:]
    if outcome == JobStatus.DONE:
        assert finished.attempts == 2 and finished.result == {"labs": 6}
        assert _labs() == 6  # applied once, in full
    else:
        assert "stopped while running this job" in finished.error
        assert _labs() == 0
        kinds = db.session.scalars(
            select(Notification.kind).where(Notification.recipient_id == user.id)
        ).all()
        assert kinds == ["job_failed"]


def test_the_worker_runs_jobs_submitted_by_another_process(shared, tmp_path, queue_settings):
    app, url = shared
    user = f.UserFactory(role=Role.VIEWER)
    worker = Worker(_env(tmp_path, url, queue_settings), tmp_path / "worker.log").start()
    try:
        job = jobs.submit("test_count", user, n=7)
        finished = wait_for(lambda: _job(job.id).finished and _job(job.id), timeout=60)
    finally:
        worker.stop()
    assert finished.status == JobStatus.DONE and finished.result["sum"] == 28
    assert (finished.done, finished.total) == (7, 7)
