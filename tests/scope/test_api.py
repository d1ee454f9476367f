"""Scope, growth, catalogue and import in the JSON API."""

import hashlib
from datetime import date

import pytest

from labtrack.extensions import db
from labtrack.scope.importer import import_scope as do_import
from labtrack.scope.models import ScopeImport
from tests.scope.sample import ROWS, body


@pytest.fixture
def data(app, make_lab):
    labs = make_lab("L1", region="North"), make_lab("L2", region="South")
    assert do_import(body(*ROWS)).applied
    return labs


def test_lab_scope_on_a_date(client, api_token, data):
    _, headers = api_token("viewer")
    r = client.get("/api/v1/labs/L1/scope?on=2010-01-01", headers=headers)
    assert r.status_code == 200
    assert (r.json["categories"], r.json["items_count"], r.json["parameters"]) == (1, 2, 5)
    assert [i["item_code"] for i in r.json["items"]] == ["I001", "I002"]


def test_bad_date_is_422_naming_the_field(client, api_token, data):
    _, headers = api_token("viewer")
    r = client.get("/api/v1/labs/L1/scope?on=2010-13-01", headers=headers)
    assert r.status_code == 422 and "on" in r.json["errors"]
    r = client.get("/api/v1/labs/L1/growth?from=2010-01-01&to=2009-01-01", headers=headers)
    assert r.status_code == 422 and "to" in r.json["errors"]
    r = client.get("/api/v1/growth?from=x&to=2010-01-01", headers=headers)
    assert r.status_code == 422 and "from" in r.json["errors"]
    r = client.get("/api/v1/growth?from=2009-01-01&to=2010-01-01&region=Nowhere", headers=headers)
    assert r.status_code == 422 and "region" in r.json["errors"]


def test_growth_for_a_lab_a_region_and_everyone(client, api_token, data):
    _, headers = api_token("quality")
    r = client.get("/api/v1/labs/L1/growth?from=2009-12-31&to=2010-11-11&series=month", headers=headers)
    assert r.status_code == 200
    assert (r.json["items_from"], r.json["items_to"], r.json["items_added"], r.json["items_removed"]) == (
        2,
        2,
        ["I003"],
        ["I002"],
    )
    assert r.json["series"]["points"][0]["on"] == "2009-12-31"
    r = client.get("/api/v1/growth?from=2009-12-31&to=2010-11-11", headers=headers)
    assert (r.json["items_from"], r.json["items_to"], r.json["accreditations_to"]) == (2, 2, 3)
    r = client.get("/api/v1/growth?from=2009-12-31&to=2010-11-11&region=South", headers=headers)
    assert (r.json["items_from"], r.json["items_to"], r.json["categories_added"]) == (0, 1, ["C01"])


def test_lab_manager_sees_only_their_own_lab(client, api_token, data):
    _, headers = api_token("lab_manager", lab=data[0])
    assert client.get("/api/v1/labs/L1/scope", headers=headers).status_code == 200
    assert client.get("/api/v1/labs/L2/scope", headers=headers).status_code == 404
    assert (
        client.get("/api/v1/labs/L2/growth?from=2009-01-01&to=2010-01-01", headers=headers).status_code == 404
    )
    r = client.get("/api/v1/growth?from=2009-12-31&to=2010-11-11", headers=headers)
    assert r.json["lab_code"] == "L1"


def test_catalogue_endpoints(client, api_token, data):
    _, headers = api_token("quality")
    r = client.get("/api/v1/catalogue/items?q=GB/T 2912", headers=headers)
    assert [i["code"] for i in r.json["items"]] == ["I003"]
    assert client.get("/api/v1/catalogue/categories", headers=headers).json["meta"]["total"] == 2
    r = client.post(
        "/api/v1/catalogue/items",
        headers=headers,
        json={"code": "I009", "name": "汞", "category_code": "C01", "parameters": 2},
    )
    assert r.status_code == 201 and r.headers["Location"].endswith("/api/v1/catalogue/items/I009")
    r = client.post(
        "/api/v1/catalogue/items",
        headers=headers,
        json={"code": "I010", "name": "x", "category_code": "NOPE"},
    )
    assert r.status_code == 422 and "category_code" in r.json["errors"]
    r = client.patch("/api/v1/catalogue/items/I009", headers=headers, json={"parameters": 4})
    assert r.json["parameters"] == 4
    _, viewer = api_token("viewer")
    assert (
        client.post(
            "/api/v1/catalogue/categories", headers=viewer, json={"code": "C9", "name": "x"}
        ).status_code
        == 403
    )


def test_import_dry_run_and_apply(client, api_token, data):
    _, headers = api_token("quality")
    new = body("L2,C03,玩具,I020,邻苯二甲酸酯,GB 6675.1-2014,6,2010-05-01,")
    r = client.post("/api/v1/scope/import?dry_run=true", headers=headers, data=new)
    assert r.status_code == 202 and r.headers["Location"] == f"/api/v1/jobs/{r.json['id']}"
    job = client.get(r.headers["Location"], headers=headers).json  # run eagerly in the tests
    assert job["status"] == "done" and job["kind"] == "scope_import"
    assert job["result"]["applied"] is False and job["result"]["new_periods"] == 1
    assert job["result"]["new_categories"] == [{"code": "C03", "name": "玩具"}]
    assert job["progress"] == {"done": 1, "total": 1}
    assert client.get("/api/v1/labs/L2/scope?on=2010-06-01", headers=headers).json["items_count"] == 1
    r = client.post("/api/v1/scope/import", headers=headers, data=new)
    assert r.status_code == 202
    job = client.get(r.headers["Location"], headers=headers).json
    assert job["status"] == "done" and job["result"]["applied"] is True
    # The applied import is recorded under the body's SHA-256, named as the API's upload.
    record = db.session.get(ScopeImport, job["result"]["import_id"])
    assert record.sha256 == job["result"]["sha256"] == hashlib.sha256(new).hexdigest()
    assert (record.filename, record.new_periods) == ("scope-import.csv", 1)
    assert job["result"]["import_id"] is not None and record.rows == 1
    r = client.get("/api/v1/labs/L2/scope?on=2010-06-01", headers=headers)
    assert r.json["items_count"] == 2


def test_import_errors_fail_the_job_with_rows_and_write_nothing(client, api_token, data):
    _, headers = api_token("quality")
    r = client.post("/api/v1/scope/import", headers=headers, data=body("ZZ,C01,食品,I001,铅,,3,2009-02-30,"))
    assert r.status_code == 202
    job = client.get(r.headers["Location"], headers=headers).json
    assert job["status"] == "failed" and "nothing was imported" in job["error"]
    rows = job["result"]["errors"]["rows"]
    assert {(e["row"], e["column"]) for e in rows} == {(2, "lab_code"), (2, "granted_on")}
    r = client.post("/api/v1/scope/import", headers=headers, data=b"")
    assert r.status_code == 422 and "file" in r.json["errors"]
    _, viewer = api_token("viewer")
    assert client.post("/api/v1/scope/import", headers=viewer, data=body(ROWS[0])).status_code == 403


def test_openapi_lists_the_scope_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/labs/{code}/scope",
        "/api/v1/labs/{code}/growth",
        "/api/v1/growth",
        "/api/v1/catalogue/items",
        "/api/v1/catalogue/categories",
        "/api/v1/scope/import",
    ):
        assert path in paths, path
    assert date(2010, 1, 1)
