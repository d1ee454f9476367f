"""People, training, exams and authorisations in the JSON API, with the training report.

DESIGN's interfaces: `GET /api/v1/labs/<code>/staff` and `GET /api/v1/reports/training?from=&to=&region=`.
Every refusal comes from the personnel services (mapped once to the error shape); what a reader
sees of a person is the personnel schemas' (no contact details for read-only viewers).
"""

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from labtrack.api.common import PageArgs, list_schema
from labtrack.api.fields import Code, Count, Day, Id, Name, Text
from labtrack.auth.permissions import Perm, require
from labtrack.extensions import db
from labtrack.models_base import today
from labtrack.personnel import (
    authorisations,
    exams,
    importers,
    links,
    pages_reports,
    people,
    reports,
    schemas,
    training,
)
from labtrack.personnel.models import ExamKind, Organiser, Person, Post
from labtrack.services import InvalidInput

blp = Blueprint(
    "personnel_api", __name__, url_prefix="/api/v1", description="People, training, exams and authorisations"
)

POSTS = [p.value for p in Post]


# --- shapes ----------------------------------------------------------------------------------


class PersonOut(Schema):
    """A person (phone, email and username only for readers who see contact details)."""

    id = fields.Integer()
    lab_code = fields.String()
    staff_no = fields.String()
    name = fields.String()
    title = fields.String(allow_none=True)
    posts = fields.List(fields.String())
    employed_from = fields.String(metadata={"format": "date"})
    employed_to = fields.String(allow_none=True, metadata={"format": "date"})
    current = fields.Boolean()
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    username = fields.String(allow_none=True)


PersonList = list_schema(PersonOut, "PersonList")


class PersonIn(Schema):
    """A person's fields (posts: codes, English names or Chinese words)."""

    staff_no = Code(required=True)
    name = Name(required=True, max_len=120)
    title = Name(allow_none=True, max_len=120)
    posts = fields.List(fields.String(validate=validate.Length(max=40)), required=True)
    employed_from = Day(required=True)
    employed_to = Day(allow_none=True)
    phone = Name(allow_none=True, max_len=40)
    email = fields.String(allow_none=True, validate=validate.Length(max=254))
    username = fields.String(allow_none=True, validate=validate.Length(max=64))
    notes = Text(allow_none=True)


class PersonCreate(PersonIn):
    """A new person: their lab and fields."""

    lab_code = Code(required=True)


class LeaveIn(Schema):
    """The last day a person worked at the lab, and why they left."""

    left_on = Day(required=True)
    reason = Text(allow_none=True, max_len=2000)


class PeopleArgs(PageArgs):
    """Filters of the people list."""

    q = fields.String(validate=validate.Length(max=120))
    lab = fields.String(validate=validate.Length(max=32))
    region = fields.String(validate=validate.Length(max=80))
    post = fields.String(validate=validate.OneOf(POSTS))
    status = fields.String(load_default="current", validate=validate.OneOf(people.STATUSES))


class StaffArgs(PageArgs):
    """?status=current (default) | left | all."""

    status = fields.String(load_default="current", validate=validate.OneOf(people.STATUSES))


class YearRow(Schema):
    """Sessions and hours of a calendar year."""

    year = fields.Integer()
    sessions = fields.Integer()
    hours = fields.Float()


class TrainingSessionRow(Schema):
    """A session a person attended and the hours counted for them."""

    id = fields.Integer()
    title = fields.String()
    organiser = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    hours = fields.Float()


class TrainingRecord(Schema):
    """A person's training record."""

    person_id = fields.Integer()
    by_year = fields.List(fields.Nested(YearRow))
    sessions = fields.List(fields.Nested(TrainingSessionRow))


class SessionOut(schemas.SessionSchema):
    """A training session with its attendances."""


SessionList = list_schema(SessionOut, "TrainingSessionList")


class SessionIn(Schema):
    """A training session's fields."""

    title = Name(required=True)
    topic = Name(allow_none=True)
    organiser = fields.String(required=True, validate=validate.OneOf([o.value for o in Organiser]))
    organiser_lab = Code(
        allow_none=True, metadata={"description": "the lab's code, for a session it ran itself"}
    )
    starts_on = Day(required=True)
    ends_on = Day(allow_none=True)
    hours = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False, max=2000))
    place = Name(allow_none=True, max_len=120)
    external_attendees = Count(load_default=0)
    notes = Text(allow_none=True)


