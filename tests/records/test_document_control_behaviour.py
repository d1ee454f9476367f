"""Document control through the API, as a lab or the bureau lives it: the revision in force is the
one shown while the next is prepared and until the day it takes effect; the bureau's drafts are
not a lab manager's to see; review dates follow the interval (to a month's last day) and the last
review; the refusals of each step (state 409, stale version 409, role 403, another lab 404, the
field named 422) and the state labels in both languages."""

from datetime import date

import pytest

from labtrack.extensions import db
from labtrack.records.models import Document, DocumentRevision
from tests.factories import PASSWORD, bearer
from tests.records.factories import DocumentFactory, RevisionFactory

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def h(world):
    """Bearer headers per user of the world."""
    names = ("admin", "quality", "inspector", "viewer", "manager", "manager2", "outsider")
    return {name: bearer(getattr(world, name))[1] for name in names}


def reload(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def in_force_with_next_in_review(world, bureau=False, author=None):
    """A document of the home lab (or of the bureau) in force with A/0 (from 2010-03-01) and B/0
    in review."""
    document = DocumentFactory(lab=None if bureau else world.home)
    current = RevisionFactory(document=document, label="A/0", effective=True)
    pending = RevisionFactory(
        document=document, label="B/0", status="in_review", author=author or world.manager
    )
    return document, current, pending


# --- what is shown ---------------------------------------------------------------------------


def test_the_revision_in_force_is_shown_while_the_next_is_in_review(world, client, h):
    document, current, pending = in_force_with_next_in_review(world)
    body = client.get(f"/api/v1/documents/{document.id}", headers=h["viewer"]).get_json()
    assert body["effective_revision"]["label"] == "A/0" and body["status"] == "effective"
    assert [(r["label"], r["status"]) for r in body["revisions"]] == [
        ("B/0", "in_review"),
        ("A/0", "effective"),
    ]


def test_a_later_effective_date_keeps_the_old_revision_shown_until_that_day(world, client, h):
    document, current, pending = in_force_with_next_in_review(world)
    url = f"/api/v1/revisions/{pending.id}/transitions"
    done = client.post(
        url,
        json={"to": "effective", "password": PASSWORD, "effective_on": "2010-07-01"},
        headers=h["manager2"],
    )
    assert done.status_code == 200 and done.get_json()["effective_on"] == "2010-07-01"
    document = reload(Document, document.id)
    assert document.in_force_on(date(2010, 6, 30)).label == "A/0"
    assert document.in_force_on(date(2010, 7, 1)).label == "B/0"
    old = reload(DocumentRevision, current.id)
    assert (old.status, old.ended_on) == ("superseded", date(2010, 7, 1))
    # The next review: 12 months after the new revision takes effect.
    assert document.review_due_on == date(2011, 7, 1)


def test_the_effective_date_must_follow_the_one_it_replaces(world, client, h):
    document = DocumentFactory(lab=world.home)
    RevisionFactory(document=document, label="A/0", effective=True, effective_on=date(2010, 6, 10))
    pending = RevisionFactory(document=document, label="B/0", status="in_review", author=world.manager)
    refused = client.post(
        f"/api/v1/revisions/{pending.id}/transitions",
        json={"to": "effective", "password": PASSWORD, "effective_on": "2010-06-10"},
        headers=h["quality"],
    )
    assert refused.status_code == 422
    assert "A/0 takes effect on 2010-06-10" in refused.get_json()["errors"]["effective_on"][0]
    assert reload(DocumentRevision, pending.id).status == "in_review"


def test_a_lab_manager_sees_the_bureaus_issued_revisions_only(world, client, h):
    issued, current, pending = in_force_with_next_in_review(world, bureau=True, author=world.quality)
    draft_only = DocumentFactory(lab=None)
    RevisionFactory(document=draft_only, author=world.quality)
    body = client.get(f"/api/v1/documents/{issued.id}", headers=h["manager"]).get_json()
    assert [r["label"] for r in body["revisions"]] == ["A/0"]
    assert client.get(f"/api/v1/revisions/{pending.id}", headers=h["manager"]).status_code == 404
    assert client.get(f"/api/v1/documents/{draft_only.id}", headers=h["manager"]).status_code == 404
    listed = client.get("/api/v1/documents?lab=bureau", headers=h["manager"]).get_json()
    assert [d["id"] for d in listed["items"]] == [issued.id]
    everyone = client.get("/api/v1/documents?lab=bureau", headers=h["viewer"]).get_json()
    assert everyone["meta"]["total"] == 2


def test_a_lab_manager_keeps_no_bureau_document(world, client, h):
    issued, current, pending = in_force_with_next_in_review(world, bureau=True, author=world.quality)
    url = f"/api/v1/documents/{issued.id}"
    assert client.patch(url, json={"title": "改"}, headers=h["manager"]).status_code == 403
    assert client.post(f"{url}/revisions", json={"label": "C/0"}, headers=h["manager"]).status_code == 403
    assert client.post(f"{url}/withdrawal", json={"reason": "x"}, headers=h["manager"]).status_code == 403
    created = client.post(
        "/api/v1/documents",
        json={"kind": "form", "code": "F-9", "title": "表", "lab_code": "OTHER"},
        headers=h["manager"],
    )
    assert (
        created.status_code == 201 and created.get_json()["lab_code"] == "HOME"
    )  # their own lab's, whatever they send


def test_the_state_labels_follow_the_readers_language(world, client, h):
    document, current, pending = in_force_with_next_in_review(world)
    english = client.get(f"/api/v1/documents/{document.id}", headers=h["viewer"]).get_json()
    world.viewer.locale = "zh_Hans_CN"
    db.session.commit()
    chinese = client.get(f"/api/v1/documents/{document.id}", headers=h["viewer"]).get_json()
    assert english["status_label"] != chinese["status_label"]
    assert english["revisions"][0]["status_label"] != chinese["revisions"][0]["status_label"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese["revisions"][0]["status_label"])


# --- reviews ---------------------------------------------------------------------------------


def test_the_review_date_stops_at_a_months_last_day(world, client, h):
    """In force from 2010-01-31 (every 12 months), changed to every month: due 2010-02-28, overdue
    today. Changed to six months and reviewed on 2010-03-31: due 2010-09-30."""
    document = DocumentFactory(lab=world.home)
    RevisionFactory(document=document, effective=True, effective_on=date(2010, 1, 31))
    patched = client.patch(
        f"/api/v1/documents/{document.id}", json={"review_interval_months": 1}, headers=h["manager"]
    )
    assert patched.status_code == 200 and patched.get_json()["review_due_on"] == "2010-02-28"
    assert patched.get_json()["review_overdue"] is True
    client.patch(f"/api/v1/documents/{document.id}", json={"review_interval_months": 6}, headers=h["manager"])
    reviewed = client.post(
        f"/api/v1/documents/{document.id}/reviews", json={"reviewed_on": "2010-03-31"}, headers=h["manager"]
    ).get_json()
    assert (reviewed["last_reviewed_on"], reviewed["review_due_on"], reviewed["review_overdue"]) == (
        "2010-03-31",
        "2010-09-30",
        False,
    )


def test_a_review_without_a_date_is_todays(world, client, h):
    revision = RevisionFactory(document=DocumentFactory(lab=world.home), effective=True)
    body = client.post(
        f"/api/v1/documents/{revision.document_id}/reviews", json={}, headers=h["manager"]
    ).get_json()
    assert (body["last_reviewed_on"], body["review_due_on"]) == ("2010-06-01", "2011-06-01")


@pytest.mark.parametrize("day", ["2010-02-28", "2010-06-02", "2010-02-31"])
def test_a_review_before_the_issue_in_the_future_or_not_a_day_is_refused(world, client, h, day):
    revision = RevisionFactory(document=DocumentFactory(lab=world.home), effective=True)  # issued 2010-03-01
    response = client.post(
        f"/api/v1/documents/{revision.document_id}/reviews", json={"reviewed_on": day}, headers=h["manager"]
    )
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"reviewed_on"}
    assert reload(Document, revision.document_id).last_reviewed_on is None


