"""Who is asking: session users for the browser, bearer tokens for the API."""

from flask import Flask, flash, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from labtrack.extensions import csrf, db, login_manager


def _load_user(user_id: str):
    from labtrack.auth.models import User

    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.is_active else None


def _load_from_token(req):
    from labtrack.auth.models import ApiToken, hash_token

    header = req.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(header[7:].strip())))
    if token is None or token.revoked_at is not None or not token.user.is_active:
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


def _api_csrf() -> None:
    """API calls authenticated by the browser session still need a CSRF token."""
    from flask import current_app
    from flask_login import current_user

    if not request.path.startswith("/api/") or request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        return
    if current_app.config.get("WTF_CSRF_ENABLED", True) and current_user.is_authenticated:
        csrf.protect()


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
    app.before_request(_fresh_user)
    app.before_request(_forms_take_form_data)
    app.before_request(_api_csrf)
