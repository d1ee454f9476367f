"""Scope import and export in DESIGN's format: streaming, all or nothing, every row error listed.

Pass 1 reads the file once, checks every row and keeps five integers per row (lab, item, grant,
withdrawal, row) in compact columns; a row made only of texts already seen in good rows is taken
without parsing it again. Overlaps (inside the file and against the database) are found by one
sort. Pass 2 writes from what pass 1 kept (`labtrack.scope.bulk`): DB-API executemany, or COPY on
PostgreSQL, on the session's connection and in its transaction. The import is recorded once
(`ScopeImport`, with its history row); each period names it and its row rather than having a
history row of its own. A national load on PostgreSQL checks its foreign keys once, set-based.
"""

from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

import numpy as np
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, select, update

from labtrack.extensions import db
from labtrack.history.tracking import record_bulk, record_bulk_copy
from labtrack.labs.models import Lab
from labtrack.models_base import utcnow
from labtrack.scope import bulk, policy
from labtrack.scope.import_check import HEADER, OPEN, Checker, read_rows, sha256_of
from labtrack.scope.models import Basis, ScopeEntry, ScopeImport, TestCategory, TestItem, WithdrawalReason
from labtrack.services import Forbidden, transaction
from labtrack.tabular import RowError, TabularError

__all__ = ["HEADER", "ImportReport", "export_rows", "import_scope"]

BATCH = 5000
NEW, UNCHANGED, WITHDRAWAL = 0, 1, 2
SAMPLE = 200  # how many changes of each kind a preview lists


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    rows: int = 0
    new_categories: list[dict] = field(default_factory=list)
    new_items: list[dict] = field(default_factory=list)
    new_periods: int = 0
    withdrawals: int = 0
    unchanged: int = 0
    new_period_sample: list[dict] = field(default_factory=list)
    withdrawal_sample: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False
    import_id: int | None = None  # the ScopeImport an applied import recorded
    sha256: str | None = None

    @property
    def ok(self) -> bool:
        """No row error."""
        return not self.errors

    def as_dict(self) -> dict:
        """JSON-ready."""
        return {
            "rows": self.rows,
            "applied": self.applied,
            "import_id": self.import_id,
            "sha256": self.sha256,
            "new_categories": self.new_categories,
            "new_items": self.new_items,
            "new_periods": self.new_periods,
            "withdrawals": self.withdrawals,
            "unchanged": self.unchanged,
            "new_period_sample": self.new_period_sample,
            "withdrawal_sample": self.withdrawal_sample,
            "errors": [e.as_dict() for e in self.errors],
        }

    def summary(self) -> str:
        """One line for the command and flash messages."""
        return _(
            "%(rows)s rows: %(cats)s new categories, %(items)s new items, %(periods)s new periods, "
            "%(withdrawals)s withdrawals, %(unchanged)s unchanged.",
            rows=self.rows,
            cats=len(self.new_categories),
            items=len(self.new_items),
            periods=self.new_periods,
            withdrawals=self.withdrawals,
            unchanged=self.unchanged,
        )


def _database_periods(lab_ids: np.ndarray) -> tuple[np.ndarray, ...]:
    """Periods already recorded for the labs of the file, as arrays (id, lab, item, g, w)."""
    cols = [array("i") for _ in range(5)]  # four bytes a value: a national re-import reads millions
    ids = [int(x) for x in lab_ids]
    for start in range(0, len(ids), 500):
        stmt = select(
            ScopeEntry.id,
            ScopeEntry.lab_id,
            ScopeEntry.item_id,
            ScopeEntry.granted_on,
            ScopeEntry.withdrawn_on,
        ).where(ScopeEntry.lab_id.in_(ids[start : start + 500]))
        for entry_id, lab_id, item_id, g, w in db.session.execute(stmt.execution_options(yield_per=20000)):
            cols[0].append(entry_id)
            cols[1].append(lab_id)
            cols[2].append(item_id)
            cols[3].append(g.toordinal())
            cols[4].append(w.toordinal() if w else OPEN)
    return tuple(np.frombuffer(c, dtype=np.int32).copy() if len(c) else np.zeros(0, np.int32) for c in cols)


def _fmt(ordinal: int) -> str:
    return _("still held") if ordinal == OPEN else date.fromordinal(int(ordinal)).isoformat()


