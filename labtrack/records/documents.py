"""Controlled documents (受控文件): the register, revisions with their files, approval signed with
the approver's password, periodic review and withdrawal.

Rules: one revision is prepared at a time (draft or in review); it goes for review with its file;
it is approved by someone other than its author, who signs with their password, and takes effect
on a day no earlier than the approval; the revision in force until then becomes superseded the day
the new one takes effect, so a document never has two effective revisions (the database refuses a
second one too). Every revision is kept. The next review is due `review_interval_months` after the
revision took effect or after the last recorded review.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from labtrack import parsing
from labtrack.auth import security
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.models_base import today, utcnow
from labtrack.parsing import Fields
from labtrack.records import files, policy, signals
from labtrack.records.models import Document, DocumentKind, DocumentRevision, DocumentSubject
from labtrack.records.values import (
    LABEL_MAX,
    REVIEW_INTERVAL_MAX,
    add_months,
    lab_by_code,
    like,
    search_text,
)
from labtrack.records.workflow import REVISION_TARGETS, DocumentStatus, RevisionStatus, revision_step
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound, load, transaction

BUREAU = "bureau"  # the `owner` filter value for the bureau's own documents
DUE_SOON_DAYS = 30  # "due for review" on lists and the dashboard: within this many days


# --- reading ---------------------------------------------------------------------------------


def documents_query(
    actor: Any,
    *,
    q: str | None = None,
    lab: str | None = None,
    kind: str | None = None,
    subject: str | None = None,
    status: str | None = None,
    region: str | None = None,
    due_within: int | None = None,
    on: date | None = None,
) -> Select:
    """The register: documents the actor may see, searched and filtered, by owner and code.

    `lab` is a lab code or "bureau"; `due_within` keeps documents in force whose review is due
    within that many days of `on` (today), overdue ones included.
    """
    stmt = select(Document).outerjoin(Lab, Document.lab_id == Lab.id)
    stmt = policy.narrow_documents(stmt, Document.lab_id, Document.issued_on, actor)
    text = search_text(q)
    if text:
        pattern = like(text)
        stmt = stmt.where(
            or_(
                Document.code.ilike(pattern, escape="\\"),
                Document.title.ilike(pattern, escape="\\"),
                Document.title_en.ilike(pattern, escape="\\"),
                Lab.code.ilike(pattern, escape="\\"),
                Lab.name.ilike(pattern, escape="\\"),
            )
        )
    if lab == BUREAU:
        stmt = stmt.where(Document.lab_id.is_(None))
    elif lab:
        stmt = stmt.where(Lab.code_key == parsing.code_key(lab))
    if kind:
        stmt = stmt.where(Document.kind == kind)
    if subject:
        stmt = stmt.where(Document.subject == subject)
    if status:
        stmt = stmt.where(Document.status == status)
    if region:
        stmt = stmt.where(Lab.region == region)
    if due_within is not None:
        limit = add_days(on or today(), due_within)
        stmt = stmt.where(Document.status == DocumentStatus.EFFECTIVE, Document.review_due_on <= limit)
    stmt = stmt.options(selectinload(Document.lab), selectinload(Document.revisions))
    return stmt.order_by(Lab.code.is_not(None), Lab.code, Document.code, Document.id)


def add_days(day: date, days: int) -> date:
    """`day` moved by a number of days."""
    return day + timedelta(days=days)


def get_document(actor: Any, document_id: int) -> Document:
    """A document the actor may see (NotFound otherwise)."""
    return load(Document, document_id, visible=lambda d: policy.sees_document(actor, d), what=_("document"))


def get_revision(actor: Any, revision_id: int) -> DocumentRevision:
    """A revision the actor may see (NotFound otherwise)."""
    return load(
        DocumentRevision, revision_id, visible=lambda r: policy.sees_revision(actor, r), what=_("revision")
    )


def visible_revisions(actor: Any, document: Document) -> list[DocumentRevision]:
    """The document's revisions the actor may see, newest first."""
    return [r for r in reversed(document.revisions) if policy.sees_revision(actor, r)]


def revision_file(actor: Any, revision_id: int) -> tuple[DocumentRevision, bytes]:
    """A revision's file, for whoever may see the revision (NotFound when it has none)."""
    revision = get_revision(actor, revision_id)
    if not revision.has_file:
        raise NotFound(_("This revision has no file."))
    try:
        return revision, files.read(revision.file_sha256)
    except FileNotFoundError:
        raise NotFound(_("The file of this revision is missing from the store.")) from None


