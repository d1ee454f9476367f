"""The applications area's web forms: a new application, its items (entered, picked, uploaded), one
form for the steps (each step shows the fields it needs; the service checks them), the working
calendar. Fields parse as the API and the services do; the rules are the services'."""

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
from labtrack.applications.values import (
    CERTIFICATE_NO_MAX,
    DAY_KIND_LABELS,
    DAY_NAME_MAX,
    KIND_LABELS,
    NOTE_MAX,
    REASON_MAX,
    TITLE_MAX,
)
from labtrack.forms import Parse, plain_text


def _optional_date(label):
    return DateField(label, validators=[Optional()], render_kw={"placeholder": "YYYY-MM-DD"})


class ApplicationForm(FlaskForm):
    """A new application (a draft): kind, laboratory (not for a lab manager: their own), title, note."""

    kind = SelectField(_l("Kind of application"), choices=[(k.value, v) for k, v in KIND_LABELS.items()])
    lab_code = StringField(
        _l("Laboratory code"), validators=[Optional(), Parse(parsing.code)], render_kw={"maxlength": 32}
    )
    title = StringField(
        _l("Title"),
        validators=[Optional(), plain_text],
        description=_l("Leave empty for the laboratory's code and the kind."),
        render_kw={"maxlength": TITLE_MAX},
    )
    note = TextAreaField(
        _l("Note"), validators=[Optional(), plain_text], render_kw={"maxlength": NOTE_MAX, "rows": 3}
    )
    submit = SubmitField(_l("Create the draft"))


class ItemForm(FlaskForm):
    """One item: its code alone when it is in the catalogue; otherwise its category and names too."""

    item_code = StringField(_l("Item code"), validators=[InputRequired()], render_kw={"maxlength": 32})
    item_name = StringField(
        _l("Item name"), validators=[Optional(), plain_text], render_kw={"maxlength": 300}
    )
    category_code = StringField(_l("Category code"), validators=[Optional()], render_kw={"maxlength": 32})
    category_name = StringField(
        _l("Category name"), validators=[Optional(), plain_text], render_kw={"maxlength": 200}
    )
    method = StringField(
        _l("Standard method"), validators=[Optional(), plain_text], render_kw={"maxlength": 500}
    )
    parameters = IntegerField(
        _l("Parameters"), validators=[Optional(), NumberRange(min=0, max=parsing.COUNT_MAX)]
    )
    submit = SubmitField(_l("Add the item"))

    def item_data(self) -> dict:
        """The item as the service takes it (empty fields left out)."""
        names = ("item_code", "item_name", "category_code", "category_name", "method", "parameters")
        return {n: getattr(self, n).data for n in names if getattr(self, n).data not in (None, "")}


class UploadForm(FlaskForm):
    """Items from a CSV or XLSX file in the scope import's columns."""

    file = FileField(_l("File (CSV or XLSX)"))
    submit = SubmitField(_l("Upload the items"))


