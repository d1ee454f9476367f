"""Pages of the audits area: audits, findings and their rectification, work queues, figures."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from labtrack.audits import checks, evidence, figures, rectification, service, workflow
from labtrack.audits.forms import (
    STEP_FORMS,
    AuditForm,
    ExtendForm,
    FindingForm,
    ReasonForm,
    UploadForm,
)
from labtrack.audits.models import (
    AREA_LABELS,
    AUDIT_KIND_LABELS,
    AUDIT_STATUS_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    Audit,
)
from labtrack.auth.models import User
from labtrack.auth.permissions import Perm, Role, lab_scope_id, require
from labtrack.extensions import db
from labtrack.forms import apply_errors
from labtrack.history.service import history_for
from labtrack.labs.models import Lab
from labtrack.labs.service import regions
from labtrack.models_base import today
from labtrack.services import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from labtrack.tabular import export_response

bp = Blueprint("audits", __name__, url_prefix="/audits")

LABELS = {
    "kinds": AUDIT_KIND_LABELS,
    "audit_statuses": AUDIT_STATUS_LABELS,
    "severities": SEVERITY_LABELS,
    "areas": AREA_LABELS,
    "statuses": STATUS_LABELS,
}


# --- helpers ---------------------------------------------------------------------------------


def _or_404(fn, *args):
    try:
        return fn(current_user, *args)
    except NotFound:
        abort(404)


def _uploads(name: str = "files") -> list[tuple[str, bytes]]:
    return [(f.filename, f.read()) for f in request.files.getlist(name) if f and f.filename]


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _lab_choices() -> list[tuple[int, str]]:
    stmt = select(Lab.id, Lab.code, Lab.name).order_by(Lab.code)
    return [(i, f"{code} {name}") for i, code, name in db.session.execute(stmt)]


def _lead_choices() -> list[tuple[int, str]]:
    stmt = (
        select(User.id, User.username, User.full_name)
        .where(User.role.in_([Role.INSPECTOR, Role.QUALITY, Role.ADMIN]))
        .order_by(User.username)
    )
    return [(0, "—")] + [(i, f"{u} {n}".strip()) for i, u, n in db.session.execute(stmt)]


# --- audits ----------------------------------------------------------------------------------

AUDIT_FILTERS = ("lab", "kind", "status", "region", "q")


@bp.get("/")
@require(Perm.AUDITS_VIEW)
def index():
    """Audits, filtered and paged; the user's work queue above them."""
    filters = {k: request.args.get(k) or None for k in AUDIT_FILTERS}
    year = request.args.get("year", type=int)
    stmt = service.audits_query(**filters, year=year)
    page = db.paginate(stmt, per_page=25, error_out=False)
    return render_template(
        "audits/index.html",
        page=page,
        filters=filters,
        year=year,
        regions=regions(),
        queue=_queue(),
        **LABELS,
    )


def _queue() -> dict:
    role = current_user.role
    if role == Role.LAB_MANAGER:
        return {"kind": "lab", **figures.lab_manager_queue(current_user.lab_id or -1)}
    if role in (Role.INSPECTOR, Role.QUALITY, Role.ADMIN):
        queue = {"kind": "verify", **figures.verification_queue(current_user.id)}
        if role in (Role.QUALITY, Role.ADMIN):
            queue["overdue"] = figures.overdue_list(limit=10)
            queue["totals"] = figures.totals()
        return queue
    return {"kind": None}


@bp.get("/queue")
@require(Perm.FINDINGS_VIEW)
def queue():
    """My work: rectification to do, findings awaiting my verification, or the overdue list."""
    return render_template("audits/queue.html", queue=_queue())


@bp.route("/new", methods=["GET", "POST"])
@require(Perm.AUDITS_EDIT)
def audit_new():
    """Record an audit."""
    form = AuditForm()
    form.lab_id.choices, form.lead_id.choices = _lab_choices(), _lead_choices()
    if request.method == "GET":
        form.lead_id.data = current_user.id
        form.lab_id.data = request.args.get("lab_id", type=int)
    if form.validate_on_submit():
        try:
            audit = service.create_audit(form.audit_data(), current_user)
        except InvalidInput as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Audit %(ref)s recorded.", ref=audit.reference), "success")
            return redirect(url_for("audits.detail", audit_id=audit.id))
    return render_template("audits/audit_form.html", form=form, audit=None)


