"""The public pages: no sign-in, both languages, cacheable; the directory of qualified labs and
its search (suspended items are not held); published plans, draws and outcomes; sanctions in
force; and the proof that nothing unpublished or internal appears in a page or its JSON."""

from datetime import date

import pytest
from freezegun import freeze_time

from labtrack.audits.workflow import State
from labtrack.extensions import db
from labtrack.labs.models import LabStatus
from labtrack.planning import drawing, grading, plans, sanctions
from labtrack.proficiency.models import RoundStatus
from tests import factories as f
from tests.planning.conftest import plan_data

SECRETS = {
    "finding text": "SECRET-FINDING-TEXT",
    "evidence": "SECRET-EVIDENCE-TEXT",
    "unpublished round": "SECRET-ROUND-TITLE",
    "draft plan": "SECRET-DRAFT-PLAN",
    "lift comment": "SECRET-LIFT-COMMENT",
    "risk inputs": "months_since_inspection",
    "risk explanation": "points)",
    "draw seed of an unpublished draw": "SECRET-SEED",
    "inspector": "i-cd",
    "expired lab": "EXPIRED-LAB",
    "closed lab": "CLOSED-LAB",
}


@pytest.fixture
def public_world(world):
    """The planning world, plus: everything internal marked with a secret; a draft plan; a
    published plan whose draw is not published; a lifted and an in-force sanction; gradings."""
    quality = world.users["quality"]
    cd1 = world.labs["CD-1"]
    finding = f.FindingFactory(
        audit=f.AuditFactory(lab=cd1, started_on=date(2009, 12, 1)),
        description=SECRETS["finding text"],
        evidence_text=SECRETS["evidence"],
    )
    f.RoundFactory(title=SECRETS["unpublished round"], status=RoundStatus.EVALUATED)
    plans.create_plan(quality, plan_data(code="DRAFT-1", title=SECRETS["draft plan"]))
    secret_plan = plans.create_plan(quality, plan_data(code="PUB-1", title="Published plan"))
    plans.publish(quality, secret_plan, "plan")
    drawing.make_draw(quality, secret_plan, {"seed": SECRETS["draw seed of an unpublished draw"]})
    # A suspension of F-1 at CD-1 in force, and a lifted one at CD-2 with an internal comment.
    sanctions.impose(
        quality,
        cd1,
        {
            "kind": "suspension",
            "item_codes": ["F-1"],
            "finding_ids": [finding.id],
            "basis": "Order 86, art. 40",
            "starts_on": "2010-09-01",
            "ends_on": "2010-12-01",
        },
    )
    done = f.FindingFactory(
        audit=f.AuditFactory(lab=world.labs["CD-2"], started_on=date(2009, 12, 1)), closed=True
    )
    lifted = sanctions.impose(
        quality,
        world.labs["CD-2"],
        {
            "kind": "deadline_rectification",
            "item_codes": ["F-1"],
            "finding_ids": [done.id],
            "basis": "Order 86",
            "starts_on": "2010-07-01",
            "ends_on": "2010-09-01",
        },
    )
    sanctions.lift(quality, lifted, {"lifted_on": "2010-07-10", "comment": SECRETS["lift comment"]})
    # Labs that are not qualified.
    expired = f.LabFactory(code="EXPIRED-LAB", region="Chengdu")
    f.QualificationFactory(lab=expired, issued_on=date(2003, 1, 1))  # expired 2009
    f.ScopeEntryFactory(lab=expired, item=world.items["F-1"])
    closed = f.LabFactory(code="CLOSED-LAB", region="Chengdu", status=LabStatus.CLOSED)
    f.QualificationFactory(lab=closed)
    f.ScopeEntryFactory(lab=closed, item=world.items["F-1"])
    grading.grade(quality, date(2010, 10, 1))
    db.session.commit()
    return world


def _public_urls(client) -> list[str]:
    urls = ["/public/", "/public/plans", "/public/sanctions", "/public/api/labs"]
    urls += [f"/public/?item={q}" for q in ("F-1", "Lead", "铅", "")] + [
        "/public/?category=FOOD&region=Chengdu"
    ]
    urls += [f"/public/api/labs?item={q}&region=Chengdu" for q in ("F-1", "lead")] + [
        "/public/api/labs?category=TEX"
    ]
    codes = [lab["code"] for lab in client.get("/public/api/labs?per_page=100").json["items"]]
    urls += [f"/public/labs/{code}" for code in codes]
    urls += ["/public/plans/PUB-1"]
    return [u + ("&" if "?" in u else "?") + f"lang={lang}" for u in urls for lang in ("en", "zh")]


def test_nothing_unpublished_or_internal_appears_in_a_page_or_its_json(public_world, client):
    seen = _public_urls(client)
    assert len(seen) > 20
    leaks = []
    for url in seen:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        leaks += [(url, what) for what, secret in SECRETS.items() if secret in body]
    assert leaks == []
    # A draft plan and an unpublished draw are not found; a published plan says its draw is pending.
    assert client.get("/public/plans/DRAFT-1").status_code == 404
    page = client.get("/public/plans/PUB-1").get_data(as_text=True)
    assert 'id="public-draw-pending"' in page and 'id="public-outcomes"' not in page
    # The same pages signed in show no more.
    client.post("/login", data={"username": "admin", "password": f.PASSWORD})
    for url in seen[:10]:
        assert not any(secret in client.get(url).get_data(as_text=True) for secret in SECRETS.values()), url


