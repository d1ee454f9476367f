"""Authorisations through the API, as an integrator uses them: granting (201 with Location, the
scope warning that must be confirmed, one field named per refusal), suspending, withdrawing and
reinstating with reasons and days, who may do it (403 for a role, 404 for another lab's manager),
and the coverage of a lab's scope on a day."""

from datetime import date

import pytest
from freezegun import freeze_time

from labtrack.extensions import db
from labtrack.personnel.models import Authorisation
from tests import factories as f
from tests.personnel import factories as pf

pytestmark = pytest.mark.usefixtures("frozen_2012")

GRANT = {"item_code": "PB-CER", "activity": "perform", "valid_from": "2010-01-01", "basis": "training"}


@pytest.fixture
def frozen_2012():
    with freeze_time("2012-01-10"):
        yield


def headers(user) -> dict:
    return f.bearer(user)[1]


def reload(authorisation_id: int) -> Authorisation:
    db.session.expire_all()
    return db.session.get(Authorisation, authorisation_id)


def grant_url(person) -> str:
    return f"/api/v1/people/{person.id}/authorisations"


def status_url(authorisation) -> str:
    return f"/api/v1/authorisations/{authorisation.id}/status"


# --- granting ----------------------------------------------------------------------------------


def test_a_lab_manager_grants_their_own_analyst_and_the_list_shows_it(world, client):
    response = client.post(grant_url(world.ana), json=GRANT, headers=headers(world.manager_a))
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"] == grant_url(world.ana)
    body = response.get_json()
    assert (body["item_code"], body["activity"], body["status"], body["in_force"]) == (
        "PB-CER",
        "perform",
        "active",
        True,
    )
    assert body["outside_scope"] is False and body["valid_to"] is None
    listed = client.get(grant_url(world.ana), headers=headers(world.viewer)).get_json()["items"]
    assert [a["id"] for a in listed] == [body["id"]]


def test_another_labs_manager_is_answered_not_found_and_nothing_is_granted(world, client):
    response = client.post(grant_url(world.ana), json=GRANT, headers=headers(world.manager_b))
    assert response.status_code == 404
    assert client.get(grant_url(world.ana), headers=headers(world.manager_b)).status_code == 404
    assert db.session.query(Authorisation).count() == 0


@pytest.mark.parametrize("role", ["viewer", "inspector"])
def test_readers_may_not_grant(world, client, role):
    response = client.post(grant_url(world.ana), json=GRANT, headers=headers(world.user(role)))
    assert response.status_code == 403
    assert db.session.query(Authorisation).count() == 0


@pytest.mark.parametrize(
    "change, field",
    [
        ({"category_code": "FOOD"}, "category_code"),  # an item and a category at once
        ({"item_code": None}, "item_code"),  # neither
        ({"item_code": "NO-SUCH"}, "item_code"),
        ({"activity": "sing"}, "activity"),
        ({"basis": "hearsay"}, "basis"),
        ({"valid_to": "2009-12-31"}, "valid_to"),  # ends before it starts
        ({"valid_from": "2004-01-01"}, "valid_from"),  # before 王芳 joined (2005-03-01)
    ],
)
def test_each_bad_field_is_named_in_the_422(world, client, change, field):
    response = client.post(grant_url(world.ana), json={**GRANT, **change}, headers=headers(world.quality))
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == 422 and field in body["errors"]
    assert db.session.query(Authorisation).count() == 0


def test_outside_the_scope_is_refused_until_confirmed_then_marked(world, client):
    outside = {**GRANT, "item_code": "TOY-01"}
    refused = client.post(grant_url(world.ana), json=outside, headers=headers(world.manager_a))
    assert refused.status_code == 422
    (message,) = refused.get_json()["errors"]["confirm_outside_scope"]
    assert "TOY-01 is not in the laboratory's scope" in message
    confirmed = client.post(
        grant_url(world.ana),
        json={**outside, "confirm_outside_scope": True},
        headers=headers(world.manager_a),
    )
    assert confirmed.status_code == 201 and confirmed.get_json()["outside_scope"] is True


def test_the_scope_warning_is_in_chinese_for_a_chinese_reader(world, client):
    world.manager_a.locale = "zh_Hans_CN"
    db.session.commit()
    refused = client.post(
        grant_url(world.ana), json={**GRANT, "item_code": "TOY-01"}, headers=headers(world.manager_a)
    )
    (message,) = refused.get_json()["errors"]["confirm_outside_scope"]
    assert "TOY-01" in message and "scope" not in message


def test_a_withdrawn_authorisation_no_longer_blocks_a_new_one(world, client):
    old = pf.AuthorisationFactory(person=world.ana, item=world.item, valid_from=date(2009, 1, 1))
    clash = client.post(grant_url(world.ana), json=GRANT, headers=headers(world.quality))
    assert clash.status_code == 422
    assert f"authorisation no. {old.id}" in clash.get_json()["errors"]["valid_from"][0]
    withdrawn = client.post(
        status_url(old), json={"to": "withdrawn", "reason": "考核不合格"}, headers=headers(world.quality)
    )
    assert withdrawn.status_code == 200
    assert client.post(grant_url(world.ana), json=GRANT, headers=headers(world.quality)).status_code == 201


# --- status: suspend, withdraw, reinstate ------------------------------------------------------


def test_suspension_from_a_day_with_a_reason_then_reinstatement(world, client):
    a = pf.AuthorisationFactory(person=world.ana, item=world.item, valid_from=date(2010, 1, 1))
    h = headers(world.manager_a)
    response = client.post(
        status_url(a), json={"to": "suspended", "on": "2012-01-05", "reason": "比对结果不满意"}, headers=h
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["status_on"], body["status_reason"], body["in_force"]) == (
        "suspended",
        "2012-01-05",
        "比对结果不满意",
        False,
    )
    back = client.post(status_url(a), json={"to": "active"}, headers=h).get_json()
    assert (back["status"], back["status_on"], back["in_force"]) == ("active", None, True)


