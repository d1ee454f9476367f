"""Forms of the audits area: audits, findings, and one form per rectification step."""

import json

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from flask_wtf.form import _Auto, _is_submitted
from werkzeug.datastructures import CombinedMultiDict
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional

from labtrack import parsing
from labtrack.audits.checks import REVIEWED_MAX, TEAM_MAX
from labtrack.audits.clauses import AREA_CLAUSES, clause_choices
from labtrack.audits.models import (
    AREA_LABELS,
    AUDIT_KIND_LABELS,
    AUDIT_STATUS_LABELS,
    ROOT_CAUSE_METHOD_LABELS,
    SEVERITY_LABELS,
)
from labtrack.forms import Parse

COUNT = [Optional(), Parse(parsing.integer, required=False, maximum=REVIEWED_MAX)]
TEXT = [DataRequired(), Parse(parsing.text, max_len=parsing.TEXT_MAX)]
OPTIONAL_TEXT = [Optional(), Parse(parsing.text, required=False, max_len=parsing.TEXT_MAX)]
COMMENT = [Optional(), Parse(parsing.text, required=False, max_len=parsing.COMMENT_MAX)]


class PageForm(FlaskForm):
    """A form posted by a browser: reads the form body and files only, never a JSON body.

    Flask-WTF would otherwise turn a JSON body into form data, and a JSON list or nested
    values there make WTForms raise instead of reporting a field error.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto:
                if not _is_submitted():
                    return None
                return CombinedMultiDict((request.files, request.form)) if request.files else request.form
            return formdata


class AuditForm(PageForm):
    """Record or edit an audit; the view offers only the kinds, labs and leads the policy allows."""

    lab_id = SelectField(
        _l("Laboratory"),
        coerce=int,
        validators=[DataRequired()],
        render_kw={"data-search": "", "required": True},
    )
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    title = StringField(
        _l("Title"), validators=[DataRequired(), Parse(parsing.name, max_len=parsing.NAME_MAX)]
    )
    started_on = DateField(_l("Started on"), validators=[DataRequired()])
    ended_on = DateField(_l("Ended on"), validators=[Optional()])
    lead_id = SelectField(_l("Lead"), coerce=int, validators=[Optional()], render_kw={"data-search": ""})
    team = StringField(
        _l("Team"),
        validators=[Optional(), Parse(parsing.text, required=False, max_len=TEAM_MAX, multiline=False)],
        description=_l("Names of the other members, separated by commas."),
    )
    documents_reviewed = IntegerField(
        _l("System documents and raw records reviewed"), validators=COUNT, default=0
    )
    instruments_checked = IntegerField(_l("Instruments checked"), validators=COUNT, default=0)
    reports_sampled = IntegerField(_l("Reports and certificates sampled"), validators=COUNT, default=0)
    status = SelectField(_l("Status"), choices=list(AUDIT_STATUS_LABELS.items()), validators=[DataRequired()])
    summary = TextAreaField(_l("Summary"), validators=OPTIONAL_TEXT)
    submit = SubmitField(_l("Save"))

    def offer(self, kinds, labs: list[tuple[int, str]] | None, leads: list[tuple[int, str]]) -> None:
        """Offer these kinds, labs (None: the actor's own lab, no choice) and leads."""
        self.kind.choices = [(k.value, AUDIT_KIND_LABELS[k]) for k in kinds]
        if labs is None:
            del self.lab_id
        else:
            # An empty first choice: the form never proposes a laboratory the user did not pick.
            self.lab_id.choices = [(0, _l("Choose a laboratory…")), *labs]
        self.lead_id.choices = [(0, "—"), *leads]

    def audit_data(self) -> dict:
        """The submitted fields for the service (blank as None, no lead as None)."""
        data = {k: v for k, v in self.data.items() if k not in ("submit", "csrf_token")}
        data["lead_id"] = data.get("lead_id") or None
        return {k: (None if v == "" else v) for k, v in data.items()}


class FindingForm(PageForm):
    """Raise (or correct) a finding."""

    severity = SelectField(_l("Severity"), choices=list(SEVERITY_LABELS.items()), validators=[DataRequired()])
    area = SelectField(_l("Area"), choices=list(AREA_LABELS.items()), validators=[DataRequired()])
    clause = SelectField(
        _l("ISO/IEC 17025:2017 clause"),
        validators=[DataRequired()],
        description=_l("The clauses offered follow the area chosen."),
    )
    description = TextAreaField(_l("Description"), validators=TEXT)
    due_on = DateField(
        _l("Due on"),
        validators=[Optional()],
        description=_l("Leave empty for the default deadline by severity."),
    )
    files = MultipleFileField(_l("Evidence files"))
    version = HiddenField()
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.clause.choices = clause_choices()
        # The browser narrows the clause list to the chosen area (static/js/forms.js).
        self.area.render_kw = {"data-clauses-for": "clause", "data-clauses": json.dumps(AREA_CLAUSES)}

    def finding_data(self, *keys: str) -> dict:
        """The submitted fields the service reads."""
        return {k: self.data[k] for k in keys}


class StepForm(PageForm):
    """Fields every step shares: which step, the version last read, a comment."""

    to = HiddenField(validators=[InputRequired()])
    version = HiddenField(validators=[InputRequired()])
    comment = TextAreaField(_l("Comment"), validators=COMMENT)

    def step_data(self) -> dict:
        """The submitted fields the service reads (files come separately)."""
        return {k: v for k, v in self.data.items() if k not in ("csrf_token", "submit", "files")}


class PlanForm(StepForm):
    """The rectification plan (ISO/IEC 17025:2017 clause 8.7)."""

    correction = TextAreaField(_l("Immediate correction"), validators=TEXT)
    root_cause = TextAreaField(_l("Root cause"), validators=TEXT)
    root_cause_method = SelectField(
        _l("Root-cause method"), choices=list(ROOT_CAUSE_METHOD_LABELS.items()), validators=[DataRequired()]
    )
    occurs_elsewhere = TextAreaField(
        _l("Does the same problem exist, or could it occur, elsewhere?"),
        validators=TEXT,
    )
    corrective_action = TextAreaField(_l("Corrective action"), validators=TEXT)
    action_owner = StringField(
        _l("Owner"), validators=[DataRequired(), Parse(parsing.name, max_len=parsing.SHORT_MAX)]
    )
    action_target_on = DateField(_l("Target date"), validators=[DataRequired()])
    submit = SubmitField(_l("Submit the plan"))


class EvidenceForm(StepForm):
    """Evidence of the rectification: a text and files."""

    evidence_text = TextAreaField(_l("What was done"), validators=TEXT)
    files = MultipleFileField(
        _l("Evidence files"), description=_l("PDF, images (PNG, JPEG, GIF, WebP) or office documents.")
    )
    submit = SubmitField(_l("Submit the evidence"))


class CloseForm(StepForm):
    """Check and acceptance: review of effectiveness, signed with the verifier's password."""

    effectiveness_review = TextAreaField(_l("Review of effectiveness"), validators=TEXT)
    password = PasswordField(
        _l("Your password (electronic signature)"),
        validators=[DataRequired()],
        description=_l("Closing is signed with your password, as an electronic signature."),
    )
    submit = SubmitField(_l("Close the finding"))


class ReasonForm(StepForm):
    """Steps that need only a reason: rejections, cancellation, reopening, and acceptance."""

    submit = SubmitField(_l("Confirm"))


class ExtendForm(PageForm):
    """Extend a finding's deadline (quality department)."""

    version = HiddenField(validators=[InputRequired()])
    due_on = DateField(_l("New due date"), validators=[DataRequired()])
    comment = TextAreaField(
        _l("Reason"), validators=[DataRequired(), Parse(parsing.text, max_len=parsing.COMMENT_MAX)]
    )
    submit = SubmitField(_l("Extend the deadline"))


class UploadForm(PageForm):
    """Attach files to a finding."""

    files = MultipleFileField(_l("Files"), validators=[Optional()])
    submit = SubmitField(_l("Attach"))


STEP_FORMS = {
    "submit_plan": PlanForm,
    "submit_evidence": EvidenceForm,
    "close": CloseForm,
}
