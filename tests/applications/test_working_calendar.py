"""The working calendar an administrator keeps (DESIGN "Qualification applications": public holidays
and make-up working days configured per year): what a year holds, each edit's refusals, and the
running clocks whose due dates every edit moves. Counts are made by hand from the State Council's
2010 notice."""

from datetime import date

import pytest
from sqlalchemy import select

from labtrack.applications import calendar, service, steps
from labtrack.applications.models import CalendarDay, CalendarYear
from labtrack.applications.workdays import MissingYear
from labtrack.extensions import db
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound
from tests.applications.conftest import NEW_ITEMS


def _submitted(world, on):
    application = service.create({"kind": "extension", "items": NEW_ITEMS}, world.users["manager"])
    steps.transition(application, "submitted", {}, world.users["manager"], on=on)
    return application


def _due(application):
    db.session.expire_all()
    return application.clocks[0].due_on


def _holiday(first, last=None, kind="holiday", **more):
    return {"first": first, "last": last or first, "kind": kind, "name": "测试", **more}


def test_the_year_2010_as_the_notice_sets_it(world):
    # 2010 began on a Friday: 52 weeks and one Friday, 261 weekdays. Holidays falling on weekdays:
    # 1 Jan; 15-19 Feb; 5 Apr; 3 May; 14-16 Jun; 22-24 Sep; 1, 4-7 Oct: 1+5+1+1+3+3+5 = 19.
    # Make-up days: 20, 21 Feb; 12, 13 Jun; 19, 25, 26 Sep; 9 Oct: 8. So 261 - 19 + 8 working days.
    # Holiday days in all: 3 + 7 + 3 + 3 + 3 + 3 + 7 = 29.
    assert calendar.year_summary(2010) == {
        "working_days": 250,
        "holidays": 29,
        "weekday_holidays": 19,
        "workdays": 8,
    }
    with pytest.raises(MissingYear):
        calendar.year_summary(2011)


@pytest.mark.parametrize("role", ["quality", "i-1", "manager", "viewer"])
def test_only_an_administrator_edits_the_calendar(world, role):
    actor = world.users[role]
    with pytest.raises(Forbidden):
        calendar.add_year({"year": "2011"}, actor)
    with pytest.raises(Forbidden):
        calendar.add_days(_holiday("2010-11-15"), actor)
    day = db.session.scalar(select(CalendarDay).where(CalendarDay.day == date(2010, 10, 1)))
    with pytest.raises(Forbidden):
        calendar.remove_day(day.id, actor)
    with pytest.raises(Forbidden):
        calendar.remove_year(2010, actor)
    assert db.session.get(CalendarDay, day.id) is not None


@pytest.mark.parametrize(
    "data, field, message",
    [
        (_holiday("2010-11-16", "2010-11-15"), "last", "The last day cannot be before the first."),
        (_holiday("2010-11-01", "2010-12-02"), "last", "At most 31 days at a time."),  # 32 days
        (_holiday("2011-01-03"), "first", "2011 is not set up yet: add the year first."),
        (_holiday("2010-12-31", "2011-01-02"), "first", "2011 is not set up yet: add the year first."),
        (_holiday("2010-09-30", "2010-10-02"), "first", "2010-10-01 is in the calendar already."),
        (_holiday("2010-11-17", kind="workday"), "first", "2010-11-17 is a working day already."),
        (_holiday("2010-11-20", kind="bridge"), "kind", None),
        (_holiday("2010-11-31"), "first", None),
        ({"kind": "holiday"}, "first", None),
    ],
)
def test_days_that_cannot_be_added_are_named_and_nothing_is_added(world, data, field, message):
    before = db.session.scalars(select(CalendarDay.day)).all()
    with pytest.raises(InvalidInput) as answer:
        calendar.add_days(data, world.users["admin"])
    assert field in answer.value.errors
    if message:
        assert message in answer.value.errors[field]
    assert sorted(db.session.scalars(select(CalendarDay.day)).all()) == sorted(before)


def test_a_span_of_holidays_adds_every_day_weekends_included(world):
    added = calendar.add_days(
        _holiday("2010-11-12", "2010-11-15", name="会议", name_en="Meeting"), world.users["admin"]
    )
    assert [d.day for d in added] == [
        date(2010, 11, 12),
        date(2010, 11, 13),
        date(2010, 11, 14),
        date(2010, 11, 15),
    ]
    assert {(d.kind, d.name, d.name_en) for d in added} == {("holiday", "会议", "Meeting")}
    # Fri 12 and Mon 15 were working days: two fewer.
    assert calendar.year_summary(2010)["working_days"] == 248


