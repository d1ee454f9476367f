"""What every service shares: the domain errors, loading a record or 404, and the transaction.

Services own the transaction: they change records inside `transaction(actor)` (or a function
decorated `@transactional`), which commits once on success and rolls back on any error, so views,
the API and the CLI never commit or roll back themselves. Domain errors are mapped to HTML or JSON
once, in `labtrack.errors`.
"""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import Integer, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from labtrack.extensions import db
from labtrack.history.tracking import set_actor, set_comment
from labtrack.parsing import INT_MAX

T = TypeVar("T")


class DomainError(Exception):
    """A rule of the domain refused the request; `errors` names the fields."""

    status = 400

    def __init__(self, message: Any, errors: dict[str, list[str]] | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.errors = {k: _messages(v) for k, v in (errors or {}).items()}

    @property
    def code(self) -> int:
        """The HTTP status this refusal answers."""
        return self.status


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


def _messages(value: Any) -> Any:
    """Field errors as lists of text (lazy strings rendered); nested errors (rows) kept nested."""
    if isinstance(value, dict):
        return {k: _messages(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [m if isinstance(m, dict) else str(m) for m in value]
    return [str(value)]


def load(
    model: type[T], ident: Any, *, visible: Callable[[T], bool] | None = None, what: str | None = None
) -> T:
    """The record with this primary key, if it exists and `visible(record)` holds.

    Raises NotFound (HTTP 404) otherwise: a record the caller may not see is answered exactly as
    one that does not exist. The one load-or-404 idiom of services, views and the API.
    """
    key = _key(model, ident)
    record = db.session.get(model, key) if key is not None else None
    if record is None or (visible is not None and not visible(record)):
        raise NotFound(_("No such %(what)s.", what=what or _("record")))
    return record


def load_by(
    model: type[T],
    column: Any,
    value: Any,
    *,
    visible: Callable[[T], bool] | None = None,
    what: str | None = None,
) -> T:
    """The record whose `column` equals `value` (a code, say), under the same rules as `load`."""
    record = db.session.scalar(select(model).where(column == value)) if value not in (None, "") else None
    if record is None or (visible is not None and not visible(record)):
        raise NotFound(_("No such %(what)s.", what=what or _("record")))
    return record


def _key(model: type, ident: Any) -> Any:
    """The primary key to look up, or None when no row can have it: nothing given, or, for a
    numeric key, not a whole number (a URL's text) or beyond what an INTEGER column holds."""
    if ident is None or isinstance(ident, bool):
        return None
    columns = sa_inspect(model).primary_key
    if len(columns) == 1 and isinstance(columns[0].type, Integer):
        if isinstance(ident, str):
            if not re.fullmatch(r"[0-9]{1,10}", ident):
                return None
            ident = int(ident)
        if not isinstance(ident, int) or not 0 < ident <= INT_MAX:
            return None
    return ident


def act_as(actor: Any, comment: str | None = None) -> None:
    """Record `actor` (and an optional comment) on the history rows of the next flush."""
    set_actor(db.session, actor)
    if comment:
        set_comment(db.session, comment)


@contextmanager
def transaction(actor: Any = None, comment: str | None = None) -> Iterator[None]:
    """One unit of work: history rows name `actor`; commit at the end, roll back on any error.

    Nested uses join the outer one (only the outermost commits). A concurrent save that bumped a
    record's version first, or a uniqueness the database enforces, becomes a Conflict (409).
    """
    info = db.session.info
    depth = info.get("labtrack_tx_depth", 0)
    if actor is not None or comment:
        act_as(actor, comment)
    info["labtrack_tx_depth"] = depth + 1
    try:
        yield
        if depth == 0:
            db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise Conflict(
            _("Someone else saved this record meanwhile. Reload it to see their change, then try again."),
            {"version": [_("The record has changed since you read it.")]},
        ) from exc
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(
            _("This would duplicate a record that already exists (perhaps saved a moment ago).")
        ) from exc
    except BaseException:
        db.session.rollback()
        raise
    finally:
        info["labtrack_tx_depth"] = depth


def transactional(fn: Callable[..., T]) -> Callable[..., T]:
    """Run a service function as one unit of work (see `transaction`)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        with transaction():
            return fn(*args, **kwargs)

    return wrapper


def commit() -> None:
    """Commit the unit of work now, rolling back if the database refuses it."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
