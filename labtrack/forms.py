"""What every area's web forms share: a text validator and showing a service's refusal."""

import re

from flask import flash
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from labtrack.services import DomainError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(form, field) -> None:
    """Refuse control characters (PostgreSQL stores no NUL; none belongs in a name or a note)."""
    if isinstance(field.data, str) and _CONTROL.search(field.data):
        raise ValidationError(_l("Control characters are not allowed."))


def apply_errors(form, exc: DomainError) -> None:
    """Show a service's field errors beside the form's fields; its message, and errors of fields
    the form does not have, in a flash message."""
    loose: list[str] = []
    for field, messages in exc.errors.items():
        messages = messages if isinstance(messages, list | tuple) else [messages]
        target = getattr(form, field, None)
        if target is not None and hasattr(target, "errors"):
            target.errors = list(target.errors) + [str(m) for m in messages]
        else:
            loose.extend(str(m) for m in messages)
    form.refused_by_service = True  # 422 even when no field of the form carries the message
    flash(" ".join([exc.message, *loose]), "danger")


class Parse:
    """A WTForms validator that runs one of `labtrack.parsing`'s parsers on the field and keeps
    the clean value, so a form refuses exactly what a schema, an import and a service refuse."""

    def __init__(self, parser, **kwargs):
        self.parser = parser
        self.kwargs = kwargs

    def __call__(self, form, field) -> None:
        from labtrack.parsing import ParseError

        try:
            field.data = self.parser(field.data, **self.kwargs)
        except ParseError as exc:
            raise ValidationError(str(exc.message)) from None
