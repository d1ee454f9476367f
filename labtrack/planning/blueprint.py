"""The planning area's blueprint (pages under /planning) and what its templates share."""

from datetime import date

from flask import Blueprint, request
from flask_login import current_user

from labtrack.models_base import today
from labtrack.planning import policy, risk
from labtrack.planning.values import GRADE_LABELS, GRADE_STYLES, SANCTION_KIND_LABELS

bp = Blueprint("planning", __name__, url_prefix="/planning")
bp.add_app_template_global(policy, "planning_policy")
bp.add_app_template_global(GRADE_STYLES, "grade_styles")
bp.add_app_template_global(GRADE_LABELS, "grade_labels")
bp.add_app_template_global(SANCTION_KIND_LABELS, "sanction_kind_labels")
bp.add_app_template_global(risk.explain, "risk_explain")


def date_arg(name: str, default: date | None = None) -> date | None:
    """A date from the query string (the default when absent or not a date)."""
    try:
        return date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return default


@bp.app_template_global("planning_lab_panel")
def lab_panel(lab) -> dict:
    """What a lab's page shows of planning: its grade and its sanctions in force (if the reader may)."""
    from labtrack.planning.grading import current_grading
    from labtrack.planning.sanctions import in_force

    if not policy.sees_grade(current_user, lab.id):
        return {}
    return {"grading": current_grading(lab.id), "sanctions": in_force(lab.id, today())}


@bp.app_template_global("planning_dashboard")
def dashboard() -> dict:
    """The home page's planning card: grades by letter, warnings, sanctions in force."""
    from sqlalchemy import func, select

    from labtrack.extensions import db
    from labtrack.planning.models import RiskGrading, Sanction
    from labtrack.planning.reports import warnings
    from labtrack.planning.sanctions import in_force_on

    if not policy.sees_planning(current_user):
        return {}
    grades = (
        select(RiskGrading.grade, func.count())
        .where(RiskGrading.current.is_(True))
        .group_by(RiskGrading.grade)
    )
    grades = policy.narrow_labs(grades, RiskGrading.lab_id, current_user)
    in_force = select(func.count()).select_from(Sanction).where(in_force_on(today()))
    in_force = policy.narrow_labs(in_force, Sanction.lab_id, current_user)
    return {
        "grades": dict(db.session.execute(grades).all()),
        "warnings": len(warnings(current_user)),
        "sanctions": db.session.scalar(in_force) or 0,
    }
