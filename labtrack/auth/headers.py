"""Security headers on every response (Flask-Talisman), the CSP nonce, and the real client address.

The Content-Security-Policy allows scripts and style sheets from this site only, plus the one
per-request nonce: templates that cannot avoid an inline block write
`<script nonce="{{ csp_nonce() }}">` (or `<style nonce=...>`). Inline event handlers (`onclick=`)
never run: `static/js/labtrack.js` gives `data-confirm` and `data-print` their behaviour. Style
attributes in markup are refused too (`style-src-attr 'none'`): templates use the classes of
`static/labtrack.css` (or Bootstrap's), a width from data is a `data-pct` that labtrack.js applies
(scripts may still set `element.style`); `<style>` elements need the nonce.
"""

import secrets

from flask import Flask, Response, has_request_context, request
from flask_login import current_user
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-attr": "'none'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def csp_nonce() -> str:
    """This request's nonce for an inline `<script nonce=...>` (the same value all request long)."""
    if not has_request_context():
        return ""
    nonce = getattr(request, "csp_nonce", None)
    if not nonce:  # Talisman makes it before the request; an early error page may come first
        nonce = request.csp_nonce = secrets.token_urlsafe(18)
    return nonce


def _no_store(response: Response) -> Response:
    """Pages and API answers for a signed-in user are never kept by a browser or proxy cache."""
    shared = ("static", "bootstrap.static", "vendor.asset")  # the same for everybody: cacheable
    if request.endpoint in shared or request.path.startswith("/static/"):
        return response
    if getattr(current_user, "is_authenticated", False):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    """Talisman's headers, the nonce for templates, no-store for signed-in pages, proxy headers."""
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    Talisman(
        app,
        force_https=False,  # the proxy redirects; HSTS is sent only on requests that came over https
        strict_transport_security=True,
        strict_transport_security_include_subdomains=False,
        frame_options="DENY",
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src", "style-src"],
        referrer_policy="same-origin",
        session_cookie_secure=bool(app.config.get("SESSION_COOKIE_SECURE")),
        session_cookie_http_only=True,
    )
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(_no_store)
