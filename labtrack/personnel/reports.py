"""The training and exam figures of a period: sessions, attendances, hours, exams with their
participation and pass rates, by organiser, month, region, lab and post. Aggregated in SQL.

Definitions (the README repeats them):
- A session counts in the period by its first day. Attendances (人次) = named attendances plus
  external attendees; hours = attendance hours (each attendance counts the session's hours, or
  the part the person attended; an external attendee the session's hours).
- For a region, a lab or a post (and for a lab manager, whose figures are their own lab's) only
  the named attendances of its people count, and a session counts when one of them attended;
  external attendees belong to no lab and count only in the figures for everyone.
- Headcount: people working at the lab on the period's last day (today, if it has not ended);
  hours per person = named attendance hours / headcount.
- Exams: those held in the period up to today, skills contests aside (they are listed on their
  own): required = people on the exam's list, participation = sat / required, pass rate = passed /
  sat (passed: a score at or above the exam's pass mark). A lab whose participation is below the
  threshold (default 95%) is flagged.
"""

from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import Select, case, exists, extract, func, literal, select
from sqlalchemy.orm import aliased

from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.personnel.models import (
    ORGANISER_LABELS,
    POST_LABELS,
    Attendance,
    Exam,
    ExamKind,
    ExamResult,
    Person,
    PersonPost,
    Post,
    Sitting,
    TrainingSession,
    employed_on,
)

DEFAULT_THRESHOLD = 0.95


def threshold() -> float:
    """The participation below which a lab is flagged (EXAM_PARTICIPATION_THRESHOLD, default 0.95)."""
    return float(current_app.config.get("EXAM_PARTICIPATION_THRESHOLD", DEFAULT_THRESHOLD))


class Filters:
    """Period, region, lab, post and the lab the reader is confined to (None: every lab)."""

    def __init__(
        self,
        date_from: date,
        date_to: date,
        region: str | None = None,
        lab_id: int | None = None,
        post: str | None = None,
        scope: int | None = None,
    ):
        self.date_from, self.date_to = date_from, date_to
        self.region, self.lab_id, self.post, self.scope = region, lab_id, post, scope
        self.on = min(date_to, today())

    @property
    def narrowed(self) -> bool:
        """Whether only some labs' (or posts') people count (external attendees then do not)."""
        return any(v is not None for v in (self.region, self.lab_id, self.post, self.scope))

    def people(self, stmt: Select) -> Select:
        """Restrict a select that joins Person and Lab to the people these filters cover."""
        if self.scope is not None:
            stmt = stmt.where(Person.lab_id == self.scope)
        if self.lab_id is not None:
            stmt = stmt.where(Person.lab_id == self.lab_id)
        if self.region:
            stmt = stmt.where(Lab.region == self.region)
        if self.post:
            held = aliased(PersonPost)  # the statement may join PersonPost itself (by post)
            stmt = stmt.where(exists().where(held.person_id == Person.id, held.post == self.post))
        return stmt


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- training --------------------------------------------------------------------------------


def _hours():
    return func.coalesce(Attendance.hours, TrainingSession.hours)


def _attendances(f: Filters, *columns, with_person: bool = False, with_lab: bool = False) -> Select:
    """Named attendances of the period, joined to the session, and to the person and their lab only
    when a column or a filter needs them (each join is a lookup per attendance)."""
    stmt = (
        select(*columns)
        .select_from(Attendance)
        .join(TrainingSession, Attendance.session_id == TrainingSession.id)
        .where(TrainingSession.starts_on >= f.date_from, TrainingSession.starts_on <= f.date_to)
    )
    if with_person or with_lab or f.narrowed:
        stmt = stmt.join(Person, Attendance.person_id == Person.id)
    if with_lab or f.region:
        stmt = stmt.join(Lab, Person.lab_id == Lab.id)
    return f.people(stmt)


