"""Scope forms: catalogue entries, grants and withdrawals, scope import. The fields parse with
`labtrack.scope.values`, as the API schemas, the import and the services do."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, Regexp

from labtrack.forms import Parse
from labtrack.scope import values
from labtrack.scope.models import BASIS_LABELS, WITHDRAWAL_LABELS

CODE_HELP = _l("Letters and digits, with - _ . / between them.")


class CategoryForm(FlaskForm):
    """Create or edit a test category."""

    code = StringField(
        _l("Code"),
        validators=[InputRequired(), Parse(values.code)],
        description=CODE_HELP,
        render_kw={"maxlength": values.CODE_MAX},
    )
    name = StringField(
        _l("Name (as in the certificate)"),
        validators=[InputRequired(), Parse(values.category_name)],
        render_kw={"maxlength": values.CATEGORY_NAME_MAX},
    )
    name_en = StringField(
        _l("English name"),
        validators=[Parse(values.category_name, required=False)],
        render_kw={"maxlength": values.CATEGORY_NAME_MAX},
    )
    submit = SubmitField(_l("Save"))

    def values(self) -> dict:
        """The submitted fields for the service."""
        return {k: self.data[k] for k in ("code", "name", "name_en")}


class ItemForm(FlaskForm):
    """Create or edit a test item."""

    code = StringField(
        _l("Code"),
        validators=[InputRequired(), Parse(values.code)],
        description=CODE_HELP,
        render_kw={"maxlength": values.CODE_MAX},
    )
    name = StringField(
        _l("Name (as in the certificate)"),
        validators=[InputRequired(), Parse(values.item_name)],
        render_kw={"maxlength": values.ITEM_NAME_MAX},
    )
    name_en = StringField(
        _l("English name"),
        validators=[Parse(values.item_name, required=False)],
        render_kw={"maxlength": values.ITEM_NAME_MAX},
    )
    category_code = SelectField(_l("Test category"), validators=[DataRequired()])
    method = StringField(
        _l("Standard method(s)"),
        validators=[Parse(values.method)],
        description=_l("For example GB 5009.12-2017; separate several with a semicolon."),
        render_kw={"maxlength": values.METHOD_MAX},
    )
    parameters = IntegerField(
        _l("Number of parameters"), validators=[Optional(), NumberRange(min=0, max=values.PARAMETERS_MAX)]
    )
    submit = SubmitField(_l("Save"))

    def values(self) -> dict:
        """The submitted fields for the service."""
        return {k: self.data[k] for k in ("code", "name", "name_en", "category_code", "method", "parameters")}


class GrantForm(FlaskForm):
    """Extend a lab's scope with an item."""

    item_code = StringField(
        _l("Test item code"),
        validators=[InputRequired(), Parse(values.code)],
        render_kw={"maxlength": values.CODE_MAX},
    )
    granted_on = DateField(_l("Granted on"), validators=[DataRequired()])
    basis = SelectField(
        _l("Basis"), choices=list(BASIS_LABELS.items()), default="extension", validators=[DataRequired()]
    )
    note = TextAreaField(_l("Note"), validators=[Parse(values.note)])
    submit = SubmitField(_l("Grant"))

    def values(self) -> dict:
        """The submitted fields for the service."""
        return {k: self.data[k] for k in ("item_code", "granted_on", "basis", "note")}


class WithdrawForm(FlaskForm):
    """End a period of a lab's scope."""

    entry_id = HiddenField()
    withdrawn_on = DateField(_l("Withdrawn on"), validators=[DataRequired()])
    withdrawal_reason = SelectField(
        _l("Reason"), choices=list(WITHDRAWAL_LABELS.items()), validators=[DataRequired()]
    )
    note = TextAreaField(_l("Why"), validators=[InputRequired(), Parse(values.note, required=True)])
    submit = SubmitField(_l("Withdraw"))


class ImportForm(FlaskForm):
    """Upload a scope file for a preview."""

    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])
    submit = SubmitField(_l("Preview"))


class ConfirmImportForm(FlaskForm):
    """Apply a previewed import."""

    token = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{20,64}$")])
    submit = SubmitField(_l("Apply this import"))
