"""The demo's people reproduce the field notes: 1,270 sessions and 27,000 attendances in 2010, the
May and November theory exams with 95%+ sitting them (a few labs below), the week-long course for
500+ heads of laboratories, a skills contest; staff in every lab with authorisations covering most
of its scope; this year's sessions and an exam to come."""

from datetime import date

import pytest
from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.personnel import authorisations, campaign, reports
from labtrack.personnel.models import Attendance, Authorisation, Exam, Person, TrainingSession


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """The whole demo, loaded once for this module into a SQLite file."""
    from tests.conftest import fresh_app

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    with fresh_app(url, tmp_path_factory.mktemp("up")) as app:
        from labtrack.demo import load_demo

        load_demo()
        yield app


@pytest.fixture
def demo(demo_db):
    with demo_db.test_request_context():
        yield demo_db
        db.session.rollback()


def test_2010_training_figures_of_the_field_notes(demo):
    block = campaign.block(date(2010, 1, 1), date(2010, 12, 31), None, None)
    assert (block["sessions"], block["attendances"]) == (1270, 27_000)
    assert block["exams"] == 2 and block["exam_participation"] >= 0.95
    assert 1 <= len(block["labs_below_threshold"]) <= 6
    assert campaign.headline_parts(block)[0] == "1,270 training sessions with 27,000 attendances"


def test_each_theory_exam_of_2010_was_sat_by_95_percent(demo):
    f = reports.Filters(date(2010, 1, 1), date(2010, 12, 31))
    exams = reports.exams_by_exam(f)
    assert [(e["held_on"].month, e["kind"]) for e in exams] == [(5, "theory"), (11, "theory")]
    assert all(e["participation"] >= 0.95 and e["required"] > 1000 for e in exams)


def test_the_heads_course_and_the_contest(demo):
    course = db.session.scalar(select(TrainingSession).where(TrainingSession.hours == 40))
    named = db.session.scalar(
        select(func.count()).select_from(Attendance).where(Attendance.session_id == course.id)
    )
    assert (course.ends_on - course.starts_on).days == 4 and named + course.external_attendees >= 500
    contest = db.session.scalar(select(Exam).where(Exam.kind == "skills_contest"))
    assert len(contest.parts) == 3 and contest.held_on.year == 2010


def test_staff_in_every_lab_with_most_of_the_scope_covered_and_some_gaps(demo):
    labs = db.session.scalars(select(Lab)).all()
    counts = dict(db.session.execute(select(Person.lab_id, func.count()).group_by(Person.lab_id)).all())
    assert all(counts.get(lab.id, 0) >= 8 for lab in labs)
    items = covered = labs_with_gaps = 0
    for lab in labs:
        summary = authorisations.coverage_summary(lab.id)
        items, covered = items + summary["items"], covered + summary["covered"]
        labs_with_gaps += bool(summary["gaps"])
    assert covered / items >= 0.85 and labs_with_gaps >= 5
    statuses = set(db.session.scalars(select(Authorisation.status).distinct()))
    assert statuses == {"active", "suspended", "withdrawn"}


def test_this_year_and_the_exam_to_come(demo):
    now = today()
    this_year = db.session.scalar(
        select(func.count())
        .select_from(TrainingSession)
        .where(TrainingSession.starts_on >= date(now.year, 1, 1))
    )
    assert this_year >= 1
    coming = db.session.scalar(select(Exam).where(Exam.held_on > now))
    assert coming is not None and (coming.held_on - now).days == 30


def test_the_first_records_are_the_technical_centres(demo):
    tc = db.session.scalar(select(Lab.id).where(Lab.code == "SC-TC"))
    assert db.session.get(Person, 1).lab_id == tc and db.session.get(Person, 1).employed_to is None
    assert db.session.get(TrainingSession, 1).organiser_lab_id == tc
    assert db.session.get(Authorisation, 1).person.lab_id == tc


def test_loading_again_adds_nothing(demo):
    from labtrack.personnel import demo_data

    before = db.session.scalar(select(func.count()).select_from(Person))
    assert demo_data.load({}) == "personnel already loaded"
    assert db.session.scalar(select(func.count()).select_from(Person)) == before


def test_the_2010_campaign_page_shows_the_training_figures(demo):
    client = demo.test_client()
    from labtrack.demo import DEMO_PASSWORD

    client.post("/login", data={"username": "quality", "password": DEMO_PASSWORD})
    page = client.get("/reports/campaign?from=2010-01-01&to=2010-12-31").get_data(as_text=True)
    assert "1,270 training sessions with 27,000 attendances" in page
    assert 'id="training-sessions">1,270<' in page and 'id="training-attendances">27,000<' in page