def test_no_sign_in_and_cacheable(public_world, client):
    first = client.get("/public/?lang=en")
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert "Set-Cookie" not in first.headers
    etag = first.headers["ETag"]
    again = client.get("/public/?lang=en", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    api = client.get("/public/api/labs?item=F-1")
    assert api.headers["Cache-Control"] == "public, max-age=300" and api.headers["ETag"]
    assert (
        client.get("/public/api/labs?item=F-1", headers={"If-None-Match": api.headers["ETag"]}).status_code
        == 304
    )
    by_browser = client.get("/public/", headers={"Accept-Language": "zh-CN"})
    assert "Accept-Language" in by_browser.headers["Vary"]
    assert "具备资质的实验室名录" in by_browser.get_data(as_text=True)


def test_both_languages(public_world, client):
    english = client.get("/public/sanctions?lang=en").get_data(as_text=True)
    chinese = client.get("/public/sanctions?lang=zh").get_data(as_text=True)
    assert "Sanctions in force" in english and "Suspension" in english
    assert "正在执行的处理" in chinese and "暂停" in chinese
    assert 'lang="zh-CN"' in chinese and 'href="/public/sanctions?lang=en"' in chinese


def test_who_can_test_lead_in_ceramic_tableware_near_chengdu(public_world, client):
    found = client.get("/public/api/labs?item=lead in ceramic&region=Chengdu").json
    # CD-1's F-1 is suspended: not held while suspended; the expired and closed labs are not qualified.
    assert [lab["code"] for lab in found["items"]] == ["CD-2", "CD-3"]
    assert found["meta"] == {"page": 1, "per_page": 25, "total": 2}
    assert found["items"][0]["matched_items"] == [
        {"code": "F-1", "name": "陶瓷餐具中铅的溶出量", "name_en": "Lead in ceramic tableware"}
    ]
    assert [c["scheme"] for c in found["items"][0]["certificates"]] == ["CMA"]
    by_chinese = client.get("/public/api/labs?item=铅&region=Chengdu").json["items"]
    assert [lab["code"] for lab in by_chinese] == ["CD-2", "CD-3"]
    by_category = client.get("/public/api/labs?category=食品").json["items"]
    assert [lab["code"] for lab in by_category] == [
        "CD-1",
        "CD-2",
        "CD-3",
        "MY-1",
        "MY-2",
        "MY-3",
    ]  # CD-1 via F-2
    everyone = {lab["code"]: lab for lab in client.get("/public/api/labs").json["items"]}
    assert sorted(everyone) == ["CD-1", "CD-2", "CD-3", "MY-1", "MY-2", "MY-3"]
    assert (everyone["CD-1"]["items"], everyone["CD-2"]["items"]) == (2, 1)  # F-1 suspended at CD-1
    page = client.get("/public/?item=Lead&region=Chengdu&lang=en").get_data(as_text=True)
    assert "2 laboratories found" in page


def test_the_directory_agrees_with_the_dates_a_suspension_covers(public_world, client):
    with freeze_time("2010-08-31"):
        assert "CD-1" in [lab["code"] for lab in client.get("/public/api/labs?item=F-1").json["items"]]
    with freeze_time("2010-09-01"):
        assert "CD-1" not in [lab["code"] for lab in client.get("/public/api/labs?item=F-1").json["items"]]
    lab_page = client.get("/public/labs/CD-1?lang=en").get_data(as_text=True)
    assert "F-2" in lab_page and ">F-1<" not in lab_page and "1 item suspended" in lab_page


def test_published_draws_show_their_outcomes_without_finding_texts(public_world, client):
    plan = plans.load_plan(None, "PUB-1")
    plans.publish(None, plan, "draw")
    first = plan.draw.labs[0]
    audit = first.audit
    audit.status = "completed"
    f.FindingFactory(audit=audit, description=SECRETS["finding text"], severity="minor")
    f.FindingFactory(audit=audit, description=SECRETS["finding text"], closed=True)
    db.session.commit()
    page = client.get("/public/plans/PUB-1?lang=en").get_data(as_text=True)
    assert 'id="public-outcomes"' in page and SECRETS["draw seed of an unpublished draw"] in page
    assert "2 findings (major 1, minor 1, observations 0); 1 rectified and accepted" in page
    assert SECRETS["finding text"] not in page and "i-cd" not in page and "i-x" not in page


def test_bad_public_input_is_never_a_server_error(public_world, client):
    for url in (
        "/public/?page=abc&per_page=-3",
        "/public/api/labs?page=99999999999999999999",
        "/public/api/labs?item=" + "x" * 5000,
        "/public/api/labs?item=%00",
        "/public/labs/NO-SUCH",
        "/public/plans/NO-SUCH",
        "/public/labs/EXPIRED-LAB",
    ):
        assert client.get(url).status_code in (200, 404, 422), url


def test_an_expired_certificate_or_a_closed_lab_is_not_in_the_directory(public_world, client):
    codes = [lab["code"] for lab in client.get("/public/api/labs?per_page=100").json["items"]]
    assert "EXPIRED-LAB" not in codes and "CLOSED-LAB" not in codes
    finding = public_world.labs["MY-1"]
    f.FindingFactory(audit=f.AuditFactory(lab=finding, started_on=date(2009, 12, 1)), status=State.OPEN)
    sanctions.impose(
        public_world.users["quality"],
        public_world.labs["MY-1"],
        {"kind": "revocation", "basis": "Order 86", "starts_on": "2010-09-15"},
    )
    codes = [lab["code"] for lab in client.get("/public/api/labs?per_page=100").json["items"]]
    assert "MY-1" not in codes
    assert "Revocation" in client.get("/public/sanctions?lang=en").get_data(as_text=True)
