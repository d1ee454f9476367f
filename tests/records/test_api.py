"""The records API: lists in the envelope, 201 with Location, 422 naming the fields, 403 for what a
role may not do, 404 for what the caller may not see, and the bad input of the issue."""

import io

import pytest
from openpyxl import Workbook

from tests.factories import PASSWORD, FindingFactory, bearer
from tests.records.factories import PDF, ComplaintFactory, DocumentFactory, RevisionFactory, SurveyFactory

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def api(world, client):
    """Bearer headers of every user of the world, and the client."""
    headers = {
        name: bearer(getattr(world, name))[1]
        for name in ("admin", "quality", "inspector", "viewer", "manager", "manager2", "outsider")
    }

    class Api:
        def __getattr__(self, name):
            return headers[name]

    return Api()


def test_documents_list_and_create(world, client, api):
    response = client.post(
        "/api/v1/documents",
        json={"kind": "procedure", "code": "QP-01", "title": "文件控制程序"},
        headers=api.manager,
    )
    assert response.status_code == 201
    assert response.headers["Location"] == f"/api/v1/documents/{response.json['id']}"
    assert response.json["lab_code"] == "HOME" and response.json["revisions"] == []
    DocumentFactory(lab=world.other)
    listed = client.get("/api/v1/documents", headers=api.manager).json
    assert listed["meta"] == {"page": 1, "per_page": 25, "total": 1}
    assert [d["code"] for d in listed["items"]] == ["QP-01"]
    assert client.get("/api/v1/documents", headers=api.viewer).json["meta"]["total"] == 2


def test_document_creation_names_bad_fields(world, client, api):
    response = client.post("/api/v1/documents", json={"kind": "recipe", "title": ""}, headers=api.quality)
    assert response.status_code == 422
    assert {"kind", "code", "title"} <= set(response.json["errors"])
    response = client.post(
        "/api/v1/documents",
        json={"lab_code": "NOPE", "kind": "form", "code": "F1", "title": "表"},
        headers=api.quality,
    )
    assert response.status_code == 422 and response.json["errors"] == {
        "lab_code": ["No such laboratory: NOPE."]
    }
    assert (
        client.post(
            "/api/v1/documents", json={"kind": "form", "code": "F", "title": "x"}, headers=api.inspector
        ).status_code
        == 403
    )


def test_another_labs_document_is_not_found(world, client, api):
    theirs = RevisionFactory(document=DocumentFactory(lab=world.other))
    assert client.get(f"/api/v1/documents/{theirs.document_id}", headers=api.manager).status_code == 404
    assert client.get(f"/api/v1/revisions/{theirs.id}", headers=api.manager).status_code == 404
    assert client.get(f"/api/v1/revisions/{theirs.id}/file", headers=api.manager).status_code == 404
    assert client.get(f"/api/v1/revisions/{theirs.id}/file", headers=api.outsider).data == PDF


