"""Comparison rounds in the JSON API: create, list, open and close, results, evaluate, publish."""

from flask import request, url_for
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import selectinload

from labtrack.api.common import PageArgs, list_schema, paginate
from labtrack.auth.permissions import Perm, lab_scope_id, require
from labtrack.proficiency import evaluation, results, service
from labtrack.proficiency.models import (
    AssignedValueMethod,
    Participant,
    Round,
    RoundKind,
    RoundStatus,
    ScoreBasis,
    SigmaMethod,
)
from labtrack.services import DomainError

blp = Blueprint(
    "rounds_api", __name__, url_prefix="/api/v1", description="Comparison rounds and proficiency tests"
)


def _fail(exc: DomainError) -> None:
    """Answer a domain refusal in the API's error shape (409, 422, 403, 404)."""
    abort(exc.status, message=exc.message, errors=exc.errors)


class RoundEvaluationSchema(Schema):
    """What an evaluation used and found."""

    assigned_value_method = fields.String()
    sigma_pt_method = fields.String(allow_none=True)
    score_kind = fields.String()
    x_pt = fields.Float()
    u_x_pt = fields.Float()
    sigma_pt = fields.Float(allow_none=True)
    n = fields.Integer()
    iterations = fields.Integer()
    converged = fields.Boolean()
    x_star = fields.Float(allow_none=True)
    s_star = fields.Float(allow_none=True)
    z_prime_reason = fields.String(allow_none=True)
    reliability = fields.String()
    constants = fields.Dict()
    summary = fields.Dict()
    evaluated_at = fields.DateTime()


class RoundResultSchema(Schema):
    """A result; `lab_code` is null for other labs when a lab manager asks."""

    lab_code = fields.String(allow_none=True)
    participant_code = fields.String()
    value = fields.Float()
    expanded_uncertainty = fields.Float(allow_none=True)
    coverage_factor = fields.Float(allow_none=True)
    method = fields.String(allow_none=True)
    submitted_at = fields.DateTime()
    score = fields.Float(allow_none=True)
    score_kind = fields.String(allow_none=True)
    grade = fields.String(allow_none=True)


class RoundSchema(Schema):
    """A round; `code` is its key in every URL. x_pt, u_x_pt, sigma_pt: the evaluation's once evaluated."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in RoundKind]))
    organiser = fields.String(validate=validate.Length(max=200))
    measurand = fields.String(required=True, validate=validate.Length(min=1, max=200))
    unit = fields.String(validate=validate.Length(max=40))
    item_code = fields.String(allow_none=True)
    participants = fields.List(fields.String(), metadata={"description": "lab codes invited"})
    assigned_value_method = fields.String(
        required=True, validate=validate.OneOf([m.value for m in AssignedValueMethod])
    )
    x_pt = fields.Float(allow_none=True)
    u_x_pt = fields.Float(allow_none=True, validate=validate.Range(min=0))
    sigma_pt_method = fields.String(validate=validate.OneOf([m.value for m in SigmaMethod]))
    sigma_pt = fields.Float(allow_none=True, validate=validate.Range(min=0, min_inclusive=False))
    score_basis = fields.String(validate=validate.OneOf([b.value for b in ScoreBasis]))
    opens_on = fields.Date(allow_none=True)
    closes_on = fields.Date(allow_none=True)
    notes = fields.String(allow_none=True)
    status = fields.String(dump_only=True)
    published_at = fields.DateTime(dump_only=True, allow_none=True)
    evaluation = fields.Nested(RoundEvaluationSchema, dump_only=True, allow_none=True)
    results = fields.List(fields.Nested(RoundResultSchema), dump_only=True)


class RoundUpdateSchema(RoundSchema):
    """Any subset of a round's fields."""

    class Meta:
        partial = True


class RoundQueryArgs(PageArgs):
    """Filters of the round list."""

    q = fields.String()
    kind = fields.String()
    status = fields.String()
    year = fields.Integer()


class RoundTransitionSchema(Schema):
    """Open or close a round."""

    to = fields.String(required=True, metadata={"description": "open | closed"})


class RoundEvaluateSchema(Schema):
    """The evaluation of a round and every result's score."""

    code = fields.String()
    status = fields.String()
    x_pt = fields.Float()
    u_x_pt = fields.Float()
    sigma_pt = fields.Float(allow_none=True)
    score_kind = fields.String()
    n = fields.Integer()
    iterations = fields.Integer()
    reliability = fields.String()
    z_prime_reason = fields.String(allow_none=True)
    results = fields.List(fields.Nested(RoundResultSchema))


class RoundPublishSchema(Schema):
    """A published round and the findings raised by this call."""

    code = fields.String()
    status = fields.String()
    published_at = fields.DateTime()
    findings_raised = fields.List(fields.Dict())


RoundListSchema = list_schema(RoundSchema, "RoundList")


def result_json(result, identities: bool) -> dict:
    """A result as the current user may see it."""
    own = result.lab_id == lab_scope_id()
    return {
        "lab_code": result.lab.code if identities or own else None,
        "participant_code": result.participant.participant_code,
        "value": result.value,
        "expanded_uncertainty": result.expanded_uncertainty,
        "coverage_factor": result.coverage_factor,
        "method": result.method,
        "submitted_at": result.submitted_at,
        "score": result.score
        if result.round.status in (RoundStatus.EVALUATED, RoundStatus.PUBLISHED)
        else None,
        "score_kind": result.score_kind,
        "grade": result.grade,
    }


