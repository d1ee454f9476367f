"""Fixtures of the integration tests: the notification fixtures (a real SMTP server, people)."""

from tests.jobs.conftest import redis_url  # noqa: F401
from tests.notify.conftest import down_port, mail_app, people, smtp  # noqa: F401
