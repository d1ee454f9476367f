"""Who may see and start background jobs. Pure: no Flask, no database session."""

from typing import Any

from labtrack.auth.policy import holds, is_admin


def sees(actor: Any, job: Any) -> bool:
    """A job is its starter's; administrators see every job (the daily runs included)."""
    if actor is None:
        return False
    return is_admin(actor) or (
        job.started_by_id is not None and job.started_by_id == getattr(actor, "id", None)
    )


def may_start(actor: Any, kind: Any) -> bool:
    """Whether the actor may start a kind of job through the generic jobs API."""
    return kind is not None and kind.perm is not None and holds(actor, kind.perm)


def sees_everyones(actor: Any) -> bool:
    """Whether the job list shows every job instead of the actor's own."""
    return is_admin(actor)


def narrow(stmt: Any, started_by_column: Any, actor: Any) -> Any:
    """Narrow a select of jobs to those the actor may see."""
    if sees_everyones(actor):
        return stmt
    return stmt.where(started_by_column == getattr(actor, "id", -1))
