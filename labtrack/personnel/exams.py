"""Exams and skills contests: setting them up, who must sit them, and recording results.

Who must sit an exam is decided by its labs (all, or the ones listed) and posts: everyone holding
one of the posts at one of the labs and working there on the exam's day. That list is kept as one
row per person (`ExamResult`, pending until a result is recorded) so participation can be counted
afterwards whatever happens to people later; it is refreshed when the exam's requirement changes
and, for exams still to come, when a person joins, changes posts or leaves. A person may also be
entered by name (contest entrants). A skills contest is a container whose parts (written test,
bench work, quiz) are exams with the contest's requirement and entrants; results are recorded per
part. Participation = sat / required; passed = sat with a score at or above the pass mark.
"""

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, delete, exists, insert, select
from sqlalchemy.orm import selectinload

from labtrack import parsing
from labtrack.extensions import db
from labtrack.history.tracking import record_bulk
from labtrack.labs.models import Lab
from labtrack.models_base import today, utcnow
from labtrack.parsing import Fields, ParseError
from labtrack.personnel import policy
from labtrack.personnel.models import (
    TECHNICAL_POSTS,
    Exam,
    ExamKind,
    ExamLab,
    ExamPost,
    ExamResult,
    Person,
    PersonPost,
    Sitting,
    employed_on,
)
from labtrack.personnel.values import parse_score, parse_sitting, post_list
from labtrack.services import Conflict, Forbidden, InvalidInput, load, transaction
from labtrack.tabular import RowError

DEFAULT_PASS_MARK = 60.0
# The parts a skills contest has unless told otherwise (title, kind).
CONTEST_PARTS = (
    (_l("Written test"), ExamKind.THEORY),
    (_l("Bench work"), ExamKind.PRACTICAL),
    (_l("Quiz"), ExamKind.QUIZ),
)


def get_exam(actor: Any, exam_id: int) -> Exam:
    """The exam with this id, if the actor may see exams (else 404)."""
    return load(Exam, exam_id, visible=lambda e: policy.sees_exams(actor), what=_("exam"))


def exams_query(actor: Any, *, year: int | None = None, kind: str | None = None) -> Select:
    """Exams and contests (not their parts), newest first."""
    stmt = select(Exam).where(Exam.contest_id.is_(None)).options(selectinload(Exam.parts))
    if not policy.sees_exams(actor):
        stmt = stmt.where(Exam.id == -1)
    if year:
        stmt = stmt.where(Exam.held_on >= date(year, 1, 1), Exam.held_on <= date(year, 12, 31))
    if kind:
        stmt = stmt.where(Exam.kind == kind)
    return stmt.order_by(Exam.held_on.desc(), Exam.id.desc())


def _lab_codes(value: Any, actor: Any) -> list[Lab]:
    codes = value if isinstance(value, list | tuple) else parsing.text(value, required=False) or ""
    if isinstance(codes, str):
        codes = [c for c in codes.replace(";", ",").replace("\n", ",").split(",")]
    labs: list[Lab] = []
    for raw in codes:
        code = parsing.code(raw, required=False)
        if code is None:
            continue
        lab = db.session.scalar(select(Lab).where(Lab.code == code))
        if lab is None or not policy.sees_lab(actor, lab.id):
            raise ParseError(_("No such laboratory: %(code)s.", code=code))
        if lab not in labs:
            labs.append(lab)
    return labs


def parse_exam(actor: Any, data: dict[str, Any], exam: Exam | None = None) -> dict[str, Any]:
    """Check an exam's fields (every error at once); InvalidInput naming the fields otherwise."""
    f = Fields(data)
    values = {
        "title": f.get("title", parsing.name),
        "kind": f.get("kind", parsing.choice, [k.value for k in ExamKind]),
        "held_on": f.get("held_on", parsing.day),
        "pass_mark": f.get("pass_mark", parsing.number, required=False, minimum=0, maximum=100),
        "all_labs": f.get("all_labs", parsing.boolean, default=True),
        "notes": f.get("notes", parsing.text, required=False),
    }
    labs = f.get("labs", _lab_codes, actor) or []
    posts = f.get("posts", post_list) or []
    if values["pass_mark"] is None:
        values["pass_mark"] = DEFAULT_PASS_MARK
    if (
        exam is not None
        and exam.kind != values["kind"]
        and ExamKind.CONTEST.value in (exam.kind, values["kind"])
    ):
        f.add("kind", _("An exam cannot become a contest, nor a contest an exam."))
    if not values["all_labs"] and not labs and "labs" not in f.errors:
        f.add("labs", _("Name the laboratories whose staff must sit, or choose all laboratories."))
    if exam is not None and values["held_on"] and values["held_on"] > today() and _has_results(exam):
        f.add("held_on", _("Results are recorded already; the exam cannot move to a day still to come."))
    f.raise_if_any(_("The exam could not be saved."))
    values["labs"], values["posts"] = ([] if values["all_labs"] else labs), posts
    return values


