"""Counting in working days (pure: `workdays.py`) at the edges a clock meets: make-up weekend days,
holidays on weekdays, spans across a year end, a year nobody set up, and what a clock shows on the
day it is due, the day after and once stopped. Every date is worked out by hand on the calendar of
the State Council's 2010 notice (and a made-up 2011 with only its New Year holiday)."""

from datetime import date

import pytest

from labtrack.applications import holidays
from labtrack.applications.workdays import MissingYear, WorkingCalendar, clock_state

ROWS = holidays.rows(2010)
CAL_2010 = WorkingCalendar.of(
    [2010],
    [d for d, kind, _n, _e in ROWS if kind == "holiday"],
    [d for d, kind, _n, _e in ROWS if kind == "workday"],
)
CAL_2010_2011 = WorkingCalendar.of(
    [2010, 2011],
    [*CAL_2010.holidays, date(2011, 1, 1), date(2011, 1, 2), date(2011, 1, 3)],
    CAL_2010.workdays,
)


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2010, 2, 20), True),  # Saturday, Spring Festival make-up day
        (date(2010, 2, 15), False),  # Monday in the Spring Festival
        (date(2010, 6, 13), True),  # Sunday, Dragon Boat make-up day
        (date(2010, 6, 14), False),  # Monday, Dragon Boat Festival
        (date(2010, 10, 9), True),  # Saturday, National Day make-up day
        (date(2010, 10, 10), False),  # an ordinary Sunday
        (date(2010, 10, 11), True),  # an ordinary Monday
    ],
)
def test_which_days_are_worked(day, working):
    assert CAL_2010.is_working(day) is working


def test_a_day_of_a_year_not_set_up_cannot_be_judged():
    with pytest.raises(MissingYear) as missing:
        CAL_2010.is_working(date(2011, 1, 4))
    assert missing.value.year == 2011


@pytest.mark.parametrize(
    "start, days, due",
    [
        (date(2010, 2, 12), 1, date(2010, 2, 20)),  # Fri before the Spring Festival: Sat 20 (make-up)
        (date(2010, 2, 12), 3, date(2010, 2, 22)),  # Sat 20, Sun 21, Mon 22
        (date(2010, 6, 11), 2, date(2010, 6, 13)),  # Fri 11: Sat 12, Sun 13 (make-up)
        (date(2010, 6, 11), 3, date(2010, 6, 17)),  # 14-16 Dragon Boat: Thu 17
        (date(2010, 12, 30), 2, date(2011, 1, 4)),  # Fri 31 Dec; 1-3 Jan off; Tue 4 Jan
        (date(2010, 4, 1), 0, date(2010, 4, 1)),  # no days: the start itself
    ],
)
def test_due_dates_across_holidays_make_up_days_and_the_year_end(start, days, due):
    assert CAL_2010_2011.add(start, days) == due


def test_a_negative_limit_is_a_programming_error():
    with pytest.raises(ValueError):
        CAL_2010.add(date(2010, 4, 1), -1)


@pytest.mark.parametrize(
    "start, end, taken",
    [
        (date(2010, 9, 30), date(2010, 10, 8), 1),  # 1-7 Oct off; Fri 8
        (date(2010, 9, 30), date(2010, 10, 9), 2),  # and Sat 9 (make-up)
        (date(2010, 12, 31), date(2011, 1, 4), 1),  # 1-3 Jan off; Tue 4
        (date(2010, 10, 8), date(2010, 10, 8), 0),  # the same day
        (date(2010, 10, 8), date(2010, 10, 1), 0),  # backwards: nothing
    ],
)
def test_working_days_taken(start, end, taken):
    assert CAL_2010_2011.between(start, end) == taken


def test_a_count_that_crosses_into_a_year_not_set_up_names_it():
    with pytest.raises(MissingYear) as missing:
        CAL_2010.between(date(2010, 12, 30), date(2011, 1, 5))
    assert missing.value.year == 2011
    assert CAL_2010.first_missing(date(2010, 12, 30), date(2012, 1, 5)) == 2011
    assert CAL_2010_2011.first_missing(date(2010, 12, 30), date(2011, 6, 5)) is None


def test_what_a_clock_shows_from_start_to_due_and_after():
    # acceptance: 5 working days from Fri 17 Sep 2010 -> Sun 19, Mon 20, Tue 21, Sat 25, Sun 26
    start = date(2010, 9, 17)
    on_due = clock_state(CAL_2010, start, 5, date(2010, 9, 26))
    assert (on_due["due_on"], on_due["taken"], on_due["left"], on_due["overdue"]) == (
        date(2010, 9, 26),
        5,
        0,
        False,
    )
    holiday = clock_state(CAL_2010, start, 5, date(2010, 9, 23))
    assert (holiday["taken"], holiday["left"]) == (3, 2)  # Wed 22 to Fri 24 are the Mid-Autumn holiday
    late = clock_state(CAL_2010, start, 5, date(2010, 9, 27))
    assert (late["taken"], late["left"], late["overdue"]) == (6, None, True)
    stopped = clock_state(CAL_2010, start, 5, date(2010, 12, 1), stopped_on=date(2010, 9, 21))
    assert (stopped["taken"], stopped["on_time"], stopped["overdue"]) == (3, True, False)
    unlimited = clock_state(CAL_2010, start, None, date(2010, 9, 21))
    assert (unlimited["taken"], unlimited["due_on"], unlimited["overdue"]) == (3, None, False)


def test_a_clock_running_into_a_missing_year_shows_what_it_can():
    shown = clock_state(CAL_2010, date(2010, 12, 27), 5, date(2010, 12, 29))
    # 28, 29 Dec taken; the due date needs 2011
    assert (shown["taken"], shown["due_on"], shown["missing_year"], shown["overdue"]) == (
        2,
        None,
        2011,
        False,
    )
    later = clock_state(CAL_2010, date(2010, 12, 27), 5, date(2011, 1, 10))
    assert (later["taken"], later["missing_year"]) == (None, 2011)
