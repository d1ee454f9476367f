"""Authorisations: overlaps refused, outside the scope only when confirmed, within employment,
suspended / withdrawn / reinstated with a reason; the scope's coverage and its gaps."""

from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.personnel import authorisations
from labtrack.personnel.models import Authorisation
from labtrack.services import Forbidden, InvalidInput
from tests import factories as f
from tests.personnel import factories as pf
from tests.personnel.conftest import login

GRANT = {"item_code": "PB-CER", "activity": "perform", "valid_from": "2010-01-01", "basis": "training"}


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Authorisation))


def test_granting_to_perform_an_item_in_scope(world):
    a = authorisations.grant(world.manager_a, world.ana, {**GRANT, "basis_note": "方法培训合格"})
    assert (a.item.code, a.activity, a.valid_to, a.status, a.outside_scope) == (
        "PB-CER",
        "perform",
        None,
        "active",
        False,
    )


@pytest.mark.parametrize(
    "existing, new",
    [
        ((date(2010, 1, 1), None), {"valid_from": "2012-01-01"}),  # inside an open-ended one
        ((date(2010, 1, 1), date(2010, 12, 31)), {"valid_from": "2010-12-31"}),  # shares its last day
        ((date(2011, 1, 1), None), {"valid_from": "2010-06-01", "valid_to": "2011-01-01"}),
    ],
)
def test_overlapping_authorisations_are_refused(world, existing, new):
    pf.AuthorisationFactory(person=world.ana, item=world.item, valid_from=existing[0], valid_to=existing[1])
    with pytest.raises(InvalidInput) as exc:
        authorisations.grant(world.quality, world.ana, {**GRANT, **new})
    assert "overlaps" in exc.value.errors["valid_from"][0]
    assert count() == 1


def test_what_does_not_overlap(world):
    pf.AuthorisationFactory(
        person=world.ana, item=world.item, valid_from=date(2009, 1, 1), valid_to=date(2009, 12, 31)
    )
    pf.AuthorisationFactory(person=world.ana, item=world.item2, valid_from=date(2009, 1, 1))  # another item
    pf.AuthorisationFactory(person=world.ana, item=world.item, valid_from=date(2009, 1, 1), activity="sign")
    withdrawn = pf.AuthorisationFactory(person=world.ana, item=world.item, valid_from=date(2010, 1, 1))
    withdrawn.status, withdrawn.status_on = "withdrawn", date(2010, 1, 5)
    db.session.commit()
    authorisations.grant(world.quality, world.ana, GRANT)  # the day after the first one ended
    authorisations.grant(world.quality, world.ana, {**GRANT, "item_code": "", "category_code": "FOOD"})
    assert count() == 6


def test_outside_the_scope_needs_confirmation_and_is_marked(world):
    data = {**GRANT, "item_code": "TOY-01"}
    with pytest.raises(InvalidInput) as exc:
        authorisations.grant(world.manager_a, world.ana, data)
    assert "not in the laboratory's scope" in exc.value.errors["confirm_outside_scope"][0]
    assert count() == 0
    a = authorisations.grant(world.manager_a, world.ana, {**data, "confirm_outside_scope": True})
    assert a.outside_scope is True


@pytest.mark.parametrize(
    "change, field",
    [
        ({"valid_to": "2009-12-31"}, "valid_to"),  # ends before it starts
        ({"valid_from": "2001-01-01"}, "valid_from"),  # before the person joined (2005)
        ({"item_code": "", "category_code": ""}, "item_code"),
        ({"category_code": "FOOD"}, "category_code"),  # both
        ({"item_code": "NO-SUCH"}, "item_code"),
        ({"activity": "juggle"}, "activity"),
        ({"basis": "rumour"}, "basis"),
    ],
)
def test_bad_authorisations_name_the_field(world, change, field):
    with pytest.raises(InvalidInput) as exc:
        authorisations.grant(world.quality, world.ana, {**GRANT, **change})
    assert field in exc.value.errors
    assert count() == 0


def test_no_authorisation_beyond_the_persons_leaving(world):
    world.ana.employed_to = date(2010, 6, 30)
    db.session.commit()
    with pytest.raises(InvalidInput) as exc:
        authorisations.grant(world.quality, world.ana, GRANT)  # open-ended
    assert "valid_to" in exc.value.errors
    authorisations.grant(world.quality, world.ana, {**GRANT, "valid_to": "2010-06-30"})


def test_only_who_keeps_the_lab_authorises(world):
    for role in ("inspector", "viewer", "manager_b"):
        with pytest.raises(Forbidden):
            authorisations.grant(world.user(role), world.ana, GRANT)


