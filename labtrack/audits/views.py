"""Pages of the audits area: audits, findings and their rectification, work queues, figures.

Views are thin: the services load (404 for what the user may not see) and decide (403, 409 and
422 are their domain errors, answered by `labtrack.errors`); posted forms go through
`labtrack.web.submit_form`. Templates ask the audits policy, exposed as `audits_policy`.
"""

import io
from datetime import date

from flask import Blueprint, flash, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from labtrack import cache, parsing
from labtrack.api.common import PAGE_MAX
from labtrack.audits import evidence, figures, handoff, policy, rectification, schemas, service, workflow
from labtrack.audits.forms import STEP_FORMS, AuditForm, ExtendForm, FindingForm, ReasonForm, UploadForm
from labtrack.audits.models import (
    AREA_LABELS,
    AUDIT_KIND_LABELS,
    AUDIT_STATUS_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    Audit,
)
from labtrack.auth.models import User
from labtrack.auth.permissions import Perm, require, require_any
from labtrack.extensions import db
from labtrack.history.service import history_for
from labtrack.labs.models import Lab
from labtrack.labs.service import regions
from labtrack.models_base import today
from labtrack.services import Conflict, NotFound
from labtrack.tabular import export_response
from labtrack.web import form_status, int_arg, submit_form, uploads

bp = Blueprint("audits", __name__, url_prefix="/audits")

LABELS = {
    "kinds": AUDIT_KIND_LABELS,
    "audit_statuses": AUDIT_STATUS_LABELS,
    "severities": SEVERITY_LABELS,
    "areas": AREA_LABELS,
    "statuses": STATUS_LABELS,
}


@bp.record_once
def _expose_policy(state) -> None:
    """Templates ask the policy (`audits_policy.may_attach(current_user, finding)`), never a role."""
    state.app.jinja_env.globals["audits_policy"] = policy


# --- query arguments -------------------------------------------------------------------------


def _arg(name: str, parser, message: str, **kwargs):
    """A query argument parsed by `labtrack.parsing`; a bad one is ignored, with a message."""
    try:
        return parser(request.args.get(name), required=False, **kwargs)
    except parsing.ParseError as exc:
        flash(f"{message} {exc.message}", "warning")
        return None


def _page() -> int:
    """The page asked for (1 when it is not a sensible page number)."""
    try:
        return parsing.integer(request.args.get("page"), required=False, minimum=1, maximum=PAGE_MAX) or 1
    except parsing.ParseError:
        return 1


def _lab_choices() -> list[tuple[int, str]]:
    stmt = select(Lab.id, Lab.code, Lab.name).order_by(Lab.code)
    return [(i, f"{code} {name}") for i, code, name in db.session.execute(stmt)]


def _lead_choices() -> list[tuple[int, str]]:
    stmt = (
        select(User.id, User.username, User.full_name)
        .where(policy.lead_candidates(current_user, User))
        .order_by(User.username)
    )
    return [(i, f"{u} {n}".strip()) for i, u, n in db.session.execute(stmt)]


def _own_lab() -> Lab | None:
    """The lab a lab manager records for (their own), or None for those who choose."""
    lab_id = policy.home_lab(current_user) if policy.records_for_own_lab_only(current_user) else None
    return db.session.get(Lab, lab_id) if lab_id else None


def _audit_form(audit=None) -> AuditForm:
    form = AuditForm(obj=audit)
    own_only = policy.records_for_own_lab_only(current_user)
    form.offer(policy.audit_kinds(current_user), None if own_only else _lab_choices(), _lead_choices())
    return form


# --- audits ----------------------------------------------------------------------------------

AUDIT_FILTERS = ("lab", "kind", "status", "region", "q")


