"""Admin user pages: list, create, edit, disable, reset passwords, issue and revoke API tokens."""

import re

import pytest
from sqlalchemy import select

from labtrack.auth.models import ApiToken, User, hash_token
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from tests.conftest import PASSWORD

NEW = {
    "username": "wang.wei",
    "full_name": "王伟",
    "email": "wang@example.cn",
    "role": "inspector",
    "lab_code": "",
    "active": "y",
    "password": "a-long-password",
    "confirm": "a-long-password",
}


def _user(name: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == name))


@pytest.mark.parametrize("role", ["quality", "inspector", "lab_manager", "viewer"])
def test_only_admins_reach_the_user_pages(client, auth, make_user, role):
    other = make_user("viewer", username="someone")
    auth.login(role)
    for path in (
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{other.id}",
        f"/admin/users/{other.id}/edit",
    ):
        assert client.get(path).status_code == 403, path
    for path in (f"/admin/users/{other.id}/active", f"/admin/users/{other.id}/tokens"):
        assert client.post(path, data={"active": "0"}).status_code == 403
    assert _user("someone").active


def test_list_filters_by_role_lab_and_search(client, auth, make_user, make_lab):
    lab = make_lab("SC-TC")
    make_user("lab_manager", username="manager-SC-TC", lab=lab)
    make_user("lab_manager", username="manager-other")
    make_user("inspector", username="insp", full_name="李明")
    auth.login("admin", username="boss")

    def names(query):
        html = client.get("/admin/users" + query).get_data(as_text=True)
        return sorted(re.findall(r'href="/admin/users/\d+">([^<]+)</a>', html))

    assert names("") == ["boss", "insp", "manager-SC-TC", "manager-other"]
    assert names("?role=lab_manager") == ["manager-SC-TC", "manager-other"]
    assert names("?lab=SC-TC") == ["manager-SC-TC"]
    assert names("?q=李") == ["insp"]
    assert names("?role=nonsense") == []


def test_create_user(client, auth):
    admin = auth.login("admin")
    response = client.post("/admin/users/new", data=NEW)
    user = _user("wang.wei")
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    assert (user.role, user.full_name, user.email, user.active) == (
        Role.INSPECTOR,
        "王伟",
        "wang@example.cn",
        True,
    )
    assert user.check_password("a-long-password")
    entry = db.session.scalar(
        select(HistoryEntry).where(HistoryEntry.table_name == "users", HistoryEntry.record_id == user.id)
    )
    assert entry.user_id == admin.id and "password_hash" not in entry.changes


def test_create_lab_manager_needs_a_lab(client, auth, make_lab):
    make_lab("SC-TC")
    auth.login("admin")
    response = client.post("/admin/users/new", data={**NEW, "role": "lab_manager"})
    assert response.status_code == 422
    assert "A lab manager needs an existing laboratory." in response.get_data(as_text=True)
    assert _user("wang.wei") is None
    client.post("/admin/users/new", data={**NEW, "role": "lab_manager", "lab_code": "SC-TC"})
    assert _user("wang.wei").lab.code == "SC-TC"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "boss"}, "This username is taken."),
        ({"username": "BOSS"}, "This username is taken."),
        ({"username": "has space"}, "3 to 64 letters, digits, dot, dash and underscore."),
        ({"username": "ab"}, "3 to 64 letters, digits, dot, dash and underscore."),
        ({"username": "wáng"}, "3 to 64 letters, digits, dot, dash and underscore."),
        ({"password": "short", "confirm": "short"}, "Use at least 10 characters."),
        ({"password": "x" * 129, "confirm": "x" * 129}, "At most 128 characters."),
        ({"password": "", "confirm": ""}, "This field is required."),
        ({"confirm": "different-one"}, "The passwords differ."),
        ({"email": "not-mail"}, "Invalid e-mail address."),
        ({"full_name": "<b>王</b>"}, "The characters &lt; and &gt; are not allowed here."),
        ({"full_name": "王\x00伟"}, "Control characters are not allowed."),
        ({"role": "emperor"}, "Not a valid choice."),
        ({"lab_code": "NO-SUCH"}, "Not a valid choice."),
    ],
)
def test_create_user_rerenders_with_field_messages(client, auth, data, message):
    auth.login("admin", username="boss")
    response = client.post("/admin/users/new", data={**NEW, **data})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username != "boss")) is None


def test_edit_user_keeps_password_when_empty(client, auth, make_user, make_lab):
    lab = make_lab("SC-TC")
    user = make_user("viewer", username="reader")
    auth.login("admin")
    data = {
        **NEW,
        "username": "reader",
        "role": "lab_manager",
        "lab_code": "SC-TC",
        "password": "",
        "confirm": "",
    }
    response = client.post(f"/admin/users/{user.id}/edit", data=data)
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    user = _user("reader")
    assert (user.role, user.lab_id) == (Role.LAB_MANAGER, lab.id)
    assert user.check_password(PASSWORD)
    change = db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.action == "update", HistoryEntry.record_id == user.id)
    ).all()[-1]
    assert change.changes["role"] == ["viewer", "lab_manager"]
    # Back to viewer: the lab binding goes.
    client.post(f"/admin/users/{user.id}/edit", data={**data, "role": "viewer"})
    assert _user("reader").lab_id is None
    assert client.get("/admin/users/9999/edit").status_code == 404