def documents_due_for_review(on: date, within_days: int = 0, lab_id: int | None = None) -> list[Document]:
    """Documents in force whose periodic review is due on or before `on` + `within_days`
    (overdue ones included), earliest first; of one lab when `lab_id` is given.

    For reminders (labtrack.notify): no actor, every lab's and the bureau's documents.
    """
    stmt = select(Document).where(
        Document.status == DocumentStatus.EFFECTIVE,
        Document.review_due_on.is_not(None),
        Document.review_due_on <= add_days(on, within_days),
    )
    if lab_id is not None:
        stmt = stmt.where(Document.lab_id == lab_id)
    stmt = stmt.options(selectinload(Document.lab))
    return list(db.session.scalars(stmt.order_by(Document.review_due_on, Document.id)))


# --- the register ----------------------------------------------------------------------------


def _document_values(f: Fields, actor: Any, document: Document | None) -> dict:
    values: dict[str, Any] = {}
    partial = document is not None
    if not partial:
        values["kind"] = f.get("kind", parsing.choice, [k.value for k in DocumentKind])
        values["code"] = f.get("code", parsing.code)
    if not partial or "subject" in f.data:
        values["subject"] = f.get(
            "subject", parsing.choice, [s.value for s in DocumentSubject], required=False
        )
    if not partial or "title" in f.data:
        values["title"] = f.get("title", parsing.name)
    if not partial or "title_en" in f.data:
        values["title_en"] = f.get("title_en", parsing.name, required=False)
    if not partial or "review_interval_months" in f.data:
        interval = f.data.get("review_interval_months")
        values["review_interval_months"] = (
            12
            if parsing.is_blank(interval) and not partial
            else f.get("review_interval_months", parsing.integer, minimum=1, maximum=REVIEW_INTERVAL_MAX)
        )
    return values


def _code_key(lab_id: int | None, code: str) -> str:
    return f"{lab_id if lab_id is not None else BUREAU}/{parsing.code_key(code)}"


def create_document(actor: Any, data: dict) -> Document:
    """Register a controlled document of a lab (`lab_code`) or of the bureau (no lab code).

    A lab manager's documents are their own lab's whatever they send.
    """
    f = Fields(data)
    lab_id = policy.default_lab(actor)
    if lab_id is None and not parsing.is_blank(data.get("lab_code")):
        lab = lab_by_code(f, "lab_code", actor)
        lab_id = lab.id if lab is not None else None
    values = _document_values(f, actor, None)
    if "lab_code" not in f.errors and not policy.may_create_document(actor, lab_id):
        raise Forbidden(_("You may not register documents for this owner."))
    if values.get("code") and db.session.scalar(
        select(Document.id).where(Document.code_key == _code_key(lab_id, values["code"]))
    ):
        f.add("code", _("This owner already has a document with code %(code)s.", code=values["code"]))
    f.raise_if_any(_("The document could not be registered."))
    with transaction(actor):
        document = Document(
            lab_id=lab_id,
            code_key=_code_key(lab_id, values["code"]),
            created_by_id=getattr(actor, "id", None),
            **values,
        )
        db.session.add(document)
        db.session.flush()
    return document


def update_document(actor: Any, document: Document, data: dict) -> Document:
    """Change a document's title, subject or review interval (its next review date follows)."""
    if not policy.may_edit_document(actor, document):
        raise Forbidden(_("You may not change this document."))
    f = Fields(data)
    values = _document_values(f, actor, document)
    f.raise_if_any(_("The document could not be saved."))
    with transaction(actor):
        for key, value in values.items():
            setattr(document, key, value)
        _reschedule(document)
    return document


def _reschedule(document: Document) -> None:
    """The next review: the interval after the last review, or after the revision took effect."""
    current = document.effective_revision
    if document.status != DocumentStatus.EFFECTIVE or current is None:
        document.review_due_on = None
        return
    start = max(d for d in (document.last_reviewed_on, current.effective_on) if d is not None)
    document.review_due_on = add_months(start, document.review_interval_months)


def record_review(actor: Any, document: Document, data: dict) -> Document:
    """Record the periodic review of a document in force (no change needed); the next review is
    due one interval later."""
    if not policy.may_record_review(actor, document):
        if document.status != DocumentStatus.EFFECTIVE and policy.keeps(actor, document.lab_id):
            raise Conflict(_("Only a document in force is reviewed."))
        raise Forbidden(_("You may not record reviews of this document."))
    f = Fields(data)
    issued = document.issued_on or today()
    reviewed_on = data.get("reviewed_on")
    reviewed_on = (
        today()
        if parsing.is_blank(reviewed_on)
        else f.get("reviewed_on", parsing.day, earliest=issued, latest=today())
    )
    note = f.get("comment", parsing.text, required=False, max_len=parsing.COMMENT_MAX)
    f.raise_if_any(_("The review could not be recorded."))
    with transaction(actor, note or _("periodic review: no change needed")):
        document.last_reviewed_on = reviewed_on
        _reschedule(document)
    signals.document_reviewed.send(document, actor=actor)
    return document


