"""Scope pages: catalogue, lab scope, grant/withdraw rules, import preview and confirm, growth."""

import io
from datetime import date

import pytest
from sqlalchemy import select

from labtrack.extensions import db
from labtrack.scope.importer import import_scope
from labtrack.scope.models import ScopeEntry, TestItem
from tests.chart_data import charts, series
from tests.scope.sample import ROWS, body


@pytest.fixture
def labs(app, make_lab):
    labs = make_lab("L1", region="North"), make_lab("L2", region="South")
    assert import_scope(body(*ROWS)).applied
    return labs


def test_pages_render(client, auth, labs):
    auth.login("quality")
    for path in (
        "/scope/",
        "/scope/catalogue?q=铅",
        "/scope/items/I001",
        "/scope/labs/L1",
        "/scope/labs/L1?on=2009-06-01",
        "/scope/labs/L1/timeline",
        "/scope/import",
        "/scope/catalogue/items/new",
        "/scope/items/I001/edit",
        "/scope/catalogue/categories/new",
        "/labs/L1",
        "/scope/labs/L1?on=garbage",
    ):
        assert client.get(path).status_code == 200, path
    page = client.get("/scope/labs/L1?on=2010-01-01").get_data(as_text=True)
    assert "1 categories, 2 test items, 5 parameters on 2010-01-01" in page


def test_growth_page_headline_chart_and_exports(client, auth, labs):
    auth.login("viewer")
    html = client.get("/scope/growth?from=2009-12-31&to=2010-11-11&lab=L1").get_data(as_text=True)
    assert "From 1 categories and 2 test items to 2 categories and 2 test items" in html
    assert "I003" in html
    drawn = series(charts(html)["growth-chart"])  # drawn in the browser from these points
    assert drawn["Test items"][0] == ["2009-12-31", 2] and drawn["Test categories"][0] == ["2009-12-31", 1]
    assert drawn["Test items"][-1][0] == "2010-11-11" and drawn["Test categories"][-1][1] == 2
    assert client.get("/scope/growth?from=2010-12-31&to=2009-11-11").status_code == 200  # flashed, not a 500
    csv = client.get("/scope/growth/export.csv?from=2009-12-31&to=2010-11-11")
    assert csv.status_code == 200 and "I003" in csv.get_data(as_text=True)
    assert client.get("/scope/growth/export.xlsx?from=2009-12-31&to=2010-11-11").status_code == 200


def test_lab_manager_sees_only_their_own_lab(client, auth, make_user, labs):
    auth.login(make_user("lab_manager", lab=labs[0]))
    assert client.get("/scope/labs/L1").status_code == 200
    assert client.get("/scope/labs/L2").status_code == 404
    item = client.get("/scope/items/I001").get_data(as_text=True)
    assert "L1" in item and "L2" not in item
    assert (
        client.get("/scope/growth?lab=L2&from=2009-01-01&to=2010-01-01").status_code == 200
    )  # forced to own lab
    export = client.get("/scope/export.csv").get_data(as_text=True)
    assert "L1," in export and "L2," not in export
    assert client.post("/scope/labs/L1/grant", data={}).status_code == 403


def test_grant_and_withdraw_enforce_the_rules(client, auth, labs):
    auth.login("quality")
    r = client.post(
        "/scope/labs/L2/grant", data={"item_code": "I003", "granted_on": "2010-05-01", "basis": "extension"}
    )
    assert r.headers["Location"].endswith("/scope/labs/L2")
    # Overlap with the period just granted: refused, re-rendered.
    r = client.post(
        "/scope/labs/L2/grant", data={"item_code": "I003", "granted_on": "2011-05-01", "basis": "extension"}
    )
    assert r.status_code == 422 and "overlap" in r.get_data(as_text=True).lower()
    entry = db.session.scalar(
        select(ScopeEntry).join(TestItem).where(ScopeEntry.lab_id == labs[1].id, TestItem.code == "I003")
    )
    r = client.post(
        f"/scope/labs/L2/entries/{entry.id}/withdraw",
        data={"withdrawn_on": "2010-04-01", "withdrawal_reason": "suspension", "note": "x"},
    )
    assert r.status_code == 422  # before the grant
    r = client.post(
        f"/scope/labs/L2/entries/{entry.id}/withdraw",
        data={"withdrawn_on": "2010-09-01", "withdrawal_reason": "suspension", "note": "CNAS suspension"},
    )
    assert r.status_code in (302, 303)
    db.session.expire_all()
    entry = db.session.get(ScopeEntry, entry.id)
    assert entry.withdrawn_on == date(2010, 9, 1) and entry.withdrawal_reason == "suspension"
    # A new period may start the day the last ended.
    r = client.post(
        "/scope/labs/L2/grant",
        data={"item_code": "I003", "granted_on": "2010-09-01", "basis": "reassessment"},
    )
    assert r.status_code in (302, 303)
    page = client.get(f"/scope/labs/L2/entries/{entry.id}").get_data(as_text=True)
    assert "CNAS suspension" in page
    assert client.post("/scope/labs/L2/entries/999999/withdraw", data={}).status_code == 404


