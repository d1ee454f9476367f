"""Signing in: lockout after repeated failures, cookies, CSRF, production settings."""

import re
from datetime import datetime, timedelta

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import select

from config import ProductionConfig
from labtrack import create_app
from labtrack.auth.models import User
from labtrack.extensions import db
from tests.conftest import PASSWORD, fresh_app


def _login(client, username, password=PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


def _user(name):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == name))


def test_login_and_logout(client, make_user):
    user = make_user("viewer", username="reader")
    response = _login(client, "READER")  # usernames are matched without regard to case
    assert response.headers["Location"] == "/"
    assert _user("reader").last_login_at is not None
    assert client.get("/").status_code == 200
    assert client.post("/logout").headers["Location"] == "/login"
    assert client.get("/").status_code == 302
    assert user.id


def test_wrong_password_and_unknown_user_get_the_same_message(client, make_user):
    make_user("viewer", username="reader")
    for name, password in (("reader", "wrong"), ("nobody", PASSWORD)):
        response = _login(client, name, password)
        assert response.status_code == 200
        assert "Invalid username or password." in response.get_data(as_text=True)


def test_next_only_redirects_inside_the_site(client, make_user):
    make_user("viewer", username="reader")
    response = client.post("/login?next=/labs/", data={"username": "reader", "password": PASSWORD})
    assert response.headers["Location"] == "/labs/"
    client.post("/logout")
    response = client.post("/login?next=//evil.example/x", data={"username": "reader", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_lockout_after_max_failures_and_expiry(app, client, make_user):
    make_user("viewer", username="reader")
    limit = app.config["LOGIN_MAX_FAILURES"]
    start = datetime(2011, 5, 1, 9, 0)
    with freeze_time(start) as frozen:
        for _ in range(limit - 1):
            assert "Invalid username or password." in _login(client, "reader", "wrong").get_data(as_text=True)
        assert _user("reader").failed_logins == limit - 1
        _login(client, "reader", "wrong")
        assert _user("reader").locked_until == start + timedelta(minutes=app.config["LOGIN_LOCKOUT_MINUTES"])
        # Even the right password is refused while locked.
        html = _login(client, "reader").get_data(as_text=True)
        assert "Too many failed sign-ins. Try again in 15 minutes." in html
        frozen.tick(timedelta(minutes=10))
        assert "Try again in 5 minutes." in _login(client, "reader").get_data(as_text=True)
        frozen.tick(timedelta(minutes=5, seconds=1))
        assert _login(client, "reader").headers["Location"] == "/"
        assert _user("reader").locked_until is None


def test_success_resets_the_failure_count(app, client, make_user):
    make_user("viewer", username="reader")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        _login(client, "reader", "wrong")
    assert _login(client, "reader").status_code == 302
    assert _user("reader").failed_logins == 0
    client.post("/logout")
    for _ in range(limit - 1):
        _login(client, "reader", "wrong")
    assert _login(client, "reader").status_code == 302  # a fresh count: not locked


def test_disabled_user_cannot_sign_in_and_is_signed_out(client, make_user):
    user = make_user("viewer", username="reader")
    assert _login(client, "reader").status_code == 302
    user.active = False
    db.session.commit()
    assert client.get("/").status_code == 302  # the session no longer loads a disabled user
    assert "This account is disabled." in _login(client, "reader").get_data(as_text=True)


def test_passwords_are_stored_hashed(app, make_user):
    user = make_user("viewer")
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith("pbkdf2:sha256")
    assert user.check_password(PASSWORD) and not user.check_password("") and not user.check_password("x")


def test_session_cookie_flags(client, make_user):
    make_user("viewer", username="reader")
    response = _login(client, "reader")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_production_cookies_are_secure(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 32)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app(ProductionConfig)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL"])
def test_production_refuses_to_start_without(monkeypatch, missing):
    monkeypatch.setenv("SECRET_KEY", "k" * 32)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.delenv(missing)
    with pytest.raises(RuntimeError, match=missing):
        create_app(ProductionConfig)


@pytest.fixture
def csrf_app(database_url, tmp_path) -> Flask:
    with fresh_app(database_url, tmp_path, WTF_CSRF_ENABLED=True) as app:
        yield app


def test_csrf_is_enforced_when_enabled(csrf_app):
    client = csrf_app.test_client()
    user = User(username="boss", role="admin")
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    # The login form itself needs the token.
    assert client.post("/login", data={"username": "boss", "password": PASSWORD}).status_code == 400
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    assert (
        client.post(
            "/login", data={"username": "boss", "password": PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )
    # Any other form without it is a 400.
    for path in ("/labs/new", "/admin/users/new", "/logout", "/account"):
        assert client.post(path, data={"code": "X"}).status_code == 400, path
    assert client.post("/labs/new", data={"code": "X"}, headers={"X-CSRFToken": "forged"}).status_code == 400
