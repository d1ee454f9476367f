"""Sign-in and user-management forms: the fields parse as `labtrack.auth.service` does."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional

from labtrack import parsing
from labtrack.auth import service
from labtrack.forms import Parse


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=service.USERNAME_MAX)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=service.PASSWORD_MAX)])
    remember = BooleanField(_l("Keep me signed in"))
    submit = SubmitField(_l("Sign in"))


class UserForm(FlaskForm):
    """Create or edit a user (admin)."""

    username = StringField(
        _l("Username"),
        validators=[InputRequired(), Parse(service.parse_username)],
        render_kw={"maxlength": service.USERNAME_MAX},
    )
    full_name = StringField(
        _l("Full name"),
        validators=[Parse(service.parse_full_name)],
        render_kw={"maxlength": service.FULL_NAME_MAX},
    )
    email = StringField(
        _l("E-mail"), validators=[Parse(service.parse_email)], render_kw={"maxlength": service.EMAIL_MAX}
    )
    role = SelectField(_l("Role"), validators=[DataRequired()])
    lab_code = SelectField(_l("Laboratory (lab managers only)"), validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Parse(service.parse_password)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat password"), validators=[EqualTo("password", message=_l("The passwords differ."))]
    )
    submit = SubmitField(_l("Save"))

    def account(self) -> dict:
        """The submitted fields for the service (a blank password: unchanged)."""
        return {
            "username": self.username.data,
            "full_name": self.full_name.data or "",
            "email": self.email.data,
            "role": self.role.data,
            "lab_code": self.lab_code.data or None,
            "active": bool(self.active.data),
            "password": self.password.data or None,
        }


class PasswordResetForm(FlaskForm):
    """A new password set by an admin."""

    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), Parse(service.parse_password)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat password"), validators=[EqualTo("password", message=_l("The passwords differ."))]
    )
    submit = SubmitField(_l("Reset password"))


class UserFilterForm(FlaskForm):
    """Filters of the user list (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Search"), validators=[Parse(parsing.text, required=False, max_len=100, multiline=False)]
    )
    role = SelectField(_l("Role"), validators=[Optional()])
    lab = SelectField(_l("Laboratory"), validators=[Optional()])


class TokenForm(FlaskForm):
    """Issue an API token for a user."""

    name = StringField(
        _l("Label"),
        validators=[Parse(parsing.name, required=False, max_len=service.TOKEN_LABEL_MAX)],
        render_kw={"maxlength": service.TOKEN_LABEL_MAX},
    )
    submit = SubmitField(_l("Issue token"))


class AccountForm(FlaskForm):
    """A user's own password and language."""

    current = PasswordField(_l("Current password"), validators=[Optional()])
    password = PasswordField(
        _l("New password"),
        validators=[Optional(), Parse(service.parse_password)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat password"), validators=[EqualTo("password", message=_l("The passwords differ."))]
    )
    locale = SelectField(_l("Language"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


class SecurityLogFilterForm(FlaskForm):
    """Filters of the security log (GET, no CSRF)."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Event"), validators=[Optional()])
    outcome = SelectField(_l("Event outcome"), validators=[Optional()])
    user = StringField(
        _l("User"),
        validators=[Parse(parsing.text, required=False, max_len=service.USERNAME_MAX, multiline=False)],
    )
    address = StringField(
        _l("Address"), validators=[Parse(parsing.text, required=False, max_len=64, multiline=False)]
    )
    date_from = StringField(_l("From"), validators=[Parse(parsing.day, required=False)])
    date_to = StringField(_l("To"), validators=[Parse(parsing.day, required=False)])
