"""Controlled documents due for review (records) feed the daily reminders (notify): the lab's
managers, or the quality department for the bureau's own documents, 10, 3 and 0 days before."""

from datetime import date

from sqlalchemy import select

from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.notify.messages import link, text
from labtrack.notify.models import Notification
from labtrack.notify.reminders import send_reminders
from labtrack.records.models import DocumentStatus
from tests import factories as f
from tests.records.factories import DocumentFactory


def _notes() -> list[tuple[str, str, dict]]:
    rows = db.session.scalars(select(Notification).order_by(Notification.id))
    return [(n.recipient.username, n.kind, n.params) for n in rows]


def test_documents_due_for_review_are_reminded_to_whoever_keeps_them(app):
    lab = f.LabFactory(code="SC-D")
    f.UserFactory(role=Role.LAB_MANAGER, lab=lab, username="manager-SC-D")
    f.UserFactory(role=Role.QUALITY, username="quality")
    due = date(2026, 3, 13)
    manual = DocumentFactory(lab=lab, code="QM-01", status=DocumentStatus.EFFECTIVE, review_due_on=due)
    bureau = DocumentFactory(lab=None, code="BP-01", status=DocumentStatus.EFFECTIVE, review_due_on=due)
    DocumentFactory(lab=lab, code="DRAFT", status=DocumentStatus.DRAFT, review_due_on=due)  # not in force
    db.session.commit()

    assert send_reminders(date(2026, 3, 12)).created == 0  # 1 day before: no tier
    run = send_reminders(date(2026, 3, 3))  # 10 days before
    assert run.created == 2
    assert {(who, kind) for who, kind, _p in _notes()} == {
        ("manager-SC-D", "document_review_due:10"),
        ("quality", "document_review_due:10"),
    }
    assert send_reminders(date(2026, 3, 3)).created == 0  # idempotent per day and tier
    send_reminders(due)
    ((who, kind, params),) = [
        n for n in _notes() if n[1] == "document_review_due:0" and n[0] == "manager-SC-D"
    ]
    assert text(kind, params) == f"The review of document QM-01 ({manual.title}) of SC-D is due today."
    assert link("controlled_documents", manual.id, params) == f"/records/documents/{manual.id}"
    (bureau_note,) = [n for n in _notes() if n[1] == "document_review_due:0" and n[0] == "quality"]
    assert (
        "of the bureau" in text(bureau_note[1], bureau_note[2]) and bureau.code in bureau_note[2]["document"]
    )
