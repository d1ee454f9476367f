"""Pages of controlled documents: the register, a document with its revisions, a revision with
its steps (send for review, return, approve and sign, discard), review, withdrawal, the file."""

from flask import Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from labtrack.auth.permissions import Perm, require
from labtrack.extensions import db
from labtrack.history.service import history_for
from labtrack.models_base import today
from labtrack.records import documents, files
from labtrack.records.blueprint import PER_PAGE, arg, bp, lab_choices
from labtrack.records.forms import (
    ApproveForm,
    DocumentEditForm,
    DocumentForm,
    ReviewForm,
    RevisionForm,
    StepForm,
    WithdrawForm,
    values_of,
)
from labtrack.records.models import (
    DOCUMENT_KIND_LABELS,
    DOCUMENT_STATUS_LABELS,
    DOCUMENT_SUBJECT_LABELS,
)
from labtrack.records.overview import regions
from labtrack.records.schemas import DOCUMENT_EXPORT_HEADER, document_export_row, dump_document
from labtrack.tabular import export_response
from labtrack.web import form_status, int_arg, page_arg, submit_form, uploads


def _filters() -> dict:
    return {
        "q": arg("q"),
        "lab": arg("lab"),
        "kind": arg("kind"),
        "subject": arg("subject"),
        "status": arg("status"),
        "region": arg("region"),
        "due_within": int_arg("due_within", 0, 3660),
    }


@bp.get("/documents")
@require(Perm.RECORDS_VIEW)
def documents_index():
    """The register of controlled documents, searched and filtered."""
    filters = _filters()
    page = db.paginate(
        documents.documents_query(current_user, **filters),
        page=page_arg(),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "records/documents.html",
        page=page,
        filters=filters,
        kinds=DOCUMENT_KIND_LABELS,
        subjects=DOCUMENT_SUBJECT_LABELS,
        statuses=DOCUMENT_STATUS_LABELS,
        regions=regions(current_user),
    )


@bp.get("/documents/export")
@require(Perm.RECORDS_VIEW)
def documents_export():
    """The filtered register as CSV or XLSX."""
    stmt = documents.documents_query(current_user, **_filters())
    rows = (document_export_row(dump_document(current_user, d)) for d in db.session.scalars(stmt))
    return export_response(
        request.args.get("format", "csv"), "controlled-documents", DOCUMENT_EXPORT_HEADER, rows
    )


@bp.route("/documents/new", methods=["GET", "POST"])
@require(Perm.DOCUMENTS_EDIT)
def document_new():
    """Register a controlled document."""
    form = DocumentForm()
    form.lab_code.choices = lab_choices(
        current_user, None if current_user.is_lab_manager else _("The bureau")
    )
    done = submit_form(
        form,
        lambda: documents.create_document(current_user, values_of(form)),
        success=lambda d: _("Document %(code)s registered; start its first revision.", code=d.code),
        to=lambda d: url_for("records.document_detail", document_id=d.id) + "#new-revision",
    )
    return done or (
        render_template("records/document_form.html", form=form, document=None),
        form_status(form),
    )


def _document_forms(document, refused: tuple | None = None) -> dict:
    forms = {
        "revision": RevisionForm(prefix="revision"),
        "edit": DocumentEditForm(prefix="edit", obj=document),
        "review": ReviewForm(prefix="review"),
        "withdraw": WithdrawForm(prefix="withdraw"),
    }
    if refused is not None:
        forms[refused[0]] = refused[1]
    return forms


def _document_page(document, refused: tuple | None = None, status: int = 200):
    return (
        render_template(
            "records/document.html",
            document=document,
            revisions=documents.visible_revisions(current_user, document),
            forms=_document_forms(document, refused),
            history=history_for(document),
            today=today(),
        ),
        status,
    )


@bp.get("/documents/<int:document_id>")
@require(Perm.RECORDS_VIEW)
def document_detail(document_id: int):
    """One document: the revision in force first, every earlier revision kept, its history."""
    return _document_page(documents.get_document(current_user, document_id))


def _document_action(document_id: int, name: str, form_class, action, success):
    """Run one of the document page's forms through its service call."""
    document = documents.get_document(current_user, document_id)
    form = form_class(prefix=name)
    done = submit_form(
        form,
        lambda: action(document, form),
        success=success,
        to=lambda result: url_for(
            "records.revision_detail" if name == "revision" else "records.document_detail",
            **({"revision_id": result.id} if name == "revision" else {"document_id": document.id}),
        ),
    )
    return done or _document_page(document, (name, form), form_status(form))


