"""The rounds API end to end: status codes, hand-derived scores, visibility for lab managers."""

import pytest
from sqlalchemy import func, select

from labtrack.audits.models import Finding
from labtrack.extensions import db
from labtrack.proficiency.models import Result, Round

BODY = {
    "code": "BS-2010-01",
    "title": "Lead in ceramic tableware",
    "kind": "blind_sample",
    "measurand": "Pb",
    "unit": "mg/L",
    "assigned_value_method": "reference",
    "x_pt": 10.0,
    "u_x_pt": 0.1,
    "sigma_pt_method": "fixed",
    "sigma_pt": 0.5,
    "participants": ["A01", "A02", "A03", "A04", "A05"],
}
VALUES = {"A01": 10.2, "A02": 9.0, "A03": 11.2, "A04": 8.4, "A05": 11.5}
Z = {"A01": 0.4, "A02": -2.0, "A03": 2.4, "A04": -3.2, "A05": 3.0}


@pytest.fixture
def quality(api_token):
    return api_token("quality")[1]


def _run_to_evaluated(client, headers, body=BODY, values=VALUES):
    assert client.post("/api/v1/rounds", json=body, headers=headers).status_code == 201
    code = body["code"]
    assert (
        client.post(f"/api/v1/rounds/{code}/transitions", json={"to": "open"}, headers=headers).status_code
        == 200
    )
    rows = [{"lab_code": k, "value": v} for k, v in values.items()]
    assert client.post(f"/api/v1/rounds/{code}/results", json=rows, headers=headers).status_code == 201
    assert (
        client.post(f"/api/v1/rounds/{code}/transitions", json={"to": "closed"}, headers=headers).status_code
        == 200
    )
    return client.post(f"/api/v1/rounds/{code}/evaluate", headers=headers)


def test_create_answers_201_with_location(client, labs, quality):
    response = client.post("/api/v1/rounds", json=BODY, headers=quality)
    assert response.status_code == 201
    assert response.headers["Location"].endswith("/api/v1/rounds/BS-2010-01")
    body = response.json
    assert body["status"] == "planned" and sorted(body["participants"]) == BODY["participants"]
    for key in ("code", "title", "kind", "measurand", "unit", "item_code", "assigned_value_method",
                "x_pt", "u_x_pt", "sigma_pt_method", "sigma_pt"):  # fmt: skip
        assert key in body
    assert client.get(response.headers["Location"], headers=quality).json["code"] == "BS-2010-01"


def test_round_end_to_end_with_hand_scores(client, labs, quality):
    response = _run_to_evaluated(client, quality)
    assert response.status_code == 200
    body = response.json
    assert (body["x_pt"], body["u_x_pt"], body["sigma_pt"], body["score_kind"]) == (10.0, 0.1, 0.5, "z")
    got = {r["lab_code"]: r for r in body["results"]}
    for code, z in Z.items():
        assert got[code]["score"] == pytest.approx(z) and got[code]["value"] == VALUES[code]
        assert got[code]["participant_code"].startswith("P")
    assert got["A03"]["grade"] == "questionable" and got["A04"]["grade"] == "unsatisfactory"
    published = client.post("/api/v1/rounds/BS-2010-01/publish", headers=quality)
    assert published.status_code == 200
    assert sorted(f["lab_code"] for f in published.json["findings_raised"]) == ["A04", "A05"]
    again = client.post("/api/v1/rounds/BS-2010-01/publish", headers=quality)
    assert again.status_code == 200 and again.json["findings_raised"] == []
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 2


