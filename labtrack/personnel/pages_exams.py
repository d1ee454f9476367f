"""Pages of exams and skills contests: the list, an exam with who must sit it and its figures,
setting one up, entering people by name, recording and importing results."""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from labtrack import parsing
from labtrack.auth.permissions import Perm, require
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.personnel import exams, importers, people, policy, reports, schemas
from labtrack.personnel.blueprint import bp
from labtrack.personnel.forms import ConfirmForm, EntrantForm, ExamForm, ImportForm, ResultForm
from labtrack.personnel.models import EXAM_KIND_LABELS, SITTING_LABELS, Exam, ExamKind
from labtrack.personnel.paging import paginate_rows
from labtrack.services import InvalidInput
from labtrack.tabular import export_response
from labtrack.web import form_status, page_arg, submit_form, uploads


@bp.get("/exams")
@require(Perm.PERSONNEL_VIEW)
def exam_list():
    """Exams and skills contests, newest first, with their participation."""
    try:
        year = parsing.year(request.args.get("year"), required=False)
    except parsing.ParseError:
        year = None
    kind = request.args.get("kind") if request.args.get("kind") in EXAM_KIND_LABELS else None
    page = db.paginate(
        exams.exams_query(current_user, year=year, kind=kind), page=page_arg(), per_page=50, error_out=False
    )
    scope = policy.confined_lab(current_user)
    figures = {e.id: exam_figures(e, scope) for e in page.items}
    return render_template(
        "personnel/exams.html",
        page=page,
        figures=figures,
        filters={"year": year, "kind": kind},
        may_manage=policy.may_manage_exams(current_user),
    )


def exam_figures(exam: Exam, scope: int | None) -> dict:
    """Required, sat, passed and the rates of one exam (a contest: its parts together)."""
    f = reports.Filters(exam.held_on, exam.held_on, scope=scope)
    ids = [p.id for p in exam.parts] if exam.is_contest else [exam.id]
    return reports.exam_figures_for(ids, f)


@bp.route("/exams/new", methods=["GET", "POST"])
@require(Perm.TRAINING_MANAGE)
def exam_new():
    """Set up an exam or a skills contest and who must sit it."""
    form = ExamForm(
        data={"posts": exams.default_posts(), "pass_mark": "60"} if request.method == "GET" else None
    )
    done = submit_form(
        form,
        lambda: exams.create_exam(current_user, form.data),
        success=lambda e: _("%(title)s set up.", title=e.title),
        to=lambda e: url_for("personnel.exam", exam_id=e.id),
    )
    return done or (render_template("personnel/exam_form.html", form=form, exam=None), form_status(form))


@bp.route("/exams/<int:exam_id>/edit", methods=["GET", "POST"])
@require(Perm.TRAINING_MANAGE)
def exam_edit(exam_id: int):
    """Change an exam; who must sit it is worked out again."""
    exam = exams.get_exam(current_user, exam_id)
    form = ExamForm(obj=exam)
    if request.method == "GET":
        form.held_on.data, form.pass_mark.data = exam.held_on.isoformat(), f"{exam.pass_mark:g}"
        form.labs.data = ", ".join(sorted(link.lab.code for link in exam.labs))
        form.posts.data = exam.post_codes
    done = submit_form(
        form,
        lambda: exams.update_exam(current_user, exam, form.data),
        success=_("%(title)s saved.", title=exam.title),
        to=url_for("personnel.exam", exam_id=exam.id),
    )
    return done or (render_template("personnel/exam_form.html", form=form, exam=exam), form_status(form))


@bp.get("/exams/<int:exam_id>")
@require(Perm.PERSONNEL_VIEW)
def exam(exam_id: int):
    """An exam: who must sit it, their results, participation and pass rate by lab, region and post."""
    return _exam_page(exams.get_exam(current_user, exam_id))


def _exam_page(
    exam: Exam, result_form: ResultForm | None = None, entrant_form: EntrantForm | None = None, status=200
):
    scope = policy.confined_lab(current_user)
    f = reports.Filters(exam.held_on, exam.held_on, scope=scope)
    ids = [p.id for p in exam.parts] if exam.is_contest else [exam.id]
    lab_code = (request.args.get("lab") or "").strip() or None
    lab = db.session.scalar(db.select(Lab).where(Lab.code == lab_code)) if lab_code else None
    sitting = request.args.get("status") if request.args.get("status") in SITTING_LABELS else None
    candidates = None
    if not exam.is_contest:
        stmt = exams.candidates_query(
            current_user, exam, lab_id=lab.id if lab else -1 if lab_code else None, status=sitting
        )
        candidates = paginate_rows(stmt, per_page=100)
    return (
        render_template(
            "personnel/exam.html",
            exam=exam,
            figures=reports.exam_figures_for(ids, f),
            by_lab=reports.exam_groups_for(ids, f, "lab"),
            by_region=reports.exam_groups_for(ids, f, "region") if scope is None else [],
            by_post=reports.exam_groups_for(ids, f, "post"),
            ranking=exams.contest_ranking(current_user, exam) if exam.is_contest else [],
            candidates=candidates,
            filters={"lab": lab_code, "status": sitting},
            # A contest's entrants are chosen, not required: no participation threshold there.
            threshold=None if exam.is_contest or exam.contest_id else reports.threshold(),
            may_manage=policy.may_manage_exams(current_user),
            closed_reason=exams.results_closed_reason(exam),
            result_form=result_form or ResultForm(),
            entrant_form=entrant_form or EntrantForm(),
            upload=ImportForm(),
            confirm=ConfirmForm(),
            header=importers.RESULTS_HEADER,
        ),
        status,
    )


