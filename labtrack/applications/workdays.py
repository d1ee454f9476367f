"""Counting in working days on a working calendar: pure, no database, no Flask.

A working day is a Monday to Friday that is not a public holiday, or a make-up working day (调休上班,
usually a Saturday or Sunday the State Council's notice moves work to). Counting needs the calendar
of every year it passes through: a year nobody has set up raises `MissingYear` (its holidays are
unknown, so no count in it can be trusted).

A clock started on day S with a limit of N working days is due on the N-th working day after S
(S itself not counted: a step done the day it starts took 0 working days); the working days a step
took from S to E are the working days D with S < D <= E.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


class MissingYear(Exception):
    """A count needs a year the working calendar does not have."""

    def __init__(self, year: int):
        super().__init__(f"no working calendar for {year}")
        self.year = year


@dataclass(frozen=True)
class WorkingCalendar:
    """The years set up, with their public holidays and make-up working days."""

    years: frozenset[int] = field(default_factory=frozenset)
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls, years: Iterable[int], holidays: Iterable[date] = (), workdays: Iterable[date] = ()
    ) -> "WorkingCalendar":
        """A calendar from plain lists."""
        return cls(frozenset(years), frozenset(holidays), frozenset(workdays))

    def covers(self, year: int) -> bool:
        """Whether the year is set up."""
        return year in self.years

    def require(self, *days: date) -> None:
        """Raise MissingYear for the first year of these days (and those between) not set up."""
        if not days:
            return
        for year in range(min(d.year for d in days), max(d.year for d in days) + 1):
            if year not in self.years:
                raise MissingYear(year)

    def is_working(self, day: date) -> bool:
        """Whether people work on this day (MissingYear if its year is not set up)."""
        if day.year not in self.years:
            raise MissingYear(day.year)
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (`start` itself when `days` is 0)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day, left = start, days
        while left:
            day += ONE_DAY
            if self.is_working(day):
                left -= 1
        return day

    def between(self, start: date, end: date) -> int:
        """Working days D with start < D <= end (0 when end is not after start)."""
        if end <= start:
            self.require(start, end)
            return 0
        self.require(start, end)
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            if self.is_working(day):
                count += 1
        return count

    def first_missing(self, start: date, end: date) -> int | None:
        """The first year from start to end that is not set up (None: all are)."""
        for year in range(min(start, end).year, max(start, end).year + 1):
            if year not in self.years:
                return year
        return None


def clock_state(
    calendar: WorkingCalendar, started_on: date, limit: int | None, on: date, stopped_on: date | None = None
) -> dict:
    """What a clock shows on a day: working days taken, due date, working days left, overdue.

    Never raises: a year missing from the calendar is reported as `missing_year` (the figures it
    would need are None).
    """
    end = stopped_on or on
    state: dict = {
        "taken": None,
        "due_on": None,
        "left": None,
        "overdue": False,
        "on_time": None,
        "missing_year": None,
    }
    try:
        state["taken"] = calendar.between(started_on, end)
    except MissingYear as exc:
        state["missing_year"] = exc.year
    if limit is None:
        return state
    try:
        due = calendar.add(started_on, limit)
    except MissingYear as exc:
        state["missing_year"] = state["missing_year"] or exc.year
        return state
    state["due_on"] = due
    if stopped_on is not None:
        state["on_time"] = stopped_on <= due
        return state
    state["overdue"] = on > due
    if not state["overdue"]:
        try:
            state["left"] = calendar.between(on, due)
        except MissingYear as exc:
            state["missing_year"] = state["missing_year"] or exc.year
    return state
