"""Returned questionnaires imported from XLSX (or CSV), and surveys exported as CSV or XLSX.

The answers file has one row per returned questionnaire under a header of `sheet` (its number,
optional), `returned_on` (optional) and one column per question, named by the question's key
(Q1, Q2 …), in any order; a question left out, or a blank cell, is a question not answered. A scale
answer is a whole number on the question's scale; a choice answer is the choice's value or its
label in either language. The import is all or nothing: a column that names no question of the
questionnaire, an answer outside a scale or not among the choices, a sheet number given twice, or
more questionnaires than copies issued refuses the whole file, every problem listed by row (the
header is row 1) and column, and nothing is written.
"""

import csv
import io
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from labtrack import parsing
from labtrack.extensions import db
from labtrack.models_base import today
from labtrack.parsing import ParseError
from labtrack.records import surveys
from labtrack.records.models import QuestionKind, ResponseSource, Survey, SurveyAnswer, SurveyResponse
from labtrack.services import InvalidInput, transaction
from labtrack.tabular import RowError, TabularError, read_table, sniff_format

FIXED = ("sheet", "returned_on")
ERRORS_SHOWN = 200


def template_header(survey: Survey) -> list[str]:
    """The header of an answers file for this survey's questionnaire."""
    return [*FIXED, *(q.key for q in survey.questionnaire.questions)]


def _first_row(stream: IO[bytes]) -> list[str]:
    """The header cells of a CSV or XLSX file (the stream is rewound afterwards)."""
    head = stream.read(8192)
    stream.seek(0)
    if sniff_format(head) == "xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(stream, read_only=True)
            try:
                row = next(workbook.worksheets[0].iter_rows(max_row=1, values_only=True), ())
            finally:
                workbook.close()
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise TabularError([RowError(1, None, _("The file is neither CSV nor XLSX."))]) from exc
        stream.seek(0)
        cells = ["" if v is None else str(v) for v in row]
    else:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
        try:
            cells = next(csv.reader(text), [])
        except csv.Error as exc:
            raise TabularError([RowError(1, None, str(exc))]) from exc
        finally:
            text.detach()
        stream.seek(0)
    cells = [c.strip().lstrip("\ufeff") for c in cells]
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def _columns(survey: Survey, header: list[str]) -> tuple[dict[str, Any], list[RowError]]:
    """Each header cell's meaning (a fixed column or a question), and the header's problems."""
    questions = {parsing.code_key(q.key): q for q in survey.questionnaire.questions}
    meaning: dict[str, Any] = {}
    errors: list[RowError] = []
    seen: set[str] = set()
    for index, cell in enumerate(header, start=1):
        key = parsing.code_key(cell)
        if not cell:
            errors.append(RowError(1, str(index), _("A column has no name.")))
        elif key in seen:
            errors.append(RowError(1, cell, _("The column %(name)s appears twice.", name=cell)))
        elif key in FIXED:
            meaning[cell] = key
        elif key in questions:
            meaning[cell] = questions[key]
        else:
            errors.append(
                RowError(
                    1,
                    cell,
                    _(
                        "No question %(key)s in questionnaire %(code)s (its questions: %(keys)s).",
                        key=cell,
                        code=survey.questionnaire.code,
                        keys=", ".join(q.key for q in survey.questionnaire.questions),
                    ),
                )
            )
        seen.add(key)
    if not any(not isinstance(m, str) for m in meaning.values()):
        errors.append(RowError(1, None, _("The file has no question columns.")))
    return meaning, errors


def import_responses(actor: Any, survey: Survey, stream: IO[bytes], *, dry_run: bool = False) -> dict:
    """Import an answers file (all or nothing). Answers {"rows", "created", "returned", "dry_run"};
    InvalidInput with every problem under "file" (and nothing written) otherwise."""
    surveys._may_manage(actor)
    rows: list[dict] = []
    errors: list[RowError] = []
    try:
        header = _first_row(stream)
        meaning, errors = _columns(survey, header)
        if any(not isinstance(m, str) for m in meaning.values()):
            # The rows are read too (their known columns), so that one pass shows every problem.
            table = read_table(stream, header, current_app.config["MAX_IMPORT_BYTES"])
            rows, row_errors = _rows(survey, meaning, table)
            errors += row_errors
    except TabularError as exc:
        errors += exc.errors
    if errors:
        raise InvalidInput(
            _("The file was not imported: nothing was written. Correct these rows and import it again."),
            {"file": [_row_message(e) for e in errors[:ERRORS_SHOWN]] + _more(errors)},
        )
    surveys._check_capacity(survey, len(rows), "file")
    result = {"rows": len(rows), "created": 0, "returned": surveys.returned(survey), "dry_run": dry_run}
    if dry_run or not rows:
        return result
    with transaction(actor, _("answers imported")):
        surveys.write_responses(survey, rows, ResponseSource.IMPORTED, actor)
    result["created"] = len(rows)
    result["returned"] = surveys.returned(survey)
    return result


