"""The whole demo on a frozen today: the 2010 campaign exact as history, the present dated from the
day it is loaded, history dated on the story's days, and the command's figures equal the dashboard's."""

import re
from datetime import date, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import extract, func, select

from labtrack.audits import figures
from labtrack.audits.models import Audit, Finding
from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.labs.models import Lab, Qualification
from labtrack.labs.regions import Region
from labtrack.proficiency.models import Participant, Round
from labtrack.scope.growth import growth
from labtrack.scope.models import ScopeEntry

TODAY = date(2027, 5, 12)
STEPS = {"open", "plan_submitted", "plan_accepted", "evidence_submitted", "closed", "cancelled"}


@pytest.fixture
def demo(app):
    with freeze_time("2027-05-12 08:00:00"):
        result = app.test_cli_runner().invoke(args=["labtrack", "demo"])
        assert result.exit_code == 0, result.output
        yield result.output


def test_the_2010_campaign_is_history_with_its_figures_exact(app, demo):
    tc = db.session.scalar(select(Lab).where(Lab.code == "SC-TC"))
    g = growth(date(2009, 12, 31), date(2010, 11, 11), lab=tc)
    assert (g.categories_from, g.items_from, g.categories_to, g.items_to) == (63, 469, 93, 706)
    in_2010 = Audit.started_on.between(date(2010, 1, 1), date(2010, 12, 31))
    reviewed = db.session.execute(
        select(
            func.sum(Audit.documents_reviewed),
            func.sum(Audit.instruments_checked),
            func.sum(Audit.reports_sampled),
        ).where(Audit.kind == "flight_check", in_2010)
    ).one()
    assert tuple(reviewed) == (1000, 800, 2000)
    # Every 2010 finding ended: closed, or (a few) cancelled.
    ended = dict(
        db.session.execute(
            select(Finding.status, func.count())
            .where(Finding.raised_on < date(2011, 1, 1))
            .group_by(Finding.status)
        ).all()
    )
    assert set(ended) == {"closed", "cancelled"} and 1 <= ended["cancelled"] <= 5
    # Undercover visits: 3 groups, early in the year and in June, over five aspects.
    visits = db.session.scalars(select(Audit).where(Audit.kind == "undercover_visit", in_2010)).all()
    assert {v.started_on.month for v in visits} <= {3, 4, 6} and {v.started_on.month for v in visits} >= {
        3,
        6,
    }
    assert {re.search(r"group (\d)", v.title).group(1) for v in visits} == {"1", "2", "3"}
    assert all("Five aspects" in v.summary and "volunteer quality supervisors" in v.team for v in visits)
    # Comparisons reached all 47 institutions within 2010.
    reached = db.session.scalar(
        select(func.count(func.distinct(Participant.lab_id)))
        .join(Round)
        .where(extract("year", Round.opens_on) == 2010)
    )
    assert reached == 47


def test_the_present_is_dated_from_today(app, demo):
    this_year = db.session.scalars(select(Finding).where(Finding.raised_on >= date(2027, 1, 1))).all()
    assert {f.status for f in this_year} == STEPS
    active = [f for f in this_year if f.status not in ("closed", "cancelled")]
    due = sorted((f.due_on - TODAY).days for f in active)
    assert any(0 <= d <= 6 for d in due)  # due this week
    overdue = [-d for d in due if d < 0]
    assert overdue and max(overdue) <= 60 and min(overdue) < 7  # by days or weeks, not years
    assert figures.totals(TODAY)["overdue"] == len(overdue)
    statuses = set(db.session.scalars(select(Audit.status).where(Audit.started_on >= date(2027, 1, 1))))
    assert {"completed", "in_progress", "planned"} <= statuses
    # A round open now and one closing within days; scope granted this year.
    closing = sorted(
        (r.closes_on - TODAY).days for r in db.session.scalars(select(Round).where(Round.status == "open"))
    )
    assert closing and closing[0] <= 7 and closing[-1] > 7
    assert db.session.scalar(select(func.count()).where(ScopeEntry.granted_on >= date(2027, 1, 1))) >= 10
    assert db.session.scalar(select(Region.name_zh).where(Region.name == "Chengdu")) == "成都市"
    # The dashboard's growth of the year so far is growth, for the system as for the technical centre.
    system = growth(date(2026, 12, 31), TODAY)
    assert system.categories_to == system.categories_from + 2 and system.items_to > system.items_from


def test_history_is_dated_when_the_story_says(app, demo):
    audit = db.session.scalar(select(Audit).where(Audit.reference == "FC-2010-001"))
    inserted = db.session.scalar(
        select(HistoryEntry.at).where(HistoryEntry.table_name == "audits", HistoryEntry.record_id == audit.id)
    )
    assert inserted.date() == audit.ended_on
    closing = db.session.scalars(
        select(HistoryEntry.at).where(
            HistoryEntry.table_name == "findings", HistoryEntry.changes["closed_on"].isnot(None)
        )
    ).all()
    assert closing and all(at.year < 2027 or at.date() <= TODAY for at in closing)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(HistoryEntry)
            .where(
                HistoryEntry.table_name == "labs",
                HistoryEntry.at >= datetime(2010, 1, 4),  # the register's day (a range: any database)
                HistoryEntry.at < datetime(2010, 1, 5),
            )
        )
        == 47
    )
    # A certificate enters the history on the day it was issued, not before it existed.
    cert = db.session.scalar(select(Qualification).where(Qualification.issued_on > date(2020, 1, 1)).limit(1))
    recorded = db.session.scalar(
        select(HistoryEntry.at).where(
            HistoryEntry.table_name == "qualifications", HistoryEntry.record_id == cert.id
        )
    )
    assert recorded.date() == cert.issued_on


def test_the_command_prints_the_dashboards_figures(app, client, demo, auth):
    printed = re.search(r"closure rate ([\d.]+)%\), (\d+) overdue today", demo.splitlines()[-1])
    with freeze_time("2027-05-12 09:00:00"):
        totals = figures.totals(TODAY)
        auth.login("quality")
        html = client.get("/").get_data(as_text=True)
    assert printed.group(1) == f"{100 * totals['closure_rate']:.1f}"
    assert int(printed.group(2)) == totals["overdue"]
    card = html[html.index('id="dash-totals-closure"') :][:80]
    assert printed.group(1) in card
