"""The applications area's blueprint (pages under /applications) and what its templates share."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from labtrack.applications import policy
from labtrack.applications.values import (
    DECISION_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    STATUS_STYLES,
    STEP_LABELS,
)
from labtrack.extensions import db
from labtrack.models_base import today
from labtrack.scope.models import BASIS_LABELS
from labtrack.templating import HISTORY_TABLE_LABELS

bp = Blueprint("applications", __name__, url_prefix="/applications")
# What the history of a record calls the applications tables (the core's table is extended).
HISTORY_TABLE_LABELS.update(
    {
        "applications": _l("application"),
        "application_items": _l("item asked for"),
        "application_assessors": _l("assessment team member"),
        "application_clocks": _l("clock"),
        "application_steps": _l("step"),
        "application_finding_items": _l("item a finding concerns"),
        "calendar_years": _l("calendar year"),
        "calendar_days": _l("calendar day"),
    }
)
bp.add_app_template_global(policy, "applications_policy")
bp.add_app_template_global(STATUS_STYLES, "application_status_styles")
bp.add_app_template_global(STATUS_LABELS, "application_status_labels")
bp.add_app_template_global(KIND_LABELS, "application_kind_labels")
bp.add_app_template_global(DECISION_LABELS, "application_decision_labels")
bp.add_app_template_global(STEP_LABELS, "application_step_labels")
bp.add_app_template_global(BASIS_LABELS, "application_basis_labels")


@bp.app_template_global("applications_lab_panel")
def lab_panel(lab) -> dict:
    """What a lab's page shows of its applications: the latest few with where they stand."""
    from labtrack.applications.models import Application

    if not policy.sees_lab(current_user, lab):
        return {}
    stmt = (
        select(Application)
        .where(Application.lab_id == lab.id)
        .order_by(Application.updated_at.desc(), Application.id.desc())
        .limit(5)
    )
    return {
        "applications": list(db.session.scalars(stmt)),
        "may_apply": policy.may_apply_for(current_user, lab),
    }


@bp.app_template_global("applications_dashboard")
def dashboard() -> dict:
    """The home page's card: applications open, waiting for the reader's side, overdue clocks."""
    from labtrack.applications import service

    if not policy.sees_applications(current_user):
        return {}
    on = today()

    def count(**filters) -> int:
        stmt = service.applications_query(current_user, on=on, **filters).order_by(None)
        return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0

    return {
        "open": count(status="open"),
        "waiting": count(status="waiting"),
        "overdue": count(overdue=True),
    }


@bp.app_template_global("applications_granting")
def granting(lab, date_from, date_to) -> dict:
    """Item code -> the application whose decision granted the lab that item in (A, B] (for the
    growth page's items added); empty when the reader may not see the lab's applications."""
    from labtrack.applications.models import Application, ApplicationItem
    from labtrack.scope.models import ScopeEntry, TestItem

    if lab is None or not policy.sees_lab(current_user, lab):
        return {}
    stmt = (
        select(TestItem.code, Application)
        .select_from(ApplicationItem)
        .join(Application, ApplicationItem.application_id == Application.id)
        .join(ScopeEntry, ApplicationItem.scope_entry_id == ScopeEntry.id)
        .join(TestItem, ScopeEntry.item_id == TestItem.id)
        .where(
            ScopeEntry.lab_id == lab.id,
            ApplicationItem.outcome == "granted",
            ScopeEntry.granted_on > date_from,
            ScopeEntry.granted_on <= date_to,
        )
    )
    return {code: application for code, application in db.session.execute(stmt)}
