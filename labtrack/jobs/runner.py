"""Submitting jobs and running them: one transaction per job, progress on the side, recovery.

A job's work and its final status are committed together, once, when its function returns; when
it raises, everything it did is rolled back and the job is marked failed with the error, which
its starter sees on the job's page and is notified of. A worker that dies mid-job leaves the job
`running` with nothing of its work committed; the next sweep (at the worker's start, then every
minute) queues it again (up to JOB_MAX_ATTEMPTS runs) or marks it failed.
"""

import logging
import os
import socket
import threading
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from labtrack import events
from labtrack.extensions import db
from labtrack.history.display import N_, system_message
from labtrack.jobs import queue, registry, schedule
from labtrack.jobs.models import Job, JobStatus
from labtrack.models_base import utcnow
from labtrack.services import DomainError, InvalidInput, act_as, transaction

# The history comment it writes, shown in the reader's language (history.display.system_text).
JOB_COMMENT = system_message(N_("Job %(id)s: %(kind)s"))

log = logging.getLogger("labtrack.jobs")

HEARTBEAT_SECONDS = 10
PROGRESS_SECONDS = 0.5  # at most this often a running job's progress is written


def identity() -> str:
    """This process, as the `worker` column names it: host:pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def submit(kind: str, actor: Any, **params: Any) -> Job:
    """Record a job (status queued) and queue it once the record is committed; returns the Job.

    `params` must be JSON values. Inside a larger unit of work the job is queued when that one
    commits (and never, if it rolls back).
    """
    if registry.get(kind) is None:
        raise InvalidInput(_("No such kind of job."), {"kind": [_("No such kind of job.")]})
    job = Job(kind=kind, started_by_id=getattr(actor, "id", None), params=params, status=JobStatus.QUEUED)
    with transaction():
        db.session.add(job)
        db.session.flush()
        db.session.info.setdefault("labtrack_jobs_to_queue", []).append(job.id)
    return job


@event.listens_for(Session, "after_commit")
def _queue_committed(session: Session) -> None:
    ids = session.info.pop("labtrack_jobs_to_queue", None)
    if ids:
        app = current_app._get_current_object()
        for job_id in ids:
            queue.enqueue(app, job_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop("labtrack_jobs_to_queue", None)


def progress_of(app: Flask, job: Job) -> tuple[int, int | None]:
    """(done, total) of a job: live from the queue's store while it runs, else as recorded."""
    if job.status == JobStatus.RUNNING:
        live = queue.kv_get(app, f"job:{job.id}:progress")
        if live:
            return int(live[0]), (int(live[1]) if live[1] is not None else None)
    return job.done, job.total


class _Progress:
    """The `report_progress(done, total=None)` a job function is given."""

    def __init__(self, app: Flask, job: Job):
        self.app, self.job_id = app, job.id
        self.done, self.total = 0, None
        self._last = 0.0

    def __call__(self, done: int, total: int | None = None) -> None:
        self.done = int(done)
        if total is not None:
            self.total = int(total)
        now = time.monotonic()
        if now - self._last >= PROGRESS_SECONDS or (self.total is not None and self.done >= self.total):
            self._last = now
            queue.kv_put(self.app, f"job:{self.job_id}:progress", (self.done, self.total))


class _Heartbeat(threading.Thread):
    """Writes "still alive" for a running job every few seconds, until stopped."""

    def __init__(self, app: Flask, job_id: int):
        super().__init__(daemon=True, name=f"job-{job_id}-heartbeat")
        self.app, self.job_id, self.stopped = app, job_id, threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            queue.kv_put(self.app, f"job:{self.job_id}:beat", time.time())
            self.stopped.wait(HEARTBEAT_SECONDS)


def _claim(job_id: int) -> bool:
    """Mark a queued job running (one worker wins, even if it was queued twice)."""
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(
            status=JobStatus.RUNNING,
            worker=identity(),
            attempts=Job.attempts + 1,
            started_at=utcnow(),
            error=None,
        )
    )
    db.session.commit()
    return claimed.rowcount == 1


