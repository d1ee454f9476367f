"""The rules an account's values follow (usernames typed at every sign-in, passwords of 10 to 128
characters, e-mail addresses), as the account page, the administrators' service and the sign-in
apply them; and the account page's preferences."""

import pytest
from sqlalchemy import select

from labtrack import parsing
from labtrack.auth import service
from labtrack.auth.models import User
from labtrack.extensions import db
from labtrack.services import InvalidInput
from tests.factories import PASSWORD


@pytest.mark.parametrize(
    "value, ok",
    [
        ("abc", True),
        ("a" * 64, True),
        ("manager-SC.TC_1", True),
        ("ab", False),  # too short
        ("a" * 65, False),  # too long
        ("two words", False),
        ("张三", False),  # typed at every sign-in: ASCII only
        ("a@b", False),
        ("line\nbreak", False),
    ],
)
def test_a_username(value, ok):
    if ok:
        assert service.parse_username(value) == value
    else:
        with pytest.raises(parsing.ParseError):
            service.parse_username(value)


@pytest.mark.parametrize(
    "value, message",
    [
        ("123456789", "Use at least 10 characters."),
        ("x" * 129, "At most 128 characters."),
        ("", "This field is required."),
        (12345678901, "Must be text."),
    ],
)
def test_a_password_that_is_refused_says_why(app, value, message):
    with app.test_request_context("/"), pytest.raises(parsing.ParseError) as refused:
        service.parse_password(value)
    assert str(refused.value.message) == message


@pytest.mark.parametrize("value", ["1234567890", "x" * 128, "十个汉字的密码也可以用吧"])
def test_a_password_of_10_to_128_characters_is_taken(value):
    assert service.parse_password(value) == value
    assert service.parse_password("", required=False) is None


@pytest.mark.parametrize(
    "value, ok",
    [
        ("wang@example.cn", True),
        ("a.b+c@lab.sc.gov.cn", True),
        ("no-at-sign.cn", False),
        ("two@@example.cn", False),
        ("spaces in@example.cn", False),
        ("<x>@example.cn", False),
        ("user@nodot", False),
    ],
)
def test_an_email_address_by_its_shape(value, ok):
    if ok:
        assert service.parse_email(value) == value
    else:
        with pytest.raises(parsing.ParseError):
            service.parse_email(value)


def test_an_administrator_creating_an_account_gets_every_bad_field_named(app, make_user):
    admin = make_user("admin", username="boss")
    with pytest.raises(InvalidInput) as refused:
        service.create_user("x", "short", "viewer", admin, email="nope")
    assert {"username", "password", "email"} <= set(refused.value.errors)
    assert db.session.scalar(select(User).where(User.username == "x")) is None


def test_a_sign_in_name_is_matched_whatever_its_case_and_spaces_are_not_part_of_it(client, make_user):
    make_user("viewer", username="Reader.One")
    assert client.post("/login", data={"username": "reader.one", "password": PASSWORD}).status_code in (
        302,
        303,
    )
    client.post("/logout")
    answer = client.post("/login", data={"username": "reader. one", "password": PASSWORD})
    assert answer.status_code == 200 and "Invalid username or password." in answer.get_data(as_text=True)


# --- the account page ------------------------------------------------------------------------


def _user(username):
    db.session.expire_all()
    return db.session.scalars(select(User).where(User.username == username)).one()


def test_a_new_password_must_be_repeated_and_long_enough(client, auth):
    auth.login("viewer", username="reader")
    differ = client.post(
        "/account",
        data={
            "current": PASSWORD,
            "password": "another-password",
            "confirm": "another-passw0rd",
            "locale": "",
        },
    )
    assert differ.status_code == 422 and "The passwords differ." in differ.get_data(as_text=True)
    short = client.post(
        "/account", data={"current": PASSWORD, "password": "short", "confirm": "short", "locale": ""}
    )
    assert short.status_code == 422 and "Use at least 10 characters." in short.get_data(as_text=True)
    assert _user("reader").check_password(PASSWORD)


def test_follow_the_browser_forgets_the_chosen_language(client, auth):
    auth.login("viewer", username="reader")
    client.post("/account", data={"locale": "zh_Hans_CN"})
    assert _user("reader").locale == "zh_Hans_CN"
    saved = client.post("/account", data={"locale": ""})
    assert saved.status_code in (302, 303) and saved.headers["Location"] == "/account"
    assert _user("reader").locale is None
    page = client.get("/account", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in page


def test_saving_only_the_language_keeps_the_password_and_the_session(client, auth):
    auth.login("viewer", username="reader")
    version = _user("reader").session_version
    client.post("/account", data={"locale": "zh_Hans_CN"})
    user = _user("reader")
    assert user.check_password(PASSWORD) and user.session_version == version
    assert client.get("/account").status_code == 200


def test_the_account_page_is_for_signed_in_people(client):
    response = client.get("/account")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
