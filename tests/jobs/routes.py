"""URL arguments of the job pages: the signed-in user's own jobs first (the demo may have none)."""

from sqlalchemy import select

from labtrack.extensions import db


def candidates(user, home: int | None) -> dict[str, list[str]]:
    from labtrack.jobs.models import Job

    if user is None:
        return {}
    own = db.session.scalars(
        select(Job.id).where(Job.started_by_id == user.id).order_by(Job.id).limit(1)
    ).all()
    other = db.session.scalars(
        select(Job.id).where(Job.started_by_id != user.id).order_by(Job.id).limit(1)
    ).all()
    return {"job_id": [*own, *other]} if own else {}  # nothing of one's own: nothing to open
