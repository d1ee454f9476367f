"""Sign-in throttling, password checks that count, and the security log (OWASP ASVS level 2).

Throttling (Flask-Limiter's storage and moving windows, shared through Redis when `REDIS_URL` is
set) counts *failed* password checks, per account and client address and per client address, over
growing windows (`LOGIN_LIMITS_ACCOUNT`, `LOGIN_LIMITS_ADDRESS`): an attacker is slowed to a few
guesses an hour while the owner, from their own address, is never locked out by someone else. An
unknown username is counted and answered exactly like a wrong password, after hashing a dummy
password, so neither the message nor the time tells which accounts exist.

The security log (`SecurityEvent`) is append-only and written in its own transaction, so that a
refusal whose request is rolled back is still recorded.
"""

import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Flask, current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter import Limiter
from limits import parse_many
from sqlalchemy import Select, event, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from labtrack.extensions import db
from labtrack.models_base import utcnow
from labtrack.services import InvalidInput

log = logging.getLogger(__name__)


class Kind:
    """What a security log entry is about (stored as these strings)."""

    LOGIN = "login"
    LOGOUT = "logout"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    SIGNATURE = "signature_password"
    SESSION_ENDED = "session_ended"
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"
    TOKEN_USED = "token_used"
    TOKEN_REFUSED = "token_refused"
    ACCOUNT_DISABLED = "account_disabled"
    ACCOUNT_ENABLED = "account_enabled"
    EXPORT = "export"
    REFUSED = "permission_refused"
    UPLOAD_REFUSED = "upload_refused"


KINDS = tuple(v for k, v in vars(Kind).items() if k.isupper())
OUTCOMES = ("success", "failure", "throttled", "refused")