def withdraw_document(actor: Any, document: Document, data: dict) -> Document:
    """Withdraw a document in force: its effective revision (and any being prepared) becomes
    obsolete from `withdrawn_on` (today unless given, never in the future)."""
    if not policy.may_withdraw(actor, document):
        if document.status != DocumentStatus.EFFECTIVE and policy.approves(actor, document.lab_id):
            raise Conflict(_("Only a document in force can be withdrawn."))
        raise Forbidden(_("You may not withdraw this document."))
    f = Fields(data)
    current = document.effective_revision
    earliest = min(current.effective_on, today()) if current and current.effective_on else parsing.DATE_MIN
    given = data.get("withdrawn_on")
    withdrawn_on = (
        today()
        if parsing.is_blank(given)
        else f.get("withdrawn_on", parsing.day, earliest=earliest, latest=today())
    )
    reason = f.get("reason", parsing.text, max_len=parsing.COMMENT_MAX)
    f.raise_if_any(_("The document could not be withdrawn."))
    with transaction(actor, reason):
        for revision in document.revisions:
            if revision.status == RevisionStatus.EFFECTIVE:
                revision.status = RevisionStatus.OBSOLETE
                revision.ended_on = withdrawn_on
                revision.last_comment = reason
            elif revision.status in (RevisionStatus.DRAFT, RevisionStatus.IN_REVIEW):
                revision.status = RevisionStatus.OBSOLETE
                revision.last_comment = reason
        document.status = DocumentStatus.OBSOLETE
        document.withdrawn_on = withdrawn_on
        document.withdrawal_reason = reason
        document.review_due_on = None
        signals.document_withdrawn.send(document, actor=actor)
    return document


# --- revisions -------------------------------------------------------------------------------


def _label(f: Fields, document: Document, revision: DocumentRevision | None) -> str | None:
    label = f.get("label", parsing.name, max_len=LABEL_MAX)
    if label and any(r.label.casefold() == label.casefold() for r in document.revisions if r is not revision):
        f.add("label", _("The document already has a revision %(label)s.", label=label))
    return label


def start_revision(
    actor: Any, document: Document, data: dict, upload: Iterable[tuple[str, bytes]] = ()
) -> DocumentRevision:
    """Start a revision (a draft) of a document, with its file if one is given."""
    if not policy.may_start_revision(actor, document):
        if policy.may_edit_document(actor, document):
            raise Conflict(
                _(
                    "Revision %(label)s is being prepared; approve or discard it before starting another.",
                    label=document.pending_revision.label,
                )
            )
        if document.status == DocumentStatus.OBSOLETE and policy.keeps(actor, document.lab_id):
            raise Conflict(_("The document was withdrawn; it has no new revisions."))
        raise Forbidden(_("You may not revise this document."))
    f = Fields(data)
    label = _label(f, document, None)
    note = f.get("change_note", parsing.text, required=False)
    checked = files.check_one(upload, f.errors)
    f.raise_if_any(_("The revision could not be saved."))
    with transaction(actor):
        revision = DocumentRevision(
            document=document,
            number=max((r.number for r in document.revisions), default=0) + 1,
            label=label,
            change_note=note,
            status=RevisionStatus.DRAFT,
            author_id=getattr(actor, "id", None),
        )
        _attach(revision, checked)
        db.session.add(revision)
        db.session.flush()
    return revision


def _attach(revision: DocumentRevision, checked: Any) -> None:
    if checked is None:
        return
    files.store(checked)
    revision.file_sha256 = checked.sha256
    revision.filename = checked.filename
    revision.file_size = checked.size
    revision.file_kind = checked.kind
    revision.content_type = checked.content_type


def update_revision(
    actor: Any,
    revision: DocumentRevision,
    data: dict,
    upload: Iterable[tuple[str, bytes]] = (),
    version: Any = None,
) -> DocumentRevision:
    """Change a draft: its label, its note of what changed, its file."""
    if not policy.may_edit_revision(actor, revision):
        if revision.status != RevisionStatus.DRAFT and policy.keeps(actor, revision.document.lab_id):
            raise Conflict(_("Only a draft can be changed; return it to draft first."))
        raise Forbidden(_("You may not change this revision."))
    _check_version(revision, version)
    f = Fields(data)
    values = {}
    if "label" in data:
        values["label"] = _label(f, revision.document, revision)
    if "change_note" in data:
        values["change_note"] = f.get("change_note", parsing.text, required=False)
    checked = files.check_one(upload, f.errors)
    f.raise_if_any(_("The revision could not be saved."))
    with transaction(actor):
        for key, value in values.items():
            setattr(revision, key, value)
        _attach(revision, checked)
    return revision


