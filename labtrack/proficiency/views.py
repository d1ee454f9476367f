"""Pages of the proficiency area: rounds, results, evaluation, publishing, history and coverage.

Thin: load through the services (NotFound -> 404), render; posted forms go through
`labtrack.web.submit_form`; the services decide who may do what (`proficiency.policy`).
"""

import json

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from labtrack import parsing
from labtrack.auth.permissions import Perm, require
from labtrack.auth.policy import sees_lab
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.proficiency import (
    dispatch,
    evaluation,
    pages,
    policy,
    qualitative,
    reports,
    results,
    service,
    studies,
)
from labtrack.proficiency.forms import (
    DesignForm,
    DispatchForm,
    HomogeneityForm,
    ReceiptForm,
    RoundForm,
    StabilityForm,
    UploadForm,
)
from labtrack.proficiency.models import (
    ASSIGNED_VALUE_LABELS,
    GRADE_LABELS,
    ITEM_CONDITION_LABELS,
    ROUND_KIND_LABELS,
    ROUND_STATUS_LABELS,
    SCORE_BASIS_LABELS,
    SIGMA_METHOD_LABELS,
)
from labtrack.proficiency.schemas import export_rows
from labtrack.services import load_by
from labtrack.tabular import export_response
from labtrack.web import form_status, submit_form, uploads

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
    filters, errors = service.round_filters(request.args)
    number = filters.pop("page")
    stmt = service.rounds_query(current_user, **filters)
    page = db.paginate(stmt, page=number, per_page=service.PER_PAGE, error_out=False)
    html = render_template("proficiency/index.html", page=page, filters=filters, kinds=ROUND_KIND_LABELS,
                           statuses=ROUND_STATUS_LABELS, may_manage=policy.may_manage(current_user),
                           filter_errors=errors)  # fmt: skip
    return html, 422 if errors else 200


def _round_form(form: RoundForm) -> RoundForm:
    form.participants.choices = [
        (lab.code, f"{lab.code} {lab.name}") for lab in db.session.scalars(select(Lab).order_by(Lab.code))
    ]
    # The item is picked from the catalogue; picking it proposes the labs holding it (forms.js).
    form.item_code.choices = [("", _("No catalogue item")), *service.item_choices()]
    form.item_code.render_kw = {
        "data-search": "",
        "data-lookup": url_for("proficiency.holders") + "?item=",
        "data-lookup-target": form.participants.id,
        "data-lookup-status": "participants-proposed",
    }
    return form


def _to_round(rnd) -> str:
    return url_for("proficiency.detail", code=rnd.code)


@bp.get("/lookup/holders")
@require(Perm.ROUNDS_MANAGE)
def holders():
    """JSON: the laboratories holding a catalogue item today, proposed as a round's participants."""
    return jsonify(service.holders(request.args.get("item"), current_user))


@bp.app_template_global("round_days_late")
def round_days_late(rnd) -> int:
    """Days since the round's closing date (0 before it): results entered now are late."""
    return service.days_late(rnd)


def _late_warning(rnd) -> None:
    late = service.days_late(rnd)
    if late:
        flash(
            _(
                "Entered %(days)s days after the round closed on %(date)s: the result is kept; "
                "make sure the organiser accepts late results.",
                days=late,
                date=rnd.closes_on.isoformat(),
            ),
            "warning",
        )


@bp.route("/new", methods=["GET", "POST"])
@require(Perm.ROUNDS_MANAGE)
def create():
    """Plan a round and invite laboratories."""
    form = _round_form(RoundForm())
    proposals = service.code_proposals(today().year)
    form.kind.render_kw = {"data-code-proposals": json.dumps(proposals), "data-code-field": form.code.id}
    if request.method == "GET" and not form.code.data:
        form.code.data = proposals.get(form.kind.data or form.kind.choices[0][0])
    done = submit_form(
        form,
        lambda: service.create_round(form.round_data(), current_user),
        success=lambda rnd: _("Round %(code)s created.", code=rnd.code),
        to=_to_round,
    )
    return done or (render_template("proficiency/form.html", form=form, rnd=None), form_status(form))


