"""Pages of surveys: questionnaires and their questions, campaigns with their results and charts,
returned questionnaires entered one by one or imported from XLSX, exports."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from labtrack.auth.permissions import Perm, require
from labtrack.extensions import db
from labtrack.history.service import history_for
from labtrack.i18n_names import region_label
from labtrack.records import survey_files, surveys
from labtrack.records.blueprint import PER_PAGE, arg, bp
from labtrack.records.forms import (
    CopiesForm,
    ImportForm,
    QuestionForm,
    QuestionnaireForm,
    SurveyForm,
    response_form,
    values_of,
)
from labtrack.records.models import AUDIENCE_LABELS
from labtrack.records.overview import regions
from labtrack.services import InvalidInput
from labtrack.tabular import export_response
from labtrack.web import form_status, int_arg, page_arg, submit_form


@bp.get("/surveys")
@require(Perm.RECORDS_VIEW)
def surveys_index():
    """Survey campaigns with their response rates, and the questionnaires."""
    filters = {"q": arg("q"), "audience": arg("audience"), "year": int_arg("year", 1900, 2199)}
    page = db.paginate(
        surveys.surveys_query(current_user, **filters), page=page_arg(), per_page=PER_PAGE, error_out=False
    )
    questionnaires = db.session.scalars(surveys.questionnaires_query(current_user).limit(50)).all()
    return render_template(
        "records/surveys.html",
        page=page,
        returned=surveys.returned_by(page.items),
        questionnaires=questionnaires,
        filters=filters,
        audiences=AUDIENCE_LABELS,
    )


@bp.route("/questionnaires/new", methods=["GET", "POST"])
@require(Perm.SURVEYS_MANAGE)
def questionnaire_new():
    """Write a new questionnaire (its questions next)."""
    form = QuestionnaireForm()
    done = submit_form(
        form,
        lambda: surveys.create_questionnaire(current_user, values_of(form)),
        success=lambda q: _("Questionnaire %(code)s saved; add its questions.", code=q.code),
        to=lambda q: url_for("records.questionnaire_detail", questionnaire_id=q.id),
    )
    return done or (render_template("records/questionnaire_form.html", form=form), form_status(form))


def _questionnaire_page(questionnaire, form=None, status: int = 200):
    return (
        render_template(
            "records/questionnaire.html",
            questionnaire=questionnaire,
            answered=surveys.has_answers(questionnaire),
            form=form or QuestionForm(),
            history=history_for(questionnaire),
        ),
        status,
    )


@bp.get("/questionnaires/<int:questionnaire_id>")
@require(Perm.RECORDS_VIEW)
def questionnaire_detail(questionnaire_id: int):
    """A questionnaire's questions, in both languages."""
    return _questionnaire_page(surveys.get_questionnaire(current_user, questionnaire_id))


@bp.post("/questionnaires/<int:questionnaire_id>/questions")
@require(Perm.SURVEYS_MANAGE)
def question_new(questionnaire_id: int):
    """Add a question."""
    questionnaire = surveys.get_questionnaire(current_user, questionnaire_id)
    form = QuestionForm()
    done = submit_form(
        form,
        lambda: surveys.add_question(current_user, questionnaire, values_of(form)),
        success=lambda q: _("Question %(key)s added.", key=q.key),
        to=url_for("records.questionnaire_detail", questionnaire_id=questionnaire.id),
    )
    return done or _questionnaire_page(questionnaire, form, form_status(form))


@bp.post("/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/remove")
@require(Perm.SURVEYS_MANAGE)
def question_remove(questionnaire_id: int, question_id: int):
    """Remove a question (not once the questionnaire has answers)."""
    questionnaire = surveys.get_questionnaire(current_user, questionnaire_id)
    surveys.remove_question(current_user, questionnaire, question_id)
    flash(_("Question removed."), "warning")
    return redirect(url_for("records.questionnaire_detail", questionnaire_id=questionnaire.id), code=303)


@bp.route("/surveys/new", methods=["GET", "POST"])
@require(Perm.SURVEYS_MANAGE)
def survey_new():
    """Open a survey campaign."""
    form = SurveyForm()
    form.questionnaire_code.choices = [
        (q.code, f"{q.code} {q.display_title}")
        for q in db.session.scalars(surveys.questionnaires_query(current_user))
    ]
    form.region.choices = [
        ("", _("The whole province")),
        *((r, region_label(r)) for r in regions(current_user)),
    ]
    done = submit_form(
        form,
        lambda: surveys.create_survey(current_user, values_of(form)),
        success=lambda s: _("Survey %(code)s opened.", code=s.code),
        to=lambda s: url_for("records.survey_detail", survey_id=s.id),
    )
    return done or (render_template("records/survey_form.html", form=form), form_status(form))


