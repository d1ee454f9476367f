"""The findings and audits API: list filters, detail, transitions with every status code, uploads."""

import io
from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from labtrack.audits.models import EvidenceFile, Finding
from labtrack.audits.workflow import State
from labtrack.extensions import db
from tests.audits.conftest import PDF, PLAN, PNG, docx_bytes
from tests.conftest import PASSWORD


def _status(finding_id):
    db.session.expire_all()
    return db.session.get(Finding, finding_id).status


@freeze_time("2010-07-01")
def test_list_filters_and_envelope(app, client, api_token, make_finding, make_lab, make_audit):
    lab_a, lab_b = make_lab("LAB-A"), make_lab("LAB-B", region="Mianyang")
    overdue = make_finding(lab=lab_a, due_on=date(2010, 6, 9), severity="major", area="records")
    make_finding(lab=lab_a, due_on=date(2010, 8, 9), severity="minor")
    make_finding(lab=lab_b, status=State.CLOSED, closed_on=date(2010, 6, 1))
    make_finding(
        audit=make_audit(lab=lab_b, kind="undercover_visit", reference="UV-2010-001"), due_on=date(2010, 8, 9)
    )
    _user, headers = api_token("viewer")
    body = client.get("/api/v1/findings", headers=headers).json
    assert "meta" in body, body
    assert body["meta"] == {"page": 1, "per_page": 25, "total": 4}
    assert {i["id"] for i in client.get("/api/v1/findings?overdue=true", headers=headers).json["items"]} == {
        overdue.id
    }
    assert client.get("/api/v1/findings?lab=LAB-B&status=closed", headers=headers).json["meta"]["total"] == 1
    assert (
        client.get("/api/v1/findings?severity=major&area=records", headers=headers).json["meta"]["total"] == 1
    )
    assert (
        client.get("/api/v1/findings?audit_kind=undercover_visit", headers=headers).json["meta"]["total"] == 1
    )
    assert client.get("/api/v1/findings?overdue=false", headers=headers).json["meta"]["total"] == 3
    bad = client.get("/api/v1/findings?status=nonsense&overdue=maybe", headers=headers)
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"status", "overdue"}
    audits = client.get("/api/v1/audits?kind=undercover_visit", headers=headers).json
    assert audits["meta"]["total"] == 1 and audits["items"][0]["reference"] == "UV-2010-001"


def test_detail_has_version_rectification_fields_and_history(app, client, api_token, make_finding):
    finding = make_finding()
    _user, headers = api_token("inspector")
    body = client.get(f"/api/v1/findings/{finding.id}", headers=headers).json
    assert body["version"] == 1 and body["status"] == "open" and body["root_cause"] is None
    assert body["clause"] == "7.7.1" and body["history"][0]["action"] == "insert"
    assert client.get("/api/v1/findings/9999", headers=headers).status_code == 404


def test_lab_manager_sees_only_their_lab(app, client, api_token, make_finding, make_lab, make_user):
    mine, theirs = make_finding(), make_finding()
    user = make_user("lab_manager", lab=mine.lab)
    _u, headers = api_token(user=user)
    assert [i["id"] for i in client.get("/api/v1/findings", headers=headers).json["items"]] == [mine.id]
    assert client.get(f"/api/v1/findings/{theirs.id}", headers=headers).status_code == 404
    response = client.post(
        f"/api/v1/findings/{theirs.id}/transitions",
        headers=headers,
        json={"to": "plan_submitted", "version": 1, **PLAN},
    )
    assert response.status_code == 404 and response.json["code"] == 404
    assert client.get(f"/api/v1/audits/{theirs.audit_id}", headers=headers).status_code == 404
    assert client.get("/api/v1/audits", headers=headers).json["meta"]["total"] == 1