class SessionArgs(PageArgs):
    """Filters of the session list."""

    q = fields.String(validate=validate.Length(max=120))
    year = fields.Integer(validate=validate.Range(min=1900, max=2199))
    organiser = fields.String(validate=validate.OneOf([o.value for o in Organiser]))


class AttendancesIn(Schema):
    """People of one lab who attended, by staff number."""

    lab_code = Code(required=True)
    staff_numbers = fields.List(Code(), required=True, validate=validate.Length(min=1, max=5000))
    hours = fields.Float(allow_none=True, metadata={"description": "only when they attended part of it"})


class AttendeeList(Schema):
    """The attendees the reader may see."""

    items = fields.List(fields.Nested(schemas.AttendeeSchema))
    meta = fields.Dict()


class ExamOut(schemas.ExamSchema):
    """An exam with its figures (for the reader: a lab manager, their own lab's)."""

    figures = fields.Nested(schemas.ExamFiguresSchema)


ExamList = list_schema(ExamOut, "ExamList")


class ExamIn(Schema):
    """An exam's or contest's fields."""

    title = Name(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in ExamKind]))
    held_on = Day(required=True)
    pass_mark = fields.Float(load_default=60.0, validate=validate.Range(min=0, max=100))
    all_labs = fields.Boolean(load_default=True)
    labs = fields.List(Code(), load_default=list)
    posts = fields.List(fields.String(validate=validate.OneOf(POSTS)), load_default=list)
    notes = Text(allow_none=True)


class ExamArgs(PageArgs):
    """Filters of the exam list."""

    year = fields.Integer(validate=validate.Range(min=1900, max=2199))
    kind = fields.String(validate=validate.OneOf([k.value for k in ExamKind]))


class ResultIn(Schema):
    """One result: the person (id, or lab code and staff number), sat or absent, the score."""

    person_id = Id()
    lab_code = fields.String(validate=validate.Length(max=32))
    staff_no = fields.String(validate=validate.Length(max=32))
    status = fields.String(required=True)
    score = fields.Raw(allow_none=True)


class ResultsIn(Schema):
    """Results to record (all or none)."""

    results = fields.List(
        fields.Nested(ResultIn), required=True, validate=validate.Length(min=1, max=200_000)
    )


class Recorded(Schema):
    """How many results were recorded."""

    recorded = fields.Integer()


CandidateList = list_schema(schemas.CandidateSchema, "CandidateList")


class AuthorisationIn(Schema):
    """An authorisation (an item code or a category code)."""

    item_code = Code(allow_none=True)
    category_code = Code(allow_none=True)
    activity = fields.String(required=True)
    valid_from = Day(required=True)
    valid_to = Day(allow_none=True)
    basis = fields.String(required=True)
    basis_note = Text(allow_none=True, max_len=2000)
    confirm_outside_scope = fields.Boolean(
        load_default=False, metadata={"description": "authorise although outside the lab's scope"}
    )


class StatusIn(Schema):
    """Suspend, withdraw (with a reason) or reinstate an authorisation."""

    to = fields.String(required=True, validate=validate.OneOf(["active", "suspended", "withdrawn"]))
    on = Day(allow_none=True)
    reason = Text(allow_none=True, max_len=2000)


class AuthorisationList(Schema):
    """A person's authorisations."""

    items = fields.List(fields.Nested(schemas.AuthorisationSchema))


class CoverageArgs(Schema):
    """?on=YYYY-MM-DD (today by default)."""

    on = fields.Date(load_default=None)


class CoverageOut(Schema):
    """Items the lab holds and who may perform them."""

    lab_code = fields.String()
    on = fields.Date()
    items = fields.Integer()
    covered = fields.Integer()
    rows = fields.List(fields.Nested(schemas.CoverageRowSchema))


class PersonRef(Schema):
    """A person named in a link."""

    id = fields.Integer()
    name = fields.String()
    staff_no = fields.String()


class FindingPersons(Schema):
    """The persons concerned by a finding."""

    finding_id = fields.Integer()
    persons = fields.List(fields.Nested(PersonRef))


class FindingPersonsIn(Schema):
    """The ids of the persons concerned (all of them: the list replaces the one before)."""

    person_ids = fields.List(Id(), required=True)


class AnalystOut(Schema):
    """The analyst of a comparison result (null: nobody named)."""

    result_id = fields.Integer()
    analyst = fields.Nested(PersonRef, allow_none=True)


class AnalystIn(Schema):
    """The analyst's person id, or null."""

    person_id = Id(allow_none=True, required=True)


# --- people ----------------------------------------------------------------------------------