def _sessions(f: Filters, *columns) -> Select:
    return select(*columns).where(
        TrainingSession.starts_on >= f.date_from, TrainingSession.starts_on <= f.date_to
    )


_MEASURES = (
    func.count(func.distinct(Attendance.session_id)).label("sessions"),
    func.count().label("attendances"),
    func.coalesce(func.sum(func.coalesce(Attendance.hours, TrainingSession.hours)), 0).label("hours"),
    func.count(func.distinct(Attendance.person_id)).label("people_trained"),
)
# Attendances and hours only: the distinct counts cost a sort each, and for everyone the sessions
# come from the sessions themselves.
_COUNTS = (
    literal(0).label("sessions"),
    func.count().label("attendances"),
    func.coalesce(func.sum(func.coalesce(Attendance.hours, TrainingSession.hours)), 0).label("hours"),
    literal(0).label("people_trained"),
)


def _measures(f: Filters, sessions_from_table: bool) -> tuple:
    """The measures a grouping needs: distinct sessions only when they cannot come from the
    sessions table (a narrowed report), people trained never for months and organisers."""
    if sessions_from_table and not f.narrowed:
        return _COUNTS
    return (*_MEASURES[:3], literal(0).label("people_trained"))


def _row(r: Any, **extra: Any) -> dict[str, Any]:
    return {
        **extra,
        "sessions": int(r.sessions or 0),
        "attendances": int(r.attendances or 0),
        "hours": float(r.hours or 0),
        "people_trained": int(r.people_trained or 0),
    }


def training_totals(f: Filters) -> dict[str, Any]:
    """Sessions, attendances (named and external), hours and people trained of the period."""
    columns = _MEASURES if f.narrowed else (*_COUNTS[:3], _MEASURES[3])  # sessions: from the table
    named = db.session.execute(_attendances(f, *columns)).one()
    totals = _row(named)
    totals["named_attendances"] = totals["attendances"]
    if f.narrowed:
        totals.update(external_attendances=0, session_hours=None)
        return totals
    s = db.session.execute(
        _sessions(
            f,
            func.count().label("sessions"),
            func.coalesce(func.sum(TrainingSession.external_attendees), 0).label("external"),
            func.coalesce(func.sum(TrainingSession.external_attendees * TrainingSession.hours), 0).label(
                "external_hours"
            ),
            func.coalesce(func.sum(TrainingSession.hours), 0).label("session_hours"),
        )
    ).one()
    totals.update(
        sessions=int(s.sessions),
        external_attendances=int(s.external),
        attendances=totals["named_attendances"] + int(s.external),
        hours=totals["hours"] + float(s.external_hours),
        session_hours=float(s.session_hours),
    )
    return totals


def headcounts(f: Filters, group: Any) -> dict[Any, int]:
    """People working on the period's last day, per group (a column of Person or Lab)."""
    stmt = (
        select(group, func.count())
        .select_from(Person)
        .join(Lab, Person.lab_id == Lab.id)
        .where(employed_on(f.on))
    )
    return dict(db.session.execute(f.people(stmt).group_by(group)).all())


def training_by_lab(f: Filters) -> list[dict[str, Any]]:
    """Per lab with people in scope: sessions, attendances, hours, people trained, headcount."""
    stmt = _attendances(f, Person.lab_id, *_MEASURES, with_person=True).group_by(Person.lab_id)
    rows = {r.lab_id: r for r in db.session.execute(stmt)}
    heads = headcounts(f, Person.lab_id)
    labs = db.session.execute(
        select(Lab.id, Lab.code, Lab.name, Lab.region)
        .where(Lab.id.in_(set(rows) | set(heads)))
        .order_by(Lab.code)
    )
    out = []
    for lab in labs:
        r = rows.get(lab.id)
        row = (
            _row(r) if r is not None else {"sessions": 0, "attendances": 0, "hours": 0.0, "people_trained": 0}
        )
        head = heads.get(lab.id, 0)
        out.append(
            {
                "lab_id": lab.id,
                "code": lab.code,
                "name": lab.name,
                "region": lab.region,
                **row,
                "headcount": head,
                "hours_per_person": row["hours"] / head if head else None,
            }
        )
    return out