def _has_results(exam: Exam) -> bool:
    ids = [exam.id, *(p.id for p in exam.parts)]
    return bool(
        db.session.scalar(
            select(exists().where(ExamResult.exam_id.in_(ids), ExamResult.status != Sitting.PENDING))
        )
    )


def _apply(exam: Exam, values: dict[str, Any]) -> None:
    labs, posts = values.pop("labs"), values.pop("posts")
    for key, value in values.items():
        setattr(exam, key, value)
    exam.labs = [link for link in exam.labs if link.lab_id in {lab.id for lab in labs}]
    have = {link.lab_id for link in exam.labs}
    exam.labs += [ExamLab(lab_id=lab.id) for lab in labs if lab.id not in have]
    exam.posts = [link for link in exam.posts if link.post in {p.value for p in posts}]
    have_posts = {link.post for link in exam.posts}
    exam.posts += [ExamPost(post=p.value) for p in posts if p.value not in have_posts]


def create_exam(actor: Any, data: dict[str, Any]) -> Exam:
    """Set up an exam (or a contest with its parts: written test, bench work, quiz, titled in the
    user's language unless `part_titles` are given) and list who must sit it."""
    if not policy.may_manage_exams(actor):
        raise Forbidden(_("You may not set up exams."))
    values = parse_exam(actor, data)
    with transaction(actor):
        exam = Exam()
        _apply(exam, values)
        db.session.add(exam)
        if exam.is_contest:
            titles = list(data.get("part_titles") or []) + [str(t) for t, _k in CONTEST_PARTS]
            for (_default, kind), title in zip(CONTEST_PARTS, titles[: len(CONTEST_PARTS)], strict=True):
                part = Exam(
                    title=title, kind=kind, held_on=exam.held_on, pass_mark=exam.pass_mark, contest=exam
                )
                db.session.add(part)
        db.session.flush()
        refresh_candidates(exam)
    return exam


def update_exam(actor: Any, exam: Exam, data: dict[str, Any]) -> Exam:
    """Change an exam; who must sit it is worked out again (results already recorded stay)."""
    if not policy.may_manage_exams(actor):
        raise Forbidden(_("You may not set up exams."))
    if exam.contest_id is not None:
        data = {**data, "all_labs": True, "labs": [], "posts": []}
    values = parse_exam(actor, data, exam)
    with transaction(actor):
        _apply(exam, values)
        for part in exam.parts:
            part.held_on = exam.held_on
        db.session.flush()
        refresh_candidates(exam)
    return exam


def requirement(exam: Exam) -> Exam:
    """The exam whose labs and posts say who must sit this one (a contest's part: the contest)."""
    return exam.contest if exam.contest_id is not None else exam


def required_people(exam: Exam) -> Select:
    """Ids of the people who must sit an exam by its labs and posts."""
    req = requirement(exam)
    posts = req.post_codes
    stmt = select(Person.id).where(employed_on(exam.held_on))
    if not posts:
        return stmt.where(Person.id == -1)
    stmt = stmt.where(exists().where(PersonPost.person_id == Person.id, PersonPost.post.in_(posts)))
    if not req.all_labs:
        stmt = stmt.where(Person.lab_id.in_(select(ExamLab.lab_id).where(ExamLab.exam_id == req.id)))
    return stmt


def refresh_candidates(exam: Exam) -> tuple[int, int]:
    """Bring the list of who must sit up to date: add the newly required, drop those no longer
    required while they have no result and were not entered by name. Returns (added, dropped)."""
    if exam.is_contest:
        counts = [refresh_candidates(part) for part in exam.parts]
        return sum(c[0] for c in counts), sum(c[1] for c in counts)
    required = set(db.session.scalars(required_people(exam)))
    rows = db.session.execute(
        select(ExamResult.id, ExamResult.person_id, ExamResult.named, ExamResult.status).where(
            ExamResult.exam_id == exam.id
        )
    ).all()
    present = {r.person_id for r in rows}
    dropped = [r for r in rows if r.person_id not in required and not r.named and r.status == Sitting.PENDING]
    added = sorted(required - present)
    if dropped:
        db.session.execute(delete(ExamResult).where(ExamResult.id.in_([r.id for r in dropped])))
        record_bulk(
            db.session,
            "exam_results",
            [(r.id, "delete", {"person_id": [r.person_id, None]}) for r in dropped],
        )
    if added:
        values = [
            {"exam_id": exam.id, "person_id": pid, "named": False, "status": Sitting.PENDING.value}
            for pid in added
        ]
        table = ExamResult.__table__
        ids = db.session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), values
        ).scalars()
        record_bulk(
            db.session,
            "exam_results",
            [
                (i, "insert", {"exam_id": [None, exam.id], "person_id": [None, v["person_id"]]})
                for i, v in zip(ids, values, strict=True)
            ],
        )
    return len(added), len(dropped)