@bp.get("/<int:audit_id>")
@require(Perm.AUDITS_VIEW)
def detail(audit_id: int):
    """One audit: what was reviewed, and its findings."""
    audit = _or_404(service.get_audit, audit_id)
    return render_template("audits/detail.html", audit=audit, history=history_for(audit))


@bp.get("/<int:audit_id>/report")
@require(Perm.AUDITS_VIEW)
def report(audit_id: int):
    """The printable audit report."""
    audit = _or_404(service.get_audit, audit_id)
    return render_template("audits/report.html", audit=audit, printed_on=today())


@bp.route("/<int:audit_id>/edit", methods=["GET", "POST"])
@require(Perm.AUDITS_EDIT)
def audit_edit(audit_id: int):
    """Change an audit's dates, team, counts or status."""
    audit = _or_404(service.get_audit, audit_id)
    form = AuditForm(obj=audit)
    form.lab_id.choices, form.lead_id.choices = _lab_choices(), _lead_choices()
    if form.validate_on_submit():
        try:
            service.update_audit(audit, form.audit_data(), current_user)
        except InvalidInput as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Audit %(ref)s saved.", ref=audit.reference), "success")
            return redirect(url_for("audits.detail", audit_id=audit.id))
    return render_template("audits/audit_form.html", form=form, audit=audit)


@bp.route("/<int:audit_id>/findings/new", methods=["GET", "POST"])
@require(Perm.FINDINGS_EDIT)
def finding_new(audit_id: int):
    """Raise a finding in an audit."""
    audit = _or_404(service.get_audit, audit_id)
    form = FindingForm()
    if form.validate_on_submit():
        data = {k: form.data[k] for k in ("severity", "area", "clause", "description", "due_on")}
        try:
            finding = service.raise_finding(audit, data, current_user, files=_uploads())
        except InvalidInput as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Finding %(label)s raised.", label=finding.label), "success")
            return redirect(url_for("audits.finding", finding_id=finding.id))
    return render_template("audits/finding_form.html", form=form, audit=audit, finding=None)


# --- findings --------------------------------------------------------------------------------

FINDING_FILTERS = ("lab", "status", "severity", "area", "audit_kind", "region", "q")


@bp.get("/findings")
@require(Perm.FINDINGS_VIEW)
def findings():
    """Findings, filtered (lab, status, severity, area, overdue, audit kind, region) and paged."""
    filters = {k: request.args.get(k) or None for k in FINDING_FILTERS}
    overdue = {"1": True, "0": False}.get(request.args.get("overdue", ""))
    page = db.paginate(service.findings_query(**filters, overdue=overdue), per_page=50, error_out=False)
    return render_template(
        "audits/findings.html", page=page, filters=filters, overdue=overdue, regions=regions(), **LABELS
    )


def _step_forms(finding, submitted=None) -> dict:
    forms = {}
    for step in workflow.available(finding.status, current_user.role, checks.may_see(current_user, finding)):
        form_class = STEP_FORMS.get(step.name, ReasonForm)
        if submitted is not None and submitted[0] == step.name:
            forms[step.name] = (step, submitted[1])
            continue
        form = form_class(formdata=None, prefix=step.name)
        form.to.data, form.version.data = step.target.value, finding.version
        if step.name == "submit_plan":
            form.process(
                formdata=None, obj=finding, data={"to": step.target.value, "version": finding.version}
            )
        forms[step.name] = (step, form)
    return forms


def _render_finding(finding, submitted=None, extend_form=None, status=200):
    extend_form = extend_form or ExtendForm(formdata=None, data={"version": finding.version}, prefix="extend")
    return render_template(
        "audits/finding.html",
        finding=finding,
        step_forms=_step_forms(finding, submitted),
        extend_form=extend_form if workflow.can_extend(finding.status, current_user.role) else None,
        upload_form=UploadForm(formdata=None, prefix="upload"),
        history=history_for(finding),
    ), status


@bp.get("/findings/<int:finding_id>")
@require(Perm.FINDINGS_VIEW)
def finding(finding_id: int):
    """One finding: its rectification, the steps the user may take, its files and history."""
    return _render_finding(_or_404(service.get_finding, finding_id))


