"""Forms of the records area. Fields parse with `labtrack.parsing` (through `Parse`), so a form
refuses what the API and the services refuse; the services then check the rules."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from labtrack import parsing
from labtrack.audits.clauses import clause_choices
from labtrack.audits.models import AREA_LABELS, SEVERITY_LABELS
from labtrack.forms import Parse, plain_text
from labtrack.records.models import (
    AUDIENCE_LABELS,
    CHANNEL_LABELS,
    DOCUMENT_KIND_LABELS,
    DOCUMENT_SUBJECT_LABELS,
    OUTCOME_LABELS,
    QUESTION_KIND_LABELS,
)
from labtrack.records.values import KEY_MAX, LABEL_MAX, REVIEW_INTERVAL_MAX, TEXT_ZH_MAX


def _max(n: int) -> dict:
    return {"maxlength": n}


def values_of(form: FlaskForm, *skip: str) -> dict:
    """The submitted fields for a service (no buttons, no CSRF token)."""
    return {k: v for k, v in form.data.items() if k not in ("submit", "csrf_token", *skip)}


# --- documents -------------------------------------------------------------------------------


class DocumentForm(FlaskForm):
    """Register a controlled document (a lab manager's: their own lab's)."""

    lab_code = SelectField(_l("Belongs to"), validate_choice=False)
    kind = SelectField(_l("Kind"), choices=list(DOCUMENT_KIND_LABELS.items()), validators=[InputRequired()])
    subject = SelectField(_l("Subject"), choices=[("", "—"), *DOCUMENT_SUBJECT_LABELS.items()])
    code = StringField(
        _l("Code"),
        validators=[InputRequired(), Parse(parsing.code)],
        render_kw=_max(parsing.CODE_MAX),
        description=_l("Unique within the owner, for example QM-01 or WI-TM-012."),
    )
    title = StringField(_l("Title"), validators=[InputRequired(), Parse(parsing.name)], render_kw=_max(200))
    title_en = StringField(
        _l("English title"), validators=[Parse(parsing.name, required=False)], render_kw=_max(200)
    )
    review_interval_months = IntegerField(
        _l("Review every (months)"),
        default=12,
        validators=[InputRequired(), NumberRange(min=1, max=REVIEW_INTERVAL_MAX)],
    )
    submit = SubmitField(_l("Register"))


class DocumentEditForm(FlaskForm):
    """Change a document's title, subject or review interval."""

    subject = SelectField(_l("Subject"), choices=[("", "—"), *DOCUMENT_SUBJECT_LABELS.items()])
    title = StringField(_l("Title"), validators=[InputRequired(), Parse(parsing.name)], render_kw=_max(200))
    title_en = StringField(
        _l("English title"), validators=[Parse(parsing.name, required=False)], render_kw=_max(200)
    )
    review_interval_months = IntegerField(
        _l("Review every (months)"), validators=[InputRequired(), NumberRange(min=1, max=REVIEW_INTERVAL_MAX)]
    )
    submit = SubmitField(_l("Save"))


class RevisionForm(FlaskForm):
    """Start a revision, or change a draft."""

    label = StringField(
        _l("Revision"),
        validators=[InputRequired(), Parse(parsing.name, max_len=LABEL_MAX)],
        render_kw=_max(LABEL_MAX),
        description=_l("What the document calls it, for example A/0 or B/1."),
    )
    change_note = TextAreaField(_l("What changed"), validators=[plain_text], render_kw={"rows": 3})
    file = FileField(
        _l("File"),
        description=_l("PDF, an office document or an image; the same limits as evidence files."),
    )
    version = HiddenField()
    submit = SubmitField(_l("Save"))


class StepForm(FlaskForm):
    """Send for review, return to draft, or discard (with a comment)."""

    comment = TextAreaField(_l("Comment"), validators=[plain_text], render_kw={"rows": 2})
    version = HiddenField()
    submit = SubmitField(_l("Go"))


class ApproveForm(FlaskForm):
    """Approve a revision: the approver signs with their password."""

    effective_on = DateField(_l("Takes effect on"), validators=[Optional()])
    password = PasswordField(_l("Your password (signature)"), validators=[InputRequired()])
    comment = TextAreaField(_l("Comment"), validators=[plain_text], render_kw={"rows": 2})
    version = HiddenField()
    submit = SubmitField(_l("Approve and sign"))


class ReviewForm(FlaskForm):
    """The periodic review of a document in force."""

    reviewed_on = DateField(_l("Reviewed on"), validators=[Optional()])
    comment = TextAreaField(_l("Comment"), validators=[plain_text], render_kw={"rows": 2})
    submit = SubmitField(_l("Record the review"))