def refresh(actor: Any, exam: Exam) -> tuple[int, int]:
    """Refresh who must sit an exam (after people changed), as one unit of work."""
    if not policy.may_manage_exams(actor):
        raise Forbidden(_("You may not set up exams."))
    with transaction(actor, "who must sit"):
        return refresh_candidates(exam)


def sync_candidacies(person: Person) -> None:
    """Keep one person's place among those who must sit the exams still to come (called when they
    join, change posts or leave): added where required, dropped where no longer (unless entered by
    name or a result is recorded)."""
    upcoming = list(
        db.session.scalars(select(Exam).where(Exam.held_on >= today(), Exam.kind != ExamKind.CONTEST))
    )
    if not upcoming:
        return
    posts = set(person.post_codes)
    mine = {
        r.exam_id: r for r in db.session.scalars(select(ExamResult).where(ExamResult.person_id == person.id))
    }
    for exam in upcoming:
        req = requirement(exam)
        lab_ok = req.all_labs or any(link.lab_id == person.lab_id for link in req.labs)
        required = lab_ok and bool(posts & set(req.post_codes)) and person.employed_on(exam.held_on)
        current = mine.get(exam.id)
        if required and current is None:
            db.session.add(ExamResult(exam_id=exam.id, person_id=person.id, status=Sitting.PENDING))
        elif not required and current is not None and not current.named and current.status == Sitting.PENDING:
            db.session.delete(current)


def enter_by_name(actor: Any, exam: Exam, person: Person) -> None:
    """Enter a person by name (a contest entrant, or someone the labs and posts do not cover)."""
    if not policy.may_manage_exams(actor):
        raise Forbidden(_("You may not set up exams."))
    if not person.employed_on(exam.held_on):
        raise InvalidInput(
            _("%(name)s does not work at the laboratory on the exam's day.", name=person.name),
            {"staff_no": []},
        )
    targets = exam.parts if exam.is_contest else [exam]
    with transaction(actor):
        for target in targets:
            row = db.session.scalar(
                select(ExamResult).where(ExamResult.exam_id == target.id, ExamResult.person_id == person.id)
            )
            if row is None:
                db.session.add(ExamResult(exam_id=target.id, person_id=person.id, named=True))
            else:
                row.named = True


def withdraw_entry(actor: Any, exam: Exam, person: Person) -> None:
    """Take a person entered by mistake off the list (only while no result is recorded)."""
    if not policy.may_manage_exams(actor):
        raise Forbidden(_("You may not set up exams."))
    targets = exam.parts if exam.is_contest else [exam]
    rows = list(
        db.session.scalars(
            select(ExamResult).where(
                ExamResult.exam_id.in_([t.id for t in targets]), ExamResult.person_id == person.id
            )
        )
    )
    if any(r.status != Sitting.PENDING for r in rows):
        raise Conflict(_("A result is recorded for %(name)s; it stays on the list.", name=person.name))
    with transaction(actor):
        for row in rows:
            db.session.delete(row)


# --- results ---------------------------------------------------------------------------------


def check_result(
    exam: Exam, person: Person | None, raw: dict[str, Any], row: int
) -> tuple[dict | None, list[RowError]]:
    """One result's problems, as row errors (row: the file's row, or the list's index)."""
    errors: list[RowError] = []
    status = score = None
    try:
        status = parse_sitting(raw.get("status"))
    except ParseError as exc:
        errors.append(RowError(row, "status", str(exc.message)))
    try:
        score = parse_score(raw.get("score"))
    except ParseError as exc:
        errors.append(RowError(row, "score", str(exc.message)))
    if status == Sitting.SAT and score is None and not any(e.column == "score" for e in errors):
        errors.append(RowError(row, "score", _("A score is needed for someone who sat the exam.")))
    if status == Sitting.ABSENT and score is not None:
        errors.append(RowError(row, "score", _("Someone absent has no score.")))
    candidacy = None
    if person is not None:
        candidacy = db.session.scalar(
            select(ExamResult).where(ExamResult.exam_id == exam.id, ExamResult.person_id == person.id)
        )
        if candidacy is None:
            errors.append(
                RowError(row, "staff_no", _("%(name)s is not required to sit this exam.", name=person.name))
            )
    if errors:
        return None, errors
    return {"result": candidacy, "status": status, "score": score}, []