@bp.post("/documents/<int:document_id>/edit")
@require(Perm.DOCUMENTS_EDIT)
def document_edit(document_id: int):
    """Change a document's title, subject or review interval."""
    return _document_action(
        document_id,
        "edit",
        DocumentEditForm,
        lambda d, form: documents.update_document(current_user, d, values_of(form)),
        _("Document saved."),
    )


@bp.post("/documents/<int:document_id>/revisions")
@require(Perm.DOCUMENTS_EDIT)
def revision_new(document_id: int):
    """Start a revision of a document, with its file."""
    return _document_action(
        document_id,
        "revision",
        RevisionForm,
        lambda d, form: documents.start_revision(
            current_user, d, values_of(form, "file", "version"), uploads("revision-file")
        ),
        lambda r: _("Revision %(label)s saved as a draft.", label=r.label),
    )


@bp.post("/documents/<int:document_id>/review")
@require(Perm.DOCUMENTS_EDIT)
def document_review(document_id: int):
    """Record the periodic review of a document in force."""
    return _document_action(
        document_id,
        "review",
        ReviewForm,
        lambda d, form: documents.record_review(current_user, d, values_of(form)),
        _("Review recorded; the next one is due one interval later."),
    )


@bp.post("/documents/<int:document_id>/withdraw")
@require(Perm.DOCUMENTS_APPROVE)
def document_withdraw(document_id: int):
    """Withdraw a document in force."""
    return _document_action(
        document_id,
        "withdraw",
        WithdrawForm,
        lambda d, form: documents.withdraw_document(current_user, d, values_of(form)),
        _("Document withdrawn."),
    )


# --- revisions -------------------------------------------------------------------------------


def _revision_forms(revision, refused: tuple | None = None) -> dict:
    forms = {
        "edit": RevisionForm(prefix="edit", obj=revision),
        "submit": StepForm(prefix="submit"),
        "return": StepForm(prefix="return"),
        "approve": ApproveForm(prefix="approve"),
        "discard": StepForm(prefix="discard"),
    }
    if refused is not None:
        forms[refused[0]] = refused[1]
    for form in forms.values():
        form.version.data = revision.version
    return forms


@bp.get("/revisions/<int:revision_id>")
@require(Perm.RECORDS_VIEW)
def revision_detail(revision_id: int):
    """One revision: its file, who wrote and approved it, and the steps the reader may take."""
    return _revision_page(documents.get_revision(current_user, revision_id))


def _revision_page(revision, refused: tuple | None = None, status: int = 200):
    return (
        render_template(
            "records/revision.html",
            revision=revision,
            document=revision.document,
            forms=_revision_forms(revision, refused),
            may=documents.who_may(current_user, revision),
            history=history_for(revision),
        ),
        status,
    )


@bp.post("/revisions/<int:revision_id>/edit")
@require(Perm.DOCUMENTS_EDIT)
def revision_edit(revision_id: int):
    """Change a draft's label, note or file."""
    revision = documents.get_revision(current_user, revision_id)
    form = RevisionForm(prefix="edit")
    done = submit_form(
        form,
        lambda: documents.update_revision(
            current_user,
            revision,
            values_of(form, "file", "version"),
            uploads("edit-file"),
            version=form.version.data,
        ),
        success=_("Draft saved."),
        to=url_for("records.revision_detail", revision_id=revision.id),
    )
    return done or _revision_page(revision, ("edit", form), form_status(form))


STEP_TARGETS = {"submit": "in_review", "return": "draft", "approve": "effective", "discard": "obsolete"}
STEP_MESSAGES = {
    "submit": _l("Revision sent for review."),
    "return": _l("Revision returned to draft."),
    "approve": _l("Revision approved and signed."),
    "discard": _l("Revision discarded; it is kept as obsolete."),
}


@bp.post("/revisions/<int:revision_id>/<any(submit, return, approve, discard):step>")
@require(Perm.DOCUMENTS_EDIT)
def revision_step(revision_id: int, step: str):
    """Take one step of the revision's state table."""
    revision = documents.get_revision(current_user, revision_id)
    form = ApproveForm(prefix=step) if step == "approve" else StepForm(prefix=step)
    done = submit_form(
        form,
        lambda: documents.transition(
            current_user, revision, STEP_TARGETS[step], values_of(form, "version"), version=form.version.data
        ),
        success=str(STEP_MESSAGES[step]),
        to=url_for("records.revision_detail", revision_id=revision.id),
    )
    return done or _revision_page(revision, (step, form), form_status(form))


@bp.get("/revisions/<int:revision_id>/file")
@require(Perm.RECORDS_VIEW)
def revision_file(revision_id: int):
    """Download a revision's file."""
    revision, content = documents.revision_file(current_user, revision_id)
    response = Response(content, mimetype=revision.content_type or "application/octet-stream")
    response.headers["Content-Disposition"] = files.attachment_header(revision.filename or "document")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
