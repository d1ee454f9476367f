"""Each applications factory saves a linked, valid row."""

import pytest
from sqlalchemy import func, select

from labtrack.extensions import db
from tests.applications import factories as af

ALL = [
    af.ApplicationFactory,
    af.ApplicationItemFactory,
    af.AssessorFactory,
    af.ClockFactory,
    af.ApplicationStepFactory,
    af.FindingItemFactory,
    af.CalendarYearFactory,
    af.CalendarDayFactory,
]


@pytest.mark.parametrize("factory_class", ALL, ids=lambda c: c.__name__)
def test_each_factory_saves_a_row(app, factory_class):
    model = factory_class._meta.model
    before = db.session.scalar(select(func.count()).select_from(model))
    factory_class()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(model)) == before + 1


def test_a_finding_item_links_the_applications_lab(app):
    link = af.FindingItemFactory()
    assert link.finding.lab_id == link.item.application.lab_id
    assert link.application_id == link.item.application_id
