"""Account rules: authentication (throttled in `security`), creating and changing users, passwords, API tokens.

Every change takes the acting user (`actor`; None for the system: the command line, the demo) and
asks `labtrack.auth.policy`; values are parsed with `labtrack.parsing` (the form refuses the same);
changes are written inside one `transaction`.
"""

import re
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select

from labtrack import parsing
from labtrack.auth import policy, security
from labtrack.auth.models import ApiToken, User, hash_token
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.models_base import utcnow
from labtrack.parsing import Fields
from labtrack.services import Conflict, Forbidden, InvalidInput, load, transaction

USERNAME_MIN, USERNAME_MAX = 3, 64
FULL_NAME_MAX = parsing.SHORT_MAX
EMAIL_MAX = 254
PASSWORD_MIN, PASSWORD_MAX = 10, 128
TOKEN_LABEL_MAX = 80
_USERNAME = re.compile(r"^[A-Za-z0-9._-]+$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


class LoginRefused(Exception):
    """Sign-in refused; the message is safe to show."""


# --- values ----------------------------------------------------------------------------------


def parse_username(value: Any, *, required: bool = True) -> str | None:
    """A username: 3 to 64 ASCII letters, digits, '.', '-' or '_' (it is typed at every sign-in)."""
    value = parsing.text(value, required=required, max_len=USERNAME_MAX, multiline=False)
    if value is None:
        return None
    if len(value) < USERNAME_MIN or not _USERNAME.match(value):
        raise parsing.ParseError(_l("3 to 64 letters, digits, dot, dash and underscore."))
    return value


def parse_full_name(value: Any, *, required: bool = False) -> str | None:
    """A person's name, one line."""
    return parsing.name(value, required=required, max_len=FULL_NAME_MAX)


def parse_email(value: Any, *, required: bool = False) -> str | None:
    """An e-mail address (its shape only)."""
    value = parsing.text(value, required=required, max_len=EMAIL_MAX, multiline=False)
    if value is not None and not _EMAIL.match(value):
        raise parsing.ParseError(_l("Invalid e-mail address."))
    return value


def parse_password(value: Any, *, required: bool = True) -> str | None:
    """A new password: 10 to 128 characters (kept only as a salted hash)."""
    if parsing.is_blank(value):
        if required:
            raise parsing.ParseError(_l("This field is required."))
        return None
    if not isinstance(value, str):
        raise parsing.ParseError(_l("Must be text."))
    if len(value) < PASSWORD_MIN:
        raise parsing.ParseError(_l("Use at least 10 characters."))
    if len(value) > PASSWORD_MAX:
        raise parsing.ParseError(_l("At most %(n)d characters.", n=PASSWORD_MAX))
    return value


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


# --- signing in ------------------------------------------------------------------------------


def authenticate(name: str, secret: str) -> User:
    """The user whose password matches. Failed checks are throttled per account and address
    (`security.Throttled`), never locking the account; an unknown name costs the same time and
    gets the same answer as a wrong password. Every outcome goes to the security log."""
    try:
        clean = parsing.text(name, max_len=USERNAME_MAX, multiline=False)
    except parsing.ParseError:
        clean = None  # no account has such a name (and PostgreSQL refuses NUL in a query)
    typed = (clean or "")[:USERNAME_MAX]
    try:
        security.check_throttle(typed)
    except security.Throttled:
        security.record(security.Kind.LOGIN, "throttled", username=typed)
        raise
    user = (
        db.session.scalar(select(User).where(func.lower(User.username) == clean.lower())) if clean else None
    )
    if user is None:
        security.spend_like_a_check(secret)
    if user is None or not user.check_password(secret):
        security.count_failure(typed)
        security.record(security.Kind.LOGIN, "failure", user=user, username=typed)
        raise LoginRefused(_("Invalid username or password."))
    if not user.is_active:
        security.record(security.Kind.LOGIN, "refused", user=user, detail="account disabled")
        raise LoginRefused(_("This account is disabled."))
    security.clear_failures(typed)
    with transaction(user):
        user.last_login_at = utcnow()
    security.record(security.Kind.LOGIN, "success", user=user)
    return user


def throttled_message(exc: security.Throttled) -> str:
    """What a throttled user reads (the same for every account, known or not)."""
    return security.throttled_message(exc.retry_after)


def end_sessions(user: User) -> None:
    """Every session and remember-me cookie of this user stops working (inside a transaction)."""
    user.session_version = (user.session_version or 0) + 1


def sign_out(user: User) -> None:
    """Signing out ends every session of the user (a copied cookie included)."""
    with transaction(user, "signed out"):
        end_sessions(user)
    security.record(security.Kind.LOGOUT, user=user)


def record_token_use(token: ApiToken) -> None:
    """Note when a token was last used (at most once an hour, so requests do not all write)."""
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(hours=1):
        with transaction(token.user):
            token.last_used_at = now
        security.record(security.Kind.TOKEN_USED, user=token.user, detail=token.name)


# --- users -----------------------------------------------------------------------------------


def load_user(user_id: Any, actor: Any) -> User:
    """An account the actor may see (those who manage users, or the user themselves); else NotFound."""
    return load(User, user_id, visible=lambda u: policy.sees_user(actor, u), what=_("user"))


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


def _parse_account(data: dict[str, Any], user: User | None) -> dict[str, Any]:
    """Clean values of the account fields given; InvalidInput with every field's error."""
    new = user is None
    f = Fields(data)
    clean: dict[str, Any] = {}
    if new or "username" in data:
        clean["username"] = f.get("username", parse_username)
    if new or "role" in data:
        clean["role"] = f.get("role", parsing.choice, [r.value for r in policy.roles()])
    role = clean.get("role") or (user.role if user else None)
    if "full_name" in data:
        clean["full_name"] = f.get("full_name", parse_full_name) or ""
    if "email" in data:
        clean["email"] = f.get("email", parse_email)
    if "active" in data:
        clean["active"] = f.get("active", parsing.boolean)
    if new or data.get("password"):
        clean["password"] = f.get("password", parse_password)
    if role is not None and policy.manages_one_lab(role):
        code = data.get("lab_code", user.lab.code if user and user.lab else None)
        lab = (
            db.session.scalar(select(Lab).where(Lab.code == code)) if isinstance(code, str) and code else None
        )
        if lab is None:
            f.add("lab_code", _("A lab manager needs an existing laboratory."))
        clean["lab"] = lab
    elif role is not None:
        clean["lab"] = None
    name = clean.get("username")
    if name and "username" not in f.errors:
        clash = db.session.scalar(
            select(User.id).where(
                func.lower(User.username) == name.lower(), User.id != (user.id if user else -1)
            )
        )
        if clash is not None:
            f.add("username", _("This username is taken."))
    f.raise_if_any(_("The user could not be saved."))
    return clean


def _refuse_self_lockout(user: User, actor: Any, clean: dict[str, Any]) -> None:
    """An admin may not disable or demote themselves: nobody might be left to undo it."""
    if clean.get("active") is False and not policy.may_disable(actor, user):
        message = _("You cannot disable your own account.")
        raise InvalidInput(message, {"active": [message]})
    if "role" in clean and not policy.may_give_role(actor, user, clean["role"]):
        message = _("You cannot take away your own administrator role.")
        raise InvalidInput(message, {"role": [message]})


def create_user(
    username: str,
    password: str,
    role: str,
    actor: Any = None,
    lab_code: str | None = None,
    full_name: str = "",
    email: str | None = None,
    active: bool = True,
) -> User:
    """Create an account with a hashed password (and a lab for lab managers)."""
    _require(policy.may_manage_users(actor), _("You may not manage users."))
    data = {
        "username": username,
        "password": password,
        "role": role,
        "lab_code": lab_code,
        "full_name": full_name,
        "email": email,
        "active": active,
    }
    clean = _parse_account(data, None)
    secret = clean.pop("password")
    with transaction(actor):
        user = User(**{**clean, "role": Role(clean["role"])})
        user.set_password(secret)
        db.session.add(user)
    return user


def update_user(user: User, actor: Any, **fields: Any) -> User:
    """Change a user's username, role, lab, names, e-mail or active flag (and password if given)."""
    _require(policy.may_manage_users(actor), _("You may not manage users."))
    clean = _parse_account(fields, user)
    _refuse_self_lockout(user, actor, clean)
    secret = clean.pop("password", None)
    with transaction(actor):
        for key, value in clean.items():
            setattr(user, key, Role(value) if key == "role" else value)
        if secret:
            user.set_password(secret)
        if secret or clean.get("active") is False:
            end_sessions(user)
    if secret:
        security.record(security.Kind.PASSWORD_RESET, user=user, actor=actor)
    if clean.get("active") is False:
        security.record(security.Kind.ACCOUNT_DISABLED, user=user, actor=actor)
    return user


def reset_password(user: User, new: str, actor: Any) -> None:
    """Set a new password (every other session of the user ends)."""
    _require(policy.may_manage_users(actor), _("You may not manage users."))
    f = Fields({"password": new})
    secret = f.get("password", parse_password)
    f.raise_if_any(_("The password was not changed."))
    with transaction(actor, "password reset"):
        user.set_password(secret)
        end_sessions(user)
    security.record(security.Kind.PASSWORD_RESET, user=user, actor=actor)


def set_active(user: User, active: bool, actor: Any) -> User:
    """Disable or enable an account (a disabled user cannot sign in or use tokens); never one's own."""
    _require(policy.may_manage_users(actor), _("You may not manage users."))
    _refuse_self_lockout(user, actor, {"active": bool(active)})
    with transaction(actor, "enabled" if active else "disabled"):
        user.active = bool(active)
        if not active:
            end_sessions(user)
    kind = security.Kind.ACCOUNT_ENABLED if active else security.Kind.ACCOUNT_DISABLED
    security.record(kind, user=user, actor=actor)
    return user


# --- API tokens ------------------------------------------------------------------------------


def load_token(user: User, token_id: Any, actor: Any) -> ApiToken:
    """One of this user's tokens, if the actor may revoke it; else NotFound."""
    return load(
        ApiToken,
        token_id,
        visible=lambda t: t.user_id == user.id and policy.may_revoke_token(actor, t),
        what=_("token"),
    )


def issue_token(user: User, name: str = "", actor: Any = None) -> str:
    """Create an API token; the secret is returned once and only its hash is kept."""
    if not user.active:
        raise Conflict(_("A disabled account cannot be given a token."))
    _require(policy.may_issue_token(actor, user), _("You may not issue tokens for this account."))
    f = Fields({"name": name})
    label = f.get("name", parsing.name, required=False, max_len=TOKEN_LABEL_MAX) or ""
    f.raise_if_any(_("The token was not issued."))
    secret = ApiToken.new_secret()
    with transaction(actor or user):
        db.session.add(ApiToken(user=user, token_hash=hash_token(secret), name=label))
    security.record(security.Kind.TOKEN_CREATED, user=user, actor=actor, detail=label)
    return secret


def revoke_token(token: ApiToken, actor: Any) -> ApiToken:
    """Stop a token from working (it stays listed, revoked)."""
    _require(policy.may_revoke_token(actor, token), _("You may not revoke this token."))
    if token.revoked_at is None:
        with transaction(actor, "token revoked"):
            token.revoked_at = utcnow()
        security.record(security.Kind.TOKEN_REVOKED, user=token.user, actor=actor, detail=token.name)
    return token


# --- one's own account -----------------------------------------------------------------------


def change_own_password(user: User, current: str, new: str) -> None:
    """A user's own password change: the current password must be right."""
    f = Fields({"password": new})
    secret = f.get("password", parse_password)
    try:
        right = security.verify_password(user, current or "", security.Kind.PASSWORD_CHANGED)
    except security.Throttled as exc:
        f.add("current", throttled_message(exc))
        right = True
    if not right:
        f.add("current", _("The current password is wrong."))
    f.raise_if_any(_("The password was not changed."))
    with transaction(user, "password changed"):
        user.set_password(secret)
        end_sessions(user)
    security.record(security.Kind.PASSWORD_CHANGED, user=user)


def set_locale(user: User, locale: str | None) -> None:
    """Remember the user's interface language (None: follow the browser)."""
    if locale is not None and locale not in current_app.config["LANGUAGES"]:
        raise InvalidInput(_("Unknown language."), {"locale": [_("Unknown language.")]})
    if user.locale == locale:  # (reading it also loads the old value for the history row)
        return
    with transaction(user):
        user.locale = locale


def update_own_account(user: User, actor: Any, current: str, new: str | None, locale: str | None) -> User:
    """The account page: a new password (with the current one) and the interface language."""
    _require(policy.may_change_own_account(actor, user), _("You may only change your own account."))
    with transaction(user):
        if new:
            change_own_password(user, current, new)
        if locale != user.locale:
            set_locale(user, locale)
    return user