def test_only_a_document_in_force_is_reviewed(world, client, h):
    draft = RevisionFactory(document=DocumentFactory(lab=world.home))
    url = f"/api/v1/documents/{draft.document_id}/reviews"
    assert client.post(url, json={}, headers=h["manager"]).status_code == 409
    assert client.post(url, json={}, headers=h["viewer"]).status_code == 403
    assert client.post(url, json={}, headers=h["outsider"]).status_code == 404


# --- withdrawal ------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["2010-02-28", "2010-06-02"])
def test_a_withdrawal_before_the_revision_took_effect_or_in_the_future_is_refused(world, client, h, day):
    revision = RevisionFactory(document=DocumentFactory(lab=world.home), effective=True)
    response = client.post(
        f"/api/v1/documents/{revision.document_id}/withdrawal",
        json={"reason": "replaced", "withdrawn_on": day},
        headers=h["quality"],
    )
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"withdrawn_on"}
    assert reload(Document, revision.document_id).status == "effective"


def test_a_withdrawn_document_takes_no_new_revision_nor_change(world, client, h):
    revision = RevisionFactory(document=DocumentFactory(lab=world.home), effective=True)
    url = f"/api/v1/documents/{revision.document_id}"
    withdrawn = client.post(
        f"{url}/withdrawal", json={"reason": "合并至 QP-01"}, headers=h["manager"]
    ).get_json()
    assert (withdrawn["withdrawn_on"], withdrawn["withdrawal_reason"]) == ("2010-06-01", "合并至 QP-01")
    again = client.post(f"{url}/revisions", json={"label": "B/0"}, headers=h["manager"])
    assert again.status_code == 409 and "withdrawn" in again.get_json()["message"]
    assert client.patch(url, json={"title": "新"}, headers=h["manager"]).status_code == 403
    assert reload(Document, revision.document_id).title == revision.document.title


