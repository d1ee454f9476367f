"""The documents a finding's rectification revises: "a rectification plan can name the documents
it revises and the finding's closure shows them".

The lab rectifying a finding (or a verifier) names revisions of the lab's own documents, while
the finding is not closed or cancelled; the finding's page shows them with their current state
(templates/records/_finding_documents.html, the template global `finding_documents`).
"""

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from labtrack.audits.models import Finding
from labtrack.extensions import db
from labtrack.parsing import INT_MAX
from labtrack.records import policy
from labtrack.records.models import Document, DocumentRevision, FindingDocument
from labtrack.records.workflow import RevisionStatus
from labtrack.services import Conflict, Forbidden, InvalidInput, load, transaction

MAX_LINKS = 50


def get_finding(actor: Any, finding_id: int) -> Finding:
    """A finding whose documents the actor may see (NotFound otherwise)."""
    return load(
        Finding, finding_id, visible=lambda f: policy.sees_finding_documents(actor, f), what=_("finding")
    )


def linked_revisions(finding_id: int) -> list[DocumentRevision]:
    """The revisions named for a finding, by document code and revision."""
    stmt = (
        select(DocumentRevision)
        .join(FindingDocument, FindingDocument.revision_id == DocumentRevision.id)
        .join(Document, DocumentRevision.document_id == Document.id)
        .where(FindingDocument.finding_id == finding_id)
        .options(selectinload(DocumentRevision.document).selectinload(Document.revisions))
        .order_by(Document.code, DocumentRevision.number)
    )
    return list(db.session.scalars(stmt))


def finding_documents(actor: Any, finding_id: int) -> list[DocumentRevision]:
    """The revisions named for a finding the actor may see."""
    finding = get_finding(actor, finding_id)
    return linked_revisions(finding.id)


def candidates(actor: Any, finding: Finding) -> list[DocumentRevision]:
    """Revisions the rectification may name: the finding's lab's documents, except abandoned drafts."""
    stmt = (
        select(DocumentRevision)
        .join(Document, DocumentRevision.document_id == Document.id)
        .where(Document.lab_id == finding.lab_id)
        .options(selectinload(DocumentRevision.document))
        .order_by(Document.code, DocumentRevision.number.desc())
    )
    return [r for r in db.session.scalars(stmt) if _linkable(r) and policy.sees_revision(actor, r)]


def _linkable(revision: DocumentRevision) -> bool:
    return not (revision.status == RevisionStatus.OBSOLETE and revision.effective_on is None)


def set_finding_documents(actor: Any, finding_id: int, revision_ids: Any) -> list[DocumentRevision]:
    """Name exactly these revisions (ids) as the ones the finding's rectification revises."""
    finding = get_finding(actor, finding_id)
    if not policy.may_link_documents(actor, finding):
        if str(finding.status) in policy.FINISHED_FINDING_STATES:
            raise Conflict(_("The finding is closed or cancelled; the documents it revised are fixed."))
        raise Forbidden(_("You may not name the documents of this finding's rectification."))
    ids = _ids(revision_ids)
    in_range = [i for i in ids if 0 < i <= INT_MAX]
    stmt = select(DocumentRevision).where(DocumentRevision.id.in_(in_range))
    revisions = {r.id: r for r in db.session.scalars(stmt)}
    problems = []
    for ident in ids:
        revision = revisions.get(ident)
        if revision is None or not policy.sees_revision(actor, revision):
            problems.append(_("No such revision: %(id)s.", id=ident))
        elif revision.document.lab_id != finding.lab_id:
            problems.append(_("Revision %(id)s is not a document of the finding's laboratory.", id=ident))
        elif not _linkable(revision):
            problems.append(_("Revision %(id)s was discarded.", id=ident))
    if problems:
        raise InvalidInput(_("The documents could not be named."), {"revision_ids": problems})
    with transaction(actor, _("documents revised by the rectification named")):
        existing = {
            link.revision_id: link
            for link in db.session.scalars(
                select(FindingDocument).where(FindingDocument.finding_id == finding.id)
            )
        }
        for ident, link in existing.items():
            if ident not in ids:
                db.session.delete(link)
        for ident in ids:
            if ident not in existing:
                db.session.add(
                    FindingDocument(
                        finding_id=finding.id, revision_id=ident, linked_by_id=getattr(actor, "id", None)
                    )
                )
    return linked_revisions(finding.id)


def _ids(value: Any) -> list[int]:
    if not isinstance(value, list | tuple):
        raise InvalidInput(
            _("The documents could not be named."), {"revision_ids": [_("A list of revision ids.")]}
        )
    ids: list[int] = []
    for item in value:
        text = "" if isinstance(item, bool) or not isinstance(item, int | str) else str(item).strip()
        if not (text.isascii() and text.isdigit()):
            raise InvalidInput(
                _("The documents could not be named."), {"revision_ids": [_("A list of revision ids.")]}
            )
        number = int(text)
        if number not in ids:
            ids.append(number)
    if len(ids) > MAX_LINKS:
        raise InvalidInput(
            _("The documents could not be named."),
            {"revision_ids": [_("At most %(n)d revisions.", n=MAX_LINKS)]},
        )
    return ids
