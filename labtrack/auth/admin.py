"""User administration (admins): list, create, edit, disable, reset passwords, API tokens.

Thin: accounts are loaded and changed through `labtrack.auth.service` (which asks
`labtrack.auth.policy`), posted forms run through `labtrack.web.submit_form`.
"""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import false, select

from labtrack import parsing
from labtrack.auth import policy, security, service
from labtrack.auth.forms import PasswordResetForm, SecurityLogFilterForm, TokenForm, UserFilterForm, UserForm
from labtrack.auth.labels import ROLE_LABELS
from labtrack.auth.models import User
from labtrack.auth.permissions import Perm, require
from labtrack.extensions import db
from labtrack.history.service import history_for
from labtrack.labs.models import Lab
from labtrack.web import form_status, page_arg, submit_form

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.add_app_template_global(policy, "auth_policy")


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


def _detail(user: User, token_form: TokenForm | None = None, secret: str | None = None) -> str:
    return render_template(
        "admin/user_detail.html",
        user=user,
        token_form=token_form or TokenForm(),
        history=history_for(user),
        secret=secret,
    )


@bp.get("/users")
@require(Perm.USERS_MANAGE)
def users():
    """Every account, filtered by role, lab and a search."""
    filters = UserFilterForm(request.args)
    filters.role.choices = [("", _("All roles"))] + _role_choices()
    filters.lab.choices = [("", _("All laboratories"))] + _lab_choices()[1:]
    filters.validate()
    unknown = bool(filters.role.errors or filters.lab.errors)  # a role or lab that is none: nobody
    stmt = service.users_query(
        role=None if unknown else filters.role.data or None,
        lab_code=None if unknown else filters.lab.data or None,
        q=None if filters.q.errors else filters.q.data or None,
    )
    if unknown:
        stmt = stmt.where(false())
    page = db.paginate(stmt, page=page_arg(), per_page=50, error_out=False)
    return render_template("admin/users.html", page=page, filters=filters)


@bp.route("/users/new", methods=["GET", "POST"])
@require(Perm.USERS_MANAGE)
def user_new():
    """Create an account with a role (and a lab for lab managers)."""
    form = _user_form()
    done = submit_form(
        form,
        lambda: service.create_user(**form.account(), actor=current_user),
        success=lambda user: _("User %(name)s created.", name=user.username),
        to=lambda user: url_for("admin.user_detail", user_id=user.id),
    )
    return done or (render_template("admin/user_form.html", form=form, user=None), form_status(form))


@bp.get("/users/<int:user_id>")
@require(Perm.USERS_MANAGE)
def user_detail(user_id: int):
    """One account: its details, API tokens and history."""
    return _detail(service.load_user(user_id, current_user))


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@require(Perm.USERS_MANAGE)
def user_edit(user_id: int):
    """Change an account's name, role, lab, e-mail or active flag."""
    user = service.load_user(user_id, current_user)
    form = _user_form(user)
    done = submit_form(
        form,
        lambda: service.update_user(user, current_user, **form.account()),
        success=lambda saved: _("User %(name)s saved.", name=saved.username),
        to=url_for("admin.user_detail", user_id=user.id),
    )
    return done or (render_template("admin/user_form.html", form=form, user=user), form_status(form))


@bp.post("/users/<int:user_id>/active")
@require(Perm.USERS_MANAGE)
def user_active(user_id: int):
    """Disable (active=0) or enable (active=1) an account; never your own."""
    user = service.load_user(user_id, current_user)
    active = request.form.get("active") == "1"
    service.set_active(user, active, current_user)
    if active:
        flash(_("User %(name)s enabled.", name=user.username), "success")
    else:
        flash(_("User %(name)s disabled.", name=user.username), "warning")
    return redirect(url_for("admin.user_detail", user_id=user.id), code=303)


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@require(Perm.USERS_MANAGE)
def user_password(user_id: int):
    """Set a new password for a user (their other sessions end)."""
    user = service.load_user(user_id, current_user)
    form = PasswordResetForm()
    done = submit_form(
        form,
        lambda: service.reset_password(user, form.password.data, current_user),
        success=_("Password of %(name)s reset.", name=user.username),
        to=url_for("admin.user_detail", user_id=user.id),
    )
    return done or (render_template("admin/password.html", form=form, user=user), form_status(form))


@bp.post("/users/<int:user_id>/tokens")
@require(Perm.USERS_MANAGE)
def token_new(user_id: int):
    """Issue an API token and show it once (it is not stored, so not put in a redirect or flash)."""
    user = service.load_user(user_id, current_user)
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        secret = service.issue_token(user, name=form.name.data or "", actor=current_user)
    return _detail(user, form, secret), form_status(form), {"Cache-Control": "no-store"}


@bp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
@require(Perm.USERS_MANAGE)
def token_revoke(user_id: int, token_id: int):
    """Revoke one of the user's tokens."""
    user = service.load_user(user_id, current_user)
    service.revoke_token(service.load_token(user, token_id, current_user), current_user)
    flash(_("Token revoked."), "warning")
    return redirect(url_for("admin.user_detail", user_id=user_id), code=303)


@bp.get("/security")
@require(Perm.SECURITY_LOG_VIEW)
def security_log():
    """The security log: sign-ins, sign-outs, passwords, tokens, accounts, exports, refusals."""
    filters = SecurityLogFilterForm(request.args)
    filters.kind.choices = [("", _("All events"))] + [(k, str(v)) for k, v in security.KIND_LABELS.items()]
    filters.outcome.choices = [("", _("All outcomes"))] + [
        (k, str(v)) for k, v in security.OUTCOME_LABELS.items()
    ]
    filters.validate()

    def value(field):
        return None if field.errors or not field.data else field.data

    stmt = security.events_query(
        kind=value(filters.kind),
        outcome=value(filters.outcome),
        username=value(filters.user),
        address=value(filters.address),
        date_from=parsing.day(value(filters.date_from), required=False),
        date_to=parsing.day(value(filters.date_to), required=False),
    )
    page = db.paginate(
        stmt, page=page_arg(), per_page=current_app.config["SECURITY_LOG_PER_PAGE"], error_out=False
    )
    return render_template(
        "admin/security_log.html",
        page=page,
        filters=filters,
        kind_labels=security.KIND_LABELS,
        outcome_labels=security.OUTCOME_LABELS,
    )
