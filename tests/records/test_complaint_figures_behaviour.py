"""Complaint and document-review figures worked by hand (today is 2010-06-01): received in the
period, answered as of a day, feedback rate, mean and median days to feedback, per channel in the
channels' order, a lab's own; complaints awaiting feedback; reviews overdue and due soon."""

from datetime import date

import pytest

from labtrack.records import figures
from labtrack.records.models import DocumentStatus
from tests.records.factories import ComplaintFactory, DocumentFactory

pytestmark = pytest.mark.usefixtures("frozen")
PERIOD = (date(2010, 1, 1), date(2010, 12, 31))


@pytest.fixture
def complaints(world):
    """HOME: hotline received 05-04 answered 05-18 (14 days); letter received 04-01 answered 04-11
    (10 days); hotline received 05-20 not answered. OTHER: online received 03-01 answered 03-31
    (30 days); a 2009 letter (outside the period)."""
    home, other = world.home, world.other
    ComplaintFactory(lab=home, answered=True)  # 05-04 -> 05-18
    ComplaintFactory(
        lab=home,
        channel="letter",
        received_on=date(2010, 4, 1),
        answered=True,
        acknowledged_on=date(2010, 4, 2),
        investigated_on=date(2010, 4, 8),
        feedback_on=date(2010, 4, 11),
    )
    ComplaintFactory(lab=home, received_on=date(2010, 5, 20))
    ComplaintFactory(
        lab=other,
        channel="online",
        received_on=date(2010, 3, 1),
        answered=True,
        acknowledged_on=date(2010, 3, 2),
        investigated_on=date(2010, 3, 20),
        feedback_on=date(2010, 3, 31),
    )
    ComplaintFactory(lab=other, channel="letter", received_on=date(2009, 11, 1))


def test_the_totals_worked_by_hand(complaints):
    """4 received in 2010, 3 answered (rate 3/4); days 10, 14, 30: mean 18, median 14."""
    total = figures.complaint_figures(*PERIOD)["total"]
    assert (total["received"], total["answered"]) == (4, 3)
    assert total["feedback_rate"] == pytest.approx(0.75)
    assert total["mean_days_to_feedback"] == pytest.approx(18.0)
    assert total["median_days_to_feedback"] == 14.0


def test_answered_counts_feedback_given_by_the_day_asked(complaints):
    """As of 05-01 the hotline complaint of 05-04 was not received yet, and of the others only the
    letter (04-11) and the online one (03-31) were answered."""
    total = figures.complaint_figures(*PERIOD, as_of=date(2010, 5, 1))["total"]
    assert (total["received"], total["answered"], total["median_days_to_feedback"]) == (2, 2, 20.0)


def test_per_channel_in_the_channels_order_and_per_region(complaints):
    result = figures.complaint_figures(*PERIOD)
    assert [(c["group"], c["received"], c["answered"]) for c in result["by_channel"]] == [
        ("hotline", 2, 1),
        ("letter", 1, 1),
        ("online", 1, 1),
    ]
    assert [(r["group"], r["received"], r["median_days_to_feedback"]) for r in result["by_region"]] == [
        ("Chengdu", 3, 12.0),  # 10 and 14
        ("Mianyang", 1, 30.0),
    ]


def test_a_labs_own_figures(complaints, world):
    own = figures.complaint_figures(*PERIOD, scope=world.other.id)["total"]
    assert (own["received"], own["answered"], own["feedback_rate"]) == (1, 1, 1.0)


def test_nothing_received_gives_no_rate(world):
    total = figures.complaint_figures(*PERIOD)["total"]
    assert (total["received"], total["feedback_rate"], total["median_days_to_feedback"]) == (0, None, None)


def test_complaints_awaiting_feedback(complaints, world):
    assert figures.complaints_awaiting_feedback() == {"awaiting": 2, "unacknowledged": 2}
    assert figures.complaints_awaiting_feedback(scope=world.home.id) == {"awaiting": 1, "unacknowledged": 1}


def test_reviews_overdue_and_due_soon(world):
    effective = {"status": DocumentStatus.EFFECTIVE, "issued_on": date(2009, 6, 1)}
    DocumentFactory(lab=world.home, review_due_on=date(2010, 5, 31), **effective)  # overdue by a day
    DocumentFactory(lab=world.home, review_due_on=date(2010, 6, 1), **effective)  # due today: soon
    DocumentFactory(lab=world.home, review_due_on=date(2010, 7, 1), **effective)  # in 30 days
    DocumentFactory(lab=world.home, review_due_on=date(2010, 7, 2), **effective)  # in 31 days
    DocumentFactory(lab=None, review_due_on=date(2010, 5, 1), **effective)  # the bureau's, overdue
    DocumentFactory(lab=world.home, review_due_on=date(2010, 5, 1))  # a draft: not counted
    assert figures.documents_due_counts(date(2010, 6, 1), 30) == {"overdue": 2, "due_soon": 2}
    assert figures.documents_due_counts(date(2010, 6, 1), 30, bureau=False) == {"overdue": 1, "due_soon": 2}
    assert figures.documents_due_counts(date(2010, 6, 1), 30, scope=world.other.id) == {
        "overdue": 0,
        "due_soon": 0,
    }