@bp.get("/")
@require(Perm.AUDITS_VIEW)
def index():
    """Audits, filtered and paged; the user's work queue above them."""
    filters = {k: request.args.get(k) or None for k in AUDIT_FILTERS}
    year = _arg("year", parsing.year, _("The year filter was ignored."))
    stmt = service.audits_query(current_user, **filters, year=year)
    page = db.paginate(stmt, page=_page(), per_page=25, error_out=False)
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
    kind = policy.queue_kind(current_user)
    if kind == "lab":
        return {"kind": "lab", **figures.lab_manager_queue(policy.lab_scope(current_user) or -1)}
    if kind == "verify":
        queue = {"kind": "verify", **figures.verification_queue(current_user.id)}
        if policy.sees_overview(current_user):
            queue["overdue"] = figures.overdue_list(limit=10)
            queue["totals"] = _totals(today(), None, {})
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
    """Record an audit (a lab manager: their own lab's self-inspection or internal audit)."""
    form = _audit_form()
    if request.method == "GET":
        form.lead_id.data = current_user.id
        if form.lab_id is not None:  # None: the lab manager's own lab, no choice
            form.lab_id.data = int_arg("lab_id", 1)
    done = submit_form(
        form,
        lambda: service.create_audit(form.audit_data(), current_user),
        success=lambda audit: _(
            "Audit %(ref)s recorded. Next: %(next)s", ref=audit.reference, next=handoff.audit_next(audit, 0)
        ),
        to=lambda audit: url_for("audits.detail", audit_id=audit.id),
    )
    return done or (
        render_template("audits/audit_form.html", form=form, audit=None, own_lab=_own_lab()),
        form_status(form),
    )


@bp.get("/<int:audit_id>")
@require(Perm.AUDITS_VIEW)
def detail(audit_id: int):
    """One audit: what was reviewed, and its findings."""
    audit = service.get_audit(current_user, audit_id)
    return render_template("audits/detail.html", audit=audit, history=history_for(audit))


@bp.get("/<int:audit_id>/report")
@require(Perm.AUDITS_VIEW)
def report(audit_id: int):
    """The printable audit report."""
    audit = service.get_audit(current_user, audit_id)
    return render_template("audits/report.html", audit=audit, printed_on=today())


@bp.route("/<int:audit_id>/edit", methods=["GET", "POST"])
@require(Perm.AUDITS_EDIT)
def audit_edit(audit_id: int):
    """Change an audit's dates, team, counts or status."""
    audit = service.audit_to_edit(current_user, audit_id)
    form = _audit_form(audit)
    done = submit_form(
        form,
        lambda: service.update_audit(audit, form.audit_data(), current_user),
        success=_("Audit %(ref)s saved.", ref=audit.reference),
        to=url_for("audits.detail", audit_id=audit.id),
    )
    return done or (
        render_template("audits/audit_form.html", form=form, audit=audit, own_lab=_own_lab()),
        form_status(form),
    )


@bp.route("/<int:audit_id>/findings/new", methods=["GET", "POST"])
@require(Perm.FINDINGS_EDIT)
def finding_new(audit_id: int):
    """Raise a finding in an audit."""
    audit = service.audit_for_findings(current_user, audit_id)
    form = FindingForm()
    done = submit_form(
        form,
        lambda: service.raise_finding(
            audit,
            form.finding_data("severity", "area", "clause", "description", "due_on"),
            current_user,
            files=uploads(),
        ),
        success=lambda finding: _("Finding %(label)s raised.", label=finding.label),
        to=lambda finding: url_for("audits.finding", finding_id=finding.id),
    )
    return done or (
        render_template("audits/finding_form.html", form=form, audit=audit, finding=None),
        form_status(form),
    )


# --- findings --------------------------------------------------------------------------------

FINDING_FILTERS = ("lab", "status", "severity", "area", "audit_kind", "region", "q")


def _finding_filters() -> tuple[dict, bool | None]:
    filters = {k: request.args.get(k) or None for k in FINDING_FILTERS}
    overdue = {"1": True, "0": False}.get(request.args.get("overdue", ""))
    return filters, overdue


