"""Who may see and change the catalogue, each lab's scope, its import and capability growth. Pure:
no Flask, no database session (the narrowing is a SQLAlchemy expression).

- The catalogue (categories, items) is reference data: every role that reads scope reads it; the
  bureau (admin, quality department) edits it.
- A lab's scope is seen by whoever sees the lab (a lab manager: their own lab only); the bureau
  grants and withdraws items and imports scope files. A withdrawn period cannot be withdrawn again.
- Capability growth: for everyone, a region or a lab; a lab manager's growth is their own lab's,
  whatever they ask for.
- The system (actor None: the command line, the demo) may do everything.
"""

from typing import Any

from labtrack.auth import policy as auth
from labtrack.auth.permissions import Perm
from labtrack.labs import policy as labs_policy
from labtrack.scope.models import ScopeEntry


def _holds(actor: Any, perm: Perm) -> bool:
    return auth.is_system(actor) or auth.holds(actor, perm)


def sees_catalogue(actor: Any) -> bool:
    """Read the categories and items of the catalogue."""
    return _holds(actor, Perm.CATALOGUE_VIEW)


def may_edit_catalogue(actor: Any) -> bool:
    """Add and change categories and items."""
    return _holds(actor, Perm.CATALOGUE_EDIT)


def sees_scope(actor: Any, lab: Any) -> bool:
    """Read a lab's scope, its timeline and its periods."""
    return _holds(actor, Perm.SCOPE_VIEW) and labs_policy.sees_lab(actor, lab)


def may_export_all(actor: Any) -> bool:
    """Export every laboratory's scope (a lab manager's "everyone" is their own lab instead)."""
    return _holds(actor, Perm.SCOPE_VIEW) and growth_lab(actor) is None


def sees_entry(actor: Any, entry: Any) -> bool:
    """Read one period of a lab's scope."""
    return entry is not None and sees_scope(actor, entry.lab)


def may_edit_scope(actor: Any, lab: Any) -> bool:
    """Grant an item to a lab, or withdraw one it holds."""
    return _holds(actor, Perm.SCOPE_EDIT) and labs_policy.sees_lab(actor, lab)


def may_withdraw(actor: Any, entry: Any) -> bool:
    """Withdraw a period: those who edit the lab's scope, while the period is still held."""
    return entry is not None and entry.withdrawn_on is None and may_edit_scope(actor, entry.lab)


def may_import(actor: Any) -> bool:
    """Import scope files (they may name any lab)."""
    return _holds(actor, Perm.SCOPE_EDIT)


def sees_imports(actor: Any) -> bool:
    """The record of past imports and their files (every lab's periods): those who import."""
    return may_import(actor)


def sees_growth(actor: Any) -> bool:
    """Read capability growth."""
    return _holds(actor, Perm.GROWTH_VIEW)


def may_choose_region(actor: Any) -> bool:
    """Ask for a region's or everyone's growth (a lab manager's is their own lab's)."""
    return labs_policy.sees_every_lab(actor)


def growth_lab(actor: Any) -> int | None:
    """The lab whose growth the actor gets whatever they ask (-1: none), or None: as asked."""
    return labs_policy.confined_lab(actor)


def narrow(stmt: Any, actor: Any, column: Any = None) -> Any:
    """Narrow a select of scope periods (or rows with a lab id `column`) to the actor's lab."""
    return labs_policy.narrow(stmt, actor, ScopeEntry.lab_id if column is None else column)
