"""The personnel area's web forms. They carry the fields and the CSRF token; the services parse and
check the values (with `labtrack.parsing`), and their field errors are shown beside the fields."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from labtrack.forms import plain_text
from labtrack.personnel.models import (
    ACTIVITY_LABELS,
    AUTH_BASIS_LABELS,
    AUTH_STATUS_LABELS,
    EXAM_KIND_LABELS,
    ORGANISER_LABELS,
    POST_LABELS,
)

DATE = {"type": "date"}


def _choices(labels: dict) -> list[tuple[str, str]]:
    return [(key.value, label) for key, label in labels.items()]


class PersonForm(FlaskForm):
    """A person's details and posts."""

    staff_no = StringField(_l("Staff number"), validators=[plain_text])
    name = StringField(_l("Name"), validators=[plain_text])
    title = StringField(_l("Professional title"), validators=[Optional(), plain_text])
    posts = SelectMultipleField(_l("Posts"), choices=_choices(POST_LABELS), validators=[Optional()])
    employed_from = StringField(_l("Employed from"), render_kw=DATE)
    employed_to = StringField(_l("Employed to"), validators=[Optional()], render_kw=DATE)
    phone = StringField(_l("Telephone"), validators=[Optional(), plain_text])
    email = StringField(_l("E-mail"), validators=[Optional(), plain_text])
    username = StringField(
        _l("User account"),
        validators=[Optional(), plain_text],
        description=_l("The user name of the person's own account in labtrack, if they have one."),
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), plain_text])
    submit = SubmitField(_l("Save"))


class LeaveForm(FlaskForm):
    """The last day a person worked at the lab, and why they left."""

    left_on = StringField(_l("Last day"), render_kw=DATE)
    reason = TextAreaField(_l("Reason"), validators=[Optional(), plain_text])
    submit = SubmitField(_l("Record leaving"))


class ImportForm(FlaskForm):
    """A CSV or XLSX file to import, and whether only to check it."""

    file = FileField(_l("CSV or XLSX file"))
    dry_run = BooleanField(_l("Only check the file (dry run)"))
    submit = SubmitField(_l("Import"))


class SessionForm(FlaskForm):
    """A training session."""

    title = StringField(_l("Title"), validators=[plain_text])
    topic = StringField(_l("Topic"), validators=[Optional(), plain_text])
    organiser = SelectField(_l("Organiser"), choices=_choices(ORGANISER_LABELS))
    organiser_lab = StringField(
        _l("Laboratory (code)"),
        validators=[Optional(), plain_text],
        description=_l("Only for a session the laboratory ran itself."),
    )
    starts_on = StringField(_l("First day"), render_kw=DATE)
    ends_on = StringField(_l("Last day"), validators=[Optional()], render_kw=DATE)
    hours = StringField(_l("Study hours"), render_kw={"inputmode": "decimal"})
    place = StringField(_l("Place"), validators=[Optional(), plain_text])
    external_attendees = StringField(
        _l("External attendees"),
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
        description=_l("People from outside the laboratories of the system, counted without names."),
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), plain_text])
    submit = SubmitField(_l("Save"))


class AttendeesForm(FlaskForm):
    """People of one lab who attended, by staff number."""

    lab = StringField(_l("Laboratory (code)"), validators=[plain_text])
    staff_numbers = TextAreaField(
        _l("Staff numbers"),
        validators=[plain_text],
        description=_l("One or more, separated by spaces, commas or new lines."),
        render_kw={"rows": 2},
    )
    hours = StringField(
        _l("Hours attended"),
        validators=[Optional()],
        description=_l("Only when they attended part of the session."),
    )
    submit = SubmitField(_l("Add attendees"))


class ExamForm(FlaskForm):
    """An exam or skills contest and who must sit it."""

    title = StringField(_l("Title"), validators=[plain_text])
    kind = SelectField(_l("Kind"), choices=_choices(EXAM_KIND_LABELS))
    held_on = StringField(_l("Day"), render_kw=DATE)
    pass_mark = StringField(
        _l("Pass mark (0-100)"), validators=[Optional()], render_kw={"inputmode": "decimal"}
    )
    all_labs = BooleanField(_l("Staff of every laboratory must sit it"), default=True)
    labs = TextAreaField(
        _l("Laboratories (codes)"),
        validators=[Optional(), plain_text],
        description=_l("When not every laboratory: their codes, separated by commas."),
        render_kw={"rows": 2},
    )
    posts = SelectMultipleField(
        _l("Posts that must sit it"), choices=_choices(POST_LABELS), validators=[Optional()]
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), plain_text])
    submit = SubmitField(_l("Save"))


class EntrantForm(FlaskForm):
    """A person entered by name (lab code and staff number)."""

    lab = StringField(_l("Laboratory (code)"), validators=[plain_text])
    staff_no = StringField(_l("Staff number"), validators=[plain_text])
    submit = SubmitField(_l("Enter"))


class ResultForm(FlaskForm):
    """One person's exam result."""

    lab = StringField(_l("Laboratory (code)"), validators=[plain_text])
    staff_no = StringField(_l("Staff number"), validators=[plain_text])
    status = SelectField(_l("Sat or absent"), choices=[("sat", _l("Sat")), ("absent", _l("Absent"))])
    score = StringField(_l("Score"), validators=[Optional()], render_kw={"inputmode": "decimal"})
    submit = SubmitField(_l("Record result"))


class AuthorisationForm(FlaskForm):
    """An authorisation of a person."""

    item_code = StringField(_l("Test item (code)"), validators=[Optional(), plain_text])
    category_code = StringField(_l("or a whole category (code)"), validators=[Optional(), plain_text])
    activity = SelectField(_l("Authorised to"), choices=_choices(ACTIVITY_LABELS))
    valid_from = StringField(_l("Valid from"), render_kw=DATE)
    valid_to = StringField(_l("Valid to"), validators=[Optional()], render_kw=DATE)
    basis = SelectField(_l("Basis"), choices=_choices(AUTH_BASIS_LABELS))
    basis_note = TextAreaField(
        _l("Basis in detail"), validators=[Optional(), plain_text], render_kw={"rows": 2}
    )
    confirm_outside_scope = BooleanField(_l("Authorise even though it is outside the laboratory's scope"))
    submit = SubmitField(_l("Authorise"))


class AuthStatusForm(FlaskForm):
    """Suspend, withdraw or reinstate an authorisation."""

    to = SelectField(_l("New status"), choices=_choices(AUTH_STATUS_LABELS))
    on = StringField(_l("From"), validators=[Optional()], render_kw=DATE)
    reason = TextAreaField(_l("Reason"), validators=[Optional(), plain_text], render_kw={"rows": 2})
    submit = SubmitField(_l("Change"))


class PersonsForm(FlaskForm):
    """The persons concerned by a finding (choices: the finding's lab's people)."""

    person_ids = SelectMultipleField(_l("Persons concerned"), coerce=str, validators=[Optional()])
    submit = SubmitField(_l("Save"))


class AnalystForm(FlaskForm):
    """The analyst of a comparison result (choices: the result's lab's people)."""

    person_id = SelectField(_l("Analyst"), coerce=str, validators=[Optional()])
    submit = SubmitField(_l("Save"))


class ConfirmForm(FlaskForm):
    """A button that posts (with the CSRF token)."""

    submit = SubmitField(_l("Confirm"))
