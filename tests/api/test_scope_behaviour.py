"""The scope API as a client meets it: a lab's scope on a date, capability growth (a lab, a
region, everyone; a lab manager always their own lab) with figures worked by hand, the catalogue's
list, create and partial change, and refusals as JSON naming the fields."""

from datetime import date

import pytest
from freezegun import freeze_time

from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.scope.models import TestCategory, TestItem
from tests import factories as f


@pytest.fixture
def scope(app):
    """FOOD: PB (3 parameters), CD (2); TOYS: PAE (6).
    SC-01 (Chengdu): PB from 2009-01-01, CD 2009-06-01 to 2010-06-01, PAE from 2010-03-01.
    SC-02 (Mianyang): PB from 2009-03-01."""
    food = f.TestCategoryFactory(code="FOOD", name="食品", name_en="Food")
    toys = f.TestCategoryFactory(code="TOYS", name="玩具", name_en="Toys")
    lead = f.TestItemFactory(category=food, code="PB", name="铅", name_en="Lead", parameters=3)
    cadmium = f.TestItemFactory(category=food, code="CD", name="镉", name_en="Cadmium", parameters=2)
    phthalates = f.TestItemFactory(category=toys, code="PAE", name="邻苯", name_en="Phthalates", parameters=6)
    one = f.LabFactory(code="SC-01", region="Chengdu")
    two = f.LabFactory(code="SC-02", region="Mianyang")
    f.ScopeEntryFactory(lab=one, item=lead, granted_on=date(2009, 1, 1))
    f.ScopeEntryFactory(lab=one, item=cadmium, granted_on=date(2009, 6, 1), withdrawn_on=date(2010, 6, 1))
    f.ScopeEntryFactory(lab=one, item=phthalates, granted_on=date(2010, 3, 1))
    f.ScopeEntryFactory(lab=two, item=lead, granted_on=date(2009, 3, 1))
    return {"one": one, "two": two}


def headers(role=Role.VIEWER, **kw):
    return f.bearer(role=role, **kw)[1]


# --- a lab's scope ----------------------------------------------------------------------------


def test_a_labs_scope_on_a_date_lists_each_item_held(client, scope):
    answer = client.get("/api/v1/labs/SC-01/scope?on=2010-04-01", headers=headers())
    assert answer.status_code == 200
    body = answer.json
    assert (body["lab_code"], body["on"], body["categories"], body["items_count"], body["parameters"]) == (
        "SC-01",
        "2010-04-01",
        2,
        3,
        11,
    )
    assert [(i["category_code"], i["item_code"], i["granted_on"], i["basis"]) for i in body["items"]] == [
        ("FOOD", "CD", "2009-06-01", "initial"),
        ("FOOD", "PB", "2009-01-01", "initial"),
        ("TOYS", "PAE", "2010-03-01", "initial"),
    ]
    assert body["items"][1]["item_name_en"] == "Lead" and body["items"][1]["parameters"] == 3


def test_an_item_is_not_held_on_its_withdrawal_day(client, scope):
    on_the_day = client.get("/api/v1/labs/SC-01/scope?on=2010-06-01", headers=headers()).json
    assert [i["item_code"] for i in on_the_day["items"]] == ["PB", "PAE"]
    day_before = client.get("/api/v1/labs/SC-01/scope?on=2010-05-31", headers=headers()).json
    assert day_before["items_count"] == 3


@freeze_time("2009-02-01")
def test_without_a_date_the_scope_is_todays(client, scope):
    body = client.get("/api/v1/labs/SC-01/scope", headers=headers()).json
    assert body["on"] == "2009-02-01" and [i["item_code"] for i in body["items"]] == ["PB"]


@pytest.mark.parametrize("on", ["2010-02-30", "yesterday", "1899-12-31", "2200-01-01"])
def test_a_date_that_cannot_be_read_is_422_naming_on(client, scope, on):
    answer = client.get(f"/api/v1/labs/SC-01/scope?on={on}", headers=headers())
    assert answer.status_code == 422
    assert set(answer.json) >= {"code", "status", "message", "errors"}
    assert "on" in str(answer.json["errors"])


def test_a_lab_manager_reads_their_own_scope_and_no_other(client, scope):
    manager = headers(Role.LAB_MANAGER, lab=scope["one"])
    assert client.get("/api/v1/labs/SC-01/scope", headers=manager).status_code == 200
    refused = client.get("/api/v1/labs/SC-02/scope", headers=manager)
    assert refused.status_code == 404 and refused.json["code"] == 404
    assert client.get("/api/v1/labs/NOPE/scope", headers=headers()).status_code == 404


def test_without_a_token_the_answer_is_401_json(client, scope):
    answer = client.get("/api/v1/labs/SC-01/scope")
    assert answer.status_code == 401 and answer.json["code"] == 401