def test_state_errors_are_409(client, labs, quality):
    client.post("/api/v1/rounds", json=BODY, headers=quality)
    assert (
        client.post(
            "/api/v1/rounds/BS-2010-01/transitions", json={"to": "closed"}, headers=quality
        ).status_code
        == 409
    )
    assert (
        client.post(
            "/api/v1/rounds/BS-2010-01/results", json=[{"lab_code": "A01", "value": 1}], headers=quality
        ).status_code
        == 409
    )
    client.post("/api/v1/rounds/BS-2010-01/transitions", json={"to": "open"}, headers=quality)
    response = client.post("/api/v1/rounds/BS-2010-01/evaluate", headers=quality)
    assert response.status_code == 409 and "still open" in response.json["message"]
    assert client.post("/api/v1/rounds/BS-2010-01/publish", headers=quality).status_code == 409
    client.post("/api/v1/rounds/BS-2010-01/transitions", json={"to": "closed"}, headers=quality)
    response = client.post(
        "/api/v1/rounds/BS-2010-01/results", json=[{"lab_code": "A01", "value": 1}], headers=quality
    )
    assert response.status_code == 409 and response.json["code"] == 409


def test_bad_values_are_422_naming_fields(client, labs, quality):
    bad = dict(BODY, kind="séance", sigma_pt=-1, code="")
    response = client.post("/api/v1/rounds", json=bad, headers=quality)
    assert response.status_code == 422
    assert {"kind", "sigma_pt", "code"} <= set(response.json["errors"])
    unknown = dict(BODY, participants=["A01", "NOPE"], item_code="X-1")
    response = client.post("/api/v1/rounds", json=unknown, headers=quality)
    assert response.status_code == 422 and {"participants", "item_code"} <= set(response.json["errors"])
    assert client.post("/api/v1/rounds", json=BODY, headers=quality).status_code == 201
    assert client.post("/api/v1/rounds", json=BODY, headers=quality).status_code == 422  # duplicate code
    client.post("/api/v1/rounds/BS-2010-01/transitions", json={"to": "open"}, headers=quality)
    response = client.post("/api/v1/rounds/BS-2010-01/transitions", json={"to": "nowhere"}, headers=quality)
    assert response.status_code == 422 and "to" in response.json["errors"]
    rows = [{"lab_code": "A01", "value": "twelve"}, {"lab_code": "ZZZ", "value": 1}, {"lab_code": "A02"}]
    response = client.post("/api/v1/rounds/BS-2010-01/results", json=rows, headers=quality)
    assert response.status_code == 422
    # the schema names malformed entries by index; the service then names the ones it refuses
    assert response.json["errors"]["0"]["value"] and response.json["errors"]["2"]["value"]
    rows = [
        {"lab_code": "A01", "value": 12},
        {"lab_code": "ZZZ", "value": 1},
        {"lab_code": "A01", "value": 2},
    ]
    response = client.post("/api/v1/rounds/BS-2010-01/results", json=rows, headers=quality)
    assert response.status_code == 422
    assert "not invited" in response.json["errors"]["1"]["lab_code"][0]
    assert "twice" in response.json["errors"]["2"]["lab_code"][0] and "0" not in response.json["errors"]
    assert (
        client.post("/api/v1/rounds/BS-2010-01/results", data="nonsense", headers=quality).status_code == 422
    )
    assert db.session.scalar(select(func.count()).select_from(Result)) == 0


def test_too_few_for_consensus_is_422(client, labs, quality):
    body = dict(BODY, assigned_value_method="consensus", x_pt=None)
    values = {k: VALUES[k] for k in ("A01", "A02", "A03")}
    response = _run_to_evaluated(client, quality, body, values)
    assert response.status_code == 422 and "too few" in response.json["message"]
    assert db.session.scalar(select(Round.status).where(Round.code == body["code"])) == "closed"


def test_unknown_round_is_404(client, app, quality):
    assert client.get("/api/v1/rounds/NOPE", headers=quality).status_code == 404
    assert client.post("/api/v1/rounds/NOPE/evaluate", headers=quality).status_code == 404


