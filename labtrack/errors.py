"""Error handlers: HTML pages for the browser, the one JSON error shape for the API."""

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from labtrack.extensions import db


def wants_json() -> bool:
    """Whether this request is an API call."""
    return request.path.startswith("/api/")


def _flatten(errors):
    """webargs puts errors under their location ("json", "query"); name the fields directly."""
    if isinstance(errors, dict) and len(errors) == 1:
        ((location, inner),) = errors.items()
        if location in ("json", "query", "form", "files") and isinstance(inner, dict):
            return inner
    return errors


def json_error(code: int, name: str, message: str, errors=None, headers=None):
    """The API's one error shape: {code, status, message, errors}."""
    body = {"code": code, "status": name, "message": message, "errors": errors or {}}
    response = jsonify(body)
    response.status_code = code
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def handle_http(error: HTTPException):
    """Render an HTTP error for the browser or the API."""
    if error.code and error.code >= 500:
        db.session.rollback()
    if wants_json():
        data = getattr(error, "data", None) or {}
        errors = _flatten(data.get("errors") or data.get("messages") or {})
        message = data.get("message") or error.description or error.name
        return json_error(error.code or 500, error.name, message, errors, data.get("headers"))
    template = error.code if error.code in (400, 403, 404, 405, 413, 415, 429) else "generic"
    return render_template(f"errors/{template}.html", error=error), error.code


def handle_unexpected(error: Exception):
    """Roll back and show a 500 page instead of a traceback."""
    db.session.rollback()
    return handle_http(InternalServerError(original_exception=error))


def init_errors(app: Flask) -> None:
    """Register the handlers on the app, so they also see unknown URLs."""
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(CSRFError, handle_http)
    # Under test, unexpected exceptions propagate so that the test fails loudly.
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
