"""The public directory's rules, one fact at a time: who counts as qualified on a day (certificate
dates inclusive, suspended or withdrawn certificates, closed labs, whole-qualification sanctions),
that suspended items are not held, how searching and paging behave, and the JSON's shape."""

from datetime import date

import pytest
from freezegun import freeze_time

from labtrack.extensions import db
from labtrack.labs.models import LabStatus, QualificationStatus, Scheme
from labtrack.planning.values import SanctionKind
from labtrack.public import directory
from tests import factories as f
from tests.planning import factories as pf

TODAY = date(2010, 10, 1)


@pytest.fixture
def frozen():
    with freeze_time(TODAY):
        yield


@pytest.fixture
def items(app):
    food = f.TestCategoryFactory(code="FOOD", name="食品", name_en="Food")
    toys = f.TestCategoryFactory(code="TOYS", name="玩具", name_en="Toys")
    return {
        "lead": f.TestItemFactory(category=food, code="PB-1", name="陶瓷中的铅", name_en="Lead in ceramics"),
        "cadmium": f.TestItemFactory(category=food, code="CD-1", name="镉", name_en="Cadmium"),
        "toys": f.TestItemFactory(category=toys, code="PAE-1", name="邻苯二甲酸酯", name_en="Phthalates"),
    }


def qualified_lab(code: str, *held, region: str = "Chengdu", **cert):
    """An active lab with a CMA certificate valid today (unless `cert` says otherwise) holding items."""
    lab = f.LabFactory(code=code, region=region, name=f"实验室 {code}", name_en=f"Lab {code}")
    cert.setdefault("issued_on", date(2008, 3, 1))
    f.QualificationFactory(lab=lab, **cert)
    for item in held:
        f.ScopeEntryFactory(lab=lab, item=item, granted_on=date(2009, 1, 1))
    return lab


def codes(found) -> list[str]:
    return [row["code"] for row in found.labs]


# --- who is qualified on a day ----------------------------------------------------------------


def test_a_certificate_counts_on_its_first_and_last_day(items, frozen):
    qualified_lab("ISSUED-TODAY", items["lead"], issued_on=TODAY, expires_on=date(2016, 10, 1))
    qualified_lab("EXPIRES-TODAY", items["lead"], issued_on=date(2004, 10, 1), expires_on=TODAY)
    qualified_lab(
        "EXPIRED-YESTERDAY", items["lead"], issued_on=date(2004, 9, 30), expires_on=date(2010, 9, 30)
    )
    qualified_lab("ISSUED-TOMORROW", items["lead"], issued_on=date(2010, 10, 2), expires_on=date(2016, 10, 2))
    assert codes(directory.search(TODAY)) == ["EXPIRES-TODAY", "ISSUED-TODAY"]


@pytest.mark.parametrize("status", [QualificationStatus.SUSPENDED, QualificationStatus.WITHDRAWN])
def test_a_suspended_or_withdrawn_certificate_does_not_qualify(items, frozen, status):
    qualified_lab("OK", items["lead"])
    qualified_lab("NOT", items["lead"], status=status)
    assert codes(directory.search(TODAY)) == ["OK"]


def test_a_closed_lab_or_one_holding_nothing_is_not_listed(items, frozen):
    qualified_lab("OK", items["lead"])
    closed = qualified_lab("CLOSED", items["lead"])
    closed.status = LabStatus.CLOSED
    db.session.commit()
    qualified_lab("EMPTY")
    assert codes(directory.search(TODAY)) == ["OK"]
    assert directory.load_lab("CLOSED", TODAY) is None
    assert directory.load_lab("EMPTY", TODAY) is None
    assert directory.load_lab("OK", TODAY).code == "OK"


