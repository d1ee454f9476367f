"""The records pages: what each reader sees and may do, forms refused with their messages beside
the fields (422, nothing written), both languages, and the partials other pages include."""

import io

import pytest
from flask import render_template_string
from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.records.models import Complaint, Document, DocumentRevision, SurveyResponse
from tests.factories import PASSWORD, FindingFactory
from tests.records.conftest import login
from tests.records.factories import PDF, ComplaintFactory, DocumentFactory, RevisionFactory, SurveyFactory

pytestmark = pytest.mark.usefixtures("frozen")


def html(response) -> str:
    return response.get_data(as_text=True)


def test_the_pages_open_for_every_reader(world, client):
    revision = RevisionFactory(document=DocumentFactory(lab=world.home), effective=True)
    survey = SurveyFactory()
    complaint = ComplaintFactory(lab=world.home)
    pages = [
        "/records/",
        "/records/documents",
        f"/records/documents/{revision.document_id}",
        f"/records/revisions/{revision.id}",
        "/records/surveys",
        f"/records/surveys/{survey.id}",
        f"/records/questionnaires/{survey.questionnaire_id}",
        "/records/complaints",
        f"/records/complaints/{complaint.id}",
        "/records/figures",
    ]
    for name in ("admin", "quality", "inspector", "viewer", "manager"):
        login(client, getattr(world, name))
        assert {p: client.get(p).status_code for p in pages} == {p: 200 for p in pages}, name


def test_register_a_document_then_its_first_revision(world, client):
    login(client, world.manager)
    response = client.post(
        "/records/documents/new",
        data={
            "kind": "procedure",
            "subject": "",
            "code": "QP-01",
            "title": "文件控制程序",
            "review_interval_months": "12",
        },
    )
    doc = db.session.scalar(select(Document))
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/records/documents/{doc.id}#new-revision"
    )
    response = client.post(
        f"/records/documents/{doc.id}/revisions",
        data={"revision-label": "A/0", "revision-file": (io.BytesIO(PDF), "QP-01.pdf")},
        content_type="multipart/form-data",
    )
    revision = db.session.scalar(select(DocumentRevision))
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/records/revisions/{revision.id}"
    )
    assert client.get(f"/records/revisions/{revision.id}/file").data == PDF


