"""Pages of risk grades: the planning overview, every lab's grade, one lab's grade explained, the
distribution and movement report, the risk-warning list, recomputing."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from labtrack.auth.permissions import Perm, require
from labtrack.extensions import db
from labtrack.jobs import exports, report_exports
from labtrack.jobs import service as jobs_service
from labtrack.labs.models import LAB_KIND_LABELS, Lab
from labtrack.labs.service import load_lab, regions
from labtrack.models_base import today
from labtrack.planning import grading, plans, policy, reports, risk, sanctions
from labtrack.planning.blueprint import bp, date_arg
from labtrack.planning.forms import ActionForm
from labtrack.planning.schemas import dump_risk
from labtrack.planning.tasks import JOB_KIND
from labtrack.services import Forbidden, NotFound
from labtrack.tabular import export_response
from labtrack.web import page_arg


@bp.get("/")
@require(Perm.PLANNING_VIEW)
def index():
    """Planning at a glance: grades, warnings, this year's plans, sanctions in force (a lab
    manager: their own lab's grade and sanctions)."""
    if policy.is_own_lab_only(current_user):
        lab = db.session.get(Lab, current_user.lab_id)
        if lab is None:
            raise NotFound(_("No such %(what)s.", what=_("laboratory")))
        return lab_risk(lab.code)
    on = today()
    return render_template(
        "planning/index.html",
        distribution=reports.distribution(current_user, on),
        warnings=reports.warnings(current_user, limit=10),
        plans=db.session.scalars(plans.plans_query(current_user, year=on.year)).all(),
        in_force=db.session.scalars(
            sanctions.sanctions_query(current_user, status="in_force").limit(10)
        ).all(),
        grades="ABCD",
    )


@bp.get("/risk")
@require(Perm.PLANNING_VIEW)
def risk_list():
    """Every lab's current grade, highest points first, filtered by grade, region, kind (CSV or
    XLSX with ?format=; a national list as a job)."""
    fmt = request.args.get("format")
    if fmt:
        return _risk_export(fmt)
    grade = request.args.get("grade") or None
    region = request.args.get("region") or None
    kind = request.args.get("kind") or None
    stmt = reports.current_list(current_user, grade if grade in ("A", "B", "C", "D") else None, region, kind)
    page = db.paginate(
        stmt, page=page_arg(), per_page=current_app.config.get("PER_PAGE", 50), error_out=False
    )
    return render_template(
        "planning/risk.html",
        page=page,
        regions=regions(current_user),
        kinds=LAB_KIND_LABELS,
        weights=risk.weights_table(),
        thresholds=risk.thresholds_text(),
        form=ActionForm(),
        filters={"grade": grade, "region": region, "kind": kind},
    )


def _risk_export(fmt: str):
    """The risk list's export: inline up to EXPORT_INLINE_ROWS rows, else a job."""
    if fmt not in exports.FORMATS:
        raise NotFound(_("No such %(what)s.", what=_("export format")))
    args = report_exports.query_args(request.args)
    if report_exports.risk_count(current_user, args) > exports.inline_limit():
        job = exports.start(current_user, "risk", fmt, args)
        return redirect(url_for("jobs.detail", job_id=job.id), code=303)
    table = report_exports.risk_table(current_user, args)
    return export_response(fmt, table.basename, table.header, table.rows)


@bp.get("/labs/<code>")
@require(Perm.PLANNING_VIEW)
def lab_risk(code):
    """One lab's grade explained (inputs and points), its gradings over time, its sanctions."""
    lab = load_lab(code, current_user)
    if not policy.sees_grade(current_user, lab.id):
        raise NotFound(_("No such %(what)s.", what=_("laboratory")))
    current = grading.current_grading(lab.id)
    return render_template(
        "planning/lab.html",
        lab=lab,
        current=current,
        data=dump_risk(current) if current else None,
        reasons=risk.reasons(current.inputs) if current else [],
        labels=risk.INPUT_LABELS,
        history=grading.gradings_of(lab.id),
        sanctions=db.session.scalars(sanctions.sanctions_query(current_user, lab=lab.code)).all(),
        weights=risk.weights_table(),
        thresholds=risk.thresholds_text(),
        form=ActionForm(),
        on=today(),
    )


@bp.post("/labs/<code>/grade")
@require(Perm.PLANNING_MANAGE)
def grade_lab(code):
    """Recompute one lab's grade now."""
    lab = load_lab(code, current_user)
    form = ActionForm()
    if form.validate_on_submit():
        result = grading.grade_one(current_user, lab)
        flash(_("Risk grade recomputed: %(grade)s.", grade=result.grade), "success")
    return redirect(url_for("planning.lab_risk", code=lab.code), code=303)


@bp.post("/risk/grade")
@require(Perm.PLANNING_MANAGE)
def grade_everyone():
    """Grade every laboratory as a background job; answers the job's page."""
    form = ActionForm()
    if not form.validate_on_submit():
        return redirect(url_for("planning.risk_list"), code=303)
    if not policy.may_grade(current_user):
        raise Forbidden(_("You may not recompute risk grades."))
    job = jobs_service.start(current_user, JOB_KIND, {"on": today().isoformat()}, None)
    return redirect(url_for("jobs.detail", job_id=job.id), code=303)


@bp.get("/risk/report")
@require(Perm.PLANNING_VIEW)
def risk_report():
    """The grade distribution on a day and the movement between two days, by region or lab kind."""
    on = today()
    by = reports.check_by(request.args.get("by"))
    date_to = date_arg("to", on)
    date_from = date_arg("from", grading.months_before(date_to, 12))
    movement = reports.movement(current_user, date_from, date_to, by) if date_from < date_to else None
    return render_template(
        "planning/report.html",
        by=by,
        date_from=date_from,
        date_to=date_to,
        distribution=reports.distribution(current_user, date_to, by),
        movement=movement,
        grades="ABCD",
    )


@bp.get("/risk/warnings")
@require(Perm.PLANNING_VIEW)
def risk_warnings():
    """The risk-warning list: labs graded D, and labs that worsened to C."""
    return render_template("planning/warnings.html", warnings=reports.warnings(current_user))
