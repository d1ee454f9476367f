"""Approving a revision on its page is a signature: the approver's own password, never the
author's approval; a wrong password or an effective date before today is shown beside its field
and changes nothing; a form read before someone else's step is refused; the step's message and the
revision's history say who signed, in both languages; another lab's revision is not found."""

import io
from datetime import date

import pytest
from sqlalchemy import select

from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.records.models import Document, DocumentRevision
from tests.factories import PASSWORD
from tests.records.conftest import PDF, login
from tests.records.factories import DocumentFactory, RevisionFactory

pytestmark = pytest.mark.usefixtures("frozen")


def reload(ident: int) -> DocumentRevision:
    db.session.expire_all()
    return db.session.get(DocumentRevision, ident)


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def in_review(world):
    """B/0 of the home lab's QP-01, written by the lab's manager, in review; A/0 in force."""
    document = DocumentFactory(lab=world.home, code="QP-01")
    RevisionFactory(document=document, label="A/0", effective=True)
    return RevisionFactory(document=document, label="B/0", status="in_review", author=world.manager)


def approve(client, revision, **fields):
    data = {"approve-password": PASSWORD, "approve-version": str(revision.version), **fields}
    return client.post(f"/records/revisions/{revision.id}/approve", data=data)


def test_the_second_manager_signs_with_their_password(world, client, in_review):
    login(client, world.manager2)
    response = approve(client, in_review)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/records/revisions/{in_review.id}")
    signed = reload(in_review.id)
    assert (signed.status, signed.approved_by_id, signed.effective_on) == (
        "effective",
        world.manager2.id,
        date(2010, 6, 1),
    )
    assert db.session.get(Document, signed.document_id).effective_revision.label == "B/0"
    entry = db.session.scalars(
        select(HistoryEntry)
        .where(HistoryEntry.table_name == "document_revisions", HistoryEntry.record_id == in_review.id)
        .order_by(HistoryEntry.id.desc())
    ).first()
    assert entry.username == "manager2-HOME" and entry.comment == "approved and signed"


def test_a_wrong_password_is_shown_beside_it_and_signs_nothing(world, client, in_review):
    login(client, world.quality)
    response = approve(client, in_review, **{"approve-password": "not-my-password"})
    assert response.status_code == 422
    assert "The password is not correct; the revision was not approved." in html(response)
    assert reload(in_review.id).status == "in_review"


def test_the_author_is_told_another_person_must_sign(world, client, in_review):
    login(client, world.manager)
    response = approve(client, in_review)
    assert response.status_code in (303, 403)
    assert reload(in_review.id).status == "in_review"
    page = html(client.get(f"/records/revisions/{in_review.id}", headers={"Accept": "text/html"}))
    assert (
        "another person who approves documents must sign it" in page or 'name="approve-password"' not in page
    )


def test_an_effective_date_before_today_is_refused(world, client, in_review):
    login(client, world.quality)
    response = approve(client, in_review, **{"approve-effective_on": "2010-05-31"})
    assert response.status_code == 422 and "cannot be before the approval (today, 2010-06-01)" in html(
        response
    )
    assert reload(in_review.id).status == "in_review"


def test_a_form_read_before_someone_elses_step_is_refused(world, client, in_review):
    """The approver opened the page; meanwhile the revision was returned and sent again. Signing
    the form read before is refused: they must read what was sent the second time."""
    read_version = in_review.version
    login(client, world.quality)
    returned = client.post(
        f"/records/revisions/{in_review.id}/return",
        data={"return-comment": "表格编号有误", "return-version": str(read_version)},
    )
    assert returned.status_code == 303 and reload(in_review.id).status == "draft"
    login(client, world.manager)
    client.post(f"/records/revisions/{in_review.id}/submit", data={"submit-version": ""})
    assert reload(in_review.id).status == "in_review"
    login(client, world.manager2)
    stale = approve(client, in_review, **{"approve-version": str(read_version)})
    assert stale.status_code == 303  # a page's conflict: flashed, and back
    assert "Someone else changed this revision meanwhile." in html(
        client.get(f"/records/revisions/{in_review.id}")
    )
    assert reload(in_review.id).status == "in_review" and reload(in_review.id).approved_by_id is None


def test_returning_needs_a_reason_on_the_page(world, client, in_review):
    login(client, world.quality)
    response = client.post(
        f"/records/revisions/{in_review.id}/return", data={"return-comment": "", "return-version": ""}
    )
    assert response.status_code == 422 and reload(in_review.id).status == "in_review"


def test_a_draft_is_sent_for_review_only_with_its_file(world, client):
    document = DocumentFactory(lab=world.home)
    login(client, world.manager)
    made = client.post(f"/records/documents/{document.id}/revisions", data={"revision-label": "A/0"})
    assert made.status_code == 303
    draft = db.session.scalar(select(DocumentRevision).where(DocumentRevision.document_id == document.id))
    refused = client.post(f"/records/revisions/{draft.id}/submit", data={"submit-version": ""})
    # The refusal is on a field the step's form does not have: it is flashed above the page.
    assert "Attach the revision&#39;s file" in html(refused) and reload(draft.id).status == "draft"
    saved = client.post(
        f"/records/revisions/{draft.id}/edit",
        data={"edit-label": "A/0", "edit-file": (io.BytesIO(PDF), "QP.pdf"), "edit-version": ""},
        content_type="multipart/form-data",
    )
    assert saved.status_code == 303 and reload(draft.id).filename == "QP.pdf"
    sent = client.post(f"/records/revisions/{draft.id}/submit", data={"submit-version": ""})
    assert sent.status_code == 303 and reload(draft.id).status == "in_review"
    download = client.get(f"/records/revisions/{draft.id}/file")
    assert download.data == PDF and download.headers["X-Content-Type-Options"] == "nosniff"
    assert "QP.pdf" in download.headers["Content-Disposition"]


def test_the_approval_message_in_chinese(world, client, in_review):
    world.quality.locale = "zh_Hans_CN"
    db.session.commit()
    login(client, world.quality)
    response = client.post(
        f"/records/revisions/{in_review.id}/approve",
        data={"approve-password": PASSWORD, "approve-version": str(in_review.version)},
        follow_redirects=True,
    )
    assert reload(in_review.id).status == "effective"
    assert "版本已批准并签署。" in html(response) and "Revision approved and signed." not in html(response)


def test_another_labs_revision_and_file_are_not_found(world, client, in_review):
    login(client, world.outsider)
    assert client.get(f"/records/revisions/{in_review.id}").status_code == 404
    assert client.get(f"/records/revisions/{in_review.id}/file").status_code == 404
    assert approve(client, in_review).status_code == 404
    assert reload(in_review.id).status == "in_review"
