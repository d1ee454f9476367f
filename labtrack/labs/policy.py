"""Who may see and change laboratories, their certificates and their contacts. Pure: no Flask, no
database session (the narrowing is a SQLAlchemy expression).

- Everyone who may read laboratories sees every lab, except a lab manager: their own lab only
  (another lab is answered as not found).
- The bureau (admin, quality department) registers and edits labs and records their certificates;
  a lab that is closed is edited to reopen it, and deactivating an already closed lab is refused.
- Contacts: the bureau, and a lab's own manager for their lab (people come and go at a lab).
- A lab's notes are the bureau's: a lab manager does not read them.
- The system (actor None: the command line, the demo) may do everything.
"""

from typing import Any

from labtrack.auth import policy as auth
from labtrack.auth.permissions import Perm
from labtrack.labs.models import Lab, LabStatus


def sees_lab(actor: Any, lab: Lab | None) -> bool:
    """Whether the actor may see this lab at all (a lab manager: only their own)."""
    if lab is None:
        return False
    if auth.is_system(actor):
        return True
    return auth.holds(actor, Perm.LABS_VIEW) and auth.sees_lab(actor, lab.id)


def narrow(stmt: Any, actor: Any, column: Any = None) -> Any:
    """Narrow a select of labs (or of records with a lab id `column`) to what the actor sees."""
    return auth.narrow(stmt, Lab.id if column is None else column, actor)


def confined_lab(actor: Any) -> int | None:
    """The one lab id the actor is confined to (-1: a lab manager without a lab), None: every lab."""
    return auth.confined_lab(actor)


def sees_every_lab(actor: Any) -> bool:
    """Whether the actor reads across labs (filters by region make sense for them)."""
    return confined_lab(actor) is None


def may_create_lab(actor: Any) -> bool:
    """Register a new laboratory."""
    return auth.is_system(actor) or auth.holds(actor, Perm.LABS_EDIT)


def may_edit_lab(actor: Any, lab: Lab | None) -> bool:
    """Change a lab's details, status and flags (whatever its status: reopening is an edit)."""
    return sees_lab(actor, lab) and may_create_lab(actor)


def may_deactivate_lab(actor: Any, lab: Lab | None) -> bool:
    """Close a lab: those who edit it, while it is not closed already."""
    return may_edit_lab(actor, lab) and lab.status != LabStatus.CLOSED


def may_manage_certificates(actor: Any, lab: Lab | None) -> bool:
    """Record, correct and remove a lab's CMA / CNAS certificates: the bureau."""
    return may_edit_lab(actor, lab)


def may_manage_contacts(actor: Any, lab: Lab | None) -> bool:
    """Add, change and remove a lab's contacts: the bureau, and the lab's own manager."""
    if not sees_lab(actor, lab):
        return False
    return auth.is_system(actor) or auth.holds(actor, Perm.CONTACTS_EDIT)


def sees_notes(actor: Any, lab: Lab | None) -> bool:
    """The bureau's notes on a lab: everyone who sees the lab except lab managers."""
    return sees_lab(actor, lab) and not auth.is_lab_manager(actor)


def hidden_fields(actor: Any, lab: Lab | None) -> frozenset[str]:
    """Fields of a lab the actor may not read, wherever they appear (page, API, history)."""
    return frozenset() if sees_notes(actor, lab) else frozenset({"notes"})


def sees_history(actor: Any, lab: Lab | None) -> bool:
    """The change log of a lab, its certificates and contacts."""
    return sees_lab(actor, lab) and (auth.is_system(actor) or auth.holds(actor, Perm.HISTORY_VIEW))


def may_import(actor: Any) -> bool:
    """Create or update labs from a file."""
    return may_create_lab(actor)


def may_edit_regions(actor: Any) -> bool:
    """Regions are reference data the bureau keeps (those who edit laboratories), in both languages."""
    return auth.is_system(actor) or auth.holds(actor, Perm.LABS_EDIT)
