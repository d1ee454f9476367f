"""Keep the personnel links tidy when another area deletes what they point at.

A comparison result can be deleted (entered by mistake) and a finding removed; the analyst and
persons named for them go with them. The foreign keys say ON DELETE CASCADE for PostgreSQL; SQLite
does not enforce foreign keys here, so the rows are removed before the record itself is.
"""

from sqlalchemy import delete, event

from labtrack.audits.models import Finding
from labtrack.personnel.models import FindingPerson, ResultAnalyst
from labtrack.proficiency.models import Result


def _drop_analyst(mapper, connection, target) -> None:
    connection.execute(
        delete(ResultAnalyst.__table__).where(ResultAnalyst.__table__.c.result_id == target.id)
    )


def _drop_finding_persons(mapper, connection, target) -> None:
    connection.execute(
        delete(FindingPerson.__table__).where(FindingPerson.__table__.c.finding_id == target.id)
    )


def connect() -> None:
    """Listen to deletions of results and findings (once, however many apps are created)."""
    for model, listener in ((Result, _drop_analyst), (Finding, _drop_finding_persons)):
        if not event.contains(model, "before_delete", listener):
            event.listen(model, "before_delete", listener)