@bp.route("/<code>/edit", methods=["GET", "POST"])
@require(Perm.ROUNDS_MANAGE)
def edit(code: str):
    """Change a round (until it is published)."""
    rnd = service.get_round(code, current_user)
    form = _round_form(RoundForm(obj=rnd))
    if request.method == "GET":
        form.participants.data = [p.lab.code for p in rnd.participants]
        form.item_code.data = rnd.item_code
    # Fields that would reinterpret stored results are shown disabled, with why, and not sent.
    locked = service.locked_fields(rnd)
    for name, why in locked.items():
        form[name].render_kw = {**(form[name].render_kw or {}), "disabled": True}
        form[name].description = why
    done = submit_form(
        form,
        lambda: service.update_round(
            rnd, {k: v for k, v in form.round_data().items() if k not in locked}, current_user
        ),
        success=_("Round %(code)s saved.", code=rnd.code),
        to=_to_round(rnd),
    )
    return done or (
        render_template("proficiency/form.html", form=form, rnd=rnd, locked=locked),
        form_status(form),
    )


def _detail(rnd, status: int = 200, job=None, **forms):
    context = pages.round_page(rnd, current_user, **forms)
    if job is not None:  # a results upload this page started: its progress, then its outcome
        from labtrack.jobs.schemas import JobSchema

        context.update(job=job, data=JobSchema().dump(job))
    return render_template("proficiency/detail.html", rnd=rnd, **context), status


def _upload_job(rnd, job_id: str | None):
    """The caller's own results-upload job of this round named in `?job=` (None when absent; 404 for
    another's or another round's)."""
    from labtrack.jobs import service as jobs_service
    from labtrack.proficiency.tasks import UPLOAD_KIND
    from labtrack.services import NotFound

    number = parsing.digits(job_id or "", 1)
    if number is None:
        return None
    job = jobs_service.get_job(current_user, number)
    if job.kind != UPLOAD_KIND or (job.params or {}).get("code") != rnd.code:
        raise NotFound(_("No such %(what)s.", what=_("job")))
    return job


@bp.get("/<code>")
@require(Perm.ROUNDS_VIEW)
def detail(code: str):
    """A round: settings, summary statistics, results, charts, and what can be done next."""
    rnd = service.get_round(code, current_user, with_results=True)
    return _detail(rnd, job=_upload_job(rnd, request.args.get("job")))


@bp.post("/<code>/transition")
@require(Perm.ROUNDS_MANAGE)
def transition(code: str):
    """Open or close a round (a refusal is flashed on the round's page)."""
    rnd = service.transition(service.get_round(code, current_user), request.form.get("to", ""), current_user)
    flash(_("Round %(code)s is now %(status)s.", code=rnd.code, status=rnd.status_label), "success")
    return redirect(_to_round(rnd), code=303)


@bp.post("/<code>/evaluate")
@require(Perm.ROUNDS_MANAGE)
def evaluate(code: str):
    """Evaluate a closed round."""
    rnd = service.get_round(code, current_user)
    evaluation.evaluate_round(rnd, current_user)
    flash(_("Round %(code)s evaluated.", code=rnd.code), "success")
    return redirect(_to_round(rnd), code=303)


@bp.post("/<code>/paper/<kind>")
@require(Perm.ROUNDS_VIEW)
def paper(code: str, kind: str):
    """Build a report on paper (the final report, a participant's report or certificate) as a job,
    and follow it on the job's page (progress, then the download)."""
    from flask_babel import get_locale

    from labtrack.proficiency import paper as papers

    rnd = service.get_round(code, current_user, with_results=True)
    job = papers.start(kind, rnd, current_user, request.form.get("lab") or None, str(get_locale() or "en"))
    return redirect(url_for("jobs.detail", job_id=job.id), code=303)


