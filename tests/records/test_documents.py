"""Controlled documents: the register's rules, the revision workflow and its refusals (nothing
half-done), periodic review and withdrawal."""

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.records import documents
from labtrack.records.models import Document, DocumentRevision
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound
from tests.factories import PASSWORD
from tests.records.conftest import PDF, docx_bytes
from tests.records.factories import DocumentFactory, RevisionFactory

pytestmark = pytest.mark.usefixtures("frozen")


def _reload(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def _in_review(world, document=None, **fields):
    """A revision of a home-lab document written by the manager and sent for review."""
    return RevisionFactory(
        document=document or DocumentFactory(lab=world.home),
        status="in_review",
        author=world.manager,
        **fields,
    )


# --- the register ----------------------------------------------------------------------------


def test_a_lab_manager_registers_documents_of_their_own_lab(world):
    doc = documents.create_document(
        world.manager,
        {"lab_code": "OTHER", "kind": "procedure", "code": "QP-01", "title": "文件控制程序"},
    )
    assert doc.lab_id == world.home.id and doc.status == "draft" and doc.review_interval_months == 12


def test_the_bureau_registers_its_own_documents_and_codes_are_unique_per_owner(world):
    bureau = documents.create_document(
        world.quality, {"kind": "management_rule", "code": "BR-1", "title": "规则"}
    )
    assert bureau.lab_id is None
    same_code_in_a_lab = documents.create_document(
        world.quality, {"lab_code": "HOME", "kind": "procedure", "code": "br-1", "title": "程序"}
    )
    assert same_code_in_a_lab.lab_id == world.home.id
    with pytest.raises(InvalidInput) as refused:
        documents.create_document(world.quality, {"kind": "form", "code": "Br-1", "title": "表格"})
    assert "code" in refused.value.errors


def test_registering_refuses_unknown_labs_bad_fields_and_the_wrong_people(world):
    with pytest.raises(InvalidInput) as refused:
        documents.create_document(
            world.quality,
            {"lab_code": "NOPE", "kind": "recipe", "code": "a b", "title": "", "review_interval_months": 0},
        )
    assert set(refused.value.errors) == {"lab_code", "kind", "code", "title", "review_interval_months"}
    with pytest.raises(Forbidden):
        documents.create_document(world.inspector, {"kind": "form", "code": "F-1", "title": "表格"})
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0


def test_a_lab_manager_never_sees_another_labs_documents(world):
    theirs = DocumentFactory(lab=world.other)
    with pytest.raises(NotFound):
        documents.get_document(world.manager, theirs.id)
    codes = [d.code for d in db.session.scalars(documents.documents_query(world.manager))]
    assert theirs.code not in codes


def test_the_register_searches_and_filters(world):
    DocumentFactory(lab=world.home, code="WI-TM-01", title="陶瓷餐具铅镉溶出量", kind="work_instruction")
    DocumentFactory(lab=world.other, code="QM", title="质量手册", kind="quality_manual")
    DocumentFactory(lab=None, code="BR-1", title="评价规则", kind="management_rule")

    def codes(**filters):
        return sorted(d.code for d in db.session.scalars(documents.documents_query(world.quality, **filters)))

    assert codes(q="铅镉") == ["WI-TM-01"]
    assert codes(q="100%") == []  # % is taken literally
    assert codes(lab="bureau") == ["BR-1"]
    assert codes(region="Mianyang") == ["QM"]
    assert codes(kind="work_instruction") == ["WI-TM-01"]


# --- revisions and their files ---------------------------------------------------------------


def test_a_revision_keeps_its_file_by_content(world, app):
    doc = DocumentFactory(lab=world.home)
    revision = documents.start_revision(world.manager, doc, {"label": "A/0"}, [("程序.docx", docx_bytes())])
    assert revision.status == "draft" and revision.file_kind == "docx" and revision.filename == "程序.docx"
    _, content = documents.revision_file(world.viewer, revision.id)
    assert content == docx_bytes()


@pytest.mark.parametrize(
    "upload, message",
    [
        ([("a.pdf", b"MZ\x90\x00 an executable")], "not a PDF"),
        ([("a.docx", PDF)], "does not hold what its name says"),
        ([("a.pdf", b"")], "is empty"),
        ([("", b"")], None),  # an empty file input: no file
        ([("a.pdf", PDF), ("b.pdf", PDF)], "one file"),
    ],
)
def test_files_follow_the_evidence_rules(world, upload, message):
    doc = DocumentFactory(lab=world.home)
    if message is None:
        assert documents.start_revision(world.manager, doc, {"label": "A/0"}, upload).file_sha256 is None
        return
    with pytest.raises(InvalidInput) as refused:
        documents.start_revision(world.manager, doc, {"label": "A/0"}, upload)
    assert message in " ".join(refused.value.errors["file"])
    assert db.session.scalar(select(func.count()).select_from(DocumentRevision)) == 0


def test_one_revision_is_prepared_at_a_time_and_labels_are_unique(world):
    doc = DocumentFactory(lab=world.home)
    RevisionFactory(document=doc, label="A/0", effective=True)
    with pytest.raises(InvalidInput) as refused:
        documents.start_revision(world.manager, doc, {"label": "a/0"})
    assert "label" in refused.value.errors
    documents.start_revision(world.manager, doc, {"label": "B/0"})
    with pytest.raises(Conflict):
        documents.start_revision(world.manager, doc, {"label": "C/0"})


def test_sending_for_review_needs_the_file(world):
    revision = RevisionFactory(document=DocumentFactory(lab=world.home), file_sha256=None, filename=None)
    with pytest.raises(InvalidInput) as refused:
        documents.transition(world.manager, revision, "in_review", {})
    assert "file" in refused.value.errors
    assert _reload(DocumentRevision, revision.id).status == "draft"


# --- approval: the bad input of the issue --------------------------------------------------------


def test_a_revision_approved_by_its_author_is_refused_and_nothing_changes(world):
    revision = _in_review(world)
    with pytest.raises(Forbidden) as refused:
        documents.transition(world.manager, revision, "effective", {"password": PASSWORD})
    assert "author" in refused.value.message
    again = _reload(DocumentRevision, revision.id)
    assert again.status == "in_review" and again.approved_by_id is None
    assert again.document.status == "draft"


def test_an_effective_date_before_the_approval_is_refused(world):
    revision = _in_review(world)
    with pytest.raises(InvalidInput) as refused:
        documents.transition(
            world.manager2, revision, "effective", {"password": PASSWORD, "effective_on": "2010-05-31"}
        )
    assert "before the approval" in refused.value.errors["effective_on"][0]
    assert _reload(DocumentRevision, revision.id).status == "in_review"


def test_a_wrong_password_signs_nothing(world):
    revision = _in_review(world)
    with pytest.raises(InvalidInput) as refused:
        documents.transition(world.quality, revision, "effective", {"password": "guess"})
    assert set(refused.value.errors) == {"password"}
    assert _reload(DocumentRevision, revision.id).approved_at is None


def test_approval_takes_effect_and_supersedes_the_revision_in_force(world):
    doc = DocumentFactory(lab=world.home)
    old = RevisionFactory(document=doc, label="A/0", effective=True)
    new = _in_review(world, doc, label="B/0")
    documents.transition(world.manager2, new, "effective", {"password": PASSWORD, "comment": "new methods"})
    doc = _reload(Document, doc.id)
    assert [(r.label, r.status, r.ended_on) for r in doc.revisions] == [
        ("A/0", "superseded", date(2010, 6, 1)),
        ("B/0", "effective", None),
    ]
    assert (
        doc.effective_revision.label == "B/0" and doc.effective_revision.approved_by_id == world.manager2.id
    )
    assert doc.issued_on == date(2010, 3, 1)  # first issued with A/0
    assert doc.review_due_on == date(2011, 6, 1)
    assert not doc.effective_revision.first_issue and old.first_issue


def test_a_later_effective_date_leaves_the_old_revision_in_force_until_then(world):
    doc = DocumentFactory(lab=world.home)
    RevisionFactory(document=doc, label="A/0", effective=True)
    new = _in_review(world, doc, label="B/0")
    documents.transition(
        world.quality, new, "effective", {"password": PASSWORD, "effective_on": "2010-07-01"}
    )
    doc = _reload(Document, doc.id)
    assert doc.effective_revision.label == "B/0"
    assert doc.in_force_on(date(2010, 6, 30)).label == "A/0"
    assert doc.in_force_on(date(2010, 7, 1)).label == "B/0"


def test_a_second_effective_revision_is_never_made(world):
    doc = DocumentFactory(lab=world.home)
    current = RevisionFactory(document=doc, label="A/0", effective=True)
    # Approving an effective (or a superseded) revision again is a state the table refuses.
    with pytest.raises(Conflict):
        documents.transition(world.quality, current, "effective", {"password": PASSWORD})
    # An effective date before the one in force would make two revisions apply at once.
    later = _in_review(world, doc, label="B/0")
    documents.transition(
        world.quality, later, "effective", {"password": PASSWORD, "effective_on": "2010-09-01"}
    )
    third = RevisionFactory(document=doc, label="C/0", status="in_review", author=world.manager)
    with pytest.raises(InvalidInput) as refused:
        documents.transition(
            world.quality, third, "effective", {"password": PASSWORD, "effective_on": "2010-08-01"}
        )
    assert "must take effect after" in refused.value.errors["effective_on"][0]
    # And the database itself refuses a second effective revision.
    db.session.add(DocumentRevision(document_id=doc.id, number=9, label="X", status="effective"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    statuses = db.session.scalars(
        select(DocumentRevision.status).where(
            DocumentRevision.document_id == doc.id, DocumentRevision.status == "effective"
        )
    ).all()
    assert statuses == ["effective"]


def test_return_and_discard_need_a_reason_and_keep_the_revision(world):
    revision = _in_review(world)
    with pytest.raises(InvalidInput) as refused:
        documents.transition(world.quality, revision, "draft", {"comment": " "})
    assert "comment" in refused.value.errors
    documents.transition(world.quality, revision, "draft", {"comment": "cite the 2009 standard"})
    documents.transition(world.manager, revision, "obsolete", {"comment": "replaced by QP-02"})
    again = _reload(DocumentRevision, revision.id)
    assert again.status == "obsolete" and again.last_comment == "replaced by QP-02"
    comments = db.session.scalars(
        select(HistoryEntry.comment).where(
            HistoryEntry.table_name == "document_revisions", HistoryEntry.record_id == revision.id
        )
    ).all()
    assert "cite the 2009 standard" in comments


def test_refusals_come_in_order(world):
    revision = _in_review(world)
    with pytest.raises(InvalidInput):
        documents.transition(world.quality, revision, "superseded", {})
    with pytest.raises(Conflict):
        documents.transition(world.quality, revision, "in_review", {})
    with pytest.raises(Forbidden):
        documents.transition(world.inspector, revision, "draft", {"comment": "x"})
    with pytest.raises(Conflict) as stale:
        documents.transition(world.quality, revision, "draft", {"comment": "x"}, version=revision.version + 1)
    assert "version" in stale.value.errors
    with pytest.raises(NotFound):
        documents.get_revision(world.outsider, revision.id)


# --- review and withdrawal -------------------------------------------------------------------


def test_a_review_moves_the_next_one_on(world):
    revision = RevisionFactory(document=DocumentFactory(lab=world.home), effective=True)
    doc = revision.document
    assert doc.review_due_on == date(2011, 3, 1)
    documents.record_review(world.manager, doc, {"reviewed_on": "2010-05-20", "comment": "still fits"})
    assert _reload(Document, doc.id).review_due_on == date(2011, 5, 20)
    documents.update_document(world.manager, doc, {"review_interval_months": 6})
    assert _reload(Document, doc.id).review_due_on == date(2010, 11, 20)
    with pytest.raises(InvalidInput):
        documents.record_review(world.manager, doc, {"reviewed_on": "2010-06-02"})  # in the future


def test_documents_due_for_review_for_the_reminders(world):
    due_soon = RevisionFactory(document=DocumentFactory(lab=world.home, code="A"), effective=True)
    overdue = RevisionFactory(document=DocumentFactory(lab=world.other, code="B"), effective=True)
    later = RevisionFactory(document=DocumentFactory(lab=None, code="C"), effective=True)
    due_soon.document.review_due_on = date(2010, 6, 20)
    overdue.document.review_due_on = date(2010, 5, 1)
    later.document.review_due_on = date(2010, 9, 1)
    db.session.commit()
    on = date(2010, 6, 1)
    assert [d.code for d in documents.documents_due_for_review(on)] == ["B"]
    assert [d.code for d in documents.documents_due_for_review(on, within_days=30)] == ["B", "A"]
    assert [d.code for d in documents.documents_due_for_review(on, 30, lab_id=world.home.id)] == ["A"]


def test_withdrawing_makes_every_revision_obsolete_and_ends_the_reviews(world):
    doc = DocumentFactory(lab=world.home)
    current = RevisionFactory(document=doc, effective=True, label="A/0")
    draft = RevisionFactory(document=doc, label="B/0")
    with pytest.raises(InvalidInput):
        documents.withdraw_document(world.manager, doc, {"reason": ""})
    with pytest.raises(Forbidden):
        documents.withdraw_document(world.viewer, doc, {"reason": "old"})
    documents.withdraw_document(world.manager, doc, {"reason": "replaced", "withdrawn_on": "2010-05-15"})
    doc = _reload(Document, doc.id)
    assert (doc.status, doc.withdrawn_on, doc.review_due_on) == ("obsolete", date(2010, 5, 15), None)
    assert {r.id: r.status for r in doc.revisions} == {current.id: "obsolete", draft.id: "obsolete"}
    assert doc.in_force_on(date(2010, 5, 1)).id == current.id and doc.in_force_on(date(2010, 5, 15)) is None
    with pytest.raises(Conflict):
        documents.withdraw_document(world.manager, doc, {"reason": "again"})