@bp.get("/findings")
@require(Perm.FINDINGS_VIEW)
def findings():
    """Findings, filtered (lab, status, severity, area, overdue, audit kind, region) and paged."""
    filters, overdue = _finding_filters()
    stmt = service.findings_query(current_user, **filters, overdue=overdue)
    page = db.paginate(stmt, page=_page(), per_page=50, error_out=False)
    return render_template(
        "audits/findings.html", page=page, filters=filters, overdue=overdue, regions=regions(), **LABELS
    )


@bp.get("/findings/export.<fmt>")
@require(Perm.FINDINGS_VIEW)
def findings_export(fmt: str):
    """The findings of the list's filters as CSV or XLSX: the columns the API answers."""
    from flask import redirect

    from labtrack.audits import tasks as audits_tasks
    from labtrack.jobs import exports

    filters, overdue = _finding_filters()
    if (
        fmt in exports.FORMATS
        and audits_tasks.findings_count(current_user, filters, overdue) > exports.inline_limit()
    ):
        job = exports.start(current_user, "findings", fmt, {"filters": filters, "overdue": overdue})
        return redirect(url_for("jobs.detail", job_id=job.id), code=303)  # national scale: a job
    found = db.session.scalars(service.findings_query(current_user, **filters, overdue=overdue)).all()
    header, rows = schemas.export_table(found)
    return export_response(fmt, f"findings-{today().isoformat()}", header, rows)


def _step_forms(finding, submitted=None) -> dict:
    forms = {}
    for step in policy.steps(current_user, finding):
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


def _render_finding(finding, submitted=None, extend_form=None, upload_form=None, status=200):
    extend_form = extend_form or ExtendForm(formdata=None, data={"version": finding.version}, prefix="extend")
    return render_template(
        "audits/finding.html",
        finding=finding,
        step_forms=_step_forms(finding, submitted),
        extend_form=extend_form if policy.may_extend(current_user, finding) else None,
        upload_form=upload_form or UploadForm(formdata=None, prefix="upload"),
        history=history_for(finding),
    ), status


@bp.get("/findings/<int:finding_id>")
@require(Perm.FINDINGS_VIEW)
def finding(finding_id: int):
    """One finding: its rectification, the steps the user may take, its files and history."""
    return _render_finding(service.get_finding(current_user, finding_id))


@bp.post("/findings/<int:finding_id>/step")
@require_any(Perm.RECTIFY, Perm.VERIFY, Perm.FINDINGS_MANAGE)
def finding_step(finding_id: int):
    """Take a step of the rectification workflow (the service asks the policy who may)."""
    item = service.get_finding(current_user, finding_id)
    step = workflow.step_named(request.form.get("step", ""), item.status)
    if step is None:
        raise Conflict(_("This step is not possible now: the finding is %(state)s.", state=item.status_label))
    form = STEP_FORMS.get(step.name, ReasonForm)(prefix=step.name)
    done = submit_form(
        form,
        lambda: rectification.transition(
            item,
            form.to.data,
            form.step_data(),
            current_user,
            version=form.version.data,
            files=uploads(f"{step.name}-files"),
        ),
        success=_step_done,
        to=url_for("audits.finding", finding_id=item.id),
    )
    return done or _render_finding(item, submitted=(step.name, form), status=form_status(form))


@bp.route("/findings/<int:finding_id>/edit", methods=["GET", "POST"])
@require(Perm.FINDINGS_EDIT)
def finding_edit(finding_id: int):
    """Correct an open finding."""
    item = service.finding_to_edit(current_user, finding_id)
    form = FindingForm(obj=item)
    if request.method == "GET":
        form.version.data = item.version
    done = submit_form(
        form,
        lambda: service.update_finding(
            item,
            form.finding_data("severity", "area", "clause", "description"),
            current_user,
            form.version.data,
        ),
        success=_("Finding %(label)s saved.", label=item.label),
        to=url_for("audits.finding", finding_id=item.id),
    )
    return done or (
        render_template("audits/finding_form.html", form=form, audit=item.audit, finding=item),
        form_status(form),
    )


