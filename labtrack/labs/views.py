"""Laboratory pages: list, export, detail, create, edit, deactivate; certificates and contacts."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from labtrack.auth.permissions import Perm, require
from labtrack.extensions import db
from labtrack.forms import apply_errors
from labtrack.labs import service
from labtrack.labs.forms import ContactForm, LabForm, QualificationForm
from labtrack.labs.models import LAB_KIND_LABELS, LAB_STATUS_LABELS, Lab
from labtrack.services import InvalidInput
from labtrack.tabular import export_response

bp = Blueprint("labs", __name__, url_prefix="/labs")


def _filters() -> dict:
    return {k: request.args.get(k) or None for k in ("q", "region", "kind", "status")}


@bp.get("/")
@require(Perm.LABS_VIEW)
def index():
    """Laboratories, searched, filtered, sorted and paged."""
    filters = _filters()
    sort = request.args.get("sort", "code")
    page = db.paginate(service.labs_query(**filters, sort=sort), per_page=25, error_out=False)
    return render_template(
        "labs/index.html",
        page=page,
        filters=filters,
        sort=sort,
        regions=service.regions(),
        kinds=LAB_KIND_LABELS,
        statuses=LAB_STATUS_LABELS,
    )


@bp.get("/export")
@require(Perm.LABS_VIEW)
def export():
    """The filtered list as CSV or XLSX (`?format=csv|xlsx`, with the list's filters and sort)."""
    stmt = service.labs_query(**_filters(), sort=request.args.get("sort", "code"))
    fmt = request.args.get("format", "csv")
    return export_response(fmt, "laboratories", service.EXPORT_HEADER, service.export_rows(stmt))


@bp.get("/<code>")
@require(Perm.LABS_VIEW)
def detail(code: str):
    """One laboratory: certificates, contacts, and what the other areas know of it."""
    lab = service.get_lab_or_404(code)
    return render_template("labs/detail.html", lab=lab, history=service.lab_history(lab))


@bp.route("/new", methods=["GET", "POST"])
@require(Perm.LABS_EDIT)
def create():
    """Register a laboratory."""
    form = LabForm()
    if form.validate_on_submit():
        try:
            lab = service.create_lab(form.lab_data(), current_user)
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            flash(_("Laboratory %(code)s created.", code=lab.code), "success")
            return redirect(url_for("labs.detail", code=lab.code))
    return render_template("labs/form.html", form=form, lab=None)


@bp.route("/<code>/edit", methods=["GET", "POST"])
@require(Perm.LABS_EDIT)
def edit(code: str):
    """Change a laboratory's details."""
    lab = service.get_lab_or_404(code)
    form = LabForm(obj=lab)
    if form.validate_on_submit():
        try:
            service.update_lab(lab, form.lab_data(), current_user)
        except InvalidInput as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Laboratory %(code)s saved.", code=lab.code), "success")
            return redirect(url_for("labs.detail", code=lab.code))
    return render_template("labs/form.html", form=form, lab=lab)


@bp.post("/<code>/deactivate")
@require(Perm.LABS_EDIT)
def deactivate(code: str):
    """Close a laboratory; its records and history stay."""
    lab: Lab = service.get_lab_or_404(code)
    service.deactivate_lab(lab, current_user)
    flash(_("Laboratory %(code)s deactivated.", code=lab.code), "warning")
    return redirect(url_for("labs.detail", code=lab.code))


@bp.route("/<code>/qualifications/new", methods=["GET", "POST"])
@require(Perm.LABS_EDIT)
def qualification_new(code: str):
    """Record a certificate of the lab."""
    lab = service.get_lab_or_404(code)
    form = QualificationForm()
    if form.validate_on_submit():
        try:
            q = service.add_qualification(lab, form.values(), current_user)
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            flash(_("Certificate %(no)s added.", no=q.certificate_no), "success")
            return redirect(url_for("labs.detail", code=lab.code))
    return render_template("labs/record_form.html", form=form, lab=lab, title=_("New certificate"))


@bp.route("/<code>/qualifications/<int:qualification_id>/edit", methods=["GET", "POST"])
@require(Perm.LABS_EDIT)
def qualification_edit(code: str, qualification_id: int):
    """Change a certificate (renewal, suspension, a corrected number)."""
    lab = service.get_lab_or_404(code)
    q = service.get_qualification_or_404(lab, qualification_id)
    form = QualificationForm(obj=q)
    if form.validate_on_submit():
        try:
            service.update_qualification(q, form.values(), current_user)
        except InvalidInput as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Certificate %(no)s saved.", no=q.certificate_no), "success")
            return redirect(url_for("labs.detail", code=lab.code))
    title = _("Certificate %(no)s", no=q.certificate_no)
    return render_template("labs/record_form.html", form=form, lab=lab, title=title)


@bp.post("/<code>/qualifications/<int:qualification_id>/delete")
@require(Perm.LABS_EDIT)
def qualification_delete(code: str, qualification_id: int):
    """Remove a certificate recorded by mistake (its history stays)."""
    lab = service.get_lab_or_404(code)
    q = service.get_qualification_or_404(lab, qualification_id)
    number = q.certificate_no
    service.remove_qualification(q, current_user)
    flash(_("Certificate %(no)s removed.", no=number), "warning")
    return redirect(url_for("labs.detail", code=lab.code))


@bp.route("/<code>/contacts/new", methods=["GET", "POST"])
@require(Perm.LABS_EDIT)
def contact_new(code: str):
    """Add a person to reach at the lab."""
    lab = service.get_lab_or_404(code)
    form = ContactForm()
    if form.validate_on_submit():
        try:
            service.add_contact(lab, form.values(), current_user)
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            flash(_("Contact added."), "success")
            return redirect(url_for("labs.detail", code=lab.code))
    return render_template("labs/record_form.html", form=form, lab=lab, title=_("New contact"))


@bp.route("/<code>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@require(Perm.LABS_EDIT)
def contact_edit(code: str, contact_id: int):
    """Change a contact's details."""
    lab = service.get_lab_or_404(code)
    contact = service.get_contact_or_404(lab, contact_id)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        try:
            service.update_contact(contact, form.values(), current_user)
        except InvalidInput as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Contact saved."), "success")
            return redirect(url_for("labs.detail", code=lab.code))
    return render_template(
        "labs/record_form.html", form=form, lab=lab, title=_("Contact %(name)s", name=contact.name)
    )


@bp.post("/<code>/contacts/<int:contact_id>/delete")
@require(Perm.LABS_EDIT)
def contact_delete(code: str, contact_id: int):
    """Remove a contact (its history stays)."""
    lab = service.get_lab_or_404(code)
    service.remove_contact(service.get_contact_or_404(lab, contact_id), current_user)
    flash(_("Contact removed."), "warning")
    return redirect(url_for("labs.detail", code=lab.code))
