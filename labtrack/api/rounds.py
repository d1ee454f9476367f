"""Comparison rounds in the JSON API: create, list, change, open and close, results, evaluate, publish.

Each function loads through the service (NotFound -> 404), calls it (domain errors are answered
once, by `labtrack.errors`) and answers `Seen(record, current_user)`, dumped by the schemas the
round page and the export use (`labtrack.proficiency.schemas`).
"""

from flask import url_for
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, pre_load, validate
from sqlalchemy.orm import selectinload

from labtrack import parsing
from labtrack.api.common import PageArgs, list_schema, paginate
from labtrack.api.fields import Code, Day, Name, Text
from labtrack.auth.permissions import Perm, require
from labtrack.proficiency import dispatch, evaluation, qualitative, results, service, studies
from labtrack.proficiency.models import (
    AssignedValueMethod,
    ItemCondition,
    Participant,
    Round,
    RoundKind,
    RoundStatus,
    ScoreBasis,
    SigmaMethod,
)
from labtrack.proficiency.schemas import (
    DispatchSchema,
    EvaluatedRoundSchema,
    HomogeneityStudySchema,
    RoundResultSchema,
    RoundSchema,
    RoundSummarySchema,
    Seen,
    StabilityStudySchema,
    UtcDateTime,
)

blp = Blueprint(
    "rounds_api", __name__, url_prefix="/api/v1", description="Comparison rounds and proficiency tests"
)


def _one_of(enum) -> validate.OneOf:
    return validate.OneOf([e.value for e in enum])


class RoundInSchema(Schema):
    """A new round (POST) or the fields to change (PATCH: any subset)."""

    code = Code(required=True)
    title = Name(required=True)
    kind = fields.String(required=True, validate=_one_of(RoundKind))
    organiser = Name(allow_none=True)
    measurand = Name(required=True)
    unit = Name(allow_none=True, max_len=service.UNIT_MAX)
    item_code = Code(allow_none=True, metadata={"description": "code of the catalogue's test item"})
    participants = fields.List(
        Code(),
        validate=validate.Length(max=service.PARTICIPANTS_MAX),
        metadata={"description": "lab codes invited"},
    )
    assigned_value_method = fields.String(required=True, validate=_one_of(AssignedValueMethod))
    x_pt = fields.Float(allow_none=True)
    u_x_pt = fields.Float(allow_none=True, validate=validate.Range(min=0))
    sigma_pt_method = fields.String(validate=_one_of(SigmaMethod))
    sigma_pt = fields.Float(allow_none=True, validate=validate.Range(min=0, min_inclusive=False))
    score_basis = fields.String(validate=_one_of(ScoreBasis))
    opens_on = Day(allow_none=True)
    closes_on = Day(allow_none=True)
    notes = Text(allow_none=True)
    split_level = fields.Boolean(
        metadata={"description": "two related items per participant (levels A and B): results carry value_b"}
    )
    x_pt_b = fields.Float(allow_none=True, metadata={"description": "level B's assigned value (split-level)"})
    u_x_pt_b = fields.Float(
        allow_none=True, validate=validate.Range(min=0), metadata={"description": "blank: level A's u_x_pt"}
    )
    sigma_pt_b = fields.Float(
        allow_none=True,
        validate=validate.Range(min=0, min_inclusive=False),
        metadata={"description": "blank: level A's sigma_pt"},
    )


class RoundPatchSchema(RoundInSchema):
    """Any subset of a round's fields (the code cannot change)."""


