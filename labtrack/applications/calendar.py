"""The working calendar in the database: reading it as a `WorkingCalendar`, and the administrator's
edits (a year set up, public holidays and make-up working days added or removed). Every edit
recomputes the due dates of the clocks still running, so a holiday entered late moves them."""

from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from labtrack import parsing
from labtrack.applications import policy
from labtrack.applications.models import CalendarDay, CalendarYear, Clock
from labtrack.applications.values import DAY_NAME_MAX, SPAN_MAX_DAYS, DayKind
from labtrack.applications.workdays import MissingYear, WorkingCalendar
from labtrack.extensions import db
from labtrack.parsing import Fields
from labtrack.services import Conflict, Forbidden, InvalidInput, load, transaction


def working_calendar() -> WorkingCalendar:
    """Every year set up with its holidays and make-up working days (a few rows a year)."""
    years = db.session.scalars(select(CalendarYear.year)).all()
    holidays, workdays = [], []
    for day, kind in db.session.execute(select(CalendarDay.day, CalendarDay.kind)):
        (workdays if kind == DayKind.WORKDAY else holidays).append(day)
    return WorkingCalendar.of(years, holidays, workdays)


def missing_year_refusal(year: int) -> Conflict:
    """The refusal of a step that needs a year nobody has set up (nothing is changed)."""
    return Conflict(
        _(
            "The working calendar for %(year)s is not set up, so the working days of this step cannot "
            "be counted. An administrator enters that year's public holidays and make-up working days "
            "(Applications, Working calendar); then try again. Nothing was changed.",
            year=year,
        ),
        {"calendar": [_("No working calendar for %(year)s.", year=year)]},
    )


def years() -> list[CalendarYear]:
    """The years set up, newest first."""
    return list(db.session.scalars(select(CalendarYear).order_by(CalendarYear.year.desc())))


def days_of(year: int) -> list[CalendarDay]:
    """A year's holidays and make-up working days, in date order."""
    stmt = (
        select(CalendarDay)
        .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
        .order_by(CalendarDay.day)
    )
    return list(db.session.scalars(stmt))


def year_summary(year: int) -> dict[str, int]:
    """Working days, public holidays and make-up days of a year (MissingYear if not set up)."""
    calendar = working_calendar()
    if not calendar.covers(year):
        raise MissingYear(year)
    start = date(year, 1, 1)
    length = (date(year, 12, 31) - start).days + 1
    total = sum(1 for n in range(length) if calendar.is_working(start + timedelta(days=n)))
    holidays = [d for d in calendar.holidays if d.year == year]
    return {
        "working_days": total,
        "holidays": len(holidays),
        "weekday_holidays": sum(1 for d in holidays if d.weekday() < 5),
        "workdays": sum(1 for d in calendar.workdays if d.year == year),
    }


def _require(actor: Any) -> None:
    if not policy.may_edit_calendar(actor):
        raise Forbidden(_("Only an administrator edits the working calendar."))


def add_year(data: dict[str, Any], actor: Any) -> CalendarYear:
    """Set a year up (its holidays are then added day by day or span by span)."""
    _require(actor)
    f = Fields(data)
    year = f.get("year", parsing.year)
    note = f.get("note", parsing.text, required=False, max_len=parsing.COMMENT_MAX)
    if year is not None and db.session.get(CalendarYear, year) is not None:
        f.add("year", _("%(year)s is already set up.", year=year))
    f.raise_if_any(_("The year could not be added."))
    with transaction(actor, _("working calendar")):
        record = CalendarYear(year=year, note=note)
        db.session.add(record)
        db.session.flush()
        refresh_due_dates()
    return record


def remove_year(year: Any, actor: Any) -> None:
    """Take a year out of the calendar, with its days (its clocks' due dates become unknown)."""
    _require(actor)
    record = load(CalendarYear, year, what=_("calendar year"))
    with transaction(actor, _("working calendar")):
        for day in days_of(record.year):
            db.session.delete(day)
        db.session.delete(record)
        db.session.flush()
        refresh_due_dates()


def add_days(data: dict[str, Any], actor: Any) -> list[CalendarDay]:
    """Add a public holiday (a span of days, weekends included) or a make-up working day."""
    _require(actor)
    f = Fields(data)
    first = f.get("first", parsing.day)
    last = f.get("last", parsing.day, required=False) or first
    kind = f.get("kind", parsing.choice, [k.value for k in DayKind])
    name = f.get("name", parsing.name, required=False, max_len=DAY_NAME_MAX)
    name_en = f.get("name_en", parsing.name, required=False, max_len=DAY_NAME_MAX)
    days: list[date] = []
    if first and last:
        if last < first:
            f.add("last", _("The last day cannot be before the first."))
        elif (last - first).days >= SPAN_MAX_DAYS:
            f.add("last", _("At most %(n)d days at a time.", n=SPAN_MAX_DAYS))
        else:
            days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    calendar = working_calendar()
    for year in sorted({d.year for d in days}):
        if not calendar.covers(year):
            f.add("first", _("%(year)s is not set up yet: add the year first.", year=year))
    if kind == DayKind.WORKDAY:
        weekdays = [d for d in days if d.weekday() < 5 and d not in calendar.holidays]
        if weekdays:
            f.add("first", _("%(day)s is a working day already.", day=weekdays[0].isoformat()))
    taken = (
        set(db.session.scalars(select(CalendarDay.day).where(CalendarDay.day.in_(days)))) if days else set()
    )
    if taken:
        f.add("first", _("%(day)s is in the calendar already.", day=min(taken).isoformat()))
    f.raise_if_any(_("The days could not be added."))
    with transaction(actor, _("working calendar")):
        added = [CalendarDay(day=d, kind=kind, name=name, name_en=name_en) for d in days]
        db.session.add_all(added)
        db.session.flush()
        refresh_due_dates()
    return added


def remove_day(day_id: Any, actor: Any) -> None:
    """Remove a holiday or make-up day entered by mistake."""
    _require(actor)
    record = load(CalendarDay, day_id, what=_("calendar day"))
    with transaction(actor, _("working calendar")):
        db.session.delete(record)
        db.session.flush()
        refresh_due_dates()


def load_days(
    year: int, rows: list[tuple[date, str, str | None, str | None]], actor: Any, note: str | None = None
) -> int:
    """Set a whole year up at once (the demo, the command line): (day, kind, name, name_en) rows."""
    _require(actor)
    if db.session.get(CalendarYear, year) is not None:
        return 0
    bad = [d for d, _k, _n, _e in rows if d.year != year]
    if bad:
        raise InvalidInput(_("The days could not be added."), {"day": [bad[0].isoformat()]})
    with transaction(actor, _("working calendar")):
        db.session.add(CalendarYear(year=year, note=note))
        db.session.add_all(CalendarDay(day=d, kind=k, name=n, name_en=e) for d, k, n, e in rows)
        db.session.flush()
        refresh_due_dates()
    return len(rows)


def refresh_due_dates() -> int:
    """Recompute the due date of every running clock with a limit (in the caller's unit of work)."""
    calendar = working_calendar()
    changed = 0
    for clock in db.session.scalars(
        select(Clock).where(Clock.stopped_on.is_(None), Clock.limit_days.is_not(None))
    ):
        try:
            due = calendar.add(clock.started_on, clock.limit_days)
        except MissingYear:
            due = None
        if clock.due_on != due:
            clock.due_on = due
            changed += 1
    return changed
