"""Uploaded tables: decompression bombs and oversized sheets refused before they are read;
exports defuse every cell a spreadsheet could run as a formula."""

import csv
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from labtrack import tabular
from labtrack.tabular import Limits, TabularError, csv_bytes, read_table, xlsx_bytes

HEADER = ["code", "name"]


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _bomb(sheet_xml: bytes) -> bytes:
    """A real workbook whose first sheet is replaced by the given XML (deflated)."""
    good = zipfile.ZipFile(io.BytesIO(_xlsx([])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in good.infolist():
            data = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else good.read(item.filename)
            archive.writestr(item.filename, data)
    return out.getvalue()


class Spy(io.BytesIO):
    """A file that counts the bytes read from it."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.consumed = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk


def _sheet(rows_xml: bytes) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c></row>'
        + rows_xml
        + b"</sheetData></worksheet>"
    )


def test_a_compressed_bomb_is_refused_from_the_zip_directory(app):
    # 1.5 million rows: ~40 MB of XML in a file of well under 1 MB.
    rows = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 1_500_000
    data = _bomb(_sheet(rows))
    assert len(data) < 1_000_000
    spy = Spy(data)
    with pytest.raises(TabularError) as caught:
        list(read_table(spy, HEADER))
    assert "bomb" in str(caught.value) or "unpacks to more than" in str(caught.value)
    # Refused from the archive's directory: far less than the file read, nothing unpacked.
    assert spy.consumed < len(data)


def test_uncompressed_size_limit(app):
    app.config["TABLE_MAX_UNCOMPRESSED_BYTES"] = 1024 * 1024
    rows = [[f"C{n:06d}", f"random name {n * 7919 % 100003} {n}"] for n in range(40_000)]
    with pytest.raises(TabularError, match="unpacks to more than 1 MB"):
        list(read_table(io.BytesIO(_xlsx(rows)), HEADER))


def test_a_sparse_sheet_does_not_make_the_reader_fill_millions_of_rows(app):
    # One cell on row 5,000,000: openpyxl would fill the gap with empty rows.
    data = _bomb(_sheet(b'<row r="5000000"><c r="A5000000" t="inlineStr"><is><t>x</t></is></c></row>'))
    app.config["TABLE_MAX_ROWS"] = 1000
    seen = []
    with pytest.raises(TabularError) as caught:
        for number, _row in read_table(io.BytesIO(data), HEADER):
            seen.append(number)
    assert caught.value.errors[0].row == 1001
    assert "more than 999 rows" in caught.value.errors[0].message
    assert seen == []


def test_row_limit_xlsx_and_csv(app):
    rows = [[f"C{n}", "x"] for n in range(10)]
    assert len(list(read_table(io.BytesIO(_xlsx(rows)), HEADER, max_rows=11))) == 10
    with pytest.raises(TabularError, match="more than 9 rows"):
        list(read_table(io.BytesIO(_xlsx(rows)), HEADER, max_rows=10))
    text = "code,name\n" + "".join(f"C{n},x\n" for n in range(10))
    assert len(list(read_table(io.BytesIO(text.encode()), HEADER, max_rows=11))) == 10
    with pytest.raises(TabularError) as caught:
        list(read_table(io.BytesIO(text.encode()), HEADER, max_rows=10))
    assert caught.value.errors[0].row == 11


def test_column_limit(app):
    app.config["TABLE_MAX_COLUMNS"] = 5
    text = "code,name\nC1,x" + "," * 50 + "\n"
    with pytest.raises(TabularError, match="More values than columns"):
        list(read_table(io.BytesIO(text.encode()), HEADER))
    wide = _bomb(_sheet(b'<row r="2"><c r="XFD2" t="inlineStr"><is><t>far</t></is></c></row>'))
    # Cells beyond the limit are not even produced: the row reads as empty.
    assert list(read_table(io.BytesIO(wide), HEADER)) == []


def test_limits_come_from_the_configuration(app):
    app.config.update(TABLE_MAX_ROWS=7, TABLE_MAX_COLUMNS=3, TABLE_MAX_UNCOMPRESSED_BYTES=99)
    assert Limits.from_config() == Limits(rows=7, columns=3, uncompressed=99)
    assert Limits.from_config(50).rows == 50


DANGEROUS = ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "\uff1dcmd|' /C calc'!A0"]


def test_csv_export_defuses_every_formula_start():
    body = csv_bytes(["v"], [[v] for v in DANGEROUS] + [["plain"], [-5], [1.5]]).decode("utf-8-sig")
    values = [row[0] for row in csv.reader(io.StringIO(body, newline=""))][1:]
    # (a carriage return is written as a line break, inside quotes)
    assert values[: len(DANGEROUS)] == ["'" + v.replace("\r", "\n") for v in DANGEROUS]
    assert values[len(DANGEROUS) :] == ["plain", "-5", "1.5"]  # numbers are numbers


def test_xlsx_export_defuses_every_formula_start():
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["v"], [[v] for v in DANGEROUS] + [[-5]]))).active
    values = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(v, str) and v.startswith("'") for v in values[: len(DANGEROUS)])
    assert values[-1] == -5
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_a_formula_start_in_a_cell_that_is_not_first_is_left_alone():
    assert tabular._safe("a=b") == "a=b" and tabular._safe("") == ""
