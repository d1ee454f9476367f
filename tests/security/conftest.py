"""The security tests' app runs background jobs at once (an import through the API is a job)."""

import pytest

from tests.conftest import fresh_app


@pytest.fixture
def app(database_url, tmp_path):
    """A fresh app with empty tables whose jobs run eagerly (Huey's immediate mode)."""
    with fresh_app(
        database_url, tmp_path, JOBS_IMMEDIATE=True, JOBS_QUEUE_FILE=str(tmp_path / "q.db")
    ) as application:
        yield application
