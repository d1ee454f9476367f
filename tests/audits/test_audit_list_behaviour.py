"""The audits list through the service: newest first, each filter on its own, a year outside
1900-2199 refused naming `year`, and a lab manager who lists their own lab's audits whatever they
ask for."""

from datetime import date

import pytest

from labtrack.audits import service
from labtrack.audits.models import AuditKind, AuditStatus
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.services import InvalidInput
from tests import factories as f


@pytest.fixture
def audits(app):
    """CD-1: a flight check in May 2010 (completed) and a self-inspection in March 2010 (planned);
    MY-1: a supervision visit in 2009."""
    cd1 = f.LabFactory(code="CD-1", region="Chengdu", name="成都质检所")
    my1 = f.LabFactory(code="MY-1", region="Mianyang", name="绵阳计量所")
    return {
        "flight": f.AuditFactory(lab=cd1, title="Flight check of lead testing", started_on=date(2010, 5, 10)),
        "self": f.AuditFactory(
            lab=cd1,
            kind=AuditKind.SELF_INSPECTION,
            status=AuditStatus.PLANNED,
            title="自查自纠",
            started_on=date(2010, 3, 1),
        ),
        "visit": f.AuditFactory(
            lab=my1, kind=AuditKind.SUPERVISION_VISIT, title="督查督导", started_on=date(2009, 9, 1)
        ),
        "cd1": cd1,
    }


def titles(actor, **filters) -> list[str]:
    return [a.title for a in db.session.scalars(service.audits_query(actor, **filters))]


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({}, ["Flight check of lead testing", "自查自纠", "督查督导"]),
        ({"lab": "MY-1"}, ["督查督导"]),
        ({"kind": "self_inspection"}, ["自查自纠"]),
        ({"status": "planned"}, ["自查自纠"]),
        ({"region": "Chengdu"}, ["Flight check of lead testing", "自查自纠"]),
        ({"year": 2009}, ["督查督导"]),
        ({"year": "2010"}, ["Flight check of lead testing", "自查自纠"]),
        ({"q": "lead"}, ["Flight check of lead testing"]),
        ({"q": "计量"}, ["督查督导"]),  # the lab's name
    ],
)
def test_each_filter(audits, filters, expected):
    assert titles(f.UserFactory(role=Role.VIEWER), **filters) == expected


@pytest.mark.parametrize("year", [-1, 1899, 2200, 10000, "twenty-ten"])
def test_a_year_out_of_range_is_refused_naming_year(audits, year):
    with pytest.raises(InvalidInput) as refused:
        titles(f.UserFactory(role=Role.VIEWER), year=year)
    assert set(refused.value.errors) == {"year"}


def test_a_lab_manager_lists_their_own_labs_audits_only(audits):
    manager = f.UserFactory(role=Role.LAB_MANAGER, lab=audits["cd1"])
    assert titles(manager) == ["Flight check of lead testing", "自查自纠"]
    assert titles(manager, lab="MY-1") == []
    assert titles(manager, region="Mianyang") == []