@bp.post("/findings/<int:finding_id>/deadline")
@require(Perm.FINDINGS_MANAGE)
def finding_extend(finding_id: int):
    """Extend the deadline (quality department); the old date stays in the history."""
    item = service.get_finding(current_user, finding_id)
    form = ExtendForm(prefix="extend")
    done = submit_form(
        form,
        lambda: rectification.extend_deadline(
            item, form.due_on.data, form.comment.data, current_user, version=form.version.data
        ),
        success=lambda f: _("The deadline is now %(due)s.", due=f.due_on.isoformat()),
        to=url_for("audits.finding", finding_id=item.id),
    )
    return done or _render_finding(item, extend_form=form, status=form_status(form))


@bp.post("/findings/<int:finding_id>/files")
@require_any(Perm.RECTIFY, Perm.VERIFY)
def finding_upload(finding_id: int):
    """Attach files to a finding."""
    item = service.get_finding(current_user, finding_id)
    form = UploadForm(prefix="upload")
    done = submit_form(
        form,
        lambda: rectification.add_files(item, uploads("upload-files"), current_user),
        success=lambda added: _("%(n)d file(s) attached.", n=len(added)),
        to=url_for("audits.finding", finding_id=item.id),
    )
    return done or _render_finding(item, upload_form=form, status=form_status(form))