def test_a_revision_from_upload_to_approval(world, client, api):
    doc = DocumentFactory(lab=world.home)
    RevisionFactory(document=doc, label="A/0", effective=True)
    response = client.post(
        f"/api/v1/documents/{doc.id}/revisions",
        data={"label": "B/0", "change_note": "new limits", "file": (io.BytesIO(PDF), "QP-B0.pdf")},
        headers=api.manager,
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    revision = response.json
    assert response.headers["Location"] == f"/api/v1/revisions/{revision['id']}"
    assert (revision["status"], revision["filename"], revision["file_kind"]) == ("draft", "QP-B0.pdf", "pdf")
    url = f"/api/v1/revisions/{revision['id']}/transitions"
    assert client.post(url, json={"to": "in_review"}, headers=api.manager).json["status"] == "in_review"
    # Its author may not approve it.
    refused = client.post(url, json={"to": "effective", "password": PASSWORD}, headers=api.manager)
    assert refused.status_code == 403 and "author" in refused.json["message"]
    # An effective date before the approval.
    refused = client.post(
        url,
        json={"to": "effective", "password": PASSWORD, "effective_on": "2010-05-01"},
        headers=api.manager2,
    )
    assert refused.status_code == 422 and "effective_on" in refused.json["errors"]
    refused = client.post(url, json={"to": "effective", "password": "wrong"}, headers=api.manager2)
    assert refused.status_code == 422 and set(refused.json["errors"]) == {"password"}
    version = client.get(f"/api/v1/revisions/{revision['id']}", headers=api.manager2).json["version"]
    done = client.post(
        url, json={"to": "effective", "password": PASSWORD, "version": version}, headers=api.manager2
    )
    assert done.status_code == 200, done.json
    assert (done.json["status"], done.json["effective_on"], done.json["approved_by"]) == (
        "effective",
        "2010-06-01",
        "manager2-HOME",
    )
    document = client.get(f"/api/v1/documents/{doc.id}", headers=api.viewer).json
    assert document["effective_revision"]["label"] == "B/0"
    assert [(r["label"], r["status"]) for r in document["revisions"]] == [
        ("B/0", "effective"),
        ("A/0", "superseded"),
    ]
    # A second approval: the state no longer allows it.
    assert (
        client.post(url, json={"to": "effective", "password": PASSWORD}, headers=api.quality).status_code
        == 409
    )


def test_revision_steps_refuse_stale_versions_and_unknown_targets(world, client, api):
    revision = RevisionFactory(
        document=DocumentFactory(lab=world.home), status="in_review", author=world.manager
    )
    url = f"/api/v1/revisions/{revision.id}/transitions"
    assert client.post(url, json={"to": "superseded"}, headers=api.quality).status_code == 422
    stale = client.post(url, json={"to": "draft", "comment": "x", "version": 99}, headers=api.quality)
    assert stale.status_code == 409 and "version" in stale.json["errors"]
    assert client.post(url, json={"to": "draft", "comment": "x"}, headers=api.viewer).status_code == 403


def test_review_and_withdrawal(world, client, api):
    revision = RevisionFactory(document=DocumentFactory(lab=world.home), effective=True)
    url = f"/api/v1/documents/{revision.document_id}"
    reviewed = client.post(f"{url}/reviews", json={"reviewed_on": "2010-05-01"}, headers=api.manager)
    assert reviewed.status_code == 200 and reviewed.json["review_due_on"] == "2011-05-01"
    assert client.post(f"{url}/withdrawal", json={}, headers=api.quality).status_code == 422
    withdrawn = client.post(f"{url}/withdrawal", json={"reason": "replaced"}, headers=api.quality)
    assert withdrawn.json["status"] == "obsolete" and withdrawn.json["effective_revision"] is None
    assert client.post(f"{url}/withdrawal", json={"reason": "again"}, headers=api.quality).status_code == 409


def test_the_documents_of_a_finding(world, client, api):
    finding = FindingFactory(audit__lab=world.home)
    revision = RevisionFactory(document=DocumentFactory(lab=world.home, code="QP-07"))
    url = f"/api/v1/findings/{finding.id}/documents"
    saved = client.put(url, json={"revision_ids": [revision.id]}, headers=api.manager)
    assert saved.status_code == 200
    assert [(r["id"], r["document_code"]) for r in saved.json["revisions"]] == [(revision.id, "QP-07")]
    assert client.get(url, headers=api.viewer).json["revisions"][0]["id"] == revision.id
    assert client.get(url, headers=api.outsider).status_code == 404
    assert client.put(url, json={"revision_ids": "all"}, headers=api.manager).status_code == 422
    assert client.put(url, json={"revision_ids": []}, headers=api.viewer).status_code == 403


# --- surveys ---------------------------------------------------------------------------------


def test_a_survey_through_the_api(world, client, api):
    q = client.post(
        "/api/v1/questionnaires",
        json={"code": "SQ-9", "title": "问卷", "title_en": "Questionnaire"},
        headers=api.quality,
    )
    assert q.status_code == 201 and q.headers["Location"].endswith(f"/questionnaires/{q.json['id']}")
    url = f"/api/v1/questionnaires/{q.json['id']}/questions"
    question = {
        "key": "Q1",
        "kind": "scale",
        "text_zh": "满意度",
        "text_en": "Satisfaction",
        "scale_min": 1,
        "scale_max": 5,
    }
    assert client.post(url, json=question, headers=api.quality).status_code == 201
    assert (
        client.post(url, json={**question, "key": "Q2", "text_en": ""}, headers=api.quality).status_code
        == 422
    )
    assert client.post(url, json=question, headers=api.inspector).status_code == 403
    s = client.post(
        "/api/v1/surveys",
        json={
            "code": "SV-9",
            "title": "t",
            "questionnaire_code": "SQ-9",
            "audience": "outside",
            "issued_on": "2010-05-01",
            "copies_issued": 10,
        },
        headers=api.quality,
    )
    assert s.status_code == 201 and s.json["returned"] == 0
    answers = f"/api/v1/surveys/{s.json['id']}/responses"
    refused = client.post(answers, json={"answers": {"Q1": 9}}, headers=api.quality)
    assert refused.status_code == 422 and "outside the scale" in refused.json["errors"]["Q1"][0]
    made = client.post(answers, json={"sheet": "1", "answers": {"Q1": 4}}, headers=api.quality)
    assert made.status_code == 201 and made.json["returned"] == 1
    results = client.get(f"/api/v1/surveys/{s.json['id']}/results", headers=api.manager).json
    assert (results["returned"], results["response_rate"], results["questions"][0]["mean"]) == (1, 0.1, 4.0)
    listed = client.get("/api/v1/surveys", headers=api.viewer).json
    assert listed["items"][0]["returned"] == 1 and listed["meta"]["total"] == 1


def _xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def test_importing_answers_through_the_api(world, client, api):
    survey = SurveyFactory()
    url = f"/api/v1/surveys/{survey.id}/imports"
    refused = client.post(
        url,
        data={"file": (_xlsx([["sheet", "Q1", "Q8"], ["1", 3, 1]]), "a.xlsx")},
        headers=api.quality,
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert refused.json["errors"]["file"][0].startswith("Row 1, column Q8: No question Q8")
    dry = client.post(
        f"{url}?dry_run=1",
        data={"file": (_xlsx([["Q1"], [3], [4]]), "a.xlsx")},
        headers=api.quality,
        content_type="multipart/form-data",
    )
    assert dry.json == {"rows": 2, "created": 0, "returned": 0, "dry_run": True}
    done = client.post(
        url,
        data={"file": (_xlsx([["Q1"], [3], [4]]), "a.xlsx")},
        headers=api.quality,
        content_type="multipart/form-data",
    )
    assert done.json["created"] == 2
    assert (
        client.post(url, headers=api.quality, data={}, content_type="multipart/form-data").status_code == 422
    )
    export = client.get(f"/api/v1/surveys/{survey.id}/export?what=responses&format=csv", headers=api.viewer)
    assert export.status_code == 200 and "sheet,returned_on,Q1,Q2" in export.get_data(as_text=True)


# --- complaints ------------------------------------------------------------------------------

NEW = {
    "channel": "hotline",
    "lab_code": "HOME",
    "received_on": "2010-05-20",
    "complainant_name": "王先生",
    "subject": "Late report",
    "description": "Two weeks late.",
}


def test_a_complaint_about_an_unknown_lab_is_refused(world, client, api):
    response = client.post("/api/v1/complaints", json={**NEW, "lab_code": "NO-SUCH"}, headers=api.quality)
    assert response.status_code == 422 and set(response.json["errors"]) == {"lab_code"}
    assert client.get("/api/v1/complaints", headers=api.quality).json["meta"]["total"] == 0


def test_complaints_through_the_api(world, client, api):
    made = client.post("/api/v1/complaints", json=NEW, headers=api.inspector)
    assert made.status_code == 201 and made.headers["Location"] == f"/api/v1/complaints/{made.json['id']}"
    assert made.json["complainant_name"] == "王先生"
    url = f"/api/v1/complaints/{made.json['id']}"
    as_lab = client.get(url, headers=api.manager).json
    assert "complainant_name" not in as_lab and as_lab["subject"] == "Late report"
    assert client.get(url, headers=api.outsider).status_code == 404
    assert client.post("/api/v1/complaints", json=NEW, headers=api.manager).status_code == 403
    steps = f"{url}/transitions"
    assert (
        client.post(steps, json={"to": "answered", "feedback": "x"}, headers=api.quality).status_code == 409
    )
    assert client.post(steps, json={"to": "acknowledged"}, headers=api.quality).status_code == 200
    body = {"to": "investigated", "investigation": "Confirmed.", "outcome": "substantiated"}
    assert client.post(steps, json=body, headers=api.quality).json["status"] == "investigated"
    raised = client.post(
        f"{url}/finding",
        json={"severity": "minor", "area": "reports_certificates", "clause": "7.8.2", "description": "Late."},
        headers=api.inspector,
    )
    assert raised.status_code == 201 and raised.json["audit_reference"].startswith("FC-2010-")
    assert raised.headers["Location"] == f"/api/v1/findings/{raised.json['finding_id']}"
    answered = client.post(steps, json={"to": "answered", "feedback": "Told."}, headers=api.quality).json
    assert answered["days_to_feedback"] == 12 and answered["finding_id"] == raised.json["finding_id"]


def test_lists_narrow_and_figures_answer(world, client, api):
    ComplaintFactory(lab=world.home, answered=True)
    ComplaintFactory(lab=world.other)
    assert client.get("/api/v1/complaints", headers=api.manager).json["meta"]["total"] == 1
    assert (
        client.get("/api/v1/complaints?awaiting_feedback=1", headers=api.quality).json["meta"]["total"] == 1
    )
    figures = client.get("/api/v1/records/figures?from=2010-01-01&to=2010-12-31", headers=api.viewer).json
    assert figures["complaints"]["total"]["received"] == 2 and figures["from"] == "2010-01-01"
    own = client.get("/api/v1/records/figures?from=2010-01-01&to=2010-12-31", headers=api.manager).json
    assert own["complaints"]["total"]["received"] == 1
    bad = client.get(
        "/api/v1/records/figures?from=2010-12-01&to=2010-01-01&region=Atlantis", headers=api.viewer
    )
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"to", "region"}
    assert client.get("/api/v1/complaints").status_code == 401