def test_a_withdrawn_item_is_not_held_from_its_withdrawal_day(items, frozen):
    lab = qualified_lab("OK")
    f.ScopeEntryFactory(lab=lab, item=items["lead"], granted_on=date(2009, 1, 1), withdrawn_on=TODAY)
    assert codes(directory.search(TODAY)) == []
    assert codes(directory.search(date(2010, 9, 30))) == ["OK"]


def test_a_whole_qualification_suspension_takes_the_lab_out_while_in_force(items, frozen):
    lab = qualified_lab("SUSP", items["lead"])
    qualified_lab("OK", items["lead"])
    pf.SanctionFactory(
        lab=lab, kind=SanctionKind.SUSPENSION, whole=True, starts_on=TODAY, ends_on=date(2011, 1, 1)
    )
    assert codes(directory.search(TODAY)) == ["OK"]
    assert codes(directory.search(date(2010, 9, 30))) == ["OK", "SUSP"]  # the day before it started


def test_a_lifted_sanction_no_longer_counts_from_the_day_it_ended(items, frozen):
    lab = qualified_lab("LIFTED", items["lead"])
    pf.SanctionFactory(
        lab=lab, kind=SanctionKind.SUSPENSION, whole=True, starts_on=date(2010, 6, 1), ended_on=TODAY
    )
    assert codes(directory.search(TODAY)) == ["LIFTED"]
    assert codes(directory.search(date(2010, 9, 30))) == []


def test_a_suspended_item_is_not_held_but_the_others_are(items, frozen):
    lab = qualified_lab("PART", items["lead"], items["cadmium"], items["toys"])
    sanction = pf.SanctionFactory(lab=lab, kind=SanctionKind.SUSPENSION, starts_on=date(2010, 9, 1))
    pf.SanctionItemFactory(sanction=sanction, item=items["lead"])
    [row] = directory.search(TODAY).labs
    assert (row["categories"], row["items"]) == (2, 2)  # cadmium (food) and phthalates (toys)
    assert codes(directory.search(TODAY, item="PB-1")) == []
    assert codes(directory.search(TODAY, item="CD-1")) == ["PART"]
    scope = directory.scope_of(lab, TODAY)
    assert [(c["code"], [i["code"] for i in c["items"]]) for c in scope] == [
        ("FOOD", ["CD-1"]),
        ("TOYS", ["PAE-1"]),
    ]


def test_a_lab_whose_only_item_is_suspended_is_not_listed(items, frozen):
    lab = qualified_lab("ONLY", items["lead"])
    sanction = pf.SanctionFactory(lab=lab, kind=SanctionKind.SUSPENSION, starts_on=date(2010, 9, 1))
    pf.SanctionItemFactory(sanction=sanction, item=items["lead"])
    assert codes(directory.search(TODAY)) == []
    assert directory.regions(TODAY) == []


# --- searching --------------------------------------------------------------------------------


@pytest.fixture
def province(items, frozen):
    qualified_lab("CD-01", items["lead"], items["cadmium"])
    qualified_lab("CD-02", items["toys"])
    qualified_lab("MY-01", items["lead"], region="Mianyang")
    return items


@pytest.mark.parametrize(
    "asked, expected",
    [
        ({"item": "PB-1"}, ["CD-01", "MY-01"]),
        ({"item": "pb-1"}, ["CD-01", "MY-01"]),  # codes compare without case
        ({"item": "ＰＢ-１"}, ["CD-01", "MY-01"]),  # nor width
        ({"item": "ceramics"}, ["CD-01", "MY-01"]),  # words of the English name
        ({"item": "陶瓷"}, ["CD-01", "MY-01"]),  # or the Chinese one
        ({"item": "PB-1", "region": "Chengdu"}, ["CD-01"]),
        ({"category": "toys"}, ["CD-02"]),
        ({"category": "食品"}, ["CD-01", "MY-01"]),
        ({"category": "TOYS", "item": "lead"}, []),
        ({"region": "Mianyang"}, ["MY-01"]),
        ({"q": "cd-0"}, ["CD-01", "CD-02"]),
        ({"q": "Lab MY"}, ["MY-01"]),
        ({"item": "nothing like it"}, []),
    ],
)
def test_searching_by_item_category_region_and_name(province, asked, expected):
    assert codes(directory.search(TODAY, **asked)) == expected


