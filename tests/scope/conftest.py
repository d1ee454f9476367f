"""The scope tests' app runs background jobs at once, inside the caller (as tests/jobs does):
a scope import through the page or the API is a job, finished when the request returns."""

import pytest

from tests.conftest import fresh_app


@pytest.fixture
def app(database_url, tmp_path):
    """A fresh app with empty tables whose jobs run eagerly (Huey's immediate mode)."""
    with fresh_app(
        database_url, tmp_path, JOBS_IMMEDIATE=True, JOBS_QUEUE_FILE=str(tmp_path / "q.db")
    ) as application:
        yield application
