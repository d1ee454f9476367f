"""Scope import: all or nothing, every row error by row and column, dry run, export round trip."""

import hashlib
import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import Text, cast, func, select, text
from sqlalchemy.exc import IntegrityError

from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.history.tracking import record_bulk, record_bulk_copy
from labtrack.scope import bulk, importer
from labtrack.scope.growth import growth
from labtrack.scope.importer import HEADER, export_rows, import_scope
from labtrack.scope.models import ScopeEntry, ScopeImport, TestCategory, TestItem
from labtrack.services import Conflict
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
    content = csv_file(*GOOD).getvalue()
    report = import_scope(io.BytesIO(content), filename="全省范围.csv", comment="2010 年度")
    assert report.ok and report.applied
    assert (report.rows, report.new_periods, len(report.new_categories), len(report.new_items)) == (
        4,
        4,
        2,
        3,
    )
    assert count(ScopeEntry) == 4 and count(TestItem) == 3 and count(TestCategory) == 2
    entry = db.session.scalar(select(ScopeEntry).where(ScopeEntry.withdrawn_on.is_not(None)))
    assert entry.withdrawn_on == date(2010, 6, 1) and entry.withdrawal_reason == "reduction"
    # L2's first grant is initial; L1's 2010 item came later: an extension.
    bases = dict(db.session.execute(select(ScopeEntry.granted_on, ScopeEntry.basis)).all())
    assert bases[date(2009, 1, 5)] == "initial" and bases[date(2010, 3, 1)] == "extension"
    # The import is recorded once: the file's SHA-256, name, rows and counts, and one history row.
    record = db.session.get(ScopeImport, report.import_id)
    assert record.sha256 == hashlib.sha256(content).hexdigest() == report.sha256
    assert (record.filename, record.rows, record.new_periods, record.new_categories, record.new_items) == (
        "全省范围.csv",
        4,
        4,
        2,
        3,
    )
    assert (record.withdrawals, record.unchanged, record.comment) == (0, 0, "2010 年度")
    history = db.session.execute(select(HistoryEntry.table_name, HistoryEntry.record_id)).all()
    assert ("scope_imports", record.id) in history
    assert not [h for h in history if h[0] == "scope_entries"]  # no history row per period
    # Each period names the import and the row of the file it came from (the header is row 1).
    by_row = dict(db.session.execute(select(ScopeEntry.import_row, ScopeEntry.import_id)).all())
    assert by_row == {2: record.id, 3: record.id, 4: record.id, 5: record.id}
    lead = db.session.scalar(select(ScopeEntry).where(ScopeEntry.import_row == 5))
    assert (lead.lab.code, lead.item.code, lead.granted_on) == ("L2", "I001", date(2010, 2, 1))


def test_reimport_is_unchanged_and_withdrawal_is_applied(app, labs):
    import_scope(csv_file(*GOOD))
    again = import_scope(csv_file(*GOOD[:3], "L2,C01,食品,I001,铅,GB 5009.12-2017,3,2010-02-01,2011-01-01"))
    assert again.ok and (again.unchanged, again.withdrawals, again.new_periods) == (3, 1, 0)
    assert db.session.scalar(select(ScopeEntry.withdrawn_on).where(ScopeEntry.lab_id == labs[1].id)) == date(
        2011, 1, 1
    )


def test_dry_run_writes_nothing(app, labs):
    report = import_scope(csv_file(*GOOD), dry_run=True)
    assert report.ok and not report.applied and report.new_periods == 4
    assert report.new_period_sample[0]["item_code"] == "I001"
    assert count(ScopeEntry) == 0 and count(TestItem) == 0


