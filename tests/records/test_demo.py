"""The records demo reproduces the field notes' 2010 figures from data, and gives today's work."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.models_base import today
from labtrack.records import documents, figures
from labtrack.records.models import Complaint, Document, DocumentRevision, SurveyAnswer, SurveyResponse


@pytest.fixture
def demo(app):
    from labtrack.demo import load_demo

    load_demo()
    return app


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_2010_campaign_summary_shows_the_field_notes_figures(demo, client):
    from labtrack.demo import DEMO_PASSWORD

    client.post("/login", data={"username": "viewer", "password": DEMO_PASSWORD})
    summary = client.get("/api/v1/reports/campaign?from=2010-01-01&to=2010-12-31").get_json()
    records = summary["records"]
    assert {k: records[k] for k in ("documents_written", "documents_revised")} == {
        "documents_written": 35,  # management-system documents written
        "documents_revised": 38,  # work instructions revised
    }
    assert (records["work_instructions_revised"], records["work_instruction_kinds_revised"]) == (38, 5)
    assert (records["questionnaires_inside_issued"], records["questionnaires_outside_issued"]) == (3300, 1300)
    assert records["questionnaires_issued"] == 4600
    assert records["questionnaires_returned"] == 3162 + 1074
    assert (records["complaints"], records["complaints_answered"]) == (26, 25)
    assert "35 system documents written, 38 revised" in summary["headline"]
    page = client.get("/reports/campaign?from=2010-01-01&to=2010-12-31").get_data(as_text=True)
    assert 'id="records-inside-issued">3,300' in page and 'id="records-outside-issued">1,300' in page


def test_the_demo_is_data_today_and_loads_once(demo):
    """One load of the demo (it takes seconds) for every other check."""
    _answers_are_data()
    _today_brings_documents_due_for_review_and_work_in_progress()
    _complaints_with_feedback_and_one_finding()
    _loads_once()


def _answers_are_data():
    returned = dict(
        db.session.execute(
            select(SurveyResponse.survey_id, func.count())
            .group_by(SurveyResponse.survey_id)
            .order_by(SurveyResponse.survey_id)
        ).all()
    )
    assert list(returned.values()) == [3162, 1074, 57]
    assert _count(SurveyAnswer) > 4 * sum(returned.values())
    inside = figures.survey_figures(
        today().replace(year=2010, month=1, day=1), today().replace(year=2010, month=12, day=31)
    )
    assert inside["total"]["response_rate"] == pytest.approx((3162 + 1074) / 4600)


def _today_brings_documents_due_for_review_and_work_in_progress():
    on = today()
    due = documents.documents_due_for_review(on, within_days=30)
    overdue = [d for d in due if d.review_due_on < on]
    assert len(overdue) >= 3 and len(due) - len(overdue) >= 4
    assert any(d.lab is not None and d.lab.code == "SC-TC" for d in overdue)
    assert any(d.lab is None for d in due)  # the bureau's own rules too
    statuses = dict(
        db.session.execute(
            select(DocumentRevision.status, func.count()).group_by(DocumentRevision.status)
        ).all()
    )
    assert statuses["draft"] == 1 and statuses["in_review"] == 1 and statuses["effective"] > 100
    first = db.session.get(DocumentRevision, 1)
    assert first.status == "draft" and first.document.lab.code == "SC-TC"  # pages open it for everyone
    assert db.session.get(Document, 1).lab.code == "SC-TC"


def _complaints_with_feedback_and_one_finding():
    assert db.session.get(Complaint, 1).lab.code == "SC-TC"
    recent = db.session.scalars(
        select(Complaint).where(Complaint.received_on >= today() - timedelta(days=60))
    ).all()
    assert sorted(c.status for c in recent) == ["acknowledged", "answered", "investigated", "received"]
    raised = [c for c in recent if c.finding_id]
    assert len(raised) == 1 and raised[0].audit.kind == "flight_check" and raised[0].finding.status == "open"
    every_2010 = db.session.scalars(select(Complaint).where(Complaint.reference.like("CP-2010-%"))).all()
    assert {c.channel for c in every_2010} == {"hotline", "letter", "online", "referral"}
    assert all(c.feedback_on >= c.received_on for c in every_2010)


def _loads_once():
    from labtrack.records import demo_data

    counts = (_count(Document), _count(DocumentRevision), _count(SurveyResponse), _count(Complaint))
    assert demo_data.load({}) == "already loaded"
    assert (_count(Document), _count(DocumentRevision), _count(SurveyResponse), _count(Complaint)) == counts
