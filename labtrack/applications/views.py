"""The applications area's pages (blueprint `applications`, /applications): the list with its
filters and overdue clocks, a new application, one application with its steps, clocks, items,
assessment and decision. The working calendar's pages are in `calendar_views.py`."""

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from labtrack.applications import (  # noqa: F401  (calendar_views, report_views: their routes)
    assessment,
    calendar_views,
    policy,
    report_views,
    schemas,
    service,
    steps,
)
from labtrack.applications.blueprint import bp
from labtrack.applications.calendar import working_calendar
from labtrack.applications.forms import ApplicationForm, EditForm, FindingForm, ItemForm, StepForm, UploadForm
from labtrack.applications.values import KIND_LABELS, STATUS_LABELS
from labtrack.auth.models import User
from labtrack.auth.permissions import Perm, require, require_any
from labtrack.extensions import db
from labtrack.labs.service import regions
from labtrack.models_base import today
from labtrack.parsing import digits
from labtrack.scope.importer import HEADER as IMPORT_HEADER
from labtrack.services import Forbidden, InvalidInput
from labtrack.tabular import export_response
from labtrack.web import form_status, page_arg, submit_form

__all__ = ["bp"]


@bp.get("/")
@require(Perm.APPLICATIONS_VIEW)
def index():
    """Applications the reader may see, filtered; overdue clocks flagged; CSV or XLSX with ?format=."""
    try:
        filters = service.parse_filters(request.args.to_dict())
    except InvalidInput as exc:
        filters = service.parse_filters({})
        errors = exc.errors
    else:
        errors = {}
    on = today()
    stmt = service.applications_query(current_user, on=on, **filters)
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        rows = list(db.session.scalars(stmt))
        dumped = schemas.summaries(rows, service.item_counts([a.id for a in rows]), on)
        return export_response(
            fmt, f"applications-{on.isoformat()}", schemas.EXPORT_HEADER, schemas.export_rows(dumped)
        )
    page = db.paginate(
        stmt, page=page_arg(), per_page=current_app.config.get("PER_PAGE", 25), error_out=False
    )
    rows = list(page.items)
    summaries = schemas.summaries(rows, service.item_counts([a.id for a in rows]), on)
    return render_template(
        "applications/index.html",
        page=page,
        rows=list(zip(rows, summaries, strict=True)),
        filters=filters,
        errors=errors,
        kinds=KIND_LABELS,
        statuses=STATUS_LABELS,
        regions=regions(current_user) if policy.sees_every_lab(current_user) else [],
        on=on,
    )


@bp.route("/new", methods=["GET", "POST"])
@require(Perm.APPLICATIONS_SUBMIT)
def new():
    """Draft an application (a lab manager: for their own lab)."""
    if not policy.may_apply(current_user):
        raise Forbidden(_("Your role may not apply for qualification."))
    form = ApplicationForm()
    if request.method == "GET" and request.args.get("lab"):
        form.lab_code.data = request.args["lab"]
    done = submit_form(
        form,
        lambda: service.create(
            {
                "kind": form.kind.data,
                # a lab manager applies for their own lab: their form has no such field
                "lab_code": form.lab_code.data if policy.chooses_lab(current_user) else None,
                "title": form.title.data,
                "note": form.note.data,
            },
            current_user,
        ),
        success=lambda a: _("Application %(ref)s drafted: add its items, then submit it.", ref=a.reference),
        to=lambda a: url_for("applications.detail", application_id=a.id),
    )
    if done:
        return done
    chooses = policy.chooses_lab(current_user)
    return render_template("applications/new.html", form=form, chooses_lab=chooses), form_status(form)


def _step_form(application, formdata=None) -> StepForm:
    form = StepForm(formdata=formdata) if formdata is not None else StepForm(formdata=None)
    assessors = db.session.scalars(select(User).where(policy.assessor_where(User)).order_by(User.username))
    form.lead.choices = [("", "—")] + [(u.username, f"{u.username} · {u.full_name or ''}") for u in assessors]
    if formdata is None:
        form.version.data = application.version
        form.starts_on.data = today()
    return form