def _more(errors: list[RowError]) -> list[str]:
    if len(errors) <= ERRORS_SHOWN:
        return []
    return [_("… and %(n)s more problems.", n=len(errors) - ERRORS_SHOWN)]


def _row_message(error: RowError) -> str:
    if error.column:
        return _(
            "Row %(row)s, column %(column)s: %(message)s",
            row=error.row,
            column=error.column,
            message=error.message,
        )
    return _("Row %(row)s: %(message)s", row=error.row, message=error.message)


def _rows(survey: Survey, meaning: dict[str, Any], table: Any) -> tuple[list[dict], list[RowError]]:
    errors: list[RowError] = []
    rows: list[dict] = []
    sheets = surveys._existing_sheets(survey)
    in_file: dict[str, int] = {}
    for number, cells in table:
        row: dict[str, Any] = {"sheet": None, "returned_on": None, "answers": {}}
        before = len(errors)
        for column, raw in cells.items():
            target = meaning.get(column)
            if target is None:
                continue  # a column the header check refused
            try:
                if target == "sheet":
                    row["sheet"] = parsing.name(raw, required=False, max_len=surveys.SHEET_MAX)
                elif target == "returned_on":
                    row["returned_on"] = parsing.day(
                        raw, required=False, earliest=survey.issued_on, latest=today()
                    )
                else:
                    answer = surveys.parse_answer(target, raw)
                    if answer is not None:
                        row["answers"][target.id] = answer
            except ParseError as exc:
                errors.append(RowError(number, column, str(exc.message)))
        sheet = row["sheet"]
        if sheet:
            key = parsing.code_key(sheet)
            if key in sheets:
                errors.append(
                    RowError(number, "sheet", _("Questionnaire %(sheet)s was entered already.", sheet=sheet))
                )
            elif key in in_file:
                errors.append(
                    RowError(
                        number,
                        "sheet",
                        _("Questionnaire %(sheet)s is also on row %(row)s.", sheet=sheet, row=in_file[key]),
                    )
                )
            in_file.setdefault(key, number)
        if not row["answers"] and len(errors) == before:
            errors.append(RowError(number, None, _("The row has no answer.")))
        rows.append(row)
    return rows, errors


# --- export ----------------------------------------------------------------------------------


def response_rows(survey: Survey) -> tuple[list[str], list[list]]:
    """Every returned questionnaire in the import file's format (so an export imports again)."""
    questions = survey.questionnaire.questions
    header = template_header(survey)
    values = {c.id: c.value for q in questions for c in q.choices}
    answers: dict[int, dict[int, Any]] = {}
    stmt = (
        select(SurveyAnswer.response_id, SurveyAnswer.question_id, SurveyAnswer.value, SurveyAnswer.choice_id)
        .join(SurveyResponse, SurveyAnswer.response_id == SurveyResponse.id)
        .where(SurveyResponse.survey_id == survey.id)
    )
    for response_id, question_id, value, choice_id in db.session.execute(stmt):
        answers.setdefault(response_id, {})[question_id] = values.get(choice_id) if choice_id else value
    stmt = select(SurveyResponse).where(SurveyResponse.survey_id == survey.id).order_by(SurveyResponse.id)
    rows = [
        [r.sheet or "", r.returned_on, *(answers.get(r.id, {}).get(q.id, "") for q in questions)]
        for r in db.session.scalars(stmt)
    ]
    return header, rows


RESULT_HEADER = ["question", "text", "kind", "answer", "label", "count", "share", "answered", "mean"]


def result_rows(survey: Survey) -> tuple[list[str], list[list]]:
    """The results: one row per question and answer, with counts, shares and scale means."""
    data = surveys.results(survey)
    rows = [
        ["", _("returned / issued"), "", "", "", data["returned"], data["response_rate"], data["issued"], ""]
    ]
    for item in data["questions"]:
        q = item["question"]
        for row in item["rows"]:
            rows.append(
                [
                    q.key,
                    q.text,
                    q.kind.value if isinstance(q.kind, QuestionKind) else q.kind,
                    row["answer"],
                    row["label"],
                    row["count"],
                    None if row["share"] is None else round(row["share"], 4),
                    item["answered"],
                    None if item["mean"] is None else round(item["mean"], 3),
                ]
            )
    return RESULT_HEADER, rows
