"""The worker's schedule: what runs daily (at DAILY_HOUR, UTC) and what runs every minute.

Any area registers its own periodic work in `labtrack/<area>/tasks.py` (imported at start-up):

    from labtrack.jobs import schedule

    @schedule.daily("send-reminders")
    def reminders(on: date) -> str:      # runs in its own unit of work; may commit
        ...
        return "412 reminders"           # a summary, kept as the run's job result

    @schedule.every_minute("deliver-mail")
    def deliver() -> None: ...

Daily entries run in the order they were registered, each as a job (kind `daily:<name>`) so its
outcome is on the jobs page; one that fails is logged and does not stop the others.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

DailyTask = Callable[[date], Any]
MinuteTask = Callable[[], Any]

_DAILY: dict[str, DailyTask] = {}
_MINUTELY: dict[str, MinuteTask] = {}


def daily(name: str) -> Callable[[DailyTask], DailyTask]:
    """Register `fn(on: date)` to run once a day."""

    def decorator(fn: DailyTask) -> DailyTask:
        _DAILY[name] = fn
        return fn

    return decorator


def every_minute(name: str) -> Callable[[MinuteTask], MinuteTask]:
    """Register `fn()` to run every minute (keep it quick: it shares the worker)."""

    def decorator(fn: MinuteTask) -> MinuteTask:
        _MINUTELY[name] = fn
        return fn

    return decorator


def daily_tasks() -> dict[str, DailyTask]:
    """The daily entries, in registration order."""
    return dict(_DAILY)


def minute_tasks() -> dict[str, MinuteTask]:
    """The every-minute entries."""
    return dict(_MINUTELY)
