"""Factories for the security log (see tests/factories.py for the conventions)."""

import factory

from labtrack.auth.models import SecurityEvent
from tests.factories import BaseFactory, UserFactory


class SecurityEventFactory(BaseFactory):
    """A failed sign-in of an existing account, from a private address."""

    class Meta:
        model = SecurityEvent

    kind = "login"
    outcome = "failure"
    user = factory.SubFactory(UserFactory)
    username = factory.LazyAttribute(lambda o: o.user.username if o.user else "")
    address = "10.0.0.1"
    user_agent = "Mozilla/5.0"
    method = "POST"
    path = "/login"
    request_id = factory.Sequence(lambda n: f"req{n:012d}")
