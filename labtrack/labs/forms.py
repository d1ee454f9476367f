"""Laboratory, certificate and contact forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from labtrack.forms import plain_text
from labtrack.labs.models import (
    LAB_KIND_LABELS,
    LAB_STATUS_LABELS,
    QUALIFICATION_STATUS_LABELS,
    SCHEME_LABELS,
)


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
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), plain_text])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=200), plain_text])
    region = StringField(_l("Region (prefecture)"), validators=[DataRequired(), Length(max=80), plain_text])
    kind = SelectField(_l("Kind"), choices=list(LAB_KIND_LABELS.items()), validators=[DataRequired()])
    status = SelectField(_l("Status"), choices=list(LAB_STATUS_LABELS.items()), validators=[DataRequired()])
    is_model_lab = BooleanField(_l("Model laboratory"))
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300), plain_text])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), plain_text])
    submit = SubmitField(_l("Save"))

    def lab_data(self) -> dict:
        """The submitted fields, blank strings as None."""
        data = {k: v for k, v in self.data.items() if k not in ("submit", "csrf_token")}
        return {k: (v if v != "" else None) for k, v in data.items()}


class QualificationForm(FlaskForm):
    """Add or edit a certificate (CMA, CNAS or another scheme)."""

    scheme = SelectField(_l("Scheme"), choices=list(SCHEME_LABELS.items()), validators=[DataRequired()])
    certificate_no = StringField(
        _l("Certificate number"), validators=[DataRequired(), Length(max=64), plain_text]
    )
    issued_on = DateField(
        _l("Issued on"), validators=[DataRequired(message=_l("A valid date is required (YYYY-MM-DD)."))]
    )
    expires_on = DateField(
        _l("Expires on"), validators=[DataRequired(message=_l("A valid date is required (YYYY-MM-DD)."))]
    )
    status = SelectField(
        _l("Status"), choices=list(QUALIFICATION_STATUS_LABELS.items()), validators=[DataRequired()]
    )
    submit = SubmitField(_l("Save"))

    def validate_expires_on(self, field) -> None:
        """An expiry on or before the date of issue is a typing mistake."""
        if field.data and self.issued_on.data and field.data <= self.issued_on.data:
            raise ValidationError(_l("The certificate must expire after it was issued."))

    def values(self) -> dict:
        """The submitted fields for the service."""
        return {k: self.data[k] for k in ("scheme", "certificate_no", "issued_on", "expires_on", "status")}


class ContactForm(FlaskForm):
    """Add or edit a person to reach at a lab."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120), plain_text])
    position = StringField(_l("Position"), validators=[Optional(), Length(max=120), plain_text])
    phone = StringField(
        _l("Phone"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9+()\- ]+$", message=_l("Digits, spaces, +, - and brackets only.")),
        ],
    )
    email = StringField(
        _l("E-mail"),
        validators=[
            Optional(),
            Length(max=254),
            Email(message=_l("Invalid e-mail address."), check_deliverability=False),
        ],
    )
    submit = SubmitField(_l("Save"))

    def values(self) -> dict:
        """The submitted fields for the service."""
        return {k: self.data[k] for k in ("name", "position", "phone", "email")}