def test_disable_and_enable(client, auth, make_user):
    user = make_user("viewer", username="reader")
    admin = auth.login("admin")
    response = client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    assert not _user("reader").active
    entry = db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.record_id == user.id, HistoryEntry.table_name == "users")
    ).all()[-1]
    assert (entry.changes["active"], entry.user_id, entry.comment) == ([True, False], admin.id, "disabled")
    client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    assert _user("reader").active


def test_admin_cannot_disable_or_demote_themselves(client, auth):
    admin = auth.login("admin", username="boss")
    response = client.post(f"/admin/users/{admin.id}/active", data={"active": "0"}, follow_redirects=True)
    assert "You cannot disable your own account." in response.get_data(as_text=True)
    assert _user("boss").active
    data = {**NEW, "username": "boss", "password": "", "confirm": ""}
    response = client.post(f"/admin/users/{admin.id}/edit", data={**data, "role": "admin", "active": ""})
    assert "You cannot disable your own account." in response.get_data(as_text=True)
    response = client.post(f"/admin/users/{admin.id}/edit", data={**data, "role": "viewer", "active": "y"})
    assert "You cannot take away your own administrator role." in response.get_data(as_text=True)
    assert _user("boss").role == Role.ADMIN and _user("boss").active


def test_reset_password_sets_the_new_one(client, auth, make_user):
    user = make_user("viewer", username="reader")
    auth.login("admin")
    short = client.post(f"/admin/users/{user.id}/password", data={"password": "short", "confirm": "short"})
    assert short.status_code == 422 and "Use at least 10 characters." in short.get_data(as_text=True)
    response = client.post(
        f"/admin/users/{user.id}/password", data={"password": "new-password-1", "confirm": "new-password-1"}
    )
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    user = _user("reader")
    assert user.check_password("new-password-1") and not user.check_password(PASSWORD)


def test_issue_token_shown_once_and_stored_as_hash(client, auth, make_user):
    user = make_user("inspector", username="robot")
    auth.login("admin")
    response = client.post(f"/admin/users/{user.id}/tokens", data={"name": "nightly import"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'id="new-token">([^<]+)<', response.get_data(as_text=True)).group(1)
    token = db.session.scalar(select(ApiToken))
    assert token.token_hash == hash_token(secret) and secret not in token.token_hash
    assert token.name == "nightly import"
    # Not shown again.
    assert secret not in client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    entry = db.session.scalar(select(HistoryEntry).where(HistoryEntry.table_name == "api_tokens"))
    assert "token_hash" not in entry.changes
    # The token works on the API until revoked.
    headers = {"Authorization": f"Bearer {secret}"}
    client.post("/logout")
    assert client.get("/api/v1/labs", headers=headers).status_code == 200
    auth.login("admin", username="boss2")
    response = client.post(f"/admin/users/{user.id}/tokens/{token.id}/revoke")
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    client.post("/logout")
    assert client.get("/api/v1/labs", headers=headers).status_code == 401


def test_revoking_another_users_token_is_404(client, auth, make_user, api_token):
    owner, _headers = api_token("viewer")
    other = make_user("viewer", username="other")
    token = db.session.scalar(select(ApiToken))
    auth.login("admin")
    assert client.post(f"/admin/users/{other.id}/tokens/{token.id}/revoke").status_code == 404
    assert db.session.get(ApiToken, token.id).revoked_at is None
    assert owner.id != other.id


def test_my_account_changes_password_and_language(client, auth):
    auth.login("viewer", username="reader")
    wrong = client.post(
        "/account",
        data={"current": "nope", "password": "another-password", "confirm": "another-password", "locale": ""},
    )
    assert "The current password is wrong." in wrong.get_data(as_text=True)
    ok = client.post(
        "/account",
        data={
            "current": PASSWORD,
            "password": "another-password",
            "confirm": "another-password",
            "locale": "zh_Hans_CN",
        },
    )
    assert ok.headers["Location"] == "/account"
    user = _user("reader")
    assert user.check_password("another-password") and user.locale == "zh_Hans_CN"
    assert 'lang="zh-CN"' in client.get("/account").get_data(as_text=True)  # the choice is applied
    bad = client.post("/account", data={"locale": "klingon"})
    assert bad.status_code == 422 and 'id="locale"' in bad.get_data(as_text=True)
    assert "is-invalid" in bad.get_data(as_text=True)
