"""Pass 1 of the scope import: the file read once, every row parsed (with the forms' parsers) and
checked, what a good row says kept as five integers (lab, item, grant, withdrawal, row).

A row made only of texts already seen in rows that passed every check (the lab code, the six
catalogue cells, each date) is taken without parsing it again: each check reads only its own cells,
and a good catalogue answer never turns bad later in the file, so the row is good.
"""

import hashlib
import io
from array import array
from collections.abc import Iterator
from datetime import date
from typing import IO, Any

import numpy as np
from flask_babel import gettext as _
from sqlalchemy import select

from labtrack import parsing
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.parsing import code_key
from labtrack.scope import values
from labtrack.scope.models import TestCategory, TestItem
from labtrack.tabular import RowError, read_table

HEADER = [
    "lab_code",
    "category_code",
    "category_name",
    "item_code",
    "item_name",
    "method",
    "parameters",
    "granted_on",
    "withdrawn_on",
]
OPEN = date.max.toordinal()  # "still held" in the integer arrays


class Columns:
    """Growable int32 columns (four bytes per value instead of a Python tuple per row)."""

    def __init__(self, names: tuple[str, ...]):
        self.names = names
        self.data = {n: array("i") for n in names}

    @property
    def size(self) -> int:
        return len(self.data[self.names[0]])

    def appender(self) -> Any:
        """`append(*values)`: one value per column, in the columns' order."""
        appends = [self.data[n].append for n in self.names]

        def append(*values: int) -> None:
            for add, value in zip(appends, values, strict=True):
                add(value)

        return append

    def get(self, name: str) -> np.ndarray:
        return np.frombuffer(self.data[name], dtype=np.int32).copy() if self.size else np.zeros(0, np.int32)


class _Borrowed(io.RawIOBase):
    """A file seen through a raw stream we may drop: the reader's wrappers may close it, we close the file."""

    def __init__(self, stream: IO[bytes]):
        self.stream = stream

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        return self.stream.readinto(buffer)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.stream.seek(offset, whence)

    def tell(self) -> int:
        return self.stream.tell()


# A national import holds ~500,000 periods; more rows than this is not a scope file.
MAX_ROWS = 1_000_000


def read_rows(source: Any, max_bytes: int | None, as_lists: bool = False) -> Iterator[tuple[int, Any]]:
    """A new stream for each pass (the CSV reader closes the one it is given), closed when done."""
    if isinstance(source, bytes):
        yield from read_table(
            io.BytesIO(source), HEADER, max_bytes=max_bytes, max_rows=MAX_ROWS, as_lists=as_lists
        )
        return
    with open(source, "rb", buffering=0) as stream:
        yield from read_table(
            io.BufferedReader(_Borrowed(stream), 1 << 16),
            HEADER,
            max_bytes=max_bytes,
            max_rows=MAX_ROWS,
            as_lists=as_lists,
        )


