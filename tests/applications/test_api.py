"""The applications API: POST /applications (201), GET /applications[/<id>], items, transitions with
the refusals in their order (404, 422, 403, 409, 422), findings of the assessment."""

from datetime import date

from freezegun import freeze_time
from sqlalchemy import select

from labtrack.extensions import db
from labtrack.scope.models import ScopeEntry
from tests.applications.conftest import NEW_ITEMS
from tests.factories import PASSWORD, bearer


def headers(world, who):
    return bearer(world.users[who])[1]


def create(client, world, who="manager", **body):
    data = {"kind": "extension", "items": NEW_ITEMS, **body}
    return client.post("/api/v1/applications", json=data, headers=headers(world, who))


def step(client, world, who, application_id, to, **body):
    return client.post(
        f"/api/v1/applications/{application_id}/transitions",
        json={"to": to, **body},
        headers=headers(world, who),
    )


def test_draft_to_certificate_through_the_api(client, world):
    created = create(client, world)
    assert created.status_code == 201, created.json
    body = created.json
    assert created.headers["Location"].endswith(f"/api/v1/applications/{body['id']}")
    assert (body["lab_code"], body["status"], len(body["items"])) == ("SC-A", "draft", 3)
    assert body["next"] == ["submitted"]
    aid = body["id"]
    with freeze_time("2010-09-17"):
        r = step(client, world, "manager", aid, "submitted", version=body["version"])
        assert r.status_code == 200, r.json
        assert r.json["clocks"][0]["due_on"] == "2010-09-26"
    with freeze_time("2010-09-21"):
        assert step(client, world, "quality", aid, "accepted").status_code == 200
        assert step(client, world, "quality", aid, "review").status_code == 200
        r = step(client, world, "quality", aid, "assessment", lead="i-1", members=["i-2"])
        assert r.status_code == 200, r.json
        assert r.json["assessment"]["team"] == ["i-1", "i-2"]
        finding = client.post(
            f"/api/v1/applications/{aid}/findings",
            json={
                "severity": "minor",
                "area": "records",
                "clause": "7.5",
                "description": "原始记录不完整",
                "item_codes": ["W-1"],
            },
            headers=headers(world, "i-1"),
        )
        assert finding.status_code == 201, finding.json
        assert (finding.json["due_on"], finding.json["items"]) == ("2010-10-21", ["W-1"])
        assert step(client, world, "quality", aid, "rectification").status_code == 200
    with freeze_time("2010-09-27"):
        r = step(client, world, "quality", aid, "decided", password=PASSWORD)
        assert r.status_code == 409
        r = step(client, world, "quality", aid, "decided", password=PASSWORD, exclude_open=True)
        assert r.status_code == 200, r.json
        assert r.json["decision"] == "partial"
        outcomes = {i["item_code"]: i["outcome"] for i in r.json["items"]}
        assert outcomes == {"F-2": "granted", "T-1": "granted", "W-1": "refused"}
        r = step(client, world, "quality", aid, "certified")
        assert r.status_code == 200 and r.json["status"] == "certified"
    granted = db.session.scalars(select(ScopeEntry).where(ScopeEntry.granted_on == date(2010, 9, 27))).all()
    assert sorted(e.item.code for e in granted) == ["F-2", "T-1"]


def test_refusals_in_their_order(client, world):
    aid = create(client, world).json["id"]
    # another lab's manager: as if it did not exist
    assert (
        client.get(f"/api/v1/applications/{aid}", headers=headers(world, "other-manager")).status_code == 404
    )
    assert step(client, world, "other-manager", aid, "submitted").status_code == 404
    assert step(client, world, "manager", aid, "nowhere").status_code == 422
    assert step(client, world, "quality", aid, "submitted").status_code == 403
    assert step(client, world, "quality", aid, "accepted").status_code == 409
    assert step(client, world, "manager", aid, "submitted", version=42).status_code == 409
    r = client.post(f"/api/v1/applications/{aid}/transitions", json=[1], headers=headers(world, "manager"))
    assert r.status_code == 422
    assert client.get("/api/v1/applications/999999", headers=headers(world, "viewer")).status_code == 404


def test_a_wrong_password_is_named_and_nothing_is_decided(client, world):
    aid = create(client, world, items=[{"item_code": "F-2"}]).json["id"]
    step(client, world, "manager", aid, "submitted")
    for to in ("accepted", "review"):
        step(client, world, "quality", aid, to)
    step(client, world, "quality", aid, "assessment", lead="i-1", members=["quality2"])
    step(client, world, "quality", aid, "rectification")
    r = step(client, world, "quality2", aid, "decided", password=PASSWORD)
    assert r.status_code == 403 and "assessment team" in r.json["message"]
    r = step(client, world, "quality", aid, "decided", password="wrong")
    assert r.status_code == 422 and "password" in r.json["errors"]
    assert (
        client.get(f"/api/v1/applications/{aid}", headers=headers(world, "viewer")).json["status"]
        == "rectification"
    )


def test_bad_items_are_named_by_index_and_field(client, world):
    r = create(client, world, items=[{"item_code": "F-2"}, {"item_code": "F-1"}, {"item_code": "F-2"}])
    assert r.status_code == 422
    assert set(r.json["errors"]["items"]) == {"1", "2"}
    assert "already holds" in r.json["errors"]["items"]["1"]["item_code"][0]
    r = create(client, world, kind="nonsense")
    assert r.status_code == 422 and "kind" in r.json["errors"]


def test_lab_managers_apply_only_for_their_own_lab(client, world):
    r = create(client, world, lab_code="SC-B")
    assert r.status_code == 422 and "lab_code" in r.json["errors"]
    assert create(client, world, who="viewer", lab_code="SC-A").status_code == 403
    assert (
        create(client, world, who="admin", lab_code="SC-B", items=[{"item_code": "F-2"}]).status_code == 201
    )


def test_items_added_to_a_draft(client, world):
    aid = create(client, world, items=[]).json["id"]
    r = client.post(
        f"/api/v1/applications/{aid}/items",
        json={"items": [{"item_code": "F-3"}]},
        headers=headers(world, "manager"),
    )
    assert r.status_code == 200 and [i["item_code"] for i in r.json["items"]] == ["F-3"]
    r = step(client, world, "manager", aid, "submitted")
    assert r.status_code == 200


def test_the_list_is_narrowed_and_filtered(client, world):
    create(client, world)
    create(client, world, who="admin", lab_code="SC-B", items=[{"item_code": "F-2"}])
    mine = client.get("/api/v1/applications", headers=headers(world, "manager")).json
    assert [a["lab_code"] for a in mine["items"]] == ["SC-A"] and mine["meta"]["total"] == 1
    everyone = client.get("/api/v1/applications", headers=headers(world, "viewer")).json
    assert everyone["meta"]["total"] == 2
    chengdu = client.get("/api/v1/applications?region=Mianyang", headers=headers(world, "viewer")).json
    assert [a["lab_code"] for a in chengdu["items"]] == ["SC-B"]
    assert (
        client.get("/api/v1/applications?status=bogus", headers=headers(world, "viewer")).status_code == 422
    )
