"""Who may see and do what with controlled documents, surveys and complaints. Pure: no Flask,
no database session (the SQL narrowing for lab managers is an expression).

An actor is a user (anything with `role`, `lab_id`, `id`) or None: the system (command line,
demo loader), which the services trust.

- Documents: everyone who reads records sees the bureau's issued documents and every lab's; a lab
  manager sees and keeps (drafts, revises, approves, withdraws) only their own lab's, and of the
  bureau's only those issued. The quality department and administrators keep the bureau's
  documents and may approve any lab's (a lab with one manager still needs a second signature).
  A revision is never approved by its author.
- Surveys: read by everyone who reads records (results are anonymous aggregates); the quality
  department and administrators run them.
- Complaints: a lab manager sees the complaints about their own lab only, and never who made
  them; the quality department, inspectors and administrators register and handle complaints, and
  inspectors and administrators raise a finding from a substantiated one.
"""

from typing import Any

from sqlalchemy import and_, or_

from labtrack.auth.permissions import Perm
from labtrack.auth.policy import holds, is_lab_manager, narrow, sees_lab
from labtrack.records.workflow import ComplaintStatus, DocumentStatus, RevisionStatus

# Findings in these states are finished: the documents their rectification revised are fixed.
FINISHED_FINDING_STATES = frozenset({"closed", "cancelled"})
WARRANTING_OUTCOMES = frozenset({"substantiated", "partly_substantiated"})


def is_system(actor: Any) -> bool:
    """No user is acting: the command line or the demo loader."""
    return actor is None


def _id(actor: Any) -> Any:
    return getattr(actor, "id", None)


# --- controlled documents --------------------------------------------------------------------


def default_lab(actor: Any) -> int | None:
    """The lab a new document belongs to when none is named: a lab manager's own."""
    return getattr(actor, "lab_id", None) if is_lab_manager(actor) else None


def sees_document(actor: Any, document: Any) -> bool:
    """A lab's documents: whoever may see the lab; the bureau's: everyone, lab managers once issued."""
    if is_system(actor):
        return True
    if not holds(actor, Perm.RECORDS_VIEW):
        return False
    if document.lab_id is None:
        return not is_lab_manager(actor) or document.issued_on is not None
    return sees_lab(actor, document.lab_id)


def sees_revision(actor: Any, revision: Any) -> bool:
    """A revision of a visible document; lab managers see the bureau's issued revisions only."""
    document = revision.document
    if not sees_document(actor, document):
        return False
    if document.lab_id is None and is_lab_manager(actor):
        return revision.effective_on is not None
    return True


def keeps(actor: Any, lab_id: int | None) -> bool:
    """May draft and revise the documents of this lab (None: the bureau's)."""
    if is_system(actor):
        return True
    if not holds(actor, Perm.DOCUMENTS_EDIT):
        return False
    return not is_lab_manager(actor) if lab_id is None else sees_lab(actor, lab_id)


def approves(actor: Any, lab_id: int | None) -> bool:
    """May approve, return and withdraw the documents of this lab (None: the bureau's)."""
    if is_system(actor):
        return True
    if not holds(actor, Perm.DOCUMENTS_APPROVE):
        return False
    return not is_lab_manager(actor) if lab_id is None else sees_lab(actor, lab_id)


def may_create_document(actor: Any, lab_id: int | None) -> bool:
    """Register a new controlled document for this lab (None: the bureau)."""
    return keeps(actor, lab_id)


def may_edit_document(actor: Any, document: Any) -> bool:
    """Change a document's title, subject or review interval (not once withdrawn)."""
    return keeps(actor, document.lab_id) and document.status != DocumentStatus.OBSOLETE


def may_start_revision(actor: Any, document: Any) -> bool:
    """Start a new revision: the document is not withdrawn and none is being prepared."""
    return may_edit_document(actor, document) and document.pending_revision is None


def authored(actor: Any, revision: Any) -> bool:
    """Whether the actor wrote this revision."""
    return _id(actor) is not None and revision.author_id == _id(actor)


def may_edit_revision(actor: Any, revision: Any) -> bool:
    """Change a draft's label, note or file."""
    return keeps(actor, revision.document.lab_id) and revision.status == RevisionStatus.DRAFT


def may_submit(actor: Any, revision: Any) -> bool:
    """Send a draft for review."""
    return may_edit_revision(actor, revision)


def may_approve(actor: Any, revision: Any) -> bool:
    """Approve a revision in review: someone who approves this lab's documents, not its author."""
    return (
        approves(actor, revision.document.lab_id)
        and revision.status == RevisionStatus.IN_REVIEW
        and not authored(actor, revision)
    )


def may_return(actor: Any, revision: Any) -> bool:
    """Send a revision in review back to draft (the approver, or its author taking it back)."""
    lab_id = revision.document.lab_id
    return revision.status == RevisionStatus.IN_REVIEW and (
        approves(actor, lab_id) or (keeps(actor, lab_id) and authored(actor, revision))
    )


