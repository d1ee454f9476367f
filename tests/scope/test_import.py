"""Scope import: all or nothing, every row error by row and column, dry run, export round trip."""

import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.scope.growth import growth
from labtrack.scope.importer import HEADER, export_rows, import_scope
from labtrack.scope.models import ScopeEntry, TestCategory, TestItem
from labtrack.tabular import csv_bytes

H = ",".join(HEADER)


def csv_file(*lines: str) -> io.BytesIO:
    return io.BytesIO(("\n".join([H, *lines]) + "\n").encode())


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def labs(make_lab):
    return make_lab("L1", region="North"), make_lab("L2", region="South")


GOOD = [
    "L1,C01,食品,I001,铅,GB 5009.12-2017,3,2009-01-05,",
    "L1,C01,食品,I002,镉,GB 5009.15-2014,2,2009-01-05,2010-06-01",
    "L1,C02,纺织品,I003,甲醛,GB/T 2912.1-2009,1,2010-03-01,",
    "L2,C01,食品,I001,铅,GB 5009.12-2017,3,2010-02-01,",
]


def test_import_creates_catalogue_periods_and_history(app, labs):
    report = import_scope(csv_file(*GOOD))
    assert report.ok and report.applied
    assert (report.rows, report.new_periods, len(report.new_categories), len(report.new_items)) == (4, 4, 2, 3)
    assert count(ScopeEntry) == 4 and count(TestItem) == 3 and count(TestCategory) == 2
    entry = db.session.scalar(select(ScopeEntry).where(ScopeEntry.withdrawn_on.is_not(None)))
    assert entry.withdrawn_on == date(2010, 6, 1) and entry.withdrawal_reason == "reduction"
    history = db.session.scalar(
        select(func.count()).select_from(HistoryEntry).where(HistoryEntry.table_name == "scope_entries")
    )
    assert history == 4
    # L2's first grant is initial; L1's 2010 item came later: an extension.
    bases = dict(db.session.execute(select(ScopeEntry.granted_on, ScopeEntry.basis)).all())
    assert bases[date(2009, 1, 5)] == "initial" and bases[date(2010, 3, 1)] == "extension"


def test_reimport_is_unchanged_and_withdrawal_is_applied(app, labs):
    import_scope(csv_file(*GOOD))
    again = import_scope(csv_file(*GOOD[:3], "L2,C01,食品,I001,铅,GB 5009.12-2017,3,2010-02-01,2011-01-01"))
    assert again.ok and (again.unchanged, again.withdrawals, again.new_periods) == (3, 1, 0)
    assert db.session.scalar(select(ScopeEntry.withdrawn_on).where(ScopeEntry.lab_id == labs[1].id)) == date(2011, 1, 1)


def test_dry_run_writes_nothing(app, labs):
    report = import_scope(csv_file(*GOOD), dry_run=True)
    assert report.ok and not report.applied and report.new_periods == 4
    assert report.new_period_sample[0]["item_code"] == "I001"
    assert count(ScopeEntry) == 0 and count(TestItem) == 0


def test_every_bad_row_is_reported_and_nothing_written(app, labs):
    report = import_scope(csv_file(
        "L1,C01,食品,I001,铅,GB 5009.12-2017,3,2009-01-05,",
        "XX,C01,食品,I002,镉,,2,2009-01-05,",              # unknown lab
        "L1,C01,食品,I003,砷,,x,2009-13-05,",              # bad parameters and date
        "L1,C01,食品,I004,汞,,1,2010-05-01,2010-01-01",    # withdrawn before granted
        "L1,C01,食品,I001,铅,,3,2009-06-01,",              # overlaps row 2
        "L1,C09,,I005,锡,,1,2010-01-01,",                  # new category without a name
    ))
    assert not report.ok and not report.applied
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (3, "lab_code"), (4, "parameters"), (4, "granted_on"), (5, "withdrawn_on"),
        (6, "granted_on"), (7, "category_name"),
    }
    assert count(ScopeEntry) == 0 and count(TestCategory) == 0


def test_overlap_with_database_and_same_day_restart(app, labs):
    import_scope(csv_file("L1,C01,食品,I001,铅,,3,2009-01-05,2010-01-01"))
    ok = import_scope(csv_file("L1,C01,食品,I001,铅,,3,2010-01-01,"))  # starts the day the last ended
    assert ok.ok and ok.new_periods == 1
    bad = import_scope(csv_file("L1,C01,食品,I001,铅,,3,2009-06-01,2009-07-01"))
    assert [(e.row, e.column) for e in bad.errors] == [(2, "granted_on")]
    assert "database" in bad.errors[0].message
    assert count(ScopeEntry) == 2


def test_item_in_another_category_is_refused(app, labs):
    import_scope(csv_file(GOOD[0]))
    bad = import_scope(csv_file("L2,C02,纺织品,I001,铅,,3,2010-01-01,"))
    assert [(e.row, e.column) for e in bad.errors] == [(2, "category_code")]


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"", "empty"),
        (b"lab,item\nL1,I1\n", "header"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "neither"),
        (H.encode() + b"\n", "no rows"),
    ],
)
def test_bad_files_are_refused_with_row_one(app, labs, content, fragment):
    report = import_scope(io.BytesIO(content))
    assert not report.ok and report.errors[0].row in (1, 2)
    assert fragment in report.errors[0].message
    assert count(ScopeEntry) == 0


def test_oversized_file_is_refused(app, labs):
    report = import_scope(csv_file(*GOOD), max_bytes=100)
    assert not report.ok and "larger" in report.errors[0].message


def _xlsx(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_xlsx_import_and_formula_refused(app, labs):
    good = _xlsx([["L1", "C01", "食品", "I001", "铅", "GB 5009.12-2017", 3, date(2009, 1, 5), None]])
    assert import_scope(good).applied
    bad = _xlsx([["L2", "C01", "食品", "I001", "铅", "", "=1+2", "2009-01-05", None]])
    report = import_scope(bad)
    assert [(e.row, e.column) for e in report.errors] == [(2, "parameters")]


def test_export_then_import_into_empty_database_gives_the_same_scope(app, labs, make_lab):
    import_scope(csv_file(*GOOD))
    exported = csv_bytes(HEADER, export_rows())
    before = growth(date(2009, 12, 31), date(2010, 11, 11)).as_dict()
    db.session.execute(ScopeEntry.__table__.delete())
    db.session.execute(TestItem.__table__.delete())
    db.session.execute(TestCategory.__table__.delete())
    db.session.commit()
    report = import_scope(io.BytesIO(exported))
    assert report.ok and report.new_periods == 4
    assert growth(date(2009, 12, 31), date(2010, 11, 11)).as_dict() == before
    assert list(export_rows()) == list(export_rows())  # deterministic order
    assert csv_bytes(HEADER, export_rows()) == exported
