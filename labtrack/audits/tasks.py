"""The audits area's background work: the findings list exported as a job when it is large (a
national data set holds some 100,000 open findings)."""

from typing import Any

from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.jobs import exports
from labtrack.models_base import today

CHUNK = 2000  # findings dumped at a time (the file is written as they come)


def findings_count(actor: Any, filters: dict, overdue: bool | None) -> int:
    """How many findings the list's filters give the actor."""
    from labtrack.audits import service

    stmt = service.findings_query(actor, **filters, overdue=overdue).order_by(None)
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


@exports.exporter("findings")
def findings_table(actor: Any, args: dict) -> exports.Table:
    """The findings of the list's filters, as the page's export (the service narrows for the actor)."""
    from labtrack.audits import schemas, service

    filters, overdue = dict(args.get("filters") or {}), args.get("overdue")
    stmt = service.findings_query(actor, **filters, overdue=overdue)
    header, _rows = schemas.export_table([])

    def rows():
        chunk = []
        for finding in db.session.scalars(stmt.execution_options(yield_per=CHUNK)):
            chunk.append(finding)
            if len(chunk) == CHUNK:
                yield from schemas.export_table(chunk)[1]
                chunk = []
        if chunk:
            yield from schemas.export_table(chunk)[1]

    return exports.Table(
        f"findings-{today().isoformat()}", header, rows(), findings_count(actor, filters, overdue)
    )