def training_by_region(f: Filters) -> list[dict[str, Any]]:
    """Per region: sessions its people attended, attendances, hours, people trained, headcount."""
    rows = db.session.execute(
        _attendances(f, Lab.region, *_MEASURES, with_lab=True).group_by(Lab.region)
    ).all()
    heads = headcounts(f, Lab.region)
    found = {r.region: _row(r, region=r.region) for r in rows}
    for region in heads:
        found.setdefault(
            region, {"region": region, "sessions": 0, "attendances": 0, "hours": 0.0, "people_trained": 0}
        )
    out = []
    for region in sorted(found):
        row, head = found[region], heads.get(region, 0)
        out.append({**row, "headcount": head, "hours_per_person": row["hours"] / head if head else None})
    return out


def training_by_post(f: Filters) -> list[dict[str, Any]]:
    """Per post: sessions, attendances, hours and people trained of its holders (a person with two
    posts counts under both)."""
    stmt = (
        _attendances(f, PersonPost.post, *_MEASURES)
        .join(PersonPost, PersonPost.person_id == Attendance.person_id)
        .group_by(PersonPost.post)
    )
    rows = {r.post: r for r in db.session.execute(stmt)}
    heads = headcounts_by_post(f)
    out = []
    for post in Post:
        if post.value in rows or post.value in heads:
            r = rows.get(post.value)
            row = (
                _row(r)
                if r is not None
                else {"sessions": 0, "attendances": 0, "hours": 0.0, "people_trained": 0}
            )
            head = heads.get(post.value, 0)
            out.append(
                {
                    "post": post.value,
                    "label": str(POST_LABELS[post]),
                    **row,
                    "headcount": head,
                    "hours_per_person": row["hours"] / head if head else None,
                }
            )
    return out


def headcounts_by_post(f: Filters) -> dict[str, int]:
    """People working on the period's last day, per post."""
    stmt = (
        select(PersonPost.post, func.count())
        .select_from(Person)
        .join(PersonPost, PersonPost.person_id == Person.id)
        .where(employed_on(f.on))
        .group_by(PersonPost.post)
    )
    if f.region:
        stmt = stmt.join(Lab, Person.lab_id == Lab.id)
    return dict(db.session.execute(f.people(stmt)).all())


def training_by_organiser(f: Filters) -> list[dict[str, Any]]:
    """Per organiser: sessions, attendances and hours (everyone: external attendees included)."""
    if f.narrowed:
        stmt = _attendances(f, TrainingSession.organiser, *_measures(f, True)).group_by(
            TrainingSession.organiser
        )
        rows = {r.organiser: _row(r) for r in db.session.execute(stmt)}
    else:
        named = _attendances(f, TrainingSession.organiser, *_measures(f, True)).group_by(
            TrainingSession.organiser
        )
        rows = {r.organiser: _row(r) for r in db.session.execute(named)}
        sessions = _sessions(
            f,
            TrainingSession.organiser,
            func.count().label("sessions"),
            func.coalesce(func.sum(TrainingSession.external_attendees), 0).label("external"),
            func.coalesce(func.sum(TrainingSession.external_attendees * TrainingSession.hours), 0).label(
                "hours"
            ),
        ).group_by(TrainingSession.organiser)
        for r in db.session.execute(sessions):
            row = rows.setdefault(
                r.organiser, {"sessions": 0, "attendances": 0, "hours": 0.0, "people_trained": 0}
            )
            row.update(
                sessions=int(r.sessions),
                attendances=row["attendances"] + int(r.external),
                hours=row["hours"] + float(r.hours),
            )
    return [
        {"organiser": key, "label": str(label), **rows[key]}
        for key, label in ORGANISER_LABELS.items()
        if key in rows
    ]