def test_a_make_up_day_on_a_weekend_adds_a_working_day(world):
    calendar.add_days(_holiday("2010-11-13", kind="workday"), world.users["admin"])
    summary = calendar.year_summary(2010)
    assert (summary["working_days"], summary["workdays"]) == (251, 9)


def test_a_holiday_entered_late_moves_a_running_clock_and_removing_it_moves_it_back(world):
    application = _submitted(world, date(2010, 11, 10))
    # 5 working days after Wed 10 Nov: 11, 12, 15, 16, 17.
    assert _due(application) == date(2010, 11, 17)
    added = calendar.add_days(_holiday("2010-11-15", "2010-11-16"), world.users["admin"])
    # Mon 15 and Tue 16 off: 11, 12, 17, 18, 19.
    assert _due(application) == date(2010, 11, 19)
    calendar.remove_day(added[1].id, world.users["admin"])
    # Only Mon 15 off: 11, 12, 16, 17, 18.
    assert _due(application) == date(2010, 11, 18)


def test_a_stopped_clock_keeps_what_it_counted(world):
    application = _submitted(world, date(2010, 11, 10))
    steps.transition(application, "accepted", {}, world.users["quality"], on=date(2010, 11, 12))
    clock = application.clocks[0]
    assert (clock.working_days, clock.due_on) == (2, date(2010, 11, 17))
    calendar.add_days(_holiday("2010-11-11"), world.users["admin"])
    db.session.expire_all()
    assert (clock.working_days, clock.due_on, clock.on_time) == (2, date(2010, 11, 17), True)


def test_a_clock_running_into_a_year_not_set_up_is_due_when_that_year_is_added(world):
    application = _submitted(world, date(2010, 12, 27))
    # After Mon 27 Dec 2010: 28, 29, 30, 31 are four; the fifth is in 2011, unknown yet.
    assert _due(application) is None
    calendar.add_year({"year": "2011", "note": "国办发明电〔2010〕40号"}, world.users["admin"])
    # 1 Jan 2011 is a Saturday: Mon 3 Jan is the fifth, until the New Year holiday is entered.
    assert _due(application) == date(2011, 1, 3)
    calendar.add_days(_holiday("2011-01-01", "2011-01-03"), world.users["admin"])
    assert _due(application) == date(2011, 1, 4)
    calendar.remove_year(2011, world.users["admin"])
    assert _due(application) is None
    assert db.session.get(CalendarYear, 2011) is None
    assert db.session.scalars(select(CalendarDay).where(CalendarDay.day >= date(2011, 1, 1))).all() == []


def test_a_step_that_would_count_into_a_removed_year_is_refused(world):
    application = _submitted(world, date(2010, 12, 27))
    calendar.add_year({"year": "2011"}, world.users["admin"])
    with pytest.raises(Conflict) as answer:
        steps.transition(application, "accepted", {}, world.users["quality"], on=date(2012, 1, 4))
    assert answer.value.errors == {"calendar": ["No working calendar for 2012."]}
    steps.transition(application, "accepted", {}, world.users["quality"], on=date(2011, 1, 4))
    # 28, 29, 30, 31 Dec, Mon 3 and Tue 4 Jan (no 2011 holidays entered).
    assert application.clocks[0].working_days == 6


@pytest.mark.parametrize(
    "data, message",
    [
        ({"year": "2010"}, "2010 is already set up."),
        ({"year": "twenty"}, None),
        ({}, None),
    ],
)
def test_a_year_that_cannot_be_added_is_named(world, data, message):
    with pytest.raises(InvalidInput) as answer:
        calendar.add_year(data, world.users["admin"])
    if message:
        assert answer.value.errors["year"] == [message]
    assert "year" in answer.value.errors
    assert [y.year for y in calendar.years()] == [2010]


def test_removing_a_year_or_day_that_is_not_there_answers_not_found(world):
    with pytest.raises(NotFound):
        calendar.remove_year(2031, world.users["admin"])
    with pytest.raises(NotFound):
        calendar.remove_day(987654, world.users["admin"])


def test_a_whole_year_loaded_at_once_refuses_a_day_of_another_year_and_is_loaded_once(world):
    rows = [(date(2011, 1, 1), "holiday", "元旦", "New Year's Day"), (date(2012, 1, 2), "holiday", "x", None)]
    with pytest.raises(InvalidInput):
        calendar.load_days(2011, rows, None)
    assert calendar.load_days(2011, rows[:1], None) == 1
    assert calendar.load_days(2011, rows[:1], None) == 0
    assert [d.day for d in calendar.days_of(2011)] == [date(2011, 1, 1)]
    assert [y.year for y in calendar.years()] == [2011, 2010]