def _page(stmt, args: dict) -> tuple[list, dict]:
    from labtrack.api.common import paginate

    page = paginate(stmt, args["page"], args["per_page"])
    return page["items"], page["meta"]


@blp.route("/people")
@require(Perm.PERSONNEL_VIEW)
@blp.arguments(PeopleArgs, location="query")
@blp.response(200, PersonList)
def list_people(args):
    """People of the labs the caller sees (a lab manager: their own), searched and filtered."""
    lab = people.get_lab(current_user, args["lab"]) if args.get("lab") else None
    stmt = people.people_query(
        current_user,
        q=args.get("q"),
        lab_id=lab.id if lab else None,
        region=args.get("region"),
        post=args.get("post"),
        status=args["status"],
    )
    items, meta = _page(stmt, args)
    return {"items": schemas.person_schema(current_user, many=True).dump(items), "meta": meta}


@blp.route("/labs/<code>/staff")
@require(Perm.PERSONNEL_VIEW)
@blp.arguments(StaffArgs, location="query")
@blp.response(200, PersonList)
def lab_staff(args, code):
    """A lab's staff (today's, or ?status=left|all), with their posts."""
    lab = people.get_lab(current_user, code)
    items, meta = _page(people.people_query(current_user, lab_id=lab.id, status=args["status"]), args)
    return {"items": schemas.person_schema(current_user, many=True).dump(items), "meta": meta}


@blp.route("/people", methods=["POST"])
@require(Perm.PERSONNEL_EDIT)
@blp.arguments(PersonCreate)
@blp.response(201, PersonOut)
def create_person(data):
    """Add a person to a lab."""
    lab = people.get_lab(current_user, data.pop("lab_code"))
    person = people.create_person(current_user, lab, data)
    body = schemas.person_schema(current_user).dump(person)
    return body, 201, {"Location": url_for("personnel_api.get_person", person_id=person.id)}


@blp.route("/people/<int:person_id>")
@require(Perm.PERSONNEL_VIEW)
@blp.response(200, PersonOut)
def get_person(person_id):
    """One person."""
    return schemas.person_schema(current_user).dump(people.get_person(current_user, person_id))


@blp.route("/people/<int:person_id>", methods=["PATCH"])
@require(Perm.PERSONNEL_EDIT)
@blp.arguments(PersonIn(partial=True))
@blp.response(200, PersonOut)
def update_person(data, person_id):
    """Change some of a person's fields (posts, when given, replace theirs)."""
    person = people.get_person(current_user, person_id)
    current = {
        "staff_no": person.staff_no,
        "name": person.name,
        "title": person.title,
        "posts": person.post_codes,
        "employed_from": person.employed_from,
        "employed_to": person.employed_to,
        "phone": person.phone,
        "email": person.email,
        "notes": person.notes,
    }
    person = people.update_person(current_user, person, {**current, **data})
    return schemas.person_schema(current_user).dump(person)


@blp.route("/people/<int:person_id>/leave", methods=["POST"])
@require(Perm.PERSONNEL_EDIT)
@blp.arguments(LeaveIn)
@blp.response(200, PersonOut)
def leave(data, person_id):
    """Record the last day a person worked at the lab (their open authorisations end that day)."""
    person = people.record_leaving(current_user, people.get_person(current_user, person_id), data)
    return schemas.person_schema(current_user).dump(person)


@blp.route("/people/<int:person_id>/training")
@require(Perm.PERSONNEL_VIEW)
@blp.response(200, TrainingRecord)
def person_training(person_id):
    """A person's training record: sessions and hours per year, and every session attended."""
    person = people.get_person(current_user, person_id)
    sessions = [
        {
            "id": s.id,
            "title": s.title,
            "organiser": s.organiser,
            "starts_on": s.starts_on,
            "ends_on": s.ends_on,
            "hours": float(h),
        }
        for s, h in training.person_sessions(person)
    ]
    return {"person_id": person.id, "by_year": training.hours_by_year(person), "sessions": sessions}


# --- authorisations --------------------------------------------------------------------------


@blp.route("/people/<int:person_id>/authorisations")
@require(Perm.PERSONNEL_VIEW)
@blp.response(200, AuthorisationList)
def list_authorisations(person_id):
    """A person's authorisations (in force first)."""
    return {"items": authorisations.of_person(people.get_person(current_user, person_id))}