def execute(app: Flask, job_id: int) -> None:
    """Run one job in its own app context and session (what the queue's task calls)."""
    with app.app_context():
        try:
            if not _claim(job_id):
                return
            _run(app, db.session.get(Job, job_id))
        finally:
            db.session.remove()


def _locale(job: Job) -> str:
    user = job.started_by
    return (getattr(user, "locale", None) or current_app.config["BABEL_DEFAULT_LOCALE"]) if user else "en"


def _run(app: Flask, job: Job) -> None:
    kind = registry.get(job.kind)
    progress = _Progress(app, job)
    beat = _Heartbeat(app, job.id)
    beat.start()
    job_id, locale = job.id, _locale(job)
    try:
        with force_locale(locale):
            try:
                if kind is None:
                    raise RuntimeError(f"no job kind {job.kind!r} is registered")
                act_as(job.started_by, _(JOB_COMMENT, id=job.id, kind=kind.title))
                result = kind.run(job, progress, **(job.params or {}))
                job = db.session.get(Job, job_id)  # the function may have committed (and expired it)
                job.status, job.result, job.finished_at = JobStatus.DONE, _jsonable(result), utcnow()
                job.done, job.total = progress.done, progress.total
                if job.total is not None and job.done < job.total:
                    job.done = job.total
                events.job_finished.send(job, status=JobStatus.DONE.value)
                db.session.commit()
            except Exception as exc:
                db.session.rollback()
                if not isinstance(exc, DomainError):
                    log.exception("job %s (%s) failed", job_id, getattr(kind, "name", "?"))
                _fail(job_id, _error_text(exc), getattr(exc, "errors", None), progress)
    finally:
        beat.stopped.set()


def _fail(job_id: int, message: str, errors: Any, progress: _Progress | None = None) -> None:
    """Record a job as failed (its work was rolled back) and tell whoever started it."""
    job = db.session.get(Job, job_id)
    job.status, job.error, job.finished_at = JobStatus.FAILED, message[:4000], utcnow()
    if errors:
        job.result = {"errors": _jsonable(errors)}
    if progress is not None:
        job.done, job.total = progress.done, progress.total
    events.job_finished.send(job, status=JobStatus.FAILED.value)
    db.session.commit()


def _error_text(exc: Exception) -> str:
    """What the starter is shown: a refusal's own words, else the error's type and text."""
    if isinstance(exc, DomainError):
        return exc.message
    detail = str(exc).strip()
    name = type(exc).__name__
    return _("Unexpected error (%(name)s): %(detail)s", name=name, detail=detail[:500]) if detail else name


def _jsonable(value: Any) -> Any:
    """A result JSON can hold (dates as ISO text, other objects as their text)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "as_dict"):
        return _jsonable(value.as_dict())
    return str(value)


# --- recovery: jobs whose worker died ----------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_orphan(app: Flask, job: Job, host: str, stale_before: float) -> bool:
    """Whether a running job's worker is gone."""
    worker_host, _sep, pid = (job.worker or "").rpartition(":")
    if worker_host == host and pid.isdigit():
        return int(pid) != os.getpid() and not _pid_alive(int(pid))
    if not app.config.get("REDIS_URL"):
        return False  # another machine's worker, and no shared store to read its heartbeat from
    beat = queue.kv_get(app, f"job:{job.id}:beat")
    if beat is None:
        started = job.started_at or job.created_at
        return (utcnow() - started).total_seconds() > app.config["JOB_STALE_SECONDS"]
    return float(beat) < stale_before


