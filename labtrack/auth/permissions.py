"""The one permission mechanism: roles, what each may do, and the view decorators."""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user

from labtrack.extensions import login_manager


class Role(StrEnum):
    """What a user is in the programme; decides what they may do and see."""

    ADMIN = "admin"
    QUALITY = "quality"
    INSPECTOR = "inspector"
    LAB_MANAGER = "lab_manager"
    VIEWER = "viewer"


class Perm(StrEnum):
    """Named capabilities that views and API endpoints declare."""

    PUBLIC = "public"  # no login needed (login page, static files, language switch)
    LOGIN = "login"  # any signed-in user (dashboard, own profile)
    LABS_VIEW = "labs.view"
    LABS_EDIT = "labs.edit"
    USERS_MANAGE = "users.manage"
    CATALOGUE_VIEW = "catalogue.view"
    CATALOGUE_EDIT = "catalogue.edit"
    SCOPE_VIEW = "scope.view"
    SCOPE_EDIT = "scope.edit"
    GROWTH_VIEW = "growth.view"
    AUDITS_VIEW = "audits.view"
    AUDITS_EDIT = "audits.edit"
    FINDINGS_VIEW = "findings.view"
    FINDINGS_EDIT = "findings.edit"  # raise and edit findings
    RECTIFY = "findings.rectify"  # submit plans and evidence (lab managers)
    VERIFY = "findings.verify"  # accept / reject plans and evidence, close
    FINDINGS_MANAGE = "findings.manage"  # cancel, extend deadlines, reopen
    ROUNDS_VIEW = "rounds.view"
    ROUNDS_MANAGE = "rounds.manage"  # create, edit, evaluate, publish
    RESULTS_ENTER = "rounds.results"
    REPORTS_VIEW = "reports.view"
    HISTORY_VIEW = "history.view"


_READ = {
    Perm.LOGIN,
    Perm.LABS_VIEW,
    Perm.CATALOGUE_VIEW,
    Perm.SCOPE_VIEW,
    Perm.GROWTH_VIEW,
    Perm.AUDITS_VIEW,
    Perm.FINDINGS_VIEW,
    Perm.ROUNDS_VIEW,
    Perm.REPORTS_VIEW,
    Perm.HISTORY_VIEW,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.ADMIN: frozenset(p for p in Perm if p is not Perm.PUBLIC),
    Role.QUALITY: frozenset(
        _READ
        | {
            Perm.LABS_EDIT,
            Perm.CATALOGUE_EDIT,
            Perm.SCOPE_EDIT,
            Perm.VERIFY,
            Perm.FINDINGS_MANAGE,
            Perm.ROUNDS_MANAGE,
            Perm.RESULTS_ENTER,
        }
    ),
    Role.INSPECTOR: frozenset(
        _READ | {Perm.AUDITS_EDIT, Perm.FINDINGS_EDIT, Perm.VERIFY, Perm.RESULTS_ENTER}
    ),
    # Lab managers read their own lab only: every query they reach is narrowed by lab.
    Role.LAB_MANAGER: frozenset(_READ | {Perm.RECTIFY, Perm.RESULTS_ENTER}),
    Role.VIEWER: frozenset(_READ),
}


def role_can(role: str | Role, perm: Perm) -> bool:
    """Whether a role holds a permission."""
    try:
        return perm in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False


def require(perm: Perm) -> Callable:
    """Declare the permission a view needs: 401/login redirect if anonymous, 403 if lacking."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if perm is not Perm.PUBLIC:
                if not current_user.is_authenticated:
                    return login_manager.unauthorized()
                if not current_user.can(perm):
                    abort(403)
            return view(*args, **kwargs)

        wrapped.permission = perm  # read by the test that walks app.url_map
        return wrapped

    return decorator


def public(view: Callable) -> Callable:
    """Declare a view that needs no login."""
    return require(Perm.PUBLIC)(view)


def lab_scope_id() -> int | None:
    """The lab the current user is confined to, or None when they see every lab."""
    from labtrack.auth.policy import confined_lab

    return confined_lab(current_user) if current_user.is_authenticated else None


def can_see_lab(lab_id: int | None) -> bool:
    """Whether the current user may see records of this lab."""
    scope = lab_scope_id()
    return scope is None or scope == lab_id


def restrict_to_lab(stmt, lab_id_column):
    """Narrow a select to the current user's lab when they are a lab manager."""
    scope = lab_scope_id()
    return stmt if scope is None else stmt.where(lab_id_column == scope)