@bp.post("/<code>/publish")
@require(Perm.ROUNDS_MANAGE)
def publish(code: str):
    """Publish an evaluated round and raise its findings."""
    rnd = service.get_round(code, current_user)
    links = evaluation.publish_round(rnd, current_user)
    flash(_("Round %(code)s published; %(n)s finding(s) raised.", code=rnd.code, n=len(links)), "success")
    return redirect(_to_round(rnd), code=303)


def _studies(rnd, status: int = 200, **forms):
    context = pages.studies_page(rnd, current_user, **forms)
    return render_template("proficiency/studies.html", rnd=rnd, **context), status


@bp.get("/<code>/studies")
@require(Perm.ROUNDS_VIEW)
def studies_page(code: str):
    """The homogeneity and stability studies of a round's items, and their entry forms."""
    return _studies(service.get_round(code, current_user))


def _to_studies(rnd) -> str:
    return url_for("proficiency.studies_page", code=rnd.code)


@bp.post("/<code>/studies/homogeneity")
@require(Perm.ROUNDS_MANAGE)
def record_homogeneity(code: str):
    """Record the homogeneity study (typed or imported) before the round opens."""
    rnd = service.get_round(code, current_user)
    form = HomogeneityForm()
    done = submit_form(
        form,
        lambda: studies.record_homogeneity(
            rnd,
            studies.homogeneity_input(form.replicates.data, uploads("file")),
            current_user,
            sigma_pt=form.sigma_pt.data,
            notes=form.notes.data,
        ),  # fmt: skip
        success=_("Homogeneity study recorded."),
        to=_to_studies(rnd),
    )
    return done or _studies(rnd, form_status(form), homogeneity_form=form)


@bp.post("/<code>/studies/stability")
@require(Perm.ROUNDS_MANAGE)
def record_stability(code: str):
    """Record the stability study (typed or imported) until the round is evaluated."""
    rnd = service.get_round(code, current_user)
    form = StabilityForm()
    done = submit_form(
        form,
        lambda: studies.record_stability(
            rnd,
            *studies.stability_input(form.before.data, form.after.data, uploads("file")),
            current_user,
            sigma_pt=form.sigma_pt.data,
            notes=form.notes.data,
        ),  # fmt: skip
        success=_("Stability study recorded."),
        to=_to_studies(rnd),
    )
    return done or _studies(rnd, form_status(form), stability_form=form)


def _dispatch(rnd, status: int = 200, form=None, receipt=None, receipt_lab=None):
    rows = dispatch.rows(rnd, current_user)
    if form is None and policy.may_record_dispatch(current_user, rnd):
        form = DispatchForm()
    if form is not None:
        form.lab_codes.choices = [(r["lab_code"], f"{r['participant_code']} {r['lab_code']}") for r in rows]
    forms = {r["lab_code"]: (receipt if r["lab_code"] == receipt_lab else ReceiptForm(prefix=r["lab_code"]))
             for r in rows if r["may_receive"]}  # fmt: skip
    html = render_template("proficiency/dispatch.html", rnd=rnd, rows=rows, form=form, receipts=forms,
                           tracking=dispatch.tracks_receipt(rnd), identities=policy.sees_every_identity(current_user))  # fmt: skip
    return html, status


@bp.get("/<code>/dispatch")
@require(Perm.ROUNDS_VIEW)
def dispatch_page(code: str):
    """Each participant's item: sent, received, its condition on arrival."""
    return _dispatch(service.get_round(code, current_user))


def _to_dispatch(rnd) -> str:
    return url_for("proficiency.dispatch_page", code=rnd.code)


