"""Accounts and API tokens through the auth service: the fields it refuses (by name), usernames
unique whatever their case, a lab for lab managers only, an administrator who cannot lock
themselves out, passwords and disabling that end sessions, tokens for active accounts only,
revoked by their owner or an administrator, and one's own password and language."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from labtrack.auth import service
from labtrack.auth.models import ApiToken, User, hash_token
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound
from tests import factories as f

GOOD_PASSWORD = "a-long-enough-one"


@pytest.fixture
def admin(app):
    return f.UserFactory(username="root", role=Role.ADMIN)


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# --- creating accounts ------------------------------------------------------------------------


def test_a_new_account_has_a_hashed_password_and_the_role_given(admin):
    user = service.create_user("zhang.wei", GOOD_PASSWORD, "inspector", actor=admin, full_name="张伟")
    saved = reload(user)
    assert (saved.username, saved.role, saved.full_name, saved.lab_id, saved.active) == (
        "zhang.wei",
        Role.INSPECTOR,
        "张伟",
        None,
        True,
    )
    assert saved.password_hash != GOOD_PASSWORD and saved.check_password(GOOD_PASSWORD)
    insert = db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.table_name == "users", HistoryEntry.record_id == user.id)
    ).one()
    assert insert.username == "root" and "password_hash" not in insert.changes


@pytest.mark.parametrize(
    "username, password, role, fields",
    [
        ("ab", GOOD_PASSWORD, "viewer", {"username"}),  # under 3 characters
        ("has space", GOOD_PASSWORD, "viewer", {"username"}),
        ("x" * 65, GOOD_PASSWORD, "viewer", {"username"}),
        ("fine", "short", "viewer", {"password"}),
        ("fine", "x" * 129, "viewer", {"password"}),
        ("fine", GOOD_PASSWORD, "superuser", {"role"}),
        ("", "", "", {"username", "password", "role"}),
    ],
)
def test_bad_account_fields_are_refused_by_name(admin, username, password, role, fields):
    with pytest.raises(InvalidInput) as refused:
        service.create_user(username, password, role, actor=admin)
    assert set(refused.value.errors) == fields
    assert db.session.scalar(select(User).where(User.username == username)) is None


def test_a_username_is_taken_whatever_its_case(admin):
    f.UserFactory(username="Li.Na")
    with pytest.raises(InvalidInput) as refused:
        service.create_user("li.na", GOOD_PASSWORD, "viewer", actor=admin)
    assert refused.value.errors == {"username": ["This username is taken."]}


def test_a_bad_email_is_refused(admin):
    with pytest.raises(InvalidInput) as refused:
        service.create_user("wang", GOOD_PASSWORD, "viewer", actor=admin, email="not-an-address")
    assert set(refused.value.errors) == {"email"}


def test_a_lab_manager_needs_an_existing_lab(admin):
    with pytest.raises(InvalidInput) as refused:
        service.create_user("mgr", GOOD_PASSWORD, "lab_manager", actor=admin)
    assert refused.value.errors == {"lab_code": ["A lab manager needs an existing laboratory."]}
    with pytest.raises(InvalidInput):
        service.create_user("mgr", GOOD_PASSWORD, "lab_manager", actor=admin, lab_code="NO-SUCH")
    lab = f.LabFactory(code="SC-01")
    manager = service.create_user("mgr", GOOD_PASSWORD, "lab_manager", actor=admin, lab_code="SC-01")
    assert reload(manager).lab_id == lab.id


def test_other_roles_belong_to_no_lab_even_if_one_is_named(admin):
    f.LabFactory(code="SC-01")
    user = service.create_user("insp", GOOD_PASSWORD, "inspector", actor=admin, lab_code="SC-01")
    assert reload(user).lab_id is None


@pytest.mark.parametrize("role", [Role.QUALITY, Role.INSPECTOR, Role.VIEWER, Role.LAB_MANAGER])
def test_only_administrators_manage_accounts(app, role):
    actor = f.UserFactory(role=role)
    victim = f.UserFactory(role=Role.VIEWER)
    with pytest.raises(Forbidden):
        service.create_user("newbie", GOOD_PASSWORD, "viewer", actor=actor)
    with pytest.raises(Forbidden):
        service.update_user(victim, actor, full_name="changed")
    with pytest.raises(Forbidden):
        service.reset_password(victim, GOOD_PASSWORD, actor)
    with pytest.raises(Forbidden):
        service.set_active(victim, False, actor)
    assert reload(victim).active is True


# --- changing accounts ------------------------------------------------------------------------


def test_an_update_changes_only_the_fields_given(admin):
    user = f.UserFactory(username="wang", role=Role.VIEWER, full_name="王", email="wang@example.cn")
    service.update_user(user, admin, full_name="王五")
    saved = reload(user)
    assert (saved.username, saved.full_name, saved.email, saved.role) == (
        "wang",
        "王五",
        "wang@example.cn",
        Role.VIEWER,
    )


def test_an_empty_password_on_update_keeps_the_old_one(admin):
    user = f.UserFactory(username="wang", role=Role.VIEWER)
    service.update_user(user, admin, password="", full_name="x")
    assert reload(user).check_password(f.PASSWORD)


def test_becoming_a_lab_manager_needs_a_lab_and_leaving_the_role_drops_it(admin):
    lab = f.LabFactory(code="SC-01")
    user = f.UserFactory(username="wang", role=Role.VIEWER)
    with pytest.raises(InvalidInput) as refused:
        service.update_user(user, admin, role="lab_manager")
    assert set(refused.value.errors) == {"lab_code"}
    service.update_user(user, admin, role="lab_manager", lab_code="SC-01")
    assert reload(user).lab_id == lab.id
    service.update_user(reload(user), admin, role="inspector")
    assert reload(user).lab_id is None


def test_renaming_to_a_name_taken_in_another_case_is_refused(admin):
    f.UserFactory(username="zhao")
    user = f.UserFactory(username="qian")
    with pytest.raises(InvalidInput) as refused:
        service.update_user(user, admin, username="ZHAO")
    assert set(refused.value.errors) == {"username"}
    service.update_user(user, admin, username="QIAN")  # one's own name in another case is fine
    assert reload(user).username == "QIAN"


def test_an_administrator_cannot_disable_or_demote_themselves(admin):
    with pytest.raises(InvalidInput) as refused:
        service.update_user(admin, admin, active=False)
    assert refused.value.errors == {"active": ["You cannot disable your own account."]}
    with pytest.raises(InvalidInput) as refused:
        service.update_user(admin, admin, role="quality")
    assert refused.value.errors == {"role": ["You cannot take away your own administrator role."]}
    with pytest.raises(InvalidInput):
        service.set_active(admin, False, admin)
    saved = reload(admin)
    assert (saved.active, saved.role) == (True, Role.ADMIN)


def test_an_administrator_may_demote_another_administrator(admin):
    other = f.UserFactory(role=Role.ADMIN)
    service.update_user(other, admin, role="quality")
    assert reload(other).role == Role.QUALITY


def test_disabling_ends_the_sessions_and_enabling_signs_in_again(admin):
    user = f.UserFactory(username="wang", role=Role.VIEWER)
    before = reload(user).session_version or 0
    service.set_active(reload(user), False, admin)
    saved = reload(user)
    assert saved.active is False and saved.session_version == before + 1
    service.set_active(saved, True, admin)
    saved = reload(user)
    assert saved.active is True and service.authenticate("wang", f.PASSWORD).id == user.id


def test_a_password_reset_sets_the_password_and_ends_sessions(admin):
    user = f.UserFactory(username="wang", role=Role.VIEWER)
    before = reload(user).session_version or 0
    service.reset_password(reload(user), GOOD_PASSWORD, admin)
    saved = reload(user)
    assert saved.check_password(GOOD_PASSWORD) and not saved.check_password(f.PASSWORD)
    assert saved.session_version == before + 1
    with pytest.raises(InvalidInput) as refused:
        service.reset_password(saved, "short", admin)
    assert set(refused.value.errors) == {"password"}


def test_an_account_is_seen_by_administrators_and_its_owner_only(admin):
    user = f.UserFactory(role=Role.VIEWER)
    other = f.UserFactory(role=Role.VIEWER)
    assert service.load_user(user.id, admin).id == user.id
    assert service.load_user(user.id, user).id == user.id
    with pytest.raises(NotFound):
        service.load_user(user.id, other)
    with pytest.raises(NotFound):
        service.load_user(10**6, admin)


def test_the_user_list_filters_by_role_lab_and_search(admin):
    lab = f.LabFactory(code="SC-01")
    f.UserFactory(username="mgr-a", role=Role.LAB_MANAGER, lab=lab, full_name="李经理")
    f.UserFactory(username="mgr-b", role=Role.LAB_MANAGER, full_name="赵经理")
    f.UserFactory(username="insp", role=Role.INSPECTOR, email="insp@bureau.cn")

    def names(**kw):
        return [u.username for u in db.session.scalars(service.users_query(**kw))]

    assert names(role="lab_manager") == ["mgr-a", "mgr-b"]
    assert names(lab_code="SC-01") == ["mgr-a"]
    assert names(q="经理") == ["mgr-a", "mgr-b"]
    assert names(q="bureau") == ["insp"]
    assert names(role="inspector", q="经理") == []


# --- API tokens -------------------------------------------------------------------------------


def test_a_token_is_shown_once_and_kept_as_a_hash(admin):
    user = f.UserFactory(role=Role.VIEWER)
    secret = service.issue_token(user, name="laptop", actor=admin)
    token = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert token.token_hash == hash_token(secret) and secret not in token.token_hash
    assert token.name == "laptop" and token.revoked_at is None


def test_a_disabled_account_gets_no_token(admin):
    user = f.UserFactory(role=Role.VIEWER, active=False)
    with pytest.raises(Conflict) as refused:
        service.issue_token(user, actor=admin)
    assert refused.value.message == "A disabled account cannot be given a token."


def test_a_token_label_is_bounded(admin):
    user = f.UserFactory(role=Role.VIEWER)
    with pytest.raises(InvalidInput) as refused:
        service.issue_token(user, name="x" * 81, actor=admin)
    assert set(refused.value.errors) == {"name"}


def test_only_administrators_issue_tokens(app):
    user = f.UserFactory(role=Role.QUALITY)
    with pytest.raises(Forbidden):
        service.issue_token(user, actor=user)


def test_a_token_is_revoked_by_its_owner_or_an_administrator_and_stops_working(client, admin):
    owner = f.UserFactory(role=Role.VIEWER)
    stranger = f.UserFactory(role=Role.QUALITY)
    secret = service.issue_token(owner, actor=admin)
    token = db.session.scalars(select(ApiToken).where(ApiToken.user_id == owner.id)).one()
    auth_header = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/labs", headers=auth_header).status_code == 200
    with pytest.raises(NotFound):
        service.load_token(owner, token.id, stranger)
    with pytest.raises(NotFound):
        service.load_token(stranger, token.id, admin)  # not that user's token
    with pytest.raises(Forbidden):
        service.revoke_token(token, stranger)
    service.revoke_token(service.load_token(owner, token.id, owner), owner)
    revoked_at = db.session.get(ApiToken, token.id).revoked_at
    assert revoked_at is not None
    assert client.get("/api/v1/labs", headers=auth_header).status_code == 401
    service.revoke_token(db.session.get(ApiToken, token.id), admin)  # again: nothing changes
    assert db.session.get(ApiToken, token.id).revoked_at == revoked_at


def test_a_disabled_users_token_stops_working(client, admin):
    user = f.UserFactory(role=Role.VIEWER)
    _, auth_header = f.bearer(user)
    assert client.get("/api/v1/labs", headers=auth_header).status_code == 200
    service.set_active(user, False, admin)
    assert client.get("/api/v1/labs", headers=auth_header).status_code == 401


def test_token_use_is_noted_at_most_once_an_hour(app):
    user = f.UserFactory(role=Role.VIEWER)
    token = f.ApiTokenFactory(user=user)
    service.record_token_use(token)
    first = db.session.get(ApiToken, token.id).last_used_at
    assert first is not None
    service.record_token_use(token)
    assert db.session.get(ApiToken, token.id).last_used_at == first
    token.last_used_at = first - timedelta(hours=2)
    db.session.commit()
    service.record_token_use(token)
    assert db.session.get(ApiToken, token.id).last_used_at > first - timedelta(hours=2)


# --- one's own account ------------------------------------------------------------------------


def test_changing_ones_own_password_needs_the_current_one(app):
    user = f.UserFactory(role=Role.VIEWER)
    with pytest.raises(InvalidInput) as refused:
        service.update_own_account(user, user, current="wrong password", new=GOOD_PASSWORD, locale=None)
    assert refused.value.errors == {"current": ["The current password is wrong."]}
    assert reload(user).check_password(f.PASSWORD)
    service.update_own_account(reload(user), reload(user), current=f.PASSWORD, new=GOOD_PASSWORD, locale=None)
    assert reload(user).check_password(GOOD_PASSWORD)


def test_a_new_password_of_ones_own_must_be_long_enough(app):
    user = f.UserFactory(role=Role.VIEWER)
    with pytest.raises(InvalidInput) as refused:
        service.update_own_account(user, user, current=f.PASSWORD, new="short", locale=None)
    assert "password" in refused.value.errors


def test_the_language_is_remembered_or_refused_when_unknown(app):
    user = f.UserFactory(role=Role.VIEWER)
    service.update_own_account(user, user, current="", new=None, locale="zh_Hans_CN")
    assert reload(user).locale == "zh_Hans_CN"
    with pytest.raises(InvalidInput) as refused:
        service.set_locale(reload(user), "klingon")
    assert refused.value.errors == {"locale": ["Unknown language."]}
    service.update_own_account(reload(user), reload(user), current="", new=None, locale=None)
    assert reload(user).locale is None


def test_nobody_changes_another_persons_own_account(admin):
    user = f.UserFactory(role=Role.VIEWER)
    with pytest.raises(Forbidden):
        service.update_own_account(user, admin, current="", new=None, locale="en")
    assert reload(user).locale is None


def test_a_chosen_language_wins_over_the_browsers(client, auth):
    user = auth.login(Role.VIEWER)
    service.set_locale(reload(user), "zh_Hans_CN")
    page = client.get("/", headers={"Accept-Language": "en-GB"})
    assert '<html lang="zh' in page.get_data(as_text=True)
