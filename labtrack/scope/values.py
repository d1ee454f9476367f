"""What the catalogue's and the scope's fields may hold: the limits and parsers that the forms, the
API schemas, the import and the services all use. Pure."""

from typing import Any

from labtrack import parsing

CODE_MAX = parsing.CODE_MAX
CATEGORY_NAME_MAX = parsing.NAME_MAX
ITEM_NAME_MAX = 300
METHOD_MAX = 500
PARAMETERS_MAX = 100_000  # parameters of one test item
NOTE_MAX = parsing.COMMENT_MAX
SERIES_MAX_POINTS = 1_202  # points of a growth series: a century of month ends and its two dates


def code(value: Any, *, required: bool = True) -> str | None:
    """A category or item code: letters of any script and digits, with - _ . / between them."""
    return parsing.code(value, required=required, max_len=CODE_MAX)


def category_name(value: Any, *, required: bool = True) -> str | None:
    """A category's name (as in the certificate, or in English)."""
    return parsing.name(value, required=required, max_len=CATEGORY_NAME_MAX)


def item_name(value: Any, *, required: bool = True) -> str | None:
    """An item's name (as in the certificate, or in English)."""
    return parsing.name(value, required=required, max_len=ITEM_NAME_MAX)


def method(value: Any, *, required: bool = False) -> str | None:
    """Standard method(s) on one line, several separated by semicolons."""
    return parsing.text(value, required=required, max_len=METHOD_MAX, multiline=False)


def parameters(value: Any, *, required: bool = False) -> int | None:
    """How many parameters an item has: a whole number from 0."""
    return parsing.integer(value, required=required, minimum=0, maximum=PARAMETERS_MAX)


def note(value: Any, *, required: bool = False) -> str | None:
    """A note or reason (why an item was granted or withdrawn)."""
    return parsing.text(value, required=required, max_len=NOTE_MAX)