def results_closed_reason(exam: Exam) -> str | None:
    """Why results cannot be recorded for this exam now (None: they can)."""
    if exam.is_contest:
        return _("A contest's results are recorded for each of its parts.")
    if exam.held_on > today():
        return _("Results can be recorded from the exam's day (%(d)s).", d=exam.held_on.isoformat())
    return None


def save_results(actor: Any, exam: Exam, clean: list[dict]) -> int:
    """Write checked results in one unit of work (an earlier result of the same person is replaced)."""
    if not policy.may_manage_exams(actor):
        raise Forbidden(_("You may not record exam results."))
    reason = results_closed_reason(exam)
    if reason:
        raise Conflict(reason)
    now = utcnow()
    with transaction(actor):
        for item in clean:
            result = item["result"]
            result.status, result.score, result.recorded_at = item["status"], item["score"], now
    return len(clean)


def record_result(actor: Any, exam: Exam, person: Person, data: dict[str, Any]) -> ExamResult:
    """Record one person's result (sat with a score, or absent)."""
    if not policy.may_manage_exams(actor):
        raise Forbidden(_("You may not record exam results."))
    reason = results_closed_reason(exam)
    if reason:
        raise Conflict(reason)
    clean, errors = check_result(exam, person, data, 1)
    if errors:
        fields: dict[str, list[str]] = {}
        for error in errors:
            fields.setdefault(error.column or "status", []).append(error.message)
        raise InvalidInput(_("The result could not be recorded."), fields)
    save_results(actor, exam, [clean])
    return clean["result"]


def candidates_query(
    actor: Any, exam: Exam, *, lab_id: int | None = None, status: str | None = None
) -> Select:
    """Who must sit the exam (the actor's own lab only, for a lab manager), with their results."""
    stmt = (
        select(ExamResult, Person, Lab.code.label("lab_code"))
        .join(Person, ExamResult.person_id == Person.id)
        .join(Lab, Person.lab_id == Lab.id)
        .where(ExamResult.exam_id == exam.id)
        .order_by(Lab.code, Person.name)
    )
    stmt = policy.narrow(stmt, Person.lab_id, actor)
    if lab_id is not None:
        stmt = stmt.where(Person.lab_id == lab_id)
    if status:
        stmt = stmt.where(ExamResult.status == status)
    return stmt


def contest_ranking(actor: Any, contest: Exam) -> list[dict[str, Any]]:
    """A contest's entrants (the actor's own lab's, if confined) with each part's score and their
    total, best first; an entrant absent from a part scores nothing there."""
    parts = contest.parts
    if not parts:
        return []
    stmt = (
        select(ExamResult.exam_id, ExamResult.status, ExamResult.score, Person, Lab.code)
        .join(Person, ExamResult.person_id == Person.id)
        .join(Lab, Person.lab_id == Lab.id)
        .where(ExamResult.exam_id.in_([p.id for p in parts]))
    )
    entrants: dict[int, dict[str, Any]] = {}
    for exam_id, status, score, person, lab_code in db.session.execute(
        policy.narrow(stmt, Person.lab_id, actor)
    ):
        row = entrants.setdefault(
            person.id,
            {"person": person, "lab_code": lab_code, "scores": {p.id: None for p in parts}, "total": 0.0},
        )
        if status == Sitting.SAT and score is not None:
            row["scores"][exam_id] = score
            row["total"] += score
    ranked = sorted(entrants.values(), key=lambda r: (-r["total"], r["lab_code"], r["person"].name))
    for rank, row in enumerate(ranked, start=1):
        row["rank"] = rank
    return ranked


def person_exams(person: Person) -> list:
    """The exams a person had to sit (or entered), newest first, with their result."""
    stmt = (
        select(ExamResult)
        .join(Exam, ExamResult.exam_id == Exam.id)
        .where(ExamResult.person_id == person.id)
        .options(selectinload(ExamResult.exam).selectinload(Exam.contest))
        .order_by(Exam.held_on.desc(), Exam.id)
    )
    return list(db.session.scalars(stmt))


def default_posts() -> list[str]:
    """The posts a theory exam requires unless told otherwise: the technical staff."""
    return [p.value for p in TECHNICAL_POSTS]
