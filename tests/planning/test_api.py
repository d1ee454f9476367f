"""The planning API as DESIGN lists it: shapes, statuses (201, 401, 403, 404, 409, 422), lab
managers confined to their lab, and every operation in the OpenAPI document."""

from datetime import date

import pytest

from labtrack.planning import drawing, grading, plans, sanctions
from tests import factories as f
from tests.planning.conftest import plan_data


def test_every_operation_is_in_the_openapi_document(app, client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    expected = {
        "/api/v1/labs/{code}/risk": {"get", "post"},
        "/api/v1/risk": {"get"},
        "/api/v1/plans": {"get", "post"},
        "/api/v1/plans/{plan_code}": {"get"},
        "/api/v1/plans/{plan_code}/draw": {"post"},
        "/api/v1/plans/{plan_code}/publish": {"post"},
        "/api/v1/plans/{plan_code}/swaps": {"post"},
        "/api/v1/labs/{code}/sanctions": {"post"},
        "/api/v1/sanctions": {"get"},
        "/api/v1/sanctions/{sanction_id}": {"get"},
        "/api/v1/sanctions/{sanction_id}/lift": {"post"},
        "/public/api/labs": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    assert paths["/public/api/labs"]["get"]["security"] == []
    draw = paths["/api/v1/plans/{plan_code}/draw"]["post"]
    assert {"200", "201", "409", "422"} <= set(draw["responses"])


def test_anonymous_callers_get_json_401(app, client):
    for method, path in (
        ("get", "/api/v1/plans"),
        ("post", "/api/v1/plans/X/draw"),
        ("get", "/api/v1/labs/X/risk"),
    ):
        response = getattr(client, method)(path)
        assert response.status_code == 401 and response.json["code"] == 401


def test_the_design_shapes(world, client):
    quality = world.users["quality"]
    _user, headers = f.bearer(quality)
    created = client.post("/api/v1/plans", json=plan_data(), headers=headers)
    assert created.status_code == 201 and created.headers["Location"] == "/api/v1/plans/FC-2010"
    plan = created.json
    assert {"code", "title", "year", "audit_kind", "team_size", "inspectors", "strata"} <= set(plan)
    assert plan["strata"][0] == {
        "position": 1,
        "label": "Chengdu · Metrology institute",
        "region": "Chengdu",
        "lab_kind": "metrology_institute",
        "category_code": None,
        "quota": 1,
        "ratio": None,
    }
    answer = client.post(
        "/api/v1/plans/FC-2010/draw", json={"seed": "s", "dry_run": True}, headers=headers
    ).json
    assert {"seed", "labs", "teams"} <= set(answer) and answer["dry_run"] is True
    listed = client.get("/api/v1/plans", headers=headers).json
    assert listed["meta"] == {"page": 1, "per_page": 25, "total": 1}
    grading.grade_one(quality, world.labs["CD-1"])
    risk = client.get("/api/v1/labs/CD-1/risk", headers=headers).json
    assert {"grade", "score", "inputs", "computed_at"} <= set(risk)
    assert client.get("/api/v1/risk?grade=B", headers=headers).json["meta"]["total"] == 1


def test_a_plan_with_a_ratio_and_a_category(world, client):
    _user, headers = f.bearer(world.users["quality"])
    data = plan_data(
        strata=[{"category": "TEX", "quota": 1}, {"lab_kind": "metrology_institute", "ratio": 0.5}]
    )
    created = client.post("/api/v1/plans", json=data, headers=headers)
    assert created.status_code == 201, created.json
    strata = created.json["strata"]
    assert (strata[0]["category_code"], strata[1]["ratio"]) == ("TEX", 0.5)
    answer = client.post(
        "/api/v1/plans/FC-2010/draw", json={"seed": "s", "dry_run": True}, headers=headers
    ).json
    # Only CD-1 holds a textiles item; then half of the 2 metrology labs left (CD-2, MY-1), rounded up: 1.
    assert answer["labs"][0] == "CD-1" and len(answer["labs"]) == 2
    assert answer["strata"] == [
        {"position": 1, "eligible": 1, "quota": 1, "drawn": 1},
        {"position": 2, "eligible": 2, "quota": 1, "drawn": 1},
    ]


@pytest.mark.parametrize("role", ["viewer", "i-x", "manager"])
def test_who_may_not_write(world, client, role):
    _user, headers = f.bearer(world.users[role])
    assert client.post("/api/v1/plans", json=plan_data(), headers=headers).status_code == 403
    assert client.post("/api/v1/labs/CD-1/sanctions", json={}, headers=headers).status_code == 403
    assert client.post("/api/v1/labs/CD-1/risk", headers=headers).status_code == 403


def test_lab_managers_see_their_own_lab_only(world, client):
    quality = world.users["quality"]
    finding = f.FindingFactory(audit=f.AuditFactory(lab=world.labs["MY-1"], started_on=date(2009, 12, 1)))
    other = sanctions.impose(
        quality,
        world.labs["MY-1"],
        {
            "kind": "suspension",
            "item_codes": ["F-1"],
            "finding_ids": [finding.id],
            "basis": "x",
            "starts_on": "2010-06-01",
            "ends_on": "2010-12-01",
        },
    )
    grading.grade(quality, date(2010, 10, 1))
    plans.create_plan(quality, plan_data())
    _user, headers = f.bearer(world.users["manager"])
    assert client.get(f"/api/v1/sanctions/{other.id}", headers=headers).status_code == 404
    assert client.get("/api/v1/sanctions", headers=headers).json["items"] == []
    assert [r["lab_code"] for r in client.get("/api/v1/risk", headers=headers).json["items"]] == ["CD-1"]
    assert client.get("/api/v1/labs/MY-1/risk", headers=headers).status_code == 404
    assert client.get("/api/v1/plans", headers=headers).json["items"] == []  # not published
    assert client.get("/api/v1/plans/FC-2010", headers=headers).status_code == 404


def test_publishing_through_the_api(world, client):
    quality = world.users["quality"]
    plan = plans.create_plan(quality, plan_data())
    _user, headers = f.bearer(quality)
    assert (
        client.post("/api/v1/plans/FC-2010/publish", json={"what": "draw"}, headers=headers).status_code
        == 409
    )
    published = client.post("/api/v1/plans/FC-2010/publish", json={"what": "plan"}, headers=headers)
    assert published.status_code == 200 and published.json["published_on"] == "2010-10-01"
    assert (
        client.post("/api/v1/plans/FC-2010/publish", json={"what": "plan"}, headers=headers).status_code
        == 409
    )
    drawing.make_draw(quality, plans.load_plan(quality, plan.code), {"seed": "s"})
    assert (
        client.post("/api/v1/plans/FC-2010/publish", json={"what": "draw"}, headers=headers).status_code
        == 200
    )
    _user, manager = f.bearer(world.users["manager"])
    seen = client.get("/api/v1/plans/FC-2010", headers=manager).json
    assert seen["draw"]["labs"] and seen["inspectors"] == []  # the pool stays internal
    assert (
        client.post("/api/v1/plans/FC-2010/publish", json={"what": "both"}, headers=headers).status_code
        == 422
    )


def test_bad_draw_requests(world, client):
    plans.create_plan(world.users["quality"], plan_data())
    _user, headers = f.bearer(world.users["quality"])
    assert client.post("/api/v1/plans/FC-2010/draw", json={}, headers=headers).status_code == 422
    assert (
        client.post("/api/v1/plans/FC-2010/draw", json={"seed": "a\nb"}, headers=headers).status_code == 422
    )
    assert (
        client.post("/api/v1/plans/FC-2010/draw", json={"seed": "x" * 201}, headers=headers).status_code
        == 422
    )
    assert client.post("/api/v1/plans/NOPE/draw", json={"seed": "s"}, headers=headers).status_code == 404