def test_another_labs_manager_cannot_withdraw_nor_find_it(world, client, h):
    revision = RevisionFactory(document=DocumentFactory(lab=world.home), effective=True)
    response = client.post(
        f"/api/v1/documents/{revision.document_id}/withdrawal", json={"reason": "x"}, headers=h["outsider"]
    )
    assert response.status_code == 404 and reload(Document, revision.document_id).status == "effective"


# --- drafts ----------------------------------------------------------------------------------


def test_only_a_draft_is_changed_and_a_stale_version_is_refused(world, client, h):
    document, current, pending = in_force_with_next_in_review(world)
    url = f"/api/v1/revisions/{pending.id}"
    refused = client.patch(url, json={"change_note": "typo"}, headers=h["manager"])
    assert refused.status_code == 409 and "draft" in refused.get_json()["message"]
    draft = RevisionFactory(document=DocumentFactory(lab=world.home), author=world.manager)
    draft_url = f"/api/v1/revisions/{draft.id}"
    version = client.get(draft_url, headers=h["manager"]).get_json()["version"]
    saved = client.patch(
        draft_url, json={"change_note": "new limits", "version": version}, headers=h["manager"]
    )
    assert saved.status_code == 200 and saved.get_json()["change_note"] == "new limits"
    stale = client.patch(draft_url, json={"change_note": "other", "version": version}, headers=h["manager2"])
    assert stale.status_code == 409 and "version" in stale.get_json()["errors"]
    assert reload(DocumentRevision, draft.id).change_note == "new limits"


def test_a_label_used_before_is_refused_whatever_its_case(world, client, h):
    document = DocumentFactory(lab=world.home)
    RevisionFactory(document=document, label="A/0", effective=True)
    response = client.post(
        f"/api/v1/documents/{document.id}/revisions", json={"label": "a/0"}, headers=h["manager"]
    )
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"label"}


def test_the_author_takes_their_revision_back_but_never_approves_it(world, client, h):
    document, current, pending = in_force_with_next_in_review(world)
    url = f"/api/v1/revisions/{pending.id}/transitions"
    refused = client.post(url, json={"to": "effective", "password": PASSWORD}, headers=h["manager"])
    assert refused.status_code == 403
    back = client.post(url, json={"to": "draft", "comment": "one more table"}, headers=h["manager"])
    assert back.status_code == 200 and back.get_json()["status"] == "draft"
    assert back.get_json()["last_comment"] == "one more table"


def test_a_discarded_revision_is_kept_and_the_one_in_force_stays(world, client, h):
    document, current, pending = in_force_with_next_in_review(world)
    response = client.post(
        f"/api/v1/revisions/{pending.id}/transitions",
        json={"to": "obsolete", "comment": "not needed"},
        headers=h["quality"],
    )
    assert response.status_code == 200
    body = client.get(f"/api/v1/documents/{document.id}", headers=h["viewer"]).get_json()
    assert body["effective_revision"]["label"] == "A/0"
    assert [(r["label"], r["status"]) for r in body["revisions"]] == [
        ("B/0", "obsolete"),
        ("A/0", "effective"),
    ]
    fresh = client.post(
        f"/api/v1/documents/{document.id}/revisions", json={"label": "B/1"}, headers=h["manager"]
    )
    assert fresh.status_code == 201 and fresh.get_json()["number"] == 3
