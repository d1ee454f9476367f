"""One output shape per audience: what a person, a session, an exam or an authorisation looks like
to a reader, used alike by the pages, the CSV / XLSX exports and the JSON API.

What the reader may see is decided once, by the policy: contact details and the linked account
only for those who see them (`person_schema(actor)`).
"""

from typing import Any

from marshmallow import Schema, fields

from labtrack.models_base import today
from labtrack.personnel import policy


class PersonSchema(Schema):
    """A person of a lab."""

    id = fields.Integer()
    lab_code = fields.Function(lambda p: p.lab.code)
    staff_no = fields.String()
    name = fields.String()
    title = fields.String(allow_none=True)
    posts = fields.Function(lambda p: p.post_codes)
    employed_from = fields.Date()
    employed_to = fields.Date(allow_none=True)
    current = fields.Function(lambda p: p.employed_on(today()), metadata={"description": "works there today"})
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    username = fields.Function(lambda p: p.user.username if p.user else None)


CONTACT_FIELDS = ("phone", "email", "username")
EXPORT_FIELDS = (
    "lab_code",
    "staff_no",
    "name",
    "posts",
    "title",
    "employed_from",
    "employed_to",
    "phone",
    "email",
)  # the people import's columns exactly: an export imported again changes nothing (accounts are
# linked on the person's page, not by file)


def person_schema(actor: Any, many: bool = False) -> PersonSchema:
    """The shape of a person for this reader (no contact details for read-only viewers)."""
    exclude = () if policy.sees_contacts(actor) else CONTACT_FIELDS
    return PersonSchema(many=many, exclude=exclude)


def export_header(actor: Any) -> list[str]:
    """The columns of the people export for this reader (the import's columns, in its order)."""
    shown = set(person_schema(actor).fields)
    return [name for name in EXPORT_FIELDS if name in shown]


def export_rows(actor: Any, people) -> list[list]:
    """People as rows under `export_header(actor)` (posts joined by ';', as the import reads them)."""
    header = export_header(actor)
    schema = person_schema(actor)
    rows = []
    for person in people:
        data = schema.dump(person)
        data["posts"] = ";".join(data["posts"])
        rows.append([data.get(column) for column in header])
    return rows


class SessionSchema(Schema):
    """A training session with its attendances."""

    id = fields.Integer()
    title = fields.String()
    topic = fields.String(allow_none=True)
    organiser = fields.String()
    organiser_lab = fields.Function(lambda s: s.organiser_lab.code if s.organiser_lab else None)
    starts_on = fields.Date()
    ends_on = fields.Date()
    hours = fields.Float()
    place = fields.String(allow_none=True)
    external_attendees = fields.Integer()
    named_attendees = fields.Integer(dump_only=True)
    attendances = fields.Integer(dump_only=True, metadata={"description": "named plus external (人次)"})


class AttendeeSchema(Schema):
    """One attendee of a session (the reader sees their own lab's people only, if confined)."""

    person_id = fields.Integer(attribute="id")
    lab_code = fields.Function(lambda p: p.lab.code)
    staff_no = fields.String()
    name = fields.String()


class ExamSchema(Schema):
    """An exam or skills contest, who must sit it, and (when held) its figures."""

    id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    held_on = fields.Date()
    pass_mark = fields.Float()
    all_labs = fields.Boolean()
    labs = fields.Function(lambda e: sorted(link.lab.code for link in e.labs))
    posts = fields.Function(lambda e: e.post_codes)
    contest_id = fields.Integer(allow_none=True)
    parts = fields.Function(lambda e: [{"id": p.id, "title": p.title, "kind": p.kind} for p in e.parts])


class ExamFiguresSchema(Schema):
    """Required, sat, absent, pending, passed, and the rates (fractions 0-1)."""

    required = fields.Integer()
    sat = fields.Integer()
    absent = fields.Integer()
    pending = fields.Integer()
    passed = fields.Integer()
    participation = fields.Float(allow_none=True)
    pass_rate = fields.Float(allow_none=True)
    mean_score = fields.Float(allow_none=True)


class CandidateSchema(Schema):
    """A person who must sit an exam, and their result."""

    person_id = fields.Integer()
    lab_code = fields.String()
    staff_no = fields.String()
    name = fields.String()
    named = fields.Boolean(metadata={"description": "entered by name, not by lab and post"})
    status = fields.String(metadata={"description": "pending, sat or absent"})
    score = fields.Float(allow_none=True)
    passed = fields.Boolean(allow_none=True)


def candidate_row(result, person, lab_code: str) -> dict[str, Any]:
    """A candidate as CandidateSchema reads it."""
    return {
        "person_id": person.id,
        "lab_code": lab_code,
        "staff_no": person.staff_no,
        "name": person.name,
        "named": result.named,
        "status": result.status,
        "score": result.score,
        "passed": result.passed,
    }


class AuthorisationSchema(Schema):
    """What a person may do: an item or category, perform or sign, dates, basis, status."""

    id = fields.Integer()
    person_id = fields.Integer()
    item_code = fields.Function(lambda a: a.item.code if a.item else None)
    category_code = fields.Function(lambda a: a.category.code if a.category else None)
    activity = fields.String()
    valid_from = fields.Date()
    valid_to = fields.Date(allow_none=True)
    basis = fields.String()
    basis_note = fields.String(allow_none=True)
    status = fields.String()
    status_on = fields.Date(allow_none=True)
    status_reason = fields.String(allow_none=True)
    in_force = fields.Function(lambda a: a.in_force_on(today()))
    outside_scope = fields.Boolean(metadata={"description": "granted although the lab did not hold it"})


class CoveragePersonSchema(Schema):
    """A person named in the coverage of an item."""

    id = fields.Integer()
    name = fields.String()


class CoverageRowSchema(Schema):
    """An item the lab holds and who may perform it (and sign for it) on the day."""

    item_code = fields.String()
    item_name = fields.String()
    category_code = fields.String()
    category_name = fields.String()
    performers = fields.List(fields.Nested(CoveragePersonSchema))
    signatories = fields.List(fields.Nested(CoveragePersonSchema))
    covered = fields.Boolean(metadata={"description": "someone may perform it"})
