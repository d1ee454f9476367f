"""Laboratory, certificate and contact forms: the fields parse with `labtrack.labs.values`, as the
API schema, the import and the service do."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, ValidationError

from labtrack.forms import Parse
from labtrack.labs import values
from labtrack.labs.models import (
    LAB_KIND_LABELS,
    LAB_STATUS_LABELS,
    QUALIFICATION_STATUS_LABELS,
    SCHEME_LABELS,
)


def _maxlength(n: int) -> dict:
    return {"maxlength": n}


class LabForm(FlaskForm):
    """Register or edit a laboratory."""

    code = StringField(
        _l("Code"),
        validators=[InputRequired(), Parse(values.lab_code)],
        render_kw=_maxlength(values.CODE_MAX),
        description=_l("Letters and digits, with - _ . between them; for example SC-TC."),
    )
    name = StringField(
        _l("Name"),
        validators=[InputRequired(), Parse(values.lab_name)],
        render_kw=_maxlength(values.NAME_MAX),
    )
    name_en = StringField(
        _l("English name"),
        validators=[Parse(values.lab_name, required=False)],
        render_kw=_maxlength(values.NAME_MAX),
    )
    region = StringField(
        _l("Region (prefecture)"),
        validators=[InputRequired(), Parse(values.region)],
        render_kw=_maxlength(values.REGION_MAX),
    )
    kind = SelectField(_l("Kind"), choices=list(LAB_KIND_LABELS.items()), validators=[DataRequired()])
    status = SelectField(_l("Status"), choices=list(LAB_STATUS_LABELS.items()), validators=[DataRequired()])
    is_model_lab = BooleanField(_l("Model laboratory"))
    address = StringField(
        _l("Address"), validators=[Parse(values.address)], render_kw=_maxlength(values.ADDRESS_MAX)
    )
    notes = TextAreaField(_l("Notes"), validators=[Parse(values.notes)])
    submit = SubmitField(_l("Save"))

    def lab_data(self) -> dict:
        """The submitted fields for the service."""
        return {k: v for k, v in self.data.items() if k not in ("submit", "csrf_token")}


class QualificationForm(FlaskForm):
    """Add or edit a certificate (CMA, CNAS or another scheme)."""

    scheme = SelectField(_l("Scheme"), choices=list(SCHEME_LABELS.items()), validators=[DataRequired()])
    certificate_no = StringField(
        _l("Certificate number"),
        validators=[InputRequired(), Parse(values.certificate_no)],
        render_kw=_maxlength(values.CERTIFICATE_MAX),
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

    name = StringField(
        _l("Name"),
        validators=[InputRequired(), Parse(values.person)],
        render_kw=_maxlength(values.CONTACT_NAME_MAX),
    )
    position = StringField(
        _l("Position"), validators=[Parse(values.position)], render_kw=_maxlength(values.POSITION_MAX)
    )
    phone = StringField(_l("Phone"), validators=[Parse(values.phone)], render_kw=_maxlength(values.PHONE_MAX))
    email = StringField(
        _l("E-mail"), validators=[Parse(values.email)], render_kw=_maxlength(values.EMAIL_MAX)
    )
    submit = SubmitField(_l("Save"))

    def values(self) -> dict:
        """The submitted fields for the service."""
        return {k: self.data[k] for k in ("name", "position", "phone", "email")}
