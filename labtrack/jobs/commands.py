"""`flask labtrack worker` (the jobs and the daily schedule, in one process) and `daily`."""

import logging
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext


def register(group: click.Group) -> None:
    """Add the worker commands to `flask labtrack`."""

    @group.command("worker")
    @click.option("--workers", type=int, default=None, help="Jobs run at once (JOBS_WORKERS).")
    @with_appcontext
    def worker_command(workers: int | None) -> None:
        """Run background jobs and the daily schedule until stopped (never inside gunicorn)."""
        from labtrack.jobs import queue, runner

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
        app = current_app._get_current_object()
        huey = queue.huey_of(app)
        requeued = runner.recover(app)
        where = app.config.get("REDIS_URL") or app.config["JOBS_QUEUE_FILE"]
        click.echo(f"labtrack worker {runner.identity()}: queue {where}; {len(requeued)} job(s) queued again")
        if workers is None:
            # SQLite has one writer at a time: two jobs at once would wait on each other's lock.
            on_sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
            workers = 1 if on_sqlite else app.config["JOBS_WORKERS"]
        huey.labtrack_catch_up_daily()  # today's reminders even when started after DAILY_HOUR
        consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
        consumer.run()

    @group.command("daily")
    @click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
    @with_appcontext
    def daily_command(on) -> None:
        """Run the daily schedule once now (what the worker does every day; for cron)."""
        from labtrack.jobs import runner

        day: date | None = on.date() if on else None
        failed = False
        for outcome in runner.run_daily(current_app._get_current_object(), day):
            click.echo(
                f"{outcome['name']}: {outcome['status']} {outcome['error'] or outcome['result'] or ''}"
            )
            failed = failed or outcome["status"] == "failed"
        if failed:
            raise SystemExit(1)
