"""Entering a round's results: one by form, a list by JSON, or a CSV / XLSX file, all or nothing.

Values are parsed by `labtrack.parsing`; who may enter what is `policy.may_enter_result`. Two
submissions for the same lab at the same moment cannot both be stored: the database's unique
constraint refuses the second, which answers 409 Conflict with a message (nothing of it is saved).
"""

from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from labtrack import parsing
from labtrack.extensions import db
from labtrack.models_base import utcnow
from labtrack.proficiency import dispatch, policy
from labtrack.proficiency.models import Participant, Result, Round, RoundStatus
from labtrack.proficiency.qualitative import parse_answer
from labtrack.services import Conflict, Forbidden, InvalidInput, load, transaction
from labtrack.tabular import TabularError, read_table

RESULT_HEADER = ["lab_code", "value", "expanded_uncertainty", "coverage_factor", "method"]
QUALITATIVE_HEADER = ["lab_code", "answer", "method"]
SPLIT_LEVEL_HEADER = ["lab_code", "value", "value_b", "expanded_uncertainty", "coverage_factor", "method"]
ROWS_MAX = 10_000  # results in one submission (a round has at most a few hundred participants)
FIELDS = (*RESULT_HEADER, "answer", "value_b")


class ResultsRefused(InvalidInput):
    """Some rows are wrong; `row_errors` lists each (index or row number, field, message)."""

    def __init__(self, message: str, row_errors: list[tuple[int, str, str]], *, by_row: bool = False):
        self.row_errors = row_errors
        errors: dict[str, Any] = {}
        if by_row:  # a file: one list of "row 3, value: ..." lines, shown beside the file field
            errors["file"] = [_row_line(index, field, text) for index, field, text in row_errors]
        else:  # a JSON list: the errors of each entry under its index
            for index, field, text in row_errors:
                errors.setdefault(str(index), {}).setdefault(field, []).append(text)
        super().__init__(message, errors)


def _row_line(row: int, field: str, message: str) -> str:
    if field in ("file", "row"):
        return _("row %(row)s: %(message)s", row=row, message=message)
    return _("row %(row)s, %(column)s: %(message)s", row=row, column=field, message=message)


def _check_round(rnd: Round, actor: Any) -> None:
    """Conflict unless the round takes results now; Forbidden if the actor may enter none in it."""
    if rnd.status != RoundStatus.OPEN:
        raise Conflict(
            _(
                "Results can be entered only while the round is open (it is %(status)s).",
                status=rnd.status_label,
            )
        )
    if not any(policy.may_enter_result(actor, rnd, p.lab_id) for p in rnd.participants):
        raise Forbidden(_("You may not enter results in this round: your laboratory is not invited."))


def _parse_row(row: Any, rnd: Round) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """A row's values, parsed, and its field errors (a qualitative round takes an answer, no value)."""
    if not isinstance(row, dict):
        return {}, {"row": [_("Each result must be an object with lab_code and value.")]}
    fields = parsing.Fields(row)
    qualitative = rnd.is_qualitative
    values = {
        "lab_code": fields.get("lab_code", parsing.code),
        "value": None if qualitative else fields.get("value", parsing.number),
        # A split-level round needs both levels of every participant (value is level A).
        "value_b": fields.get("value_b", parsing.number) if rnd.split_level and not qualitative else None,
        "answer": fields.get("answer", lambda raw: parse_answer(rnd, raw)) if qualitative else None,
        "U": fields.get("expanded_uncertainty", parsing.number, required=False, minimum=0.0),
        "k": fields.get("coverage_factor", parsing.number, required=False, positive=True),
        "method": fields.get("method", parsing.name, required=False),
    }
    return values, fields.errors


def _validate(rnd: Round, rows: list[tuple[int, Any]], actor: Any) -> list[dict]:
    """Check every row (numbered by the caller); ResultsRefused listing every problem, or clean rows."""
    participants = {p.lab.code: p for p in rnd.participants}
    reported = set(db.session.scalars(select(Result.lab_id).where(Result.round_id == rnd.id)))
    problems: list[tuple[int, str, str]] = []
    seen: dict[str, int] = {}
    tracking = dispatch.tracks_receipt(rnd)
    clean = []
    for index, row in rows:
        values, errors = _parse_row(row, rnd)
        for field, messages in errors.items():
            problems.extend((index, field, m) for m in messages)
        code = values.get("lab_code")
        participant = participants.get(code) if code else None
        if code and participant is None:
            problems.append((index, "lab_code", _("%(code)s is not invited to this round.", code=code)))
        elif participant is not None and not policy.may_enter_result(actor, rnd, participant.lab_id):
            problems.append((index, "lab_code", _("You may enter results only for your own laboratory.")))
        elif participant is not None and (why := dispatch.refusal(participant, tracking)):
            problems.append((index, "lab_code", why))
        elif participant is not None and participant.lab_id in reported:
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
        if participant is not None and not errors:
            clean.append({**values, "participant": participant})
    if problems:
        raise ResultsRefused(_("No result was saved: %(n)s problem(s) found.", n=len(problems)), problems)
    return clean