def _check_version(revision: DocumentRevision, version: Any) -> None:
    if version not in (None, "") and str(version) != str(revision.version):
        raise Conflict(
            _("Someone else changed this revision meanwhile. Reload it to see their change, then try again."),
            {"version": [_("The revision has changed since you read it.")]},
        )


def transition(
    actor: Any, revision: DocumentRevision, to: Any, data: dict, version: Any = None
) -> DocumentRevision:
    """Move a revision along its state table: `to` is in_review (submit), draft (return, with a
    comment), effective (approve: `password`, `effective_on`) or obsolete (discard, with a comment).

    Refusals, in order: 422 unknown target; 409 the state does not allow it; 403 the actor may not
    (an author approving their own revision); 409 stale `version`; 422 missing or bad fields.
    A refused step changes nothing.
    """
    if str(to) not in {s.value for s in REVISION_TARGETS}:
        raise InvalidInput(_("Unknown target state."), {"to": [_("Not one of the allowed values.")]})
    step = revision_step(revision.status, str(to))
    if step is None:
        raise Conflict(
            _(
                "A revision that is %(state)s cannot become %(to)s.",
                state=revision.status_label,
                to=_state_label(to),
            )
        )
    if not policy.may_take_step(actor, revision, step.name):
        if step.name == "approve" and policy.authored(actor, revision):
            raise Forbidden(
                _(
                    "A revision cannot be approved by its author; another person who approves documents must sign it."
                )
            )
        raise Forbidden(_("You may not take this step for this document."))
    _check_version(revision, version)
    f = Fields(data)
    comment = f.get("comment", parsing.text, required="comment" in step.required, max_len=parsing.COMMENT_MAX)
    if step.name == "submit" and not revision.has_file:
        f.add("file", _("Attach the revision's file before sending it for review."))
    effective_on = None
    if step.name == "approve":
        effective_on = _effective_date(f, revision)
        password = data.get("password")
        if "password" not in f.errors and not security.verify_password(actor, password):
            f.add("password", _("The password is not correct; the revision was not approved."))
    f.raise_if_any(_("The step could not be taken; see the fields marked."))
    with transaction(actor, comment or _step_comment(step.name)):
        if step.name == "approve":
            _approve(revision, actor, effective_on)
        else:
            revision.status = RevisionStatus(step.target)
            if step.name == "submit":
                revision.submitted_at = utcnow()
            if comment:
                revision.last_comment = comment
        signals.revision_changed.send(revision, actor=actor, step=step.name, comment=comment)
    return revision


def _state_label(state: Any) -> str:
    from labtrack.records.models import REVISION_STATUS_LABELS

    return str(REVISION_STATUS_LABELS.get(str(state), state))


def _step_comment(step: str) -> str:
    return {
        "submit": _("sent for review"),
        "approve": _("approved and signed"),
    }.get(step, step)


def _effective_date(f: Fields, revision: DocumentRevision) -> date | None:
    """The day the revision takes effect: not before today (the approval), nor before the day the
    revision it replaces took effect."""
    value = f.data.get("effective_on")
    if parsing.is_blank(value):
        return today()
    effective_on = f.get("effective_on", parsing.day)
    if effective_on is None:
        return None
    if effective_on < today():
        f.add(
            "effective_on",
            _("The effective date cannot be before the approval (today, %(day)s).", day=today().isoformat()),
        )
        return None
    current = revision.document.effective_revision
    if current is not None and current.effective_on and effective_on <= current.effective_on:
        f.add(
            "effective_on",
            _(
                "Revision %(label)s takes effect on %(day)s; the new revision must take effect after it.",
                label=current.label,
                day=current.effective_on.isoformat(),
            ),
        )
        return None
    return effective_on


def _approve(revision: DocumentRevision, actor: Any, effective_on: date) -> None:
    """The revision takes effect; the one in force until then is superseded from that day."""
    document = revision.document
    current = document.effective_revision
    if current is not None:
        current.status = RevisionStatus.SUPERSEDED
        current.ended_on = effective_on
        db.session.flush()  # the one effective revision is replaced, never doubled
    revision.status = RevisionStatus.EFFECTIVE
    revision.approved_by_id = getattr(actor, "id", None)
    revision.approved_at = utcnow()
    revision.effective_on = effective_on
    revision.first_issue = document.issued_on is None
    document.status = DocumentStatus.EFFECTIVE
    if document.issued_on is None:
        document.issued_on = effective_on
    _reschedule(document)


def who_may(actor: Any, revision: DocumentRevision) -> dict[str, bool]:
    """Which steps the page offers the actor for this revision."""
    return {name: rule(actor, revision) for name, rule in policy.REVISION_STEP_RULES.items()} | {
        "edit": policy.may_edit_revision(actor, revision),
        "author_blocked": revision.status == RevisionStatus.IN_REVIEW
        and policy.approves(actor, revision.document.lab_id)
        and policy.authored(actor, revision),
    }