@bp.post("/findings/<int:finding_id>/step")
@require(Perm.FINDINGS_VIEW)
def finding_step(finding_id: int):
    """Take a step of the rectification workflow (the service decides who may)."""
    item = _or_404(service.get_finding, finding_id)
    name = request.form.get("step", "")
    step = next((t for t in workflow.TRANSITIONS if t.name == name and t.source == item.status), None)
    if step is None:
        flash(
            _("This step is not possible now: the finding is %(state)s.", state=item.status_label), "danger"
        )
        return redirect(url_for("audits.finding", finding_id=item.id))
    form = STEP_FORMS.get(step.name, ReasonForm)(prefix=step.name)
    if not form.validate_on_submit():
        return _render_finding(item, submitted=(step.name, form), status=422)
    data = {k: v for k, v in form.data.items() if k not in ("csrf_token", "submit", "files")}
    try:
        rectification.transition(
            item,
            form.to.data,
            data,
            current_user,
            version=form.version.data,
            files=_uploads(f"{step.name}-files"),
        )
    except Forbidden:
        abort(403)
    except InvalidInput as exc:
        db.session.rollback()
        apply_errors(form, exc)
        return _render_finding(db.session.get(type(item), item.id), submitted=(step.name, form), status=422)
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("audits.finding", finding_id=item.id))
    flash(_("Finding %(label)s is now %(state)s.", label=item.label, state=item.status_label), "success")
    return redirect(url_for("audits.finding", finding_id=item.id))


@bp.route("/findings/<int:finding_id>/edit", methods=["GET", "POST"])
@require(Perm.FINDINGS_EDIT)
def finding_edit(finding_id: int):
    """Correct an open finding."""
    item = _or_404(service.get_finding, finding_id)
    form = FindingForm(obj=item)
    if request.method == "GET":
        form.version.data = item.version
    if form.validate_on_submit():
        data = {k: form.data[k] for k in ("severity", "area", "clause", "description")}
        try:
            service.update_finding(item, data, current_user, version=form.version.data)
        except InvalidInput as exc:
            db.session.rollback()
            apply_errors(form, exc)
        except Conflict as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return redirect(url_for("audits.finding", finding_id=item.id))
        else:
            flash(_("Finding %(label)s saved.", label=item.label), "success")
            return redirect(url_for("audits.finding", finding_id=item.id))
    return render_template("audits/finding_form.html", form=form, audit=item.audit, finding=item)


@bp.post("/findings/<int:finding_id>/deadline")
@require(Perm.FINDINGS_MANAGE)
def finding_extend(finding_id: int):
    """Extend the deadline (quality department); the old date stays in the history."""
    item = _or_404(service.get_finding, finding_id)
    form = ExtendForm(prefix="extend")
    if not form.validate_on_submit():
        return _render_finding(item, extend_form=form, status=422)
    try:
        rectification.extend_deadline(
            item, form.due_on.data, form.comment.data, current_user, version=form.version.data
        )
    except InvalidInput as exc:
        db.session.rollback()
        apply_errors(form, exc)
        return _render_finding(db.session.get(type(item), item.id), extend_form=form, status=422)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        flash(_("The deadline is now %(due)s.", due=item.due_on.isoformat()), "success")
    return redirect(url_for("audits.finding", finding_id=item.id))


@bp.post("/findings/<int:finding_id>/files")
@require(Perm.FINDINGS_VIEW)
def finding_upload(finding_id: int):
    """Attach files to a finding."""
    item = _or_404(service.get_finding, finding_id)
    try:
        added = rectification.add_files(item, _uploads("upload-files"), current_user)
    except Forbidden:
        abort(403)
    except DomainError as exc:
        db.session.rollback()
        flash(" ".join([exc.message, *(m for ms in exc.errors.values() for m in ms)]), "danger")
    else:
        flash(_("%(n)d file(s) attached.", n=len(added)), "success")
    return redirect(url_for("audits.finding", finding_id=item.id))