def throttled_message(retry_after: int) -> str:
    """What a throttled user reads (the same for every account, known or not)."""
    minutes = max(1, -(-retry_after // 60))
    return ngettext(
        "Too many failed attempts from your address. Try again in %(num)d minute.",
        "Too many failed attempts from your address. Try again in %(num)d minutes.",
        minutes,
    )


class Throttled(InvalidInput):
    """Too many failed password checks from here (429); `retry_after` seconds until the next try.
    A form shows the message beside the password field; the API answers 429."""

    status = 429

    def __init__(self, retry_after: int):
        message = throttled_message(retry_after)
        super().__init__(message, {"password": [message]})
        self.retry_after = retry_after


# --- the client ------------------------------------------------------------------------------


def client_address() -> str:
    """The client's address (behind `PROXY_COUNT` proxies, the one they saw: ProxyFix)."""
    return (request.remote_addr or "unknown") if has_request_context() else "local"


# --- throttling ------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """A limiter per app, its storage from RATELIMIT_STORAGE_URI (Redis in production)."""
    limiter = Limiter(
        key_func=client_address,
        app=app,
        storage_uri=app.config.get("RATELIMIT_STORAGE_URI", "memory://"),
        strategy="moving-window",
        default_limits=[],
        headers_enabled=False,
    )
    app.extensions["labtrack_limiter"] = limiter
    app.after_request(_after)
    if not event.contains(Session, "after_commit", _flush_session):
        event.listen(Session, "after_commit", _flush_session)
        event.listen(Session, "after_soft_rollback", _flush_session)


def _limits():
    limiter: Limiter = current_app.extensions["labtrack_limiter"]
    account = parse_many(current_app.config["LOGIN_LIMITS_ACCOUNT"])
    address = parse_many(current_app.config["LOGIN_LIMITS_ADDRESS"])
    return limiter.limiter, account, address


def _keys(username: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    name = (username or "").strip().lower()[:64]
    where = client_address()
    return ("signin-account", name, where), ("signin-address", where)


def check_throttle(username: str) -> None:
    """Raise Throttled if this account (from here) or this address has failed too often."""
    strategy, account, address = _limits()
    account_keys, address_keys = _keys(username)
    waits = [
        _wait(strategy, limit, keys)
        for limits, keys in ((account, account_keys), (address, address_keys))
        for limit in limits
        if not strategy.test(limit, *keys)
    ]
    if waits:
        raise Throttled(max(waits))


def _wait(strategy, limit, keys) -> int:
    reset, _remaining = strategy.get_window_stats(limit, *keys)
    return max(1, int(reset - datetime.now().timestamp()) + 1)


def count_failure(username: str) -> None:
    """Count one failed password check for this account and address."""
    strategy, account, address = _limits()
    account_keys, address_keys = _keys(username)
    for limit in account:
        strategy.hit(limit, *account_keys)
    for limit in address:
        strategy.hit(limit, *address_keys)


def clear_failures(username: str) -> None:
    """A right password from here clears this account's count from here (not the address's)."""
    strategy, account, _address = _limits()
    account_keys, _ = _keys(username)
    for limit in account:
        strategy.clear(limit, *account_keys)


def check_token_throttle() -> None:
    """Raise Throttled while this address has sent too many unknown or revoked API tokens."""
    strategy, _account, address = _limits()
    keys = ("token-address", client_address())
    waits = [_wait(strategy, limit, keys) for limit in address if not strategy.test(limit, *keys)]
    if waits:
        raise Throttled(max(waits))


def count_token_failure() -> None:
    """Count one API call with a token that is not valid, for this address."""
    strategy, _account, address = _limits()
    for limit in address:
        strategy.hit(limit, "token-address", client_address())


_DUMMY: dict[str, str] = {}


def spend_like_a_check(password: str) -> None:
    """Hash against a dummy, as long as a real check takes (unknown user: same time, same answer)."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _DUMMY:
        _DUMMY[method] = generate_password_hash("not-a-password-of-anyone", method=method)
    check_password_hash(_DUMMY[method], password or "x")


def verify_password(actor: Any, password: Any, purpose: str = Kind.SIGNATURE) -> bool:
    """Check a signed-in user's password again (a closing signature, a decision): throttled and
    logged like a sign-in. Raises Throttled while too many recent checks failed."""
    name = getattr(actor, "username", "") or ""
    try:
        check_throttle(name)
    except Throttled:
        record(purpose, "throttled", user=actor)
        raise
    ok = isinstance(password, str) and actor is not None and actor.check_password(password)
    if not ok:
        count_failure(name)
        record(purpose, "failure", user=actor)
    return ok


# --- the log ---------------------------------------------------------------------------------


def record(
    kind: str,
    outcome: str = "success",
    *,
    user: Any = None,
    username: str = "",
    actor: Any = None,
    detail: str = "",
) -> None:
    """Append an entry to the security log, in its own transaction. Inside a unit of work the entry
    waits for it to end and is written whether it commits or rolls back (a refusal is logged even
    though what it refused was undone); otherwise at once."""
    from labtrack.errors import request_id

    values: dict[str, Any] = {
        "at": utcnow(),
        "kind": kind,
        "outcome": outcome,
        "user_id": getattr(user, "id", None),
        "username": (username or getattr(user, "username", "") or "")[:64],
        "actor_id": getattr(actor, "id", None),
        "detail": (detail or "")[:500],
    }
    if has_request_context():
        values.update(
            address=client_address()[:64],
            user_agent=(request.user_agent.string or "")[:200],
            method=request.method[:10],
            path=request.path[:200],
            request_id=request_id()[:40],
        )
    if db.session.info.get("labtrack_tx_depth", 0) > 0:
        db.session.info.setdefault(_PENDING, []).append(values)
    else:
        _write([values])


_PENDING = "labtrack.security_events"


def _write(entries: list[dict[str, Any]]) -> None:
    from labtrack.auth.models import SecurityEvent

    try:
        # An actor set on the session keeps the history tracker from asking for current_user,
        # which may be what is being loaded right now (a token refused while loading the user).
        with Session(db.engine, info={"actor": False}) as session:
            session.add_all([SecurityEvent(**values) for values in entries])
            session.commit()
    except Exception:  # the log must not take the request down with it
        log.exception("security log entries not written: %s", [e["kind"] for e in entries])


def _flush_session(session: Session, *_args) -> None:
    """After a unit of work commits or rolls back: write the entries it held."""
    entries = session.info.pop(_PENDING, None)
    if entries:
        _write(entries)


def _after(response):
    """Every 403 answer is a permission refusal (ASVS V7.2)."""
    if response.status_code == 403 and not request.path.startswith("/static/"):
        from flask_login import current_user

        user = current_user if getattr(current_user, "is_authenticated", False) else None
        record(Kind.REFUSED, "refused", user=user, detail=f"{request.method} {request.path}")
    return response


# --- reading the log (admins) ----------------------------------------------------------------

KIND_LABELS = {
    Kind.LOGIN: _l("sign-in"),
    Kind.LOGOUT: _l("sign-out"),
    Kind.PASSWORD_CHANGED: _l("password changed"),
    Kind.PASSWORD_RESET: _l("password reset"),
    Kind.SIGNATURE: _l("signature password"),
    Kind.SESSION_ENDED: _l("session ended"),
    Kind.TOKEN_CREATED: _l("API token created"),
    Kind.TOKEN_REVOKED: _l("API token revoked"),
    Kind.TOKEN_USED: _l("API token used"),
    Kind.TOKEN_REFUSED: _l("API token refused"),
    Kind.ACCOUNT_DISABLED: _l("account disabled"),
    Kind.ACCOUNT_ENABLED: _l("account enabled"),
    Kind.EXPORT: _l("data exported"),
    Kind.REFUSED: _l("permission refused"),
    Kind.UPLOAD_REFUSED: _l("upload refused"),
}
OUTCOME_LABELS = {
    "success": _l("success"),
    "failure": _l("failure"),
    "throttled": _l("throttled"),
    "refused": _l("refused"),
}


def events_query(
    kind: str | None = None,
    outcome: str | None = None,
    username: str | None = None,
    address: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Select:
    """Log entries, newest first, filtered (a username matches the account's or the typed name)."""
    from labtrack.auth.models import SecurityEvent

    stmt = select(SecurityEvent).order_by(SecurityEvent.at.desc(), SecurityEvent.id.desc())
    if kind:
        stmt = stmt.where(SecurityEvent.kind == kind)
    if outcome:
        stmt = stmt.where(SecurityEvent.outcome == outcome)
    if username:
        stmt = stmt.where(func.lower(SecurityEvent.username) == username.strip().lower())
    if address:
        stmt = stmt.where(SecurityEvent.address == address.strip())
    if date_from:
        stmt = stmt.where(SecurityEvent.at >= datetime.combine(date_from, time.min))
    if date_to:
        stmt = stmt.where(SecurityEvent.at < datetime.combine(date_to + timedelta(days=1), time.min))
    return stmt
