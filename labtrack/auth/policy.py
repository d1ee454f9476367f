"""Who is who: the predicates every area's policy builds on, and the auth area's own rules
(accounts and API tokens). Pure: no Flask, no database.

An actor is anything with `role`, `lab_id` and `id` (a signed-in user, or None for the system:
the command line and the demo loader, which the services trust). Each area's `<area>/policy.py`
combines these with its own rules; nothing outside `auth/` and the policies names a role.
"""

from typing import Any

from labtrack.auth.permissions import ROLE_PERMISSIONS, Perm, Role

# Regulator staff: the bureau's own people, who see every laboratory.
REGULATOR_ROLES = frozenset({Role.ADMIN, Role.QUALITY, Role.INSPECTOR})


def role_of(actor: Any) -> Role | None:
    """The actor's role, or None (the system, an anonymous visitor, an unknown role)."""
    try:
        return Role(getattr(actor, "role", None))
    except ValueError:
        return None


def holds(actor: Any, perm: Perm) -> bool:
    """Whether the actor's role holds a permission."""
    role = role_of(actor)
    return role is not None and perm in ROLE_PERMISSIONS[role]


def is_lab_manager(actor: Any) -> bool:
    """Lab managers are confined to their own laboratory."""
    return role_of(actor) is Role.LAB_MANAGER


def is_admin(actor: Any) -> bool:
    """Administrators may do everything."""
    return role_of(actor) is Role.ADMIN


def is_regulator(actor: Any) -> bool:
    """The bureau's staff: admin, quality department, inspectors."""
    return role_of(actor) in REGULATOR_ROLES


def confined_lab(actor: Any) -> int | None:
    """The one lab the actor may see (-1 for a lab manager without a lab), or None for all labs."""
    if is_lab_manager(actor):
        lab_id = getattr(actor, "lab_id", None)
        return lab_id if lab_id is not None else -1
    return None


def sees_lab(actor: Any, lab_id: int | None) -> bool:
    """Whether the actor may see records of this lab (everyone but a lab manager sees all)."""
    scope = confined_lab(actor)
    return scope is None or scope == lab_id


def narrow(stmt: Any, lab_id_column: Any, actor: Any) -> Any:
    """Narrow a select to the actor's lab when they are confined to one."""
    scope = confined_lab(actor)
    return stmt if scope is None else stmt.where(lab_id_column == scope)


def is_system(actor: Any) -> bool:
    """The system itself (command line, demo loader, scheduled work): no user is acting."""
    return actor is None


def is_signed_in(actor: Any) -> bool:
    """A real, signed-in user with a known role (not the system, not an anonymous visitor)."""
    return role_of(actor) is not None and getattr(actor, "id", None) is not None


def roles() -> list[Role]:
    """Every role, in the order the user pages list them."""
    return list(Role)


def manages_one_lab(role: Any) -> bool:
    """Whether accounts of this role belong to one laboratory (and must name it)."""
    try:
        return Role(role) is Role.LAB_MANAGER
    except ValueError:
        return False


# --- the auth area: accounts and API tokens --------------------------------------------------


def _same_user(actor: Any, user: Any) -> bool:
    return is_signed_in(actor) and user is not None and getattr(user, "id", None) == actor.id


def may_manage_users(actor: Any) -> bool:
    """Create, edit, disable accounts and reset passwords: administrators (and the system)."""
    return is_system(actor) or holds(actor, Perm.USERS_MANAGE)


def sees_user(actor: Any, user: Any) -> bool:
    """An account's page: those who manage users, and the user themselves."""
    return user is not None and (may_manage_users(actor) or _same_user(actor, user))


def may_disable(actor: Any, user: Any) -> bool:
    """Disable an account: never one's own (nobody might be left to enable it again)."""
    return may_manage_users(actor) and not _same_user(actor, user)


def may_give_role(actor: Any, user: Any, role: Any) -> bool:
    """Give an account a role: an administrator may not take the administrator role from themselves."""
    if not may_manage_users(actor):
        return False
    demotes_self = (
        _same_user(actor, user) and role_of(user) is Role.ADMIN and role_of_value(role) is not Role.ADMIN
    )
    return not demotes_self


def role_of_value(value: Any) -> Role | None:
    """A role from its name, or None when it is not one."""
    try:
        return Role(value)
    except ValueError:
        return None


def may_issue_token(actor: Any, user: Any) -> bool:
    """Issue an API token for an account: administrators (and the system) for an active account."""
    return user is not None and bool(getattr(user, "active", False)) and may_manage_users(actor)


def may_revoke_token(actor: Any, token: Any) -> bool:
    """Revoke a token: those who manage users, and the token's owner."""
    owner = getattr(token, "user", None)
    return token is not None and (may_manage_users(actor) or _same_user(actor, owner))


def may_change_own_account(actor: Any, user: Any) -> bool:
    """Change one's own password and language: only the user themselves."""
    return _same_user(actor, user)