@blp.route("/people/<int:person_id>/authorisations", methods=["POST"])
@require(Perm.PERSONNEL_EDIT)
@blp.arguments(AuthorisationIn)
@blp.response(201, schemas.AuthorisationSchema)
def grant(data, person_id):
    """Authorise a person; 422 when it overlaps another of theirs, falls outside their employment,
    or is outside the lab's scope without `confirm_outside_scope`."""
    a = authorisations.grant(current_user, people.get_person(current_user, person_id), data)
    return a, 201, {"Location": url_for("personnel_api.list_authorisations", person_id=person_id)}


@blp.route("/authorisations/<int:authorisation_id>/status", methods=["POST"])
@require(Perm.PERSONNEL_EDIT)
@blp.arguments(StatusIn)
@blp.response(200, schemas.AuthorisationSchema)
def authorisation_status(data, authorisation_id):
    """Suspend, withdraw or reinstate an authorisation."""
    a = authorisations.get_authorisation(current_user, authorisation_id)
    return authorisations.change_status(current_user, a, data)


@blp.route("/labs/<code>/authorisation-coverage")
@require(Perm.PERSONNEL_VIEW)
@blp.arguments(CoverageArgs, location="query")
@blp.response(200, CoverageOut)
def coverage(args, code):
    """Per item the lab holds on a day: who may perform it and sign for it."""
    lab = people.get_lab(current_user, code)
    on = args["on"] or today()
    summary = authorisations.coverage_summary(lab.id, on)
    return {"lab_code": lab.code, "on": on, **summary}


# --- training sessions -----------------------------------------------------------------------


def _session_out(session):
    counts = training.attendance_counts(session)
    session.named_attendees, session.attendances = counts["named"], counts["total"]
    return session


@blp.route("/training-sessions")
@require(Perm.PERSONNEL_VIEW)
@blp.arguments(SessionArgs, location="query")
@blp.response(200, SessionList)
def list_sessions(args):
    """Training sessions the caller sees, newest first."""
    from labtrack.personnel.paging import RowPagination

    stmt = training.sessions_query(
        current_user, q=args.get("q"), year=args.get("year"), organiser=args.get("organiser")
    )
    page = RowPagination(
        select=stmt,
        session=db.session(),
        page=args["page"],
        per_page=args["per_page"],
        max_per_page=None,
        error_out=False,
        count=True,
    )
    items = []
    for session, named in page.items:
        session.named_attendees, session.attendances = named, named + session.external_attendees
        items.append(session)
    return {"items": items, "meta": {"page": args["page"], "per_page": args["per_page"], "total": page.total}}


@blp.route("/training-sessions", methods=["POST"])
@require(Perm.PERSONNEL_EDIT)
@blp.arguments(SessionIn)
@blp.response(201, SessionOut)
def create_session(data):
    """Record a training session (a lab manager: one their lab ran itself)."""
    session = training.create_session(current_user, data)
    return (
        _session_out(session),
        201,
        {"Location": url_for("personnel_api.get_session", session_id=session.id)},
    )


@blp.route("/training-sessions/<int:session_id>")
@require(Perm.PERSONNEL_VIEW)
@blp.response(200, SessionOut)
def get_session(session_id):
    """One training session with its attendances."""
    return _session_out(training.get_session(current_user, session_id))


@blp.route("/training-sessions/<int:session_id>/attendees")
@require(Perm.PERSONNEL_VIEW)
@blp.arguments(PageArgs, location="query")
@blp.response(200, AttendeeList)
def session_attendees(args, session_id):
    """The attendees the caller may see (a lab manager: their own people)."""
    session = training.get_session(current_user, session_id)
    stmt = training.attendees_query(current_user, session).with_only_columns(Person)
    items, meta = _page(stmt, args)
    return {"items": items, "meta": meta}


@blp.route("/training-sessions/<int:session_id>/attendances", methods=["POST"])
@require(Perm.PERSONNEL_EDIT)
@blp.arguments(AttendancesIn)
@blp.response(200, SessionOut)
def add_attendances(data, session_id):
    """Record that people of one lab attended (all or none; 422 lists every problem)."""
    session = training.get_session(current_user, session_id)
    training.add_attendees(
        current_user,
        session,
        {
            "lab": data["lab_code"],
            "staff_numbers": " ".join(data["staff_numbers"]),
            "hours": data.get("hours"),
        },
    )
    return _session_out(session)


# --- exams -----------------------------------------------------------------------------------


def _exam_out(exam):
    from labtrack.personnel.pages_exams import exam_figures
    from labtrack.personnel.policy import confined_lab

    exam.figures = exam_figures(exam, confined_lab(current_user))
    return exam