@freeze_time("2012-01-10")
def test_suspend_reinstate_withdraw(world):
    a = pf.AuthorisationFactory(person=world.ana, item=world.item, valid_from=date(2010, 1, 1))
    with pytest.raises(InvalidInput) as exc:
        authorisations.change_status(world.manager_a, a, {"to": "suspended"})  # a reason is needed
    assert "reason" in exc.value.errors
    authorisations.change_status(
        world.manager_a, a, {"to": "suspended", "on": "2012-01-05", "reason": "比对不满意"}
    )
    assert (a.status, a.status_on) == ("suspended", date(2012, 1, 5))
    assert a.in_force_on(date(2012, 1, 4)) and not a.in_force_on(date(2012, 1, 5))
    authorisations.change_status(world.manager_a, a, {"to": "active"})
    assert (a.status, a.status_on) == ("active", None)
    authorisations.change_status(world.manager_a, a, {"to": "withdrawn", "reason": "考核不合格"})
    with pytest.raises(InvalidInput):
        authorisations.change_status(world.manager_a, a, {"to": "active"})
    with pytest.raises(InvalidInput) as exc:
        b = pf.AuthorisationFactory(person=world.sig, item=world.item, valid_from=date(2011, 1, 1))
        authorisations.change_status(world.quality, b, {"to": "suspended", "on": "2010-01-01", "reason": "x"})
    assert "on" in exc.value.errors


@freeze_time("2012-01-10")
def test_coverage_of_the_scope_and_its_gaps(world):
    """Lab A holds PB-CER and CD-CER (category FOOD). 王芳 may perform PB-CER; 李强 may sign for all of
    FOOD; 赵敏's authorisation for CD-CER is suspended: CD-CER has nobody to perform it."""
    pf.AuthorisationFactory(person=world.ana, item=world.item, valid_from=date(2010, 1, 1))
    pf.AuthorisationFactory(
        person=world.sig, item=None, category=world.category, activity="sign", valid_from=date(2010, 1, 1)
    )
    suspended = pf.AuthorisationFactory(person=world.head, item=world.item2, valid_from=date(2010, 1, 1))
    suspended.status, suspended.status_on = "suspended", date(2011, 6, 1)
    pf.AuthorisationFactory(person=world.bob, item=world.item2, valid_from=date(2010, 1, 1))  # another lab
    db.session.commit()
    rows = {
        r["item_code"]: r for r in authorisations.authorisation_coverage(world.lab_a.id, date(2012, 1, 10))
    }
    assert [p["name"] for p in rows["PB-CER"]["performers"]] == ["王芳"] and rows["PB-CER"]["covered"]
    assert [p["name"] for p in rows["PB-CER"]["signatories"]] == ["李强"]
    assert rows["CD-CER"]["covered"] is False and [p["name"] for p in rows["CD-CER"]["signatories"]] == [
        "李强"
    ]
    then = {
        r["item_code"]: r["covered"]
        for r in authorisations.authorisation_coverage(world.lab_a.id, date(2011, 5, 31))
    }
    assert then == {"PB-CER": True, "CD-CER": True}  # before the suspension
    summary = authorisations.coverage_summary(world.lab_a.id)
    assert (summary["items"], summary["covered"], [g["item_code"] for g in summary["gaps"]]) == (
        2,
        1,
        ["CD-CER"],
    )


def test_a_category_authorisation_covers_every_item_of_it(world):
    pf.AuthorisationFactory(person=world.ana, item=None, category=world.category, valid_from=date(2009, 1, 1))
    assert all(r["covered"] for r in authorisations.authorisation_coverage(world.lab_a.id))


def test_someone_who_left_covers_nothing(world):
    pf.AuthorisationFactory(person=world.ana, item=world.item, valid_from=date(2009, 1, 1))
    world.ana.employed_to = date(2010, 6, 30)
    db.session.commit()
    assert not any(r["covered"] for r in authorisations.authorisation_coverage(world.lab_a.id))


def test_pages_show_coverage_and_the_outside_scope_warning(world, client):
    pf.AuthorisationFactory(person=world.ana, item=world.item, valid_from=date(2009, 1, 1))
    login(client, world.manager_a)
    page = client.get("/personnel/labs/LAB-A/authorisations").get_data(as_text=True)
    assert 'data-item="CD-CER"' in page and "nobody" in page
    assert 'id="personnel-panel"' in client.get("/labs/LAB-A").get_data(as_text=True)
    url = f"/personnel/people/{world.sig.id}/authorisations/new"
    response = client.post(url, data={**GRANT, "item_code": "TOY-01"})
    assert response.status_code == 422 and 'id="outside-scope-warning"' in response.get_data(as_text=True)
    response = client.post(url, data={**GRANT, "item_code": "TOY-01", "confirm_outside_scope": "y"})
    assert response.status_code == 303
    person_page = client.get(f"/personnel/people/{world.sig.id}").get_data(as_text=True)
    assert "outside the scope when granted" in person_page and "TOY-01" in person_page
    f.TestItemFactory(code="UNUSED")
    assert client.get("/personnel/authorisations/999/status").status_code == 404
