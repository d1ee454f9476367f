"""Planning in the JSON API: risk grades, inspection plans and their draws, sanctions (DESIGN
"Interfaces"). The shapes are `labtrack.planning.schemas`; the rules are the services'; refusals
are their domain errors, answered once by `labtrack.errors`. The public directory's JSON
(`GET /public/api/labs`, no sign-in) is documented here too."""

from flask import jsonify, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from labtrack.api.common import PageArgs, list_schema, paginate
from labtrack.api.fields import Year
from labtrack.auth.permissions import Perm, require
from labtrack.labs.models import LabKind
from labtrack.labs.service import load_lab
from labtrack.models_base import today
from labtrack.planning import drawing, grading, plans, policy, reports, sanctions
from labtrack.planning.schemas import (
    DrawAnswerSchema,
    DrawInSchema,
    LiftInSchema,
    PlanInSchema,
    PlanSchema,
    PublishInSchema,
    RiskSchema,
    SanctionInSchema,
    SanctionSchema,
    SwapInSchema,
    SwapSchema,
    dump_plan,
    dump_risk,
    dump_sanction,
)
from labtrack.planning.values import SanctionKind
from labtrack.services import NotFound

blp = Blueprint(
    "planning_api", __name__, url_prefix="/api/v1", description="Risk grades, inspection plans, sanctions"
)

PlanListSchema = list_schema(PlanSchema, "PlanList")
SanctionListSchema = list_schema(SanctionSchema, "SanctionList")
RiskListSchema = list_schema(RiskSchema, "RiskList")


def _answer(data, status: int = 200, headers: dict | None = None):
    response = jsonify(data)
    response.status_code = status
    response.headers.update(headers or {})
    return response


class RiskArgs(PageArgs):
    """Filters of the current grades."""

    grade = fields.String(validate=validate.OneOf(["A", "B", "C", "D"]))
    region = fields.String()
    kind = fields.String(validate=validate.OneOf([k.value for k in LabKind]))


class PlanArgs(PageArgs):
    """Filters of the plans."""

    year = Year()


class SanctionArgs(PageArgs):
    """Filters of the register."""

    lab = fields.String()
    kind = fields.String(validate=validate.OneOf([k.value for k in SanctionKind]))
    status = fields.String(validate=validate.OneOf(["in_force", "overdue", "ended"]))
    region = fields.String()


class LiftedSchema(Schema):
    """A lifted sanction."""

    sanction = fields.Nested(SanctionSchema, required=True)


# --- risk ---------------------------------------------------------------------------------------


@blp.route("/labs/<code>/risk")
@require(Perm.PLANNING_VIEW)
@blp.response(200, RiskSchema)
def get_risk(code):
    """A laboratory's latest risk grade with its inputs (404 if never graded)."""
    lab = load_lab(code, current_user)
    current = grading.current_grading(lab.id) if policy.sees_grade(current_user, lab.id) else None
    if current is None:
        raise NotFound(_("This laboratory has not been graded yet."))
    return _answer(dump_risk(current))


@blp.route("/labs/<code>/risk", methods=["POST"])
@require(Perm.PLANNING_MANAGE)
@blp.response(200, RiskSchema)
def grade_lab(code):
    """Recompute a laboratory's risk grade now."""
    lab = load_lab(code, current_user)
    return _answer(dump_risk(grading.grade_one(current_user, lab)))


@blp.route("/risk")
@require(Perm.PLANNING_VIEW)
@blp.arguments(RiskArgs, location="query")
@blp.response(200, RiskListSchema)
def list_risk(args):
    """Current grades, highest points first (a lab manager: their own lab's)."""
    grade = args.get("grade") if args.get("grade") in ("A", "B", "C", "D") else None
    stmt = reports.current_list(current_user, grade, args.get("region"), args.get("kind"))
    envelope = paginate(stmt, args["page"], args["per_page"])
    envelope["items"] = [dump_risk(g) for g in envelope["items"]]
    return _answer(envelope)


# --- plans --------------------------------------------------------------------------------------


@blp.route("/plans")
@require(Perm.PLANNING_VIEW)
@blp.arguments(PlanArgs, location="query")
@blp.response(200, PlanListSchema)
def list_plans(args):
    """Inspection plans (lab managers: the published ones)."""
    envelope = paginate(
        plans.plans_query(current_user, year=args.get("year")), args["page"], args["per_page"]
    )
    envelope["items"] = [dump_plan(current_user, p) for p in envelope["items"]]
    return _answer(envelope)


@blp.route("/plans/<plan_code>")
@require(Perm.PLANNING_VIEW)
@blp.response(200, PlanSchema)
def get_plan(plan_code):
    """One plan with its strata, pool and draw (as far as the caller may see them)."""
    return _answer(dump_plan(current_user, plans.load_plan(current_user, plan_code)))


@blp.route("/plans", methods=["POST"])
@require(Perm.PLANNING_MANAGE)
@blp.arguments(PlanInSchema)
@blp.response(201, PlanSchema)
def create_plan(data):
    """Make a draft plan (201 with its Location); quotas larger than their strata are refused."""
    plan = plans.create_plan(current_user, data)
    location = url_for("planning_api.get_plan", plan_code=plan.code)
    return _answer(dump_plan(current_user, plan), 201, {"Location": location})