class WithdrawForm(FlaskForm):
    """Withdraw a document in force."""

    withdrawn_on = DateField(_l("Date withdrawn"), validators=[Optional()])
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(), plain_text], render_kw={"rows": 2})
    submit = SubmitField(_l("Withdraw the document"))


class FindingDocumentsForm(FlaskForm):
    """The revisions a finding's rectification revises."""

    revision_ids = SelectMultipleField(
        _l("Revisions"), coerce=int, option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False)
    )
    submit = SubmitField(_l("Save"))


# --- surveys ---------------------------------------------------------------------------------


class QuestionnaireForm(FlaskForm):
    """A new questionnaire."""

    code = StringField(
        _l("Code"), validators=[InputRequired(), Parse(parsing.code)], render_kw=_max(parsing.CODE_MAX)
    )
    title = StringField(
        _l("Title (Chinese)"), validators=[InputRequired(), Parse(parsing.name)], render_kw=_max(200)
    )
    title_en = StringField(
        _l("Title (English)"), validators=[InputRequired(), Parse(parsing.name)], render_kw=_max(200)
    )
    introduction = TextAreaField(_l("Introduction"), validators=[plain_text], render_kw={"rows": 3})
    submit = SubmitField(_l("Save"))


class QuestionForm(FlaskForm):
    """A question on a scale, or with choices, in both languages."""

    key = StringField(
        _l("Key"),
        validators=[InputRequired(), Parse(parsing.code, max_len=KEY_MAX)],
        render_kw=_max(KEY_MAX),
        description=_l("Its column in the answers file, for example Q1."),
    )
    kind = SelectField(_l("Kind"), choices=list(QUESTION_KIND_LABELS.items()), validators=[InputRequired()])
    text_zh = StringField(
        _l("Question (Chinese)"), validators=[InputRequired(), plain_text], render_kw=_max(TEXT_ZH_MAX)
    )
    text_en = StringField(
        _l("Question (English)"), validators=[InputRequired(), plain_text], render_kw=_max(TEXT_ZH_MAX)
    )
    scale_min = IntegerField(_l("Scale from"), default=1, validators=[Optional()])
    scale_max = IntegerField(_l("Scale to"), default=5, validators=[Optional()])
    low_label_zh = StringField(
        _l("Lowest point means (Chinese)"), validators=[plain_text], render_kw=_max(60)
    )
    low_label_en = StringField(
        _l("Lowest point means (English)"), validators=[plain_text], render_kw=_max(60)
    )
    high_label_zh = StringField(
        _l("Highest point means (Chinese)"), validators=[plain_text], render_kw=_max(60)
    )
    high_label_en = StringField(
        _l("Highest point means (English)"), validators=[plain_text], render_kw=_max(60)
    )
    choices = TextAreaField(
        _l("Choices"),
        validators=[plain_text],
        render_kw={"rows": 4},
        description=_l("One per line: value | 中文 | English, for example: a | 满意 | Satisfied."),
    )
    submit = SubmitField(_l("Add the question"))


class SurveyForm(FlaskForm):
    """Open a survey campaign."""

    code = StringField(
        _l("Code"), validators=[InputRequired(), Parse(parsing.code)], render_kw=_max(parsing.CODE_MAX)
    )
    title = StringField(_l("Title"), validators=[InputRequired(), Parse(parsing.name)], render_kw=_max(200))
    questionnaire_code = SelectField(_l("Questionnaire"), validate_choice=False, validators=[InputRequired()])
    audience = SelectField(
        _l("Audience"), choices=list(AUDIENCE_LABELS.items()), validators=[InputRequired()]
    )
    audience_note = TextAreaField(_l("Who was asked"), validators=[plain_text], render_kw={"rows": 2})
    region = SelectField(_l("Region"), validate_choice=False)
    issued_on = DateField(_l("Date issued"), validators=[InputRequired()])
    closes_on = DateField(_l("Closes on"), validators=[Optional()])
    copies_issued = IntegerField(
        _l("Copies issued"), validators=[InputRequired(), NumberRange(min=0, max=parsing.COUNT_MAX)]
    )
    submit = SubmitField(_l("Save"))