def test_a_suspension_from_a_later_day_leaves_it_in_force_until_then(world, client):
    a = pf.AuthorisationFactory(person=world.ana, item=world.item, valid_from=date(2010, 1, 1))
    body = client.post(
        status_url(a),
        json={"to": "suspended", "on": "2012-02-01", "reason": "转岗"},
        headers=headers(world.quality),
    ).get_json()
    assert body["status"] == "suspended" and body["in_force"] is True
    assert reload(a.id).in_force_on(date(2012, 1, 31)) and not reload(a.id).in_force_on(date(2012, 2, 1))


@pytest.mark.parametrize("to", ["suspended", "withdrawn"])
def test_suspending_or_withdrawing_needs_a_reason(world, client, to):
    a = pf.AuthorisationFactory(person=world.ana, item=world.item)
    response = client.post(status_url(a), json={"to": to}, headers=headers(world.quality))
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"reason"}
    assert reload(a.id).status == "active"


def test_a_day_before_the_authorisation_starts_is_refused(world, client):
    a = pf.AuthorisationFactory(person=world.ana, item=world.item, valid_from=date(2011, 6, 1))
    response = client.post(
        status_url(a),
        json={"to": "suspended", "on": "2011-05-31", "reason": "x"},
        headers=headers(world.quality),
    )
    assert response.status_code == 422
    assert "2011-06-01" in response.get_json()["errors"]["on"][0]


@pytest.mark.parametrize(
    "status, to, allowed",
    [
        ("active", "suspended", True),
        ("active", "withdrawn", True),
        ("active", "active", False),
        ("suspended", "active", True),
        ("suspended", "withdrawn", True),
        ("suspended", "suspended", False),
        ("withdrawn", "active", False),
        ("withdrawn", "suspended", False),
        ("withdrawn", "withdrawn", False),
    ],
)
def test_which_status_may_follow_which(world, client, status, to, allowed):
    a = pf.AuthorisationFactory(
        person=world.ana,
        item=world.item,
        status=status,
        status_on=None if status == "active" else date(2011, 1, 1),
        status_reason=None if status == "active" else "earlier",
    )
    response = client.post(status_url(a), json={"to": to, "reason": "now"}, headers=headers(world.quality))
    if allowed:
        assert response.status_code == 200 and reload(a.id).status == to
    else:
        assert response.status_code == 422 and "to" in response.get_json()["errors"]
        assert reload(a.id).status == status


def test_another_labs_manager_cannot_find_the_authorisation(world, client):
    a = pf.AuthorisationFactory(person=world.ana, item=world.item)
    response = client.post(
        status_url(a), json={"to": "withdrawn", "reason": "x"}, headers=headers(world.manager_b)
    )
    assert response.status_code == 404 and reload(a.id).status == "active"
    viewer = client.post(
        status_url(a), json={"to": "withdrawn", "reason": "x"}, headers=headers(world.viewer)
    )
    assert viewer.status_code == 403 and reload(a.id).status == "active"


def test_an_unknown_target_is_named(world, client):
    a = pf.AuthorisationFactory(person=world.ana, item=world.item)
    response = client.post(
        status_url(a), json={"to": "paused", "reason": "x"}, headers=headers(world.quality)
    )
    assert response.status_code == 422 and "to" in response.get_json()["errors"]


# --- coverage of the lab's scope ----------------------------------------------------------------


def test_coverage_on_a_day_counts_who_was_in_force_then(world, client):
    """Lab A holds PB-CER and CD-CER. 王芳 performs PB-CER from 2010-01-01 to 2010-12-31; 赵敏
    performs all of FOOD from 2011-01-01. On 2010-06-01 PB-CER is covered (王芳) and CD-CER not:
    1 of 2. On 2011-06-01 both are covered by 赵敏's category authorisation: 2 of 2."""
    pf.AuthorisationFactory(
        person=world.ana, item=world.item, valid_from=date(2010, 1, 1), valid_to=date(2010, 12, 31)
    )
    pf.AuthorisationFactory(
        person=world.head, item=None, category=world.category, valid_from=date(2011, 1, 1)
    )
    url = "/api/v1/labs/LAB-A/authorisation-coverage"
    then = client.get(f"{url}?on=2010-06-01", headers=headers(world.inspector)).get_json()
    assert (then["lab_code"], then["on"], then["items"], then["covered"]) == ("LAB-A", "2010-06-01", 2, 1)
    rows = {r["item_code"]: [p["name"] for p in r["performers"]] for r in then["rows"]}
    assert rows == {"CD-CER": [], "PB-CER": ["王芳"]}
    later = client.get(f"{url}?on=2011-06-01", headers=headers(world.inspector)).get_json()
    assert (later["items"], later["covered"]) == (2, 2)
    assert {r["item_code"]: [p["name"] for p in r["performers"]] for r in later["rows"]} == {
        "CD-CER": ["赵敏"],
        "PB-CER": ["赵敏"],
    }


def test_coverage_of_another_lab_is_not_found_for_its_manager(world, client):
    url = "/api/v1/labs/LAB-A/authorisation-coverage"
    assert client.get(url, headers=headers(world.manager_b)).status_code == 404
    assert client.get(url, headers=headers(world.manager_a)).status_code == 200
    assert client.get(f"{url}?on=2010-02-30", headers=headers(world.manager_a)).status_code == 422
