"""The clocks of an application's steps, in working days (`workdays.py` counts; this module starts,
stops and shows them). Limits come from DEFAULT_CLOCK_LIMITS, overridden by the app's config
`APPLICATION_CLOCK_LIMITS` (a dict of step -> working days).

A step that starts or stops a clock needs the working calendar of the years it counts in: the
service checks that first (`check_start`, `check_stop`) and refuses the step otherwise, so nothing
is half done. A clock started by an event outside the application's own steps (the last finding of
its assessment closed) never refuses: its count waits for the calendar (`tolerant`).
"""

from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import select

from labtrack.applications.calendar import missing_year_refusal
from labtrack.applications.models import Application, Clock
from labtrack.applications.values import DEFAULT_CLOCK_LIMITS, RUNNING_OUT_DAYS, Step
from labtrack.applications.workdays import MissingYear, WorkingCalendar, clock_state
from labtrack.extensions import db


def limits() -> dict[str, int | None]:
    """Working days allowed per step (None: measured, not limited)."""
    configured = current_app.config.get("APPLICATION_CLOCK_LIMITS") or {}
    return {**DEFAULT_CLOCK_LIMITS, **{str(k): v for k, v in configured.items()}}


def running(application: Application, step: Step | str) -> Clock | None:
    """The application's clock of this step that is still running, if any."""
    return next((c for c in application.clocks if c.step == step and c.stopped_on is None), None)


def check_start(calendar: WorkingCalendar, on: date) -> None:
    """Refuse (Conflict) a step on a day whose year the calendar does not have."""
    if not calendar.covers(on.year):
        raise missing_year_refusal(on.year)


def check_stop(calendar: WorkingCalendar, application: Application, step: Step | str, on: date) -> None:
    """Refuse a step that stops a clock whose count needs a year the calendar does not have."""
    clock = running(application, step)
    start = clock.started_on if clock is not None else on
    year = calendar.first_missing(start, on)
    if year is not None:
        raise missing_year_refusal(year)


def start(
    calendar: WorkingCalendar, application: Application, step: Step, on: date, *, tolerant: bool = False
) -> Clock:
    """Start a step's clock on a day; its due date when the calendar reaches it."""
    if not tolerant:
        check_start(calendar, on)
    limit = limits().get(step.value)
    due = None
    if limit is not None:
        try:
            due = calendar.add(on, int(limit))
        except MissingYear:
            due = None
    clock = Clock(step=step, started_on=on, limit_days=limit, due_on=due)
    application.clocks.append(clock)
    return clock


def stop(
    calendar: WorkingCalendar, application: Application, step: Step, on: date, *, tolerant: bool = False
) -> Clock | None:
    """Stop a step's running clock: the working days it took, and whether within its limit."""
    clock = running(application, step)
    if clock is None:
        return None
    if not tolerant:
        check_stop(calendar, application, step, on)
    clock.stopped_on = on
    try:
        clock.working_days = calendar.between(clock.started_on, on)
    except MissingYear:
        clock.working_days = None
    if clock.limit_days is not None and clock.working_days is not None:
        clock.on_time = clock.working_days <= clock.limit_days
    return clock


def state(calendar: WorkingCalendar, clock: Clock, on: date) -> dict[str, Any]:
    """What a clock shows today (see `workdays.clock_state`), with its step and dates."""
    shown = clock_state(calendar, clock.started_on, clock.limit_days, on, clock.stopped_on)
    if clock.stopped_on is not None and clock.working_days is not None:
        shown["taken"] = clock.working_days
        if clock.on_time is not None:
            shown["on_time"] = clock.on_time
            shown["missing_year"] = None  # counted when it stopped: a later year's calendar is not needed
    shown.update(
        {
            "step": clock.step,
            "label": clock.step_label,
            "started_on": clock.started_on,
            "stopped_on": clock.stopped_on,
            "limit": clock.limit_days,
            "running": clock.stopped_on is None,
            "running_out": (
                clock.stopped_on is None
                and not shown["overdue"]
                and shown["left"] is not None
                and clock.limit_days is not None
                and shown["left"] <= RUNNING_OUT_DAYS
            ),
        }
    )
    return shown


def states(calendar: WorkingCalendar, application: Application, on: date) -> list[dict[str, Any]]:
    """Every clock of an application, oldest first."""
    return [state(calendar, c, on) for c in application.clocks]


def overdue_clocks(on: date) -> list[Clock]:
    """Running clocks past their due date (the daily notice reads these)."""
    stmt = (
        select(Clock)
        .where(Clock.stopped_on.is_(None), Clock.due_on.is_not(None), Clock.due_on < on)
        .order_by(Clock.due_on, Clock.id)
    )
    return list(db.session.scalars(stmt))
