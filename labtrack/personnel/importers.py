"""Imports from CSV or XLSX: people, a session's attendance list, an exam's results.

Each is all or nothing: every row is checked first (with the parsers the forms and the API use),
every problem is reported by row number (the header is row 1) and column, and nothing is written
while there is one. A dry run reports what would change and writes nothing.

- People (`PEOPLE_HEADER`): a row whose lab already has the staff number updates that person
  (their posts are replaced by the row's); other rows add people. Posts are separated by ';'.
- Attendance (`ATTENDANCE_HEADER`): people by lab code and staff number; `name`, when given,
  must be the person's (it catches a mistyped staff number); `hours` when they attended only part.
  People already recorded as attending are left as they are.
- Exam results (`RESULTS_HEADER`): status sat or absent, a score 0-100 for those who sat; every
  person must be on the exam's list of who must sit it.
"""

import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from labtrack import parsing
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.parsing import code_key
from labtrack.personnel import exams, policy, training
from labtrack.personnel.models import Attendance, Exam, Person, TrainingSession
from labtrack.personnel.people import parse_person, set_posts
from labtrack.services import Forbidden, InvalidInput, transaction
from labtrack.tabular import RowError, TabularError, read_table

PEOPLE_HEADER = [
    "lab_code",
    "staff_no",
    "name",
    "posts",
    "title",
    "employed_from",
    "employed_to",
    "phone",
    "email",
]
ATTENDANCE_HEADER = ["lab_code", "staff_no", "name", "hours"]
RESULTS_HEADER = ["lab_code", "staff_no", "name", "status", "score"]


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        """No row was refused."""
        return not self.errors

    def summary(self) -> str:
        """One line for a flash message or the command line."""
        if self.dry_run:
            return _(
                "Dry run: %(c)d to add, %(u)d to update, %(s)d unchanged; nothing written.",
                c=self.created,
                u=self.updated,
                s=self.unchanged,
            )
        return _(
            "Imported: %(c)d added, %(u)d updated, %(s)d unchanged.",
            c=self.created,
            u=self.updated,
            s=self.unchanged,
        )

    def refuse(self) -> None:
        """Raise InvalidInput listing every row error (nothing was written)."""
        raise InvalidInput(
            _("The file was not imported: %(n)d problem(s), nothing written.", n=len(self.errors)),
            {"rows": [e.as_dict() for e in self.errors]},
        )


def _rows(source: str | Path | IO[bytes] | bytes, header: list[str], report: ImportReport):
    """The file's rows; a file that cannot be read as the table becomes the report's errors."""
    limit = current_app.config.get("MAX_IMPORT_BYTES")
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    elif isinstance(source, str | Path):
        source = io.BytesIO(Path(source).read_bytes())
    try:
        return list(read_table(source, header, max_bytes=limit))
    except TabularError as exc:
        report.errors += exc.errors
        return []


def _person_of_row(
    actor: Any, number: int, raw: dict[str, str], labs: dict[str, Lab], errors: list[RowError]
) -> Person | None:
    """The person a row names by lab code and staff number (checked against `name` when given)."""
    lab = labs.get(raw["lab_code"])
    if lab is None or not policy.sees_lab(actor, lab.id):
        errors.append(RowError(number, "lab_code", _("No such laboratory.")))
        return None
    if not raw["staff_no"]:
        errors.append(RowError(number, "staff_no", _("This field is required.")))
        return None
    person = db.session.scalar(
        select(Person).where(Person.lab_id == lab.id, Person.staff_key == code_key(raw["staff_no"]))
    )
    if person is None:
        errors.append(
            RowError(
                number,
                "staff_no",
                _("%(lab)s has nobody with staff number %(no)s.", lab=lab.code, no=raw["staff_no"][:40]),
            )
        )
        return None
    try:
        given = parsing.name(raw.get("name"), required=False, max_len=parsing.SHORT_MAX)
    except parsing.ParseError as exc:
        errors.append(RowError(number, "name", str(exc.message)))
        return None
    if given is not None and given != person.name:
        errors.append(
            RowError(
                number,
                "name",
                _(
                    "Staff number %(no)s of %(lab)s is %(name)s.",
                    no=person.staff_no,
                    lab=lab.code,
                    name=person.name,
                ),
            )
        )
        return None
    return person


