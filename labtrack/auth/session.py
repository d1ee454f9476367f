"""Who is asking: session users for the browser, bearer tokens for the API."""

from datetime import timedelta

from flask import Flask, flash, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from labtrack import parsing
from labtrack.extensions import csrf, db, login_manager


def _load_user(user_id: str):
    """The user a session or remember-me cookie names, if its session version is still current
    (sign-out, a password change or reset and disabling raise it: older cookies are dead)."""
    from labtrack.auth.models import User

    ident, _sep, version = user_id.partition(":")
    number, seen = parsing.digits(ident, 1), parsing.digits(version)
    user = db.session.get(User, number) if number is not None and seen is not None else None
    if user is None or not user.is_active or seen != (user.session_version or 0):
        return None
    return user


def _bearer(req) -> str | None:
    header = req.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def _load_from_token(req):
    from labtrack.auth.models import ApiToken, hash_token

    secret = _bearer(req)
    if secret is None:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        from labtrack.auth import security

        security.record(
            security.Kind.TOKEN_REFUSED,
            "refused",
            user=token.user if token is not None else None,
            detail="revoked" if token is not None and token.revoked_at else "",
        )
        return None
    from labtrack.auth.service import record_token_use

    record_token_use(token)
    g.auth_via_token = True
    return token.user


def _unauthorized():
    from labtrack.errors import json_error, wants_json

    if wants_json():
        return json_error(401, "Unauthorized", "Authentication required: a bearer token or a session.")
    flash(_l("Please sign in to see this page."), "warning")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _api_auth():
    """An API call with a bearer token is that token's user's, whatever session cookie comes with
    it; a token that is not valid answers 401 (it never falls back to the session). Only a valid
    token exempts the call from the CSRF header; calls made with the browser session need it."""
    from flask import current_app
    from flask_login import current_user

    if not request.path.startswith("/api/"):
        return None
    if _bearer(request) is not None:
        from labtrack.auth import security
        from labtrack.errors import json_error

        try:
            security.check_token_throttle()
        except security.Throttled as exc:
            g._login_user = login_manager.anonymous_user()  # answered: the token is not read again
            return json_error(
                429, "Too Many Requests", exc.message, headers={"Retry-After": str(exc.retry_after)}
            )
        user = _load_from_token(request)
        if user is None:
            security.count_token_failure()
            # Refused once: Flask-Login must not try (and log) the token again when the answer's
            # headers ask for the current user.
            g._login_user = login_manager.anonymous_user()
            return _unauthorized()
        g._login_user = user  # Flask-Login's slot for this request's user
        return None
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    if current_app.config.get("WTF_CSRF_ENABLED", True) and current_user.is_authenticated:
        csrf.protect()
    return None


def _idle_timeout() -> None:
    """A session unused for SESSION_IDLE_MINUTES ends (the remember-me cookie may start a new one)."""
    import time

    from flask import current_app, session
    from flask_login import logout_user

    minutes = current_app.config.get("SESSION_IDLE_MINUTES") or 0
    if not minutes or "_user_id" not in session or request.path.startswith("/static/"):
        return
    now = int(time.time())
    seen = session.get("seen")
    if isinstance(seen, int) and now - seen > minutes * 60:
        logout_user()
        session.pop("seen", None)
        return
    if not isinstance(seen, int) or now - seen > 60:  # write the cookie at most once a minute
        session["seen"] = now


def _fresh_user() -> None:
    """Load the user anew for every request (tests run many requests in one app context)."""
    g.pop("_login_user", None)


def _forms_take_form_data() -> None:
    """Pages take form posts; a JSON body sent to a page is refused instead of misread."""
    from flask import abort

    if request.is_json and not request.path.startswith("/api/") and request.method not in ("GET", "HEAD"):
        abort(415)


def init_login(app: Flask) -> None:
    """Wire Flask-Login to our users and tokens."""
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.request_loader(_load_from_token)
    login_manager.unauthorized_handler(_unauthorized)
    login_manager.session_protection = "basic"
    days = min(int(app.config.get("REMEMBER_COOKIE_DAYS") or 30), 30)
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(days=days)
    app.before_request(_fresh_user)
    app.before_request(_forms_take_form_data)
    app.before_request(_idle_timeout)
    app.before_request(_api_auth)