def _render(application, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    on = today()
    view = schemas.view(current_user, application, working_calendar(), on)
    editable = policy.may_edit(current_user, application)
    return (
        render_template(
            "applications/detail.html",
            a=application,
            v=view,
            on=on,
            step_form=forms.get("step") or _step_form(application),
            step_to=forms.get("to"),
            item_form=(forms.get("item") or ItemForm(formdata=None)) if editable else None,
            edit_form=(forms.get("edit") or EditForm(formdata=None, obj=application)) if editable else None,
            upload_form=(forms.get("upload") or UploadForm(formdata=None)) if editable else None,
            editable=editable,
            may_delete=policy.may_delete(current_user, application),
            team_ids=assessment.team_ids(application),
            finding_form=(forms.get("finding") or FindingForm(formdata=None)).setup(application)
            if policy.may_raise_finding(current_user, application, assessment.team_ids(application))
            else None,
            import_header=IMPORT_HEADER,
            history=_history(application),
            open_findings=assessment.active_findings(application) if application.audit_id else [],
        ),
        status,
    )


@bp.get("/lookup")
@require(Perm.APPLICATIONS_SUBMIT)
def lookup():
    """Catalogue items matching ?q= (code, name, method), for the item picker (JSON)."""
    from labtrack.applications.values import LOOKUP_LIMIT

    return jsonify({"items": service.catalogue_lookup(request.args.get("q"), LOOKUP_LIMIT)})


def _history(application) -> list:
    """The application's history and its items' (newest first), for those who read history."""
    from sqlalchemy import and_, or_

    from labtrack.history.models import HistoryEntry

    if not current_user.can(Perm.HISTORY_VIEW):
        return []
    item_ids = [i.id for i in application.items]
    stmt = (
        select(HistoryEntry)
        .where(
            or_(
                and_(HistoryEntry.table_name == "applications", HistoryEntry.record_id == application.id),
                and_(HistoryEntry.table_name == "application_items", HistoryEntry.record_id.in_(item_ids)),
            )
        )
        .order_by(HistoryEntry.at.desc(), HistoryEntry.id.desc())
        .limit(200)
    )
    return list(db.session.scalars(stmt))


@bp.get("/<int:application_id>")
@require(Perm.APPLICATIONS_VIEW)
def detail(application_id):
    """One application: its steps, clocks, items, assessment and decision; the reader's next steps."""
    return _render(service.get(current_user, application_id))


@bp.post("/<int:application_id>/step")
@require_any(Perm.APPLICATIONS_SUBMIT, Perm.APPLICATIONS_DECIDE)
def step(application_id):
    """Take a step (`to`): submit, accept, return, review, send the team, end the assessment,
    decide (signed with the password), certify."""
    application = service.get(current_user, application_id)
    form = _step_form(application, request.form)
    done = submit_form(
        form,
        lambda: steps.transition(
            application, form.to.data, form.step_data(), current_user, version=form.version.data or None
        ),
        success=lambda a: _("Done: the application is now %(status)s.", status=a.status_label.lower()),
        to=url_for("applications.detail", application_id=application.id),
    )
    if done:
        return done
    form.password.data = ""
    return _render(application, {"step": form, "to": form.to.data}, form_status(form))


@bp.post("/<int:application_id>/findings")
@require(Perm.FINDINGS_EDIT)
def raise_finding(application_id):
    """Raise a finding of the assessment (a member of its team), naming the items it concerns."""
    application = service.get(current_user, application_id)
    form = FindingForm().setup(application)
    done = submit_form(
        form,
        lambda: assessment.raise_finding(
            application,
            {
                "severity": form.severity.data,
                "area": form.area.data,
                "clause": form.clause.data,
                "description": form.description.data,
                "item_ids": [n for i in form.item_ids.data or [] if (n := digits(str(i))) is not None],
            },
            current_user,
        ),
        success=lambda f: _(
            "Finding %(label)s raised, due on %(date)s.", label=f.label, date=f.due_on.isoformat()
        ),
        to=url_for("applications.detail", application_id=application.id) + "#assessment",
    )
    return done or _render(application, {"finding": form}, form_status(form))


@bp.post("/<int:application_id>/edit")
@require(Perm.APPLICATIONS_SUBMIT)
def edit(application_id):
    """Change the title and note of a draft or returned application."""
    application = service.get(current_user, application_id)
    form = EditForm()
    done = submit_form(
        form,
        lambda: service.update(
            application,
            {"title": form.title.data, "note": form.note.data},
            current_user,
            form.version.data or None,
        ),
        success=_("Saved."),
        to=url_for("applications.detail", application_id=application.id),
    )
    return done or _render(application, {"edit": form}, form_status(form))


@bp.post("/<int:application_id>/items")
@require(Perm.APPLICATIONS_SUBMIT)
def add_item(application_id):
    """Add an item (its code alone when it is in the catalogue)."""
    application = service.get(current_user, application_id)
    form = ItemForm()
    done = submit_form(
        form,
        lambda: service.add_item(application, form.item_data(), current_user),
        success=lambda i: _("Item %(code)s added.", code=i.item_code),
        to=url_for("applications.detail", application_id=application.id) + "#items",
    )
    return done or _render(application, {"item": form}, form_status(form))


@bp.post("/<int:application_id>/items/upload")
@require(Perm.APPLICATIONS_SUBMIT)
def upload_items(application_id):
    """Add the items of a CSV or XLSX file (all or nothing, errors by row and column)."""
    application = service.get(current_user, application_id)
    form = UploadForm()
    upload = request.files.get("file")

    def action():
        if upload is None or not upload.filename:
            raise InvalidInput(_("The file was not read."), {"file": [_("Choose a file.")]})
        return service.upload_items(application, upload.read(), current_user)

    done = submit_form(
        form,
        action,
        success=lambda added: _("%(n)d items added.", n=len(added)),
        to=url_for("applications.detail", application_id=application.id) + "#items",
    )
    return done or _render(application, {"upload": form}, form_status(form))


@bp.post("/<int:application_id>/items/held")
@require(Perm.APPLICATIONS_SUBMIT)
def add_held(application_id):
    """Add every item the laboratory holds (a renewal, a change or a reduction starts from them)."""
    application = service.get(current_user, application_id)
    added = service.add_held_items(application, current_user)
    flash(_("%(n)d items added.", n=added), "success")
    return redirect(url_for("applications.detail", application_id=application.id) + "#items", code=303)


@bp.post("/<int:application_id>/items/<int:item_id>/remove")
@require(Perm.APPLICATIONS_SUBMIT)
def remove_item(application_id, item_id):
    """Take an item out of a draft or returned application."""
    application = service.get(current_user, application_id)
    service.remove_item(application, item_id, current_user)
    return redirect(url_for("applications.detail", application_id=application.id) + "#items", code=303)


@bp.get("/<int:application_id>/items.csv")
@require(Perm.APPLICATIONS_VIEW)
def items_file(application_id):
    """The application's items in the scope import's columns (a template for the upload)."""
    application = service.get(current_user, application_id)
    return export_response(
        "csv",
        f"{application.reference}-items",
        list(IMPORT_HEADER),
        service.upload_template_rows(application),
    )


@bp.post("/<int:application_id>/delete")
@require(Perm.APPLICATIONS_SUBMIT)
def delete(application_id):
    """Delete a draft that was never submitted."""
    application = service.get(current_user, application_id)
    reference = application.reference
    service.delete(application, current_user)
    flash(_("Draft %(ref)s deleted.", ref=reference), "success")
    return redirect(url_for("applications.index"), code=303)
