"""Planning's sanctions change what a lab holds: a suspended item (or the whole qualification
suspended) is not held on the days the sanction is in force, on the scope page (shown apart, as
suspended), in the scope's counts and the API, the growth report and the comparison coverage."""

from datetime import date

import pytest

from labtrack.extensions import db
from labtrack.planning.values import SanctionKind
from labtrack.proficiency.reports import coverage
from labtrack.scope import service
from labtrack.scope.growth import growth
from tests import factories as f
from tests.planning.factories import SanctionFactory, SanctionItemFactory

BEFORE, DURING, AFTER = date(2010, 5, 1), date(2010, 7, 1), date(2010, 10, 1)


@pytest.fixture
def held(app):
    """SC-S holds lead and cadmium in food; lead is suspended from 2010-06-01, lifted 2010-09-15."""
    lab = f.LabFactory(code="SC-S")
    food = f.TestCategoryFactory(code="C01")
    lead = f.TestItemFactory(code="PB", category=food)
    cadmium = f.TestItemFactory(code="CD", category=food)
    f.ScopeEntryFactory(lab=lab, item=lead)
    f.ScopeEntryFactory(lab=lab, item=cadmium)
    sanction = SanctionFactory(lab=lab, kind=SanctionKind.SUSPENSION, ended_on=date(2010, 9, 15))
    SanctionItemFactory(sanction=sanction, item=lead)
    db.session.commit()
    return {"lab": lab, "lead": lead, "cadmium": cadmium, "sanction": sanction}


def _codes(lab, on) -> list[str]:
    return [r.item_code for r in service.scope_rows(lab.id, on)]


def test_a_suspended_item_is_not_held_while_the_sanction_is_in_force(held):
    lab = held["lab"]
    assert _codes(lab, BEFORE) == ["CD", "PB"]
    assert _codes(lab, DURING) == ["CD"]
    assert _codes(lab, AFTER) == ["CD", "PB"]  # lifted on 2010-09-15
    assert service.scope_counts(lab.id, DURING) == {"categories": 1, "items": 1, "parameters": 3}
    assert [s["item_code"] for s in service.suspended_rows(lab.id, DURING)] == ["PB"]
    assert service.suspended_rows(lab.id, AFTER) == []


def test_the_whole_qualification_suspended_holds_nothing(held):
    SanctionFactory(lab=held["lab"], kind=SanctionKind.SUSPENSION, whole=True, starts_on=date(2010, 6, 10))
    db.session.commit()
    assert _codes(held["lab"], DURING) == []
    assert service.categories_by_lab([held["lab"].id], DURING) == {held["lab"].id: []}
    assert [s["item_code"] for s in service.suspended_rows(held["lab"].id, DURING)] == ["CD", "PB"]


def test_growth_sees_the_suspension_as_a_removal_and_the_lifting_as_a_return(held):
    during = growth(BEFORE, DURING, lab=held["lab"])
    assert (during.items_from, during.items_to) == (2, 1) and during.items_removed == ["PB"]
    after = growth(DURING, AFTER, lab=held["lab"])
    assert (after.items_from, after.items_to) == (1, 2) and after.items_added == ["PB"]


def test_coverage_leaves_out_a_category_whose_items_are_all_suspended(held, make_user):
    SanctionItemFactory(sanction=held["sanction"], item=held["cadmium"])
    db.session.commit()
    quality = make_user("quality")
    (row,) = [r for r in coverage(DURING, quality)["rows"] if r["lab"].code == "SC-S"]
    assert row["categories"] == []
    (row,) = [r for r in coverage(BEFORE, quality)["rows"] if r["lab"].code == "SC-S"]
    assert [c["category"].code for c in row["categories"]] == ["C01"]


def test_the_scope_page_shows_suspended_items_apart(held, client, auth, api_token):
    auth.login("viewer")
    page = client.get("/scope/labs/SC-S?on=2010-07-01").get_data(as_text=True)
    suspended = page[page.index('id="scope-suspended"') :]
    assert "PB" in suspended and held["sanction"].reference in suspended
    main = page[page.index('id="scope"') : page.index('id="scope-suspended"')]
    assert "CD" in main and ">PB<" not in main
    _, headers = api_token("inspector")
    api = client.get("/api/v1/labs/SC-S/scope?on=2010-07-01", headers=headers).json
    assert api["items_count"] == 1 and [i["item_code"] for i in api["items"]] == ["CD"]
    assert 'id="scope-suspended"' not in client.get("/scope/labs/SC-S?on=2010-05-01").get_data(as_text=True)
