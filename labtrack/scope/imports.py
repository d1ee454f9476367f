"""Applied scope imports: the record each one leaves (the file's SHA-256 and name, rows, what it
did, who, when), listed for those who import, with the stored file to download again."""

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from labtrack.extensions import db
from labtrack.history import display
from labtrack.jobs import files
from labtrack.scope import policy
from labtrack.scope.models import ScopeImport
from labtrack.services import NotFound

# An import's history row reads with its own labels; who and the comment are the row's own.
display.register(
    "scope_imports",
    labels={
        "sha256": "SHA-256",
        "filename": _l("File"),
        "rows": _l("Rows"),
        "new_periods": _l("New periods"),
        "withdrawals": _l("Withdrawals"),
        "unchanged": _l("Unchanged"),
        "new_categories": _l("New categories"),
        "new_items": _l("New items"),
        "created_at": _l("Applied"),
    },
    hidden={"user_id", "username", "comment"},
)


def imports_query(actor: Any) -> Select:
    """Every applied import, newest first (nothing for those who may not import)."""
    stmt = select(ScopeImport).order_by(ScopeImport.created_at.desc(), ScopeImport.id.desc())
    return stmt if policy.sees_imports(actor) else stmt.where(False)


def load_import(import_id: int, actor: Any) -> ScopeImport:
    """One import's record, or NotFound (also for those who may not see imports)."""
    record = db.session.get(ScopeImport, import_id) if policy.sees_imports(actor) else None
    if record is None:
        raise NotFound(_("No such %(what)s.", what=_("scope import")))
    return record


def stored_file(record: ScopeImport) -> bytes | None:
    """The imported file as stored (every upload through the page, the API or the command), if kept."""
    store = files.store()
    return store.get(record.sha256) if store.exists(record.sha256) else None


def download_name(record: ScopeImport) -> str:
    """The file's own name, else one made of the import's number."""
    name = record.filename or f"scope-import-{record.id}.csv"
    return name if "." in name else f"{name}.csv"
