"""Account rules: authentication with lockout, creating users, issuing tokens."""

import math
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select

from labtrack.auth.models import ApiToken, User, hash_token
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.models_base import utcnow
from labtrack.services import Conflict, InvalidInput, act_as, commit


class LoginRefused(Exception):
    """Sign-in refused; the message is safe to show."""


def authenticate(username: str, password: str) -> User:
    """The user whose password matches; counts failures and locks the account after too many."""
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    now = utcnow()
    if user is not None and user.locked_until and user.locked_until > now:
        minutes = max(1, math.ceil((user.locked_until - now).total_seconds() / 60))
        raise LoginRefused(_("Too many failed sign-ins. Try again in %(minutes)d minutes.", minutes=minutes))
    if user is None or not user.check_password(password):
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
                user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
                user.failed_logins = 0
            commit()
        raise LoginRefused(_("Invalid username or password."))
    if not user.is_active:
        raise LoginRefused(_("This account is disabled."))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    commit()
    return user


def _check_role_and_lab(role: str, lab_code: str | None) -> Lab | None:
    errors: dict[str, list[str]] = {}
    if role not in {r.value for r in Role}:
        errors["role"] = [_("Unknown role.")]
    lab = None
    if role == Role.LAB_MANAGER:
        lab = db.session.scalar(select(Lab).where(Lab.code == lab_code)) if lab_code else None
        if lab is None:
            errors["lab_code"] = [_("A lab manager needs an existing laboratory.")]
    if errors:
        raise InvalidInput(_("The user could not be saved."), errors)
    return lab


def create_user(
    username: str,
    password: str,
    role: str,
    actor: Any = None,
    lab_code: str | None = None,
    full_name: str = "",
    email: str | None = None,
) -> User:
    """Create an account with a hashed password."""
    lab = _check_role_and_lab(role, lab_code)
    if db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        raise InvalidInput(_("The user could not be saved."), {"username": [_("This username is taken.")]})
    if len(password) < 10:
        raise InvalidInput(
            _("The user could not be saved."), {"password": [_("Use at least 10 characters.")]}
        )
    user = User(username=username, role=Role(role), lab=lab, full_name=full_name, email=email)
    user.set_password(password)
    act_as(actor)
    db.session.add(user)
    commit()
    return user


def update_user(user: User, actor: Any, **fields: Any) -> User:
    """Change a user's role, lab, names or active flag (and password if given)."""
    role = fields.get("role", user.role)
    lab_code = fields.get("lab_code", user.lab.code if user.lab else None)
    lab = _check_role_and_lab(role, lab_code)
    new_name = fields.get("username", user.username)
    clash = db.session.scalar(
        select(User.id).where(func.lower(User.username) == new_name.lower(), User.id != user.id)
    )
    if clash:
        raise InvalidInput(_("The user could not be saved."), {"username": [_("This username is taken.")]})
    _refuse_self_lockout(user, actor, fields.get("active", user.active), role)
    if fields.get("password") and len(fields["password"]) < 10:
        raise InvalidInput(
            _("The user could not be saved."), {"password": [_("Use at least 10 characters.")]}
        )
    user.username = new_name
    user.role = Role(role)
    user.lab = lab if role == Role.LAB_MANAGER else None
    for key in ("full_name", "email", "active"):
        if key in fields:
            setattr(user, key, fields[key])
    if fields.get("password"):
        user.set_password(fields["password"])
    act_as(actor)
    commit()
    return user


def reset_password(user: User, password: str, actor: Any) -> None:
    """Set a new password and lift any lockout."""
    if len(password or "") < 10:
        raise InvalidInput(
            _("The password was not changed."), {"password": [_("Use at least 10 characters.")]}
        )
    user.set_password(password)
    user.failed_logins = 0
    user.locked_until = None
    act_as(actor, comment="password reset")
    commit()


def issue_token(user: User, name: str = "", actor: Any = None) -> str:
    """Create an API token; the secret is returned once and only its hash is kept."""
    secret = ApiToken.new_secret()
    act_as(actor or user)
    db.session.add(ApiToken(user=user, token_hash=hash_token(secret), name=name))
    commit()
    return secret


def users_query(role: str | None = None, lab_code: str | None = None, q: str | None = None) -> Select:
    """Users filtered by role, lab and a search in username, name and e-mail, by username."""
    stmt = select(User).order_by(User.username)
    if role:
        stmt = stmt.where(User.role == role)
    if lab_code:
        stmt = stmt.join(Lab, User.lab_id == Lab.id).where(Lab.code == lab_code)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(User.username.ilike(like), User.full_name.ilike(like), User.email.ilike(like)))
    return stmt


def _refuse_self_lockout(user: User, actor: Any, active: bool, role: str) -> None:
    """An admin may not disable or demote themselves: nobody might be left to undo it."""
    if actor is None or getattr(actor, "id", None) != user.id:
        return
    if not active:
        raise Conflict(
            _("You cannot disable your own account."), {"active": [_("You cannot disable your own account.")]}
        )
    if role != Role.ADMIN and user.role == Role.ADMIN:
        raise Conflict(
            _("You cannot take away your own administrator role."),
            {"role": [_("You cannot take away your own administrator role.")]},
        )


def set_active(user: User, active: bool, actor: Any) -> User:
    """Disable or enable an account (a disabled user cannot sign in or use tokens)."""
    _refuse_self_lockout(user, actor, active, user.role)
    user.active = active
    if active:
        user.failed_logins = 0
        user.locked_until = None
    act_as(actor, comment="enabled" if active else "disabled")
    commit()
    return user


def revoke_token(token: ApiToken, actor: Any) -> ApiToken:
    """Stop a token from working (it stays listed, revoked)."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        act_as(actor, comment="token revoked")
        commit()
    return token


def change_own_password(user: User, current: str, new: str) -> None:
    """A user's own password change: the current password must be right."""
    if not user.check_password(current):
        raise InvalidInput(
            _("The password was not changed."), {"current": [_("The current password is wrong.")]}
        )
    if len(new) < 10:
        raise InvalidInput(
            _("The password was not changed."), {"password": [_("Use at least 10 characters.")]}
        )
    user.set_password(new)
    act_as(user, comment="password changed")
    commit()


def set_locale(user: User, locale: str | None) -> None:
    """Remember the user's interface language (None: follow the browser)."""
    if locale is not None and locale not in current_app.config["LANGUAGES"]:
        raise InvalidInput(_("Unknown language."), {"locale": [_("Unknown language.")]})
    if user.locale == locale:  # (reading it also loads the old value for the history row)
        return
    user.locale = locale
    act_as(user)
    commit()
