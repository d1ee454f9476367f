"""The queue under the jobs: Huey, on Redis when REDIS_URL is set, else on a SQLite file in the
instance folder (no other server needed). The queue only carries "run job N" messages and the
periodic schedule; the job's state lives in the app database (`jobs` table), so every app server
sees it. Huey's key-value store also keeps each running job's progress and heartbeat, so that a
job can report progress while its own work is still uncommitted (on SQLite the app database has
one writer at a time).
"""

import logging
from typing import Any

from flask import Flask, current_app
from huey import RedisHuey, SqliteHuey, crontab
from huey.exceptions import TaskLockedException

log = logging.getLogger("labtrack.jobs")


def make_huey(app: Flask) -> Any:
    """The Huey instance of an app, with the job task and the periodic schedule registered."""
    config = app.config
    immediate = bool(config.get("JOBS_IMMEDIATE"))
    name = config.get("JOBS_QUEUE_NAME", "labtrack")
    if config.get("REDIS_URL"):
        huey = RedisHuey(name, url=config["REDIS_URL"], immediate=immediate, results=False)
    else:
        huey = SqliteHuey(name, filename=config["JOBS_QUEUE_FILE"], immediate=immediate, results=False)

    from labtrack.jobs import runner

    @huey.task(name="labtrack.run_job")
    def run_job(job_id: int) -> None:
        runner.execute(app, job_id)

    @huey.periodic_task(crontab(minute="*"), name="labtrack.every_minute")
    def every_minute() -> None:
        runner.run_minute_tasks(app)

    hour = str(int(config.get("DAILY_HOUR", 6)))

    @huey.periodic_task(crontab(hour=hour, minute="0"), name="labtrack.daily")
    def daily() -> None:
        with huey.lock_task("labtrack.daily"):
            runner.run_daily(app)

    @huey.task(name="labtrack.catch_up_daily")
    def catch_up_daily() -> None:
        """Today's schedule if its hour has passed without it (queued at the worker's start and
        hourly): a worker started late still sends the day's reminders."""
        try:
            with huey.lock_task("labtrack.daily"):
                runner.catch_up_daily(app)
        except TaskLockedException:
            pass  # the daily run is under way in another thread or worker

    @huey.periodic_task(crontab(minute="30"), name="labtrack.catch_up_daily_hourly")
    def catch_up_hourly() -> None:
        catch_up_daily()

    huey.labtrack_run_job = run_job
    huey.labtrack_catch_up_daily = catch_up_daily
    return huey


def huey_of(app: Flask | None = None) -> Any:
    """This app's Huey instance (made on first use)."""
    app = app or current_app._get_current_object()
    huey = app.extensions.get("labtrack_huey")
    if huey is None:
        huey = app.extensions["labtrack_huey"] = make_huey(app)
    return huey


def enqueue(app: Flask, job_id: int) -> bool:
    """Put "run job N" on the queue; False (logged) when the queue cannot be reached.

    A job that could not be queued stays `queued` in the database and the worker's sweep queues
    it again, so nothing is lost when Redis is briefly away.
    """
    try:
        huey_of(app).labtrack_run_job(job_id)
    except Exception:
        log.exception("could not queue job %s; the worker's sweep will queue it again", job_id)
        return False
    return True


def kv_put(app: Flask, key: str, value: Any) -> None:
    """Store a small value in the queue's key-value store (errors logged, never raised)."""
    try:
        huey_of(app).put(key, value)
    except Exception:
        log.warning("queue store unreachable: %s not saved", key, exc_info=True)


def kv_get(app: Flask, key: str) -> Any:
    """Read a value of the queue's key-value store without removing it (None if absent)."""
    try:
        return huey_of(app).get(key, peek=True)
    except Exception:
        log.warning("queue store unreachable: %s not read", key, exc_info=True)
        return None
