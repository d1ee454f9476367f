"""Switching the interface language on the account page: the confirmation reads in the new one."""

from labtrack.auth.models import User
from labtrack.auth.permissions import Role
from labtrack.extensions import db


def test_the_confirmation_speaks_the_language_just_chosen(client, auth, make_user):
    user = make_user(Role.VIEWER, username="lang-user")
    auth.login(user)
    response = client.post(
        "/account", data={"locale": "zh_Hans_CN", "current": "", "password": "", "confirm": ""}
    )
    assert response.status_code == 303, response.get_data(as_text=True)[-3000:]
    assert response.headers["Location"].endswith("/account")
    page = client.get("/account").get_data(as_text=True)
    assert "您的账户已保存。" in page and "Your account is saved." not in page
    assert db.session.get(User, user.id).locale == "zh_Hans_CN"
    # And back to English: the message follows again.
    client.post("/account", data={"locale": "en", "current": "", "password": "", "confirm": ""})
    page = client.get("/account").get_data(as_text=True)
    assert "Your account is saved." in page and "您的账户已保存。" not in page