def round_json(rnd: Round, with_results: bool = True) -> dict:
    """A round as the current user may see it: a lab manager sees only its own identity, and the
    assigned value and scores only once the round is published."""
    identities = service.sees_identities()
    scope = lab_scope_id()
    revealed = identities or rnd.status == RoundStatus.PUBLISHED
    ev = rnd.evaluation if revealed else None
    data = {
        key: getattr(rnd, key)
        for key in ("code", "title", "kind", "organiser", "measurand", "unit", "item_code",
                    "assigned_value_method", "sigma_pt_method", "score_basis", "opens_on", "closes_on",
                    "notes", "status", "published_at")
    }  # fmt: skip
    data["participants"] = [p.lab.code for p in rnd.participants if identities or p.lab_id == scope]
    data["x_pt"] = ev.x_pt if ev else (rnd.x_pt if revealed else None)
    data["u_x_pt"] = ev.u_x_pt if ev else (rnd.u_x_pt if revealed else None)
    data["sigma_pt"] = ev.sigma_pt if ev else (rnd.sigma_pt if revealed else None)
    data["evaluation"] = ev
    if with_results:
        data["results"] = [result_json(r, identities) for r in service.visible_results(rnd)]
    return data


@blp.route("/rounds")
@require(Perm.ROUNDS_VIEW)
@blp.arguments(RoundQueryArgs, location="query")
@blp.response(200, RoundListSchema)
def list_rounds(args):
    """List rounds (a lab manager sees only those its lab takes part in)."""
    page, per_page = args.pop("page"), args.pop("per_page")
    stmt = service.rounds_query(**args).options(
        selectinload(Round.participants).selectinload(Participant.lab),
        selectinload(Round.evaluation),
        selectinload(Round.item),
    )
    listing = paginate(stmt, page, per_page)
    listing["items"] = [round_json(r, with_results=False) for r in listing["items"]]
    return listing


@blp.route("/rounds/<code>")
@require(Perm.ROUNDS_VIEW)
@blp.response(200, RoundSchema)
def get_round(code):
    """One round with the results the caller may see."""
    return round_json(service.get_round_or_404(code))


@blp.route("/rounds", methods=["POST"])
@require(Perm.ROUNDS_MANAGE)
@blp.arguments(RoundSchema)
@blp.response(201, RoundSchema)
def create_round(data):
    """Create a planned round and invite its labs."""
    try:
        rnd = service.create_round(data, current_user)
    except DomainError as exc:
        _fail(exc)
    return round_json(rnd), 201, {"Location": url_for("rounds_api.get_round", code=rnd.code)}


@blp.route("/rounds/<code>", methods=["PATCH"])
@require(Perm.ROUNDS_MANAGE)
@blp.arguments(RoundUpdateSchema)
@blp.response(200, RoundSchema)
def update_round(data, code):
    """Change some of a round's fields or its invited labs."""
    rnd = service.get_round_or_404(code)
    try:
        return round_json(service.update_round(rnd, data, current_user))
    except DomainError as exc:
        _fail(exc)


@blp.route("/rounds/<code>/transitions", methods=["POST"])
@require(Perm.ROUNDS_MANAGE)
@blp.arguments(RoundTransitionSchema)
@blp.response(200, RoundSchema)
def transition(data, code):
    """Open a round for results, or close it (409 if its state does not allow it)."""
    rnd = service.get_round_or_404(code)
    try:
        return round_json(service.transition(rnd, data["to"], current_user))
    except DomainError as exc:
        _fail(exc)


@blp.route("/rounds/<code>/results", methods=["POST"])
@require(Perm.RESULTS_ENTER)
@blp.response(201, RoundResultSchema(many=True))
def post_results(code):
    """Store a list of {lab_code, value, expanded_uncertainty?, coverage_factor?, method?} while the
    round is open: all or none; 422 names each bad entry by its index."""
    rnd = service.get_round_or_404(code)
    body = request.get_json(silent=True)
    if isinstance(body, dict) and isinstance(body.get("results"), list):
        body = body["results"]
    try:
        stored = results.submit_results(rnd, body, current_user)
    except DomainError as exc:
        _fail(exc)
    identities = service.sees_identities()
    return [result_json(r, identities) for r in stored], 201


@blp.route("/rounds/<code>/evaluate", methods=["POST"])
@require(Perm.ROUNDS_MANAGE)
@blp.response(200, RoundEvaluateSchema)
def evaluate(code):
    """Evaluate a closed round by its methods and store every score and grade."""
    rnd = service.get_round_or_404(code)
    try:
        evaluation.evaluate_round(rnd, current_user)
    except DomainError as exc:
        _fail(exc)
    ev = rnd.evaluation
    return {
        "code": rnd.code, "status": rnd.status, "x_pt": ev.x_pt, "u_x_pt": ev.u_x_pt,
        "sigma_pt": ev.sigma_pt, "score_kind": ev.score_kind, "n": ev.n, "iterations": ev.iterations,
        "reliability": ev.reliability, "z_prime_reason": ev.z_prime_reason,
        "results": [result_json(r, True) for r in service.visible_results(rnd)],
    }  # fmt: skip


@blp.route("/rounds/<code>/publish", methods=["POST"])
@require(Perm.ROUNDS_MANAGE)
@blp.response(200, RoundPublishSchema)
def publish(code):
    """Publish an evaluated round; findings are raised for unsatisfactory (and repeated questionable)
    results, once."""
    rnd = service.get_round_or_404(code)
    try:
        links = evaluation.publish_round(rnd, current_user)
    except DomainError as exc:
        _fail(exc)
    return {
        "code": rnd.code,
        "status": rnd.status,
        "published_at": rnd.published_at,
        "findings_raised": [
            {"finding_id": link.finding_id, "lab_code": link.result.lab.code, "reason": link.reason}
            for link in links
        ],
    }
