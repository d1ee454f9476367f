"""URL arguments of the scope area's later pages, for the route walks (tests/routes.py)."""

from sqlalchemy import select

from labtrack.extensions import db
from labtrack.scope.models import ScopeImport


def candidates(user, home: int | None) -> dict[str, list[str]]:
    """The applied imports' ids (a record of every lab's file: no lab of its own)."""
    return {
        "import_id": [
            str(i) for i in db.session.scalars(select(ScopeImport.id).order_by(ScopeImport.id).limit(2))
        ]
    }
