"""Small pieces the records services share: limits, month arithmetic, finding a lab by code."""

import calendar
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Integer, cast, func, select

from labtrack import parsing
from labtrack.auth.policy import sees_lab
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.parsing import Fields

REVIEW_INTERVAL_MAX = 120  # months between periodic reviews of a document: at most ten years
LABEL_MAX = 16  # a revision's label ("A/0", "第2版")
KEY_MAX = 16  # a question's key (Q1, Q2 …): the column of the answers file
TEXT_ZH_MAX = 500  # a question's text
SCALE_SPAN_MAX = 20  # a scale has at most 21 points (0 to 20, say)
CHOICES_MAX = 20
SEARCH_MAX = 100


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def days_between(later: Any, earlier: Any) -> Any:
    """Whole days from `earlier` to `later` in SQL, on SQLite and PostgreSQL alike."""
    if db.engine.dialect.name == "sqlite":
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return later - earlier  # date - date is a number of days in PostgreSQL


def lab_by_code(f: Fields, key: str, actor: Any, *, required: bool = True) -> Lab | None:
    """The lab whose code `f.data[key]` names, if the actor may see it ("No such laboratory."
    otherwise: a lab manager is not told that another lab exists)."""
    code = f.get(key, parsing.code, required=required)
    if code is None:
        return None
    lab = db.session.scalar(select(Lab).where(Lab.code_key == parsing.code_key(code)))
    if lab is None or (actor is not None and not sees_lab(actor, lab.id)):
        f.add(key, _("No such laboratory: %(code)s.", code=code))
        return None
    return lab


def search_text(value: Any) -> str | None:
    """A search box's text, trimmed and bounded (None when empty)."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:SEARCH_MAX]


def like(value: str) -> str:
    """A LIKE pattern that matches the text anywhere, with % and _ taken literally."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
