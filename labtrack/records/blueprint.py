"""The records area's blueprint (its pages are in views.py, document_views.py, survey_views.py and
complaint_views.py) and what its views share."""

from flask import Blueprint, request
from sqlalchemy import select

from labtrack.auth.policy import narrow
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.records import policy

bp = Blueprint("records", __name__, url_prefix="/records")
bp.add_app_template_global(policy, "records_policy")
PER_PAGE = 25


def arg(name: str) -> str | None:
    """A query argument, trimmed (None when empty)."""
    value = request.args.get(name, "").strip()
    return value or None


def lab_choices(actor, bureau_label=None) -> list[tuple[str, str]]:
    """(code, "code name") of every lab the actor may see, for a select; the bureau first if labelled."""
    stmt = narrow(select(Lab.code, Lab.name).order_by(Lab.code), Lab.id, actor)
    choices = [(code, f"{code} {name}") for code, name in db.session.execute(stmt)]
    return ([("", str(bureau_label))] if bureau_label else []) + choices