def _survey_page(survey, refused: tuple | None = None, status: int = 200):
    forms = {
        "copies": CopiesForm(prefix="copies", obj=survey),
        "import": ImportForm(prefix="import"),
    }
    if refused is not None:
        forms[refused[0]] = refused[1]
    return (
        render_template(
            "records/survey.html",
            survey=survey,
            results=surveys.results(survey),
            recent=surveys.recent_responses(survey),
            forms=forms,
            header=survey_files.template_header(survey),
            history=history_for(survey),
        ),
        status,
    )


@bp.get("/surveys/<int:survey_id>")
@require(Perm.RECORDS_VIEW)
def survey_detail(survey_id: int):
    """A survey's returned count, response rate and results per question, with charts."""
    return _survey_page(surveys.get_survey(current_user, survey_id))


@bp.post("/surveys/<int:survey_id>/copies")
@require(Perm.SURVEYS_MANAGE)
def survey_copies(survey_id: int):
    """Correct the copies issued or the closing date."""
    survey = surveys.get_survey(current_user, survey_id)
    form = CopiesForm(prefix="copies")
    done = submit_form(
        form,
        lambda: surveys.update_survey(current_user, survey, values_of(form)),
        success=_("Survey saved."),
        to=url_for("records.survey_detail", survey_id=survey.id),
    )
    return done or _survey_page(survey, ("copies", form), form_status(form))


@bp.route("/surveys/<int:survey_id>/responses/new", methods=["GET", "POST"])
@require(Perm.SURVEYS_MANAGE)
def response_new(survey_id: int):
    """Enter one returned questionnaire (and the next)."""
    survey = surveys.get_survey(current_user, survey_id)
    form = response_form(survey.questionnaire)

    def record():
        answers = {q.key: getattr(form, f"q_{q.id}").data for q in survey.questionnaire.questions}
        data = {"sheet": form.sheet.data, "returned_on": form.returned_on.data, "answers": answers}
        try:
            return surveys.enter_response(current_user, survey, data)
        except InvalidInput as exc:  # name the form's fields (q_<id>) instead of the question keys
            fields = {q.key: f"q_{q.id}" for q in survey.questionnaire.questions}
            raise InvalidInput(exc.message, {fields.get(k, k): v for k, v in exc.errors.items()}) from None

    done = submit_form(
        form,
        record,
        success=_("Questionnaire recorded; enter the next one."),
        to=url_for("records.response_new", survey_id=survey.id),
    )
    return done or (
        render_template(
            "records/response_form.html", form=form, survey=survey, returned=surveys.returned(survey)
        ),
        form_status(form),
    )


@bp.post("/surveys/<int:survey_id>/responses/<int:response_id>/delete")
@require(Perm.SURVEYS_MANAGE)
def response_delete(survey_id: int, response_id: int):
    """Remove a questionnaire entered by mistake."""
    survey = surveys.get_survey(current_user, survey_id)
    surveys.delete_response(current_user, survey, response_id)
    flash(_("Returned questionnaire removed."), "warning")
    return redirect(url_for("records.survey_detail", survey_id=survey.id), code=303)


@bp.post("/surveys/<int:survey_id>/import")
@require(Perm.SURVEYS_MANAGE)
def survey_import(survey_id: int):
    """Import returned questionnaires from an XLSX or CSV file (all or nothing)."""
    survey = surveys.get_survey(current_user, survey_id)
    form = ImportForm(prefix="import")

    def run():
        upload = request.files.get("import-file")
        if upload is None or not upload.filename:
            raise InvalidInput(_("Choose a file."), {"file": [_("Choose an XLSX or CSV file.")]})
        return survey_files.import_responses(current_user, survey, upload.stream, dry_run=form.dry_run.data)

    def said(result):
        if result["dry_run"]:
            return _("The file is fine: %(n)s questionnaires would be imported.", n=result["rows"])
        return _(
            "%(n)s questionnaires imported; %(total)s returned in all.",
            n=result["created"],
            total=result["returned"],
        )

    done = submit_form(form, run, success=said, to=url_for("records.survey_detail", survey_id=survey.id))
    return done or _survey_page(survey, ("import", form), form_status(form))


@bp.get("/surveys/<int:survey_id>/export")
@require(Perm.RECORDS_VIEW)
def survey_export(survey_id: int):
    """The results (`what=results`) or every returned questionnaire (`what=responses`), CSV or XLSX."""
    survey = surveys.get_survey(current_user, survey_id)
    what = "responses" if request.args.get("what") == "responses" else "results"
    header, rows = (survey_files.response_rows if what == "responses" else survey_files.result_rows)(survey)
    return export_response(request.args.get("format", "csv"), f"survey-{survey.code}-{what}", header, rows)


@bp.get("/surveys/<int:survey_id>/template")
@require(Perm.RECORDS_VIEW)
def survey_template(survey_id: int):
    """An empty answers file for this survey (XLSX unless `format=csv`)."""
    survey = surveys.get_survey(current_user, survey_id)
    fmt = "csv" if request.args.get("format") == "csv" else "xlsx"
    return export_response(fmt, f"survey-{survey.code}-answers", survey_files.template_header(survey), [])