@bp.get("/findings/<int:finding_id>/files/<int:file_id>")
@require(Perm.FINDINGS_VIEW)
def download(finding_id: int, file_id: int):
    """An evidence file, for those who may see its finding (404 for anyone else)."""
    record = service.get_file(current_user, finding_id, file_id)
    try:
        content = evidence.read(record.sha256)
    except KeyError:
        raise NotFound(_("No such %(what)s.", what=_("file"))) from None
    response = send_file(
        io.BytesIO(content), mimetype=record.content_type, as_attachment=True, download_name=record.filename
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- figures ---------------------------------------------------------------------------------


def _figure_args() -> tuple[str, date, dict]:
    by = request.args.get("by", "region")
    by = by if by in figures.dimensions() else "region"
    on = _arg("on", parsing.day, _("The date was ignored.")) or today()
    filters = {k: request.args.get(k) or None for k in ("region", "severity", "area", "audit_kind")}
    return by, on, {k: v for k, v in filters.items() if v}


def _figures(by: str, on: date, scope: int | None, filters: dict) -> list[dict]:
    """The rectification figures, reused until the data changes (labtrack.cache); the labels are
    in the reader's language, so the language is part of the key."""
    key = (by, on, scope, tuple(sorted(filters.items())), str(get_locale()))
    return cache.cached(
        "audits.figures", *key, compute=lambda: figures.rectification_figures(by, on, scope, filters)
    )


def _totals(on: date, scope: int | None, filters: dict) -> dict:
    """The totals over every group, reused until the data changes."""
    key = (on, scope, tuple(sorted(filters.items())))
    return cache.cached("audits.totals", *key, compute=lambda: figures.totals(on, scope, filters or None))


@bp.get("/figures", endpoint="figures")
@require(Perm.REPORTS_VIEW)
def figures_page():
    """Rectification figures: closure rate, median days to close, ageing, overdue; charts."""
    by, on, filters = _figure_args()
    scope = policy.lab_scope(current_user)
    rows = _figures(by, on, scope, filters)
    label = str(figures.DIMENSION_LABELS[by])
    return render_template(
        "audits/figures.html",
        by=by,
        on=on,
        filters=filters,
        rows=rows,
        totals=_totals(on, scope, filters),
        overdue=figures.overdue_list(on, scope, filters, limit=500),
        ageing_chart=figures.ageing_chart(rows, _("Active findings by age, by %(by)s", by=label.lower())),
        closure_chart=figures.closure_chart(rows, _("Closure rate by %(by)s", by=label.lower())),
        chart_height=figures.chart_height,
        dimensions=figures.DIMENSION_LABELS,
        regions=regions(),
        **LABELS,
    )


@bp.get("/figures/export.<fmt>")
@require(Perm.REPORTS_VIEW)
def figures_export(fmt: str):
    """The figures table (what=figures) or the overdue list (what=overdue) as CSV or XLSX."""
    by, on, filters = _figure_args()
    scope = policy.lab_scope(current_user)
    if request.args.get("what") == "overdue":
        overdue = figures.overdue_list(on, scope, filters)
        header, rows = schemas.export_table([f for f, _days in overdue], schemas.OVERDUE_EXPORT_FIELDS)
        # The region beside the lab, and the days overdue as of `on` (computed in SQL) at the end.
        header = [*header[:2], "region", *header[2:], "days_overdue"]
        rows = [
            [*row[:2], f.lab.region, *row[2:], days] for row, (f, days) in zip(rows, overdue, strict=True)
        ]
        return export_response(fmt, f"overdue-{on.isoformat()}", header, rows)
    header, rows = figures.export_rows(figures.rectification_figures(by, on, scope, filters))
    return export_response(fmt, f"rectification-by-{by}-{on.isoformat()}", header, rows)


# --- hand-offs: what happens next, and who acts ---------------------------------------------


def _step_done(finding) -> str:
    """The message after a step: where the finding is now, and whose turn it is."""
    step = handoff.finding_next(finding)
    return _(
        "Finding %(label)s is now %(state)s. Next: %(who)s %(what)s",
        label=finding.label,
        state=finding.status_label,
        who=step["who"],
        what=step["what"],
    )


@bp.app_template_global()
def finding_next_step(finding) -> dict:
    """Who acts next on a finding and what they do (templates/audits/finding.html)."""
    return handoff.finding_next(finding)


@bp.app_template_global()
def audit_next_step(audit) -> str:
    """What happens next to an audit (templates/audits/detail.html)."""
    active = sum(1 for f in audit.findings if f.status in figures.ACTIVE)
    return str(handoff.audit_next(audit, active))


# --- the lab page's panel --------------------------------------------------------------------


@bp.app_template_global()
def audits_lab_summary(lab) -> dict:
    """The lab's latest audits and its active findings, for templates/audits/_lab_panel.html."""
    stmt = select(Audit).where(Audit.lab_id == lab.id).order_by(Audit.started_on.desc()).limit(10)
    audits = db.session.scalars(policy.narrow(stmt, current_user)).all()
    active = db.session.scalars(
        service.findings_query(current_user, status="active", lab=lab.code).limit(50)
    ).all()
    return {"audits": audits, "active": active}


# --- the home dashboard's card -----------------------------------------------------------------


@bp.app_template_global()
def audits_dashboard() -> dict:
    """For templates/audits/_dashboard.html: the user's rectification work, counted in SQL.

    kind "lab": my lab's active / due soon / overdue findings; "verify": awaiting my verification
    (mine / others), and for the quality department and admins also the overdue count, closure rate,
    median days to close and the five most overdue; "figures": the totals only (read-only roles).
    """
    kind = policy.queue_kind(current_user)
    if kind == "lab":
        return {"kind": "lab", **figures.lab_manager_counts(policy.lab_scope(current_user))}
    card: dict = {"kind": None}
    if kind == "verify":
        card = {"kind": "verify", **figures.verification_counts(current_user.id)}
    if policy.sees_overview(current_user) or (card["kind"] is None and policy.sees_figures(current_user)):
        card["kind"] = card["kind"] or "figures"
        card["totals"] = _totals(today(), None, {})
        card["overdue"] = figures.overdue_list(limit=5)
    return card