def _labs_by_code(rows) -> dict[str, Lab]:
    codes = {raw["lab_code"] for _n, raw in rows if raw["lab_code"]}
    return (
        {lab.code: lab for lab in db.session.scalars(select(Lab).where(Lab.code.in_(codes)))} if codes else {}
    )


def _no_rows(report: ImportReport, rows) -> None:
    if not rows and not report.errors:
        report.errors.append(RowError(2, None, _("The file has no data rows.")))


# --- people ----------------------------------------------------------------------------------


def import_people(actor: Any, source: Any, dry_run: bool = False) -> ImportReport:
    """Add or update people from a file (all or nothing)."""
    report = ImportReport(dry_run=dry_run)
    rows = _rows(source, PEOPLE_HEADER, report)
    _no_rows(report, rows)
    labs = _labs_by_code(rows)
    plan: list[tuple[Lab, Person | None, dict[str, Any]]] = []
    seen: dict[tuple[int, str], int] = {}
    for number, raw in rows:
        lab = labs.get(raw["lab_code"])
        if lab is None or not policy.sees_lab(actor, lab.id):
            report.errors.append(RowError(number, "lab_code", _("No such laboratory.")))
            continue
        if not policy.may_keep_people(actor, lab.id):
            report.errors.append(
                RowError(number, "lab_code", _("You may not keep the people of this laboratory."))
            )
            continue
        person = None
        if raw["staff_no"]:
            try:
                key = code_key(parsing.code(raw["staff_no"]))
            except parsing.ParseError:
                key = None
            if key is not None:
                if (lab.id, key) in seen:
                    report.errors.append(
                        RowError(
                            number,
                            "staff_no",
                            _("The same staff number is in row %(row)d.", row=seen[(lab.id, key)]),
                        )
                    )
                    continue
                seen[(lab.id, key)] = number
                person = db.session.scalar(
                    select(Person).where(Person.lab_id == lab.id, Person.staff_key == key)
                )
        try:
            values = parse_person(raw, lab, person)
        except InvalidInput as exc:
            report.errors += [RowError(number, column, m) for column, ms in exc.errors.items() for m in ms]
            continue
        plan.append((lab, person, values))
    if report.errors:
        return report
    touched: list[Person] = []
    for lab, person, values in plan:
        posts = values.pop("posts")
        if person is None:
            report.created += 1
            touched.append(_new_person(lab, values, posts))
            continue
        same_posts = set(person.post_codes) == {p.value for p in posts}
        if same_posts and all(getattr(person, k) == v for k, v in values.items()):
            report.unchanged += 1
            continue
        report.updated += 1
        touched.append(person)
        values["posts"] = posts
    if dry_run:
        return report
    with transaction(actor, "import-people"):
        for _lab, person, values in plan:
            if person is not None and "posts" in values:
                posts = values.pop("posts")
                for key, value in values.items():
                    setattr(person, key, value)
                set_posts(person, posts)
        for person in touched:
            db.session.add(person)
        db.session.flush()
        for person in touched:
            exams.sync_candidacies(person)
    return report


def _new_person(lab: Lab, values: dict[str, Any], posts: list) -> Person:
    person = Person(lab_id=lab.id, **values)
    person.lab = lab
    set_posts(person, posts)
    return person


# --- attendance ------------------------------------------------------------------------------


def import_attendance(
    actor: Any, session: TrainingSession, source: Any, dry_run: bool = False
) -> ImportReport:
    """Record a session's attendance list from a file (all or nothing)."""
    if not policy.may_record_any_attendance(actor, session):
        raise Forbidden(_("You may not record attendance at this session."))
    report = ImportReport(dry_run=dry_run)
    rows = _rows(source, ATTENDANCE_HEADER, report)
    _no_rows(report, rows)
    labs = _labs_by_code(rows)
    seen: dict[int, int] = {}
    new: list[tuple[Person, float | None]] = []
    for number, raw in rows:
        person = _person_of_row(actor, number, raw, labs, report.errors)
        if person is None:
            continue
        if person.id in seen:
            report.errors.append(
                RowError(number, "staff_no", _("The same person is in row %(row)d.", row=seen[person.id]))
            )
            continue
        seen[person.id] = number
        problem = training.attendance_problem(actor, session, person)
        if problem:
            report.errors.append(RowError(number, "staff_no", problem))
            continue
        try:
            hours = parsing.number(raw["hours"], required=False, positive=True, maximum=session.hours)
        except parsing.ParseError as exc:
            report.errors.append(RowError(number, "hours", str(exc.message)))
            continue
        if training._attended(session.id, person.id):
            report.unchanged += 1
        else:
            new.append((person, hours))
    if report.errors:
        return report
    report.created = len(new)
    if not dry_run:
        with transaction(actor, "import-attendance"):
            for person, hours in new:
                db.session.add(Attendance(session_id=session.id, person_id=person.id, hours=hours))
    return report


# --- exam results ----------------------------------------------------------------------------


def check_results(
    actor: Any, exam: Exam, rows: list[tuple[int, dict[str, Any]]]
) -> tuple[list[dict], list[RowError]]:
    """Check result rows (lab_code and staff_no, or person_id; status; score) against the exam."""
    errors: list[RowError] = []
    clean: list[dict] = []
    labs = _labs_by_code([(n, {"lab_code": r.get("lab_code") or ""}) for n, r in rows])
    seen: dict[int, int] = {}
    for number, raw in rows:
        if raw.get("person_id") not in (None, ""):
            person = db.session.get(Person, raw["person_id"]) if isinstance(raw["person_id"], int) else None
            if person is None or not policy.sees_person(actor, person):
                errors.append(RowError(number, "person_id", _("No such person.")))
                continue
        else:
            raw = {"lab_code": "", "staff_no": "", "name": "", **{k: v or "" for k, v in raw.items()}}
            person = _person_of_row(actor, number, raw, labs, errors)
            if person is None:
                continue
        if person.id in seen:
            errors.append(
                RowError(number, "staff_no", _("The same person is in row %(row)d.", row=seen[person.id]))
            )
            continue
        seen[person.id] = number
        item, row_errors = exams.check_result(exam, person, raw, number)
        errors += row_errors
        if item is not None:
            clean.append(item)
    return clean, errors


def import_results(actor: Any, exam: Exam, source: Any, dry_run: bool = False) -> ImportReport:
    """Record an exam's results from a file (all or nothing)."""
    if not policy.may_manage_exams(actor):
        raise Forbidden(_("You may not record exam results."))
    report = ImportReport(dry_run=dry_run)
    reason = exams.results_closed_reason(exam)
    if reason:
        report.errors.append(RowError(1, None, reason))
        return report
    rows = _rows(source, RESULTS_HEADER, report)
    _no_rows(report, rows)
    clean, errors = check_results(actor, exam, rows)
    report.errors += errors
    if report.errors:
        return report
    for item in clean:
        result = item["result"]
        same = result.status == item["status"] and result.score == item["score"]
        if same:
            report.unchanged += 1
        elif result.status == "pending":
            report.created += 1
        else:
            report.updated += 1
    if not dry_run:
        exams.save_results(
            actor,
            exam,
            [i for i in clean if (i["result"].status, i["result"].score) != (i["status"], i["score"])],
        )
    return report


def results_template_rows(actor: Any, exam: Exam) -> list[list]:
    """The exam's list of who must sit, as a file to fill in (status and score left as recorded)."""
    stmt = exams.candidates_query(actor, exam).options(selectinload(Person.lab))
    return [
        [
            lab_code,
            person.staff_no,
            person.name,
            "" if result.status == "pending" else result.status,
            result.score,
        ]
        for result, person, lab_code in db.session.execute(stmt)
    ]


def stamp() -> str:
    """A timestamp for file names."""
    return datetime.now().strftime("%Y%m%d-%H%M")
