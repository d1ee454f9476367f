"""Factories for notifications and preferences (see tests/factories.py for the conventions)."""

import factory

from labtrack.notify.models import Delivery, Notification, Preference
from tests.factories import BaseFactory, FindingFactory, UserFactory


class NotificationFactory(BaseFactory):
    """An unread in-app notification of a finding to a user (not yet e-mailed)."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "finding_raised"
    record_table = "findings"
    record_id = factory.LazyAttribute(lambda _o: FindingFactory().id)
    params = factory.LazyAttribute(lambda o: {"finding_id": o.record_id})


class PreferenceFactory(BaseFactory):
    """A user's choice: e-mail once a day as a digest."""

    class Meta:
        model = Preference

    user = factory.SubFactory(UserFactory)
    delivery = Delivery.DIGEST
    email_enabled = True
