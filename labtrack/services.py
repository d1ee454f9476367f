"""Domain errors every service raises, and the commit helper they share."""

from typing import Any

from labtrack.extensions import db
from labtrack.history.tracking import set_actor, set_comment


class DomainError(Exception):
    """A rule of the domain refused the request; `errors` names the fields."""

    status = 400

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class InvalidInput(DomainError):
    """Fields are missing or wrong (HTTP 422)."""

    status = 422


class Conflict(DomainError):
    """The record's state or version does not allow this (HTTP 409)."""

    status = 409


class Forbidden(DomainError):
    """The user's role may not do this (HTTP 403)."""

    status = 403


class NotFound(DomainError):
    """No such record, or not one the user may see (HTTP 404)."""

    status = 404


def act_as(actor: Any, comment: str | None = None) -> None:
    """Record `actor` (and an optional comment) on the history rows of the next flush."""
    set_actor(db.session, actor)
    if comment:
        set_comment(db.session, comment)


def commit() -> None:
    """Commit the unit of work, rolling back if the database refuses it."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
