"""Who sees jobs (a table of roles and ownership), and the daily schedule run by the worker."""

from datetime import date

import pytest
from sqlalchemy import select

from labtrack.auth.models import User
from labtrack.auth.permissions import Perm, Role
from labtrack.extensions import db
from labtrack.jobs import policy, registry, runner, schedule
from labtrack.jobs import tasks as _built_in_kinds  # noqa: F401  (registers scope_import, lab_import)
from labtrack.jobs.models import Job, JobStatus


@pytest.mark.parametrize(
    "role, own, sees",
    [
        (Role.ADMIN, False, True),
        (Role.QUALITY, False, False),
        (Role.QUALITY, True, True),
        (Role.INSPECTOR, False, False),
        (Role.LAB_MANAGER, True, True),
        (Role.LAB_MANAGER, False, False),
        (Role.VIEWER, True, True),
    ],
)
def test_a_job_is_its_starters_and_admins_see_all(role, own, sees):
    actor = User(id=1, role=role)
    job = Job(kind="x", started_by_id=1 if own else 2)
    assert policy.sees(actor, job) is sees
    assert not policy.sees(None, job)


def test_system_jobs_are_admins_only():
    job = Job(kind="daily:send-reminders", started_by_id=None)
    assert policy.sees(User(id=1, role=Role.ADMIN), job)
    assert not policy.sees(User(id=None, role=Role.VIEWER), job)


@pytest.mark.parametrize(
    "role, kind, may",
    [
        (Role.ADMIN, "scope_import", True),
        (Role.QUALITY, "scope_import", True),
        (Role.QUALITY, "lab_import", True),
        (Role.INSPECTOR, "scope_import", False),
        (Role.LAB_MANAGER, "lab_import", False),
        (Role.VIEWER, "scope_import", False),
    ],
)
def test_who_may_start_the_built_in_kinds(role, kind, may):
    assert policy.may_start(User(id=1, role=role), registry.get(kind)) is may


def test_kinds_without_a_permission_cannot_be_started_through_the_api():
    assert not policy.may_start(User(id=1, role=Role.ADMIN), registry.JobKind("internal", lambda *a: None))
    assert registry.get("scope_import").perm is Perm.SCOPE_EDIT


def test_the_daily_schedule_runs_every_entry_as_a_job_and_survives_a_failing_one(app, monkeypatch):
    calls = []
    monkeypatch.setattr(schedule, "_DAILY", {})

    @schedule.daily("first")
    def first(on):
        calls.append(("first", on))
        raise RuntimeError("first broke")

    @schedule.daily("second")
    def second(on):
        calls.append(("second", on))
        return {"done": 3}

    outcomes = runner.run_daily(app, date(2010, 6, 1))
    assert calls == [("first", date(2010, 6, 1)), ("second", date(2010, 6, 1))]
    assert [(o["name"], o["status"]) for o in outcomes] == [("first", "failed"), ("second", "done")]
    jobs = {j.kind: j for j in db.session.scalars(select(Job))}
    assert jobs["daily:first"].status == JobStatus.FAILED and "first broke" in jobs["daily:first"].error
    assert jobs["daily:second"].result == {"done": 3} and jobs["daily:second"].params == {"on": "2010-06-01"}


def test_send_reminders_is_on_the_daily_schedule(app):
    assert "send-reminders" in schedule.daily_tasks()
    assert "deliver-mail" in schedule.minute_tasks()
    result = app.test_cli_runner().invoke(args=["labtrack", "daily", "--on", "2010-06-01"])
    assert result.exit_code == 0 and "send-reminders: done" in result.output
