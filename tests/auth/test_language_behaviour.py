"""Choosing the interface language: the switch works signed out (for the session) and signed in
(remembered on the account, so the next sign-in elsewhere is in that language), it only sends the
user back inside the site, and the account page saves the language and the password in Chinese."""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from labtrack.auth.models import User
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from tests.factories import PASSWORD

EN = {"Accept-Language": "en-GB,en;q=0.9"}


def html(response) -> str:
    return response.get_data(as_text=True)


def test_signed_out_the_switch_holds_for_the_session(client):
    response = client.post("/language/zh_Hans_CN", data={"next": "/login"}, headers=EN)
    assert response.status_code in (302, 303) and response.headers["Location"] == "/login"
    assert "登录" in html(client.get("/login", headers=EN))
    client.post("/language/en", data={"next": "/login"})
    assert "登录" not in html(client.get("/login", headers=EN))


def test_an_unknown_language_changes_nothing(client):
    client.post("/language/klingon", data={"next": "/login"})
    assert "登录" not in html(client.get("/login", headers=EN))


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/x", "javascript:alert(1)", ""]
)
def test_the_switch_sends_the_user_back_inside_the_site_only(client, target):
    response = client.post("/language/en", data={"next": target})
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost") and location.path.startswith("/")
    assert "evil.example" not in location.netloc


def test_signed_in_the_language_is_remembered_on_the_account(app, client, auth):
    user = auth.login(Role.VIEWER)
    client.post("/language/zh_Hans_CN", data={"next": "/"})
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "zh_Hans_CN"
    elsewhere = app.test_client()  # another browser: its own session, English by its headers
    elsewhere.post("/login", data={"username": user.username, "password": PASSWORD})
    assert '<html lang="zh' in html(elsewhere.get("/", headers=EN))


def test_the_account_page_saves_the_language(client, auth):
    user = auth.login(Role.VIEWER)
    response = client.post("/account", data={"locale": "zh_Hans_CN"})
    assert response.status_code == 303
    assert '<html lang="zh' in html(client.get(response.headers["Location"], headers=EN))
    client.post("/account", data={"locale": "zh_Hans_CN"}, headers=EN)
    assert "您的账户已保存。" in html(client.get("/account", headers=EN))
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "zh_Hans_CN"
    client.post("/account", data={"locale": ""})  # follow the browser again
    db.session.expire_all()
    assert db.session.get(User, user.id).locale is None


def test_a_wrong_current_password_is_refused_beside_the_field_in_chinese(client, auth):
    user = auth.login(Role.VIEWER)
    client.post("/language/zh_Hans_CN", data={"next": "/account"})
    response = client.post(
        "/account",
        data={
            "locale": "zh_Hans_CN",
            "current": "not my password",
            "password": "a-new-long-one",
            "confirm": "a-new-long-one",
        },
    )
    assert response.status_code == 422
    assert "当前密码错误。" in html(response)
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.id == user.id)).check_password(PASSWORD)


def test_a_new_password_keeps_this_session_and_ends_the_others(app, client, auth):
    user = auth.login(Role.VIEWER)
    other = app.test_client()
    other.post("/login", data={"username": user.username, "password": PASSWORD})
    assert other.get("/account").status_code == 200
    response = client.post(
        "/account",
        data={"locale": "", "current": PASSWORD, "password": "a-new-long-one", "confirm": "a-new-long-one"},
    )
    assert response.status_code == 303
    assert client.get("/account").status_code == 200  # still signed in here
    assert other.get("/account").status_code in (302, 303, 401)  # signed out there
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("a-new-long-one")
