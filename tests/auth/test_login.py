"""Signing in: throttling of repeated failures, cookies, CSRF, production settings."""

import re

import pytest
from flask import Flask
from sqlalchemy import select

from config import ProductionConfig
from labtrack import create_app
from labtrack.auth.models import User
from labtrack.extensions import db
from tests.conftest import PASSWORD, fresh_app


def _login(client, username, password=PASSWORD, **kw):
    return client.post("/login", data={"username": username, "password": password}, **kw)


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


def test_failures_are_throttled_not_locked(app, client, make_user):
    """Five wrong passwords from one address slow that address down for that account (429, the
    same words for any account); the account itself is never locked."""
    make_user("viewer", username="reader")
    for _ in range(5):
        assert "Invalid username or password." in _login(client, "reader", "wrong").get_data(as_text=True)
    response = _login(client, "reader")  # even the right password waits out the window here
    assert response.status_code == 429
    assert "Too many failed attempts from your address. Try again in 1 minute." in response.get_data(
        as_text=True
    )
    assert _user("reader").active
    # The owner, from another address, signs in at once.
    other = app.test_client()
    assert _login(other, "reader", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 302


def test_throttling_window_passes(app, client, make_user):
    import time

    app.config["LOGIN_LIMITS_ACCOUNT"] = "2/second"
    make_user("viewer", username="reader")
    for _ in range(2):
        _login(client, "reader", "wrong")
    assert _login(client, "reader").status_code == 429
    time.sleep(1.1)
    assert _login(client, "reader").status_code == 302


def test_success_clears_the_accounts_count(app, client, make_user):
    make_user("viewer", username="reader")
    for _ in range(4):
        _login(client, "reader", "wrong")
    assert _login(client, "reader").status_code == 302
    client.post("/logout")
    for _ in range(4):
        _login(client, "reader", "wrong")
    assert _login(client, "reader").status_code == 302  # a fresh count: not throttled


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
