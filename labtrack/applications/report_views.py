"""The applications report: by kind and stage, working days per step, on time, grant rate, items
granted per month by region, and where a period's growth came from (CSV/XLSX with ?format=)."""

from datetime import date

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from labtrack.applications import policy, reports
from labtrack.applications.blueprint import bp
from labtrack.auth.permissions import Perm, require
from labtrack.auth.policy import confined_lab
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.labs.service import regions
from labtrack.models_base import today
from labtrack.parsing import code_key
from labtrack.tabular import export_response


def _date(name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return default


@bp.get("/report")
@require(Perm.REPORTS_VIEW)
def report():
    """Figures of the period (default: this year so far) for a region or everyone."""
    on = today()
    date_to = _date("to", on)
    date_from = _date("from", date(date_to.year, 1, 1))
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    region = request.args.get("region") or None
    scope = confined_lab(current_user)
    lab = None
    if request.args.get("lab"):
        lab = db.session.scalar(select(Lab).where(Lab.code_key == code_key(request.args["lab"])))
        if lab is not None and not policy.sees_lab(current_user, lab):
            lab = None
    lab_id = scope if scope is not None else (lab.id if lab else None)
    figures = reports.figures(date_from, date_to, region, lab_id)
    if request.args.get("format") in ("csv", "xlsx"):
        name = f"applications-{date_from.isoformat()}-{date_to.isoformat()}"
        return export_response(
            request.args["format"], name, reports.EXPORT_HEADER, reports.export_rows(figures)
        )
    return render_template(
        "applications/report.html",
        f=figures,
        sources=reports.sources(date_from, date_to, lab_id, region),
        regions=regions(current_user) if policy.sees_every_lab(current_user) else [],
        lab=lab,
    )
