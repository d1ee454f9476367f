"""The planning area's background work: grading every lab as a job (started from the risk page or
`POST /api/v1/jobs` with kind `risk_grading`), and every day by the worker's schedule."""

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from labtrack import parsing
from labtrack.auth.permissions import Perm
from labtrack.jobs import schedule
from labtrack.jobs.registry import job_kind

JOB_KIND = "risk_grading"


@job_kind(JOB_KIND, label=_l("Risk grading of every laboratory"), perm=Perm.PLANNING_MANAGE)
def grade_everyone(job, report_progress, on: str | None = None, **_params: Any) -> dict:
    """Grade every laboratory as of a day (today by default); the runner commits once."""
    from labtrack.planning.grading import grade

    day = parsing.day(on, required=False)
    return grade(actor=job.started_by, on=day, progress=report_progress)


@schedule.daily("risk-grades")
def daily_grades(on: date) -> dict:
    """Every day: every laboratory graded as of the day, in one unit of work."""
    from labtrack.planning.grading import grade_and_commit

    return grade_and_commit(None, on)
