"""The register of controlled documents as each reader gets it (today is 2010-06-01): a lab
manager sees their own lab's and the bureau's issued documents, never another lab's nor a bureau
draft; the filters (owner, kind, status, search, reviews due within so many days)."""

from datetime import date

import pytest

from labtrack.extensions import db
from labtrack.records import documents
from labtrack.records.models import DocumentStatus
from labtrack.services import NotFound
from tests.records.factories import DocumentFactory

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def register(world):
    """HOME: QP-01 in force (review due 2010-06-20), QP-02 draft; OTHER: QP-09 in force (review
    overdue since 2010-05-01); the bureau: BP-01 issued (due 2011-01-01), BP-02 draft."""
    effective = {"status": DocumentStatus.EFFECTIVE, "issued_on": date(2009, 6, 1)}
    return {
        "home": DocumentFactory(
            lab=world.home, code="QP-01", title="文件控制程序", review_due_on=date(2010, 6, 20), **effective
        ),
        "home draft": DocumentFactory(lab=world.home, code="QP-02", title="记录控制程序"),
        "other": DocumentFactory(lab=world.other, code="QP-09", review_due_on=date(2010, 5, 1), **effective),
        "bureau": DocumentFactory(
            lab=None, code="BP-01", kind="work_instruction", review_due_on=date(2011, 1, 1), **effective
        ),
        "bureau draft": DocumentFactory(lab=None, code="BP-02"),
    }


def codes(actor, **filters) -> list[str]:
    return [d.code for d in db.session.scalars(documents.documents_query(actor, **filters))]


def test_the_bureau_sees_every_document_bureau_first(world, register):
    assert codes(world.quality) == ["BP-01", "BP-02", "QP-01", "QP-02", "QP-09"]


def test_a_lab_manager_sees_their_labs_and_the_bureaus_issued_documents(world, register):
    assert codes(world.manager) == ["BP-01", "QP-01", "QP-02"]
    assert documents.get_document(world.manager, register["bureau"].id).code == "BP-01"
    with pytest.raises(NotFound):
        documents.get_document(world.manager, register["bureau draft"].id)
    with pytest.raises(NotFound):
        documents.get_document(world.manager, register["other"].id)


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"lab": "bureau"}, ["BP-01", "BP-02"]),
        ({"lab": "home"}, ["QP-01", "QP-02"]),
        ({"kind": "work_instruction"}, ["BP-01"]),
        ({"status": "effective"}, ["BP-01", "QP-01", "QP-09"]),
        ({"q": "控制"}, ["QP-01", "QP-02"]),
        ({"q": "qp-0"}, ["QP-01", "QP-02", "QP-09"]),
        ({"q": "%"}, []),
        ({"region": "Mianyang"}, ["QP-09"]),
        ({"due_within": 0}, ["QP-09"]),  # overdue only
        ({"due_within": 19}, ["QP-01", "QP-09"]),  # 06-20 is 19 days away
        ({"due_within": 18}, ["QP-09"]),
    ],
)
def test_the_register_filters(world, register, filters, expected):
    assert codes(world.quality, **filters) == expected


def test_reviews_due_for_the_reminders(world, register):
    due = documents.documents_due_for_review(date(2010, 6, 1), within_days=30)
    assert sorted(d.code for d in due) == ["QP-01", "QP-09"]
    assert [
        d.code
        for d in documents.documents_due_for_review(date(2010, 6, 1), lab_id=world.home.id, within_days=30)
    ] == ["QP-01"]
