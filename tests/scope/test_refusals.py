"""Issue 8's found cases in the scope area: every one answers 4xx with a clear message, or works.

Long growth series, codes that differ only in case or width, what forms refuse the API refuses,
`$...$` in chart labels, dates out of range. Run on SQLite and on PostgreSQL (`--db=postgresql`).
"""

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.scope.growth import growth_series, series_points
from labtrack.scope.importer import import_scope
from labtrack.scope.models import ScopeEntry, TestCategory, TestItem
from tests.chart_data import charts, series
from tests.scope.sample import ROWS, body


@pytest.fixture
def data(app, make_lab):
    labs = make_lab("L1", region="North"), make_lab("L2", region="South")
    assert import_scope(body(*ROWS)).applied
    return labs


# --- growth series ---------------------------------------------------------------------------


def test_a_monthly_series_since_1985_works(client, api_token, data):
    """Over 500 points (SQLite's limit of terms in a compound SELECT): one point per month end."""
    _, headers = api_token("viewer")
    r = client.get("/api/v1/growth?series=month&from=1985-01-01&to=2026-01-01", headers=headers)
    assert r.status_code == 200
    points = r.json["series"]["points"]
    assert len(points) == 2 + (2025 - 1985 + 1) * 12  # A, every month end between, B
    assert points[0] == {
        "on": "1985-01-01",
        "categories": 0,
        "items": 0,
        "parameters": 0,
        "accreditations": 0,
    }
    # 2010-06-30: L1 holds I001 (3) and I003 (1), I002 ended on 06-01; L2 holds I001.
    june = next(p for p in points if p["on"] == "2010-06-30")
    assert june == {"on": "2010-06-30", "categories": 2, "items": 2, "parameters": 4, "accreditations": 3}
    assert points[-1]["on"] == "2026-01-01" and points[-1]["items"] == 2


def test_a_series_of_too_many_points_is_refused_with_422(client, api_token, data):
    _, headers = api_token("viewer")
    r = client.get("/api/v1/growth?series=month&from=1900-01-01&to=2199-12-31", headers=headers)
    assert r.status_code == 422
    assert r.json["errors"] == {"series": ["Choose quarters, or a shorter period."]}
    assert "at most 1202 are drawn" in r.json["message"]
    # Quarters over the same three centuries fit.
    r = client.get("/api/v1/growth?series=quarter&from=1900-01-01&to=2199-12-31", headers=headers)
    assert r.status_code == 200 and len(r.json["series"]["points"]) == 1201


def test_the_page_draws_quarters_instead_and_says_why(client, auth, data):
    auth.login("viewer")
    r = client.get("/scope/growth?step=month&from=1900-01-01&to=2199-12-31")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert (
        "at most 1202 are drawn" in html and len(series(charts(html)["growth-chart"])["Test items"]) == 1201
    )


def _naive_series(points, entries, items):
    """What the series must say, computed the slow, obvious way."""
    out = []
    for p in points:
        held = [e for e in entries if e.granted_on <= p and (e.withdrawn_on is None or e.withdrawn_on > p)]
        item_ids = {e.item_id for e in held}
        out.append(
            {
                "on": p.isoformat(),
                "categories": len({items[i].category_id for i in item_ids}),
                "items": len(item_ids),
                "parameters": sum(items[i].parameters or 0 for i in item_ids),
                "accreditations": len(held),
            }
        )
    return out


