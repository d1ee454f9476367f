"""Each test request loads its user afresh (see `fresh_user_per_request`)."""

import pytest
from flask import g


@pytest.fixture(autouse=True)
def fresh_user_per_request(app):
    """Forget the user cached on `g` before every request.

    The `app` fixture keeps one application context open for the whole test, so `g` (where
    Flask-Login caches the current user) outlives a request: a user loaded once (even the anonymous
    one, by the history hook on a commit outside a request) would answer for every later request.
    In production each request has its own context; this makes tests behave the same.
    """

    def forget() -> None:
        g.pop("_login_user", None)

    app.before_request_funcs.setdefault(None, []).insert(0, forget)
    yield