def test_import_preview_then_confirm(client, auth, labs, app):
    """The upload starts a preview job and the page follows it (?job=N); applying is a second job."""
    import re

    auth.login("admin")
    data = {
        "file": (io.BytesIO(body("L2,C03,玩具,I020,邻苯二甲酸酯,GB 6675.1-2014,6,2010-05-01,")), "scope.csv")
    }
    r = client.post("/scope/import", data=data, content_type="multipart/form-data")
    assert r.status_code == 303 and re.search(r"/scope/import\?job=\d+$", r.headers["Location"])
    r = client.get(r.headers["Location"])  # the job ran eagerly: the page shows its preview
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "I020" in html and "C03" in html
    assert db.session.scalar(select(TestItem).where(TestItem.code == "I020")) is None
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]{64})"', html).group(1)
    r = client.post("/scope/import/confirm", data={"token": token})
    assert r.status_code == 303 and "/scope/import?job=" in r.headers["Location"]
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'id="import-done"' in html
    assert db.session.scalar(select(TestItem).where(TestItem.code == "I020")) is not None
    # A key that no preview of this user's made is refused, and so is a forged path.
    r = client.post("/scope/import/confirm", data={"token": "ab" * 32})
    assert r.headers["Location"].endswith("/scope/import")
    r = client.post("/scope/import/confirm", data={"token": "../../etc/passwd"})
    assert r.headers["Location"].endswith("/scope/import")


def test_import_upload_with_errors(client, auth, labs):
    auth.login("admin")
    data = {"file": (io.BytesIO(body("NOPE,C01,食品,I001,铅,,3,2009-01-40,")), "scope.csv")}
    r = client.post("/scope/import", data=data, content_type="multipart/form-data")
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'id="import-errors"' in html and "lab_code" in html and "granted_on" in html
    assert "nothing was written" in html
    data = {"file": (io.BytesIO(b"%PDF-1.4 nope"), "scope.pdf")}
    r = client.post("/scope/import", data=data, content_type="multipart/form-data")
    assert 'id="import-errors"' in client.get(r.headers["Location"]).get_data(as_text=True)
    # another user's job is not theirs to see
    auth.logout()
    auth.login("quality")
    job_id = r.headers["Location"].rsplit("=", 1)[1]
    assert client.get(f"/scope/import?job={job_id}").status_code == 404


def test_catalogue_edit(client, auth, labs):
    auth.login("quality")
    r = client.post(
        "/scope/catalogue/categories/new", data={"code": "C09", "name": "玩具", "name_en": "Toys"}
    )
    assert r.status_code in (302, 303)
    r = client.post(
        "/scope/catalogue/items/new",
        data={"code": "I100", "name": "增塑剂", "category_code": "C09", "parameters": "6"},
    )
    assert r.headers["Location"].endswith("/scope/items/I100")
    r = client.post(
        "/scope/catalogue/items/new", data={"code": "I100", "name": "dup", "category_code": "C09"}
    )
    assert r.status_code == 422 and "already" in r.get_data(as_text=True)
    auth.logout()
    auth.login("inspector")
    assert client.get("/scope/catalogue/items/new").status_code == 403
