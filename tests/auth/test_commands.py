"""`create-user` (password from standard input) and `create-token` (printed once, stored hashed)."""

from sqlalchemy import select

from labtrack.auth.models import ApiToken, User, hash_token
from labtrack.auth.permissions import Role
from labtrack.extensions import db


def test_create_user_reads_the_password_from_stdin(app):
    result = app.test_cli_runner().invoke(
        args=["labtrack", "create-user", "zhang", "--role", "quality", "--full-name", "张三"],
        input="a-long-password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created zhang (quality)." in result.output
    user = db.session.scalar(select(User).where(User.username == "zhang"))
    assert user.role == Role.QUALITY and user.full_name == "张三"
    assert user.check_password("a-long-password")
    assert "a-long-password" not in user.password_hash


def test_create_lab_manager_with_lab(app, make_lab):
    lab = make_lab("SC-TC")
    result = app.test_cli_runner().invoke(
        args=["labtrack", "create-user", "manager-SC-TC", "--role", "lab_manager", "--lab", "SC-TC"],
        input="a-long-password\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User.lab_id).where(User.username == "manager-SC-TC")) == lab.id


def test_create_user_refuses_unknown_role(app):
    result = app.test_cli_runner().invoke(
        args=["labtrack", "create-user", "x", "--role", "emperor"], input="pw\n"
    )
    assert result.exit_code == 2
    assert db.session.scalar(select(User)) is None


def test_create_token_prints_a_token_stored_only_as_hash(app, client, make_user):
    user = make_user("inspector", username="robot")
    result = app.test_cli_runner().invoke(args=["labtrack", "create-token", "robot", "--name", "ci"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert secret.startswith("lt_") and len(secret) > 40
    token = db.session.scalar(select(ApiToken))
    assert token.user_id == user.id and token.name == "ci"
    assert token.token_hash == hash_token(secret)
    assert secret not in token.token_hash
    assert client.get("/api/v1/labs", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_create_token_for_unknown_user(app):
    result = app.test_cli_runner().invoke(args=["labtrack", "create-token", "ghost"])
    assert result.exit_code == 1
    assert "No user 'ghost'" in result.output