def test_roles(client, labs, api_token, quality):
    _, inspector = api_token("inspector")
    _, viewer = api_token("viewer")
    assert client.post("/api/v1/rounds", json=BODY, headers=inspector).status_code == 403
    assert client.post("/api/v1/rounds", json=BODY, headers=viewer).status_code == 403
    client.post("/api/v1/rounds", json=BODY, headers=quality)
    client.post("/api/v1/rounds/BS-2010-01/transitions", json={"to": "open"}, headers=quality)
    assert (
        client.post(
            "/api/v1/rounds/BS-2010-01/results", json=[{"lab_code": "A01", "value": 1}], headers=inspector
        ).status_code
        == 201
    )
    assert (
        client.post(
            "/api/v1/rounds/BS-2010-01/results", json=[{"lab_code": "A02", "value": 1}], headers=viewer
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/rounds/BS-2010-01/transitions", json={"to": "closed"}, headers=inspector
        ).status_code
        == 403
    )


def test_lab_manager_sees_own_identity_and_others_by_code_only(
    client, app, labs, make_lab, api_token, quality
):
    outsider = make_lab("OUT-9")
    _, manager = api_token("lab_manager", lab=labs[0])
    _, stranger = api_token("lab_manager", lab=outsider)
    client.post("/api/v1/rounds", json=BODY, headers=quality)
    # Planned: not yet visible to the participants.
    assert client.get("/api/v1/rounds/BS-2010-01", headers=manager).status_code == 404
    client.post("/api/v1/rounds/BS-2010-01/transitions", json={"to": "open"}, headers=quality)
    mine = client.get("/api/v1/rounds/BS-2010-01", headers=manager).json
    assert mine["participants"] == ["A01"] and mine["x_pt"] is None and mine["sigma_pt"] is None
    # Its own result only, and only for its own lab.
    assert (
        client.post(
            "/api/v1/rounds/BS-2010-01/results", json=[{"lab_code": "A01", "value": 10.2}], headers=manager
        ).status_code
        == 201
    )
    response = client.post(
        "/api/v1/rounds/BS-2010-01/results", json=[{"lab_code": "A02", "value": 9}], headers=manager
    )
    assert response.status_code == 422 and "own laboratory" in response.json["errors"]["0"]["lab_code"][0]
    rows = [{"lab_code": k, "value": v} for k, v in VALUES.items() if k != "A01"]
    client.post("/api/v1/rounds/BS-2010-01/results", json=rows, headers=quality)
    assert [
        r["lab_code"] for r in client.get("/api/v1/rounds/BS-2010-01", headers=manager).json["results"]
    ] == ["A01"]
    # A lab not invited sees nothing: 404, and the list is empty.
    assert client.get("/api/v1/rounds/BS-2010-01", headers=stranger).status_code == 404
    assert client.get("/api/v1/rounds", headers=stranger).json["meta"]["total"] == 0
    assert (
        client.post(
            "/api/v1/rounds/BS-2010-01/results", json=[{"lab_code": "OUT-9", "value": 1}], headers=stranger
        ).status_code
        == 404
    )
    # Managing endpoints are refused.
    assert (
        client.post(
            "/api/v1/rounds/BS-2010-01/transitions", json={"to": "closed"}, headers=manager
        ).status_code
        == 403
    )
    client.post("/api/v1/rounds/BS-2010-01/transitions", json={"to": "closed"}, headers=quality)
    client.post("/api/v1/rounds/BS-2010-01/evaluate", headers=quality)
    evaluated = client.get("/api/v1/rounds/BS-2010-01", headers=manager).json
    assert evaluated["x_pt"] is None and [r["lab_code"] for r in evaluated["results"]] == ["A01"]
    client.post("/api/v1/rounds/BS-2010-01/publish", headers=quality)
    published = client.get("/api/v1/rounds/BS-2010-01", headers=manager).json
    assert published["x_pt"] == 10.0 and len(published["results"]) == 5
    codes = [r["lab_code"] for r in published["results"]]
    assert codes.count(None) == 4 and "A01" in codes
    assert all(r["participant_code"] for r in published["results"])
    listed = client.get("/api/v1/rounds", headers=manager).json
    assert listed["meta"]["total"] == 1 and listed["items"][0]["participants"] == ["A01"]
