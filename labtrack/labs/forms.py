"""Laboratory forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from labtrack.labs.models import LAB_KIND_LABELS, LAB_STATUS_LABELS


class LabForm(FlaskForm):
    """Create or edit a laboratory."""

    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=32),
            Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Letters, digits, dot, dash and underscore only.")),
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=200)])
    region = StringField(_l("Region (prefecture)"), validators=[DataRequired(), Length(max=80)])
    kind = SelectField(_l("Kind"), choices=list(LAB_KIND_LABELS.items()), validators=[DataRequired()])
    status = SelectField(_l("Status"), choices=list(LAB_STATUS_LABELS.items()), validators=[DataRequired()])
    is_model_lab = BooleanField(_l("Model laboratory"))
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    notes = TextAreaField(_l("Notes"), validators=[Optional()])
    submit = SubmitField(_l("Save"))

    def lab_data(self) -> dict:
        """The submitted fields, blank strings as None."""
        data = {k: v for k, v in self.data.items() if k not in ("submit", "csrf_token")}
        return {k: (v if v != "" else None) for k, v in data.items()}
