"""The auth policy as a table (role x whose account x account state), and the rule that outside
`auth/` and the policy modules no code or template of these areas names a role."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from labtrack.auth import policy

ROOT = Path(__file__).resolve().parents[2]
ROLES = ("admin", "quality", "inspector", "viewer", "lab_manager")


def user(role: str, ident: int = 1, active: bool = True, lab_id: int | None = None):
    return SimpleNamespace(id=ident, role=role, active=active, lab_id=lab_id)


def token(owner):
    return SimpleNamespace(user=owner, user_id=owner.id)


ME, OTHER = 1, 2

# role -> manages users, issues a token for another active account, revokes another's token
TABLE = {
    "admin": (True, True, True),
    "quality": (False, False, False),
    "inspector": (False, False, False),
    "viewer": (False, False, False),
    "lab_manager": (False, False, False),
}


@pytest.mark.parametrize("role", ROLES)
def test_accounts_and_tokens(role):
    me, other = user(role, ME), user("viewer", OTHER)
    manages, issues, revokes = TABLE[role]
    assert policy.may_manage_users(me) is manages
    assert policy.sees_user(me, other) is manages
    assert policy.sees_user(me, me) is True  # everyone sees their own account
    assert policy.may_issue_token(me, other) is issues
    assert (
        policy.may_issue_token(me, user("viewer", OTHER, active=False)) is False
    )  # never a disabled account
    assert policy.may_revoke_token(me, token(other)) is revokes
    assert policy.may_revoke_token(me, token(me)) is True  # one's own token, always
    assert policy.may_change_own_account(me, me) is True
    assert policy.may_change_own_account(me, other) is False
    assert policy.may_disable(me, other) is manages
    assert policy.may_disable(me, me) is False  # never one's own account


@pytest.mark.parametrize("new_role", ROLES)
def test_an_administrator_keeps_their_own_role(new_role):
    admin = user("admin", ME)
    assert policy.may_give_role(admin, admin, new_role) is (new_role == "admin")
    assert policy.may_give_role(admin, user("admin", OTHER), new_role) is True
    assert policy.may_give_role(user("quality", ME), user("viewer", OTHER), new_role) is False


def test_the_system_may_do_what_the_command_line_does():
    assert policy.may_manage_users(None) and policy.may_issue_token(None, user("viewer", OTHER))
    assert not policy.may_issue_token(None, user("viewer", OTHER, active=False))
    assert policy.is_system(None) and not policy.is_signed_in(None)


def test_who_is_who():
    manager = user("lab_manager", lab_id=5)
    assert policy.confined_lab(manager) == 5 and policy.confined_lab(user("lab_manager")) == -1
    assert policy.confined_lab(user("viewer")) is None
    assert policy.role_of(SimpleNamespace(role="emperor")) is None
    assert policy.manages_one_lab("lab_manager") and not policy.manages_one_lab("inspector")
    assert not policy.manages_one_lab("emperor")
    assert [r.value for r in policy.roles()] == ["admin", "quality", "inspector", "lab_manager", "viewer"]


# --- nothing outside auth/ and the policies names a role ---------------------------------------

MINE = [
    "labtrack/labs",
    "labtrack/scope",
    "labtrack/reports",
    "labtrack/history",
    "labtrack/main.py",
    "labtrack/cli.py",
    "labtrack/demo.py",
    "labtrack/demo_labs.py",
    "labtrack/templating.py",
    "labtrack/tabular.py",
    "labtrack/api/labs.py",
    "labtrack/api/scope.py",
    "labtrack/api/reports.py",
    "templates/labs",
    "templates/scope",
    "templates/reports",
    "templates/main",
    "templates/history",
]
NAMES = re.compile(
    r"\bRole\.[A-Z]|is_lab_manager|[\"'](?:admin|quality|inspector|lab_manager|viewer)[\"']|\.role\b"
)


def test_labs_scope_reports_and_history_ask_the_policy_instead_of_naming_roles():
    found = []
    for entry in MINE:
        path = ROOT / entry
        files = (
            [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.suffix in (".py", ".html"))
        )
        for file in files:
            if file.name == "policy.py":
                continue
            for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
                if NAMES.search(line):
                    found.append(f"{file.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []
