"""Names of reference data in the reader's language (a record's ``name`` and ``name_en``).

Reference records keep the name as written in the certificate or the register (``name``, usually
Chinese) and an English name (``name_en``); regions keep the English name the labs use as their
key (``name``) and a Chinese one (``name_zh``). The helpers pick the one for the current locale and
fall back to the other when one is missing, so nothing shows empty.
"""

import re
from collections.abc import Mapping
from typing import Any

from flask import g, has_app_context, has_request_context
from flask_babel import get_locale


def is_chinese(locale: str | None = None) -> bool:
    """Whether the locale (default: the reader's) is Chinese."""
    if locale is None:
        if not has_app_context():
            return False
        locale = str(get_locale() or "en")
    return locale.lower().startswith("zh")


def pick(zh: str | None, en: str | None, locale: str | None = None) -> str:
    """The name for the locale, the other one when it is missing, '' when both are."""
    first, second = (zh, en) if is_chinese(locale) else (en, zh)
    return first or second or ""


def _get(record: Any, key: str) -> Any:
    """An attribute of a record, or a key of a mapping (rows and dicts of reports)."""
    if isinstance(record, Mapping):
        return record.get(key)
    return getattr(record, key, None)


def localized_name(record: Any, locale: str | None = None, prefix: str = "") -> str:
    """A record's name in the reader's language (``name_zh``/``name_en``, else ``name``/``name_en``);
    `prefix` reads other pairs of columns, e.g. ``item_`` for ``item_name``/``item_name_en``."""
    if record is None:
        return ""
    en = _get(record, f"{prefix}name_en")
    zh = _get(record, f"{prefix}name_zh")
    if zh is not None or (not isinstance(record, Mapping) and hasattr(record, f"{prefix}name_zh")):
        return pick(zh, en or _get(record, f"{prefix}name"), locale)
    return pick(_get(record, f"{prefix}name"), en, locale)


def other_name(record: Any, locale: str | None = None, prefix: str = "") -> str:
    """The name in the other language, when there is one that differs from the one shown."""
    if record is None:
        return ""
    shown = localized_name(record, locale, prefix)
    for key in ("name_en", "name_zh", "name"):
        candidate = _get(record, f"{prefix}{key}")
        if candidate and candidate != shown:
            return candidate
    return ""


def region_names() -> dict[str, str]:
    """The Chinese name of every region by its (English) key, read once per request."""
    from sqlalchemy import select

    from labtrack.extensions import db
    from labtrack.labs.regions import Region

    if has_request_context() and "region_names" in g:
        return g.region_names
    names = dict(db.session.execute(select(Region.name, Region.name_zh)).tuples().all())
    if has_request_context():
        g.region_names = names
    return names


def region_label(region: str | None, locale: str | None = None) -> str:
    """A region (as stored on a lab) in the reader's language."""
    if not region:
        return ""
    if not is_chinese(locale):
        return region
    return region_names().get(region) or region


# --- texts the system writes in both languages -----------------------------------------------------

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_LETTER = re.compile(r"[A-Za-z\u3400-\u9fff]")


def _chinese_share(line: str) -> float:
    letters = _LETTER.findall(line)
    return sum(1 for c in letters if _CJK.match(c)) / len(letters) if letters else 0.0


def bilingual_lines(text: str | None) -> tuple[str, str] | None:
    """(Chinese, English) when `text` is the system's two-line text in both languages, Chinese first
    (a finding raised by a comparison round); None for anything else. A name quoted inside a line (a
    round's Chinese title in the English line) does not make it Chinese: the share of letters counts."""
    if not text:
        return None
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) != 2:
        return None
    zh, en = lines
    if _chinese_share(zh) >= 0.5 and _chinese_share(en) < 0.5:
        return zh, en
    return None


def reader_text(text: str | None, locale: str | None = None) -> str:
    """The line of a system-written bilingual text in the reader's language (the text itself when
    it is not one)."""
    pair = bilingual_lines(text)
    if pair is None:
        return text or ""
    return pair[0] if is_chinese(locale) else pair[1]


def other_text(text: str | None, locale: str | None = None) -> str:
    """The other language's line of a system-written bilingual text ('' when it is not one)."""
    pair = bilingual_lines(text)
    if pair is None:
        return ""
    return pair[1] if is_chinese(locale) else pair[0]


def finding_text(finding: Any, locale: str | None = None) -> str:
    """A finding's description as the reader reads it: a round's finding (written by the system in
    both languages) in the reader's language only; a finding people wrote, as written."""
    text = _get(finding, "description")
    if str(_get(finding, "source") or "") != "round":
        return text or ""
    return reader_text(text, locale)


def finding_other_text(finding: Any, locale: str | None = None) -> str:
    """The other language's line of a round's finding ('' for a finding people wrote)."""
    if str(_get(finding, "source") or "") != "round":
        return ""
    return other_text(_get(finding, "description"), locale)
