"""The scope area's background work: every scope period of the province (some 450,000 at
national scale) exported as a job, the file downloaded from the job's page."""

from typing import Any

from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.jobs import exports
from labtrack.scope.models import ScopeEntry
from labtrack.services import Forbidden


def periods_count() -> int:
    """How many scope periods an export of everyone's scope writes."""
    return db.session.scalar(select(func.count()).select_from(ScopeEntry)) or 0


@exports.exporter("scope")
def scope_table(actor: Any, args: dict) -> exports.Table:
    """Every period in the import format (asked again of the policy for the job's starter)."""
    from flask_babel import gettext as _

    from labtrack.scope import policy
    from labtrack.scope.importer import HEADER, export_rows

    if not policy.may_export_all(actor):
        raise Forbidden(_("You may not export every laboratory's scope."))
    return exports.Table("scope-all", list(HEADER), export_rows(), total=periods_count())
