"""User administration (admins only): list, create, edit, disable, reset passwords, API tokens."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from labtrack.auth import service
from labtrack.auth.forms import PasswordResetForm, TokenForm, UserFilterForm, UserForm
from labtrack.auth.labels import ROLE_LABELS
from labtrack.auth.models import ApiToken, User
from labtrack.auth.permissions import Perm, require
from labtrack.extensions import db
from labtrack.forms import apply_errors
from labtrack.history.service import history_for
from labtrack.labs.models import Lab
from labtrack.services import DomainError

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _role_choices() -> list[tuple[str, str]]:
    return [(r.value, str(label)) for r, label in ROLE_LABELS.items()]


def _lab_choices() -> list[tuple[str, str]]:
    labs = db.session.execute(select(Lab.code, Lab.name).order_by(Lab.code)).all()
    return [("", "—")] + [(code, f"{code} {name}") for code, name in labs]


def _user_form(user: User | None = None) -> UserForm:
    form = UserForm(obj=user, data={"lab_code": user.lab.code if user and user.lab else ""})
    form.role.choices = _role_choices()
    form.lab_code.choices = _lab_choices()
    return form


def _user_fields(form: UserForm) -> dict:
    return {
        "username": form.username.data.strip(),
        "full_name": (form.full_name.data or "").strip(),
        "email": (form.email.data or "").strip() or None,
        "role": form.role.data,
        "lab_code": form.lab_code.data or None,
        "active": bool(form.active.data),
        "password": form.password.data or None,
    }


@bp.get("/users")
@require(Perm.USERS_MANAGE)
def users():
    """Every account, filtered by role, lab and a search."""
    filters = UserFilterForm(request.args)
    filters.role.choices = [("", _("All roles"))] + _role_choices()
    filters.lab.choices = [("", _("All laboratories"))] + _lab_choices()[1:]
    filters.validate()
    stmt = service.users_query(
        role=filters.role.data or None, lab_code=filters.lab.data or None, q=filters.q.data or None
    )
    page = db.paginate(stmt, per_page=50, error_out=False)
    return render_template("admin/users.html", page=page, filters=filters)


@bp.route("/users/new", methods=["GET", "POST"])
@require(Perm.USERS_MANAGE)
def user_new():
    """Create an account with a role (and a lab for lab managers)."""
    form = _user_form()
    if form.validate_on_submit():
        fields = _user_fields(form)
        try:
            user = service.create_user(
                fields["username"],
                fields["password"] or "",
                fields["role"],
                actor=current_user,
                lab_code=fields["lab_code"],
                full_name=fields["full_name"],
                email=fields["email"],
            )
            if not fields["active"]:
                service.set_active(user, False, current_user)
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("User %(name)s created.", name=user.username), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.get("/users/<int:user_id>")
@require(Perm.USERS_MANAGE)
def user_detail(user_id: int):
    """One account: its details, API tokens and history."""
    user = db.get_or_404(User, user_id)
    return render_template(
        "admin/user_detail.html", user=user, token_form=TokenForm(), history=history_for(user), secret=None
    )


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@require(Perm.USERS_MANAGE)
def user_edit(user_id: int):
    """Change an account's name, role, lab, e-mail or active flag."""
    user = db.get_or_404(User, user_id)
    form = _user_form(user)
    if form.validate_on_submit():
        try:
            service.update_user(user, current_user, **_user_fields(form))
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("User %(name)s saved.", name=user.username), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.post("/users/<int:user_id>/active")
@require(Perm.USERS_MANAGE)
def user_active(user_id: int):
    """Disable (active=0) or enable (active=1) an account; never your own."""
    user = db.get_or_404(User, user_id)
    active = request.form.get("active") == "1"
    try:
        service.set_active(user, active, current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        message = (
            _("User %(name)s enabled.", name=user.username)
            if active
            else _("User %(name)s disabled.", name=user.username)
        )
        flash(message, "success" if active else "warning")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@require(Perm.USERS_MANAGE)
def user_password(user_id: int):
    """Set a new password for a user (and lift a lockout)."""
    user = db.get_or_404(User, user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            service.reset_password(user, form.password.data, current_user)
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Password of %(name)s reset.", name=user.username), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/password.html", form=form, user=user)


@bp.post("/users/<int:user_id>/tokens")
@require(Perm.USERS_MANAGE)
def token_new(user_id: int):
    """Issue an API token and show it once (it is not stored, so not put in a redirect or flash)."""
    user = db.get_or_404(User, user_id)
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        secret = service.issue_token(user, name=(form.name.data or "").strip(), actor=current_user)
    response = render_template(
        "admin/user_detail.html", user=user, token_form=form, history=history_for(user), secret=secret
    )
    return response, 200, {"Cache-Control": "no-store"}


@bp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
@require(Perm.USERS_MANAGE)
def token_revoke(user_id: int, token_id: int):
    """Revoke one of the user's tokens."""
    token = db.get_or_404(ApiToken, token_id)
    if token.user_id != user_id:
        abort(404)
    service.revoke_token(token, current_user)
    flash(_("Token revoked."), "warning")
    return redirect(url_for("admin.user_detail", user_id=user_id))
