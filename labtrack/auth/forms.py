"""Sign-in and user-management forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

from labtrack.forms import plain_text


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me signed in"))
    submit = SubmitField(_l("Sign in"))


class UserForm(FlaskForm):
    """Create or edit a user (admin)."""

    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(min=3, max=64),
            Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Letters, digits, dot, dash and underscore only.")),
        ],
    )
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=120), plain_text])
    email = StringField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    lab_code = SelectField(_l("Laboratory (lab managers only)"), validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=10, max=128)])
    confirm = PasswordField(
        _l("Repeat password"), validators=[EqualTo("password", message=_l("The passwords differ."))]
    )
    submit = SubmitField(_l("Save"))


class PasswordResetForm(FlaskForm):
    """A new password set by an admin."""

    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=128)])
    confirm = PasswordField(
        _l("Repeat password"), validators=[EqualTo("password", message=_l("The passwords differ."))]
    )
    submit = SubmitField(_l("Reset password"))


class UserFilterForm(FlaskForm):
    """Filters of the user list (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), validators=[Optional()])
    lab = SelectField(_l("Laboratory"), validators=[Optional()])


class TokenForm(FlaskForm):
    """Issue an API token for a user."""

    name = StringField(_l("Label"), validators=[Optional(), Length(max=80), plain_text])
    submit = SubmitField(_l("Issue token"))


class AccountForm(FlaskForm):
    """A user's own password and language."""

    current = PasswordField(_l("Current password"), validators=[Optional()])
    password = PasswordField(_l("New password"), validators=[Optional(), Length(min=10, max=128)])
    confirm = PasswordField(
        _l("Repeat password"), validators=[EqualTo("password", message=_l("The passwords differ."))]
    )
    locale = SelectField(_l("Language"), validators=[Optional()])
    submit = SubmitField(_l("Save"))
