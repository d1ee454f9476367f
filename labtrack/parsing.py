"""The one set of input parsers: text, codes, dates, numbers and choices, with their limits.

Forms (`labtrack.forms`), API schemas (`labtrack.api.fields`), imports and services all parse
through these functions, so a limit or a rule is written once. Pure: no Flask, no database.
Each parser returns the clean value or raises `ParseError` with a message for the user (lazily
translated, so it is rendered in the reader's language).
"""

import math
import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l

# --- limits (the only place they are written) ------------------------------------------------
CODE_MAX = 32  # codes of labs, rounds, plans, items, categories
NAME_MAX = 200  # names and titles
SHORT_MAX = 120  # people's names, owners, places, units
COMMENT_MAX = 2000  # comments and reasons (the history log keeps them whole)
TEXT_MAX = 10_000  # descriptions, evidence, summaries
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2199, 12, 31)
YEAR_MIN, YEAR_MAX = DATE_MIN.year, DATE_MAX.year
# The largest integer an INTEGER column holds: every id and every whole-number column (PostgreSQL's
# INTEGER is 32-bit; a larger id or value answers 404 or 422, never a database error).
INT_MAX = 2**31 - 1
COUNT_MAX = 2**31 - 1  # counts of things (documents reviewed, parameters, attendees)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_MARKUP = re.compile(r"[<>]")
# Codes: letters (any script) and digits, with '-', '_', '.', '/' inside; no spaces.
_CODE = re.compile(r"^[^\W_](?:[\w./-]*[^\W_])?$", re.UNICODE)


class ParseError(ValueError):
    """A value the user gave cannot be used; `message` says why in the reader's language."""

    def __init__(self, message: Any):
        super().__init__(str(message))
        self.message = message


def is_blank(value: Any) -> bool:
    """Whether a value counts as not given (None, or only whitespace)."""
    return value is None or (isinstance(value, str) and not value.strip())


def clean_text(value: Any, *, max_len: int = TEXT_MAX, multiline: bool = True) -> str:
    """Text trimmed of surrounding space; refuses non-text, control characters, lone surrogates
    and text longer than `max_len` characters."""
    if not isinstance(value, str):
        raise ParseError(_l("Must be text."))
    if _SURROGATE.search(value):
        raise ParseError(_l("Contains characters that are not valid text (lone surrogates)."))
    value = unicodedata.normalize("NFC", value.strip())
    if (_CONTROL if multiline else _CONTROL_ONE_LINE).search(value):
        raise ParseError(_l("Control characters are not allowed."))
    if len(value) > max_len:
        raise ParseError(_l("At most %(n)d characters.", n=max_len))
    return value


def text(value: Any, *, required: bool = True, max_len: int = TEXT_MAX, multiline: bool = True) -> str | None:
    """Optional or required text (None when blank and not required)."""
    if is_blank(value):
        if required:
            raise ParseError(_l("This field is required."))
        return None
    return clean_text(value, max_len=max_len, multiline=multiline)


def name(value: Any, *, required: bool = True, max_len: int = NAME_MAX) -> str | None:
    """A one-line name or title: no line breaks, no markup characters (< >)."""
    value = text(value, required=required, max_len=max_len, multiline=False)
    if value is not None and _MARKUP.search(value):
        raise ParseError(_l("The characters < and > are not allowed here."))
    return value


def code(value: Any, *, required: bool = True, max_len: int = CODE_MAX) -> str | None:
    """A code: letters of any script and digits, with - _ . / between them, no spaces.

    Compatibility forms are folded (NFKC): full-width 'ＳＣ－ＴＣ' typed with a Chinese input method
    is the code 'SC-TC'."""
    value = text(value, required=required, max_len=max_len, multiline=False)
    if value is None:
        return None
    value = unicodedata.normalize("NFKC", value)
    if len(value) > max_len:
        raise ParseError(_l("At most %(n)d characters.", n=max_len))
    if not _CODE.match(value):
        raise ParseError(
            _l("Use letters and digits, with - _ . / between them (no spaces or other characters).")
        )
    return value


def code_key(value: str) -> str:
    """The form of a code compared for uniqueness: NFKC-normalised and case-folded in every
    script ('ÉX-1' and 'éx-1' are the same code; SQLite's lower() only folds ASCII)."""
    return unicodedata.normalize("NFKC", value).casefold()


def day(
    value: Any, *, required: bool = True, earliest: date = DATE_MIN, latest: date = DATE_MAX
) -> date | None:
    """A calendar date from a `date` or ISO 8601 text (YYYY-MM-DD), within [earliest, latest]."""
    if is_blank(value):
        if required:
            raise ParseError(_l("This field is required."))
        return None
    if isinstance(value, date):
        parsed = value.date() if hasattr(value, "date") and callable(value.date) else value
    elif isinstance(value, str):
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            raise ParseError(_l("Not a date (YYYY-MM-DD).")) from None
    else:
        raise ParseError(_l("Not a date (YYYY-MM-DD)."))
    if parsed < earliest or parsed > latest:
        raise ParseError(
            _l("The date must be between %(a)s and %(b)s.", a=earliest.isoformat(), b=latest.isoformat())
        )
    return parsed


