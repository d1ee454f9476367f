"""Reading and writing CSV and XLSX tables: streaming, strict headers, errors by row and column."""

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from flask import Response
from flask_babel import gettext as _

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class RowError:
    """One problem in an input file; rows are numbered as a spreadsheet shows them."""

    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """For JSON answers."""
        return {"row": self.row, "column": self.column, "message": self.message}


class TabularError(Exception):
    """The file cannot be read as the expected table; `errors` lists every problem found."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors[:20]))
        self.errors = errors


def _fail(message: str, row: int = 1, column: str | None = None) -> TabularError:
    return TabularError([RowError(row, column, message)])


def sniff_format(head: bytes, filename: str = "") -> str:
    """'xlsx' or 'csv' from the file's first bytes (not its name); TabularError otherwise."""
    if not head:
        raise _fail(_("The file is empty."))
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if (
        head.startswith((b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8"))
        or b"\x00" in head[:4096]
    ):
        raise _fail(_("The file is neither CSV nor XLSX."))
    try:
        head[:4096].decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the 4096-byte boundary is fine; anything else is not UTF-8.
        if exc.start < len(head[:4096]) - 4:
            raise _fail(_("The file is neither CSV nor XLSX (CSV must be UTF-8).")) from exc
    return "csv"


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check_header(found: list[str], expected: list[str]) -> None:
    found = [h.strip().lstrip("\ufeff") for h in found]
    while found and found[-1] == "":
        found.pop()
    if found != expected:
        raise _fail(
            _(
                "The header must be exactly: %(expected)s (found: %(found)s).",
                expected=",".join(expected),
                found=",".join(found) or _("nothing"),
            )
        )


@dataclass(frozen=True)
class Limits:
    """How much of a file is read at most: rows (header included), columns, and for XLSX the
    uncompressed size of its parts and their compression ratio (decompression bombs)."""

    rows: int
    columns: int
    uncompressed: int
    ratio: int = 100

    @classmethod
    def from_config(cls, max_rows: int | None = None) -> "Limits":
        from flask import current_app, has_app_context

        config = current_app.config if has_app_context() else {}
        return cls(
            rows=max_rows or config.get("TABLE_MAX_ROWS", 100_000),
            columns=config.get("TABLE_MAX_COLUMNS", 200),
            uncompressed=config.get("TABLE_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024),
        )


def _too_many_rows(limits: Limits, row: int) -> TabularError:
    return _refused(_fail(_("The file has more than %(n)s rows.", n=f"{limits.rows - 1:,}"), row=row))


def _refused(error: TabularError) -> TabularError:
    """A file refused for its size goes to the security log too (who sent it, from where)."""
    from flask import has_app_context

    if has_app_context():
        from flask import has_request_context
        from flask_login import current_user

        from labtrack.auth import security

        user = (
            current_user
            if has_request_context() and getattr(current_user, "is_authenticated", False)
            else None
        )
        security.record(security.Kind.UPLOAD_REFUSED, "refused", user=user, detail=str(error)[:500])
    return error


def check_file(content: bytes, max_rows: int | None = None) -> None:
    """Refuse at once (TabularError) an XLSX beyond the limits, before it is stored or queued for a
    background job (any other problem is the reader's to report, row by row)."""
    if content.startswith(b"PK\x03\x04"):
        check_xlsx_archive(io.BytesIO(content), Limits.from_config(max_rows))


def check_xlsx_archive(stream: IO[bytes], limits: Limits) -> None:
    """Refuse an XLSX whose parts would unpack larger than the limit, or unpack from far smaller
    than any spreadsheet does (a decompression bomb), before anything is decompressed."""
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _fail(_("The file is neither CSV nor XLSX.")) from exc
    finally:
        stream.seek(0)
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > 1024 * 1024 and member.file_size > limits.ratio * max(member.compress_size, 1):
            raise _refused(
                _fail(_("The file unpacks to far more than it holds (a compressed bomb); it was not read."))
            )
    if total > limits.uncompressed or len(members) > 1000:
        raise _refused(
            _fail(
                _(
                    "The file unpacks to more than %(mb)s MB; split it or send it as CSV.",
                    mb=limits.uncompressed // (1024 * 1024),
                )
            )
        )


def _csv_rows(stream: IO[bytes], expected: list[str], limits: Limits) -> Iterator[tuple[int, list[str]]]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
        _check_header(header, expected)
    except StopIteration:
        text.detach()
        raise _fail(_("The file is empty.")) from None
    except (csv.Error, UnicodeDecodeError) as exc:
        text.detach()
        raise _fail(_("The file cannot be read as CSV: %(error)s", error=str(exc))) from exc
    except TabularError:
        text.detach()
        raise
    width = len(expected)
    try:
        for number, values in enumerate(reader, start=2):
            if number > limits.rows:
                raise _too_many_rows(limits, number)
            if len(values) > limits.columns:
                raise _fail(_("More values than columns in the header."), row=number)
            if not any(v.strip() for v in values):
                continue
            if len(values) > width and any(v.strip() for v in values[width:]):
                raise _fail(_("More values than columns in the header."), row=number)
            if len(values) != width:
                values = (values + [""] * width)[:width]
            yield number, [v.strip() for v in values]
    except (csv.Error, UnicodeDecodeError) as exc:
        raise _fail(
            _("The file cannot be read as CSV: %(error)s", error=str(exc)), row=reader.line_num
        ) from exc
    finally:
        text.detach()  # the caller owns the byte stream: do not let the wrapper close it


def _xlsx_rows(stream: IO[bytes], expected: list[str], limits: Limits) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_xlsx_archive(stream, limits)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _fail(_("The file is neither CSV nor XLSX.")) from exc
    try:
        sheet = workbook.worksheets[0]
        # Read lazily and never past the limits: openpyxl fills gaps between row numbers and
        # cells with empty ones, so a sparse sheet must not make it fill millions.
        rows = sheet.iter_rows(max_row=limits.rows + 1, max_col=limits.columns)
        try:
            header = [_cell_text(c.value) for c in next(rows)]
        except StopIteration:
            raise _fail(_("The file is empty.")) from None
        _check_header(header, expected)
        width = len(expected)
        for number, cells in enumerate(rows, start=2):
            if number > limits.rows:
                raise _too_many_rows(limits, number)
            values = []
            for index, cell in enumerate(cells):
                if getattr(cell, "data_type", None) == "f" or (
                    isinstance(cell.value, str) and cell.value.startswith("=")
                ):
                    column = expected[index] if index < width else None
                    raise _fail(_("Formulas are not accepted; enter the value."), row=number, column=column)
                values.append(_cell_text(cell.value))
            if not any(values):
                continue
            if len(values) > width and any(values[width:]):
                raise _fail(_("More values than columns in the header."), row=number)
            yield number, (values + [""] * width)[:width]
    finally:
        workbook.close()


def read_table(
    source: str | Path | IO[bytes],
    expected: list[str],
    max_bytes: int | None = None,
    max_rows: int | None = None,
    as_lists: bool = False,
) -> Iterator[tuple[int, Any]]:
    """Yield (row number, {column: text}) from a CSV or XLSX file, streaming; header checked first.
    With `as_lists`, each row is its list of texts in the header's order instead (a large import
    reads faster without a dict per row).

    Never reads more than the limits (`Limits.from_config`: TABLE_MAX_ROWS or `max_rows`, header
    row included; TABLE_MAX_COLUMNS; for XLSX TABLE_MAX_UNCOMPRESSED_BYTES and a compression ratio
    checked before anything is unpacked): past one, a TabularError naming the limit.
    """
    limits = Limits.from_config(max_rows)
    stream: IO[bytes] = open(source, "rb") if isinstance(source, str | Path) else source  # noqa: SIM115
    try:
        if max_bytes is not None:
            stream.seek(0, io.SEEK_END)
            size = stream.tell()
            stream.seek(0)
            if size > max_bytes:
                raise _fail(_("The file is larger than %(mb)s MB.", mb=max_bytes // (1024 * 1024)))
        head = stream.read(8192)
        stream.seek(0)
        kind = sniff_format(head)
        rows = _xlsx_rows(stream, expected, limits) if kind == "xlsx" else _csv_rows(stream, expected, limits)
        if as_lists:
            yield from rows
        else:
            for number, values in rows:
                yield number, dict(zip(expected, values, strict=True))
    finally:
        if isinstance(source, str | Path):
            stream.close()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _safe(value: Any) -> Any:
    """Keep spreadsheet programs from running a text cell as a formula (CSV/formula injection,
    OWASP): a text starting with = + - @, a tab, a line break or their full-width forms gets a
    leading apostrophe. Numbers stay numbers (a negative number is not text)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _xlsx_cell(value: Any) -> Any:
    """A value an XLSX cell can hold: no formula, and no control character (which openpyxl refuses,
    and which older records may still hold)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = _safe(_cell_text(value)) if isinstance(value, date) else _safe(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _csv_value(value: Any) -> Any:
    """A CSV cell: dates as ISO text, line breaks as "\n" (so the field is quoted), defused."""
    if isinstance(value, date):
        value = _cell_text(value)
    if isinstance(value, str) and "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _safe(value)


def csv_bytes(header: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """A UTF-8 CSV file (with BOM so spreadsheet programs read Chinese correctly)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else _csv_value(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(header: list[str], rows: Iterable[Iterable[Any]], title: str = "data") -> bytes:
    """An XLSX workbook with one sheet, written in streaming mode."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "data")
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_response(fmt: str, basename: str, header: list[str], rows: Iterable[Iterable[Any]]) -> Response:
    """A download of the table as CSV or XLSX (400 for any other format)."""
    from flask import abort

    if fmt == "csv":
        body, mimetype = csv_bytes(header, rows), CSV_MIMETYPE
    elif fmt == "xlsx":
        body, mimetype = xlsx_bytes(header, rows, basename), XLSX_MIMETYPE
    else:
        abort(400)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{basename}.{fmt}"'
    _log_export(f"{basename}.{fmt}")
    return response


def _log_export(name: str) -> None:
    """Exports of data go to the security log (who took which table, from where)."""
    from flask import has_request_context
    from flask_login import current_user

    from labtrack.auth import security

    if has_request_context():
        user = current_user if getattr(current_user, "is_authenticated", False) else None
        security.record(security.Kind.EXPORT, user=user, detail=name)
