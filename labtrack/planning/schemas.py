"""One output shape per audience for planning: a lab's risk grade, plans with their draws, draw
answers and sanctions. The pages, the exports and the API dump through these; what a reader may
see (the pool and the draw's inputs, another lab's records) the policy decides before dumping."""

from typing import Any

from marshmallow import Schema, fields, validate

from labtrack.api.fields import Code, Day, Id, Name, Text, Timestamp, Year
from labtrack.labs.models import LabKind
from labtrack.parsing import INT_MAX
from labtrack.planning import policy, risk
from labtrack.planning.grading import INSPECTION_KINDS
from labtrack.planning.plans import stratum_label
from labtrack.planning.values import SEED_MAX, TEAM_MAX, SanctionKind, ratio_text


class RiskSchema(Schema):
    """A lab's latest risk grade with the inputs it was computed from (GET /labs/<code>/risk)."""

    lab_code = fields.String(required=True)
    grade = fields.String(required=True, validate=validate.OneOf("ABCD"))
    score = fields.Integer(required=True, metadata={"description": "points (A 0-2, B 3-7, C 8-14, D 15+)"})
    inputs = fields.Dict(
        required=True, metadata={"description": "the counts, the points of each (`points`), the window"}
    )
    explanation = fields.String(
        required=True, metadata={"description": "the grade in words, in the reader's language"}
    )
    weights_version = fields.String(required=True)
    as_of = fields.Date(required=True)
    computed_at = Timestamp(required=True)
    checked_at = Timestamp(required=True)


def dump_risk(grading: Any) -> dict:
    """A grading in the API's and the page's shape."""
    return RiskSchema().dump(
        {
            "lab_code": grading.lab.code,
            "grade": grading.grade,
            "score": grading.score,
            "inputs": grading.inputs,
            "explanation": risk.explain(grading.grade, grading.score, grading.inputs),
            "weights_version": grading.weights_version,
            "as_of": grading.as_of,
            "computed_at": grading.computed_at,
            "checked_at": grading.checked_at,
        }
    )


class StratumSchema(Schema):
    """A stratum: filters (null: any) and a quota or a ratio."""

    position = fields.Integer(required=True)
    label = fields.String(required=True)
    region = fields.String(allow_none=True, required=True)
    lab_kind = fields.String(allow_none=True, required=True)
    category_code = fields.String(allow_none=True, required=True)
    quota = fields.Integer(allow_none=True, required=True)
    ratio = fields.Float(allow_none=True, required=True, metadata={"description": "share 0-1"})


class DrawSummarySchema(Schema):
    """A recorded draw: its seed, day, digest, labs and teams."""

    seed = fields.String(required=True)
    algorithm = fields.String(required=True)
    drawn_on = fields.Date(required=True)
    digest = fields.String(required=True)
    labs = fields.List(fields.String(), required=True)
    teams = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True)


