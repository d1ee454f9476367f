"""Entering a round's results: by form, JSON or a CSV / XLSX file, all or nothing."""

import math
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.models_base import utcnow
from labtrack.proficiency.models import Result, Round, RoundStatus
from labtrack.services import Conflict, Forbidden, InvalidInput, act_as, commit
from labtrack.tabular import RowError, TabularError, read_table

RESULT_HEADER = ["lab_code", "value", "expanded_uncertainty", "coverage_factor", "method"]


class ResultsRefused(InvalidInput):
    """Some rows are wrong; `row_errors` lists each (index or row number, field, message)."""

    def __init__(self, message: str, row_errors: list[tuple[int, str, str]], first_row: int = 0):
        self.row_errors = row_errors
        errors: dict[str, Any] = {}
        for index, field, text in row_errors:
            errors.setdefault(str(index), {}).setdefault(field, []).append(text)
        super().__init__(message, errors)
        self.first_row = first_row


def _float(raw: Any, field: str, problems: list, index: int, *, required: bool, check) -> float | None:
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if required:
            problems.append((index, field, _("A value is required.")))
        return None
    if isinstance(raw, bool):
        problems.append((index, field, _("%(value)s is not a number.", value=raw)))
        return None
    try:
        number = float(str(raw).strip().replace(",", ".")) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        problems.append((index, field, _("%(value)s is not a number.", value=raw)))
        return None
    if not math.isfinite(number):
        problems.append((index, field, _("%(value)s is not a finite number.", value=raw)))
        return None
    message = check(number)
    if message:
        problems.append((index, field, message))
        return None
    return number


def _check_state(rnd: Round, actor: Any) -> None:
    if rnd.status != RoundStatus.OPEN:
        raise Conflict(
            _(
                "Results can be entered only while the round is open (it is %(status)s).",
                status=rnd.status_label,
            ),
            {"status": [rnd.status]},
        )
    if getattr(actor, "role", None) == Role.LAB_MANAGER and actor.lab_id not in {
        p.lab_id for p in rnd.participants
    }:
        raise Forbidden(_("Your laboratory is not invited to this round."))


def validate_rows(rnd: Round, rows: list[tuple[int, dict[str, Any]]], actor: Any) -> list[dict]:
    """Check every row (numbering given by the caller); ResultsRefused listing all problems, or clean rows."""
    participants = {p.lab.code: p for p in rnd.participants}
    reported = set(db.session.scalars(select(Result.lab_id).where(Result.round_id == rnd.id)))
    own_only = getattr(actor, "role", None) == Role.LAB_MANAGER
    problems: list[tuple[int, str, str]] = []
    seen: dict[str, int] = {}
    clean = []
    for index, row in rows:
        if not isinstance(row, dict):
            problems.append((index, "row", _("Each result must be an object.")))
            continue
        code = str(row.get("lab_code") or "").strip()
        participant = participants.get(code)
        if not code:
            problems.append((index, "lab_code", _("A laboratory code is required.")))
        elif participant is None:
            problems.append((index, "lab_code", _("%(code)s is not invited to this round.", code=code)))
        elif own_only and participant.lab_id != actor.lab_id:
            problems.append((index, "lab_code", _("You may enter results only for your own laboratory.")))
        elif participant.lab_id in reported:
            problems.append((index, "lab_code", _("%(code)s has already reported a result.", code=code)))
        elif code in seen:
            problems.append(
                (
                    index,
                    "lab_code",
                    _("%(code)s appears twice (also at %(other)s).", code=code, other=seen[code]),
                )
            )
        if code and code not in seen:
            seen[code] = index
        value = _float(row.get("value"), "value", problems, index, required=True, check=lambda v: None)
        U = _float(
            row.get("expanded_uncertainty"), "expanded_uncertainty", problems, index, required=False,
            check=lambda v: _("The expanded uncertainty must not be negative.") if v < 0 else None,
        )  # fmt: skip
        k = _float(
            row.get("coverage_factor"), "coverage_factor", problems, index, required=False,
            check=lambda v: _("The coverage factor must be greater than 0.") if v <= 0 else None,
        )  # fmt: skip
        method = row.get("method")
        method = str(method).strip() if method not in (None, "") else None
        if method and len(method) > 200:
            problems.append((index, "method", _("At most 200 characters.")))
        if participant is not None:
            clean.append({"participant": participant, "value": value, "U": U, "k": k, "method": method})
    if problems:
        raise ResultsRefused(_("No result was saved: %(n)s problem(s) found.", n=len(problems)), problems)
    return clean


def _store(rnd: Round, clean: list[dict], actor: Any) -> list[Result]:
    now = utcnow()
    results = [
        Result(
            round_id=rnd.id,
            participant_id=row["participant"].id,
            lab_id=row["participant"].lab_id,
            value=row["value"],
            expanded_uncertainty=row["U"],
            coverage_factor=row["k"],
            method=row["method"],
            submitted_at=now,
            submitted_by_id=getattr(actor, "id", None),
        )  # fmt: skip
        for row in clean
    ]
    act_as(actor)
    db.session.add_all(results)
    commit()
    return results


def submit_results(rnd: Round, rows: list[dict[str, Any]], actor: Any) -> list[Result]:
    """Store results from a list (API, form): all of them, or none with every problem named."""
    _check_state(rnd, actor)
    if not isinstance(rows, list) or not rows:
        raise InvalidInput(
            _("Send a non-empty list of results."), {"results": [_("A non-empty list is required.")]}
        )
    return _store(rnd, validate_rows(rnd, list(enumerate(rows)), actor), actor)


def import_results(rnd: Round, source: str | IO[bytes], actor: Any) -> list[Result]:
    """Store results from a CSV or XLSX file (header lab_code,value,...): all rows or none."""
    _check_state(rnd, actor)
    max_bytes = current_app.config.get("MAX_IMPORT_BYTES")
    try:
        rows = list(read_table(source, RESULT_HEADER, max_bytes=max_bytes))
    except TabularError as exc:
        raise ResultsRefused(
            _("The file was not imported."), [(e.row, e.column or "file", e.message) for e in exc.errors]
        ) from exc
    if not rows:
        raise ResultsRefused(_("The file was not imported."), [(2, "file", _("The file has no results."))])
    return _store(rnd, validate_rows(rnd, rows, actor), actor)


def row_errors(exc: ResultsRefused) -> list[RowError]:
    """The refusal as spreadsheet row errors (for the upload page)."""
    return [
        RowError(index, None if field == "file" else field, message)
        for index, field, message in exc.row_errors
    ]


def delete_result(rnd: Round, result: Result, actor: Any) -> None:
    """Withdraw a result while the round is open (a lab manager only its own lab's)."""
    _check_state(rnd, actor)
    if getattr(actor, "role", None) == Role.LAB_MANAGER and result.lab_id != actor.lab_id:
        raise Forbidden(_("You may withdraw only your own laboratory's result."))
    act_as(actor)
    db.session.delete(result)
    commit()