def test_the_series_agrees_with_a_naive_count_on_random_scopes(app, make_lab):
    rng = random.Random(8)
    labs = [make_lab(f"R{n}", region=rng.choice(["North", "South"])) for n in range(5)]
    categories = [TestCategory(code=f"RC{n}", name="c") for n in range(4)]
    items = [
        TestItem(
            code=f"RI{n}", name="i", category=rng.choice(categories), parameters=rng.choice([None, 1, 4])
        )
        for n in range(12)
    ]
    db.session.add_all(categories + items)
    db.session.flush()
    for lab in labs:
        for item in rng.sample(items, 7):
            start = date(2008, 1, 1) + timedelta(days=rng.randint(0, 1200))
            while True:
                end = start + timedelta(days=rng.randint(1, 500)) if rng.random() < 0.6 else None
                db.session.add(ScopeEntry(lab_id=lab.id, item_id=item.id, granted_on=start, withdrawn_on=end))
                if end is None or rng.random() < 0.4:
                    break
                start = end + timedelta(days=rng.choice([0, 0, 3, 90]))  # touching periods too
    db.session.commit()
    by_id = {i.id: i for i in items}
    for who in ({}, {"region": "North"}, {"lab": labs[0]}):
        for step in ("month", "quarter"):
            a, b = date(2008, 3, 31), date(2012, 2, 29)
            entries = db.session.scalars(select(ScopeEntry)).all()
            if "lab" in who:
                entries = [e for e in entries if e.lab_id == who["lab"].id]
            if "region" in who:
                north = {lab.id for lab in labs if lab.region == "North"}
                entries = [e for e in entries if e.lab_id in north]
            got = growth_series(a, b, step=step, **who)
            assert got["points"] == _naive_series(series_points(a, b, step)[1], entries, by_id), (who, step)


# --- chart text is text ----------------------------------------------------------------------


def test_dollar_signs_in_a_region_or_code_are_drawn_as_text(client, auth, make_lab):
    make_lab("$X^2$", region="$\\frac{a}{b}$ 区")
    lab = make_lab("L$1$", region="$\\frac{a}{b}$ 区")
    import_scope(body(f"{lab.code},C01,食品,I001,铅,,3,2009-01-05,"))
    auth.login("viewer")
    r = client.get("/scope/growth?region=$\\frac{a}{b}$ 区&from=2008-12-31&to=2010-01-01")
    assert r.status_code == 200
    assert "$\\frac{a}{b}$ 区" in r.get_data(as_text=True)
    assert client.get("/scope/growth?lab=L$1$&from=2008-12-31&to=2010-01-01").status_code == 200


# --- codes that differ only in case or width -------------------------------------------------


@pytest.mark.parametrize("code", ["éx-1", "ÉX-1", "ＥX-1".replace("Ｅ", "É")])
def test_a_category_or_item_code_taken_in_another_case_is_refused(client, auth, api_token, data, code):
    user = auth.login("quality")
    assert (
        client.post("/scope/catalogue/categories/new", data={"code": "Éx-1", "name": "n"}).status_code == 303
    )
    r = client.post("/scope/catalogue/categories/new", data={"code": code, "name": "n"})
    assert r.status_code == 422 and "Another category already has the code Éx-1." in r.get_data(as_text=True)
    _, headers = api_token(user=user)
    r = client.post("/api/v1/catalogue/categories", json={"code": code, "name": "n"}, headers=headers)
    assert r.status_code == 422 and r.json["errors"] == {
        "code": ["Another category already has the code Éx-1."]
    }
    item = {"code": "Ï-1", "name": "n", "category_code": "C01"}
    assert client.post("/api/v1/catalogue/items", json=item, headers=headers).status_code == 201
    r = client.post("/api/v1/catalogue/items", json={**item, "code": "ï-1"}, headers=headers)
    assert r.status_code == 422 and set(r.json["errors"]) == {"code"}
    r = client.patch("/api/v1/catalogue/items/I001", json={"code": "Ï-1"}, headers=headers)
    assert r.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(TestCategory)) == 3


def test_an_import_matches_codes_as_they_compare(app, data):
    """'l1', 'c01' and 'i003' in a file are the lab L1, the category C01 and the item I003."""
    report = import_scope(
        body("l1,c01,食品,I900,新项目,,1,2011-01-01,", "L2,C02,纺织品,i003,甲醛,,1,2011-01-01,")
    )
    assert report.ok and report.applied, report.errors
    assert report.new_categories == [] and [i["code"] for i in report.new_items] == ["I900"]
    held = db.session.execute(
        select(Lab.code, TestItem.code)
        .join(ScopeEntry.lab)
        .join(ScopeEntry.item)
        .where(ScopeEntry.granted_on == date(2011, 1, 1))
    ).all()
    assert sorted(held) == [("L1", "I900"), ("L2", "I003")]
    # An item given twice in one file in two cases is one new item; a category in another case too.
    report = import_scope(body("L1,NEW,新,Q-1,新,,1,2012-01-01,", "L2,new,新,q-1,新,,1,2012-01-01,"))
    assert report.applied and len(report.new_items) == 1 and len(report.new_categories) == 1


