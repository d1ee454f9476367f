"""The personnel API: DESIGN's /labs/<code>/staff and /reports/training, people, sessions, exams,
authorisations and links; list envelopes, 201 with Location, 404 / 403 / 409 / 422 in the one
error shape."""

from datetime import date

import pytest
from freezegun import freeze_time

from labtrack.extensions import db
from labtrack.personnel.models import Person
from tests import factories as f
from tests.personnel import factories as pf


def headers(user) -> dict:
    return f.bearer(user)[1]


def test_the_staff_of_a_lab(world, client):
    world.head.employed_to = date(2010, 1, 31)
    db.session.commit()
    body = client.get("/api/v1/labs/LAB-A/staff", headers=headers(world.inspector)).get_json()
    assert body["meta"]["total"] == 2
    assert [(p["staff_no"], p["posts"]) for p in body["items"]] == [
        ("A002", ["authorised_signatory", "analyst"]),
        ("A001", ["analyst"]),
    ]
    everyone = client.get("/api/v1/labs/LAB-A/staff?status=all", headers=headers(world.inspector)).get_json()
    assert everyone["meta"]["total"] == 3
    assert client.get("/api/v1/labs/LAB-A/staff", headers=headers(world.manager_b)).status_code == 404
    error = client.get("/api/v1/labs/NOPE/staff", headers=headers(world.admin)).get_json()
    assert error["status"] == "Not Found" and error["code"] == 404
    assert (
        client.get("/api/v1/labs/LAB-A/staff?status=maybe", headers=headers(world.admin)).status_code == 422
    )


def test_creating_and_changing_a_person(world, client):
    h = headers(world.manager_a)
    new = {
        "lab_code": "LAB-A",
        "staff_no": "A300",
        "name": "钱七",
        "posts": ["analyst"],
        "employed_from": "2010-02-01",
    }
    response = client.post("/api/v1/people", json=new, headers=h)
    assert response.status_code == 201
    person_id = response.get_json()["id"]
    assert response.headers["Location"].endswith(f"/api/v1/people/{person_id}")
    bad = client.post(
        "/api/v1/people", json={**new, "staff_no": "A301", "employed_to": "2009-01-01"}, headers=h
    )
    assert bad.status_code == 422 and "employed_to" in bad.get_json()["errors"]
    other = client.post("/api/v1/people", json={**new, "lab_code": "LAB-B"}, headers=h)
    assert other.status_code == 404
    viewer = client.post("/api/v1/people", json=new, headers=headers(world.viewer))
    assert viewer.status_code == 403 and viewer.get_json()["status"] == "Forbidden"
    patched = client.patch(f"/api/v1/people/{person_id}", json={"posts": ["sampler"]}, headers=h).get_json()
    assert patched["posts"] == ["sampler"] and patched["name"] == "钱七"
    left = client.post(
        f"/api/v1/people/{person_id}/leave", json={"left_on": "2011-01-31"}, headers=h
    ).get_json()
    assert left["employed_to"] == "2011-01-31" and left["current"] is False


def test_a_persons_training_record(world, client):
    pf.AttendanceFactory(person=world.ana, session=pf.TrainingSessionFactory(hours=3))
    body = client.get(f"/api/v1/people/{world.ana.id}/training", headers=headers(world.viewer)).get_json()
    assert body["by_year"] == [{"year": 2010, "sessions": 1, "hours": 3.0}] and len(body["sessions"]) == 1


def test_sessions_and_attendance(world, client):
    h = headers(world.quality)
    created = client.post(
        "/api/v1/training-sessions",
        json={
            "title": "CNAS 培训",
            "organiser": "cnas",
            "starts_on": "2010-04-01",
            "hours": 16,
            "external_attendees": 5,
        },
        headers=h,
    )
    assert created.status_code == 201
    sid = created.get_json()["id"]
    added = client.post(
        f"/api/v1/training-sessions/{sid}/attendances",
        json={"lab_code": "LAB-A", "staff_numbers": ["A001", "A002"]},
        headers=h,
    )
    assert added.status_code == 200 and added.get_json()["attendances"] == 7
    again = client.post(
        f"/api/v1/training-sessions/{sid}/attendances",
        json={"lab_code": "LAB-A", "staff_numbers": ["A001"]},
        headers=h,
    )
    assert again.status_code == 422 and again.get_json()["errors"]["staff_numbers"]
    listing = client.get("/api/v1/training-sessions?year=2010", headers=headers(world.viewer)).get_json()
    assert listing["meta"]["total"] == 1 and listing["items"][0]["named_attendees"] == 2
    attendees = client.get(
        f"/api/v1/training-sessions/{sid}/attendees", headers=headers(world.manager_b)
    ).get_json()
    assert attendees["items"] == []  # lab B's manager sees none of lab A's people
    attendees = client.get(f"/api/v1/training-sessions/{sid}/attendees", headers=h).get_json()
    assert sorted((a["lab_code"], a["staff_no"]) for a in attendees["items"]) == [
        ("LAB-A", "A001"),
        ("LAB-A", "A002"),
    ]