@freeze_time("2010-06-01")
def test_whole_workflow_over_the_api(app, client, api_token, make_finding, make_user):
    finding = make_finding()
    _m, manager = api_token(user=make_user("lab_manager", lab=finding.lab))
    inspector_user, inspector = api_token("inspector")
    url = f"/api/v1/findings/{finding.id}/transitions"
    r = client.post(url, headers=manager, json={"to": "plan_submitted", "version": 1, **PLAN})
    assert r.status_code == 200 and r.json["status"] == "plan_submitted" and r.json["version"] == 2
    r = client.post(url, headers=inspector, json={"to": "plan_accepted", "version": 2, "comment": "OK"})
    assert r.status_code == 200
    r = client.post(
        url,
        headers=manager,
        data={
            "to": "evidence_submitted",
            "version": "3",
            "evidence_text": "Signed training records.",
            "files": (io.BytesIO(PDF), "records.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 200, r.json
    assert r.json["files"][0]["filename"] == "records.pdf" and r.json["files"][0]["stage"] == "evidence"
    r = client.post(
        url,
        headers=inspector,
        json={"to": "closed", "version": 4, "effectiveness_review": "OK", "password": "wrong"},
    )
    assert r.status_code == 422 and set(r.json["errors"]) == {"password"}
    r = client.post(
        url,
        headers=inspector,
        json={"to": "closed", "version": 4, "effectiveness_review": "OK", "password": PASSWORD},
    )
    assert (
        r.status_code == 200
        and r.json["status"] == "closed"
        and r.json["closed_by"] == inspector_user.username
    )
    assert [h["changes"]["status"][1] for h in r.json["history"] if "status" in h["changes"]][:4] == [
        "closed",
        "evidence_submitted",
        "plan_accepted",
        "plan_submitted",
    ]
    download = client.get(r.json["files"][0]["url"], headers=manager)
    assert download.status_code == 200 and download.data == PDF
    download.close()


@pytest.mark.parametrize(
    ("role", "state", "body", "code"),
    [
        ("viewer", State.OPEN, {"to": "plan_submitted", "version": 1}, 403),
        ("inspector", State.OPEN, {"to": "plan_submitted", "version": 1}, 403),  # step exists, not theirs
        ("lab_manager", State.CLOSED, {"to": "open", "version": 1}, 403),  # only quality reopens
        ("lab_manager", State.CLOSED, {"to": "plan_submitted", "version": 1}, 409),  # theirs, wrong state
        ("inspector", State.CANCELLED, {"to": "closed", "version": 1}, 409),
        ("inspector", State.PLAN_SUBMITTED, {"to": "plan_accepted", "version": 7}, 409),  # stale
        ("lab_manager", State.OPEN, {"to": "plan_submitted", "version": 7}, 409),  # stale before fields
        ("lab_manager", State.OPEN, {"to": "plan_submitted", "version": 1}, 422),  # fields missing
        ("lab_manager", State.OPEN, {"to": "plan_submitted"}, 422),  # version missing
        ("lab_manager", State.OPEN, {"to": "plan_submitted", "version": "x"}, 422),
        ("quality", State.OPEN, {"to": "somewhere", "version": 1}, 422),
        ("quality", State.OPEN, {"version": 1}, 422),
        ("quality", State.OPEN, {"to": "cancelled", "version": 1}, 422),  # reason missing
        ("quality", State.OPEN, {"to": "cancelled", "version": 1, "comment": "Duplicate of #2."}, 200),
        (
            "quality",
            State.EVIDENCE_SUBMITTED,
            {"to": "closed", "version": 1, "effectiveness_review": "ok"},
            422,
        ),
    ],
)
def test_transition_status_codes(app, client, api_token, make_finding, make_user, role, state, body, code):
    finding = make_finding(status=state)
    user = make_user(role, lab=finding.lab) if role == "lab_manager" else make_user(role)
    _u, headers = api_token(user=user)
    response = client.post(f"/api/v1/findings/{finding.id}/transitions", headers=headers, json=body)
    assert response.status_code == code, response.json
    assert set(response.json) >= (
        {"id", "version"} if code == 200 else {"code", "status", "message", "errors"}
    )
    if code != 200:
        assert _status(finding.id) == state


def test_transition_with_a_non_object_body_is_422(app, client, api_token, make_finding):
    finding = make_finding()
    _u, headers = api_token("quality")
    for payload in ("[1, 2]", "not json", "null"):
        response = client.post(
            f"/api/v1/findings/{finding.id}/transitions",
            headers=headers,
            data=payload,
            content_type="application/json",
        )
        assert response.status_code == 422, payload


def test_two_clients_with_the_same_version_the_second_gets_409(app, client, api_token, make_finding):
    finding = make_finding(status=State.PLAN_SUBMITTED)
    _a, inspector = api_token("inspector")
    _b, quality = api_token("quality")
    url = f"/api/v1/findings/{finding.id}/transitions"
    assert client.post(url, headers=inspector, json={"to": "plan_accepted", "version": 1}).status_code == 200
    second = client.post(
        url, headers=quality, json={"to": "open", "version": 1, "comment": "Needs a root cause."}
    )
    assert (
        second.status_code == 409
        and "version" in second.json["errors"]
        or "cannot move" in second.json["message"]
    )


def test_evidence_upload_over_the_api(app, client, api_token, make_finding, make_user):
    finding = make_finding(status=State.PLAN_ACCEPTED)
    _u, headers = api_token(user=make_user("lab_manager", lab=finding.lab))
    url = f"/api/v1/findings/{finding.id}/evidence"
    ok = client.post(
        url,
        headers=headers,
        content_type="multipart/form-data",
        data={"files": [(io.BytesIO(PNG), "photo.png"), (io.BytesIO(docx_bytes()), "sop.docx")]},
    )
    assert ok.status_code == 201 and [f["kind"] for f in ok.json] == ["png", "docx"]
    bad = client.post(
        url,
        headers=headers,
        content_type="multipart/form-data",
        data={"files": [(io.BytesIO(b"MZ\x90\x00\x03"), "invoice.pdf")]},
    )
    assert bad.status_code == 422 and "invoice.pdf" in bad.json["errors"]["files"][0]
    assert client.post(url, headers=headers, data={}).status_code == 422
    _v, viewer = api_token("viewer")
    assert (
        client.post(
            url,
            headers=viewer,
            content_type="multipart/form-data",
            data={"files": [(io.BytesIO(PNG), "p.png")]},
        ).status_code
        == 403
    )
    app.config["MAX_CONTENT_LENGTH"] = 500
    big = client.post(
        url,
        headers=headers,
        content_type="multipart/form-data",
        data={"files": [(io.BytesIO(PNG + b"\0" * 2000), "big.png")]},
    )
    assert big.status_code == 413 and big.json["code"] == 413
    assert db.session.scalar(select(func.count()).select_from(EvidenceFile)) == 2


def test_create_audit_and_finding_and_extend(app, client, api_token, make_lab):
    make_lab("SC-TC")
    _i, inspector = api_token("inspector")
    r = client.post(
        "/api/v1/audits",
        headers=inspector,
        json={
            "lab_code": "SC-TC",
            "kind": "supervision_visit",
            "title": "Bureau leaders' visit",
            "started_on": "2010-09-14",
            "instruments_checked": 12,
        },
    )
    assert r.status_code == 201 and r.headers["Location"].endswith(f"/api/v1/audits/{r.json['id']}")
    assert r.json["reference"] == "SV-2010-001"
    bad = client.post("/api/v1/audits", headers=inspector, json={"lab_code": "NOPE", "kind": "party"})
    assert bad.status_code == 422 and {"kind", "title", "started_on"} <= set(bad.json["errors"])
    bad_lab = client.post(
        "/api/v1/audits",
        headers=inspector,
        json={"lab_code": "NOPE", "kind": "flight_check", "title": "x", "started_on": "2010-01-01"},
    )
    assert bad_lab.status_code == 422 and "lab_code" in bad_lab.json["errors"]
    f = client.post(
        f"/api/v1/audits/{r.json['id']}/findings",
        headers=inspector,
        json={
            "severity": "minor",
            "area": "impartiality_conduct",
            "clause": "4.1",
            "description": "Gifts accepted.",
            "raised_on": "2010-09-14",
        },
    )
    assert f.status_code == 201 and f.json["due_on"] == "2010-11-13" and f.json["number"] == 1
    _q, quality = api_token("quality")
    ext = client.post(
        f"/api/v1/findings/{f.json['id']}/deadline",
        headers=quality,
        json={"due_on": "2010-12-13", "comment": "Staff change.", "version": 1},
    )
    assert ext.status_code == 200 and ext.json["due_on"] == "2010-12-13"
    assert ext.json["history"][0]["changes"]["due_on"] == ["2010-11-13", "2010-12-13"]
    assert (
        client.post(
            f"/api/v1/findings/{f.json['id']}/deadline",
            headers=inspector,
            json={"due_on": "2011-01-01", "comment": "x", "version": 2},
        ).status_code
        == 403
    )
    stale = client.post(
        f"/api/v1/findings/{f.json['id']}/deadline",
        headers=quality,
        json={"due_on": "2011-01-01", "comment": "x", "version": 1},
    )
    assert stale.status_code == 409


def test_openapi_lists_the_findings_endpoints(app, client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {
        "/api/v1/findings",
        "/api/v1/findings/{finding_id}",
        "/api/v1/findings/{finding_id}/transitions",
        "/api/v1/audits",
    } <= set(paths)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/audits",
        "/api/v1/audits/1",
        "/api/v1/audits/1/findings",
        "/api/v1/findings/1/transitions",
        "/api/v1/findings/1/deadline",
        "/api/v1/findings/1/evidence",
    ],
)
def test_malformed_api_posts_are_4xx_json(app, client, api_token, make_finding, path):
    make_finding()
    _u, headers = api_token("admin")
    method = client.patch if path == "/api/v1/audits/1" else client.post
    bodies = [
        None,
        "[]",
        "{",
        '{"to": 5, "version": {"a": 1}, "comment": ["x"]}',
        '{"to": "closed", "version": 1, "password": 123, "effectiveness_review": 7}',
        '{"due_on": "2010-02-30", "comment": null, "version": "x", "kind": 3, "started_on": "yesterday"}',
        '{"to": "plan_submitted", "version": 1, "action_target_on": "31/07/2010", "root_cause": "'
        + "x" * 20000
        + '"}',
    ]
    for body in bodies:
        response = method(path, headers=headers, data=body, content_type="application/json")
        if method == client.patch and response.status_code == 200:
            continue  # a PATCH ignores fields it does not know: nothing to change is not an error
        assert 400 <= response.status_code < 500, (path, body[:60] if body else body, response.status_code)
        assert response.is_json and {"code", "message", "errors"} <= set(response.json)


def test_patch_changes_only_the_given_fields(app, client, api_token, make_audit):
    audit = make_audit(status="in_progress", documents_reviewed=40)
    _u, headers = api_token("inspector")
    r = client.patch(f"/api/v1/audits/{audit.id}", headers=headers, json={"instruments_checked": 12})
    assert r.status_code == 200, r.json
    assert (r.json["instruments_checked"], r.json["documents_reviewed"], r.json["status"]) == (
        12,
        40,
        "in_progress",
    )
    bad = client.patch(f"/api/v1/audits/{audit.id}", headers=headers, json={"ended_on": "2009-01-01"})
    assert bad.status_code == 422 and "ended_on" in bad.json["errors"]