def _store(rnd: Round, clean: list[dict], actor: Any) -> list[Result]:
    """Add the results in one unit of work; a concurrent submission for the same lab is a Conflict."""
    now = utcnow()
    try:
        with transaction(actor):
            results = [
                Result(
                    round_id=rnd.id,
                    participant_id=row["participant"].id,
                    lab_id=row["participant"].lab_id,
                    value=row["value"],
                    value_b=row["value_b"],
                    answer=row["answer"],
                    expanded_uncertainty=row["U"],
                    coverage_factor=row["k"],
                    method=row["method"],
                    submitted_at=now,
                    submitted_by_id=getattr(actor, "id", None),
                )  # fmt: skip
                for row in clean
            ]
            db.session.add_all(results)
            db.session.flush()
    except Conflict as exc:
        raise Conflict(
            _(
                "Another submission saved a result for the same laboratory a moment ago, so nothing of "
                "this one was saved. Reload the round to see it; withdraw that result first to replace it."
            )
        ) from exc.__cause__
    return results


def submit_results(rnd: Round, rows: Any, actor: Any) -> list[Result]:
    """Store a list of results (API, CLI): all of them, or none with each entry's problems by index."""
    _check_round(rnd, actor)
    if not isinstance(rows, list) or not rows:
        raise InvalidInput(
            _("Send a non-empty list of results."), {"results": [_("A non-empty list is required.")]}
        )
    if len(rows) > ROWS_MAX:
        raise InvalidInput(
            _("Too many results at once."), {"results": [_("At most %(n)d results.", n=ROWS_MAX)]}
        )
    return _store(rnd, _validate(rnd, list(enumerate(rows)), actor), actor)


def submit_result(rnd: Round, row: dict[str, Any], actor: Any) -> Result:
    """Store one lab's result (the form on the round's page); field errors name the form's fields."""
    _check_round(rnd, actor)
    try:
        clean = _validate(rnd, [(0, row)], actor)
    except ResultsRefused as exc:
        errors: dict[str, list[str]] = {}
        for _index, field, text in exc.row_errors:
            errors.setdefault(field, []).append(text)
        raise InvalidInput(_("The result was not saved."), errors) from None
    return _store(rnd, clean, actor)[0]


def import_results(rnd: Round, source: str | IO[bytes], actor: Any) -> list[Result]:
    """Store results from a CSV or XLSX file (header lab_code,value,...): every row or none, each
    problem named by its spreadsheet row (the header is row 1)."""
    _check_round(rnd, actor)
    if not policy.may_upload_results(actor, rnd):
        raise Forbidden(_("Enter your laboratory's result with the form; files are for the bureau's staff."))
    try:
        header = (
            QUALITATIVE_HEADER
            if rnd.is_qualitative
            else SPLIT_LEVEL_HEADER
            if rnd.split_level
            else RESULT_HEADER
        )
        rows = list(read_table(source, header, max_bytes=current_app.config.get("MAX_IMPORT_BYTES")))
    except TabularError as exc:
        raise ResultsRefused(
            _("The file was not imported."),
            [(e.row, e.column or "file", e.message) for e in exc.errors],
            by_row=True,
        ) from exc
    if not rows:
        raise ResultsRefused(
            _("The file was not imported."), [(2, "file", _("The file has no results."))], by_row=True
        )
    if len(rows) > ROWS_MAX:
        raise ResultsRefused(
            _("The file was not imported."), [(ROWS_MAX + 2, "file", _("At most %(n)d results.", n=ROWS_MAX))],
            by_row=True,
        )  # fmt: skip
    try:
        clean = _validate(rnd, rows, actor)
    except ResultsRefused as exc:
        raise ResultsRefused(_("The file was not imported."), exc.row_errors, by_row=True) from None
    return _store(rnd, clean, actor)


def start_upload(rnd: Round, upload: tuple[str, bytes] | None, actor: Any, locale: str = "en") -> Any:
    """Check that the actor may upload results to the round now, then import the file as a
    background job (returned: the page that started it follows its progress and outcome)."""
    from labtrack.jobs import service as jobs_service
    from labtrack.proficiency.tasks import UPLOAD_KIND

    _check_round(rnd, actor)
    if not policy.may_upload_results(actor, rnd):
        raise Forbidden(_("Enter your laboratory's result with the form; files are for the bureau's staff."))
    return jobs_service.start(actor, UPLOAD_KIND, {"code": rnd.code, "locale": locale}, upload)


def withdraw_result(rnd: Round, result_id: int, actor: Any) -> Result:
    """Withdraw a result while the round is open (a lab manager only its own lab's); NotFound for a
    result not in this round or not the actor's to see."""
    result = load(
        Result,
        result_id,
        visible=lambda r: r.round_id == rnd.id and policy.sees_result(actor, r),
        what=_("result"),
    )
    if rnd.status != RoundStatus.OPEN:
        raise Conflict(
            _(
                "A result can be withdrawn only while the round is open (it is %(status)s).",
                status=rnd.status_label,
            )
        )
    if not policy.may_withdraw_result(actor, result):
        raise Forbidden(_("You may withdraw only your own laboratory's result."))
    with transaction(actor):
        db.session.delete(result)
    return result


def enterable(rnd: Round, actor: Any) -> list[Participant]:
    """The invited labs the actor may enter a result for now and that have not reported, by code."""
    reported = {r.lab_id for r in rnd.results}
    return sorted(
        (
            p
            for p in rnd.participants
            if p.lab_id not in reported and policy.may_enter_result(actor, rnd, p.lab_id)
        ),
        key=lambda p: p.lab.code,
    )
