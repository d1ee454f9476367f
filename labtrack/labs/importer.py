"""Importing laboratories from CSV or XLSX: every row checked, then all written or nothing.

Rows are parsed with the parsers the form, the API and the service use (`labtrack.labs.values`),
so the same codes, names and limits are accepted everywhere. A row whose code already exists (as
codes compare: case and width folded in every script) updates that lab's name, region and kind;
the stored code is kept, and its status, flags and certificates are left alone. New codes create
active labs.
"""

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from labtrack import parsing
from labtrack.extensions import db
from labtrack.labs import policy, values
from labtrack.labs.models import Lab, LabKind, LabStatus
from labtrack.parsing import code_key
from labtrack.services import Forbidden, transaction
from labtrack.tabular import RowError, TabularError, read_table

HEADER = ["code", "name", "region", "kind"]
PARSERS = {"code": values.lab_code, "name": values.lab_name, "region": values.region}
# English labels (and the Chinese words of the field notes) accepted beside the enum values.
_KIND_WORDS = {
    LabKind.TECHNICAL_CENTRE: ("Technical centre", "Technical center", "技术中心"),
    LabKind.REGIONAL_LAB: ("Regional laboratory", "Regional lab", "区域实验室"),
    LabKind.PRODUCT_QUALITY: ("Product quality inspection institute", "产品质量监督检验所", "产品质量检验所"),
    LabKind.METROLOGY: ("Metrology institute", "计量测试所", "计量院"),
    LabKind.FIBRE: ("Fibre inspection institute", "Fiber inspection institute", "纤维检验所"),
    LabKind.SPECIAL_EQUIPMENT: (
        "Special-equipment inspection institute",
        "Special equipment inspection institute",
        "特种设备检验所",
    ),
    LabKind.ENTERPRISE: ("Enterprise laboratory", "Enterprise lab", "企业实验室"),
    LabKind.THIRD_PARTY: ("Third-party laboratory", "Third-party lab", "第三方实验室"),
}
KIND_ALIASES: dict[str, LabKind] = {k.value: k for k in LabKind}
for _kind, _words in _KIND_WORDS.items():
    for _word in _words:
        KIND_ALIASES[_word.lower()] = _kind


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        """No row was refused."""
        return not self.errors

    def summary(self) -> str:
        """One line for the command line or a flash message."""
        if self.dry_run:
            return _(
                "Dry run: %(c)d to create, %(u)d to update, %(s)d unchanged; nothing written.",
                c=len(self.created),
                u=len(self.updated),
                s=len(self.unchanged),
            )
        return _(
            "Imported: %(c)d created, %(u)d updated, %(s)d unchanged.",
            c=len(self.created),
            u=len(self.updated),
            s=len(self.unchanged),
        )


def parse_kind(text: str) -> LabKind | None:
    """A kind from its value, its English label or its Chinese name; None if unknown."""
    return KIND_ALIASES.get(text.strip().lower()) if text else None


def _check_row(number: int, row: dict[str, str]) -> tuple[dict[str, Any] | None, list[RowError]]:
    errors = []
    data: dict[str, Any] = {}
    for column, parser in PARSERS.items():
        try:
            data[column] = parser(row[column])
        except parsing.ParseError as exc:
            errors.append(RowError(number, column, str(exc.message)))
    kind = None
    try:
        raw_kind = parsing.text(row["kind"], max_len=80, multiline=False)
    except parsing.ParseError as exc:
        errors.append(RowError(number, "kind", str(exc.message)))
    else:
        kind = parse_kind(raw_kind)
        if kind is None:
            known = ", ".join(k.value for k in LabKind)
            errors.append(
                RowError(
                    number,
                    "kind",
                    _("Unknown kind %(kind)s; use one of: %(known)s.", kind=raw_kind[:40], known=known),
                )
            )
    if errors:
        return None, errors
    return {**data, "kind": kind}, []


def _load(path: Path, limit: int | None) -> IO[bytes]:
    """The file's bytes in memory (bounded by the import limit).

    tabular's CSV reader leaves its text wrapper around a real file unclosed (a ResourceWarning);
    an in-memory stream avoids it until that is fixed there.
    """
    if limit is not None and path.stat().st_size > limit:
        raise TabularError(
            [RowError(1, None, _("The file is larger than %(mb)s MB.", mb=limit // (1024 * 1024)))]
        )
    return io.BytesIO(path.read_bytes())


def read_labs(source: str | Path | IO[bytes]) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    """Every valid row and every error of a file (duplicate codes in the file are errors too)."""
    rows: list[tuple[int, dict[str, Any]]] = []
    errors: list[RowError] = []
    first_row: dict[str, int] = {}
    limit = current_app.config.get("MAX_IMPORT_BYTES")
    try:
        if isinstance(source, str | Path):
            source = _load(Path(source), limit)
        for number, raw in read_table(source, HEADER, max_bytes=limit):
            data, row_errors = _check_row(number, raw)
            errors += row_errors
            if data is None:
                continue
            key = code_key(data["code"])
            if key in first_row:
                errors.append(
                    RowError(
                        number,
                        "code",
                        _(
                            "Code %(code)s already appears in row %(row)d.",
                            code=data["code"],
                            row=first_row[key],
                        ),
                    )
                )
                continue
            first_row[key] = number
            rows.append((number, data))
    except TabularError as exc:
        errors += exc.errors
    return rows, errors


def import_labs(source: str | Path | IO[bytes], actor: Any = None, dry_run: bool = False) -> ImportReport:
    """Create or update labs from a file; with any error (or a dry run) nothing is written."""
    if not policy.may_import(actor):
        raise Forbidden(_("You may not import laboratories."))
    report = ImportReport(dry_run=dry_run)
    rows, report.errors = read_labs(source)
    if not rows and not report.errors:
        report.errors.append(RowError(2, None, _("The file has no data rows.")))
    if report.errors:
        return report
    keys = [code_key(data["code"]) for _number, data in rows]
    existing = {lab.code_key: lab for lab in db.session.scalars(select(Lab))}
    with transaction(actor, comment="import-labs"):
        for key, (_number, data) in zip(keys, rows, strict=True):
            lab = existing.get(key)
            if lab is None:
                report.created.append(data["code"])
                if not dry_run:
                    db.session.add(Lab(status=LabStatus.ACTIVE, is_model_lab=False, **data))
                continue
            changed = {k: v for k, v in data.items() if k != "code" and getattr(lab, k) != v}
            (report.updated if changed else report.unchanged).append(lab.code)
            if not dry_run:
                for name, value in changed.items():
                    setattr(lab, name, value)
    return report