@blp.route("/plans/<plan_code>/draw", methods=["POST"])
@require(Perm.PLANNING_MANAGE)
@blp.arguments(DrawInSchema)
@blp.response(200, DrawAnswerSchema, description="a dry run: nothing recorded")
@blp.alt_response(201, schema=DrawAnswerSchema, description="the draw, recorded with its planned audits")
def draw(data, plan_code):
    """Draw the plan's laboratories and teams from a seed; a dry run records nothing and the same
    seed always gives the same answer; the real draw is made once (409 after)."""
    plan = plans.load_plan(current_user, plan_code)
    answer = drawing.make_draw(current_user, plan, data)
    if answer["dry_run"]:
        return _answer(answer)
    return _answer(answer, 201, {"Location": url_for("planning_api.get_plan", plan_code=plan.code)})


@blp.route("/plans/<plan_code>/publish", methods=["POST"])
@require(Perm.PLANNING_MANAGE)
@blp.arguments(PublishInSchema)
@blp.response(200, PlanSchema)
def publish_plan(data, plan_code):
    """Publish the plan, or its draw and outcomes."""
    plan = plans.publish(current_user, plans.load_plan(current_user, plan_code), data["what"])
    return _answer(dump_plan(current_user, plan))


@blp.route("/plans/<plan_code>/swaps", methods=["POST"])
@require(Perm.PLANNING_MANAGE)
@blp.arguments(SwapInSchema)
@blp.response(201, SwapSchema)
def swap(data, plan_code):
    """Replace an inspector on a drawn lab's team with one free of conflicts, with a reason."""
    plan = plans.load_plan(current_user, plan_code)
    record = drawing.swap(
        current_user,
        plan,
        {"lab_code": data["lab_code"], "out": data["out"], "in": data["into"], "reason": data["reason"]},
    )
    body = SwapSchema().dump(
        {
            "id": record.id,
            "lab_code": data["lab_code"],
            "out": data["out"],
            "into": data["into"],
            "reason": record.reason,
            "swapped_at": record.swapped_at,
        }
    )
    return _answer(body, 201)


# --- sanctions ----------------------------------------------------------------------------------


@blp.route("/sanctions")
@require(Perm.PLANNING_VIEW)
@blp.arguments(SanctionArgs, location="query")
@blp.response(200, SanctionListSchema)
def list_sanctions(args):
    """The register of sanctions (a lab manager: their own lab's)."""
    status = args.get("status") if args.get("status") in ("in_force", "overdue", "ended") else None
    stmt = sanctions.sanctions_query(
        current_user, lab=args.get("lab"), kind=args.get("kind"), status=status, region=args.get("region")
    )
    envelope = paginate(stmt, args["page"], args["per_page"])
    on = today()
    envelope["items"] = [dump_sanction(s, on) for s in envelope["items"]]
    return _answer(envelope)


@blp.route("/sanctions/<int:sanction_id>")
@require(Perm.PLANNING_VIEW)
@blp.response(200, SanctionSchema)
def get_sanction(sanction_id):
    """One sanction."""
    return _answer(dump_sanction(sanctions.load_sanction(current_user, sanction_id), today()))


@blp.route("/labs/<code>/sanctions", methods=["POST"])
@require(Perm.SANCTIONS_MANAGE)
@blp.arguments(SanctionInSchema)
@blp.response(201, SanctionSchema)
def impose(data, code):
    """Impose a sanction: `item_codes` the lab holds (or `whole`), the findings behind it, the legal
    basis, from / to. Overlapping suspensions and items the lab does not hold are refused."""
    lab = load_lab(code, current_user)
    sanction = sanctions.impose(current_user, lab, data)
    location = url_for("planning_api.get_sanction", sanction_id=sanction.id)
    return _answer(dump_sanction(sanction, today()), 201, {"Location": location})


@blp.route("/sanctions/<int:sanction_id>/lift", methods=["POST"])
@require(Perm.SANCTIONS_MANAGE)
@blp.arguments(LiftInSchema)
@blp.response(200, SanctionSchema)
def lift(data, sanction_id):
    """Lift a sanction once every finding behind it is closed (409 while one is open)."""
    sanction = sanctions.load_sanction(current_user, sanction_id)
    lifted = sanctions.lift(
        current_user,
        sanction,
        {"lifted_on": data.get("lifted_on"), "comment": data.get("comment")},
        data.get("version"),
    )
    return _answer(dump_sanction(lifted, today()))


@blp.record_once
def _document_public_api(state) -> None:
    """Put the public directory's JSON (served by the public blueprint, no sign-in) in the document."""
    from labtrack.api import api
    from labtrack.public.schemas import PublicLabArgs, PublicLabListSchema

    rule = next((r for r in state.app.url_map.iter_rules() if r.endpoint == "public.api_labs"), None)
    if rule is None:
        return  # the public pages are not mounted
    spec = api.spec
    if "PublicLabList" not in spec.components.schemas:
        spec.components.schema("PublicLabList", schema=PublicLabListSchema)
    parameters = [
        {"in": "query", "name": name, "required": False, "schema": schema, "description": text}
        for name, schema, text in PublicLabArgs.DOCUMENTED
    ]
    spec.path(
        rule=rule,
        operations={
            "get": {
                "tags": ["Public directory"],
                "summary": "Qualified laboratories and what they hold today (no sign-in)",
                "security": [],
                "parameters": parameters,
                "responses": {
                    "200": {
                        "description": "the laboratories matching, with their current scope and certificates",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/PublicLabList"}}
                        },
                    }
                },
            }
        },
    )