@blp.route("/exams")
@require(Perm.PERSONNEL_VIEW)
@blp.arguments(ExamArgs, location="query")
@blp.response(200, ExamList)
def list_exams(args):
    """Exams and contests (not their parts), newest first, with their figures."""
    items, meta = _page(exams.exams_query(current_user, year=args.get("year"), kind=args.get("kind")), args)
    return {"items": [_exam_out(e) for e in items], "meta": meta}


@blp.route("/exams", methods=["POST"])
@require(Perm.TRAINING_MANAGE)
@blp.arguments(ExamIn)
@blp.response(201, ExamOut)
def create_exam(data):
    """Set up an exam (or a skills contest with its three parts) and list who must sit it."""
    exam = exams.create_exam(current_user, data)
    return _exam_out(exam), 201, {"Location": url_for("personnel_api.get_exam", exam_id=exam.id)}


@blp.route("/exams/<int:exam_id>")
@require(Perm.PERSONNEL_VIEW)
@blp.response(200, ExamOut)
def get_exam(exam_id):
    """One exam with who must sit it, its participation and pass rate."""
    return _exam_out(exams.get_exam(current_user, exam_id))


@blp.route("/exams/<int:exam_id>/candidates")
@require(Perm.PERSONNEL_VIEW)
@blp.arguments(PageArgs, location="query")
@blp.response(200, CandidateList)
def candidates(args, exam_id):
    """Who must sit the exam (a lab manager: their own people) and their results."""
    from labtrack.personnel.paging import RowPagination

    exam = exams.get_exam(current_user, exam_id)
    page = RowPagination(
        select=exams.candidates_query(current_user, exam),
        session=db.session(),
        page=args["page"],
        per_page=args["per_page"],
        max_per_page=None,
        error_out=False,
        count=True,
    )
    items = [schemas.candidate_row(r, p, code) for r, p, code in page.items]
    return {"items": items, "meta": {"page": args["page"], "per_page": args["per_page"], "total": page.total}}


@blp.route("/exams/<int:exam_id>/results", methods=["POST"])
@require(Perm.TRAINING_MANAGE)
@blp.arguments(ResultsIn)
@blp.response(200, Recorded)
def record_results(data, exam_id):
    """Record results (all or none): 422 lists each bad one by its index in `results`."""
    exam = exams.get_exam(current_user, exam_id)
    reason = exams.results_closed_reason(exam)
    if reason:
        from labtrack.services import Conflict

        raise Conflict(reason)
    rows = list(enumerate(data["results"]))
    clean, errors = importers.check_results(current_user, exam, rows)
    if errors:
        raise InvalidInput(
            _("No result was recorded: %(n)d problem(s).", n=len(errors)),
            {"results": [{"index": e.row, "field": e.column, "message": e.message} for e in errors]},
        )
    return {"recorded": exams.save_results(current_user, exam, clean)}


# --- links -----------------------------------------------------------------------------------


def _ref(person) -> dict:
    return {"id": person.id, "name": person.name, "staff_no": person.staff_no}


@blp.route("/findings/<int:finding_id>/persons")
@require(Perm.PERSONNEL_VIEW)
@blp.response(200, FindingPersons)
def finding_persons(finding_id):
    """The persons concerned by a finding."""
    finding = links.get_finding(current_user, finding_id)
    return {"finding_id": finding.id, "persons": [_ref(p) for p in links.persons_of_finding(finding.id)]}


@blp.route("/findings/<int:finding_id>/persons", methods=["PUT"])
@require(Perm.FINDINGS_EDIT)
@blp.arguments(FindingPersonsIn)
@blp.response(200, FindingPersons)
def set_finding_persons(data, finding_id):
    """Name the persons concerned by a finding of the area personnel and training."""
    finding = links.get_finding(current_user, finding_id)
    persons = links.set_finding_persons(current_user, finding, data["person_ids"])
    return {"finding_id": finding.id, "persons": [_ref(p) for p in persons]}


@blp.route("/results/<int:result_id>/analyst")
@require(Perm.PERSONNEL_VIEW)
@blp.response(200, AnalystOut)
def result_analyst(result_id):
    """The analyst named for a comparison result."""
    result = links.get_result(current_user, result_id)
    analyst = links.analyst_of(result.id)
    return {"result_id": result.id, "analyst": _ref(analyst) if analyst else None}


