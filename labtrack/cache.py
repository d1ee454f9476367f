"""Figures reused between requests until the data they come from changes.

Every committed write to the database (any INSERT, UPDATE or DELETE through the app's engine, from
a page, the API, a job or a command) bumps the *data version*, a small file in the instance folder
that every gunicorn worker reads (once per request); a cached value is keyed by that version, so a
change made in one worker is seen by the others on their next request. Writes to the tables in
QUIET_TABLES (accounts' sign-in times, sign-in events, API tokens, jobs, notifications) do not change the
figures cached here and do not bump it.

Only pure functions of the database state are cached (plus their arguments: the lab, the dates,
the reader's language), never anything decided by who is asking: the policy narrows *before* the
call (a lab manager's lab is an argument) or after it.
"""

import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, has_app_context, has_request_context, request
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

T = TypeVar("T")
MAX_ENTRIES = 512
# Nothing cached here reads these (a value computed for one user never is: see above); signing in
# writes `users.last_login_at` and a security event, which must not throw every figure away.
QUIET_TABLES = frozenset(
    {"users", "security_events", "jobs", "notifications", "notify_preferences", "api_tokens"}
)
_WRITE = re.compile(
    r"^\s*(?:(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+[\"`]?(\w+)|CREATE|DROP|ALTER|TRUNCATE|COPY)",
    re.I,
)

_MEMO = "labtrack.data_version"  # read once per request (kept in the request's environ)
_lock = threading.Lock()
_store: "OrderedDict[tuple, Any]" = OrderedDict()


def _version_file(app: Flask) -> Path:
    return Path(app.config.get("DATA_VERSION_FILE") or Path(app.instance_path) / "data-version")


def data_version() -> str:
    """The current data version (read once per request; outside a request, every call)."""
    if has_request_context() and _MEMO in request.environ:
        return request.environ[_MEMO]
    path = _version_file(current_app)
    try:
        version = path.read_text("ascii")
    except OSError:
        version = bump(path)
    if has_request_context():
        request.environ[_MEMO] = version
    return version


def bump(path: Path | None = None) -> str:
    """Start a new data version (every cached figure is recomputed on its next use)."""
    path = path or _version_file(current_app)
    version = os.urandom(12).hex()  # not the clock: tests freeze it
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(version, "ascii")
    os.replace(tmp, path)
    if has_request_context():
        request.environ[_MEMO] = version
    return version


def cached(name: str, *key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, reused while the data version and the key are the same (LRU, per process)."""
    if not has_app_context() or current_app.config.get("FIGURES_CACHE") is False:
        return compute()
    full = (current_app.import_name, str(current_app.instance_path), name, data_version(), *key)
    with _lock:
        if full in _store:
            _store.move_to_end(full)
            return _store[full]
    value = compute()
    with _lock:
        _store[full] = value
        while len(_store) > MAX_ENTRIES:
            _store.popitem(last=False)
    return value


def memoized(name: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Decorator form of `cached` for a function whose arguments are its whole key (hashable)."""

    def decorator(fn: Callable[..., T]) -> Callable[..., T]:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            key = (*args, *sorted(kwargs.items()))
            return cached(name, *key, compute=lambda: fn(*args, **kwargs))

        wrapper.uncached = fn  # type: ignore[attr-defined]
        return wrapper

    return decorator


def clear() -> None:
    """Forget every cached value of this process (tests)."""
    with _lock:
        _store.clear()


_pending = threading.local()


@event.listens_for(Engine, "after_cursor_execute")
def _note_write(conn, _cursor, statement, _params, _context, _executemany) -> None:
    match = _WRITE.match(statement)
    if match and (match.group(1) or "").lower() not in QUIET_TABLES:
        conn.info["labtrack_wrote"] = True


@event.listens_for(Engine, "commit")
def _committing(conn) -> None:
    # Bumped before the commit and again after it (the session's after_commit): a worker that
    # reads the data between the two caches it under a version that the second bump retires.
    if conn.info.pop("labtrack_wrote", False) and has_app_context():
        bump()
        _pending.app = current_app._get_current_object()


@event.listens_for(Engine, "rollback")
def _rolled_back(conn) -> None:
    conn.info.pop("labtrack_wrote", None)


@event.listens_for(Session, "after_commit")
def _committed(_session) -> None:
    app = getattr(_pending, "app", None)
    if app is not None:
        _pending.app = None
        bump(_version_file(app))


def cached_fragment(name: str, *key: Hashable, caller: Callable[[], str]) -> Markup:
    """In templates, a block of HTML rendered once per key and data version, then reused:

        {% call cached_fragment("scope.lab_groups", lab.id, on, current_locale, cov is not none) %}
          ... {% endcall %}

    The key must name everything the block depends on besides the data: the record, the dates, the
    reader's language, and whatever the policy decided for this reader (e.g. whether a column is
    shown); nothing per request (CSRF tokens, flashed messages) may be inside."""
    return Markup(cached(f"fragment:{name}", *key, compute=caller))


def init_app(app: Flask) -> None:
    """Make `cached_fragment` available to templates."""
    app.jinja_env.globals["cached_fragment"] = cached_fragment