def recover(app: Flask) -> list[int]:
    """Queue again (or fail) the running jobs whose worker died; queue the ones never queued.

    Returns the ids of the jobs it queued again.
    """
    host = socket.gethostname()
    stale_before = time.time() - app.config["JOB_STALE_SECONDS"]
    requeued: list[int] = []
    running = db.session.scalars(select(Job).where(Job.status == JobStatus.RUNNING)).all()
    for job in running:
        if not _is_orphan(app, job, host, stale_before):
            continue
        if job.attempts < app.config["JOB_MAX_ATTEMPTS"]:
            reset = (
                update(Job)
                .where(Job.id == job.id, Job.status == JobStatus.RUNNING, Job.worker == job.worker)
                .values(status=JobStatus.QUEUED, worker=None, started_at=None, done=0)
            )
            if db.session.execute(reset).rowcount:
                db.session.commit()
                log.warning("job %s: its worker %s died; queued again", job.id, job.worker)
                requeued.append(job.id)
        else:
            log.warning("job %s: its worker %s died; attempts used up, marked failed", job.id, job.worker)
            with force_locale(_locale(job)):
                _fail(
                    job.id, _("The worker stopped while running this job; nothing of it was applied."), None
                )
    db.session.commit()
    # Jobs recorded but never queued (the queue was unreachable): queue them again; a job queued
    # twice runs once (the claim is atomic).
    waiting_since = utcnow() - timedelta(seconds=60)
    stranded = db.session.scalars(
        select(Job.id).where(Job.status == JobStatus.QUEUED, Job.created_at < waiting_since)
    ).all()
    for job_id in [*requeued, *stranded]:
        queue.enqueue(app, job_id)
    return requeued


# --- the schedule -------------------------------------------------------------------------------


def run_minute_tasks(app: Flask) -> None:
    """Every minute: recovery, then each area's every-minute entries (errors logged)."""
    with app.app_context():
        try:
            recover(app)
        except Exception:
            db.session.rollback()
            log.exception("job recovery failed")
        for name, fn in schedule.minute_tasks().items():
            try:
                fn()
            except Exception:
                db.session.rollback()
                log.exception("every-minute task %s failed", name)
        db.session.remove()


def daily_ran(app: Flask, on: date) -> bool:
    """Whether the daily schedule has already started on a day (any `daily:*` job created then)."""
    start = datetime.combine(on, clock())
    with app.app_context():
        found = db.session.scalar(
            select(Job.id)
            .where(
                Job.kind.like("daily:%"), Job.created_at >= start, Job.created_at < start + timedelta(days=1)
            )
            .limit(1)
        )
        db.session.remove()
    return found is not None


def catch_up_daily(app: Flask, now: datetime | None = None) -> bool:
    """Run today's schedule if its hour (DAILY_HOUR, UTC) has passed and it has not run today.

    A worker started after the hour (`make run` at 9:00) or down at it still sends the day's
    reminders that day; a second call the same day does nothing. True when it ran.
    """
    now = now or utcnow()
    if now.hour < int(app.config.get("DAILY_HOUR", 6)) or daily_ran(app, now.date()):
        return False
    run_daily(app, now.date())
    return True


def run_daily(app: Flask, on: date | None = None) -> list[dict]:
    """Run every daily entry for a day (today by default), each recorded as a job.

    Returns one {"name", "job", "status", "result", "error"} per entry.
    """
    on = on or utcnow().date()
    outcomes = []
    with app.app_context():
        for name, fn in schedule.daily_tasks().items():
            job = Job(kind=f"daily:{name}", params={"on": on.isoformat()}, status=JobStatus.RUNNING)
            job.worker, job.attempts, job.started_at = identity(), 1, utcnow()
            db.session.add(job)
            db.session.commit()
            job_id = job.id
            try:
                result = fn(on)
                db.session.commit()
                job = db.session.get(Job, job_id)
                job.status, job.result, job.finished_at = JobStatus.DONE, _jsonable(result), utcnow()
            except Exception as exc:
                db.session.rollback()
                log.exception("daily task %s failed", name)
                job = db.session.get(Job, job_id)
                job.status, job.error, job.finished_at = JobStatus.FAILED, _error_text(exc), utcnow()
            outcome = {
                "name": name,
                "job": job_id,
                "status": job.status.value if hasattr(job.status, "value") else job.status,
            }
            outcome.update(result=job.result, error=job.error)
            db.session.commit()
            outcomes.append(outcome)
        db.session.remove()
    return outcomes