def test_an_import_refuses_what_the_forms_refuse(app, data):
    report = import_scope(
        body(
            "L1,C01,食品,I<1>,铅,,3,2009-01-05,",
            "L1,C01,食品,I780,<b>镉</b>,,3,2009-01-05,",
            "L1,C01,食品,I777,镉,,100001,2009-01-05,",
            "L1,C01,食品,I778,镉,,3,1850-01-05,",
            "L1,C01,食品,I779,镉,,-1,2009-01-05,",
        )
    )
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "item_code"),
        (3, "item_name"),
        (4, "parameters"),
        (5, "granted_on"),
        (6, "parameters"),
    ]
    assert "Use letters and digits" in report.errors[0].message
    assert report.errors[3].message == "The date must be between 1900-01-01 and 2199-12-31."


# --- the API accepts what the forms accept, and nothing else ---------------------------------


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"code": "I 1", "name": "n", "category_code": "C01"}, {"code"}),
        ({"code": "I1", "name": "<script>", "category_code": "C01"}, {"name"}),
        ({"code": "I1", "name": "n\x00", "category_code": "C01"}, {"name"}),
        ({"code": "I1", "name": "n", "category_code": "C01", "method": "a\nb"}, {"method"}),
        ({"code": "I1", "name": "n", "category_code": "C01", "parameters": 100_001}, {"parameters"}),
        ({"code": "I1", "name": "n" * 301, "category_code": "C01"}, {"name"}),
        ({"code": "I1", "name": "n", "category_code": "C01", "parameters": 2**70}, {"parameters"}),
    ],
)
def test_item_fields_the_form_refuses_are_422(client, api_token, data, payload, fields):
    _, headers = api_token("quality")
    r = client.post("/api/v1/catalogue/items", json=payload, headers=headers)
    assert r.status_code == 422 and set(r.json["errors"]) == fields


def test_patch_is_partial_and_null_clears_optional_fields(client, api_token, data):
    _, headers = api_token("quality")
    r = client.patch("/api/v1/catalogue/items/I001", json={"name_en": "Lead"}, headers=headers)
    assert r.status_code == 200 and (r.json["name"], r.json["name_en"], r.json["parameters"]) == (
        "铅",
        "Lead",
        3,
    )
    r = client.patch(
        "/api/v1/catalogue/items/I001", json={"name_en": None, "parameters": None}, headers=headers
    )
    assert (r.json["name_en"], r.json["parameters"]) == (None, None)
    assert (
        client.patch("/api/v1/catalogue/items/I001", json={"name": None}, headers=headers).status_code == 422
    )
    assert client.patch("/api/v1/catalogue/items/NOPE", json={}, headers=headers).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "from=1850-01-01&to=2010-01-01",
        "from=2009-01-01&to=2300-01-01",
        "from=2010-01-01&to=2010-01-01",
        "series=day",
    ],
)
def test_growth_dates_out_of_range_are_422(client, api_token, data, query):
    _, headers = api_token("viewer")
    assert client.get(f"/api/v1/growth?{query}", headers=headers).status_code == 422
    assert client.get(f"/api/v1/labs/L1/growth?{query}", headers=headers).status_code == 422


@pytest.mark.parametrize("query", ["q=%00", "category=a%20b", "q=" + "x" * 101, "page=99999999999999999999"])
def test_catalogue_filters_never_500(client, auth, data, query):
    auth.login("viewer")
    assert client.get(f"/scope/catalogue?{query}").status_code in (200, 422)


def test_items_whose_code_has_a_slash_have_a_page(client, auth, data):
    auth.login("quality")
    form = {"code": "GB/T-1", "name": "n", "category_code": "C01"}
    assert (
        client.post("/scope/catalogue/items/new", data=form)
        .headers["Location"]
        .endswith("/scope/items/GB/T-1")
    )
    assert client.get("/scope/items/GB/T-1").status_code == 200
    assert client.get("/scope/items/GB/T-1/edit").status_code == 200
