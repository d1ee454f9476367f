"""The personnel factories build valid, linked rows."""

import pytest
from sqlalchemy import func, select

from labtrack.extensions import db
from tests.personnel import factories as pf

EVERY = [
    pf.PersonFactory,
    pf.PersonPostFactory,
    pf.TrainingSessionFactory,
    pf.AttendanceFactory,
    pf.ExamFactory,
    pf.ExamLabFactory,
    pf.ExamPostFactory,
    pf.ExamResultFactory,
    pf.AuthorisationFactory,
    pf.FindingPersonFactory,
    pf.ResultAnalystFactory,
]


@pytest.mark.parametrize("factory_class", EVERY, ids=lambda c: c.__name__)
def test_each_factory_saves_a_row(app, factory_class):
    model = factory_class._meta.model
    before = db.session.scalar(select(func.count()).select_from(model))
    record = factory_class()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(model)) == before + 1
    assert db.session.get(model, record.id) is not None


def test_links_stay_within_one_lab(app):
    analyst = pf.ResultAnalystFactory()
    assert analyst.person.lab_id == db.session.get(type(analyst), analyst.id).person.lab_id
    named = pf.FindingPersonFactory()
    from labtrack.audits.models import Finding

    assert db.session.get(Finding, named.finding_id).lab_id == named.person.lab_id


def test_a_person_gets_the_posts_asked_for(app):
    assert pf.PersonFactory(posts=["head", "internal_auditor"]).post_codes == ["head", "internal_auditor"]
    assert pf.PersonFactory().post_codes == ["analyst"]