class StepForm(FlaskForm):
    """One step of an application (`to`: the status it leads to); each step shows its own fields."""

    to = HiddenField()
    version = HiddenField()
    comment = TextAreaField(
        _l("Comment"), validators=[Optional(), plain_text], render_kw={"maxlength": REASON_MAX, "rows": 2}
    )
    reasons = TextAreaField(
        _l("What is missing or wrong"),
        validators=[Optional(), plain_text],
        render_kw={"maxlength": REASON_MAX, "rows": 3},
    )
    lead = SelectField(_l("Team leader"), choices=[], validate_choice=False)
    members = StringField(
        _l("Other members (usernames, separated by commas)"),
        validators=[Optional()],
        render_kw={"maxlength": 500},
    )
    starts_on = _optional_date(_l("Assessment starts on"))
    ends_on = _optional_date(_l("Assessment ends on"))
    ended_on = _optional_date(_l("The assessment ended on"))
    summary = TextAreaField(
        _l("Summary of the assessment"), validators=[Optional(), plain_text], render_kw={"rows": 2}
    )
    refused = TextAreaField(
        _l("Items refused (one a line: item code, then the reason)"),
        validators=[Optional(), plain_text],
        render_kw={"rows": 3, "placeholder": "W-1 设备未检定"},
    )
    exclude_open = BooleanField(_l("Decide in part: refuse the items of findings still open"))
    certificate_no = StringField(
        _l("Certificate number"), validators=[Optional()], render_kw={"maxlength": CERTIFICATE_NO_MAX}
    )
    password = PasswordField(
        _l("Your password (signs the decision)"), render_kw={"autocomplete": "current-password"}
    )
    submit = SubmitField(_l("Confirm"))

    def step_data(self) -> dict:
        """The fields the service reads (refusals as item code -> reason)."""
        data = {
            "comment": self.comment.data,
            "reasons": self.reasons.data,
            "lead": self.lead.data,
            "members": self.members.data,
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
            "ended_on": self.ended_on.data,
            "summary": self.summary.data,
            "exclude_open": bool(self.exclude_open.data),
            "certificate_no": self.certificate_no.data,
            "password": self.password.data,
        }
        refused = {}
        for line in (self.refused.data or "").splitlines():
            code, _sep, reason = line.strip().partition(" ")
            if code:
                refused[code] = reason.strip()
        data["refused"] = refused
        return {k: v for k, v in data.items() if v not in (None, "")}


class YearForm(FlaskForm):
    """A year set up in the working calendar."""

    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(min=1990, max=2100)])
    note = StringField(
        _l("Notice"), validators=[Optional(), plain_text], render_kw={"maxlength": parsing.COMMENT_MAX}
    )
    submit = SubmitField(_l("Add the year"))


class DaysForm(FlaskForm):
    """A public holiday (a span of days) or a make-up working day."""

    kind = SelectField(_l("Kind of day"), choices=[(k.value, v) for k, v in DAY_KIND_LABELS.items()])
    first = DateField(_l("First day"), validators=[InputRequired()], render_kw={"placeholder": "YYYY-MM-DD"})
    last = _optional_date(_l("Last day (for a span)"))
    name = StringField(_l("Name"), validators=[Optional(), plain_text], render_kw={"maxlength": DAY_NAME_MAX})
    name_en = StringField(
        _l("Name in English"), validators=[Optional(), plain_text], render_kw={"maxlength": DAY_NAME_MAX}
    )
    submit = SubmitField(_l("Add"))


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as check boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class FindingForm(FlaskForm):
    """A finding of the assessment raised by a member of the team, naming the items it concerns."""

    severity = SelectField(_l("Severity"), choices=[])
    area = SelectField(_l("Area"), choices=[])
    clause = StringField(
        _l("ISO/IEC 17025 clause"), validators=[InputRequired()], render_kw={"maxlength": 16}
    )
    description = TextAreaField(
        _l("Description"), validators=[InputRequired(), plain_text], render_kw={"rows": 3}
    )
    item_ids = MultiCheckboxField(
        _l("Items it concerns (none: the whole application)"), choices=[], validate_choice=False
    )
    submit = SubmitField(_l("Raise the finding"))

    def setup(self, application) -> "FindingForm":
        """Choices: the audits' severities and areas, the application's items."""
        from labtrack.audits.models import AREA_LABELS, SEVERITY_LABELS

        self.severity.choices = [(str(k), v) for k, v in SEVERITY_LABELS.items()]
        self.area.choices = [(str(k), v) for k, v in AREA_LABELS.items()]
        self.item_ids.choices = [(str(i.id), f"{i.item_code} {i.item_name or ''}") for i in application.items]
        return self


class EditForm(FlaskForm):
    """The title and note of a draft (or returned) application."""

    version = HiddenField()
    title = StringField(
        _l("Title"), validators=[InputRequired(), plain_text], render_kw={"maxlength": TITLE_MAX}
    )
    note = TextAreaField(
        _l("Note"), validators=[Optional(), plain_text], render_kw={"maxlength": NOTE_MAX, "rows": 3}
    )
    submit = SubmitField(_l("Save"))
