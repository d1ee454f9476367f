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
    CONTACTS_EDIT = "labs.contacts"  # a lab's contacts (lab managers: their own lab's)
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
    # The areas added later (issues 9-16); each area's policy.py decides the finer rules.
    SECURITY_LOG_VIEW = "security.view"  # the security log (admins)
    JOBS_VIEW = "jobs.view"  # one's own background jobs and notifications
    PERSONNEL_VIEW = "personnel.view"
    PERSONNEL_EDIT = "personnel.edit"  # a lab's people and authorisations (lab managers: their own)
    TRAINING_MANAGE = "training.manage"  # the province's training sessions and exams
    PLANNING_VIEW = "planning.view"  # risk grades, plans and draws, sanctions
    PLANNING_MANAGE = "planning.manage"  # make plans, draw, swap inspectors, grade
    SANCTIONS_MANAGE = "sanctions.manage"  # impose and lift sanctions
    APPLICATIONS_VIEW = "applications.view"
    APPLICATIONS_SUBMIT = "applications.submit"  # draft and submit (lab managers: their own lab)
    APPLICATIONS_DECIDE = "applications.decide"  # accept, return, review, assess, decide, certify
    RECORDS_VIEW = "records.view"  # controlled documents, surveys, complaints
    DOCUMENTS_EDIT = "documents.edit"  # draft and revise controlled documents (lab managers: their own)
    DOCUMENTS_APPROVE = "documents.approve"
    SURVEYS_MANAGE = "surveys.manage"
    COMPLAINTS_MANAGE = "complaints.manage"


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
    Perm.JOBS_VIEW,
    Perm.PERSONNEL_VIEW,
    Perm.PLANNING_VIEW,
    Perm.APPLICATIONS_VIEW,
    Perm.RECORDS_VIEW,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.ADMIN: frozenset(p for p in Perm if p is not Perm.PUBLIC),
    Role.QUALITY: frozenset(
        _READ
        | {
            Perm.LABS_EDIT,
            Perm.CONTACTS_EDIT,
            Perm.CATALOGUE_EDIT,
            Perm.SCOPE_EDIT,
            Perm.VERIFY,
            Perm.FINDINGS_MANAGE,
            Perm.ROUNDS_MANAGE,
            Perm.RESULTS_ENTER,
            Perm.PERSONNEL_EDIT,
            Perm.TRAINING_MANAGE,
            Perm.PLANNING_MANAGE,
            Perm.SANCTIONS_MANAGE,
            Perm.APPLICATIONS_DECIDE,
            Perm.DOCUMENTS_EDIT,
            Perm.DOCUMENTS_APPROVE,
            Perm.SURVEYS_MANAGE,
            Perm.COMPLAINTS_MANAGE,
        }
    ),
    Role.INSPECTOR: frozenset(
        _READ
        | {Perm.AUDITS_EDIT, Perm.FINDINGS_EDIT, Perm.VERIFY, Perm.RESULTS_ENTER, Perm.COMPLAINTS_MANAGE}
    ),
    # Lab managers read their own lab only: every query they reach is narrowed by lab.
    Role.LAB_MANAGER: frozenset(
        _READ
        | {
            Perm.CONTACTS_EDIT,
            Perm.AUDITS_EDIT,  # their own lab's self-inspections and internal audits (audits policy)
            Perm.FINDINGS_EDIT,  # the findings of those audits
            Perm.RECTIFY,
            Perm.RESULTS_ENTER,
            Perm.PERSONNEL_EDIT,
            Perm.APPLICATIONS_SUBMIT,
            Perm.DOCUMENTS_EDIT,
            Perm.DOCUMENTS_APPROVE,
        }
    ),
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


def require_any(*perms: Perm) -> Callable:
    """Declare a view that any of these permissions opens (a rectification step: the lab's, the
    verifier's or the quality department's); 401/login redirect if anonymous, 403 if none is held.

    `.permissions` lists them all; `.permission` is the first, so that every route still declares
    one `Perm` (the area's policy then decides which of them the request really needs).
    """
    if not perms or Perm.PUBLIC in perms:
        raise ValueError("require_any needs permissions other than PUBLIC")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not any(current_user.can(p) for p in perms):
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission = perms[0]  # read by the test that walks app.url_map
        wrapped.permissions = frozenset(perms)
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