@bp.get("/exams/<int:exam_id>/candidates")
@require(Perm.PERSONNEL_VIEW)
def exam_candidates(exam_id: int):
    """Who must sit the exam and their results, as CSV or XLSX (the results import's columns)."""
    exam = exams.get_exam(current_user, exam_id)
    rows = importers.results_template_rows(current_user, exam)
    name = f"exam-{exam.id}-{exam.held_on.isoformat()}"
    return export_response(request.args.get("format", "csv"), name, importers.RESULTS_HEADER, rows)


@bp.post("/exams/<int:exam_id>/refresh")
@require(Perm.TRAINING_MANAGE)
def exam_refresh(exam_id: int):
    """Work out again who must sit the exam (after people joined, changed posts or left)."""
    exam = exams.get_exam(current_user, exam_id)
    done = submit_form(
        ConfirmForm(),
        lambda: exams.refresh(current_user, exam),
        success=lambda counts: _("%(a)d added to the list, %(d)d taken off.", a=counts[0], d=counts[1]),
        to=url_for("personnel.exam", exam_id=exam.id),
    )
    return done or (render_template("errors/400.html"), 400)


def _person_of(form) -> object:
    lab = db.session.scalar(db.select(Lab).where(Lab.code == (form.lab.data or "").strip()))
    if lab is None or not policy.sees_lab(current_user, lab.id):
        raise InvalidInput(_("No such person."), {"lab": [_("No such laboratory.")]})
    person = people.find_by_staff_no(lab.id, (form.staff_no.data or "").strip())
    if person is None:
        raise InvalidInput(
            _("No such person."),
            {"staff_no": [_("%(lab)s has nobody with this staff number.", lab=lab.code)]},
        )
    return person


@bp.post("/exams/<int:exam_id>/entrants")
@require(Perm.TRAINING_MANAGE)
def entrant(exam_id: int):
    """Enter a person by name (a contest's entrant, or someone the labs and posts do not cover)."""
    exam = exams.get_exam(current_user, exam_id)
    form = EntrantForm()
    done = submit_form(
        form,
        lambda: exams.enter_by_name(current_user, exam, _person_of(form)),
        success=_("Entered."),
        to=url_for("personnel.exam", exam_id=exam.id),
    )
    return done or _exam_page(exam, entrant_form=form, status=422)


@bp.post("/exams/<int:exam_id>/entrants/<int:person_id>/remove")
@require(Perm.TRAINING_MANAGE)
def entrant_remove(exam_id: int, person_id: int):
    """Take a person entered by mistake off the list (while no result is recorded)."""
    exam = exams.get_exam(current_user, exam_id)
    person = people.get_person(current_user, person_id)
    done = submit_form(
        ConfirmForm(),
        lambda: exams.withdraw_entry(current_user, exam, person),
        success=_("%(name)s taken off the list.", name=person.name),
        to=url_for("personnel.exam", exam_id=exam.id),
    )
    return done or (render_template("errors/400.html"), 400)


@bp.post("/exams/<int:exam_id>/results")
@require(Perm.TRAINING_MANAGE)
def result(exam_id: int):
    """Record one person's result."""
    exam = exams.get_exam(current_user, exam_id)
    form = ResultForm()
    done = submit_form(
        form,
        lambda: exams.record_result(current_user, exam, _person_of(form), form.data),
        success=_("Result recorded."),
        to=url_for("personnel.exam", exam_id=exam.id),
    )
    return done or _exam_page(exam, result_form=form, status=422)


@bp.post("/exams/<int:exam_id>/import")
@require(Perm.TRAINING_MANAGE)
def results_import(exam_id: int):
    """Record the exam's results from a CSV or XLSX file (all or nothing)."""
    exam = exams.get_exam(current_user, exam_id)
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        files = uploads("file")
        if not files:
            form.file.errors = [_("Choose a file.")]
        else:
            report = importers.import_results(current_user, exam, files[0][1], dry_run=form.dry_run.data)
    status = 422 if (report is not None and not report.ok) or form.file.errors else 200
    return (
        render_template(
            "personnel/import.html",
            form=form,
            report=report,
            header=importers.RESULTS_HEADER,
            what="results",
            exam=exam,
            action=url_for("personnel.results_import", exam_id=exam.id),
            back=url_for("personnel.exam", exam_id=exam.id),
        ),
        status,
    )


def kind_choices() -> list[tuple[str, str]]:
    """Exam kinds for filters."""
    return [(k.value, str(EXAM_KIND_LABELS[k])) for k in ExamKind]


def candidate_rows(candidates) -> list[dict]:
    """The candidates of a page as CandidateSchema dicts."""
    return schemas.CandidateSchema(many=True).dump(
        [schemas.candidate_row(r, p, code) for r, p, code in candidates]
    )
