"""Pages of the proficiency area: rounds, results, evaluation, publishing, history and coverage."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from labtrack.auth.permissions import Perm, lab_scope_id, require
from labtrack.extensions import db
from labtrack.forms import apply_errors
from labtrack.history.service import history_for
from labtrack.labs.models import Lab
from labtrack.labs.service import get_lab_or_404
from labtrack.proficiency import evaluation, pages, reports, results, service
from labtrack.proficiency.forms import RoundForm, UploadForm
from labtrack.proficiency.models import (
    ASSIGNED_VALUE_LABELS,
    GRADE_LABELS,
    ROUND_KIND_LABELS,
    ROUND_STATUS_LABELS,
    SCORE_BASIS_LABELS,
    SIGMA_METHOD_LABELS,
    Result,
)
from labtrack.services import DomainError, InvalidInput
from labtrack.tabular import export_response

bp = Blueprint("proficiency", __name__, url_prefix="/rounds")


@bp.before_request
def refuse_json_that_is_not_a_form():
    """These pages take forms; a JSON body that is not an object cannot be one (Flask-WTF would fail)."""
    if request.method == "POST" and request.is_json and not isinstance(request.get_json(silent=True), dict):
        abort(400)


@bp.get("/")
@require(Perm.ROUNDS_VIEW)
def index():
    """Rounds, searched and filtered, newest first."""
    filters = {k: request.args.get(k) or None for k in ("q", "kind", "status")}
    page = db.paginate(service.rounds_query(**filters), per_page=25, error_out=False)
    return render_template("proficiency/index.html", page=page, filters=filters, kinds=ROUND_KIND_LABELS,
                           statuses=ROUND_STATUS_LABELS)  # fmt: skip


def _round_form(form: RoundForm) -> RoundForm:
    form.participants.choices = [
        (lab.code, f"{lab.code} {lab.name}") for lab in db.session.scalars(select(Lab).order_by(Lab.code))
    ]
    return form


@bp.route("/new", methods=["GET", "POST"])
@require(Perm.ROUNDS_MANAGE)
def create():
    """Plan a round and invite laboratories."""
    form = _round_form(RoundForm())
    if form.validate_on_submit():
        try:
            rnd = service.create_round(form.round_data(), current_user)
        except InvalidInput as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Round %(code)s created.", code=rnd.code), "success")
            return redirect(url_for("proficiency.detail", code=rnd.code))
    return render_template("proficiency/form.html", form=form, rnd=None)


@bp.route("/<code>/edit", methods=["GET", "POST"])
@require(Perm.ROUNDS_MANAGE)
def edit(code: str):
    """Change a round (until it is published)."""
    rnd = service.get_round_or_404(code)
    form = _round_form(RoundForm(obj=rnd))
    if request.method == "GET":
        form.participants.data = [p.lab.code for p in rnd.participants]
        form.item_code.data = rnd.item_code
    if form.validate_on_submit():
        try:
            service.update_round(rnd, form.round_data(), current_user)
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Round %(code)s saved.", code=rnd.code), "success")
            return redirect(url_for("proficiency.detail", code=rnd.code))
    return render_template("proficiency/form.html", form=form, rnd=rnd)


@bp.get("/<code>")
@require(Perm.ROUNDS_VIEW)
def detail(code: str):
    """A round: settings, summary statistics, results, charts, and what can be done next."""
    rnd = service.get_round_or_404(code)
    context = pages.round_page(rnd)
    return render_template("proficiency/detail.html", rnd=rnd, history=history_for(rnd), **context)


@bp.post("/<code>/transition")
@require(Perm.ROUNDS_MANAGE)
def transition(code: str):
    """Open or close a round."""
    rnd = service.get_round_or_404(code)
    return _act(
        rnd,
        lambda: service.transition(rnd, request.form.get("to", ""), current_user),
        _("Round %(code)s is now %(status)s.", code=rnd.code, status="{status}"),
    )


@bp.post("/<code>/evaluate")
@require(Perm.ROUNDS_MANAGE)
def evaluate(code: str):
    """Evaluate a closed round."""
    rnd = service.get_round_or_404(code)
    return _act(
        rnd,
        lambda: evaluation.evaluate_round(rnd, current_user),
        _("Round %(code)s evaluated.", code=rnd.code),
    )


@bp.post("/<code>/publish")
@require(Perm.ROUNDS_MANAGE)
def publish(code: str):
    """Publish an evaluated round and raise its findings."""
    rnd = service.get_round_or_404(code)
    try:
        links = evaluation.publish_round(rnd, current_user)
    except DomainError as exc:
        flash(exc.message, "danger")
    else:
        flash(_("Round %(code)s published; %(n)s finding(s) raised.", code=rnd.code, n=len(links)), "success")
    return redirect(url_for("proficiency.detail", code=rnd.code))


def _act(rnd, call, message: str):
    try:
        call()
    except DomainError as exc:
        flash(exc.message, "danger")
        for field, messages in exc.errors.items():
            if field not in ("status", "to"):
                flash(f"{field}: {' '.join(map(str, messages))}", "danger")
    else:
        flash(message.replace("{status}", rnd.status_label), "success")
    return redirect(url_for("proficiency.detail", code=rnd.code))


@bp.post("/<code>/results")
@require(Perm.RESULTS_ENTER)
def enter_result(code: str):
    """Enter one result from the form on the round's page."""
    rnd = service.get_round_or_404(code)
    form = pages.result_form(rnd)
    if form.validate_on_submit():
        row = {
            k: form.data[k]
            for k in ("lab_code", "value", "expanded_uncertainty", "coverage_factor", "method")
        }
        try:
            results.submit_results(rnd, [row], current_user)
        except DomainError as exc:
            for messages in exc.errors.values():
                for field, texts in messages.items() if isinstance(messages, dict) else [("", messages)]:
                    target = getattr(form, field, None)
                    if target is not None:
                        target.errors = list(target.errors) + list(texts)
            flash(exc.message, "danger")
        else:
            flash(_("Result of %(lab)s entered.", lab=row["lab_code"]), "success")
            return redirect(url_for("proficiency.detail", code=rnd.code, _anchor="results"))
    context = pages.round_page(rnd, form=form)
    return render_template("proficiency/detail.html", rnd=rnd, history=history_for(rnd), **context), 422