@bp.post("/<code>/dispatch")
@require(Perm.ROUNDS_MANAGE)
def record_dispatch(code: str):
    """Record that the items (of the chosen labs, or all) were sent."""
    rnd = service.get_round(code, current_user)
    form = DispatchForm()
    form.lab_codes.choices = [(p.lab.code, p.lab.code) for p in rnd.participants]
    done = submit_form(
        form,
        lambda: dispatch.record_dispatch(rnd, form.lab_codes.data, form.sent_on.data, current_user),
        success=lambda sent: _("%(n)s item(s) recorded as sent.", n=len(sent)),
        to=_to_dispatch(rnd),
    )
    return done or _dispatch(rnd, form_status(form), form=form)


def _receipt_data(form: ReceiptForm) -> dict:
    return {
        "received_on": form.received_on.data,
        "condition": form.condition.data,
        "condition_note": form.condition_note.data,
    }


@bp.post("/<code>/dispatch/<lab_code>/receipt")
@require(Perm.RESULTS_ENTER)
def record_receipt(code: str, lab_code: str):
    """Record that a lab's item arrived, and its condition."""
    rnd = service.get_round(code, current_user)
    form = ReceiptForm(prefix=lab_code)
    done = submit_form(
        form,
        lambda: dispatch.record_receipt(rnd, lab_code, _receipt_data(form), current_user),
        success=_("Receipt of %(code)s's item recorded.", code=lab_code),
        to=_to_dispatch(rnd),
    )
    return done or _dispatch(rnd, form_status(form), receipt=form, receipt_lab=lab_code)


def _design(rnd, status: int = 200, form=None):
    if form is None:
        form = DesignForm(
            result_type=rnd.result_type,
            categories="\n".join(rnd.categories or []),
            assigned_answer=qualitative.answer_label(rnd, rnd.assigned_answer),
        )
    form.result_type.choices = [(k, str(v)) for k, v in qualitative.RESULT_TYPE_LABELS.items()]
    if rnd.status != "planned":  # fixed once the round opens: results would be read another way
        why = _("The kind of results and the categories are set before the round opens.")
        for name in ("result_type", "categories"):
            form[name].render_kw = {**(form[name].render_kw or {}), "disabled": True}
            form[name].description = why
    return render_template("proficiency/design.html", rnd=rnd, form=form), status


@bp.route("/<code>/design", methods=["GET", "POST"])
@require(Perm.ROUNDS_MANAGE)
def design(code: str):
    """Whether a round's results are values or answers, its categories and its assigned answer."""
    rnd = service.get_round(code, current_user)
    if request.method == "GET":
        return _design(rnd)
    form = DesignForm()
    form.result_type.choices = [(k, str(v)) for k in qualitative.RESULT_TYPES for v in [k]]
    if rnd.status != "planned" and form.result_type.data is None:  # disabled fields are not sent
        form.result_type.data = rnd.result_type
        form.categories.data = "\n".join(rnd.categories or [])
    done = submit_form(
        form,
        lambda: qualitative.set_design(rnd, dict(form.data), current_user),
        success=_("The round's results and answers were saved."),
        to=_to_round(rnd),
    )
    return done or _design(rnd, form_status(form), form=form)


@bp.post("/<code>/results")
@require(Perm.RESULTS_ENTER)
def enter_result(code: str):
    """Enter one result from the form on the round's page."""
    rnd = service.get_round(code, current_user, with_results=True)
    form = pages.result_form(rnd, current_user)
    done = submit_form(
        form,
        lambda: results.submit_result(rnd, {k: form.data.get(k) for k in results.FIELDS}, current_user),
        success=lambda result: _late_warning(rnd) or _("Result of %(lab)s entered.", lab=result.lab.code),
        to=url_for("proficiency.detail", code=rnd.code, _anchor="results"),
    )
    return done or _detail(rnd, form_status(form), form=form)