# --- growth -----------------------------------------------------------------------------------


def test_a_labs_growth_with_changes_and_percentages_worked_by_hand(client, scope):
    """At A (2009-12-31): PB, CD: 1 category, 2 items, 5 parameters. At B (2010-12-31): PB, PAE:
    2 categories, 2 items, 9 parameters. Categories +1 (+100 %), items 0, parameters +4 (+80 %)."""
    body = client.get("/api/v1/labs/SC-01/growth?from=2009-12-31&to=2010-12-31", headers=headers()).json
    assert {k: body[k] for k in ("date_from", "date_to", "lab_code", "region")} == {
        "date_from": "2009-12-31",
        "date_to": "2010-12-31",
        "lab_code": "SC-01",
        "region": None,
    }
    figures = {
        m: (body[f"{m}_from"], body[f"{m}_to"], body[f"{m}_change"], body[f"{m}_percent"])
        for m in ("categories", "items", "parameters", "accreditations")
    }
    assert figures == {
        "categories": (1, 2, 1, 100.0),
        "items": (2, 2, 0, 0.0),
        "parameters": (5, 9, 4, 80.0),
        "accreditations": (2, 2, 0, 0.0),
    }
    assert (body["categories_added"], body["items_added"], body["items_removed"]) == (
        ["TOYS"],
        ["PAE"],
        ["CD"],
    )
    assert body["items_removed_detail"] == [
        {"code": "CD", "name": "镉", "name_en": "Cadmium", "category_code": "FOOD"}
    ]
    assert body["headline"] == "From 1 categories and 2 test items to 2 categories and 2 test items"
    assert "series" not in body


def test_everyones_growth_counts_accreditations_per_lab(client, scope):
    """Everyone at A: PB (both labs) and CD: 2 items, 3 lab-item pairs; at B: PB (both) and PAE."""
    body = client.get("/api/v1/growth?from=2009-12-31&to=2010-12-31", headers=headers()).json
    assert (body["items_from"], body["items_to"], body["accreditations_from"], body["accreditations_to"]) == (
        2,
        2,
        3,
        3,
    )
    assert body["lab_code"] is None and body["region"] is None


def test_a_regions_growth_counts_only_its_labs(client, scope):
    body = client.get("/api/v1/growth?from=2009-12-31&to=2010-12-31&region=Mianyang", headers=headers()).json
    assert (body["region"], body["items_from"], body["items_to"], body["parameters_to"]) == (
        "Mianyang",
        1,
        1,
        3,
    )
    assert body["items_added"] == [] and body["items_removed"] == []


def test_growth_from_nothing_has_no_percentage(client, scope):
    body = client.get("/api/v1/labs/SC-02/growth?from=2008-12-31&to=2009-12-31", headers=headers()).json
    assert (body["items_from"], body["items_to"], body["items_percent"]) == (0, 1, None)


def test_an_unknown_region_is_422_naming_region(client, scope):
    answer = client.get("/api/v1/growth?from=2009-12-31&to=2010-12-31&region=Atlantis", headers=headers())
    assert answer.status_code == 422
    assert answer.json["errors"] == {"region": ["No laboratory in region Atlantis."]}


def test_a_lab_manager_gets_their_own_labs_growth_whatever_they_ask(client, scope):
    manager = headers(Role.LAB_MANAGER, lab=scope["two"])
    everyone = client.get("/api/v1/growth?from=2009-12-31&to=2010-12-31&region=Chengdu", headers=manager).json
    assert (everyone["lab_code"], everyone["region"], everyone["items_to"]) == ("SC-02", None, 1)
    assert (
        client.get("/api/v1/labs/SC-01/growth?from=2009-12-31&to=2010-12-31", headers=manager).status_code
        == 404
    )


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2010-12-31&to=2009-12-31", "to"),
        ("from=2010-12-31&to=2010-12-31", "to"),
        ("from=31/12/2009&to=2010-12-31", "from"),
        ("from=2009-12-31&to=2010-12-31&series=week", "series"),
    ],
)
def test_bad_growth_arguments_are_422_naming_the_field(client, scope, query, field):
    answer = client.get(f"/api/v1/growth?{query}", headers=headers())
    assert answer.status_code == 422
    assert field in str(answer.json["errors"])


def test_a_quarterly_series_has_a_point_at_each_quarter_end_between_the_dates(client, scope):
    body = client.get(
        "/api/v1/labs/SC-01/growth?from=2009-12-31&to=2010-12-31&series=quarter", headers=headers()
    ).json
    points = body["series"]["points"]
    assert body["series"]["step"] == "quarter"
    assert [(p["on"], p["items"], p["parameters"]) for p in points] == [
        ("2009-12-31", 2, 5),
        ("2010-03-31", 3, 11),
        ("2010-06-30", 2, 9),
        ("2010-09-30", 2, 9),
        ("2010-12-31", 2, 9),
    ]