def test_a_refused_form_keeps_what_was_typed_and_writes_nothing(world, client):
    login(client, world.quality)
    response = client.post(
        "/records/documents/new",
        data={
            "lab_code": "NOPE",
            "kind": "procedure",
            "code": "QP 01",
            "title": "x",
            "review_interval_months": "0",
        },
    )
    page = html(response)
    assert response.status_code == 422
    assert "Use letters and digits" in page and 'value="QP 01"' in page
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    doc = DocumentFactory(lab=world.home)
    response = client.post(
        f"/records/documents/{doc.id}/revisions",
        data={"revision-label": "A/0", "revision-file": (io.BytesIO(b"MZ not a document"), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "is not a PDF" in html(response)


def test_the_author_is_told_someone_else_must_approve(world, client):
    revision = RevisionFactory(
        document=DocumentFactory(lab=world.home), status="in_review", author=world.manager
    )
    login(client, world.manager)
    page = html(client.get(f"/records/revisions/{revision.id}"))
    assert 'id="author-may-not-approve"' in page and 'id="step-approve"' not in page
    # Posting anyway is refused, and the revision stays in review.
    response = client.post(
        f"/records/revisions/{revision.id}/approve",
        data={"approve-password": PASSWORD, "approve-version": revision.version},
    )
    assert response.status_code == 403 and "cannot be approved by its author" in html(response)
    db.session.expire_all()
    assert db.session.get(DocumentRevision, revision.id).status == "in_review"


def test_approval_on_the_page(world, client):
    revision = RevisionFactory(
        document=DocumentFactory(lab=world.home), status="in_review", author=world.manager
    )
    login(client, world.manager2)
    url = f"/records/revisions/{revision.id}/approve"
    early = client.post(
        url, data={"approve-effective_on": "2010-05-01", "approve-password": PASSWORD, "approve-version": "1"}
    )
    assert early.status_code == 422 and "cannot be before the approval" in html(early)
    wrong = client.post(url, data={"approve-password": "nope", "approve-version": "1"})
    assert wrong.status_code == 422 and "password is not correct" in html(wrong)
    done = client.post(url, data={"approve-password": PASSWORD, "approve-version": "1"})
    assert done.status_code == 303
    page = html(client.get(f"/records/documents/{revision.document_id}"))
    assert 'id="effective-revision"' in page and "Effective from 2010-06-01" in page


def test_a_complaint_about_an_unknown_lab_on_the_page(world, client):
    login(client, world.quality)
    data = {
        "lab_code": "NO-SUCH",
        "channel": "hotline",
        "received_on": "2010-05-20",
        "subject": "Late",
        "description": "Late.",
    }
    response = client.post("/records/complaints/new", data=data)
    assert response.status_code == 422 and "No such laboratory: NO-SUCH." in html(response)
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0
    response = client.post("/records/complaints/new", data={**data, "lab_code": "HOME"})
    assert response.status_code == 303


def test_a_lab_manager_sees_no_complainant_and_no_other_labs_complaint(world, client):
    own = ComplaintFactory(lab=world.home, complainant_name="王先生")
    theirs = ComplaintFactory(lab=world.other)
    login(client, world.manager)
    page = html(client.get(f"/records/complaints/{own.id}"))
    assert "王先生" not in page and 'id="complainant"' not in page and 'id="step-acknowledge"' not in page
    assert client.get(f"/records/complaints/{theirs.id}").status_code == 404
    export = html(client.get("/records/complaints/export?format=csv"))
    assert "complainant" not in export and own.reference in export and theirs.reference not in export
    login(client, world.quality)
    assert "王先生" in html(client.get(f"/records/complaints/{own.id}"))
    assert "complainant_name" in html(client.get("/records/complaints/export?format=csv"))


def test_complaint_steps_and_a_finding_on_the_page(world, client):
    complaint = ComplaintFactory(lab=world.home, investigated=True)
    login(client, world.inspector)
    page = html(client.get(f"/records/complaints/{complaint.id}"))
    assert 'id="raise-finding"' in page and 'id="step-answer"' in page
    response = client.post(
        f"/records/complaints/{complaint.id}/finding",
        data={
            "finding-severity": "minor",
            "finding-area": "records",
            "finding-clause": "7.5",
            "finding-description": "x",
        },
    )
    assert response.status_code == 303
    assert 'id="finding-raised"' in html(client.get(f"/records/complaints/{complaint.id}"))
    refused = client.post(f"/records/complaints/{complaint.id}/answered", data={"answered-feedback": ""})
    assert refused.status_code == 422


def test_entering_and_importing_answers_on_the_page(world, client):
    survey = SurveyFactory()
    login(client, world.quality)
    q1, q2 = survey.questionnaire.questions
    refused = client.post(
        f"/records/surveys/{survey.id}/responses/new", data={"sheet": "1", f"q_{q1.id}": "9"}
    )
    assert refused.status_code == 422 and "outside the scale of Q1" in html(refused)
    done = client.post(
        f"/records/surveys/{survey.id}/responses/new",
        data={"sheet": "1", f"q_{q1.id}": "4", f"q_{q2.id}": "y"},
    )
    assert done.status_code == 303
    bad = client.post(
        f"/records/surveys/{survey.id}/import",
        data={"import-file": (io.BytesIO(b"sheet,Q5\n2,1\n"), "a.csv")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "Row 1, column Q5" in html(bad)
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    page = html(client.get(f"/records/surveys/{survey.id}"))
    assert 'id="returned">1<' in page and "<svg" in page and "mean 4.00" in page


def test_chinese_pages(world, client):
    RevisionFactory(document=DocumentFactory(lab=world.home, title="质量手册"), effective=True)
    login(client, world.quality)
    client.post("/language/zh_Hans_CN")
    page = html(client.get("/records/documents"))
    assert "受控文件" in page and "现行版本" in page
    assert "投诉" in html(client.get("/records/complaints"))


def test_the_lab_panel_and_the_dashboard_card(world, client):
    RevisionFactory(document=DocumentFactory(lab=world.home, code="WI-9"), effective=True)
    overdue = RevisionFactory(document=DocumentFactory(lab=world.home, code="WI-10"), effective=True)
    overdue.document.review_due_on = overdue.document.review_due_on.replace(year=2010, month=5)
    db.session.commit()
    ComplaintFactory(lab=world.home)
    login(client, world.manager)
    lab_page = html(client.get("/labs/HOME"))
    assert "Documents in force: 2; not yet issued: 0; withdrawn: 0." in lab_page
    assert "WI-10" in lab_page and "WI-9" not in lab_page  # only those due for review are listed
    home = html(client.get("/"))
    assert 'id="dash-records-overdue">1<' in home and 'id="dash-records-complaints">1<' in home


def test_the_finding_partial(world, client, app):
    finding = FindingFactory(audit__lab=world.home, plan_accepted=True)
    revision = RevisionFactory(document=DocumentFactory(lab=world.home, code="QP-04"), label="B/0")
    login(client, world.manager)
    response = client.post(
        f"/records/findings/{finding.id}/documents", data={"revision_ids": [str(revision.id)]}
    )
    assert response.status_code == 303
    with app.test_request_context():
        from flask_login import login_user

        login_user(world.viewer)
        rendered = render_template_string('{% include "records/_finding_documents.html" %}', finding=finding)
    assert 'id="finding-documents"' in rendered and "QP-04 B/0" in rendered
    assert (
        client.get(f"/records/findings/{FindingFactory(audit__lab=world.other).id}/documents").status_code
        == 404
    )


def test_figures_page_and_its_export(world, client):
    ComplaintFactory(lab=world.home, answered=True)
    login(client, world.viewer)
    page = client.get("/records/figures?from=2010-01-01&to=2010-12-31")
    assert page.status_code == 200 and 'id="complaints-total"' in html(page)
    csv = html(client.get("/records/figures?from=2010-01-01&to=2010-12-31&format=csv"))
    assert "complaints,total,received,1" in csv and "complaints,total,feedback_rate,1.0" in csv
    bad = client.get("/records/figures?from=2010-13-01&to=2010-01-01")
    assert bad.status_code == 422 and "Not a date" in html(bad)
