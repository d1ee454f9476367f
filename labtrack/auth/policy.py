"""Who is who: the predicates every area's policy builds on. Pure: no Flask, no database.

An actor is anything with `role` and `lab_id` (a signed-in user, or None for the system). Each
area's `<area>/policy.py` combines these with its own rules; nothing outside `auth/` and the
policies names a role.
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