# --- the catalogue ----------------------------------------------------------------------------


def test_the_catalogue_lists_items_searched_and_paged(client, scope):
    page = client.get("/api/v1/catalogue/items?per_page=2", headers=headers()).json
    assert [i["code"] for i in page["items"]] == ["CD", "PB"]
    assert page["meta"] == {"page": 1, "per_page": 2, "total": 3}
    found = client.get("/api/v1/catalogue/items?q=镉", headers=headers()).json
    assert [(i["code"], i["category_code"], i["category_name"]) for i in found["items"]] == [
        ("CD", "FOOD", "食品")
    ]
    toys = client.get("/api/v1/catalogue/items?category=toys", headers=headers()).json
    assert [i["code"] for i in toys["items"]] == ["PAE"]
    categories = client.get("/api/v1/catalogue/categories", headers=headers(Role.LAB_MANAGER)).json
    assert [c["code"] for c in categories["items"]] == ["FOOD", "TOYS"]


def test_one_item_by_code_or_404(client, scope):
    item = client.get("/api/v1/catalogue/items/PAE", headers=headers()).json
    assert {k: item[k] for k in ("code", "name", "name_en", "category_code", "parameters")} == {
        "code": "PAE",
        "name": "邻苯",
        "name_en": "Phthalates",
        "category_code": "TOYS",
        "parameters": 6,
    }
    missing = client.get("/api/v1/catalogue/items/HG", headers=headers())
    assert missing.status_code == 404 and missing.json["code"] == 404


def test_creating_an_item_answers_201_with_its_location(client, scope):
    quality = headers(Role.QUALITY)
    answer = client.post(
        "/api/v1/catalogue/items",
        json={"code": "HG/1", "name": "汞", "name_en": "Mercury", "category_code": "food", "parameters": 1},
        headers=quality,
    )
    assert answer.status_code == 201
    assert answer.headers["Location"].endswith("/api/v1/catalogue/items/HG/1")
    assert client.get(answer.headers["Location"], headers=quality).json["category_code"] == "FOOD"
    saved = db.session.scalar(db.select(TestItem).where(TestItem.code == "HG/1"))
    assert (saved.name, saved.category.code, saved.parameters) == ("汞", "FOOD", 1)


def test_an_item_in_an_unknown_category_is_422_naming_category_code(client, scope):
    answer = client.post(
        "/api/v1/catalogue/items",
        json={"code": "HG", "name": "汞", "category_code": "METAL"},
        headers=headers(Role.ADMIN),
    )
    assert answer.status_code == 422
    assert answer.json["errors"] == {"category_code": ["Unknown category METAL."]}
    assert db.session.scalar(db.select(TestItem).where(TestItem.code == "HG")) is None


def test_a_new_category_and_its_duplicate(client, scope):
    admin = headers(Role.ADMIN)
    made = client.post("/api/v1/catalogue/categories", json={"code": "WATER", "name": "水"}, headers=admin)
    assert made.status_code == 201 and made.json["code"] == "WATER" and made.json["name_en"] is None
    again = client.post("/api/v1/catalogue/categories", json={"code": "water", "name": "水"}, headers=admin)
    assert again.status_code == 422
    assert again.json["errors"] == {"code": ["Another category already has the code WATER."]}
    assert db.session.scalar(db.select(db.func.count()).select_from(TestCategory)) == 3


def test_a_patch_changes_only_the_fields_given(client, scope):
    answer = client.patch("/api/v1/catalogue/items/PB", json={"parameters": 4}, headers=headers(Role.QUALITY))
    assert answer.status_code == 200
    assert (answer.json["name"], answer.json["parameters"], answer.json["category_code"]) == ("铅", 4, "FOOD")
    moved = client.patch(
        "/api/v1/catalogue/items/PB", json={"category_code": "TOYS"}, headers=headers(Role.QUALITY)
    )
    assert moved.json["category_code"] == "TOYS"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.INSPECTOR, Role.LAB_MANAGER])
def test_who_only_reads_may_not_change_the_catalogue(client, scope, role):
    who = headers(role, lab=scope["one"]) if role == Role.LAB_MANAGER else headers(role)
    created = client.post(
        "/api/v1/catalogue/items", json={"code": "HG", "name": "汞", "category_code": "FOOD"}, headers=who
    )
    assert created.status_code == 403 and created.json["code"] == 403
    patched = client.patch("/api/v1/catalogue/items/PB", json={"parameters": 99}, headers=who)
    assert patched.status_code == 403
    db.session.expire_all()
    assert db.session.scalar(db.select(TestItem.parameters).where(TestItem.code == "PB")) == 3