@blp.route("/results/<int:result_id>/analyst", methods=["PUT"])
@require(Perm.RESULTS_ENTER)
@blp.arguments(AnalystIn)
@blp.response(200, AnalystOut)
def set_result_analyst(data, result_id):
    """Name the lab's person who produced the result (null: nobody)."""
    result = links.get_result(current_user, result_id)
    analyst = links.set_analyst(current_user, result, data["person_id"])
    return {"result_id": result.id, "analyst": _ref(analyst) if analyst else None}


# --- the training report ---------------------------------------------------------------------


class ReportArgs(Schema):
    """?from=&to=&region=&lab=&post= (no dates: the calendar year of the latest session)."""

    date_from = fields.String(load_default=None, data_key="from", metadata={"description": "YYYY-MM-DD"})
    date_to = fields.String(load_default=None, data_key="to", metadata={"description": "YYYY-MM-DD"})
    region = fields.String(load_default=None)
    lab = fields.String(load_default=None, metadata={"description": "a lab code"})
    post = fields.String(load_default=None)


class Group(Schema):
    """Training figures of a group (organiser, month, region, lab or post)."""

    organiser = fields.String()
    month = fields.String()
    region = fields.String()
    code = fields.String(metadata={"description": "lab code"})
    name = fields.String()
    post = fields.String()
    label = fields.String()
    sessions = fields.Integer()
    attendances = fields.Integer()
    hours = fields.Float()
    people_trained = fields.Integer()
    headcount = fields.Integer()
    hours_per_person = fields.Float(allow_none=True)


class ExamGroup(schemas.ExamFiguresSchema):
    """Exam figures of an exam or a group (region, lab, post)."""

    id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    held_on = fields.Date()
    region = fields.String()
    code = fields.String()
    name = fields.String()
    post = fields.String()
    label = fields.String()
    below_threshold = fields.Boolean()


class Contest(Schema):
    """A skills contest held in the period."""

    id = fields.Integer()
    title = fields.String()
    held_on = fields.Date()
    parts = fields.List(fields.String())
    entrants = fields.Integer()
    labs = fields.Integer()


class TrainingReport(Schema):
    """The training report: DESIGN's six figures at the top (rates 0-1), the groups below."""

    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")
    region = fields.String(allow_none=True)
    post = fields.String(allow_none=True)
    sessions = fields.Integer()
    attendances = fields.Integer()
    hours = fields.Float()
    exams = fields.Integer()
    exam_participation = fields.Float(allow_none=True)
    exam_pass_rate = fields.Float(allow_none=True)
    named_attendances = fields.Integer()
    external_attendances = fields.Integer()
    people_trained = fields.Integer()
    threshold = fields.Float()
    by_month = fields.List(fields.Nested(Group))
    by_organiser = fields.List(fields.Nested(Group))
    by_region = fields.List(fields.Nested(Group))
    by_lab = fields.List(fields.Nested(Group))
    by_post = fields.List(fields.Nested(Group))
    exam_list = fields.List(fields.Nested(ExamGroup))
    exams_by_region = fields.List(fields.Nested(ExamGroup))
    exams_by_lab = fields.List(fields.Nested(ExamGroup))
    exams_by_post = fields.List(fields.Nested(ExamGroup))
    labs_below = fields.List(fields.Nested(ExamGroup))
    contests = fields.List(fields.Nested(Contest))
    exam_required = fields.Integer()
    exam_sat = fields.Integer()
    exam_passed = fields.Integer()


@blp.route("/reports/training")
@require(Perm.PERSONNEL_VIEW)
@blp.arguments(ReportArgs, location="query")
@blp.response(200, TrainingReport)
def training_report(args):
    """Sessions, attendances, hours, exams with participation and pass rates, by month, organiser,
    region, lab and post (a lab manager: their own lab's)."""
    query = {"from": args["date_from"], "to": args["date_to"], "region": args["region"], "lab": args["lab"]}
    query["post"] = args["post"]
    f = pages_reports.parse_report_args(current_user, {k: v for k, v in query.items() if v not in (None, "")})
    r = reports.training_report(f)
    t, e = r["training"], r["exams"]
    return {
        **r,
        "sessions": t["sessions"],
        "attendances": t["attendances"],
        "hours": t["hours"],
        "named_attendances": t["named_attendances"],
        "external_attendances": t["external_attendances"],
        "people_trained": t["people_trained"],
        "exams": e["exams"],
        "exam_required": e["required"],
        "exam_sat": e["sat"],
        "exam_passed": e["passed"],
        "exam_participation": e["participation"],
        "exam_pass_rate": e["pass_rate"],
    }
