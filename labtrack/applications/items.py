"""The items an application asks for: parsed as the scope import parses its rows (the same columns,
parsers and messages), matched against the catalogue and the lab's scope.

An item is entered (its codes and names typed), picked from the catalogue (its code alone: the
rest comes from the catalogue), or uploaded in the scope import's columns
(`labtrack.scope.importer.HEADER`). Whatever the way, a row is refused for the reasons the import
gives (a bad code, a new category or item without its name, a known item under another category)
and for the application's own: an item twice in one application, an item the lab already holds
(initial, extension), an item it does not hold (change, reduction).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from labtrack import parsing
from labtrack.applications.values import Kind
from labtrack.extensions import db
from labtrack.parsing import code_key
from labtrack.scope import values as scope_values
from labtrack.scope.models import ScopeEntry, TestCategory, TestItem
from labtrack.tabular import RowError

ITEM_FIELDS = ("category_code", "category_name", "item_code", "item_name", "method", "parameters")
# Kinds that ask for items the lab does not hold yet / only for items it holds.
NEW_ITEM_KINDS = frozenset({Kind.INITIAL, Kind.EXTENSION})
HELD_ITEM_KINDS = frozenset({Kind.CHANGE, Kind.REDUCTION})

_PARSERS = {
    "category_code": (scope_values.code, {"required": False}),
    "category_name": (scope_values.category_name, {"required": False}),
    "item_code": (scope_values.code, {}),
    "item_name": (scope_values.item_name, {"required": False}),
    "method": (scope_values.method, {}),
    "parameters": (scope_values.parameters, {}),
    "lab_code": (scope_values.code, {"required": False}),
    "granted_on": (parsing.day, {"required": False}),
    "withdrawn_on": (parsing.day, {"required": False}),
}


@dataclass
class Row:
    """One item asked for, clean."""

    category_code: str
    category_name: str | None
    item_code: str
    item_key: str
    item_name: str | None
    method: str | None
    parameters: int | None
    item_id: int | None

    def values(self) -> dict[str, Any]:
        """The columns of an ApplicationItem."""
        return dict(self.__dict__)


@dataclass
class Checked:
    """What a set of rows gave: the clean rows, and every error by row and column."""

    rows: list[tuple[int, Row]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class Matcher:
    """Checks rows against the catalogue, the lab's scope and the application's items so far.

    Codes are matched as codes compare (`parsing.code_key`: case and width folded), as the scope
    import matches them; the catalogue is read for the codes asked, not whole.
    """

    def __init__(self, lab: Any, kind: str, taken: Iterable[str] = ()):
        self.lab = lab
        self.kind = Kind(kind)
        self.taken: dict[str, int | None] = {key: None for key in taken}  # key -> row it came from
        self.new_categories: dict[str, tuple[str, int]] = {}  # key -> (code, row)
        self.new_items: dict[str, tuple[str, int]] = {}  # key -> (category key, row)

    # --- the database, asked per code ------------------------------------------------------

    @staticmethod
    def category(code: str) -> TestCategory | None:
        return db.session.scalar(select(TestCategory).where(TestCategory.code_key == code_key(code)))

    @staticmethod
    def item(code: str) -> TestItem | None:
        return db.session.scalar(select(TestItem).where(TestItem.code_key == code_key(code)))

    def held_since(self, item_id: int) -> date | None:
        """The grant date of the period of this item the lab holds today, if any."""
        return db.session.scalar(
            select(ScopeEntry.granted_on).where(
                ScopeEntry.lab_id == self.lab.id,
                ScopeEntry.item_id == item_id,
                ScopeEntry.withdrawn_on.is_(None),
            )
        )

    # --- one row -----------------------------------------------------------------------------

    def check(
        self, number: int, raw: dict[str, Any], errors: list[RowError], upload: bool = False
    ) -> Row | None:
        """The clean row, or None with its errors noted (under `number`)."""
        cells: dict[str, Any] = {}
        failed = False
        columns = ITEM_FIELDS + (("lab_code", "granted_on", "withdrawn_on") if upload else ())
        for column in columns:
            parser, kwargs = _PARSERS[column]
            try:
                cells[column] = parser(raw.get(column), **kwargs)
            except parsing.ParseError as exc:
                errors.append(RowError(number, column, str(exc.message)))
                failed = True
        if upload and cells.get("lab_code") and code_key(cells["lab_code"]) != code_key(self.lab.code):
            errors.append(
                RowError(
                    number,
                    "lab_code",
                    _(
                        "This application is for %(lab)s, not %(code)s.",
                        lab=self.lab.code,
                        code=cells["lab_code"],
                    ),
                )
            )
            failed = True
        if failed or "item_code" not in cells:
            return None
        return self._match(number, cells, errors)

    def _match(self, number: int, cells: dict[str, Any], errors: list[RowError]) -> Row | None:
        item_code, category_code = cells["item_code"], cells["category_code"]
        key = code_key(item_code)
        before = len(errors)
        if key in self.taken:
            where = self.taken[key]
            errors.append(
                RowError(
                    number,
                    "item_code",
                    _("Item %(code)s is asked for twice (row %(row)s).", code=item_code, row=where)
                    if where
                    else _("Item %(code)s is already in this application.", code=item_code),
                )
            )
            return None
        item = self.item(item_code)
        if item is not None:
            category = item.category
            if category_code and code_key(category_code) != category.code_key:
                errors.append(
                    RowError(
                        number,
                        "category_code",
                        _("Item %(item)s belongs to category %(cat)s.", item=item.code, cat=category.code),
                    )
                )
                return None
            self._check_scope(number, item, errors)
            if len(errors) > before:
                return None
            self.taken[key] = number
            return Row(
                category_code=category.code,
                category_name=category.name,
                item_code=item.code,
                item_key=key,
                item_name=cells["item_name"] or item.name,
                method=cells["method"] or item.method,
                parameters=cells["parameters"] if cells["parameters"] is not None else item.parameters,
                item_id=item.id,
            )
        # A new item: the import's rules for new categories and items.
        if self.kind in HELD_ITEM_KINDS:
            errors.append(RowError(number, "item_code", self._not_held(item_code)))
            return None
        if not category_code:
            errors.append(RowError(number, "category_code", _("This field is required.")))
            return None
        category_key = code_key(category_code)
        category = self.category(category_code)
        category_name = cells["category_name"]
        if category is None and category_key not in self.new_categories and category_name is None:
            errors.append(
                RowError(
                    number, "category_name", _("Category %(code)s is new: give its name.", code=category_code)
                )
            )
        if cells["item_name"] is None:
            errors.append(
                RowError(number, "item_name", _("Item %(code)s is new: give its name.", code=item_code))
            )
        if len(errors) > before:
            return None
        if category is None:
            code, _first = self.new_categories.setdefault(category_key, (category_code, number))
            category_code = code
        self.taken[key] = number
        self.new_items[key] = (category_key, number)
        return Row(
            category_code=category.code if category is not None else category_code,
            category_name=category.name if category is not None else category_name,
            item_code=item_code,
            item_key=key,
            item_name=cells["item_name"],
            method=cells["method"],
            parameters=cells["parameters"],
            item_id=None,
        )

    def _not_held(self, code: str) -> str:
        if self.kind == Kind.REDUCTION:
            return _(
                "%(lab)s does not hold %(code)s: only items held can be given up.",
                lab=self.lab.code,
                code=code,
            )
        return _(
            "%(lab)s does not hold %(code)s: a change concerns items held.", lab=self.lab.code, code=code
        )

    def _check_scope(self, number: int, item: TestItem, errors: list[RowError]) -> None:
        since = self.held_since(item.id)
        if self.kind in NEW_ITEM_KINDS and since is not None:
            errors.append(
                RowError(
                    number,
                    "item_code",
                    _(
                        "%(lab)s already holds %(code)s (since %(date)s).",
                        lab=self.lab.code,
                        code=item.code,
                        date=since.isoformat(),
                    ),
                )
            )
        elif self.kind in HELD_ITEM_KINDS and since is None:
            errors.append(RowError(number, "item_code", self._not_held(item.code)))


def check_rows(matcher: Matcher, rows: Iterable[tuple[int, dict[str, Any]]], upload: bool = False) -> Checked:
    """Every row checked; numbered as given (a file's rows as a spreadsheet shows them)."""
    checked = Checked()
    for number, raw in rows:
        row = matcher.check(number, raw, checked.errors, upload=upload)
        if row is not None:
            checked.rows.append((number, row))
    return checked


def field_errors(errors: list[RowError]) -> dict[str, list[str]]:
    """One entered item's errors by field (its row number is meaningless to the user)."""
    out: dict[str, list[str]] = {}
    for e in errors:
        out.setdefault(e.column or "item_code", []).append(e.message)
    return out


def row_messages(errors: list[RowError]) -> list[str]:
    """A file's errors as lines "row N, column: message", in row order."""
    ordered = sorted(errors, key=lambda e: (e.row, e.column or ""))
    return [
        _("Row %(row)s, %(column)s: %(message)s", row=e.row, column=e.column, message=e.message)
        if e.column
        else _("Row %(row)s: %(message)s", row=e.row, message=e.message)
        for e in ordered
    ]