@bp.get("/findings/<int:finding_id>/files/<int:file_id>")
@require(Perm.FINDINGS_VIEW)
def download(finding_id: int, file_id: int):
    """An evidence file, for those who may see its finding (404 for anyone else)."""
    record = _or_404(service.get_file, finding_id, file_id)
    path = evidence.path_for(record.sha256)
    if not path.is_file():
        abort(404)
    response = send_file(
        path, mimetype=record.content_type, as_attachment=True, download_name=record.filename
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- figures ---------------------------------------------------------------------------------


def _figure_args() -> tuple[str, date, dict]:
    by = request.args.get("by", "region")
    by = by if by in figures.dimensions() else "region"
    on = _date_arg("on") or today()
    filters = {k: request.args.get(k) or None for k in ("region", "severity", "area", "audit_kind")}
    return by, on, {k: v for k, v in filters.items() if v}


@bp.get("/figures", endpoint="figures")
@require(Perm.REPORTS_VIEW)
def figures_page():
    """Rectification figures: closure rate, median days to close, ageing, overdue; charts."""
    by, on, filters = _figure_args()
    scope = lab_scope_id()
    rows = figures.rectification_figures(by, on, scope, filters)
    label = str(figures.DIMENSION_LABELS[by])
    return render_template(
        "audits/figures.html",
        by=by,
        on=on,
        filters=filters,
        rows=rows,
        totals=figures.totals(on, scope, filters),
        overdue=figures.overdue_list(on, scope, filters, limit=500),
        ageing_svg=Markup(
            figures.ageing_chart(rows, _("Active findings by age, by %(by)s", by=label.lower()))
        ),
        closure_svg=Markup(figures.closure_chart(rows, _("Closure rate by %(by)s", by=label.lower()))),
        dimensions=figures.DIMENSION_LABELS,
        regions=regions(),
        **LABELS,
    )


@bp.get("/figures/export.<fmt>")
@require(Perm.REPORTS_VIEW)
def figures_export(fmt: str):
    """The figures table (what=figures) or the overdue list (what=overdue) as CSV or XLSX."""
    by, on, filters = _figure_args()
    scope = lab_scope_id()
    if request.args.get("what") == "overdue":
        header = [
            "finding",
            "laboratory",
            "region",
            "severity",
            "area",
            "status",
            "raised_on",
            "due_on",
            "days_overdue",
        ]
        rows = [
            [f.label, f.lab.code, f.lab.region, f.severity, f.area, f.status, f.raised_on, f.due_on, days]
            for f, days in figures.overdue_list(on, scope, filters)
        ]
        return export_response(fmt, f"overdue-{on.isoformat()}", header, rows)
    header, rows = figures.export_rows(figures.rectification_figures(by, on, scope, filters))
    return export_response(fmt, f"rectification-by-{by}-{on.isoformat()}", header, rows)


# --- the lab page's panel --------------------------------------------------------------------


@bp.app_template_global()
def audits_lab_summary(lab) -> dict:
    """The lab's latest audits and its active findings, for templates/audits/_lab_panel.html."""
    audits = db.session.scalars(
        select(Audit).where(Audit.lab_id == lab.id).order_by(Audit.started_on.desc()).limit(10)
    ).all()
    active = db.session.scalars(service.findings_query(status="active", lab=lab.code).limit(50)).all()
    return {"audits": audits, "active": active}


# --- the home dashboard's card -----------------------------------------------------------------


@bp.app_template_global()
def audits_dashboard() -> dict:
    """For templates/audits/_dashboard.html: the user's rectification work, counted in SQL.

    kind "lab": my lab's active / due soon / overdue findings; "verify": awaiting my verification
    (mine / others), and for the quality department and admins also the overdue count, closure rate,
    median days to close and the five most overdue; "figures": the totals only (read-only roles).
    """
    role = current_user.role
    if role == Role.LAB_MANAGER:
        return {"kind": "lab", **figures.lab_manager_counts(lab_scope_id())}
    card: dict = {"kind": None}
    if current_user.can(Perm.VERIFY):
        card = {"kind": "verify", **figures.verification_counts(current_user.id)}
    if current_user.can(Perm.FINDINGS_MANAGE) or (
        card["kind"] is None and current_user.can(Perm.REPORTS_VIEW)
    ):
        card["kind"] = card["kind"] or "figures"
        card["totals"] = figures.totals()
        card["overdue"] = figures.overdue_list(limit=5)
    return card
