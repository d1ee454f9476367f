"""The applications demo: SC-TC's 2010 growth (63/469 -> 93/706) still holds and every item granted
in 2010 traces to the decision of a certified application; today's applications stand at every
step; the working calendar has 2010 and the current year."""

from datetime import date

import pytest
from sqlalchemy import select

from labtrack.applications.models import Application, ApplicationItem, CalendarYear
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.scope.growth import growth
from labtrack.scope.models import ScopeEntry


@pytest.fixture
def demo(app):
    from labtrack.demo import load_demo

    load_demo()
    return app


@pytest.mark.slow
def test_the_applications_demo(demo, client):
    tc = db.session.scalar(select(Lab).where(Lab.code == "SC-TC"))
    g = growth(date(2009, 12, 31), date(2010, 11, 11), lab=tc)
    assert (g.categories_from, g.items_from, g.categories_to, g.items_to) == (63, 469, 93, 706)
    granted_2010 = db.session.scalars(
        select(ScopeEntry).where(
            ScopeEntry.granted_on >= date(2010, 1, 1),
            ScopeEntry.granted_on <= date(2010, 12, 31),
            ScopeEntry.basis.in_(["extension", "reassessment"]),
        )
    ).all()
    traced = {
        i.scope_entry_id: i
        for i in db.session.scalars(select(ApplicationItem).where(ApplicationItem.outcome == "granted"))
    }
    for entry in granted_2010:
        item = traced.get(entry.id)
        assert item is not None, f"{entry.item.code} of lab {entry.lab_id} granted without a decision"
        assert item.application.decided_on == entry.granted_on and item.application.lab_id == entry.lab_id
        assert item.application.status == "certified"
    tc_2010 = [e for e in granted_2010 if e.lab_id == tc.id]
    assert len(tc_2010) == 244  # 243 extensions and one re-grant after re-assessment
    partial = db.session.scalar(
        select(Application).where(Application.lab_id == tc.id, Application.decision == "partial")
    )
    assert partial is not None and sum(i.outcome == "refused" for i in partial.items) == 3
    now = db.session.scalars(
        select(Application).where(
            Application.decided_on.is_(None) | (Application.decided_on > date(2011, 1, 1))
        )
    )
    statuses = {a.status for a in now}
    assert statuses >= {
        "draft",
        "submitted",
        "returned",
        "accepted",
        "review",
        "assessment",
        "rectification",
        "decided",
        "certified",
    }
    assert any(a.kind == "renewal" for a in db.session.scalars(select(Application)))
    assert set(db.session.scalars(select(CalendarYear.year))) >= {2010, today().year}
    # the manager of SC-TC reads its applications, and the list flags an overdue one
    client.post("/login", data={"username": "quality", "password": "labtrack-demo"})
    page = client.get("/applications/?overdue=1")
    assert page.status_code == 200 and "table-danger" in page.get_data(as_text=True)
