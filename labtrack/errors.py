"""One way to fail: HTML pages for the browser, the one JSON error shape for the API.

Domain errors raised anywhere (services, loaders) are mapped here, once: NotFound 404, Forbidden
403, Conflict 409, InvalidInput 422. Every request carries an id (the `X-Request-ID` response
header); an unexpected exception is logged with the request's method, path, user and that id, and
the 500 page and JSON body show the id so a user can quote it.
"""

import logging
import re
import uuid

from flask import Flask, current_app, flash, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed, NotFound
from werkzeug.routing import IntegerConverter, RequestRedirect

from labtrack.extensions import db
from labtrack.parsing import INT_MAX
from labtrack.services import DomainError, InvalidInput

log = logging.getLogger("labtrack.errors")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")  # PostgreSQL's text holds neither
HTTP_NAMES = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    422: "Unprocessable Entity",
}


def wants_json() -> bool:
    """Whether this request is an API call (public JSON included)."""
    return request.path.startswith(("/api/", "/public/api/"))


def request_id() -> str:
    """This request's id: the caller's `X-Request-ID` if well formed, else a new one."""
    # Kept in the request's environ, not on `g`: an app context may outlive one request (tests).
    environ = request.environ
    if "labtrack.request_id" not in environ:
        given = request.headers.get("X-Request-ID", "")
        environ["labtrack.request_id"] = given if _REQUEST_ID.match(given) else uuid.uuid4().hex[:16]
    return environ["labtrack.request_id"]


def _flatten(errors):
    """webargs puts errors under their location ("json", "query"); name the fields directly."""
    if isinstance(errors, dict) and len(errors) == 1:
        ((location, inner),) = errors.items()
        if location in ("json", "query", "form", "files", "path") and isinstance(inner, dict):
            return inner
    return errors


def json_error(code: int, name: str, message: str, errors=None, headers=None):
    """The API's one error shape: {code, status, message, errors} (and request_id on a 500)."""
    body = {"code": code, "status": name, "message": message, "errors": errors or {}}
    if code >= 500:
        body["request_id"] = request_id()
    response = jsonify(body)
    response.status_code = code
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def handle_http(error: HTTPException):
    """Render an HTTP error for the browser or the API."""
    if isinstance(error, MethodNotAllowed) and not _path_exists(error.valid_methods or ()):
        error = NotFound()
    if error.code and error.code >= 500:
        db.session.rollback()
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    if wants_json():
        data = getattr(error, "data", None) or {}
        errors = _flatten(data.get("errors") or data.get("messages") or {})
        message = data.get("message") or error.description or error.name
        return json_error(
            error.code or 500, error.name, message, errors, {**headers, **(data.get("headers") or {})}
        )
    template = error.code if error.code in (400, 403, 404, 405, 409, 413, 415, 422, 429) else "generic"
    page = render_template(f"errors/{template}.html", error=error, request_id=request_id())
    return page, error.code, headers


def _path_exists(methods) -> bool:
    """Whether the URL names something for one of these methods. Werkzeug answers 405 for
    PATCH /audits/99999999999 when only GET's rule shares the path, even though no rule takes
    that id: it is a 404 (there is no such record), whatever the method."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    for method in methods:
        try:
            adapter.match(method=method)
        except (NotFound, MethodNotAllowed):
            continue  # the same quirk again, or truly nothing for this method
        except HTTPException:
            return True  # a redirect: the path itself exists
        return True
    return False


def handle_domain(error: DomainError):
    """A service's refusal: JSON for the API; for pages a 404/403 page, or the message flashed
    and the user sent back to the page they came from."""
    db.session.rollback()
    status = error.status
    if wants_json():
        return json_error(status, HTTP_NAMES.get(status, "Error"), error.message, error.errors)
    if status in (403, 404) or request.method in ("GET", "HEAD"):
        template = status if status in (400, 403, 404, 409, 422) else "generic"
        return render_template(f"errors/{template}.html", error=error, request_id=request_id()), status
    back = _back()
    if back is None:  # nowhere to go back to: say it on a page of its own
        template = status if status in (400, 409, 422) else "generic"
        return render_template(f"errors/{template}.html", error=error, request_id=request_id()), status
    flash(" ".join(dict.fromkeys([error.message, *_texts(error.errors)])), "danger")
    return redirect(back, code=303)


def _texts(errors) -> list[str]:
    """Every message in a (possibly nested: rows of an import) field-error mapping."""
    if isinstance(errors, dict):
        return [text for value in errors.values() for text in _texts(value)]
    if isinstance(errors, list | tuple):
        return [text for value in errors for text in _texts(value)]
    return [str(errors)]


def _back() -> str | None:
    """Where to send the user after a refused post: the page they came from on this site; without
    one, the posted URL if it is also a page (a form posted to itself), else the record's page the
    step belongs to (`/planning/sanctions/5/lift` -> `/planning/sanctions/5`); None when there is
    none below the site's root."""
    referrer = request.referrer or ""
    if referrer.startswith(request.host_url):
        return referrer
    adapter = current_app.url_map.bind_to_environ(request.environ)
    candidates, path = [request.path], request.path.rstrip("/")
    while path.count("/") >= 3:  # up to the area's own page, never the site's root
        path = path.rsplit("/", 1)[0]
        candidates.append(path)
    for candidate in candidates:
        try:
            adapter.match(candidate, method="GET")
        except RequestRedirect as moved:
            return moved.new_url
        except HTTPException:
            continue
        return candidate
    return None


