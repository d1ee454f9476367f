"""Laboratory pages: list, detail, create, edit, deactivate."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from labtrack.auth.permissions import Perm, require
from labtrack.extensions import db
from labtrack.history.service import history_for
from labtrack.labs import service
from labtrack.labs.forms import LabForm
from labtrack.labs.models import LAB_KIND_LABELS, LAB_STATUS_LABELS, Lab
from labtrack.services import InvalidInput

bp = Blueprint("labs", __name__, url_prefix="/labs")


def _apply_errors(form, exc: InvalidInput) -> None:
    """Show a service's field errors beside the form's fields."""
    for field, messages in exc.errors.items():
        target = getattr(form, field, None)
        if target is not None:
            target.errors = list(target.errors) + list(messages)
        else:
            flash(" ".join(messages), "danger")


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


@bp.get("/<code>")
@require(Perm.LABS_VIEW)
def detail(code: str):
    """One laboratory: certificates, contacts, and what the other areas know of it."""
    lab = service.get_lab_or_404(code)
    return render_template("labs/detail.html", lab=lab, history=history_for(lab))


@bp.route("/new", methods=["GET", "POST"])
@require(Perm.LABS_EDIT)
def create():
    """Register a laboratory."""
    form = LabForm()
    if form.validate_on_submit():
        try:
            lab = service.create_lab(form.lab_data(), current_user)
        except InvalidInput as exc:
            _apply_errors(form, exc)
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
            _apply_errors(form, exc)
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
