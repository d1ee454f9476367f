"""Sessions end at sign-out, password change, reset and disabling; bearer tokens and CSRF; the
sign-in answers tell nothing about which accounts exist."""

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from labtrack.auth import security, service
from labtrack.auth.models import SecurityEvent, User
from labtrack.extensions import db
from tests import factories
from tests.conftest import PASSWORD, fresh_app


def _login(client: FlaskClient, username: str, password: str = PASSWORD, **data):
    return client.post("/login", data={"username": username, "password": password, **data})


DOMAIN = "localhost.localdomain"  # TestingConfig's SERVER_NAME


def _copy_cookies(source: FlaskClient, target: FlaskClient, names=("session", "remember_token")) -> None:
    for name in names:
        cookie = source.get_cookie(name, domain=DOMAIN)
        if cookie is not None:
            target.set_cookie(name, cookie.value, domain=DOMAIN)


def _events(kind=None):
    db.session.expire_all()
    stmt = select(SecurityEvent).order_by(SecurityEvent.id)
    if kind:
        stmt = stmt.where(SecurityEvent.kind == kind)
    return db.session.scalars(stmt).all()


def test_a_cookie_copied_before_logout_is_dead_after_it(app, client, make_user):
    make_user("viewer", username="reader")
    assert _login(client, "reader").status_code == 302
    thief = app.test_client()
    _copy_cookies(client, thief)
    assert thief.get("/account").status_code == 200  # the copy works while the session lives
    assert client.post("/logout").headers["Location"] == "/login"
    assert thief.get("/account").status_code == 302  # ...and not after sign-out
    assert client.get("/account").status_code == 302


def test_remember_me_cookie_is_dead_after_logout_and_lasts_30_days(app, client, make_user):
    make_user("viewer", username="reader")
    response = _login(client, "reader", remember="y")
    remember = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token="))
    assert "HttpOnly" in remember
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
    only_remember = app.test_client()
    _copy_cookies(client, only_remember, ["remember_token"])
    stale = app.test_client()
    _copy_cookies(client, stale, ["remember_token"])
    assert only_remember.get("/account").status_code == 200  # the cookie alone signs in
    client.post("/logout")
    assert stale.get("/account").status_code == 302


def test_password_change_ends_other_sessions_not_this_one(app, client, make_user):
    make_user("viewer", username="reader")
    _login(client, "reader")
    other = app.test_client()
    _login(other, "reader")
    response = client.post(
        "/account", data={"current": PASSWORD, "password": "a-new-password-1", "confirm": "a-new-password-1"}
    )
    assert response.status_code in (302, 303)
    assert client.get("/account").status_code == 200  # the one who changed it stays signed in
    assert other.get("/account").status_code == 302  # every other session is gone
    assert [e.outcome for e in _events(security.Kind.PASSWORD_CHANGED)] == ["success"]


def test_admin_reset_and_disabling_end_the_users_sessions(app, client, make_user):
    admin = make_user("admin", username="boss")
    user = make_user("viewer", username="reader")
    reader = app.test_client()
    _login(reader, "reader")
    service.reset_password(user, "a-new-password-1", admin)
    assert reader.get("/account").status_code == 302
    _login(reader, "reader", "a-new-password-1")
    assert reader.get("/account").status_code == 200
    service.set_active(user, False, admin)
    assert reader.get("/account").status_code == 302
    kinds = [(e.kind, e.actor_id) for e in _events() if e.user_id == user.id and e.kind != "login"]
    assert kinds == [("password_reset", admin.id), ("account_disabled", admin.id)]


def test_idle_session_ends(app, client, make_user):
    import time

    make_user("viewer", username="reader")
    _login(client, "reader")
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - app.config["SESSION_IDLE_MINUTES"] * 60 - 5
    assert client.get("/account").status_code == 302


def test_unknown_user_and_wrong_password_same_answer_same_work(app, client, make_user, monkeypatch):
    """Same words, same status, and a password hash checked in both cases (no timing oracle)."""
    make_user("viewer", username="reader")
    checks = []
    import labtrack.auth.models as models
    import labtrack.auth.security as sec

    for module in (models, sec):
        original = module.check_password_hash
        monkeypatch.setattr(
            module, "check_password_hash", lambda h, p, _o=original: checks.append(1) or _o(h, p)
        )
    answers = []
    for name in ("reader", "nobody-here"):
        checks.clear()
        response = _login(client, name, "wrong-password")
        answers.append(
            (response.status_code, "Invalid username or password." in response.get_data(as_text=True))
        )
        assert checks == [1], name
    assert answers[0] == answers[1] == (200, True)
    # The throttle counts unknown names too: its answer tells nothing either.
    for _ in range(5):
        _login(client, "nobody-here", "wrong")
    assert _login(client, "nobody-here", "wrong").status_code == 429
    logged = _events(security.Kind.LOGIN)
    assert [(e.outcome, e.username) for e in logged][-1] == ("throttled", "nobody-here")
    assert logged[0].address == "127.0.0.1" and logged[0].user_id is not None


def test_a_disabled_users_token_is_refused(app, client, make_user):
    admin = make_user("admin", username="boss")
    user, headers = factories.bearer(role="quality", username="robot")
    assert client.get("/api/v1/labs", headers=headers).status_code == 200
    service.set_active(user, False, admin)
    assert client.get("/api/v1/labs", headers=headers).status_code == 401
    assert _events(security.Kind.TOKEN_REFUSED)[-1].user_id == user.id


@pytest.fixture
def csrf_app(database_url, tmp_path):
    with fresh_app(database_url, tmp_path, WTF_CSRF_ENABLED=True) as application:
        yield application


def test_only_a_valid_bearer_token_skips_the_api_csrf_check(csrf_app):
    import re

    user = User(username="boss", role="admin")
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    client = csrf_app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    assert _login(client, "boss", csrf_token=token).status_code == 302
    body = {"code": "CSRF-1", "name": "Lab", "region": "x"}
    # A session cookie with a made-up bearer token: 401, never the session's rights.
    response = client.post("/api/v1/labs", json=body, headers={"Authorization": "Bearer garbage"})
    assert response.status_code == 401
    # The session alone, without the CSRF header: refused.
    assert client.post("/api/v1/labs", json=body).status_code == 400
    # A valid token (even beside the session cookie) is its own authentication.
    _, headers = factories.bearer(role="viewer", username="robot")
    response = client.post("/api/v1/labs", json=body, headers=headers)
    assert response.status_code == 403  # the token's user (a viewer) is asked, not the admin session


def test_the_token_user_is_the_tokens_not_the_sessions(client, auth, make_user):
    auth.login("admin")
    _, headers = factories.bearer(role="viewer", username="robot")
    assert client.get("/api/v1/labs", headers=headers).status_code == 200
    assert client.post("/api/v1/labs", json={"code": "X1"}, headers=headers).status_code == 403


def test_guessing_api_tokens_is_throttled_per_address(app, client):
    app.config["LOGIN_LIMITS_ADDRESS"] = "3/minute"
    for _ in range(3):
        assert client.get("/api/v1/labs", headers={"Authorization": "Bearer guess"}).status_code == 401
    response = client.get("/api/v1/labs", headers={"Authorization": "Bearer guess"})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert response.json["code"] == 429
    # Another address is not slowed down.
    other = client.get(
        "/api/v1/labs", headers={"Authorization": "Bearer guess"}, environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    assert other.status_code == 401
