"""Training sessions and attendances: recording them, who attended, a person's training record
and hours per person per year.

An attendance (人次) is one person at one session; its hours are the session's unless the person
attended only part of it. External attendees (people from outside the labs of the system) are
counted on the session without names.
"""

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, extract, func, or_, select
from sqlalchemy.orm import selectinload

from labtrack import parsing
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.parsing import Fields, ParseError
from labtrack.personnel import policy
from labtrack.personnel.models import Attendance, Organiser, Person, TrainingSession
from labtrack.personnel.people import find_by_staff_no
from labtrack.services import Forbidden, InvalidInput, load, transaction

HOURS_MAX = 2000.0  # a session's study hours (a year-long programme at most)
_SPLIT = re.compile(r"[\s,;，；、]+")


def hours_of():
    """An attendance's hours: its own when the person attended part of the session, else the session's."""
    return func.coalesce(Attendance.hours, TrainingSession.hours)


def get_session(actor: Any, session_id: int) -> TrainingSession:
    """The session with this id, if the actor may see it (else 404)."""
    return load(
        TrainingSession,
        session_id,
        visible=lambda s: policy.sees_session(actor, s),
        what=_("training session"),
    )


def sessions_query(
    actor: Any,
    *,
    q: str | None = None,
    year: int | None = None,
    organiser: str | None = None,
    lab_id: int | None = None,
) -> Select:
    """Sessions the actor sees with their named and total attendances, newest first."""
    named = (
        select(func.count())
        .select_from(Attendance)
        .where(Attendance.session_id == TrainingSession.id)
        .correlate(TrainingSession)
        .scalar_subquery()
    )
    stmt = select(TrainingSession, named.label("named")).options(selectinload(TrainingSession.organiser_lab))
    stmt = policy.narrow_sessions(stmt, TrainingSession.organiser_lab_id, actor)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(TrainingSession.title.ilike(like), TrainingSession.topic.ilike(like)))
    if year:
        stmt = stmt.where(
            TrainingSession.starts_on >= date(year, 1, 1), TrainingSession.starts_on <= date(year, 12, 31)
        )
    if organiser:
        stmt = stmt.where(TrainingSession.organiser == organiser)
    if lab_id is not None:
        stmt = stmt.where(TrainingSession.organiser_lab_id == lab_id)
    return stmt.order_by(TrainingSession.starts_on.desc(), TrainingSession.id.desc())


def _organiser_lab(value: Any, actor: Any) -> Lab | None:
    code = parsing.code(value, required=False)
    if code is None:
        return None
    lab = db.session.scalar(select(Lab).where(Lab.code == code))
    if lab is None or not policy.sees_lab(actor, lab.id):
        raise ParseError(_("No such laboratory."))
    return lab


