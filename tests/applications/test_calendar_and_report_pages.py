"""The working calendar's page (read by everyone who reads applications, edited by administrators,
refusals beside the form) and the applications report's export (working days per step, grant
rate, a lab manager's own lab whatever they ask), with figures counted by hand."""

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from labtrack.applications import service, steps
from labtrack.applications.models import CalendarDay, CalendarYear
from labtrack.extensions import db
from tests.factories import PASSWORD


def _login(client, user):
    client.post("/logout")
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code in (
        302,
        303,
    )


def _days(first, last=None):
    db.session.expire_all()
    stmt = select(CalendarDay.day).where(CalendarDay.day >= first, CalendarDay.day <= (last or first))
    return list(db.session.scalars(stmt.order_by(CalendarDay.day)))


# --- the calendar page -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["viewer", "manager", "i-1"])
def test_everyone_reading_applications_reads_the_calendar_but_does_not_edit_it(client, world, who):
    _login(client, world.users[who])
    page = client.get("/applications/calendar?year=2010")
    assert page.status_code == 200 and "National Day" in page.get_data(as_text=True)
    response = client.post("/applications/calendar/days", data={"kind": "holiday", "first": "2010-11-15"})
    assert response.status_code == 403
    assert _days(date(2010, 11, 15)) == []


