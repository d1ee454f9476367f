"""Forms of the proficiency area: a round, a result, a results file."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from labtrack import parsing
from labtrack.forms import Parse
from labtrack.proficiency.models import (
    ASSIGNED_VALUE_LABELS,
    ITEM_CONDITION_LABELS,
    ROUND_KIND_LABELS,
    SCORE_BASIS_LABELS,
    SIGMA_METHOD_LABELS,
)


class RoundForm(FlaskForm):
    """Create or edit a comparison round."""

    code = StringField(
        _l("Code"),
        description=_l("Proposed from the kind and year; change it if the organiser gave the round its own."),
        validators=[Optional(), Length(max=40),
                    Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Letters, digits, dot, dash and underscore only."))],
    )  # fmt: skip
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=list(ROUND_KIND_LABELS.items()), validators=[DataRequired()])
    organiser = StringField(_l("Organiser"), validators=[Optional(), Length(max=200)])
    item_code = SelectField(
        _l("Catalogue item"), choices=[], validators=[Optional()], render_kw={"data-search": ""},
        description=_l("The test item of the catalogue this round checks, if there is one: type to search."),
    )  # fmt: skip
    measurand = StringField(_l("Measurand"), validators=[DataRequired(), Length(max=200)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=40)])
    opens_on = DateField(_l("Opens on"), validators=[Optional()])
    closes_on = DateField(_l("Closes on"), validators=[Optional()])
    assigned_value_method = SelectField(
        _l("Assigned value x_pt"), choices=list(ASSIGNED_VALUE_LABELS.items()), validators=[DataRequired()]
    )
    x_pt = FloatField(_l("x_pt (reference, certified or reference-lab value)"), validators=[Optional()])
    u_x_pt = FloatField(_l("u(x_pt), standard uncertainty"), validators=[Optional(), NumberRange(min=0)])
    sigma_pt_method = SelectField(_l("sigma_pt"), choices=list(SIGMA_METHOD_LABELS.items()))
    sigma_pt = FloatField(
        _l("sigma_pt (fixed value)"),
        validators=[Optional(), NumberRange(min=1e-300, message=_l("Must be greater than 0."))],
    )
    score_basis = SelectField(_l("Score"), choices=list(SCORE_BASIS_LABELS.items()))
    split_level = BooleanField(
        _l("Split-level round (two items per participant, levels A and B)"),
        description=_l("Each participant reports both levels; the round page draws a Youden plot."),
    )
    x_pt_b = FloatField(_l("Level B: x_pt"), validators=[Optional()])
    u_x_pt_b = FloatField(
        _l("Level B: u(x_pt)"),
        validators=[Optional(), NumberRange(min=0)],
        description=_l("Blank: level A's."),
    )
    sigma_pt_b = FloatField(
        _l("Level B: sigma_pt"),
        validators=[Optional(), NumberRange(min=1e-300, message=_l("Must be greater than 0."))],
        description=_l("Blank: level A's."),
    )
    participants = SelectMultipleField(
        _l("Invited laboratories"), choices=[], render_kw={"data-search": ""},
        description=_l("Choosing the item proposes the laboratories holding it; type to add others."),
    )  # fmt: skip
    notes = TextAreaField(_l("Notes"), validators=[Optional()])
    submit = SubmitField(_l("Save"))

    def round_data(self) -> dict:
        """The submitted fields, blank strings as None."""
        data = {k: v for k, v in self.data.items() if k not in ("submit", "csrf_token")}
        return {k: (v if v != "" else None) for k, v in data.items()}


class ResultForm(FlaskForm):
    """Enter one laboratory's result."""

    lab_code = SelectField(_l("Laboratory"), choices=[], validators=[DataRequired()])
    value = StringField(_l("Value"), validators=[Optional()])
    value_b = StringField(_l("Level B"), validators=[Optional()])
    answer = SelectField(_l("Answer"), choices=[], validators=[Optional()])
    expanded_uncertainty = StringField(_l("Expanded uncertainty U"), validators=[Optional()])
    coverage_factor = StringField(_l("Coverage factor k"), validators=[Optional()])
    method = StringField(_l("Method"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Enter result"))


class UploadForm(FlaskForm):
    """Upload results from a CSV or XLSX file."""

    file = FileField(
        _l("CSV or XLSX file"),
        validators=[FileRequired()],
        description=_l("Header: lab_code,value,expanded_uncertainty,coverage_factor,method"),
    )
    submit = SubmitField(_l("Upload results"))


class HomogeneityForm(FlaskForm):
    """Enter or import the homogeneity study of a round's items."""

    replicates = TextAreaField(
        _l("Replicate results"),
        validators=[Optional()],
        description=_l("One item per line, its replicate results separated by spaces or commas."),
    )
    file = FileField(_l("Or a CSV or XLSX file"), description=_l("Header: item,replicate,value"))
    sigma_pt = StringField(
        _l("sigma_pt checked against"),
        validators=[Parse(parsing.number, required=False, positive=True)],
        description=_l("Blank: the round's fixed sigma_pt."),
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Record homogeneity study"))


class StabilityForm(FlaskForm):
    """Enter or import the stability study of a round's items."""

    before = TextAreaField(_l("Results before"), validators=[Optional()],
                           description=_l("Results separated by spaces, commas or new lines."))  # fmt: skip
    after = TextAreaField(_l("Results after"), validators=[Optional()])
    file = FileField(
        _l("Or a CSV or XLSX file"), description=_l("Header: phase,value (phase: before or after)")
    )
    sigma_pt = StringField(
        _l("sigma_pt checked against"),
        validators=[Parse(parsing.number, required=False, positive=True)],
        description=_l("Blank: the round's fixed sigma_pt."),
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Record stability study"))


class DispatchForm(FlaskForm):
    """Record that the items were sent."""

    sent_on = DateField(_l("Sent on"), validators=[DataRequired()])
    lab_codes = SelectMultipleField(
        _l("Laboratories"),
        choices=[],
        validators=[Optional()],
        description=_l("None chosen: every invited laboratory."),
    )
    submit = SubmitField(_l("Record dispatch"))


class ReceiptForm(FlaskForm):
    """Record that a lab's item arrived, and its condition."""

    received_on = DateField(_l("Received on"), validators=[DataRequired()])
    condition = SelectField(
        _l("Condition on arrival"), choices=[(c.value, label) for c, label in ITEM_CONDITION_LABELS.items()]
    )
    condition_note = StringField(_l("What was wrong"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Record receipt"))


class DesignForm(FlaskForm):
    """How a round's results are given: a value, or an answer among categories."""

    result_type = SelectField(_l("Results"), choices=[])
    categories = TextAreaField(
        _l("Answer categories"),
        validators=[Optional()],
        description=_l(
            "One per line, e.g. the organisms a participant may name; blank: detected / not detected."
        ),
    )
    assigned_answer = StringField(
        _l("Assigned answer"),
        validators=[Optional(), Length(max=100)],
        description=_l(
            "One of the categories (Detected or Not detected when there are none); until evaluation."
        ),
    )
    submit = SubmitField(_l("Save"))
