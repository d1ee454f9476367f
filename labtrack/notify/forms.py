"""The preferences form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SubmitField

from labtrack.notify.models import DELIVERY_LABELS, Delivery


class PreferencesForm(FlaskForm):
    """How the user wants to hear of their notifications."""

    email_enabled = BooleanField(_l("Send me notifications by e-mail"))
    delivery = RadioField(
        _l("When"),
        choices=[(d.value, DELIVERY_LABELS[d]) for d in Delivery],
        default=Delivery.IMMEDIATE.value,
    )
    submit = SubmitField(_l("Save"))