def _classify(checker: Checker, report: ImportReport) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Status of each file row (new, unchanged, withdrawal), its basis, and the DB ids it updates."""
    p = checker.periods
    lab, item, g, w, rows = p.get("lab"), p.get("item"), p.get("g"), p.get("w"), p.get("row")
    n = len(lab)
    status = np.full(n, NEW, dtype=np.int8)
    target = np.zeros(n, dtype=np.int64)
    d_id, d_lab, d_item, d_g, d_w = _database_periods(np.unique(lab)) if n else (np.zeros(0, np.int32),) * 5
    keep_db = np.ones(len(d_id), dtype=bool)
    if len(d_id) and n:
        # Same lab, item and grant date as a recorded period: the same period (unchanged, or now withdrawn).
        key_db = d_lab.astype(np.int64) * 10**13 + d_item.astype(np.int64) * 10**7 + d_g
        key_file = lab.astype(np.int64) * 10**13 + np.where(item > 0, item, 0).astype(np.int64) * 10**7 + g
        order = np.argsort(key_db, kind="stable")
        pos = np.searchsorted(key_db[order], key_file)
        pos = np.clip(pos, 0, len(order) - 1)
        hit = (key_db[order][pos] == key_file) & (item > 0)
        index = np.nonzero(hit)[0]
        j = order[pos[index]]
        same_end, was_open = d_w[j] == w[index], d_w[j] == OPEN
        status[index[same_end]] = UNCHANGED
        now_withdrawn = ~same_end & was_open
        status[index[now_withdrawn]] = WITHDRAWAL
        target[index[now_withdrawn]] = d_id[j[now_withdrawn]]
        for i, k in zip(index[~same_end & ~was_open], j[~same_end & ~was_open], strict=True):
            checker.error(
                int(rows[i]),
                "withdrawn_on",
                _(
                    "This period is recorded as withdrawn on %(d)s; the file says %(f)s.",
                    d=_fmt(d_w[k]),
                    f=_fmt(w[i]),
                ),
            )
        keep_db[j] = False
    # Overlaps: sort file and database periods together by lab, item, grant; compare neighbours.
    all_lab = np.concatenate([lab, d_lab[keep_db]])
    all_item = np.concatenate([item, d_item[keep_db]])
    all_g = np.concatenate([g, d_g[keep_db]])
    all_w = np.concatenate([w, d_w[keep_db]])
    all_row = np.concatenate([rows, np.zeros(int(keep_db.sum()), dtype=np.int32)])
    order = np.lexsort((all_w, all_g, all_item, all_lab))
    s_lab, s_item, s_g, s_w, s_row = (a[order] for a in (all_lab, all_item, all_g, all_w, all_row))
    same = (s_lab[1:] == s_lab[:-1]) & (s_item[1:] == s_item[:-1])
    # The running end of the earlier periods of the pair (a long period may cover several later ones).
    overlap = same & (s_g[1:] < s_w[:-1])
    for k in np.nonzero(overlap)[0]:
        earlier, later = k, k + 1
        row = int(s_row[later]) or int(s_row[earlier])
        if not row:
            continue  # two recorded periods: not this file's doing
        other = int(s_row[earlier]) if s_row[later] else int(s_row[later])
        where = _("row %(row)s", row=other) if other else _("the database")
        checker.error(
            row,
            "granted_on",
            _(
                "Overlaps the period %(g)s to %(w)s of the same laboratory and item (%(where)s).",
                g=_fmt(s_g[earlier]),
                w=_fmt(s_w[earlier]),
                where=where,
            ),
        )
    # Basis: a later period of the same pair is a re-assessment; the lab's first grant is initial.
    basis = np.full(len(order), 1, dtype=np.int8)  # 0 initial, 1 extension, 2 reassessment
    if len(order):
        basis[1:][same] = 2
        labs, inverse = np.unique(s_lab, return_inverse=True)
        first = np.full(len(labs), OPEN, dtype=np.int32)
        np.minimum.at(first, inverse, s_g)
        basis[(s_g == first[inverse]) & (basis != 2)] = 0
    file_basis = np.empty(n, dtype=np.int8)
    in_file = order < n
    file_basis[order[in_file]] = basis[in_file]
    return status, file_basis, target


PROGRESS_ROWS = 5000  # how often a running import reports the rows it has read

BASES = [Basis.INITIAL.value, Basis.EXTENSION.value, Basis.REASSESSMENT.value]


def import_scope(
    source: str | Path | IO[bytes],
    actor: Any = None,
    dry_run: bool = False,
    comment: str | None = None,
    max_bytes: int | None = None,
    progress: Any = None,
    filename: str | None = None,
) -> ImportReport:
    """Check a scope file and, unless a dry run or any row is wrong, apply it in one transaction.

    An applied import is recorded once (`ScopeImport`: the file's SHA-256 and name, rows, counts,
    who, when; its history row), and each period it grants names it and its row.
    `progress(rows_read)`, when given, is called every PROGRESS_ROWS rows (a job's progress bar).
    """
    if not policy.may_import(actor):
        raise Forbidden(_("You may not import scope."))
    if max_bytes is None:
        max_bytes = current_app.config.get("MAX_IMPORT_BYTES")
    if not isinstance(source, str | Path | bytes):
        # A small upload or test stream: keep its bytes (files on disk are read twice instead).
        source = source.read(max_bytes + 1 if max_bytes else -1)
    report = ImportReport()
    checker = Checker()
    check = checker.check_values
    rows = 0
    try:
        for row, values in read_rows(source, max_bytes, as_lists=True):
            rows += 1
            check(row, values)
            if progress is not None and rows % PROGRESS_ROWS == 0:
                progress(rows)
    except TabularError as exc:
        report.rows = rows
        report.errors = checker.errors + exc.errors
        return report
    report.rows = rows
    if report.rows == 0:
        report.errors = [RowError(2, None, _("The file has a header but no rows."))]
        return report
    status, basis, target = _classify(checker, report)
    report.errors = sorted(checker.errors, key=lambda e: (e.row, e.column or ""))
    report.new_categories = [
        {k: v for k, v in c.items() if k != "row"} for c in checker.new_categories.values()
    ]
    report.new_items = [
        {k: v for k, v in i.items() if k not in ("row", "key", "category_key")}
        for i in checker.new_items.values()
    ]
    if report.errors:
        return report
    report.new_periods = int((status == NEW).sum())
    report.withdrawals = int((status == WITHDRAWAL).sum())
    report.unchanged = int((status == UNCHANGED).sum())
    if dry_run:
        _samples(source, max_bytes, status, report)
        return report
    with transaction(actor, comment):
        record = _record(source, filename, report, actor, comment)
        _apply(checker, status, basis, target, comment, record.id)
    report.applied = True
    report.import_id = record.id
    report.sha256 = record.sha256
    return report


def _samples(source, max_bytes, status, report: ImportReport) -> None:
    """A few of the new periods and withdrawals, for the preview."""
    wanted = NEW, WITHDRAWAL
    counts = {NEW: 0, WITHDRAWAL: 0}
    needed = {NEW: min(SAMPLE, report.new_periods), WITHDRAWAL: min(SAMPLE, report.withdrawals)}
    rows = read_rows(source, max_bytes)
    for index, (_row, cells) in enumerate(rows):
        kind = int(status[index])
        if kind in wanted and counts[kind] < SAMPLE:
            counts[kind] += 1
            sample = {
                k: cells[k] for k in ("lab_code", "item_code", "item_name", "granted_on", "withdrawn_on")
            }
            (report.new_period_sample if kind == NEW else report.withdrawal_sample).append(sample)
        if counts[NEW] >= needed[NEW] and counts[WITHDRAWAL] >= needed[WITHDRAWAL]:
            break  # enough to show: do not read the rest of a large file
    rows.close()


def _file_name(source: Any, given: str | None) -> str | None:
    """The name an import's file goes by: the one given (an upload's), else the path's."""
    if not given and isinstance(source, str | Path):
        given = Path(source).name
    return given[-200:] if given else None