def sha256_of(source: Any) -> str:
    """The SHA-256 of the file (the key the shared file store keeps it under)."""
    if isinstance(source, bytes):
        return hashlib.sha256(source).hexdigest()
    with open(source, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


_NO_VALUE = object()
CACHE_MAX = 200_000  # distinct (column, text) pairs whose parse is remembered


class Checker:
    """Pass 1: every row parsed (with `labtrack.parsing`, as the forms and the API parse) and
    checked; catalogue additions and periods collected. Codes are matched as codes compare
    (`parsing.code_key`: case and width folded), so 'pb-1' in a file is the catalogue's 'PB-1'."""

    PARSERS = {
        "lab_code": (values.code, {}),
        "category_code": (values.code, {}),
        "category_name": (values.category_name, {"required": False}),
        "item_code": (values.code, {}),
        "item_name": (values.item_name, {"required": False}),
        "method": (values.method, {}),
        "parameters": (values.parameters, {}),
        "granted_on": (parsing.day, {}),
        "withdrawn_on": (parsing.day, {"required": False}),
    }

    def __init__(self) -> None:
        self.labs = {key: ident for key, ident in db.session.execute(select(Lab.code_key, Lab.id))}
        self.categories = {
            key: (ident, code)
            for key, ident, code in db.session.execute(
                select(TestCategory.code_key, TestCategory.id, TestCategory.code)
            )
        }
        self.items = {
            key: (item_id, category_id)
            for key, item_id, category_id in db.session.execute(
                select(TestItem.code_key, TestItem.id, TestItem.category_id)
            )
        }
        self.category_key_of = {ident: key for key, (ident, _code) in self.categories.items()}
        self.new_categories: dict[str, dict] = {}  # by code key
        self.new_items: dict[str, dict] = {}  # by code key
        self.errors: list[RowError] = []
        self.periods = Columns(("lab", "item", "g", "w", "row"))
        self._append = self.periods.appender()
        self.item_codes: list[str] = []  # index -> code for new items (key -(index + 1))
        self._cache: dict[tuple[str, str], tuple[Any, str | None]] = {}
        # What the raw texts of rows that passed every check came to: a row made only of texts
        # seen in good rows is good (each check reads its own cells, and a good catalogue answer
        # never turns bad later in the file), so it is taken without parsing it again.
        self._good_lab: dict[str, int] = {}
        self._good_item: dict[tuple[str, ...], int] = {}
        self._good_day: dict[str, int] = {}
        self._good_end: dict[str, int] = {"": OPEN}

    def error(self, row: int, column: str | None, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def parse(self, row: int, column: str, text: str) -> Any:
        """The clean value of a cell, or _NO_VALUE (with the error noted against the row)."""
        hit = self._cache.get((column, text))
        if hit is None:
            parser, kwargs = self.PARSERS[column]
            try:
                hit = (parser(text, **kwargs), None)
            except parsing.ParseError as exc:
                hit = (_NO_VALUE, str(exc.message))
            if len(self._cache) < CACHE_MAX:
                self._cache[(column, text)] = hit
        if hit[1] is not None:
            self.error(row, column, hit[1])
        return hit[0]

    def category_key(self, row: int, cells: dict[str, Any]) -> str | None:
        """The code key of the row's category (known, or new with its name), or None."""
        category_code = cells["category_code"]
        if category_code is _NO_VALUE:
            return None
        key = code_key(category_code)
        if key in self.categories or key in self.new_categories:
            return key
        name = cells["category_name"]
        if name is None:
            self.error(
                row, "category_name", _("Category %(code)s is new: give its name.", code=category_code)
            )
            return None
        if name is _NO_VALUE:
            return None
        self.new_categories[key] = {"code": category_code, "name": name, "row": row}
        return key

    def item_key(self, row: int, cells: dict[str, Any], category: str | None) -> int | None:
        """The row's item: a catalogue id, or -(n + 1) for the n-th new item of the file."""
        item_code = cells["item_code"]
        if item_code is _NO_VALUE or category is None:
            return None
        key = code_key(item_code)
        if key in self.items:
            item_id, category_id = self.items[key]
            if self.category_key_of.get(category_id) != category:
                known = self.categories.get(self.category_key_of.get(category_id), (None, None))[1]
                self.error(
                    row,
                    "category_code",
                    _("Item %(item)s belongs to category %(cat)s.", item=item_code, cat=known),
                )
                return None
            return item_id
        known = self.new_items.get(key)
        if known is not None:
            if known["category_key"] != category:
                self.error(
                    row,
                    "category_code",
                    _(
                        "Item %(item)s was given category %(cat)s on row %(row)s.",
                        item=item_code,
                        cat=known["category_code"],
                        row=known["row"],
                    ),
                )
                return None
            return known["key"]
        name = cells["item_name"]
        if name is None:
            self.error(row, "item_name", _("Item %(code)s is new: give its name.", code=item_code))
            return None
        if name is _NO_VALUE or cells["method"] is _NO_VALUE or cells["parameters"] is _NO_VALUE:
            return None
        new_key = -(len(self.item_codes) + 1)
        self.item_codes.append(item_code)
        self.new_items[key] = {
            "code": item_code,
            "name": name,
            "category_code": self._category_code(category),
            "category_key": category,
            "method": cells["method"],
            "parameters": cells["parameters"],
            "row": row,
            "key": new_key,
        }
        return new_key

    def _category_code(self, key: str) -> str:
        if key in self.categories:
            return self.categories[key][1]
        return self.new_categories[key]["code"]

    def check_values(self, row: int, values: list[str]) -> None:
        """Check one row given as its texts in HEADER's order: at once when every part of it was
        seen in a good row, else `check` (and what a good row's texts came to is remembered)."""
        lab = self._good_lab.get(values[0])
        item = self._good_item.get(tuple(values[1:7]))
        granted = self._good_day.get(values[7])
        withdrawn = self._good_end.get(values[8])
        if None not in (lab, item, granted, withdrawn) and withdrawn > granted:
            self._append(lab, item, granted, withdrawn, row)
            return
        errors = len(self.errors)
        size = self.periods.size
        self.check(row, dict(zip(HEADER, values, strict=True)))
        if len(self.errors) == errors and self.periods.size > size and len(self._good_item) < CACHE_MAX:
            data = self.periods.data
            self._good_lab[values[0]] = data["lab"][-1]
            self._good_item[tuple(values[1:7])] = data["item"][-1]
            self._good_day[values[7]] = data["g"][-1]
            if values[8]:
                self._good_end[values[8]] = data["w"][-1]

    def check(self, row: int, raw: dict[str, str]) -> None:
        cells = {column: self.parse(row, column, raw[column]) for column in HEADER}
        lab_id = None
        if cells["lab_code"] is not _NO_VALUE:
            lab_id = self.labs.get(code_key(cells["lab_code"]))
            if lab_id is None:
                self.error(row, "lab_code", _("Unknown laboratory %(code)s.", code=cells["lab_code"]))
        granted, withdrawn = cells["granted_on"], cells["withdrawn_on"]
        if granted is not _NO_VALUE and withdrawn not in (None, _NO_VALUE) and withdrawn <= granted:
            self.error(
                row,
                "withdrawn_on",
                _(
                    "The withdrawal (%(w)s) must come after the grant (%(g)s).",
                    w=withdrawn.isoformat(),
                    g=granted.isoformat(),
                ),
            )
            return
        key = self.item_key(row, cells, self.category_key(row, cells))
        if lab_id is None or key is None or granted is _NO_VALUE or withdrawn is _NO_VALUE:
            return
        self._append(lab_id, key, granted.toordinal(), withdrawn.toordinal() if withdrawn else OPEN, row)
