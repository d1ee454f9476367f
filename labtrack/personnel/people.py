"""A lab's people: finding, listing, adding, changing, recording leaving, removing a mistake; their
posts and the user account that belongs to them."""

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import selectinload

from labtrack import parsing
from labtrack.auth.models import User
from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.parsing import Fields, ParseError, code_key
from labtrack.personnel import policy
from labtrack.personnel.exams import sync_candidacies
from labtrack.personnel.models import (
    POST_LABELS,
    Attendance,
    Authorisation,
    ExamResult,
    FindingPerson,
    Person,
    PersonPost,
    Post,
    ResultAnalyst,
    employed_on,
)
from labtrack.personnel.values import parse_posts
from labtrack.services import Conflict, Forbidden, InvalidInput, load, load_by, transaction

STAFF_NO_MAX = 32
PHONE_MAX = 40
EMAIL_MAX = 254
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
STATUSES = ("current", "left", "all")

# --- loading ---------------------------------------------------------------------------------


def get_person(actor: Any, person_id: int) -> Person:
    """The person with this id, if the actor may see them (else 404)."""
    return load(Person, person_id, visible=lambda p: policy.sees_person(actor, p), what=_("person"))


def get_lab(actor: Any, code: str) -> Lab:
    """The lab with this code, if the actor may see its people (else 404)."""
    return load_by(
        Lab, Lab.code, code, visible=lambda lab: policy.sees_lab(actor, lab.id), what=_("laboratory")
    )


def get_lab_by_id(lab_id: int) -> Lab | None:
    """A lab by id (for the lab a user is confined to)."""
    return db.session.get(Lab, lab_id)


def people_query(
    actor: Any,
    *,
    q: str | None = None,
    lab_id: int | None = None,
    region: str | None = None,
    post: str | None = None,
    status: str = "current",
    on: date | None = None,
) -> Select:
    """People the actor may see, searched (name, staff number, title) and filtered, by lab and name."""
    on = on or today()
    stmt = select(Person).join(Lab, Person.lab_id == Lab.id)
    stmt = policy.narrow(stmt, Person.lab_id, actor)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Person.name.ilike(like), Person.staff_no.ilike(like), Person.title.ilike(like)))
    if lab_id is not None:
        stmt = stmt.where(Person.lab_id == lab_id)
    if region:
        stmt = stmt.where(Lab.region == region)
    if post:
        stmt = stmt.where(exists().where(PersonPost.person_id == Person.id, PersonPost.post == post))
    if status == "current":
        stmt = stmt.where(employed_on(on))
    elif status == "left":
        stmt = stmt.where(Person.employed_to.is_not(None), Person.employed_to < on)
    return stmt.options(selectinload(Person.posts), selectinload(Person.lab)).order_by(
        Lab.code, Person.name, Person.staff_no
    )


def staff_of(lab_id: int, on: date | None = None) -> list[Person]:
    """The people working at a lab on a day (today), with their posts, by name."""
    stmt = (
        select(Person)
        .where(Person.lab_id == lab_id, employed_on(on or today()))
        .options(selectinload(Person.posts))
        .order_by(Person.name, Person.staff_no)
    )
    return list(db.session.scalars(stmt))


def find_by_staff_no(lab_id: int, staff_no: str) -> Person | None:
    """The lab's person with this staff number (compared as codes are: case and width folded)."""
    return db.session.scalar(
        select(Person).where(Person.lab_id == lab_id, Person.staff_key == code_key(staff_no))
    )


def has_records(person: Person) -> bool:
    """Whether anything refers to the person (then they are not removed, but recorded as left)."""
    checks = (
        (Attendance, Attendance.person_id),
        (ExamResult, ExamResult.person_id),
        (Authorisation, Authorisation.person_id),
        (FindingPerson, FindingPerson.person_id),
        (ResultAnalyst, ResultAnalyst.person_id),
    )
    return any(db.session.scalar(select(exists().where(column == person.id))) for _model, column in checks)


# --- parsing ---------------------------------------------------------------------------------


def _email(value: Any) -> str | None:
    value = parsing.text(value, required=False, max_len=EMAIL_MAX, multiline=False)
    if value is not None and not _EMAIL.match(value):
        raise ParseError(_("Not an e-mail address."))
    return value


def parse_person(data: dict[str, Any], lab: Lab, person: Person | None = None) -> dict[str, Any]:
    """Check a person's fields (every error at once); InvalidInput naming the fields otherwise."""
    f = Fields(data)
    values = {
        "staff_no": f.get("staff_no", parsing.code, max_len=STAFF_NO_MAX),
        "name": f.get("name", parsing.name, max_len=parsing.SHORT_MAX),
        "title": f.get("title", parsing.name, required=False, max_len=parsing.SHORT_MAX),
        "posts": f.get("posts", parse_posts),
        "employed_from": f.get("employed_from", parsing.day),
        "employed_to": f.get("employed_to", parsing.day, required=False),
        "phone": f.get("phone", parsing.name, required=False, max_len=PHONE_MAX),
        "email": f.get("email", _email),
        "notes": f.get("notes", parsing.text, required=False),
    }
    try:
        parsing.date_range(values["employed_from"], values["employed_to"])
    except ParseError as exc:
        f.add("employed_to", exc.message)
    if values["staff_no"]:
        clash = db.session.scalar(
            select(Person.id).where(
                Person.lab_id == lab.id,
                Person.staff_key == code_key(values["staff_no"]),
                Person.id != (person.id if person else -1),
            )
        )
        if clash is not None:
            f.add(
                "staff_no",
                _("Another person of this laboratory has staff number %(no)s.", no=values["staff_no"]),
            )
    f.raise_if_any(_("The person could not be saved."))
    return values


