"""What the security log keeps of each account event, as an administrator reading it relies on:
sign-ins (success, failure, refused, throttled) with the name typed and the address, sign-outs,
password changes and resets, accounts disabled and enabled, tokens created, revoked and refused,
and every 403; its filters; and the throttle's message and reach."""

from datetime import date, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from labtrack.auth import security, service
from labtrack.auth.models import SecurityEvent
from labtrack.extensions import db
from tests import factories
from tests.factories import PASSWORD


def _events(kind=None):
    db.session.expire_all()
    stmt = select(SecurityEvent).order_by(SecurityEvent.id)
    return db.session.scalars(stmt.where(SecurityEvent.kind == kind) if kind else stmt).all()


def _login(client, username, password=PASSWORD, address="10.0.0.1"):
    return client.post(
        "/login", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


# --- sign-ins --------------------------------------------------------------------------------


def test_each_sign_in_outcome_is_logged_with_the_name_typed_and_the_address(app, client, make_user):
    user = make_user("viewer", username="reader")
    disabled = make_user("viewer", username="gone", active=False)
    _login(client, "READER", "wrong", address="10.0.0.7")
    _login(client, "nobody", "wrong", address="10.0.0.7")
    _login(client, "gone", address="10.0.0.7")
    _login(client, "reader", address="10.0.0.7")
    rows = [(e.outcome, e.username, e.user_id, e.address, e.method, e.path) for e in _events("login")]
    assert rows == [
        ("failure", "READER", user.id, "10.0.0.7", "POST", "/login"),
        ("failure", "nobody", None, "10.0.0.7", "POST", "/login"),
        ("refused", "gone", disabled.id, "10.0.0.7", "POST", "/login"),
        ("success", "reader", user.id, "10.0.0.7", "POST", "/login"),
    ]
    assert _events("login")[2].detail == "account disabled"
    assert all(e.request_id for e in _events("login"))


def test_a_throttled_sign_in_is_logged_and_answers_429_even_with_the_right_password(app, client, make_user):
    app.config["LOGIN_LIMITS_ACCOUNT"] = "3/minute"
    make_user("viewer", username="reader")
    for _ in range(3):
        assert _login(client, "reader", "wrong").status_code == 200
    response = _login(client, "reader")
    assert response.status_code == 429
    assert [e.outcome for e in _events("login")] == ["failure"] * 3 + ["throttled"]


def test_one_address_guessing_many_accounts_is_slowed_for_all_of_them(app, make_user):
    app.config["LOGIN_LIMITS_ADDRESS"] = "4/minute"
    for name in ("alpha", "bravo", "charlie", "delta", "echo"):
        make_user("viewer", username=name)
    guesser = app.test_client()
    for name in ("alpha", "bravo", "charlie", "delta"):
        assert _login(guesser, name, "wrong", address="10.9.9.9").status_code == 200
    assert _login(guesser, "echo", address="10.9.9.9").status_code == 429
    # echo's owner at their own desk is not held up by someone else's guessing
    assert _login(app.test_client(), "echo", address="10.0.0.2").status_code in (302, 303)


@pytest.mark.parametrize(
    "seconds, text",
    [
        (1, "Try again in 1 minute."),
        (60, "Try again in 1 minute."),
        (61, "Try again in 2 minutes."),
        (3600, "Try again in 60 minutes."),
    ],
)
def test_the_throttle_says_how_many_whole_minutes_to_wait(app, seconds, text):
    with app.test_request_context("/login"):
        assert security.throttled_message(seconds).endswith(text)
        refused = security.Throttled(seconds)
        assert (refused.status, refused.retry_after) == (429, seconds)
        assert refused.errors == {"password": [refused.message]}


# --- sessions, passwords, accounts -----------------------------------------------------------


def test_signing_out_and_changing_ones_password_are_logged(app, client, make_user):
    user = make_user("viewer", username="reader")
    _login(client, "reader")
    client.post("/logout")
    assert [(e.outcome, e.user_id) for e in _events("logout")] == [("success", user.id)]
    service.change_own_password(user, PASSWORD, "a-much-longer-secret")
    assert [e.user_id for e in _events("password_changed")] == [user.id]


def test_a_wrong_current_password_is_logged_as_a_failed_check(app, make_user):
    user = make_user("viewer", username="reader")
    with app.test_request_context("/account", method="POST"), pytest.raises(service.InvalidInput) as refused:
        service.change_own_password(user, "not-my-password", "a-much-longer-secret")
    assert refused.value.errors == {"current": ["The current password is wrong."]}
    assert [e.outcome for e in _events("password_changed")] == ["failure"]
    db.session.expire_all()
    assert user.check_password(PASSWORD)


def test_an_administrators_reset_and_disabling_name_the_administrator(app, make_user):
    admin = make_user("admin", username="boss")
    user = make_user("inspector", username="field")
    service.reset_password(user, "another-long-secret", admin)
    service.set_active(user, False, admin)
    service.set_active(user, True, admin)
    rows = [(e.kind, e.user_id, e.actor_id) for e in _events() if e.kind != "login"]
    assert rows == [
        ("password_reset", user.id, admin.id),
        ("account_disabled", user.id, admin.id),
        ("account_enabled", user.id, admin.id),
    ]


def test_tokens_created_revoked_and_refused_are_logged(app, client, make_user):
    admin = make_user("admin", username="boss")
    robot = make_user("viewer", username="robot")
    secret = service.issue_token(robot, "nightly sync", admin)
    (token,) = robot.tokens
    service.revoke_token(token, admin)
    response = client.get("/api/v1/labs", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    client.get("/api/v1/labs", headers={"Authorization": "Bearer lt_made-up"})
    created, revoked = _events("token_created"), _events("token_revoked")
    assert [(e.user_id, e.actor_id, e.detail) for e in created] == [(robot.id, admin.id, "nightly sync")]
    assert [(e.user_id, e.actor_id, e.detail) for e in revoked] == [(robot.id, admin.id, "nightly sync")]
    refused = {(e.user_id, e.detail, e.path) for e in _events("token_refused")}
    assert refused == {(robot.id, "revoked", "/api/v1/labs"), (None, "", "/api/v1/labs")}


def test_every_403_is_logged_as_a_permission_refused(client, auth):
    viewer = auth.login("viewer")
    assert client.get("/admin/users").status_code == 403
    _user, headers = factories.bearer(role="viewer", username="robot")
    assert client.post("/api/v1/labs", json={"code": "X-1"}, headers=headers).status_code == 403
    rows = [(e.outcome, e.user_id, e.detail) for e in _events("permission_refused")]
    assert rows[0] == ("refused", viewer.id, "GET /admin/users")
    assert rows[1][2] == "POST /api/v1/labs" and len(rows) == 2


def test_a_refusal_is_logged_even_though_its_unit_of_work_rolls_back(app, make_user):
    from labtrack.services import transaction

    user = make_user("viewer", username="reader")
    with pytest.raises(RuntimeError), transaction(user):
        security.record(security.Kind.REFUSED, "refused", user=user, detail="inside")
        raise RuntimeError("undone")
    assert [e.detail for e in _events("permission_refused")] == ["inside"]


# --- reading the log -------------------------------------------------------------------------


def test_the_log_is_filtered_by_kind_outcome_name_address_and_days(app, client, make_user):
    make_user("viewer", username="reader")
    with freeze_time("2026-03-01 10:00:00"):
        _login(client, "reader", "wrong", address="10.0.0.5")
    with freeze_time("2026-03-02 23:59:00"):
        _login(client, "Reader", address="10.0.0.6")
    with freeze_time("2026-03-03 00:00:01"):
        client.post("/logout")

    def kinds(**filters):
        return [(e.kind, e.outcome) for e in db.session.scalars(security.events_query(**filters))]

    # newest first
    assert kinds() == [("logout", "success"), ("login", "success"), ("login", "failure")]
    assert kinds(kind="login", outcome="failure") == [("login", "failure")]
    assert kinds(username="READER") == [("logout", "success"), ("login", "success"), ("login", "failure")]
    assert kinds(address="10.0.0.6") == [("login", "success")]
    assert kinds(date_from=date(2026, 3, 2), date_to=date(2026, 3, 2)) == [("login", "success")]
    assert kinds(date_from=date(2026, 3, 3)) == [("logout", "success")]
    assert kinds(date_to=date(2026, 2, 28)) == []
    first = db.session.scalars(security.events_query(kind="login")).all()[-1]
    assert first.at == datetime(2026, 3, 1, 10, 0, 0)


def test_a_refused_token_is_logged_once_per_request(app, client, make_user):
    admin = make_user("admin", username="boss")
    robot = make_user("viewer", username="robot")
    secret = service.issue_token(robot, "nightly sync", admin)
    service.revoke_token(robot.tokens[0], admin)
    assert client.get("/api/v1/labs", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert client.get("/api/v1/labs", headers={"Authorization": "Bearer lt_made-up"}).status_code == 401
    rows = [(e.user_id, e.detail) for e in _events("token_refused")]
    assert rows == [(robot.id, "revoked"), (None, "")]
