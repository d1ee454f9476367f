"""Scope forms: catalogue entries, grants and withdrawals, scope import, growth parameters."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from labtrack.scope.models import BASIS_LABELS, WITHDRAWAL_LABELS

CODE = Regexp(r"^[A-Za-z0-9._/-]+$", message=_l("Letters, digits, dot, slash, dash and underscore only."))


class CategoryForm(FlaskForm):
    """Create or edit a test category."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32), CODE])
    name = StringField(_l("Name (as in the certificate)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Save"))


class ItemForm(FlaskForm):
    """Create or edit a test item."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32), CODE])
    name = StringField(_l("Name (as in the certificate)"), validators=[DataRequired(), Length(max=300)])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=300)])
    category_code = SelectField(_l("Test category"), validators=[DataRequired()])
    method = StringField(
        _l("Standard method(s)"),
        validators=[Optional(), Length(max=500)],
        description=_l("For example GB 5009.12-2017; separate several with a semicolon."),
    )
    parameters = IntegerField(
        _l("Number of parameters"), validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    submit = SubmitField(_l("Save"))


class GrantForm(FlaskForm):
    """Extend a lab's scope with an item."""

    item_code = StringField(_l("Test item code"), validators=[DataRequired(), Length(max=32)])
    granted_on = DateField(_l("Granted on"), validators=[DataRequired()])
    basis = SelectField(
        _l("Basis"), choices=list(BASIS_LABELS.items()), default="extension", validators=[DataRequired()]
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Grant"))


class WithdrawForm(FlaskForm):
    """End a period of a lab's scope."""

    entry_id = HiddenField()
    withdrawn_on = DateField(_l("Withdrawn on"), validators=[DataRequired()])
    withdrawal_reason = SelectField(
        _l("Reason"), choices=list(WITHDRAWAL_LABELS.items()), validators=[DataRequired()]
    )
    note = TextAreaField(_l("Why"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Withdraw"))


class ImportForm(FlaskForm):
    """Upload a scope file for a preview."""

    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])
    submit = SubmitField(_l("Preview"))


class ConfirmImportForm(FlaskForm):
    """Apply a previewed import."""

    token = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{20,64}$")])
    submit = SubmitField(_l("Apply this import"))