def _user(actor: Any, person: Person, username: Any) -> User | None:
    """The account named, checked: it exists, is of the person's lab, belongs to nobody else."""
    name = (
        parsing.text(username, required=False, max_len=64, multiline=False)
        if isinstance(username, str)
        else None
    )
    if not name:
        return None
    user = db.session.scalar(select(User).where(User.username == name))
    if user is None:
        raise InvalidInput(_("The person could not be saved."), {"username": [_("No such user account.")]})
    if not policy.may_link_user(actor, person, user):
        raise InvalidInput(
            _("The person could not be saved."),
            {
                "username": [
                    _("This account is not one of the laboratory's; it cannot belong to this person.")
                ]
            },
        )
    owner = db.session.scalar(
        select(Person.id).where(Person.user_id == user.id, Person.id != (person.id or -1))
    )
    if owner is not None:
        raise InvalidInput(
            _("The person could not be saved."),
            {"username": [_("This account already belongs to another person.")]},
        )
    return user


def set_posts(person: Person, posts: list[Post]) -> None:
    wanted = {p.value for p in posts}
    for row in list(person.posts):
        if row.post not in wanted:
            person.posts.remove(row)
    have = {row.post for row in person.posts}
    for post in posts:
        if post.value not in have:
            person.posts.append(PersonPost(post=post.value))


# --- changing --------------------------------------------------------------------------------


def create_person(actor: Any, lab: Lab, data: dict[str, Any]) -> Person:
    """Add a person to a lab, with their posts (and their user account, when named)."""
    if not policy.may_keep_people(actor, lab.id):
        raise Forbidden(_("You may not keep the people of this laboratory."))
    values = parse_person(data, lab)
    posts = values.pop("posts")
    with transaction(actor):
        person = Person(lab_id=lab.id, lab=lab, **values)
        person.user = _user(actor, person, data.get("username"))
        set_posts(person, posts)
        db.session.add(person)
        db.session.flush()
        sync_candidacies(person)
    return person


def update_person(actor: Any, person: Person, data: dict[str, Any]) -> Person:
    """Change a person's details and posts (the lab stays: someone moving is a new person there)."""
    if not policy.may_edit_person(actor, person):
        raise Forbidden(_("You may not keep the people of this laboratory."))
    values = parse_person(data, person.lab, person)
    posts = values.pop("posts")
    with transaction(actor):
        for key, value in values.items():
            setattr(person, key, value)
        if "username" in data:
            person.user = _user(actor, person, data.get("username"))
        set_posts(person, posts)
        db.session.flush()
        sync_candidacies(person)
    return person


def record_leaving(actor: Any, person: Person, data: dict[str, Any]) -> Person:
    """Record the last day a person worked at the lab: their open authorisations end that day and
    they no longer have to sit the exams after it."""
    if not policy.may_record_leaving(actor, person):
        if policy.may_edit_person(actor, person):
            raise InvalidInput(_("This person has already left."), {"left_on": [_("Already recorded.")]})
        raise Forbidden(_("You may not keep the people of this laboratory."))
    f = Fields(data)
    left_on = f.get("left_on", parsing.day)
    reason = f.get("reason", parsing.text, required=False, max_len=parsing.COMMENT_MAX)
    if left_on is not None and left_on < person.employed_from:
        f.add(
            "left_on",
            _("The last day cannot be before the person joined (%(d)s).", d=person.employed_from.isoformat()),
        )
    f.raise_if_any(_("The leaving could not be recorded."))
    with transaction(actor, reason):
        person.employed_to = left_on
        person.leave_reason = reason
        open_ended = select(Authorisation).where(
            Authorisation.person_id == person.id,
            or_(Authorisation.valid_to.is_(None), Authorisation.valid_to > left_on),
            Authorisation.valid_from <= left_on,
        )
        for authorisation in db.session.scalars(open_ended):
            authorisation.valid_to = left_on
        db.session.flush()
        sync_candidacies(person)
    return person


def delete_person(actor: Any, person: Person) -> None:
    """Remove a person entered by mistake (refused once anything refers to them)."""
    records = has_records(person)
    if not policy.may_delete_person(actor, person, records):
        if records and policy.may_edit_person(actor, person):
            raise Conflict(
                _(
                    "This person has training, exams, authorisations or results on record; record their leaving instead."
                )
            )
        raise Forbidden(_("You may not keep the people of this laboratory."))
    with transaction(actor):
        db.session.delete(person)


def person_history(person: Person, limit: int = 100) -> list[HistoryEntry]:
    """The newest history rows of a person, their posts and their authorisations (removed ones too)."""

    def children(table: str):
        return (
            select(HistoryEntry.record_id)
            .where(
                HistoryEntry.table_name == table,
                HistoryEntry.action == "insert",
                HistoryEntry.changes[("person_id", 1)].as_integer() == person.id,
            )
            .scalar_subquery()
        )

    clauses = [(HistoryEntry.table_name == "persons") & (HistoryEntry.record_id == person.id)]
    for table in ("person_posts", "authorisations"):
        clauses.append((HistoryEntry.table_name == table) & HistoryEntry.record_id.in_(children(table)))
    stmt = (
        select(HistoryEntry)
        .where(or_(*clauses))
        .order_by(HistoryEntry.at.desc(), HistoryEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def post_label(post: str) -> str:
    """A post in the user's language."""
    return str(POST_LABELS.get(post, post))


def headcount(lab_id: int, on: date | None = None) -> int:
    """How many people work at a lab on a day."""
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Person)
            .where(Person.lab_id == lab_id, employed_on(on or today()))
        )
        or 0
    )