def handle_unexpected(error: Exception):
    """Log an unexpected exception with the request id, roll back, answer 500 (never a trace)."""
    if isinstance(error, HTTPException):
        return handle_http(error)
    propagate = current_app.config.get("PROPAGATE_EXCEPTIONS")
    if propagate or (propagate is None and (current_app.testing or current_app.debug)):
        raise error  # tests and the debugger see the real exception
    db.session.rollback()
    log_unexpected(error)
    return handle_http(InternalServerError(original_exception=error))


def log_unexpected(error: BaseException) -> None:
    """One log line (and the traceback) naming the request, the user and the request id."""
    from flask_login import current_user

    user = getattr(current_user, "username", None) if current_user else None
    log.error(
        "unexpected error request_id=%s method=%s path=%s user=%s: %r",
        request_id(),
        request.method,
        request.full_path.rstrip("?"),
        user or "-",
        error,
        exc_info=(type(error), error, error.__traceback__),
    )


def _assign_request_id() -> None:
    request_id()


def _tag_response(response):
    response.headers.setdefault("X-Request-ID", request_id())
    return response


def _refuse_unstorable_text():
    """Text no database column can hold, refused before any code reads it, 422 naming the field:
    a NUL byte or a lone surrogate (\\udb0f) in a query, a lone surrogate in a JSON body."""
    found = _unstorable_field()
    if found is None:
        return None
    field, value = found
    if _SURROGATE.search(value):
        message = _("Contains characters that are not valid text (lone surrogates).")
    else:
        message = _("Control characters are not allowed.")
    raise InvalidInput(message, {field or "body": [message]})


def _unstorable_field() -> tuple[str, str] | None:
    """(field, text) of the first unstorable text of the request, if any."""
    # Posted forms are left to their validators, which put the message beside the field.
    for key, values in request.args.lists():
        for text in (key, *values):
            if _UNSTORABLE.search(text):
                return key, text
    if request.is_json and request.method not in ("GET", "HEAD", "OPTIONS"):
        return _surrogate_path(request.get_json(silent=True), "")
    return None


def _surrogate_path(value, path: str) -> tuple[str, str] | None:
    """(path, text) of the first string in a JSON value holding a lone surrogate (a NUL is left
    to the schemas, which name every bad field of the body at once)."""
    if isinstance(value, str):
        return (path, value) if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, inner in value.items():
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _SURROGATE.search(key):
                return name, key
            found = _surrogate_path(inner, name)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, inner in enumerate(value):
            found = _surrogate_path(inner, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None


class BoundedIntConverter(IntegerConverter):
    """`<int:id>` that never matches a number beyond what a database key holds (404, not 500)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 (werkzeug's signature)
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


def bound_int_ids(app: Flask) -> None:
    """Make every `<int:>` of the app bounded: the converter for rules still to come, and the
    rules already registered (blueprints mounted before this ran got werkzeug's unbounded one)."""
    app.url_map.converters["int"] = BoundedIntConverter
    for rule in app.url_map.iter_rules():
        for name, converter in list(rule._converters.items()):
            if type(converter) is IntegerConverter:
                rule._converters[name] = BoundedIntConverter(
                    app.url_map,
                    fixed_digits=converter.fixed_digits,
                    min=converter.min,
                    max=min(converter.max, INT_MAX) if converter.max is not None else INT_MAX,
                    signed=converter.signed,
                )


def init_errors(app: Flask) -> None:
    """Register the handlers on the app, so they also see unknown URLs."""
    bound_int_ids(app)
    app.before_request(_assign_request_id)
    app.before_request(_refuse_unstorable_text)
    app.after_request(_tag_response)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(CSRFError, handle_http)
    app.register_error_handler(DomainError, handle_domain)
    # Under test, unexpected exceptions propagate so that the test fails loudly, unless a test
    # turns PROPAGATE_EXCEPTIONS off to see what a user would get.
    app.register_error_handler(Exception, handle_unexpected)
    if not logging.getLogger().handlers and not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        log.addHandler(handler)