def may_discard(actor: Any, revision: Any) -> bool:
    """Abandon a draft or a revision in review (it is kept, as obsolete)."""
    lab_id = revision.document.lab_id
    return revision.status in (RevisionStatus.DRAFT, RevisionStatus.IN_REVIEW) and (
        keeps(actor, lab_id) or approves(actor, lab_id)
    )


REVISION_STEP_RULES = {
    "submit": may_submit,
    "return": may_return,
    "approve": may_approve,
    "discard": may_discard,
}


def may_take_step(actor: Any, revision: Any, step: str) -> bool:
    """Whether the actor may take one of the revision steps of `workflow.REVISION_STEPS`."""
    rule = REVISION_STEP_RULES.get(step)
    return rule is not None and rule(actor, revision)


def may_withdraw(actor: Any, document: Any) -> bool:
    """Withdraw a document in force (its effective revision becomes obsolete)."""
    return approves(actor, document.lab_id) and document.status == DocumentStatus.EFFECTIVE


def may_record_review(actor: Any, document: Any) -> bool:
    """Record the periodic review of a document in force (its next review date moves on)."""
    return keeps(actor, document.lab_id) and document.status == DocumentStatus.EFFECTIVE


def narrow_documents(stmt: Any, lab_id_column: Any, issued_on_column: Any, actor: Any) -> Any:
    """A lab manager's documents: their own lab's, and the bureau's issued ones."""
    if not is_lab_manager(actor):
        return stmt
    own = getattr(actor, "lab_id", None)
    own = own if own is not None else -1
    return stmt.where(or_(lab_id_column == own, and_(lab_id_column.is_(None), issued_on_column.is_not(None))))


def narrow_to_lab(stmt: Any, lab_id_column: Any, actor: Any) -> Any:
    """Records of one lab: a lab manager's own lab only."""
    return narrow(stmt, lab_id_column, actor)


# --- the documents a finding's rectification revised -------------------------------------------


def sees_finding_documents(actor: Any, finding: Any) -> bool:
    """The documents named by a finding's rectification: whoever sees the finding's lab."""
    return is_system(actor) or (holds(actor, Perm.RECORDS_VIEW) and sees_lab(actor, finding.lab_id))


def may_link_documents(actor: Any, finding: Any) -> bool:
    """Name the documents a rectification revises: the lab rectifying it, or a verifier, until the
    finding is closed or cancelled."""
    if str(finding.status) in FINISHED_FINDING_STATES:
        return False
    if is_system(actor):
        return True
    if is_lab_manager(actor):
        return holds(actor, Perm.RECTIFY) and sees_lab(actor, finding.lab_id)
    return holds(actor, Perm.VERIFY)


# --- surveys ---------------------------------------------------------------------------------


def sees_surveys(actor: Any) -> bool:
    """Questionnaires, campaigns and their aggregated results."""
    return is_system(actor) or holds(actor, Perm.RECORDS_VIEW)


def may_manage_surveys(actor: Any) -> bool:
    """Write questionnaires, open campaigns, enter and import answers."""
    return is_system(actor) or holds(actor, Perm.SURVEYS_MANAGE)


# --- complaints ------------------------------------------------------------------------------


def reads_records(actor: Any) -> bool:
    """Whether the actor reads the area at all."""
    return is_system(actor) or holds(actor, Perm.RECORDS_VIEW)


def sees_complaints_of(actor: Any, lab_id: int) -> bool:
    """The complaints about a lab: whoever may see that lab (a lab manager: their own only)."""
    return reads_records(actor) and (is_system(actor) or sees_lab(actor, lab_id))


def sees_complaint(actor: Any, complaint: Any) -> bool:
    """A complaint about a lab: whoever may see that lab (a lab manager: their own only)."""
    return sees_complaints_of(actor, complaint.lab_id)


def sees_complainant(actor: Any) -> bool:
    """Who complained and how to reach them: only those who handle complaints."""
    return is_system(actor) or holds(actor, Perm.COMPLAINTS_MANAGE)


def may_register_complaint(actor: Any) -> bool:
    """Record a complaint received through any channel."""
    return is_system(actor) or holds(actor, Perm.COMPLAINTS_MANAGE)


def may_handle(actor: Any, complaint: Any) -> bool:
    """Acknowledge, investigate, answer, correct a complaint's details."""
    return may_register_complaint(actor) and sees_complaint(actor, complaint)


def raises_findings(actor: Any) -> bool:
    """Whether the actor raises findings against labs (inspectors and administrators)."""
    return is_system(actor) or (holds(actor, Perm.FINDINGS_EDIT) and not is_lab_manager(actor))


def may_raise_finding(actor: Any, complaint: Any) -> bool:
    """Raise a finding from a complaint whose investigation substantiated it (once)."""
    return (
        may_handle(actor, complaint)
        and raises_findings(actor)
        and complaint.status in (ComplaintStatus.INVESTIGATED, ComplaintStatus.ANSWERED)
        and str(complaint.outcome) in WARRANTING_OUTCOMES
        and complaint.finding_id is None
    )


def narrow_complaints(stmt: Any, lab_id_column: Any, actor: Any) -> Any:
    """A lab manager's complaints: those about their own lab."""
    return narrow(stmt, lab_id_column, actor)