def training_by_month(f: Filters) -> list[dict[str, Any]]:
    """Sessions and attendances per month of the period (for the chart)."""
    year, month = extract("year", TrainingSession.starts_on), extract("month", TrainingSession.starts_on)
    named = _attendances(f, year.label("y"), month.label("m"), *_measures(f, True)).group_by(year, month)
    rows = {(int(r.y), int(r.m)): _row(r) for r in db.session.execute(named)}
    if not f.narrowed:
        sessions = _sessions(
            f,
            year.label("y"),
            month.label("m"),
            func.count().label("sessions"),
            func.coalesce(func.sum(TrainingSession.external_attendees), 0).label("external"),
        ).group_by(year, month)
        for r in db.session.execute(sessions):
            row = rows.setdefault(
                (int(r.y), int(r.m)), {"sessions": 0, "attendances": 0, "hours": 0.0, "people_trained": 0}
            )
            row.update(sessions=int(r.sessions), attendances=row["attendances"] + int(r.external))
    out = []
    y, m = f.date_from.year, f.date_from.month
    while (y, m) <= (f.date_to.year, f.date_to.month) and len(out) < 240:
        row = rows.get((y, m), {"sessions": 0, "attendances": 0})
        out.append(
            {"month": f"{y:04d}-{m:02d}", "sessions": row["sessions"], "attendances": row["attendances"]}
        )
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# --- exams -----------------------------------------------------------------------------------


def _exam_measures():
    sat = ExamResult.status == Sitting.SAT.value
    return (
        func.count().label("required"),
        func.coalesce(func.sum(case((sat, 1), else_=0)), 0).label("sat"),
        func.coalesce(func.sum(case((ExamResult.status == Sitting.ABSENT.value, 1), else_=0)), 0).label(
            "absent"
        ),
        func.coalesce(func.sum(case((ExamResult.status == Sitting.PENDING.value, 1), else_=0)), 0).label(
            "pending"
        ),
        func.coalesce(func.sum(case((sat & (ExamResult.score >= Exam.pass_mark), 1), else_=0)), 0).label(
            "passed"
        ),
        func.avg(case((sat, ExamResult.score))).label("mean_score"),
    )


def _exam_row(r: Any, **extra: Any) -> dict[str, Any]:
    required, sat, passed = int(r.required or 0), int(r.sat or 0), int(r.passed or 0)
    return {
        **extra,
        "required": required,
        "sat": sat,
        "absent": int(r.absent or 0),
        "pending": int(r.pending or 0),
        "passed": passed,
        "participation": _share(sat, required),
        "pass_rate": _share(passed, sat),
        "mean_score": float(r.mean_score) if r.mean_score is not None else None,
    }


def _sittings(f: Filters, *columns, with_person: bool = False, with_lab: bool = False) -> Select:
    """Who had to sit the exams held in the period (skills contests aside), joined to the person and
    their lab only when a column or a filter needs them."""
    stmt = (
        select(*columns)
        .select_from(ExamResult)
        .join(Exam, ExamResult.exam_id == Exam.id)
        .where(
            Exam.held_on >= f.date_from,
            Exam.held_on <= f.on,
            Exam.contest_id.is_(None),
            Exam.kind != ExamKind.CONTEST.value,
        )
    )
    if with_person or with_lab or f.narrowed:
        stmt = stmt.join(Person, ExamResult.person_id == Person.id)
    if with_lab or f.region:
        stmt = stmt.join(Lab, Person.lab_id == Lab.id)
    return f.people(stmt)


def _sittings_of(ids: list[int], f: Filters, *columns) -> Select:
    stmt = (
        select(*columns)
        .select_from(ExamResult)
        .join(Exam, ExamResult.exam_id == Exam.id)
        .join(Person, ExamResult.person_id == Person.id)
        .join(Lab, Person.lab_id == Lab.id)
        .where(ExamResult.exam_id.in_(ids or [-1]))
    )
    return f.people(stmt)