class PlanSchema(Schema):
    """An inspection plan (the pool and the draw only for those the policy lets see them)."""

    code = fields.String(required=True)
    title = fields.String(required=True)
    year = fields.Integer(required=True)
    audit_kind = fields.String(required=True)
    status = fields.String(required=True)
    team_size = fields.Integer(required=True)
    risk_weighted = fields.Boolean(required=True)
    exclude_months = fields.Integer(allow_none=True, required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    published_on = fields.Date(allow_none=True, required=True)
    draw_published_on = fields.Date(allow_none=True, required=True)
    strata = fields.List(fields.Nested(StratumSchema), required=True)
    inspectors = fields.List(
        fields.String(), required=True, metadata={"description": "the pool (staff only)"}
    )
    draw = fields.Nested(DrawSummarySchema, allow_none=True, required=True)


def dump_plan(actor: Any, plan: Any) -> dict:
    """A plan as the actor may see it."""
    draw = plan.draw if policy.sees_draw(actor, plan) else None
    return PlanSchema().dump(
        {
            "code": plan.code,
            "title": plan.title,
            "year": plan.year,
            "audit_kind": plan.audit_kind,
            "status": str(plan.status),
            "team_size": plan.team_size,
            "risk_weighted": plan.risk_weighted,
            "exclude_months": plan.exclude_months,
            "starts_on": plan.starts_on,
            "ends_on": plan.ends_on,
            "published_on": plan.published_on,
            "draw_published_on": plan.draw_published_on,
            "strata": [
                {
                    "position": s.position,
                    "label": stratum_label(s),
                    "region": s.region,
                    "lab_kind": s.lab_kind,
                    "category_code": s.category.code if s.category is not None else None,
                    "quota": s.quota,
                    "ratio": s.ratio_bp / 10_000 if s.ratio_bp is not None else None,
                }
                for s in plan.strata
            ],
            "inspectors": sorted(m.user.username for m in plan.pool)
            if policy.sees_draw_inputs(actor, plan)
            else [],
            "draw": None
            if draw is None
            else {
                "seed": draw.seed,
                "algorithm": draw.algorithm,
                "drawn_on": draw.drawn_on,
                "digest": draw.digest,
                "labs": draw.result.get("labs", []),
                "teams": draw.result.get("teams", {}),
            },
        }
    )


class DrawAnswerSchema(Schema):
    """What a draw (or a dry run) gave: the labs in the order drawn and each lab's team, leader first."""

    seed = fields.String(required=True)
    dry_run = fields.Boolean(required=True)
    algorithm = fields.String(required=True)
    digest = fields.String(required=True, metadata={"description": "SHA-256 of the inputs (docs/draw.md)"})
    drawn_on = fields.String(required=True, metadata={"description": "the day the population was read"})
    labs = fields.List(fields.String(), required=True)
    teams = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True)
    drawn = fields.List(fields.Dict(), required=True, metadata={"description": "code, stratum, rank, key"})
    strata = fields.List(
        fields.Dict(), required=True, metadata={"description": "position, eligible, quota, drawn"}
    )
    conflicts = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.List(fields.String())),
        required=True,
        metadata={"description": "per drawn lab, [username, rule] of the inspectors it excluded"},
    )
    excluded = fields.List(
        fields.Dict(), required=True, metadata={"description": "labs left out as recently inspected"}
    )


class SanctionSchema(Schema):
    """A sanction in the register."""

    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    lab_code = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in SanctionKind]))
    whole = fields.Boolean(required=True, metadata={"description": "the whole qualification"})
    item_codes = fields.List(fields.String(), required=True)
    finding_ids = fields.List(fields.Integer(), required=True)
    basis = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(allow_none=True, required=True)
    ended_on = fields.Date(allow_none=True, required=True)
    end_kind = fields.String(allow_none=True, required=True)
    in_force = fields.Boolean(required=True)
    version = fields.Integer(required=True)


def dump_sanction(sanction: Any, on: Any) -> dict:
    """A sanction in the register's shape."""
    return SanctionSchema().dump(
        {
            "id": sanction.id,
            "reference": sanction.reference,
            "lab_code": sanction.lab.code,
            "kind": str(sanction.kind),
            "whole": sanction.whole,
            "item_codes": [link.item.code for link in sanction.items],
            "finding_ids": [link.finding_id for link in sanction.findings],
            "basis": sanction.basis,
            "starts_on": sanction.starts_on,
            "ends_on": sanction.ends_on,
            "ended_on": sanction.ended_on,
            "end_kind": str(sanction.end_kind) if sanction.end_kind else None,
            "in_force": sanction.in_force(on),
            "version": sanction.version,
        }
    )


def export_header() -> list[str]:
    """Columns of the register's CSV/XLSX export (the schema's fields, items and findings joined)."""
    return [
        "reference",
        "lab_code",
        "kind",
        "whole",
        "item_codes",
        "finding_ids",
        "basis",
        "starts_on",
        "ends_on",
        "ended_on",
        "end_kind",
        "in_force",
    ]