def test_percent_and_underscore_are_searched_as_themselves(province):
    assert codes(directory.search(TODAY, q="%")) == []
    assert codes(directory.search(TODAY, q="_")) == []
    assert codes(directory.search(TODAY, item="%")) == []


def test_blank_or_overlong_search_terms_are_ignored(province):
    everyone = ["CD-01", "CD-02", "MY-01"]
    assert codes(directory.search(TODAY, item="   ")) == everyone
    assert codes(directory.search(TODAY, q="x" * 101)) == everyone
    assert directory.clean("lead\nin ceramics") is None  # two lines: not a search term
    assert directory.clean("  lead  ") == "lead"


def test_a_search_by_item_lists_the_matching_items_each_lab_holds(province):
    found = directory.search(TODAY, category="FOOD")
    assert {row["code"]: [i["code"] for i in row["matched_items"]] for row in found.labs} == {
        "CD-01": ["CD-1", "PB-1"],
        "MY-01": ["PB-1"],
    }
    assert all(row["matched_items"] == [] for row in directory.search(TODAY).labs)


def test_pages_of_the_directory(province):
    first = directory.search(TODAY, per_page=2)
    assert (codes(first), first.total, first.pages) == (["CD-01", "CD-02"], 3, 2)
    second = directory.search(TODAY, page=2, per_page=2)
    assert codes(second) == ["MY-01"]
    beyond = directory.search(TODAY, page=9, per_page=2)
    assert (codes(beyond), beyond.total) == ([], 3)
    assert directory.search(TODAY, per_page=1000).per_page == directory.PER_PAGE_MAX
    assert directory.search(TODAY, page=0, per_page=0).page == 1


def test_each_row_says_what_the_public_may_know(province):
    row = directory.search(TODAY, q="CD-01").labs[0]
    assert row == {
        "code": "CD-01",
        "name": "实验室 CD-01",
        "name_en": "Lab CD-01",
        "region": "Chengdu",
        "kind": "regional_lab",
        "certificates": [
            {"scheme": "CMA", "number": row["certificates"][0]["number"], "expires_on": date(2014, 3, 1)}
        ],
        "categories": 1,
        "items": 2,
        "matched_items": [],
    }


def test_only_valid_certificates_are_shown(items, frozen):
    lab = qualified_lab("TWO", items["lead"])
    f.QualificationFactory(
        lab=lab, scheme=Scheme.CNAS, issued_on=date(2002, 1, 1), expires_on=date(2008, 1, 1)
    )
    [row] = directory.search(TODAY).labs
    assert [c["scheme"] for c in row["certificates"]] == ["CMA"]


# --- the JSON and the pages -------------------------------------------------------------------


def test_the_json_pages_and_clamps_its_arguments(client, province):
    answer = client.get("/public/api/labs?per_page=2&page=2")
    assert answer.status_code == 200
    assert answer.json["meta"] == {"page": 2, "per_page": 2, "total": 3}
    assert [lab["code"] for lab in answer.json["items"]] == ["MY-01"]
    assert client.get("/public/api/labs?per_page=5000").json["meta"]["per_page"] == 100
    for bad in ("page=-1", "page=abc", "page=99999999999999999999", "per_page=0"):
        meta = client.get(f"/public/api/labs?{bad}").json["meta"]
        assert meta["page"] >= 1 and 1 <= meta["per_page"] <= 100, bad


def test_the_json_keeps_dates_as_iso_strings(client, province):
    lab = client.get("/public/api/labs?q=MY-01").json["items"][0]
    assert lab["certificates"][0]["expires_on"] == "2014-03-01"
    assert set(lab) == {
        "code",
        "name",
        "name_en",
        "region",
        "kind",
        "certificates",
        "categories",
        "items",
        "matched_items",
    }


