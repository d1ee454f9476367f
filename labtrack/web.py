"""What every area's HTML views share: running a posted form through a service, and uploads.

Views stay thin: load (services raise NotFound, mapped to 404 in `labtrack.errors`), authorise
(the route's `@require` and the area's policy inside the service), validate and call the service
with `submit_form`, flash, redirect. Views never commit or roll back: services do.
"""

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request
from werkzeug.wrappers import Response

from labtrack.forms import apply_errors
from labtrack.parsing import INT_MAX, digits
from labtrack.services import InvalidInput


def submit_form(
    form: Any,
    action: Callable[[], Any],
    *,
    success: str | Callable[[Any], str] | None,
    to: str | Callable[[Any], str],
) -> Response | None:
    """If `form` was posted and is valid, run `action` (a service call).

    On success flash `success` (text, or a function of the result) and answer a redirect to `to`
    (a URL, or a function of the result). When the form or the service refuses the input, put the
    messages beside the fields and answer None: the view then renders the form again with what the
    user typed. Other refusals (Conflict, Forbidden, NotFound) go to the app's error handlers.
    """
    if not form.validate_on_submit():
        return None
    try:
        result = action()
    except InvalidInput as exc:
        apply_errors(form, exc)
        return None
    if success:
        flash(success(result) if callable(success) else success, "success")
    return redirect(to(result) if callable(to) else to, code=303)


def uploads(name: str = "files") -> list[tuple[str, bytes]]:
    """The files posted under `name`, as (filename, content) pairs (empty parts skipped)."""
    return [(f.filename, f.read()) for f in request.files.getlist(name) if f and f.filename]


def form_status(form: Any) -> int:
    """422 for a posted form that was refused, 200 otherwise (tests and tools read the status)."""
    refused = form.errors or getattr(form, "refused_by_service", False)
    return 422 if request.method == "POST" and refused else 200


PAGE_MAX = 100_000  # pages a list may be paged to (more would only skip every row)


def int_arg(name: str, low: int = 0, high: int = INT_MAX, default: int | None = None) -> int | None:
    """A whole-number query argument within [low, high]; `default` when absent, not ASCII digits or
    out of range (a filter given nonsense is not a server error)."""
    number = digits(request.args.get(name, "").strip(), low, high)
    return default if number is None else number


def page_arg() -> int:
    """`?page=`: 1 when absent or not a page number."""
    return int_arg("page", 1, PAGE_MAX, 1)
