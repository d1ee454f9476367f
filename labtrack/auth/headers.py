"""Security headers on every response: the Content-Security-Policy and its per-request nonce.

Templates that cannot avoid an inline script write `<script nonce="{{ csp_nonce() }}">`; the
policy allows exactly that nonce for the one response, and nothing else inline.
"""

import secrets

from flask import Flask, g, has_request_context


def csp_nonce() -> str:
    """This request's nonce for an inline `<script nonce=...>` (the same value all request long)."""
    if not has_request_context():
        return ""
    nonce = getattr(g, "csp_nonce", None)
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(18)
    return nonce


def init_app(app: Flask) -> None:
    """Offer `csp_nonce()` to every template (imported macros too)."""
    app.jinja_env.globals["csp_nonce"] = csp_nonce