def _record(source: Any, filename: str | None, report: ImportReport, actor: Any, comment) -> ScopeImport:
    """The import's own record (its history row written with it, by the ORM)."""
    record = ScopeImport(
        sha256=sha256_of(source),
        filename=_file_name(source, filename),
        rows=report.rows,
        new_periods=report.new_periods,
        withdrawals=report.withdrawals,
        unchanged=report.unchanged,
        new_categories=len(report.new_categories),
        new_items=len(report.new_items),
        comment=(comment or "")[:2000] or None,
        user_id=getattr(actor, "id", None),
        username=getattr(actor, "username", None),
    )
    db.session.add(record)
    db.session.flush()
    return record


def _apply(checker: Checker, status, basis, target, comment, import_id: int) -> None:
    """Pass 2, from what pass 1 kept (the file is not read again): categories and items (a history
    row each), the new periods in bulk (each naming the import and its row: no history row of its
    own), then the withdrawals (a history row each)."""
    session = db.session
    comment = comment or _("scope import")
    now = utcnow()
    cats = list(checker.new_categories.items())
    cat_rows = [{"code": c["code"], "name": c["name"], "created_at": now} for _key, c in cats]
    for (key, c), new_id in zip(cats, bulk.insert_returning(TestCategory.__table__, cat_rows), strict=True):
        checker.categories[key] = (new_id, c["code"])
    record_bulk(
        session,
        "test_categories",
        [
            (checker.categories[key][0], "insert", {"code": [None, c["code"]], "name": [None, c["name"]]})
            for key, c in cats
        ],
        comment,
    )
    items = list(checker.new_items.values())
    item_rows = [
        {
            "code": i["code"],
            "name": i["name"],
            "category_id": checker.categories[i["category_key"]][0],
            "method": i["method"],
            "parameters": i["parameters"],
            "created_at": now,
        }
        for i in items
    ]
    item_ids = bulk.insert_returning(TestItem.__table__, item_rows)
    record_bulk(
        session,
        "test_items",
        [
            (new_id, "insert", {k: [None, v] for k, v in r.items() if v is not None and k != "created_at"})
            for new_id, r in zip(item_ids, item_rows, strict=True)
        ],
        comment,
    )
    p = checker.periods
    lab, item, g, w, row = (p.get(n) for n in ("lab", "item", "g", "w", "row"))
    if item_ids:  # the n-th new item of the file was kept as -(n + 1): now it has its id
        item = item.astype(np.int64)
        fresh = item < 0
        item[fresh] = np.array(item_ids, dtype=np.int64)[-item[fresh] - 1]
    new = status == NEW
    threshold = current_app.config.get("SCOPE_IMPORT_BULK_CHECK_ROWS", 50_000)
    with bulk.foreign_keys_checked_once(session, ScopeEntry.__table__, int(new.sum()), threshold):
        bulk.write_periods(
            session,
            bulk.Periods(
                lab=lab[new],
                item=item[new],
                granted=g[new],
                withdrawn=w[new],
                basis=basis[new],
                row=row[new],
                open_end=OPEN,
                bases=BASES,
                reduction=WithdrawalReason.REDUCTION.value,
                created_at=now,
                import_id=import_id,
            ),
            BATCH,
        )
    gone = status == WITHDRAWAL
    withdrawals = [
        {"entry_id": int(entry_id), "w": date.fromordinal(int(end))}
        for entry_id, end in zip(target[gone], w[gone], strict=True)
    ]
    if withdrawals:
        table = ScopeEntry.__table__
        session.execute(
            update(table)
            .where(table.c.id == bindparam("entry_id"))
            .values(withdrawn_on=bindparam("w"), withdrawal_reason=WithdrawalReason.REDUCTION.value),
            withdrawals,
        )
        entries = [
            (
                x["entry_id"],
                "update",
                {
                    "withdrawn_on": [None, x["w"].isoformat()],
                    "withdrawal_reason": [None, WithdrawalReason.REDUCTION.value],
                },
            )
            for x in withdrawals
        ]
        if bulk.copy_connection(session) is None:
            record_bulk(session, "scope_entries", entries, comment)
        else:
            with bulk.sqlalchemy_errors("COPY history_entries"):
                record_bulk_copy(session, "scope_entries", entries, comment)


# --- Export (the same format) ---


def export_rows(lab_id: int | None = None) -> Iterator[tuple]:
    """Every period (of one lab, or everyone's) as rows of the import format, streamed."""
    stmt = (
        select(
            Lab.code,
            TestCategory.code,
            TestCategory.name,
            TestItem.code,
            TestItem.name,
            TestItem.method,
            TestItem.parameters,
            ScopeEntry.granted_on,
            ScopeEntry.withdrawn_on,
        )
        .select_from(ScopeEntry)
        .join(Lab, ScopeEntry.lab_id == Lab.id)
        .join(TestItem, ScopeEntry.item_id == TestItem.id)
        .join(TestCategory, TestItem.category_id == TestCategory.id)
        .order_by(Lab.code, TestCategory.code, TestItem.code, ScopeEntry.granted_on)
    )
    if lab_id is not None:
        stmt = stmt.where(ScopeEntry.lab_id == lab_id)
    for row in db.session.execute(stmt.execution_options(yield_per=5000)):
        yield tuple(row)
