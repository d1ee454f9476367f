"""What a laboratory's fields may hold: the limits and parsers that the form, the API schema, the
import and the service all use, so a lab code or name one accepts the others accept too. Pure."""

import re
from typing import Any

from flask_babel import lazy_gettext as _l

from labtrack import parsing

CODE_MAX = parsing.CODE_MAX
NAME_MAX = parsing.NAME_MAX
REGION_MAX = 80
ADDRESS_MAX = 300
CERTIFICATE_MAX = 64
CONTACT_NAME_MAX = parsing.SHORT_MAX
POSITION_MAX = parsing.SHORT_MAX
PHONE_MAX = 40
EMAIL_MAX = 254
NOTES_MAX = parsing.TEXT_MAX
# Codes that would collide with the pages under /labs/ (`/labs/new`, `/labs/export`).
RESERVED_CODES = frozenset({"new", "export"})

_PHONE = re.compile(r"^[0-9+()\- ]+$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def lab_code(value: Any, *, required: bool = True) -> str | None:
    """A lab code: a code (letters of any script, digits, - _ . between them) that can stand in a
    URL (no '/') and is not the name of a page under /labs/."""
    value = parsing.code(value, required=required, max_len=CODE_MAX)
    if value is None:
        return None
    if "/" in value:
        raise parsing.ParseError(_l("A laboratory code may not contain '/'."))
    if parsing.code_key(value) in RESERVED_CODES:
        raise parsing.ParseError(_l("%(code)s is reserved; choose another code.", code=value))
    return value


def lab_name(value: Any, *, required: bool = True) -> str | None:
    """A lab's name (either language): one line, no markup characters."""
    return parsing.name(value, required=required, max_len=NAME_MAX)


def region(value: Any, *, required: bool = True) -> str | None:
    """A region (prefecture) name: one line, no markup characters."""
    return parsing.name(value, required=required, max_len=REGION_MAX)


def address(value: Any, *, required: bool = False) -> str | None:
    """A postal address on one line."""
    return parsing.text(value, required=required, max_len=ADDRESS_MAX, multiline=False)


def notes(value: Any, *, required: bool = False) -> str | None:
    """Free notes (several lines)."""
    return parsing.text(value, required=required, max_len=NOTES_MAX)


def certificate_no(value: Any, *, required: bool = True) -> str | None:
    """A certificate number as printed on it: one line, no markup characters."""
    return parsing.name(value, required=required, max_len=CERTIFICATE_MAX)


def person(value: Any, *, required: bool = True) -> str | None:
    """A contact's name."""
    return parsing.name(value, required=required, max_len=CONTACT_NAME_MAX)


def position(value: Any, *, required: bool = False) -> str | None:
    """A contact's position."""
    return parsing.name(value, required=required, max_len=POSITION_MAX)


def phone(value: Any, *, required: bool = False) -> str | None:
    """A telephone number: digits, spaces, + - and brackets."""
    value = parsing.text(value, required=required, max_len=PHONE_MAX, multiline=False)
    if value is not None and not _PHONE.match(value):
        raise parsing.ParseError(_l("Digits, spaces, +, - and brackets only."))
    return value


def email(value: Any, *, required: bool = False) -> str | None:
    """An e-mail address (its shape only; nobody is mailed to check it)."""
    value = parsing.text(value, required=required, max_len=EMAIL_MAX, multiline=False)
    if value is not None and not _EMAIL.match(value):
        raise parsing.ParseError(_l("Invalid e-mail address."))
    return value