def digits(value: Any, low: int = 0, high: int = INT_MAX) -> int | None:
    """A string of ASCII digits (a query argument, an id in a cookie) as a number within [low, high];
    None for anything else. Never raises: `"²".isdigit()` is true, yet `int("²")` fails."""
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()) or len(value) > 12:
        return None
    number = int(value)
    return number if low <= number <= high else None


def year(value: Any, *, required: bool = True) -> int | None:
    """A year between YEAR_MIN and YEAR_MAX."""
    return integer(value, required=required, minimum=YEAR_MIN, maximum=YEAR_MAX)


def integer(
    value: Any, *, required: bool = True, minimum: int | None = 0, maximum: int = COUNT_MAX
) -> int | None:
    """A whole number within [minimum, maximum] (never beyond what the database holds)."""
    if is_blank(value):
        if required:
            raise ParseError(_l("This field is required."))
        return None
    if isinstance(value, bool):
        raise ParseError(_l("Must be a whole number."))
    if isinstance(value, int):
        parsed = value
    elif (isinstance(value, float) and value.is_integer()) or (
        isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,20}\s*", value)
    ):
        parsed = int(value)
    else:
        raise ParseError(_l("Must be a whole number."))
    maximum = min(maximum, INT_MAX)
    if (minimum is not None and parsed < minimum) or parsed > maximum:
        if minimum is None:
            raise ParseError(_l("Must be at most %(b)d.", b=maximum))
        raise ParseError(_l("Must be between %(a)d and %(b)d.", a=minimum, b=maximum))
    return parsed


def number(
    value: Any,
    *,
    required: bool = True,
    minimum: float | None = None,
    maximum: float | None = None,
    positive: bool = False,
) -> float | None:
    """A finite decimal number (a '.' or ',' decimal point in text), optionally bounded."""
    if is_blank(value):
        if required:
            raise ParseError(_l("This field is required."))
        return None
    if isinstance(value, bool):
        raise ParseError(_l("Must be a number."))
    if isinstance(value, int | float | Decimal):
        parsed = float(value)
    elif isinstance(value, str):
        raw = value.strip().replace(",", ".") if value.count(",") == 1 and "." not in value else value.strip()
        try:
            parsed = float(Decimal(raw))
        except (InvalidOperation, ValueError):
            raise ParseError(_l("Must be a number.")) from None
    else:
        raise ParseError(_l("Must be a number."))
    if not math.isfinite(parsed):
        raise ParseError(_l("Must be a finite number."))
    if positive and parsed <= 0:
        raise ParseError(_l("Must be greater than zero."))
    if minimum is not None and parsed < minimum:
        raise ParseError(_l("Must be at least %(a)s.", a=minimum))
    if maximum is not None and parsed > maximum:
        raise ParseError(_l("Must be at most %(b)s.", b=maximum))
    return parsed


def choice(value: Any, allowed: Iterable[Any], *, required: bool = True) -> str | None:
    """One of the allowed values (compared as text)."""
    if is_blank(value):
        if required:
            raise ParseError(_l("This field is required."))
        return None
    options = {str(a) for a in allowed}
    if str(value).strip() not in options:
        raise ParseError(_l("Not one of the allowed values."))
    return str(value).strip()


def boolean(value: Any, *, default: bool = False) -> bool:
    """A yes/no flag from a bool or the usual spellings in forms, CSV and query strings."""
    if is_blank(value):
        return default
    if isinstance(value, bool):
        return value
    spelled = str(value).strip().lower()
    if spelled in {"1", "true", "yes", "y", "on", "是"}:
        return True
    if spelled in {"0", "false", "no", "n", "off", "否"}:
        return False
    raise ParseError(_l("Must be yes or no."))


def date_range(start: date | None, end: date | None) -> None:
    """Refuse a range that ends before it starts."""
    if start is not None and end is not None and end < start:
        raise ParseError(_l("The end date cannot be before the start date."))


class Fields:
    """Collects every field's error while a record's values are parsed (services and imports).

    >>> f = Fields(data); title = f.get("title", name); f.raise_if_any("Not saved.")
    """

    def __init__(self, data: dict | None = None):
        self.data = data or {}
        self.errors: dict[str, list[str]] = {}

    def get(self, key: str, parser: Any, *args: Any, **kwargs: Any) -> Any:
        """Parse `data[key]` with `parser`; on failure note the error and return None."""
        try:
            return parser(self.data.get(key), *args, **kwargs)
        except ParseError as exc:
            self.add(key, exc.message)
            return None

    def add(self, key: str, message: Any) -> None:
        """Note an error against a field."""
        self.errors.setdefault(key, []).append(str(message))

    def raise_if_any(self, message: Any) -> None:
        """Raise InvalidInput (422) with every field's error, if there is any."""
        if self.errors:
            from labtrack.services import InvalidInput

            raise InvalidInput(str(message), self.errors)