def export_row(data: dict) -> list[Any]:
    """One register row for a spreadsheet, from the schema's dump."""
    return [
        data["reference"],
        data["lab_code"],
        data["kind"],
        data["whole"],
        " ".join(data["item_codes"]),
        " ".join(str(i) for i in data["finding_ids"]),
        data["basis"],
        data["starts_on"],
        data["ends_on"],
        data["ended_on"],
        data["end_kind"],
        data["in_force"],
    ]


# --- what the API reads ------------------------------------------------------------------------


class StratumInSchema(Schema):
    """A stratum: any of region, lab_kind, category (a test category's code); a quota or a ratio."""

    region = fields.String(allow_none=True, validate=validate.Length(max=80))
    lab_kind = fields.String(allow_none=True, validate=validate.OneOf([k.value for k in LabKind]))
    category = fields.String(allow_none=True, validate=validate.Length(max=32))
    quota = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=2**31 - 1), strict=True)
    ratio = fields.Float(allow_none=True, validate=validate.Range(min=0, max=1, min_inclusive=False))


class PlanInSchema(Schema):
    """A new plan."""

    code = Code(required=True)
    title = Name(required=True)
    year = Year(required=True)
    audit_kind = fields.String(required=True, validate=validate.OneOf([k.value for k in INSPECTION_KINDS]))
    team_size = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=TEAM_MAX))
    risk_weighted = fields.Boolean(load_default=False)
    exclude_months = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=0, max=120))
    starts_on = Day(allow_none=True)
    ends_on = Day(allow_none=True)
    notes = Text(allow_none=True)
    strata = fields.List(
        fields.Nested(StratumInSchema), required=True, validate=validate.Length(min=1, max=50)
    )
    inspectors = fields.List(
        fields.String(validate=validate.Length(max=64)), required=True, validate=validate.Length(max=500)
    )


class DrawInSchema(Schema):
    """A draw's seed, and whether it is only a dry run."""

    seed = Text(required=True, max_len=SEED_MAX, multiline=False)
    dry_run = fields.Boolean(load_default=False)


class PublishInSchema(Schema):
    """What to publish: the plan, or its draw and outcomes."""

    what = fields.String(required=True, validate=validate.OneOf(["plan", "draw"]))


class SwapInSchema(Schema):
    """An inspector replaced on a drawn lab's team."""

    lab_code = Code(required=True)
    out = fields.String(required=True, validate=validate.Length(min=1, max=64))
    into = fields.String(required=True, data_key="in", validate=validate.Length(min=1, max=64))
    reason = Text(required=True, max_len=2000)


class SwapSchema(Schema):
    """A recorded swap."""

    id = fields.Integer(required=True)
    lab_code = fields.String(required=True)
    out = fields.String(required=True)
    into = fields.String(required=True, data_key="in")
    reason = fields.String(required=True)
    swapped_at = Timestamp(required=True)


class SanctionInSchema(Schema):
    """A sanction to impose."""

    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in SanctionKind]))
    item_codes = fields.List(
        fields.String(validate=validate.Length(max=32)), load_default=list, validate=validate.Length(max=5000)
    )
    finding_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=200))
    whole = fields.Boolean(load_default=False, metadata={"description": "suspend the whole qualification"})
    basis = Text(required=True, max_len=1000)
    starts_on = Day(required=True)
    ends_on = Day(allow_none=True, load_default=None)


class LiftInSchema(Schema):
    """Lifting a sanction: the day (today if not given), a comment, the version last read."""

    lifted_on = Day(allow_none=True, load_default=None)
    comment = Text(allow_none=True, max_len=2000, load_default=None)
    version = fields.Integer(
        allow_none=True, strict=True, load_default=None, validate=validate.Range(min=0, max=INT_MAX)
    )


def ratio_label(points: int | None) -> str:
    """A ratio for people."""
    return ratio_text(points)
