"""Shared checks of the audits area: who may see what, field parsing that collects errors, saving."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from labtrack.audits import workflow
from labtrack.audits.models import Audit, Finding
from labtrack.extensions import db
from labtrack.services import Conflict, commit

TEXT_MAX = 10_000


def role_of(actor: Any) -> str:
    """The actor's role as text (empty for the system)."""
    return str(getattr(actor, "role", "") or "")


def own_lab(actor: Any, lab_id: int) -> bool:
    """Whether the lab is the actor's own, or the actor is not confined to one lab."""
    return role_of(actor) != workflow.LAB_MANAGER or getattr(actor, "lab_id", None) == lab_id


def may_see(actor: Any, finding_or_audit: Finding | Audit) -> bool:
    """Lab managers see only their own lab's audits and findings; everyone else sees all."""
    return own_lab(actor, finding_or_audit.lab_id)


def text_field(
    data: dict, key: str, errors: dict, required: bool = True, limit: int = TEXT_MAX
) -> str | None:
    """Text from `data[key]`, trimmed and bounded; problems go into `errors`."""
    value = data.get(key)
    value = value.strip() if isinstance(value, str) else value
    if value in (None, ""):
        if required:
            errors.setdefault(key, []).append(_("This field is required."))
        return None
    if not isinstance(value, str):
        errors.setdefault(key, []).append(_("Must be text."))
        return None
    if len(value) > limit:
        errors.setdefault(key, []).append(_("At most %(n)d characters.", n=limit))
        return None
    return value


def date_field(data: dict, key: str, errors: dict, required: bool = True) -> date | None:
    """An ISO date from `data[key]`; problems go into `errors`."""
    value = data.get(key)
    if value in (None, ""):
        if required:
            errors.setdefault(key, []).append(_("This field is required."))
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.setdefault(key, []).append(_("Not a date (YYYY-MM-DD)."))
        return None


def choice_field(
    data: dict, key: str, allowed: Iterable[str], errors: dict, required: bool = True
) -> str | None:
    """One of the allowed values from `data[key]`; problems go into `errors`."""
    value = data.get(key)
    if value in (None, ""):
        if required:
            errors.setdefault(key, []).append(_("This field is required."))
        return None
    if str(value) not in set(allowed):
        errors.setdefault(key, []).append(_("Not one of the allowed values."))
        return None
    return str(value)


def save(change: Any = None) -> None:
    """Make the change and commit; a concurrent save that bumped the version first is refused."""
    try:
        if callable(change):
            change()
        commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise Conflict(
            _("Someone else saved this finding meanwhile. Reload it to see their change, then try again."),
            {"version": [_("The finding has changed since you read it.")]},
        ) from exc


def check_version(finding: Finding, version: Any) -> None:
    """Refuse (409) a save based on a version other than the finding's current one."""
    if version is not None and str(version) != str(finding.version):
        raise Conflict(
            _("Someone else saved this finding meanwhile. Reload it to see their change, then try again."),
            {"version": [_("The finding has changed since you read it.")]},
        )