def parse_session(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Check a session's fields (every error at once); InvalidInput naming the fields otherwise."""
    f = Fields(data)
    values = {
        "title": f.get("title", parsing.name),
        "topic": f.get("topic", parsing.name, required=False),
        "organiser": f.get("organiser", parsing.choice, [o.value for o in Organiser]),
        "starts_on": f.get("starts_on", parsing.day),
        "ends_on": f.get("ends_on", parsing.day, required=False),
        "hours": f.get("hours", parsing.number, positive=True, maximum=HOURS_MAX),
        "place": f.get("place", parsing.name, required=False, max_len=parsing.SHORT_MAX),
        "external_attendees": f.get("external_attendees", parsing.integer, required=False) or 0,
        "notes": f.get("notes", parsing.text, required=False),
    }
    lab = f.get("organiser_lab", _organiser_lab, actor)
    if values["ends_on"] is None:
        values["ends_on"] = values["starts_on"]
    try:
        parsing.date_range(values["starts_on"], values["ends_on"])
    except ParseError as exc:
        f.add("ends_on", exc.message)
    if values["organiser"] == Organiser.LAB and lab is None and "organiser_lab" not in f.errors:
        f.add("organiser_lab", _("Name the laboratory that ran the session."))
    if values["organiser"] not in (None, Organiser.LAB.value) and lab is not None:
        f.add("organiser_lab", _("Only a session the laboratory ran itself names a laboratory."))
    if (
        values["hours"]
        and values["starts_on"]
        and values["ends_on"]
        and values["ends_on"] >= values["starts_on"]
    ):
        days = (values["ends_on"] - values["starts_on"]).days + 1
        if values["hours"] > 24 * days:
            f.add("hours", _("More hours than the session's %(n)d day(s) hold.", n=days))
    f.raise_if_any(_("The training session could not be saved."))
    values["organiser_lab_id"] = lab.id if lab is not None and values["organiser"] == Organiser.LAB else None
    return values


def _check_attendees_fit(session: TrainingSession, values: dict[str, Any]) -> None:
    """A changed organiser or dates must still suit everyone recorded as attending."""
    attendees = list(
        db.session.scalars(select(Person).join(Attendance).where(Attendance.session_id == session.id))
    )
    errors: dict[str, list[str]] = {}
    lab_id = values["organiser_lab_id"]
    strangers = [p for p in attendees if lab_id is not None and p.lab_id != lab_id]
    if strangers:
        errors["organiser_lab"] = [
            _(
                "%(n)d attendee(s) work at other laboratories, e.g. %(name)s.",
                n=len(strangers),
                name=strangers[0].name,
            )
        ]
    absent = [p for p in attendees if not _worked_during(p, values["starts_on"], values["ends_on"])]
    if absent:
        errors["starts_on"] = [
            _("%(name)s did not work at the laboratory during these dates.", name=absent[0].name)
        ]
    longest = db.session.scalar(select(func.max(Attendance.hours)).where(Attendance.session_id == session.id))
    if longest is not None and longest > values["hours"]:
        errors["hours"] = [_("An attendee is recorded with %(h)s hours, more than this.", h=longest)]
    if errors:
        raise InvalidInput(_("The training session could not be saved."), errors)


def create_session(actor: Any, data: dict[str, Any]) -> TrainingSession:
    """Record a training session (its attendees are added afterwards, or imported)."""
    values = parse_session(actor, data)
    if not policy.may_record_session(actor, values["organiser"], values["organiser_lab_id"]):
        raise Forbidden(_("You may record only the training sessions your laboratory runs itself."))
    with transaction(actor):
        session = TrainingSession(**values)
        db.session.add(session)
    return session


def update_session(actor: Any, session: TrainingSession, data: dict[str, Any]) -> TrainingSession:
    """Change a session; its attendees must still fit its organiser and dates."""
    if not policy.may_edit_session(actor, session):
        raise Forbidden(_("You may not change this training session."))
    values = parse_session(actor, data)
    if not policy.may_record_session(actor, values["organiser"], values["organiser_lab_id"]):
        raise Forbidden(_("You may record only the training sessions your laboratory runs itself."))
    _check_attendees_fit(session, values)
    with transaction(actor):
        for key, value in values.items():
            setattr(session, key, value)
    return session


def delete_session(actor: Any, session: TrainingSession) -> None:
    """Remove a session recorded by mistake, with its attendances (the history keeps them)."""
    if not policy.may_edit_session(actor, session):
        raise Forbidden(_("You may not change this training session."))
    with transaction(actor):
        for attendance in db.session.scalars(select(Attendance).where(Attendance.session_id == session.id)):
            db.session.delete(attendance)
        db.session.delete(session)


def _worked_during(person: Person, start: date, end: date) -> bool:
    return person.employed_from <= end and (person.employed_to is None or person.employed_to >= start)


def attendance_problem(actor: Any, session: TrainingSession, person: Person) -> str | None:
    """Why this person cannot be recorded as attending this session (None: they can)."""
    if not policy.may_record_attendance(actor, session, person):
        return _("You may record the attendance of your own laboratory's people only.")
    if session.organiser_lab_id is not None and person.lab_id != session.organiser_lab_id:
        return _(
            "%(name)s works at another laboratory; this session was run by %(lab)s for its own people.",
            name=person.name,
            lab=session.organiser_lab.code,
        )
    if not _worked_during(person, session.starts_on, session.ends_on):
        return _("%(name)s did not work at the laboratory during the session.", name=person.name)
    return None


def parse_staff_numbers(value: Any) -> list[str]:
    """Staff numbers separated by spaces, commas or semicolons (each checked as a code)."""
    text = parsing.text(value, max_len=20_000)
    numbers = [n for n in _SPLIT.split(text) if n]
    for number in numbers:
        parsing.code(number, max_len=32)
    return numbers


def add_attendees(actor: Any, session: TrainingSession, data: dict[str, Any]) -> int:
    """Record that people of one lab (by staff number) attended; every problem is listed and
    nothing is recorded while there is one. Returns how many were added."""
    f = Fields(data)
    lab_code = f.get("lab", parsing.code)
    numbers = f.get("staff_numbers", parse_staff_numbers) or []
    hours = f.get("hours", parsing.number, required=False, positive=True, maximum=session.hours)
    f.raise_if_any(_("The attendance could not be recorded."))
    lab = db.session.scalar(select(Lab).where(Lab.code == lab_code))
    if lab is None or not policy.sees_lab(actor, lab.id):
        raise InvalidInput(_("The attendance could not be recorded."), {"lab": [_("No such laboratory.")]})
    problems: list[str] = []
    people: list[Person] = []
    for number in dict.fromkeys(numbers):
        person = find_by_staff_no(lab.id, number)
        if person is None:
            problems.append(_("%(lab)s has nobody with staff number %(no)s.", lab=lab.code, no=number))
            continue
        problem = attendance_problem(actor, session, person)
        if problem:
            problems.append(problem)
        elif _attended(session.id, person.id):
            problems.append(_("%(name)s is already recorded as attending.", name=person.name))
        else:
            people.append(person)
    if problems:
        raise InvalidInput(_("The attendance could not be recorded."), {"staff_numbers": problems})
    with transaction(actor):
        for person in people:
            db.session.add(Attendance(session_id=session.id, person_id=person.id, hours=hours))
    return len(people)


def _attended(session_id: int, person_id: int) -> bool:
    return (
        db.session.scalar(
            select(Attendance.id).where(
                Attendance.session_id == session_id, Attendance.person_id == person_id
            )
        )
        is not None
    )


def remove_attendance(actor: Any, session: TrainingSession, person: Person) -> None:
    """Remove one person's attendance recorded by mistake."""
    if not policy.may_record_attendance(actor, session, person):
        raise Forbidden(_("You may record the attendance of your own laboratory's people only."))
    attendance = db.session.scalar(
        select(Attendance).where(Attendance.session_id == session.id, Attendance.person_id == person.id)
    )
    if attendance is None:
        raise InvalidInput(_("%(name)s is not recorded as attending.", name=person.name), {})
    with transaction(actor):
        db.session.delete(attendance)


def attendees_query(actor: Any, session: TrainingSession) -> Select:
    """The session's attendees the actor may see (a lab manager: their own people), by lab and name."""
    stmt = (
        select(Person, Attendance.hours, Lab.code.label("lab_code"))
        .join(Attendance, Attendance.person_id == Person.id)
        .join(Lab, Person.lab_id == Lab.id)
        .where(Attendance.session_id == session.id)
        .order_by(Lab.code, Person.name)
    )
    return policy.narrow(stmt, Person.lab_id, actor)


def attendance_counts(session: TrainingSession) -> dict[str, int]:
    """Named and external attendances of a session, and their total (人次)."""
    named = db.session.scalar(
        select(func.count()).select_from(Attendance).where(Attendance.session_id == session.id)
    )
    named = int(named or 0)
    return {
        "named": named,
        "external": session.external_attendees,
        "total": named + session.external_attendees,
    }


def lab_sessions(lab_id: int, limit: int = 10) -> list:
    """The latest sessions the lab's people attended (or the lab ran), with how many of them went."""
    attended = (
        select(Attendance.session_id.label("sid"), func.count().label("n"))
        .join(Person, Attendance.person_id == Person.id)
        .where(Person.lab_id == lab_id)
        .group_by(Attendance.session_id)
        .subquery()
    )
    ran = select(TrainingSession.id).where(TrainingSession.organiser_lab_id == lab_id)
    stmt = (
        select(TrainingSession, func.coalesce(attended.c.n, 0).label("attended"))
        .outerjoin(attended, attended.c.sid == TrainingSession.id)
        .where(or_(TrainingSession.id.in_(select(attended.c.sid)), TrainingSession.id.in_(ran)))
        .order_by(TrainingSession.starts_on.desc(), TrainingSession.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(stmt))


# --- a person's record -----------------------------------------------------------------------


def person_sessions(person: Person) -> list:
    """Every session the person attended, newest first, with the hours counted for them."""
    stmt = (
        select(TrainingSession, hours_of().label("hours"))
        .join(Attendance, Attendance.session_id == TrainingSession.id)
        .where(Attendance.person_id == person.id)
        .order_by(TrainingSession.starts_on.desc(), TrainingSession.id.desc())
    )
    return list(db.session.execute(stmt))


def hours_by_year(person: Person) -> list:
    """Sessions and hours per calendar year of the sessions' first day, newest year first."""
    year = extract("year", TrainingSession.starts_on)
    stmt = (
        select(year.label("year"), func.count().label("sessions"), func.sum(hours_of()).label("hours"))
        .select_from(Attendance)
        .join(TrainingSession, Attendance.session_id == TrainingSession.id)
        .where(Attendance.person_id == person.id)
        .group_by(year)
        .order_by(year.desc())
    )
    return [
        {"year": int(r.year), "sessions": int(r.sessions), "hours": float(r.hours or 0)}
        for r in db.session.execute(stmt)
    ]


def hours_in_year(person_ids: list[int], year: int) -> dict[int, float]:
    """Each person's training hours in a calendar year (people without any are left out)."""
    if not person_ids:
        return {}
    stmt = (
        select(Attendance.person_id, func.sum(hours_of()))
        .join(TrainingSession, Attendance.session_id == TrainingSession.id)
        .where(
            Attendance.person_id.in_(person_ids),
            TrainingSession.starts_on >= date(year, 1, 1),
            TrainingSession.starts_on <= date(year, 12, 31),
        )
        .group_by(Attendance.person_id)
    )
    return {pid: float(h or 0) for pid, h in db.session.execute(stmt)}


def current_year() -> int:
    """This calendar year (the people page's hours are this year's)."""
    return today().year