@bp.post("/<code>/upload")
@require(Perm.RESULTS_ENTER)
def upload(code: str):
    """Enter results from a CSV or XLSX file: every row or none."""
    rnd = service.get_round_or_404(code)
    form = UploadForm()
    row_errors = []
    if form.validate_on_submit():
        try:
            stored = results.import_results(rnd, form.file.data.stream, current_user)
        except results.ResultsRefused as exc:
            row_errors = results.row_errors(exc)
            flash(exc.message, "danger")
        except DomainError as exc:
            flash(exc.message, "danger")
        else:
            flash(_("%(n)s results imported.", n=len(stored)), "success")
            return redirect(url_for("proficiency.detail", code=rnd.code, _anchor="results"))
    context = pages.round_page(rnd, upload=form, row_errors=row_errors)
    return render_template("proficiency/detail.html", rnd=rnd, history=history_for(rnd), **context), 422


@bp.post("/<code>/results/<int:result_id>/delete")
@require(Perm.RESULTS_ENTER)
def delete_result(code: str, result_id: int):
    """Withdraw a result while the round is open."""
    rnd = service.get_round_or_404(code)
    result = db.session.get(Result, result_id)
    if (
        result is None
        or result.round_id != rnd.id
        or (lab_scope_id() is not None and result.lab_id != lab_scope_id())
    ):
        return render_template("errors/404.html"), 404
    try:
        results.delete_result(rnd, result, current_user)
    except DomainError as exc:
        flash(exc.message, "danger")
    else:
        flash(_("Result withdrawn."), "warning")
    return redirect(url_for("proficiency.detail", code=rnd.code, _anchor="results"))


@bp.get("/<code>/export.<fmt>")
@require(Perm.ROUNDS_VIEW)
def export(code: str, fmt: str):
    """The results table as CSV or XLSX (lab codes only for those who may see them)."""
    rnd = service.get_round_or_404(code)
    header, rows = pages.export_rows(rnd)
    return export_response(fmt, f"round-{rnd.code}", header, rows)


@bp.get("/labs/<lab_code>")
@require(Perm.ROUNDS_VIEW)
def lab_history(lab_code: str):
    """A lab's scores across rounds on a chart, and its share satisfactory."""
    lab = get_lab_or_404(lab_code)
    return render_template("proficiency/lab_history.html", lab=lab, **pages.history_page(lab))


@bp.get("/coverage")
@require(Perm.ROUNDS_VIEW)
def coverage():
    """For each lab, the categories of its scope and when each was last compared."""
    try:
        as_of = date.fromisoformat(request.args["on"]) if request.args.get("on") else reports.default_as_of()
    except ValueError:
        flash(_("The date must be YYYY-MM-DD."), "danger")
        as_of = reports.default_as_of()
    only_gaps = request.args.get("gaps") == "1"
    data = reports.coverage(as_of, request.args.get("lab") or None)
    return render_template("proficiency/coverage.html", only_gaps=only_gaps, **data)


@bp.app_template_global()
def grade_label(grade: str | None) -> str:
    """A grade in the user's language."""
    return str(GRADE_LABELS.get(grade, grade or ""))


@bp.app_template_global()
def assigned_label(method: str) -> str:
    """How x_pt is set, in the user's language."""
    return str(ASSIGNED_VALUE_LABELS.get(method, method))


@bp.app_template_global()
def sigma_label(method: str) -> str:
    """How sigma_pt is set, in the user's language."""
    return str(SIGMA_METHOD_LABELS.get(method, method))


@bp.app_template_global()
def basis_label(basis: str) -> str:
    """Which score a round gives, in the user's language."""
    return str(SCORE_BASIS_LABELS.get(basis, basis))


@bp.app_template_global()
def proficiency_summary(lab: Lab) -> dict:
    """For the lab page's panel: recent scores and the share satisfactory."""
    return {"recent": reports.history_rows(lab.id, limit=5), "counts": reports.grade_counts(lab.id)}


@bp.app_template_global()
def proficiency_dashboard() -> dict:
    """For templates/proficiency/_dashboard.html: rounds open now (for a lab manager, its lab's and
    whether it has submitted), the rounds awaiting evaluation or publication (managers of rounds),
    and the latest published round with its share satisfactory."""
    card = {
        "open": reports.open_rounds(),
        "latest": reports.latest_published(),
        "lab": lab_scope_id() is not None,
    }
    if current_user.can(Perm.ROUNDS_MANAGE):
        card["pipeline"] = reports.pipeline_counts()
    return card