class CopiesForm(FlaskForm):
    """Correct the number of copies issued."""

    copies_issued = IntegerField(
        _l("Copies issued"), validators=[InputRequired(), NumberRange(min=0, max=parsing.COUNT_MAX)]
    )
    closes_on = DateField(_l("Closes on"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


def response_form(questionnaire) -> FlaskForm:
    """A form for one returned questionnaire: its number, the day it came back, one field per question."""

    class ResponseForm(FlaskForm):
        sheet = StringField(_l("Questionnaire number"), validators=[plain_text], render_kw=_max(32))
        returned_on = DateField(_l("Returned on"), validators=[Optional()])

    for question in questionnaire.questions:
        if question.kind == "scale":
            choices = [
                ("", "—"),
                *((str(v), str(v)) for v in range(question.scale_min, question.scale_max + 1)),
            ]
        else:
            choices = [("", "—"), *((c.value, c.label) for c in question.choices)]
        field = SelectField(f"{question.key}. {question.text}", choices=choices, validate_choice=False)
        setattr(ResponseForm, f"q_{question.id}", field)
    ResponseForm.submit = SubmitField(_l("Record"))
    return ResponseForm()


class ImportForm(FlaskForm):
    """An answers file."""

    file = FileField(_l("XLSX or CSV file"))
    dry_run = BooleanField(_l("Only check the file"))
    submit = SubmitField(_l("Import"))


# --- complaints ------------------------------------------------------------------------------


class ComplaintForm(FlaskForm):
    """Register a complaint, or correct its details."""

    lab_code = SelectField(_l("Laboratory"), validate_choice=False, validators=[InputRequired()])
    channel = SelectField(_l("Channel"), choices=list(CHANNEL_LABELS.items()), validators=[InputRequired()])
    received_on = DateField(_l("Received on"), validators=[InputRequired()])
    complainant_name = StringField(
        _l("Complainant"), validators=[plain_text], render_kw=_max(parsing.SHORT_MAX)
    )
    complainant_contact = StringField(_l("How to reach them"), validators=[plain_text], render_kw=_max(200))
    subject = StringField(
        _l("Subject"), validators=[InputRequired(), Parse(parsing.name)], render_kw=_max(200)
    )
    description = TextAreaField(
        _l("What they complain of"), validators=[InputRequired(), plain_text], render_kw={"rows": 4}
    )
    submit = SubmitField(_l("Save"))


class ComplaintEditForm(ComplaintForm):
    """Correct a complaint's details (its laboratory stays)."""

    lab_code = None


class AcknowledgeForm(FlaskForm):
    """Acknowledge receipt to the complainant."""

    acknowledged_on = DateField(_l("Acknowledged on"), validators=[Optional()])
    comment = TextAreaField(_l("Comment"), validators=[plain_text], render_kw={"rows": 2})
    version = HiddenField()
    submit = SubmitField(_l("Acknowledge"))


class InvestigateForm(FlaskForm):
    """Record the investigation and its outcome."""

    investigated_on = DateField(_l("Investigated on"), validators=[Optional()])
    investigation = TextAreaField(
        _l("Investigation"), validators=[InputRequired(), plain_text], render_kw={"rows": 4}
    )
    outcome = SelectField(
        _l("Outcome"), choices=[("", "—"), *OUTCOME_LABELS.items()], validators=[InputRequired()]
    )
    version = HiddenField()
    submit = SubmitField(_l("Record the investigation"))


class AnswerForm(FlaskForm):
    """Record the feedback given to the complainant."""

    feedback_on = DateField(_l("Feedback given on"), validators=[Optional()])
    feedback = TextAreaField(
        _l("What they were told"), validators=[InputRequired(), plain_text], render_kw={"rows": 3}
    )
    version = HiddenField()
    submit = SubmitField(_l("Record the feedback"))


class ComplaintFindingForm(FlaskForm):
    """Raise a finding from a substantiated complaint."""

    severity = SelectField(
        _l("Severity"), choices=list(SEVERITY_LABELS.items()), validators=[InputRequired()]
    )
    area = SelectField(_l("Area"), choices=list(AREA_LABELS.items()), validators=[InputRequired()])
    clause = SelectField(_l("ISO/IEC 17025 clause"), validate_choice=False, validators=[InputRequired()])
    description = TextAreaField(
        _l("Description"), validators=[InputRequired(), plain_text], render_kw={"rows": 4}
    )
    due_on = DateField(_l("Due on"), validators=[Optional()], description=_l("Empty: by severity."))
    audit_reference = StringField(
        _l("Audit that recorded the investigation"),
        validators=[Parse(parsing.code, required=False)],
        description=_l("Empty: a flight check of the laboratory is recorded for the investigation."),
    )
    submit = SubmitField(_l("Raise the finding"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.clause.choices = clause_choices()
