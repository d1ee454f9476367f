"""Scope test fixtures.

pytest-flask keeps a request context open around each test, so Flask's `g` (and the user
Flask-Login caches on it) is shared by every test-client request of the test. Forget the cached
user before each request so that each one authenticates on its own (token or session).
"""

import pytest
from flask import g


@pytest.fixture(autouse=True)
def _fresh_login_per_request(app, client, monkeypatch):
    original = client.open

    def open_(*args, **kwargs):
        g.pop("_login_user", None)
        return original(*args, **kwargs)

    monkeypatch.setattr(client, "open", open_)