@freeze_time("2010-06-01")
def test_exams_and_results(world, client):
    h = headers(world.quality)
    exam = client.post(
        "/api/v1/exams",
        json={"title": "理论考核", "kind": "theory", "held_on": "2010-05-22", "posts": ["analyst"]},
        headers=h,
    )
    assert exam.status_code == 201
    exam_id = exam.get_json()["id"]
    refused = client.post(
        f"/api/v1/exams/{exam_id}/results",
        json={"results": [{"lab_code": "LAB-A", "staff_no": "A001", "status": "sat", "score": 101},
                          {"lab_code": "LAB-A", "staff_no": "A003", "status": "sat", "score": 90}]},
        headers=h,
    )  # fmt: skip
    assert refused.status_code == 422
    problems = {(e["index"], e["field"]) for e in refused.get_json()["errors"]["results"]}
    assert problems == {(0, "score"), (1, "staff_no")}
    recorded = client.post(
        f"/api/v1/exams/{exam_id}/results",
        json={
            "results": [
                {"person_id": world.ana.id, "status": "sat", "score": 75},
                {"person_id": world.bob.id, "status": "absent"},
            ]
        },
        headers=h,
    )
    assert recorded.get_json() == {"recorded": 2}
    body = client.get(f"/api/v1/exams/{exam_id}", headers=headers(world.viewer)).get_json()
    assert body["figures"]["required"] == 3 and body["figures"]["participation"] == pytest.approx(1 / 3)
    mine = client.get(f"/api/v1/exams/{exam_id}/candidates", headers=headers(world.manager_b)).get_json()
    assert [c["staff_no"] for c in mine["items"]] == ["B001"] and mine["items"][0]["status"] == "absent"
    assert (
        client.post(
            f"/api/v1/exams/{exam_id}/results", json={"results": []}, headers=headers(world.manager_a)
        ).status_code
        == 403
    )


def test_authorisations_and_coverage(world, client):
    h = headers(world.manager_a)
    grant = {"item_code": "PB-CER", "activity": "perform", "valid_from": "2010-01-01", "basis": "exam"}
    created = client.post(f"/api/v1/people/{world.ana.id}/authorisations", json=grant, headers=h)
    assert created.status_code == 201 and created.get_json()["in_force"] is True
    overlap = client.post(f"/api/v1/people/{world.ana.id}/authorisations", json=grant, headers=h)
    assert overlap.status_code == 422 and "valid_from" in overlap.get_json()["errors"]
    outside = client.post(
        f"/api/v1/people/{world.ana.id}/authorisations", json={**grant, "item_code": "TOY-01"}, headers=h
    )
    assert outside.status_code == 422 and "confirm_outside_scope" in outside.get_json()["errors"]
    a_id = created.get_json()["id"]
    suspended = client.post(
        f"/api/v1/authorisations/{a_id}/status", json={"to": "suspended", "reason": "x"}, headers=h
    )
    assert suspended.get_json()["status"] == "suspended"
    coverage = client.get(
        "/api/v1/labs/LAB-A/authorisation-coverage", headers=headers(world.viewer)
    ).get_json()
    assert (coverage["items"], coverage["covered"]) == (2, 0)
    assert client.get("/api/v1/labs/LAB-B/authorisation-coverage", headers=h).status_code == 404


def test_the_links(world, client):
    finding = f.FindingFactory(audit__lab=world.lab_a, area="personnel_training")
    other_area = f.FindingFactory(audit__lab=world.lab_a, area="records")
    h = headers(world.inspector)
    put = client.put(f"/api/v1/findings/{finding.id}/persons", json={"person_ids": [world.ana.id]}, headers=h)
    assert [p["name"] for p in put.get_json()["persons"]] == ["王芳"]
    stranger = client.put(
        f"/api/v1/findings/{finding.id}/persons", json={"person_ids": [world.bob.id]}, headers=h
    )
    assert stranger.status_code == 422
    wrong_area = client.put(
        f"/api/v1/findings/{other_area.id}/persons", json={"person_ids": [world.ana.id]}, headers=h
    )
    assert wrong_area.status_code == 422
    result = f.ResultFactory(participant__lab=world.lab_a)
    set_ = client.put(f"/api/v1/results/{result.id}/analyst", json={"person_id": world.sig.id}, headers=h)
    assert set_.get_json()["analyst"]["name"] == "李强"
    assert (
        client.get(f"/api/v1/results/{result.id}/analyst", headers=headers(world.manager_b)).status_code
        == 404
    )


@freeze_time("2011-01-01")
def test_the_training_report(world, client):
    session = pf.TrainingSessionFactory(external_attendees=4, hours=2)
    pf.AttendanceFactory(session=session, person=world.ana)
    body = client.get(
        "/api/v1/reports/training?from=2010-01-01&to=2010-12-31", headers=headers(world.viewer)
    ).get_json()
    assert {k: body[k] for k in ("sessions", "attendances", "hours", "exams")} == {
        "sessions": 1, "attendances": 5, "hours": 10.0, "exams": 0}  # fmt: skip
    assert body["exam_participation"] is None and body["from"] == "2010-01-01"
    region = client.get(
        "/api/v1/reports/training?from=2010-01-01&to=2010-12-31&region=Mianyang",
        headers=headers(world.viewer),
    )
    assert region.get_json()["attendances"] == 0
    bad = client.get("/api/v1/reports/training?from=2010-12-31&to=2010-01-01", headers=headers(world.viewer))
    assert bad.status_code == 422 and "to" in bad.get_json()["errors"]
    assert (
        client.get("/api/v1/reports/training?from=yesterday", headers=headers(world.viewer)).status_code
        == 422
    )
    assert client.get("/api/v1/reports/training").status_code == 401


def test_the_openapi_document_names_the_design_paths(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/labs/{code}/staff" in paths and "/api/v1/reports/training" in paths


def test_a_person_of_another_lab_is_not_found_nor_changed(world, client):
    h = headers(world.manager_a)
    assert client.patch(f"/api/v1/people/{world.bob.id}", json={"name": "x"}, headers=h).status_code == 404
    db.session.expire_all()
    assert db.session.get(Person, world.bob.id).name == "陈刚"
