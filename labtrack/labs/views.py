"""Laboratory pages: list, export, detail, register, edit, deactivate; certificates and contacts.

Thin: each view loads through the service (404 for what the user may not see), runs a posted form
through `labtrack.web.submit_form`, and renders. The service asks `labs.policy`; templates ask it
through the `labs_policy` template global.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from labtrack.auth.permissions import Perm, require
from labtrack.extensions import db
from labtrack.labs import import_views, policy, service
from labtrack.labs.forms import ContactForm, LabForm, QualificationForm
from labtrack.labs.models import LAB_KIND_LABELS, LAB_STATUS_LABELS, Lab
from labtrack.tabular import export_response
from labtrack.web import form_status, page_arg, submit_form

bp = Blueprint("labs", __name__, url_prefix="/labs")
bp.add_app_template_global(policy, "labs_policy")
import_views.register(bp)  # /labs/import: the import page (administrators)
PER_PAGE = 25


def _filters() -> dict:
    return service.parse_filters(request.args)


@bp.get("/")
@require(Perm.LABS_VIEW)
def index():
    """Laboratories, searched, filtered, sorted and paged."""
    filters = _filters()
    stmt = service.labs_query(current_user, **filters)
    page = db.paginate(stmt, page=page_arg(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "labs/index.html",
        page=page,
        filters=filters,
        sort=filters["sort"],
        regions=service.regions(current_user),
        kinds=LAB_KIND_LABELS,
        statuses=LAB_STATUS_LABELS,
    )


@bp.get("/export")
@require(Perm.LABS_VIEW)
def export():
    """The filtered list as CSV or XLSX (`?format=csv|xlsx`, with the list's filters and sort)."""
    stmt = service.labs_query(current_user, **_filters())
    fmt = request.args.get("format", "csv")
    return export_response(
        fmt, "laboratories", service.EXPORT_HEADER, service.export_rows(stmt, current_user)
    )


@bp.get("/<code>")
@require(Perm.LABS_VIEW)
def detail(code: str):
    """One laboratory: certificates, contacts, and what the other areas know of it."""
    lab = service.load_lab(code, current_user)
    return render_template(
        "labs/detail.html",
        lab=lab,
        view=service.lab_view(lab, current_user),
        history=service.lab_history(lab, current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
@require(Perm.LABS_EDIT)
def create():
    """Register a laboratory."""
    form = LabForm()
    done = submit_form(
        form,
        lambda: service.create_lab(form.lab_data(), current_user),
        success=lambda lab: _("Laboratory %(code)s created.", code=lab.code),
        to=lambda lab: url_for("labs.detail", code=lab.code),
    )
    return done or (render_template("labs/form.html", form=form, lab=None), form_status(form))


@bp.route("/<code>/edit", methods=["GET", "POST"])
@require(Perm.LABS_EDIT)
def edit(code: str):
    """Change a laboratory's details."""
    lab = service.load_lab(code, current_user)
    form = LabForm(obj=lab)
    done = submit_form(
        form,
        lambda: service.update_lab(lab, form.lab_data(), current_user),
        success=lambda saved: _("Laboratory %(code)s saved.", code=saved.code),
        to=lambda saved: url_for("labs.detail", code=saved.code),
    )
    return done or (render_template("labs/form.html", form=form, lab=lab), form_status(form))


@bp.post("/<code>/deactivate")
@require(Perm.LABS_EDIT)
def deactivate(code: str):
    """Close a laboratory; its records and history stay."""
    lab: Lab = service.load_lab(code, current_user)
    service.deactivate_lab(lab, current_user)
    flash(_("Laboratory %(code)s deactivated.", code=lab.code), "warning")
    return redirect(url_for("labs.detail", code=lab.code), code=303)


@bp.route("/<code>/qualifications/new", methods=["GET", "POST"])
@require(Perm.LABS_EDIT)
def qualification_new(code: str):
    """Record a certificate of the lab."""
    lab = service.load_lab(code, current_user)
    form = QualificationForm()
    done = submit_form(
        form,
        lambda: service.add_qualification(lab, form.values(), current_user),
        success=lambda q: _("Certificate %(no)s added.", no=q.certificate_no),
        to=url_for("labs.detail", code=lab.code),
    )
    title = _("New certificate")
    return done or (
        render_template("labs/record_form.html", form=form, lab=lab, title=title),
        form_status(form),
    )


@bp.route("/<code>/qualifications/<int:qualification_id>/edit", methods=["GET", "POST"])
@require(Perm.LABS_EDIT)
def qualification_edit(code: str, qualification_id: int):
    """Change a certificate (renewal, suspension, a corrected number)."""
    lab = service.load_lab(code, current_user)
    q = service.load_qualification(lab, qualification_id, current_user)
    title = _("Certificate %(no)s", no=q.certificate_no)
    form = QualificationForm(obj=q)
    done = submit_form(
        form,
        lambda: service.update_qualification(q, form.values(), current_user),
        success=lambda saved: _("Certificate %(no)s saved.", no=saved.certificate_no),
        to=url_for("labs.detail", code=lab.code),
    )
    return done or (
        render_template("labs/record_form.html", form=form, lab=lab, title=title),
        form_status(form),
    )


@bp.post("/<code>/qualifications/<int:qualification_id>/delete")
@require(Perm.LABS_EDIT)
def qualification_delete(code: str, qualification_id: int):
    """Remove a certificate recorded by mistake (its history stays)."""
    lab = service.load_lab(code, current_user)
    q = service.load_qualification(lab, qualification_id, current_user)
    number = q.certificate_no
    service.remove_qualification(q, current_user)
    flash(_("Certificate %(no)s removed.", no=number), "warning")
    return redirect(url_for("labs.detail", code=lab.code), code=303)


@bp.route("/<code>/contacts/new", methods=["GET", "POST"])
@require(Perm.CONTACTS_EDIT)
def contact_new(code: str):
    """Add a person to reach at the lab."""
    lab = service.load_lab(code, current_user)
    form = ContactForm()
    done = submit_form(
        form,
        lambda: service.add_contact(lab, form.values(), current_user),
        success=_("Contact added."),
        to=url_for("labs.detail", code=lab.code),
    )
    title = _("New contact")
    return done or (
        render_template("labs/record_form.html", form=form, lab=lab, title=title),
        form_status(form),
    )


@bp.route("/<code>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@require(Perm.CONTACTS_EDIT)
def contact_edit(code: str, contact_id: int):
    """Change a contact's details."""
    lab = service.load_lab(code, current_user)
    contact = service.load_contact(lab, contact_id, current_user)
    title = _("Contact %(name)s", name=contact.name)
    form = ContactForm(obj=contact)
    done = submit_form(
        form,
        lambda: service.update_contact(contact, form.values(), current_user),
        success=_("Contact saved."),
        to=url_for("labs.detail", code=lab.code),
    )
    return done or (
        render_template("labs/record_form.html", form=form, lab=lab, title=title),
        form_status(form),
    )


@bp.post("/<code>/contacts/<int:contact_id>/delete")
@require(Perm.CONTACTS_EDIT)
def contact_delete(code: str, contact_id: int):
    """Remove a contact (its history stays)."""
    lab = service.load_lab(code, current_user)
    service.remove_contact(service.load_contact(lab, contact_id, current_user), current_user)
    flash(_("Contact removed."), "warning")
    return redirect(url_for("labs.detail", code=lab.code), code=303)