def exam_figures_for(ids: list[int], f: Filters) -> dict[str, Any]:
    """Required, sat, passed and the rates over some exams (a contest's parts), for the filters' people."""
    return _exam_row(db.session.execute(_sittings_of(ids, f, *_exam_measures())).one())


def exam_groups_for(ids: list[int], f: Filters, by: str) -> list[dict[str, Any]]:
    """The same by lab (lowest participation first, flagged below the threshold), region or post."""
    if by == "post":
        stmt = _sittings_of(ids, f, PersonPost.post, *_exam_measures()).join(
            PersonPost, PersonPost.person_id == Person.id
        )
        rows = {r.post: r for r in db.session.execute(stmt.group_by(PersonPost.post))}
        return [
            _exam_row(rows[p.value], post=p.value, label=str(POST_LABELS[p])) for p in Post if p.value in rows
        ]
    if by == "region":
        stmt = _sittings_of(ids, f, Lab.region, *_exam_measures()).group_by(Lab.region).order_by(Lab.region)
        return [_exam_row(r, region=r.region) for r in db.session.execute(stmt)]
    stmt = _sittings_of(ids, f, Lab.id, Lab.code, Lab.name, Lab.region, *_exam_measures()).group_by(
        Lab.id, Lab.code, Lab.name, Lab.region
    )
    return _flag(
        [
            _exam_row(r, lab_id=r.id, code=r.code, name=r.name, region=r.region)
            for r in db.session.execute(stmt)
        ]
    )