@bp.post("/<code>/upload")
@require(Perm.RESULTS_ENTER)
def upload(code: str):
    """Enter results from a CSV or XLSX file as a background job (every row or none, bad rows listed
    by number): the request answers at once and the round's page follows the job (`?job=N`)."""
    from flask_babel import get_locale

    rnd = service.get_round(code, current_user, with_results=True)
    form = UploadForm()
    done = submit_form(
        form,
        lambda: results.start_upload(rnd, uploads("file")[0], current_user, str(get_locale() or "en")),
        success=lambda _job: (
            _late_warning(rnd) or _("The file is being imported; its progress is shown below.")
        ),
        to=lambda job: url_for("proficiency.detail", code=rnd.code, job=job.id, _anchor="upload-job"),
    )
    return done or _detail(rnd, form_status(form), upload=form)


@bp.post("/<code>/results/<int:result_id>/delete")
@require(Perm.RESULTS_ENTER)
def delete_result(code: str, result_id: int):
    """Withdraw a result while the round is open."""
    rnd = service.get_round(code, current_user)
    results.withdraw_result(rnd, result_id, current_user)
    flash(_("Result withdrawn."), "warning")
    return redirect(url_for("proficiency.detail", code=rnd.code, _anchor="results"), code=303)


@bp.get("/<code>/export.<fmt>")
@require(Perm.ROUNDS_VIEW)
def export(code: str, fmt: str):
    """The results table as CSV or XLSX, exactly as the page and the API show it to this user."""
    rnd = service.get_round(code, current_user, with_results=True)
    header, rows = export_rows(rnd, current_user)
    return export_response(fmt, f"round-{rnd.code}", header, rows)


@bp.get("/labs/<lab_code>")
@require(Perm.ROUNDS_VIEW)
def lab_history(lab_code: str):
    """A lab's scores across rounds on a chart, and its share satisfactory."""
    lab = load_by(
        Lab, Lab.code, lab_code, visible=lambda lab: sees_lab(current_user, lab.id), what=_("laboratory")
    )
    return render_template("proficiency/lab_history.html", lab=lab, **pages.history_page(lab, current_user))


@bp.get("/coverage")
@require(Perm.ROUNDS_VIEW)
def coverage():
    """For each lab, the categories of its scope and when each was last compared."""
    fields = parsing.Fields(dict(request.args))
    as_of = fields.get("on", parsing.day, required=False)
    lab_code = fields.get("lab", parsing.code, required=False)
    only_gaps = fields.get("gaps", parsing.boolean)
    data = reports.coverage(as_of or reports.default_as_of(current_user), current_user, lab_code)
    html = render_template(
        "proficiency/coverage.html", only_gaps=only_gaps, filter_errors=fields.errors, **data
    )
    return html, 422 if fields.errors else 200


@bp.app_template_global("answer_label")
def answer_label(rnd, answer: str | None) -> str:
    """A qualitative answer as the reader reads it."""
    return qualitative.answer_label(rnd, answer)


@bp.app_template_global()
def condition_label(condition: str | None) -> str:
    """An item's condition on arrival in the reader's language."""
    return str(ITEM_CONDITION_LABELS.get(condition, condition or ""))


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
    """For the lab page's panel: recent scores the user may see, and the share satisfactory."""
    return {
        "recent": reports.history_rows(lab.id, current_user, limit=5),
        "counts": reports.grade_counts(lab.id, current_user),
        "rolling": reports.rolling_by_item([lab.id], current_user).get(lab.id, []),
    }


@bp.app_template_global()
def proficiency_dashboard() -> dict:
    """For templates/proficiency/_dashboard.html: rounds open now (for a lab manager, its lab's and
    whether it has submitted), the rounds awaiting evaluation or publication (managers of rounds),
    and the latest published round with its share satisfactory."""
    card = {
        "open": reports.open_rounds(current_user),
        "latest": reports.latest_published(current_user),
        "lab": not policy.sees_every_identity(current_user),
    }
    if policy.sees_pipeline(current_user):
        card["pipeline"] = reports.pipeline_counts()
    return card