def test_every_bad_row_is_reported_and_nothing_written(app, labs):
    report = import_scope(
        csv_file(
            "L1,C01,食品,I001,铅,GB 5009.12-2017,3,2009-01-05,",
            "XX,C01,食品,I002,镉,,2,2009-01-05,",  # unknown lab
            "L1,C01,食品,I003,砷,,x,2009-13-05,",  # bad parameters and date
            "L1,C01,食品,I004,汞,,1,2010-05-01,2010-01-01",  # withdrawn before granted
            "L1,C01,食品,I001,铅,,3,2009-06-01,",  # overlaps row 2
            "L1,C09,,I005,锡,,1,2010-01-01,",  # new category without a name
        )
    )
    assert not report.ok and not report.applied
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (3, "lab_code"),
        (4, "parameters"),
        (4, "granted_on"),
        (5, "withdrawn_on"),
        (6, "granted_on"),
        (7, "category_name"),
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


# --- PostgreSQL: periods and history loaded with COPY (the Core path elsewhere) ---

TRICKY_COMMENT = '导入 \t制表符 \\ 反斜杠\n第二行 \\N "引号"'


def on_postgresql(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def uses_copy(app) -> bool:
    """Whether the importer takes the COPY path here (PostgreSQL) or the Core path (SQLite)."""
    return bulk.copy_connection(db.session) is not None


def snapshot() -> tuple[list, list]:
    """Every period and its history rows as stored, ids replaced by their rank (the JSON as stored
    text), and the imports' history rows (their record ids left out: each run has its own)."""
    entries = db.session.execute(
        select(
            ScopeEntry.id,
            ScopeEntry.lab_id,
            ScopeEntry.item_id,
            ScopeEntry.granted_on,
            ScopeEntry.withdrawn_on,
            ScopeEntry.basis,
            ScopeEntry.withdrawal_reason,
            ScopeEntry.note,
            ScopeEntry.import_row,
        ).order_by(ScopeEntry.id)
    ).all()
    rank = {row[0]: n for n, row in enumerate(entries)}
    history = db.session.execute(
        select(
            HistoryEntry.table_name,
            HistoryEntry.record_id,
            HistoryEntry.action,
            cast(HistoryEntry.changes, Text),
            HistoryEntry.changes,
            HistoryEntry.comment,
            HistoryEntry.user_id,
            HistoryEntry.username,
        )
        .where(HistoryEntry.table_name.in_(["scope_entries", "scope_imports"]))
        .order_by(HistoryEntry.id)
    ).all()
    rows = []
    for table, record_id, action, stored, parsed, *rest in history:
        if table == "scope_entries":
            rows.append((table, rank[record_id], action, stored, parsed, *rest))
        else:  # an import's: what it says of the file and its counts (not its id or moment)
            said = {k: parsed[k][1] for k in ("sha256", "rows", "new_periods", "withdrawals", "unchanged")}
            rows.append((table, None, action, None, said, *rest))
    return [tuple(r[1:]) for r in entries], rows


def clear_scope() -> None:
    db.session.execute(ScopeEntry.__table__.delete())
    db.session.execute(ScopeImport.__table__.delete())
    db.session.execute(
        HistoryEntry.__table__.delete().where(HistoryEntry.table_name.in_(["scope_entries", "scope_imports"]))
    )
    db.session.commit()


SECOND = [  # after GOOD: one withdrawal, one unchanged, new periods (a re-assessment among them)
    "L1,C01,食品,I001,铅,GB 5009.12-2017,3,2009-01-05,2011-07-01",
    "L1,C01,食品,I002,镉,GB 5009.15-2014,2,2009-01-05,2010-06-01",
    "L1,C01,食品,I002,镉,GB 5009.15-2014,2,2011-01-01,",
    "L2,C02,纺织品,I003,甲醛,GB/T 2912.1-2009,1,2012-02-29,2012-12-31",
]


def test_copy_path_writes_the_same_rows_and_history_as_the_core_path(app, labs, make_user, monkeypatch):
    actor = make_user("admin", username="质量员-张")
    import_scope(csv_file(GOOD[0]))  # the catalogue stays, so both runs use the same item ids
    import_scope(csv_file(*GOOD))
    clear_scope()
    runs = []
    for path in ("core", "copy"):
        with monkeypatch.context() as m:
            if path == "core":
                m.setattr(bulk, "copy_connection", lambda session: None)
            assert import_scope(csv_file(*GOOD), actor=actor, comment=TRICKY_COMMENT).applied
            second = import_scope(csv_file(*SECOND), actor=actor, comment=TRICKY_COMMENT)
            assert second.applied and (second.withdrawals, second.unchanged, second.new_periods) == (1, 1, 2)
        runs.append(snapshot())
        clear_scope()
    assert uses_copy(app) == on_postgresql(app)
    assert runs[0] == runs[1]
    entries, history = runs[1]
    l1, l2 = labs[0].id, labs[1].id
    item = dict(db.session.execute(select(TestItem.code, TestItem.id)).all())
    assert entries == [  # the last column: the row of the file each period came from
        (l1, item["I001"], date(2009, 1, 5), date(2011, 7, 1), "initial", "reduction", None, 2),
        (l1, item["I002"], date(2009, 1, 5), date(2010, 6, 1), "initial", "reduction", None, 3),
        (l1, item["I003"], date(2010, 3, 1), None, "extension", None, None, 4),
        (l2, item["I001"], date(2010, 2, 1), None, "initial", None, None, 5),
        (l1, item["I002"], date(2011, 1, 1), None, "reassessment", None, None, 4),
        (l2, item["I003"], date(2012, 2, 29), date(2012, 12, 31), "extension", "reduction", None, 5),
    ]
    first, second = (hashlib.sha256(csv_file(*rows).getvalue()).hexdigest() for rows in (GOOD, SECOND))
    # One history row per import, and one per withdrawal of a recorded period (the first period).
    assert [(table, rank, action, parsed) for table, rank, action, _text, parsed, *_ in history] == [
        (
            "scope_imports",
            None,
            "insert",
            {"sha256": first, "rows": 4, "new_periods": 4, "withdrawals": 0, "unchanged": 0},
        ),
        (
            "scope_imports",
            None,
            "insert",
            {"sha256": second, "rows": 4, "new_periods": 2, "withdrawals": 1, "unchanged": 1},
        ),
        (
            "scope_entries",
            0,
            "update",
            {"withdrawn_on": [None, "2011-07-01"], "withdrawal_reason": [None, "reduction"]},
        ),
    ]
    assert {row[5:] for row in history} == {(TRICKY_COMMENT, actor.id, "质量员-张")}


def test_record_bulk_copy_stores_what_record_bulk_stores(app, make_user):
    if not on_postgresql(app):
        with pytest.raises(RuntimeError):
            record_bulk_copy(db.session, "test_items", [(1, "insert", {"a": [None, 1]})])
        return
    actor = make_user("admin", username="检查员")
    db.session.info["actor"] = actor
    entries = [
        (
            1,
            "insert",
            {
                "name": [None, '铅（Pb）\t"总量" \\ 反斜杠\n换行'],
                "method": [None, None],
                "granted_on": [None, date(2010, 11, 11).isoformat()],
                "parameters": [None, 3],
            },
        ),
        (
            2,
            "update",
            {"name": ["旧名", "新名 ☃"], "ratio": [0.5, 1e-7], "flags": [[True, False], {"嵌套": None}]},
        ),
        (3, "delete", {}),
    ]
    record_bulk(db.session, "test_items", entries, comment=TRICKY_COMMENT)
    record_bulk_copy(db.session, "test_items", entries, comment=TRICKY_COMMENT)
    db.session.commit()
    rows = db.session.execute(
        select(
            HistoryEntry.table_name,
            HistoryEntry.record_id,
            HistoryEntry.action,
            cast(HistoryEntry.changes, Text),
            HistoryEntry.changes,
            HistoryEntry.comment,
            HistoryEntry.user_id,
            HistoryEntry.username,
            HistoryEntry.at,
        )
        .where(HistoryEntry.table_name == "test_items")
        .order_by(HistoryEntry.id)
    ).all()
    assert len(rows) == 6
    assert [r[:8] for r in rows[:3]] == [r[:8] for r in rows[3:]]
    assert [r[4] for r in rows[3:]] == [e[2] for e in entries]
    assert all(r[8] is not None and r[8].tzinfo is None for r in rows)


def _large_file(n: int) -> io.BytesIO:
    return csv_file(
        *(f"L1,C01,食品,I{k:04d},项目 {k},,1,2010-01-{1 + k % 28:02d},2011-01-01" for k in range(n))
    )


def test_failure_late_in_a_large_file_leaves_the_database_unchanged(app, labs, monkeypatch):
    import_scope(csv_file(*GOOD))
    before = (
        count(ScopeEntry),
        count(ScopeImport),
        count(TestItem),
        count(TestCategory),
        count(HistoryEntry),
        snapshot(),
    )
    last_id = db.session.scalar(select(func.max(ScopeEntry.id)))
    last_history = db.session.scalar(select(func.max(HistoryEntry.id)))
    # Pass 2 writes from what pass 1 kept (the file is not read twice, so it cannot change in
    # between). Corrupt one kept period late in the file: its withdrawal now comes before its grant,
    # which only the database's check constraint catches, after 19 batches were written.
    real_classify = importer._classify

    def classify(checker, report):
        result = real_classify(checker, report)
        periods = checker.periods
        periods.data["w"][1989] = periods.data["g"][1989] - 400
        return result

    batches = []
    real_values = bulk._values
    monkeypatch.setattr(bulk, "_values", lambda *a, **k: batches.append(a[3]) or real_values(*a, **k))
    monkeypatch.setattr(importer, "_classify", classify)
    monkeypatch.setattr(importer, "BATCH", 100)
    with pytest.raises(Conflict):  # the unit of work answers a constraint the database enforces with 409
        import_scope(_large_file(2000))
    assert len(batches) >= 20  # 19 batches of periods were written before the failing one
    assert (
        count(ScopeEntry),
        count(ScopeImport),
        count(TestItem),
        count(TestCategory),
        count(HistoryEntry),
        snapshot(),
    ) == before
    # The session is usable, and the next ORM insert gets a fresh id (and so does its history row).
    entry = ScopeEntry(
        lab_id=labs[1].id,
        item_id=db.session.scalar(select(TestItem.id).limit(1)),
        granted_on=date(2015, 1, 1),
    )
    db.session.add(entry)
    db.session.commit()
    assert entry.id > last_id
    assert db.session.scalar(select(func.max(HistoryEntry.id))) > last_history


def test_sequences_stay_right_after_a_copy_import(app, labs):
    history_before = count(HistoryEntry)  # the labs' own
    report = import_scope(_large_file(1200))
    assert report.applied and report.new_periods == 1200
    last_id = db.session.scalar(select(func.max(ScopeEntry.id)))
    # One category, 1,200 items and the import: the periods name the import, with no row each.
    assert count(ScopeEntry) == 1200 and count(HistoryEntry) == history_before + 1 + 1200 + 1
    entry = ScopeEntry(
        lab_id=labs[1].id,
        item_id=db.session.scalar(select(TestItem.id).limit(1)),
        granted_on=date(2015, 1, 1),
    )
    db.session.add(entry)
    db.session.commit()  # a Tracked insert: its history row is written by the ORM, ids from the sequences
    assert entry.id > last_id
    assert import_scope(csv_file("L2,C01,食品,I0001,项目 1,,1,2016-01-01,")).applied
    assert db.session.scalar(select(func.max(ScopeEntry.id))) > entry.id
    assert count(ScopeEntry) == 1202 and count(HistoryEntry) == history_before + 1 + 1200 + 1 + 1 + 1


# --- PostgreSQL: a large import checks its foreign keys once, set-based ---


def foreign_keys() -> set[str]:
    """The foreign keys scope_entries has in the database (PostgreSQL's catalogue)."""
    return set(
        db.session.execute(
            text(
                "SELECT conname FROM pg_constraint WHERE conrelid = 'scope_entries'::regclass AND contype = 'f'"
            )
        ).scalars()
    )


@pytest.fixture
def dropped(monkeypatch) -> list:
    """What each import's `_drop_keys` dropped (an empty list: it checked per row)."""
    calls: list = []
    real = bulk._drop_keys
    monkeypatch.setattr(bulk, "_drop_keys", lambda *a: calls.append(real(*a)) or calls[-1])
    return calls


def test_a_large_import_checks_its_keys_once_and_keeps_them(app, labs, dropped):
    app.config["SCOPE_IMPORT_BULK_CHECK_ROWS"] = 100
    assert import_scope(_large_file(99)).applied  # below the threshold: per row
    clear_scope()
    report = import_scope(_large_file(1000))
    assert report.applied and count(ScopeEntry) == 1000
    model_keys = {fk.name for fk in ScopeEntry.__table__.foreign_key_constraints}
    assert len(model_keys) == 3
    if not on_postgresql(app):
        assert dropped == [[], []]  # SQLite: nothing to drop
        return
    assert dropped[0] == [] and {fk.name for fk in dropped[1]} == model_keys
    assert foreign_keys() == model_keys  # added back, validated, in the same transaction
    with pytest.raises(IntegrityError):  # and enforced again
        db.session.execute(
            ScopeEntry.__table__.insert().values(lab_id=987654, item_id=1, granted_on=date(2020, 1, 1))
        )
    db.session.rollback()
    # A load that is small beside what is recorded is checked per row (the set-based check reads
    # the whole table).
    db.session.execute(text("ANALYZE scope_entries"))
    db.session.commit()
    assert import_scope(csv_file(*(f"L2,C01,食品,I{k:04d},项目 {k},,1,2012-01-01," for k in range(120))))
    assert dropped[-1] == [] and count(ScopeEntry) == 1120  # 120 beside 1,000 recorded


def test_a_row_the_added_key_refuses_rolls_the_whole_import_back(app, labs, monkeypatch, dropped):
    if not on_postgresql(app):
        pytest.skip("the set-based key check is PostgreSQL's")
    app.config["SCOPE_IMPORT_BULK_CHECK_ROWS"] = 100
    real_classify = importer._classify

    def classify(checker, report):  # a lab that is not there, which only the key can catch
        result = real_classify(checker, report)
        checker.periods.data["lab"][250] = 987654
        return result

    monkeypatch.setattr(importer, "_classify", classify)
    with pytest.raises(Conflict):
        import_scope(_large_file(300))
    assert dropped[0]  # the keys had been dropped for the load
    assert (count(ScopeEntry), count(ScopeImport), count(TestItem)) == (0, 0, 0)
    assert foreign_keys() == {fk.name for fk in ScopeEntry.__table__.foreign_key_constraints}


def test_a_busy_table_keeps_its_keys_and_is_checked_per_row(app, labs, monkeypatch, dropped):
    if not on_postgresql(app):
        pytest.skip("the set-based key check is PostgreSQL's")
    app.config["SCOPE_IMPORT_BULK_CHECK_ROWS"] = 100
    monkeypatch.setattr(bulk, "LOCK_WAIT", "200ms")
    with db.engine.connect() as reader:  # a long read of scope holds its lock: do not wait on it
        reader.execute(text("SELECT count(*) FROM scope_entries"))
        report = import_scope(_large_file(300))
        reader.rollback()
    assert report.applied and count(ScopeEntry) == 300
    assert dropped == [[]]
    assert foreign_keys() == {fk.name for fk in ScopeEntry.__table__.foreign_key_constraints}


def test_an_account_that_may_not_alter_the_table_keeps_its_keys(app, labs, monkeypatch, dropped, caplog):
    if not on_postgresql(app):
        pytest.skip("the set-based key check is PostgreSQL's")
    app.config["SCOPE_IMPORT_BULK_CHECK_ROWS"] = 100
    # Stand in for a refusal the test server (run by its owner) never gives: the DROP fails.
    monkeypatch.setattr(
        bulk, "DropConstraint", lambda fk: text(f"ALTER TABLE scope_entries DROP CONSTRAINT {fk.name}_x")
    )
    report = import_scope(_large_file(300))
    assert report.applied and count(ScopeEntry) == 300 and dropped == [[]]
    assert foreign_keys() == {fk.name for fk in ScopeEntry.__table__.foreign_key_constraints}
    assert "keeps its foreign keys, checked per row" in caplog.text