def test_an_administrator_adds_a_span_of_holidays_and_removes_a_day(client, world):
    _login(client, world.users["admin"])
    response = client.post(
        "/applications/calendar/days",
        data={
            "kind": "holiday",
            "first": "2010-11-15",
            "last": "2010-11-16",
            "name": "会议",
            "name_en": "Meeting",
        },
    )
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/applications/calendar?year=2010"
    )
    assert "2 days added; the clocks running were recounted." in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    added = db.session.scalars(select(CalendarDay).where(CalendarDay.day == date(2010, 11, 16))).one()
    response = client.post(f"/applications/calendar/days/{added.id}/remove", data={"year": "2010"})
    assert response.status_code == 303 and response.headers["Location"].endswith("year=2010")
    assert _days(date(2010, 11, 15), date(2010, 11, 16)) == [date(2010, 11, 15)]


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"kind": "holiday", "first": "2010-11-16", "last": "2010-11-15"},
            "The last day cannot be before the first.",
        ),
        ({"kind": "workday", "first": "2010-11-17"}, "2010-11-17 is a working day already."),
        ({"kind": "holiday", "first": "2011-01-03"}, "2011 is not set up yet: add the year first."),
    ],
)
def test_days_refused_on_the_page_are_named_beside_the_form(client, world, data, message):
    _login(client, world.users["admin"])
    response = client.post("/applications/calendar/days", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_a_year_is_added_once_and_removed_from_the_page(client, world):
    _login(client, world.users["admin"])
    twice = client.post("/applications/calendar/years", data={"year": "2010"})
    assert twice.status_code == 422 and "2010 is already set up." in twice.get_data(as_text=True)
    added = client.post(
        "/applications/calendar/years", data={"year": "2011", "note": "国办发明电〔2010〕40号"}
    )
    assert added.status_code == 303 and added.headers["Location"].endswith("year=2011")
    assert db.session.get(CalendarYear, 2011).note == "国办发明电〔2010〕40号"
    removed = client.post("/applications/calendar/years/2011/remove")
    assert removed.status_code == 303
    db.session.expire_all()
    assert db.session.get(CalendarYear, 2011) is None
    assert client.post("/applications/calendar/years/2031/remove").status_code == 404


# --- the report's export ---------------------------------------------------------------------


@pytest.fixture
def decided(world):
    """SC-A's extension: submitted Wed 1 Sep, accepted and reviewed Fri 3 Sep (Thu 2, Fri 3: 2
    working days), team sent Mon 6 Sep, assessment over Wed 8 Sep (Mon 6, Tue 7, Wed 8: 3), no
    finding so ready at once, decided Fri 10 Sep (Thu 9, Fri 10: 2) refusing T-1.
    SC-B's reduction of F-1: submitted Wed 1 Sep, accepted Mon 13 Sep (2, 3, 6, 7, 8, 9, 10, 13 Sep:
    8 working days, late)."""
    q, manager, admin = world.users["quality"], world.users["manager"], world.users["admin"]
    a = service.create({"kind": "extension", "items": [{"item_code": "F-2"}, {"item_code": "T-1"}]}, manager)
    steps.transition(a, "submitted", {}, manager, on=date(2010, 9, 1))
    steps.transition(a, "accepted", {}, q, on=date(2010, 9, 3))
    steps.transition(a, "review", {}, q, on=date(2010, 9, 3))
    steps.transition(a, "assessment", {"lead": "i-1"}, q, on=date(2010, 9, 6))
    steps.transition(a, "rectification", {}, q, on=date(2010, 9, 8))
    steps.transition(
        a, "decided", {"password": PASSWORD, "refused": {"T-1": "无场地"}}, q, on=date(2010, 9, 10)
    )
    b = service.create({"kind": "reduction", "lab_code": "SC-B", "items": [{"item_code": "F-1"}]}, admin)
    steps.transition(b, "submitted", {}, admin, on=date(2010, 9, 1))
    steps.transition(b, "accepted", {}, q, on=date(2010, 9, 13))
    return world


def _report(client, query):
    response = client.get(f"/applications/report?{query}&format=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["section", "group", "measure", "value"]
    return {(r[0], r[1], r[2]): r[3] for r in rows[1:]}


def test_the_reports_export_counts_working_days_per_step(client, decided):
    _login(client, decided.users["quality"])
    f = _report(client, "from=2010-01-01&to=2010-12-31")
    assert (f[("total", "", "submitted")], f[("total", "", "decided")]) == ("2", "1")
    assert (f[("total", "", "items_granted")], f[("total", "", "items_refused")]) == ("1", "1")
    assert f[("total", "", "grant_rate")] == "0.5"
    # acceptance 2 (on time) and 8 (late), assessment 3, decision 2 (on time): 3 of 4
    assert f[("total", "", "on_time_share")] == "0.75"
    assert (f[("working_days", "acceptance", "count")], f[("working_days", "acceptance", "median")]) == (
        "2",
        "5.0",
    )
    # the 90th percentile of (2, 8): 2 + (8 - 2) * 0.9
    assert float(f[("working_days", "acceptance", "p90")]) == pytest.approx(7.4)
    assert f[("working_days", "assessment", "median")] == "3.0"
    assert f[("working_days", "decision", "median")] == "2.0"
    assert f[("stage", "extension", "decided")] == "1" and f[("stage", "reduction", "accepted")] == "1"
    assert f[("granted_per_month", "Chengdu", "2010-09")] == "1"


def test_a_lab_manager_exports_their_own_labs_figures_whatever_lab_they_name(client, decided):
    _login(client, decided.users["other-manager"])
    f = _report(client, "from=2010-01-01&to=2010-12-31&lab=SC-A")
    assert (f[("total", "", "submitted")], f[("total", "", "decided")]) == ("1", "0")
    assert f[("working_days", "acceptance", "median")] == "8.0"
    assert f[("total", "", "on_time_share")] == "0.0"


def test_the_report_takes_a_period_given_backwards_and_a_lab_for_the_division(client, decided):
    _login(client, decided.users["viewer"])
    backwards = _report(client, "from=2010-12-31&to=2010-01-01")
    assert backwards[("total", "", "submitted")] == "2"
    only_a = _report(client, "from=2010-01-01&to=2010-12-31&lab=sc-a")
    assert (only_a[("total", "", "submitted")], only_a[("total", "", "decided")]) == ("1", "1")
    october = _report(client, "from=2010-10-01&to=2010-10-31")
    assert (october[("total", "", "submitted")], october[("total", "", "decided")]) == ("0", "0")