def _flag(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    bar = threshold()
    for row in rows:
        row["below_threshold"] = row["participation"] is not None and row["participation"] < bar
    return sorted(
        rows, key=lambda r: (r["participation"] if r["participation"] is not None else 2, r["code"])
    )


def exam_totals(f: Filters) -> dict[str, Any]:
    """Exams held in the period (contests aside) and their participation and pass rate."""
    r = db.session.execute(
        _sittings(f, func.count(func.distinct(Exam.id)).label("exams"), *_exam_measures())
    ).one()
    return _exam_row(r, exams=int(r.exams or 0))


def exams_by_exam(f: Filters) -> list[dict[str, Any]]:
    """Each exam held in the period with its participation and pass rate."""
    stmt = _sittings(
        f, Exam.id, Exam.title, Exam.kind, Exam.held_on, Exam.pass_mark, *_exam_measures()
    ).group_by(Exam.id, Exam.title, Exam.kind, Exam.held_on, Exam.pass_mark)
    rows = [
        _exam_row(r, id=r.id, title=r.title, kind=r.kind, held_on=r.held_on, pass_mark=r.pass_mark)
        for r in db.session.execute(stmt)
    ]
    return sorted(rows, key=lambda r: (r["held_on"], r["id"]))


def exams_by_lab(f: Filters) -> list[dict[str, Any]]:
    """Participation and pass rate per lab, flagged below the threshold (lowest participation first)."""
    stmt = _sittings(f, Lab.id, Lab.code, Lab.name, Lab.region, *_exam_measures(), with_lab=True).group_by(
        Lab.id, Lab.code, Lab.name, Lab.region
    )
    bar = threshold()
    rows = []
    for r in db.session.execute(stmt):
        row = _exam_row(r, lab_id=r.id, code=r.code, name=r.name, region=r.region)
        row["below_threshold"] = row["participation"] is not None and row["participation"] < bar
        rows.append(row)
    return sorted(
        rows, key=lambda r: (r["participation"] if r["participation"] is not None else 2, r["code"])
    )


def exams_by_region(f: Filters) -> list[dict[str, Any]]:
    """Participation and pass rate per region."""
    stmt = (
        _sittings(f, Lab.region, *_exam_measures(), with_lab=True).group_by(Lab.region).order_by(Lab.region)
    )
    return [_exam_row(r, region=r.region) for r in db.session.execute(stmt)]


def exams_by_post(f: Filters) -> list[dict[str, Any]]:
    """Participation and pass rate per post of those required (a person with two posts counts twice)."""
    stmt = (
        _sittings(f, PersonPost.post, *_exam_measures())
        .join(PersonPost, PersonPost.person_id == ExamResult.person_id)
        .group_by(PersonPost.post)
    )
    rows = {r.post: r for r in db.session.execute(stmt)}
    return [
        _exam_row(rows[p.value], post=p.value, label=str(POST_LABELS[p])) for p in Post if p.value in rows
    ]


def contests(f: Filters) -> list[dict[str, Any]]:
    """Skills contests held in the period, with their entrants and how many sat every part."""
    held = select(Exam).where(
        Exam.kind == ExamKind.CONTEST.value, Exam.held_on >= f.date_from, Exam.held_on <= f.date_to
    )
    out = []
    for contest in db.session.scalars(held.order_by(Exam.held_on)):
        part_ids = [p.id for p in contest.parts]
        stmt = (
            select(
                func.count(func.distinct(ExamResult.person_id)).label("entrants"),
                func.count(func.distinct(Person.lab_id)).label("labs"),
                func.coalesce(func.sum(case((ExamResult.status == Sitting.SAT.value, 1), else_=0)), 0).label(
                    "sittings"
                ),
            )
            .select_from(ExamResult)
            .join(Person, ExamResult.person_id == Person.id)
            .join(Lab, Person.lab_id == Lab.id)
            .where(ExamResult.exam_id.in_(part_ids or [-1]))
        )
        r = db.session.execute(f.people(stmt)).one()
        out.append(
            {
                "id": contest.id,
                "title": contest.title,
                "held_on": contest.held_on,
                "parts": [p.title for p in contest.parts],
                "entrants": int(r.entrants or 0),
                "labs": int(r.labs or 0),
                "sittings": int(r.sittings or 0),
            }
        )
    return out


def upcoming_exams(scope: int | None = None, limit: int = 5) -> list[dict[str, Any]]:
    """Exams still to come (contests included), soonest first, with how many must sit."""
    stmt = (
        select(Exam.id, Exam.title, Exam.kind, Exam.held_on, func.count(ExamResult.id).label("required"))
        .outerjoin(ExamResult, ExamResult.exam_id == Exam.id)
        .outerjoin(Person, ExamResult.person_id == Person.id)
        .where(Exam.held_on > today(), Exam.contest_id.is_(None))
        .group_by(Exam.id, Exam.title, Exam.kind, Exam.held_on)
        .order_by(Exam.held_on, Exam.id)
        .limit(limit)
    )
    if scope is not None:
        stmt = stmt.where((Person.lab_id == scope) | (ExamResult.id.is_(None)))
    return [dict(r._mapping) for r in db.session.execute(stmt)]


# --- the whole report ------------------------------------------------------------------------


def training_report(f: Filters, *, by_lab: bool = True) -> dict[str, Any]:
    """Every figure of the training and exam report for the filters."""
    report = {
        "date_from": f.date_from,
        "date_to": f.date_to,
        "as_of": f.on,
        "region": f.region,
        "post": f.post,
        "narrowed": f.narrowed,
        "threshold": threshold(),
        "training": training_totals(f),
        "by_month": training_by_month(f),
        "by_organiser": training_by_organiser(f),
        "by_region": training_by_region(f),
        "by_post": training_by_post(f),
        "exams": exam_totals(f),
        "exam_list": exams_by_exam(f),
        "exams_by_region": exams_by_region(f),
        "exams_by_post": exams_by_post(f),
        "contests": contests(f),
    }
    report["by_lab"] = training_by_lab(f) if by_lab else []
    report["exams_by_lab"] = exams_by_lab(f)
    report["labs_below"] = [r for r in report["exams_by_lab"] if r["below_threshold"]]
    return report
