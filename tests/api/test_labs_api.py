"""The labs API: bearer tokens, list and detail, create and update, 401/404/422 in the JSON shape."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from labtrack.auth.models import ApiToken
from labtrack.extensions import db
from labtrack.labs.models import Lab, LabKind


@pytest.fixture
def labs(make_lab):
    return [
        make_lab("SC-TC", name="技术中心", kind=LabKind.TECHNICAL_CENTRE),
        make_lab("ZG-PQI", name="自贡市产品质量监督检验所", region="Zigong", kind=LabKind.PRODUCT_QUALITY),
        make_lab("ZG-MTI", name="自贡市计量测试所", region="Zigong", kind=LabKind.METROLOGY),
    ]


def _shape(body, code):
    assert set(body) == {"code", "status", "message", "errors"} and body["code"] == code


def test_list_with_filters_and_envelope(client, labs, api_token):
    _, headers = api_token("viewer")
    body = client.get("/api/v1/labs?region=Zigong&sort=-code&per_page=1", headers=headers).json
    assert body["meta"] == {"page": 1, "per_page": 1, "total": 2}
    assert [lab["code"] for lab in body["items"]] == ["ZG-PQI"]
    body = client.get("/api/v1/labs?q=计量", headers=headers).json
    assert [lab["code"] for lab in body["items"]] == ["ZG-MTI"]


def test_detail_and_404(client, labs, api_token):
    _, headers = api_token("viewer")
    body = client.get("/api/v1/labs/SC-TC", headers=headers).json
    assert (body["code"], body["kind"], body["qualifications"]) == ("SC-TC", "technical_centre", [])
    response = client.get("/api/v1/labs/NOPE", headers=headers)
    assert response.status_code == 404
    _shape(response.json, 404)


def test_lab_manager_sees_only_their_lab(client, labs, api_token):
    _, headers = api_token("lab_manager", lab=labs[1])
    body = client.get("/api/v1/labs", headers=headers).json
    assert [lab["code"] for lab in body["items"]] == ["ZG-PQI"]
    assert client.get("/api/v1/labs/SC-TC", headers=headers).status_code == 404
    assert client.patch("/api/v1/labs/ZG-PQI", json={"name": "x"}, headers=headers).status_code == 403


def test_no_token_bad_token_revoked_token_and_disabled_user_are_401_json(client, labs, api_token):
    user, headers = api_token("admin")
    assert client.get("/api/v1/labs", headers=headers).status_code == 200
    for bad in ({}, {"Authorization": "Bearer lt_nonsense"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/labs", headers=bad)
        assert response.status_code == 401
        assert response.mimetype == "application/json"
        _shape(response.json, 401)
    token = db.session.scalar(select(ApiToken))
    token.revoked_at = datetime.now(UTC).replace(tzinfo=None)
    db.session.commit()
    assert client.get("/api/v1/labs", headers=headers).status_code == 401
    _user2, headers2 = api_token("admin", username="second")
    assert client.get("/api/v1/labs", headers=headers2).status_code == 200
    _user2.active = False
    db.session.commit()
    response = client.get("/api/v1/labs", headers=headers2)
    assert response.status_code == 401 and "Location" not in response.headers


def test_create_and_update(client, labs, api_token):
    user, headers = api_token("quality")
    data = {"code": "LS-MTI", "name": "乐山市计量测试所", "region": "Leshan", "kind": "metrology_institute"}
    response = client.post("/api/v1/labs", json=data, headers=headers)
    assert response.status_code == 201
    assert response.headers["Location"].endswith("/api/v1/labs/LS-MTI")
    assert response.json["status"] == "active"
    response = client.patch("/api/v1/labs/LS-MTI", json={"status": "suspended"}, headers=headers)
    assert response.status_code == 200 and response.json["status"] == "suspended"
    assert response.json["name"] == "乐山市计量测试所"
    from labtrack.history.models import HistoryEntry

    lab = db.session.scalar(select(Lab).where(Lab.code == "LS-MTI"))
    rows = db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.table_name == "labs", HistoryEntry.record_id == lab.id)
    ).all()
    assert [r.action for r in rows] == ["insert", "update"] and {r.user_id for r in rows} == {user.id}


def test_patch_changes_only_the_given_fields(client, labs, api_token):
    _, headers = api_token("quality")
    client.patch("/api/v1/labs/ZG-MTI", json={"status": "suspended", "notes": "复查"}, headers=headers)
    response = client.patch("/api/v1/labs/ZG-MTI", json={"name": "自贡市计量所"}, headers=headers)
    assert response.status_code == 200
    body = response.json
    assert (body["name"], body["status"], body["notes"], body["region"]) == (
        "自贡市计量所",
        "suspended",
        "复查",
        "Zigong",
    )
    # Blank or null clears an optional field; a required one cannot be cleared.
    assert client.patch("/api/v1/labs/ZG-MTI", json={"notes": ""}, headers=headers).json["notes"] is None
    response = client.patch("/api/v1/labs/ZG-MTI", json={"name": None, "region": ""}, headers=headers)
    assert response.status_code == 422 and set(response.json["errors"]) == {"name", "region"}
    assert client.put("/api/v1/labs/ZG-MTI", json={"name": "x"}, headers=headers).status_code == 405


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"code", "name", "region", "kind"}),
        ({"code": "SC-TC", "name": "n", "region": "r", "kind": "regional_lab"}, {"code"}),
        ({"code": "X", "name": "n", "region": "r", "kind": "castle"}, {"kind"}),
        ({"code": "X" * 33, "name": 5, "region": "r", "kind": "regional_lab"}, {"code", "name"}),
        # What the form refuses, the API refuses: markup, control characters, '/', bad codes.
        (
            {"code": "<b>", "name": "<i>n</i>", "region": "r\x00", "kind": "regional_lab"},
            {"code", "name", "region"},
        ),
        ({"code": "A/B", "name": "n\x07", "region": "r", "kind": "regional_lab"}, {"code", "name"}),
        ({"code": "a b", "name": "n", "region": "r" * 81, "kind": "regional_lab"}, {"code", "region"}),
        ({"code": "export", "name": "n", "region": "r", "kind": "regional_lab"}, {"code"}),
        ({"code": "X", "name": "n", "region": "r", "kind": "regional_lab", "extra": 1}, {"extra"}),
        ({"code": "X", "name": "n", "region": "r", "kind": "regional_lab", "status": "gone"}, {"status"}),
    ],
)
def test_create_422_names_the_fields(client, labs, api_token, payload, fields):
    _, headers = api_token("admin")
    response = client.post("/api/v1/labs", json=payload, headers=headers)
    assert response.status_code == 422
    _shape(response.json, 422)
    assert set(response.json["errors"]) == fields


def test_viewer_cannot_write(client, labs, api_token):
    _, headers = api_token("viewer")
    response = client.post("/api/v1/labs", json={"code": "X"}, headers=headers)
    assert response.status_code == 403
    _shape(response.json, 403)


def test_a_code_differing_only_in_case_is_refused_with_422(client, labs, api_token):
    _, headers = api_token("admin")
    base = {"name": "n", "region": "Leshan", "kind": "regional_lab"}
    assert client.post("/api/v1/labs", json={**base, "code": "éx-1"}, headers=headers).status_code == 201
    for code in ("ÉX-1", "Éx-1", "ＥX-1".replace("Ｅ", "É")):
        response = client.post("/api/v1/labs", json={**base, "code": code}, headers=headers)
        assert response.status_code == 422, code
        _shape(response.json, 422)
        assert response.json["errors"] == {"code": ["Another laboratory already has the code éx-1."]}
    # Renaming another lab to it is refused the same way.
    response = client.patch("/api/v1/labs/SC-TC", json={"code": "ÉX-1"}, headers=headers)
    assert response.status_code == 422 and set(response.json["errors"]) == {"code"}
    assert db.session.scalar(select(Lab.code).where(Lab.code_key == "éx-1")) == "éx-1"


def test_times_carry_their_offset_and_nullable_fields_are_null(client, labs, api_token):
    _, headers = api_token("viewer")
    body = client.get("/api/v1/labs/SC-TC", headers=headers).json
    assert body["created_at"].endswith("+00:00") and body["updated_at"].endswith("+00:00")
    assert body["name_en"] is None and body["address"] is None
    spec = client.get("/api/v1/openapi.json").json["components"]["schemas"]["Lab"]["properties"]
    assert spec["created_at"]["format"] == "date-time"
    assert spec["name_en"].get("nullable") is True and spec["notes"].get("nullable") is True


def test_lab_managers_do_not_read_the_bureaus_notes(client, labs, api_token):
    labs[1].notes = "暗访发现记录不全"
    db.session.commit()
    _, staff = api_token("inspector")
    assert client.get("/api/v1/labs/ZG-PQI", headers=staff).json["notes"] == "暗访发现记录不全"
    _, manager = api_token("lab_manager", lab=labs[1])
    assert "notes" not in client.get("/api/v1/labs/ZG-PQI", headers=manager).json
    assert "notes" not in client.get("/api/v1/labs", headers=manager).json["items"][0]


@pytest.mark.parametrize("query", ["q=%00", "region=x%00", "kind=castle", "status=gone"])
def test_bad_filters_are_422(client, labs, api_token, query):
    _, headers = api_token("viewer")
    response = client.get(f"/api/v1/labs?{query}", headers=headers)
    assert response.status_code == 422
    _shape(response.json, 422)