class _Filter(fields.Field):
    """A query-string filter read by the same parser as the round list page (the same messages)."""

    def __init__(self, parser, *args, **kwargs):
        self.parser = parser
        super().__init__(*args, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return self.parser(value)
        except parsing.ParseError as exc:
            raise ValidationError(str(exc.message)) from None

    def _validate(self, value):
        if value is not None:  # a blank filter is no filter; the validators describe the rest
            super()._validate(value)


class _IntegerFilter(_Filter, fields.Integer):
    pass


class _TextFilter(_Filter, fields.String):
    pass


class RoundQueryArgs(PageArgs):
    """Filters of the round list (parsed as the page parses them)."""

    page = _IntegerFilter(
        lambda v: parsing.integer(v, required=False, minimum=1, maximum=parsing.COUNT_MAX) or 1,
        load_default=1,
        validate=validate.Range(min=1, max=parsing.COUNT_MAX),
    )
    q = _TextFilter(
        lambda v: parsing.text(v, required=False, max_len=parsing.NAME_MAX, multiline=False),
        validate=validate.Length(max=parsing.NAME_MAX),
    )
    kind = _TextFilter(
        lambda v: parsing.choice(v, [k.value for k in RoundKind], required=False), validate=_one_of(RoundKind)
    )
    status = _TextFilter(
        lambda v: parsing.choice(v, [s.value for s in RoundStatus], required=False),
        validate=_one_of(RoundStatus),
    )
    year = _IntegerFilter(
        lambda v: parsing.year(v, required=False),
        validate=validate.Range(min=parsing.YEAR_MIN, max=parsing.YEAR_MAX),
    )


class RoundTransitionSchema(Schema):
    """Open or close a round."""

    to = fields.String(required=True, validate=validate.OneOf(["open", "closed"]))


class RoundResultInSchema(Schema):
    """One lab's result."""

    lab_code = Code(required=True)
    value = fields.Float(
        required=True, allow_none=True, metadata={"description": "null or left out in a qualitative round"}
    )
    answer = fields.String(load_default=None, metadata={"description": "required in a qualitative round"})
    value_b = fields.Float(
        allow_none=True, metadata={"description": "level B; required in a split-level round"}
    )
    expanded_uncertainty = fields.Float(allow_none=True, validate=validate.Range(min=0))
    coverage_factor = fields.Float(allow_none=True, validate=validate.Range(min=0, min_inclusive=False))
    method = Name(allow_none=True)

    @pre_load
    def _answer_needs_no_value(self, data, **_kwargs):
        """A qualitative round's row gives an answer and no value."""
        if isinstance(data, dict) and "value" not in data and data.get("answer") is not None:
            return {**data, "value": None}
        return data


class FindingRaisedSchema(Schema):
    """A finding raised by publishing a round."""

    finding_id = fields.Integer()
    lab_code = fields.String()
    reason = fields.String(metadata={"description": "unsatisfactory | second_questionable"})


class RoundPublishSchema(Schema):
    """A published round and the findings raised by this call (none when published before)."""

    code = fields.String()
    status = fields.String()
    published_at = UtcDateTime(allow_none=True)
    findings_raised = fields.List(fields.Nested(FindingRaisedSchema))


RoundListSchema = list_schema(RoundSummarySchema, "RoundList")


@blp.route("/rounds")
@require(Perm.ROUNDS_VIEW)
@blp.arguments(RoundQueryArgs, location="query")
@blp.response(200, RoundListSchema)
def list_rounds(args):
    """List rounds (a lab manager sees only those its lab takes part in, once open)."""
    page, per_page = args.pop("page"), args.pop("per_page")
    stmt = service.rounds_query(current_user, **args).options(
        selectinload(Round.participants).selectinload(Participant.lab),
        selectinload(Round.evaluation),
        selectinload(Round.item),
    )
    listing = paginate(stmt, page, per_page)
    listing["items"] = [Seen(r, current_user) for r in listing["items"]]
    return listing


@blp.route("/rounds/<code>")
@require(Perm.ROUNDS_VIEW)
@blp.response(200, RoundSchema)
def get_round(code):
    """One round with the results the caller may see."""
    return Seen(service.get_round(code, current_user, with_results=True), current_user)


@blp.route("/rounds", methods=["POST"])
@require(Perm.ROUNDS_MANAGE)
@blp.arguments(RoundInSchema)
@blp.response(201, RoundSchema)
def create_round(data):
    """Create a planned round and invite its labs."""
    rnd = service.create_round(data, current_user)
    return Seen(rnd, current_user), 201, {"Location": url_for("rounds_api.get_round", code=rnd.code)}


@blp.route("/rounds/<code>", methods=["PATCH"])
@require(Perm.ROUNDS_MANAGE)
@blp.arguments(RoundPatchSchema(partial=True))
@blp.response(200, RoundSchema)
def update_round(data, code):
    """Change some of a round's fields or its invited labs (any subset; until it is published)."""
    rnd = service.get_round(code, current_user)
    return Seen(service.update_round(rnd, data, current_user), current_user)


@blp.route("/rounds/<code>/transitions", methods=["POST"])
@require(Perm.ROUNDS_MANAGE)
@blp.arguments(RoundTransitionSchema)
@blp.response(200, RoundSchema)
def transition(data, code):
    """Open a round for results, or close it (409 if its state does not allow it)."""
    rnd = service.get_round(code, current_user)
    return Seen(service.transition(rnd, data["to"], current_user), current_user)


@blp.route("/rounds/<code>/results", methods=["POST"])
@require(Perm.RESULTS_ENTER)
@blp.arguments(RoundResultInSchema(many=True))
@blp.response(201, RoundResultSchema(many=True))
def post_results(rows, code):
    """Store a list of {lab_code, value, expanded_uncertainty?, coverage_factor?, method?} while the
    round is open: all or none; 422 names each bad entry by its index; 409 if another submission
    stored a result for one of these labs meanwhile."""
    rnd = service.get_round(code, current_user, with_results=True)
    stored = results.submit_results(rnd, rows, current_user)
    return [Seen(r, current_user) for r in stored], 201


@blp.route("/rounds/<code>/evaluate", methods=["POST"])
@require(Perm.ROUNDS_MANAGE)
@blp.response(200, EvaluatedRoundSchema)
def evaluate(code):
    """Evaluate a closed round by its methods and store every score and grade."""
    rnd = service.get_round(code, current_user)
    evaluation.evaluate_round(rnd, current_user)
    return Seen(rnd, current_user)


@blp.route("/rounds/<code>/publish", methods=["POST"])
@require(Perm.ROUNDS_MANAGE)
@blp.response(200, RoundPublishSchema)
def publish(code):
    """Publish an evaluated round; findings are raised for unsatisfactory (and repeated questionable)
    results, once."""
    rnd = service.get_round(code, current_user)
    links = evaluation.publish_round(rnd, current_user)
    return {
        "code": rnd.code,
        "status": rnd.status,
        "published_at": rnd.published_at,
        "findings_raised": [
            {"finding_id": link.finding_id, "lab_code": link.result.lab.code, "reason": link.reason}
            for link in links
        ],
    }


class HomogeneityInSchema(Schema):
    """A homogeneity study: one list of replicate results per item (at least 10 items, 2 replicates)."""

    replicates = fields.List(fields.List(fields.Float(allow_nan=False), required=True), required=True)
    sigma_pt = fields.Float(allow_none=True, validate=validate.Range(min=0, min_inclusive=False))
    notes = Text(allow_none=True)


class StabilityInSchema(Schema):
    """A stability study: the results before and after (at least 2 each)."""

    before = fields.List(fields.Float(allow_nan=False), required=True)
    after = fields.List(fields.Float(allow_nan=False), required=True)
    sigma_pt = fields.Float(allow_none=True, validate=validate.Range(min=0, min_inclusive=False))
    notes = Text(allow_none=True)


@blp.route("/rounds/<code>/homogeneity")
@require(Perm.ROUNDS_VIEW)
@blp.response(200, HomogeneityStudySchema)
def get_homogeneity(code):
    """The round's homogeneity study (404 until recorded, and for participants until published)."""
    return studies.seen_homogeneity(service.get_round(code, current_user), current_user)


@blp.route("/rounds/<code>/homogeneity", methods=["PUT"])
@require(Perm.ROUNDS_MANAGE)
@blp.arguments(HomogeneityInSchema)
@blp.response(200, HomogeneityStudySchema)
def put_homogeneity(data, code):
    """Record or replace the homogeneity study (before the round opens; 422 says what is required)."""
    rnd = service.get_round(code, current_user)
    return studies.record_homogeneity(
        rnd, data["replicates"], current_user, data.get("sigma_pt"), data.get("notes")
    )


@blp.route("/rounds/<code>/stability")
@require(Perm.ROUNDS_VIEW)
@blp.response(200, StabilityStudySchema)
def get_stability(code):
    """The round's stability study (404 until recorded, and for participants until published)."""
    return studies.seen_stability(service.get_round(code, current_user), current_user)


@blp.route("/rounds/<code>/stability", methods=["PUT"])
@require(Perm.ROUNDS_MANAGE)
@blp.arguments(StabilityInSchema)
@blp.response(200, StabilityStudySchema)
def put_stability(data, code):
    """Record or replace the stability study (until the round is evaluated)."""
    rnd = service.get_round(code, current_user)
    return studies.record_stability(
        rnd, data["before"], data["after"], current_user, data.get("sigma_pt"), data.get("notes")
    )


class DispatchInSchema(Schema):
    """Items sent on a day: to the labs named, or to every invited lab."""

    sent_on = Day(required=True)
    lab_codes = fields.List(Code(), load_default=None)


class ReceiptInSchema(Schema):
    """A lab's item arrived: when, and in what condition."""

    received_on = Day(required=True)
    condition = fields.String(required=True, validate=_one_of(ItemCondition))
    condition_note = Text(allow_none=True)


@blp.route("/rounds/<code>/dispatch")
@require(Perm.ROUNDS_VIEW)
@blp.response(200, DispatchSchema(many=True))
def get_dispatch(code):
    """Each participant's item as the caller may see it (a lab manager: its own)."""
    return dispatch.rows(service.get_round(code, current_user), current_user)


@blp.route("/rounds/<code>/dispatch", methods=["POST"])
@require(Perm.ROUNDS_MANAGE)
@blp.arguments(DispatchInSchema)
@blp.response(200, DispatchSchema(many=True))
def post_dispatch(data, code):
    """Record that items were sent (until the round closes); results then wait for their receipt."""
    rnd = service.get_round(code, current_user)
    dispatch.record_dispatch(rnd, data.get("lab_codes"), data["sent_on"], current_user)
    return dispatch.rows(rnd, current_user)


@blp.route("/rounds/<code>/participants/<lab_code>/receipt", methods=["POST"])
@require(Perm.RESULTS_ENTER)
@blp.arguments(ReceiptInSchema)
@blp.response(200, DispatchSchema)
def post_receipt(data, code, lab_code):
    """Record that a lab's item arrived (a lab manager for its own lab; 404 for another's)."""
    rnd = service.get_round(code, current_user)
    dispatch.record_receipt(rnd, lab_code, data, current_user)
    return next(r for r in dispatch.rows(rnd, current_user) if r["lab_code"] == lab_code)


class DesignInSchema(Schema):
    """How a round's results are given: quantitative, or qualitative with its answers."""

    result_type = fields.String(required=True, validate=validate.OneOf(qualitative.RESULT_TYPES))
    categories = fields.List(
        Text(), load_default=None, metadata={"description": "null: detected | not_detected"}
    )
    assigned_answer = fields.String(load_default=None)


@blp.route("/rounds/<code>/design", methods=["PUT"])
@require(Perm.ROUNDS_MANAGE)
@blp.arguments(DesignInSchema)
@blp.response(200, RoundSchema)
def put_design(data, code):
    """Set the kind of results and categories (until the round opens) and the assigned answer (until
    it is evaluated)."""
    rnd = service.get_round(code, current_user)
    return Seen(qualitative.set_design(rnd, data, current_user), current_user)