def test_an_unchanged_page_answers_304_to_its_etag(client, province):
    first = client.get("/public/?lang=en")
    assert first.headers["Cache-Control"] == "public, max-age=300"
    again = client.get("/public/?lang=en", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert "Set-Cookie" not in first.headers


def test_the_language_from_the_browser_makes_the_page_vary(client, province):
    zh = client.get("/public/", headers={"Accept-Language": "zh-CN"})
    assert "具备资质的实验室名录" in zh.get_data(as_text=True)
    assert "Accept-Language" in zh.headers.get("Vary", "")
    en = client.get("/public/?lang=en", headers={"Accept-Language": "zh-CN"})
    assert "Directory of qualified laboratories" in en.get_data(as_text=True)
    assert "Accept-Language" not in en.headers.get("Vary", "")
    assert en.headers["ETag"] != zh.headers["ETag"]


def test_no_match_is_said_in_both_languages(client, province):
    assert "No qualified laboratory matches." in client.get("/public/?lang=en&item=mercury").get_data(
        as_text=True
    )
    assert "没有符合条件的实验室。" in client.get("/public/?lang=zh&item=mercury").get_data(as_text=True)


def test_a_labs_page_lists_what_it_holds_and_its_sanctions_in_force(client, items, frozen):
    lab = qualified_lab("PART", items["lead"], items["cadmium"])
    sanction = pf.SanctionFactory(
        lab=lab, kind=SanctionKind.SUSPENSION, starts_on=date(2010, 9, 1), ends_on=date(2010, 12, 1)
    )
    pf.SanctionItemFactory(sanction=sanction, item=items["lead"])
    page = client.get("/public/labs/PART?lang=zh").get_data(as_text=True)
    assert "目前可检测的项目" in page and "镉" in page
    warning = page[page.index('id="public-lab-sanctions"') :]
    warning = warning[: warning.index("</div>\n</div>")]
    assert "暂停" in warning and "2010-09-01" in warning and "2010-12-01" in warning
    english = client.get("/public/labs/PART?lang=en").get_data(as_text=True)
    assert "What it may test today" in english and "Suspension" in english and "1 item suspended" in english
    assert "Lead in ceramics" not in english  # the suspended item is not listed as held


def test_a_lab_that_is_not_qualified_has_no_public_page(client, items, frozen):
    qualified_lab("GONE", items["lead"], expires_on=date(2010, 9, 30))
    assert client.get("/public/labs/GONE").status_code == 404
    assert client.get("/public/labs/NOBODY").status_code == 404


def test_the_sanctions_register_in_both_languages(client, items, frozen):
    assert "No sanction is in force." in client.get("/public/sanctions?lang=en").get_data(as_text=True)
    lab = qualified_lab("WHOLE", items["lead"])
    pf.SanctionFactory(
        lab=lab,
        kind=SanctionKind.SUSPENSION,
        whole=True,
        starts_on=date(2010, 9, 1),
        basis="Order 86, art. 40",
    )
    pf.SanctionFactory(
        lab=lab, kind=SanctionKind.SUSPENSION, starts_on=date(2010, 1, 1), ended_on=date(2010, 3, 1)
    )
    page = client.get("/public/sanctions?lang=zh").get_data(as_text=True)
    assert "正在执行的处理" in page and "全部资质" in page and "Order 86, art. 40" in page
    assert len(directory.sanctions_in_force(TODAY)) == 1


def test_unpublished_plans_have_no_public_page(client, app):
    pf.PlanFactory(code="DRAFT-9")
    assert client.get("/public/plans/DRAFT-9").status_code == 404
    assert "DRAFT-9" not in client.get("/public/plans?lang=en").get_data(as_text=True)
