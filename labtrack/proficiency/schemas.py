"""One output shape per audience: a round and its results as one actor may see them.

The round page, the CSV / XLSX export and the JSON API all dump `Seen(record, actor)` with these
schemas, so they cannot disagree: what is hidden from a user (another lab's identity, scores,
grades, x_pt, u(x_pt), sigma_pt and the evaluation before publication) is decided here, once, by
asking `labtrack.proficiency.policy`, and comes out as null. A schema refuses to dump a bare
record: nobody can serialise a round without saying for whom.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, fields, pre_dump

from labtrack.proficiency import policy
from labtrack.proficiency.models import Result, Round


@dataclass(frozen=True)
class Seen:
    """A record (a Round or a Result) as `actor` is to see it."""

    record: Any
    actor: Any


class UtcDateTime(fields.DateTime):
    """A moment in ISO 8601 with its offset: the database keeps naive UTC, the API says so."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class _Audience(Schema):
    """Dumps `Seen(record, actor)` through `view`, which asks the policy; a bare record is refused."""

    model: type = object

    @pre_dump
    def _as_seen(self, obj: Any, **_kwargs: Any) -> dict:
        if isinstance(obj, dict):  # already a view (a nested one built by its parent)
            return obj
        if not isinstance(obj, Seen) or not isinstance(obj.record, self.model):
            raise TypeError(
                f"{type(self).__name__} dumps Seen({self.model.__name__}, actor): "
                "what a user may see is decided by the policy"
            )
        return self.view(obj.record, obj.actor)

    def view(self, record: Any, actor: Any) -> dict:
        """The record's fields as the actor may see them (raw values; the fields serialise them)."""
        raise NotImplementedError


class RoundResultSchema(_Audience):
    """A reported result. `lab_code` is null where the caller may see only the participant code;
    `score`, `score_kind` and `grade` are null until the caller may see the round's scores."""

    model = Result

    id = fields.Integer(metadata={"description": "the result's id (to withdraw it while the round is open)"})
    lab_code = fields.String(allow_none=True)
    participant_code = fields.String()
    value = fields.Float(allow_none=True, metadata={"description": "null in a qualitative round"})
    value_b = fields.Float(allow_none=True, metadata={"description": "level B of a split-level round"})
    answer = fields.String(allow_none=True, metadata={"description": "a qualitative round's answer"})
    expanded_uncertainty = fields.Float(allow_none=True)
    coverage_factor = fields.Float(allow_none=True)
    method = fields.String(allow_none=True)
    submitted_at = UtcDateTime()
    score = fields.Float(allow_none=True)
    score_kind = fields.String(allow_none=True, metadata={"description": "z | z_prime | zeta | en"})
    grade = fields.String(
        allow_none=True, metadata={"description": "satisfactory | questionable | unsatisfactory"}
    )
    score_b = fields.Float(allow_none=True, metadata={"description": "level B's score (split-level round)"})
    score_kind_b = fields.String(allow_none=True, metadata={"description": "level B's score kind"})
    grade_b = fields.String(allow_none=True, metadata={"description": "level B's grade (split-level round)"})

    def view(self, result: Result, actor: Any) -> dict:
        """The result as the actor may see it."""
        scores = policy.sees_scores(actor, result.round)
        return {
            "id": result.id,
            "lab_code": result.lab.code if policy.sees_identity(actor, result) else None,
            "participant_code": result.participant.participant_code,
            "value": result.value,
            "value_b": result.value_b,
            "answer": result.answer,
            "expanded_uncertainty": result.expanded_uncertainty,
            "coverage_factor": result.coverage_factor,
            "method": result.method,
            "submitted_at": result.submitted_at,
            "score": result.score if scores else None,
            "score_kind": result.score_kind if scores else None,
            "grade": result.grade if scores else None,
            "score_b": result.score_b if scores else None,
            "score_kind_b": result.score_kind_b if scores else None,
            "grade_b": result.grade_b if scores else None,
        }


class RoundEvaluationSchema(Schema):
    """What an evaluation used and found (kept so that a published report can be reproduced)."""

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
    reliability = fields.String(metadata={"description": "n/a | ok | unreliable"})
    constants = fields.Dict()
    summary = fields.Dict()
    level_b = fields.Dict(
        allow_none=True,
        metadata={"description": "a split-level round's level B, evaluated on its own (same keys as above)"},
    )
    evaluated_at = UtcDateTime()


ROUND_FIELDS = ("code", "title", "kind", "organiser", "measurand", "unit", "item_code", "assigned_value_method",
                "sigma_pt_method", "score_basis", "opens_on", "closes_on", "notes", "status", "published_at", "split_level")  # fmt: skip


class RoundSummarySchema(_Audience):
    """A round without its results. `participants` lists the invited labs the caller may see (a lab
    manager: its own); `x_pt`, `u_x_pt`, `sigma_pt` (the evaluation's once evaluated) and
    `evaluation` are null until the caller may see the round's scores."""

    model = Round

    code = fields.String()
    title = fields.String()
    kind = fields.String()
    organiser = fields.String(allow_none=True)
    measurand = fields.String()
    unit = fields.String(allow_none=True)
    item_code = fields.String(allow_none=True)
    participants = fields.List(fields.String(), metadata={"description": "codes of the invited labs"})
    participant_count = fields.Integer(metadata={"description": "how many labs are invited"})
    assigned_value_method = fields.String()
    x_pt = fields.Float(allow_none=True)
    u_x_pt = fields.Float(allow_none=True)
    sigma_pt_method = fields.String(allow_none=True)
    sigma_pt = fields.Float(allow_none=True)
    score_basis = fields.String()
    x_pt_b = fields.Float(allow_none=True, metadata={"description": "level B's assigned value (split-level)"})
    u_x_pt_b = fields.Float(allow_none=True)
    sigma_pt_b = fields.Float(allow_none=True)
    result_type = fields.String(metadata={"description": "quantitative | qualitative"})
    categories = fields.List(
        fields.String(),
        allow_none=True,
        metadata={"description": "a qualitative round's answers (null: detected | not_detected)"},
    )
    assigned_answer = fields.String(
        allow_none=True, metadata={"description": "null until the caller may see the scores"}
    )
    opens_on = fields.Date(allow_none=True)
    closes_on = fields.Date(allow_none=True)
    notes = fields.String(allow_none=True)
    status = fields.String()
    split_level = fields.Boolean(metadata={"description": "two levels (A, B) per participant: a Youden plot"})
    published_at = UtcDateTime(allow_none=True)
    evaluation = fields.Nested(RoundEvaluationSchema, allow_none=True)

    def view(self, rnd: Round, actor: Any) -> dict:
        """The round as the actor may see it."""
        scores = policy.sees_scores(actor, rnd)
        ev = rnd.evaluation if scores else None
        data = {key: getattr(rnd, key) for key in ROUND_FIELDS}
        data["participants"] = [
            p.lab.code for p in rnd.participants if policy.sees_lab_identity(actor, p.lab_id)
        ]
        data["participant_count"] = len(rnd.participants)
        data["x_pt"] = (ev.x_pt if ev else rnd.x_pt) if scores else None
        data["u_x_pt"] = (ev.u_x_pt if ev else rnd.u_x_pt) if scores else None
        data["sigma_pt"] = (ev.sigma_pt if ev else rnd.sigma_pt) if scores else None
        level_b = (ev.level_b or {}) if ev else None
        for key in ("x_pt", "u_x_pt", "sigma_pt"):
            given = getattr(rnd, f"{key}_b")
            data[f"{key}_b"] = (level_b.get(key) if level_b is not None else given) if scores else None
        data["evaluation"] = ev
        data["result_type"], data["categories"] = rnd.result_type, rnd.categories
        data["assigned_answer"] = rnd.assigned_answer if scores else None
        return data


class RoundSchema(RoundSummarySchema):
    """A round with the results the caller may see (a lab manager: its own, and the others' by
    participant code once the round is published)."""

    results = fields.List(fields.Nested(RoundResultSchema))

    def view(self, rnd: Round, actor: Any) -> dict:
        """The round and its visible results as the actor may see them."""
        data = super().view(rnd, actor)
        nested = RoundResultSchema()
        data["results"] = [nested.view(r, actor) for r in rnd.results if policy.sees_result(actor, r)]
        return data


class EvaluatedRoundSchema(_Audience):
    """The answer to an evaluation: the assigned value and every result's score (to its managers)."""

    model = Round

    code = fields.String()
    status = fields.String()
    x_pt = fields.Float(allow_none=True)
    u_x_pt = fields.Float(allow_none=True)
    sigma_pt = fields.Float(allow_none=True)
    score_kind = fields.String(allow_none=True)
    n = fields.Integer(allow_none=True)
    iterations = fields.Integer(allow_none=True)
    reliability = fields.String(allow_none=True)
    z_prime_reason = fields.String(allow_none=True)
    level_b = fields.Dict(allow_none=True, metadata={"description": "level B's evaluation (split-level)"})
    results = fields.List(fields.Nested(RoundResultSchema))

    def view(self, rnd: Round, actor: Any) -> dict:
        """The evaluation's figures, as the round view gives them to this actor."""
        data = RoundSchema().view(rnd, actor)
        ev = data["evaluation"]
        for key in ("score_kind", "n", "iterations", "reliability", "z_prime_reason", "level_b"):
            data[key] = getattr(ev, key) if ev is not None else None
        return {key: data[key] for key in self.fields}


# --- the export: the same result view, as rows --------------------------------------------------

EXPORT_HEADER = ["round", "participant_code", "lab_code", "value", "unit", "expanded_uncertainty",
                 "coverage_factor", "method", "submitted_at", "score_kind", "score", "grade"]  # fmt: skip


SPLIT_LEVEL_EXPORT = ["value_b", "score_kind_b", "score_b", "grade_b"]


def export_rows(rnd: Round, actor: Any) -> tuple[list[str], list[list]]:
    """The round's results as the actor may see them, as a header and rows for CSV / XLSX (a
    split-level round adds level B's value, score kind, score and grade: `value` is level A)."""
    dumped = RoundSchema().dump(Seen(rnd, actor))
    split = bool(dumped["split_level"])
    rows = [
        [dumped["code"], r["participant_code"], r["lab_code"] or "", r["answer"] if r["value"] is None else r["value"], dumped["unit"] or "",
         r["expanded_uncertainty"], r["coverage_factor"], r["method"], r["submitted_at"], r["score_kind"],
         r["score"], r["grade"]] + ([r[key] for key in SPLIT_LEVEL_EXPORT] if split else [])
        for r in dumped["results"]
    ]  # fmt: skip
    return list(EXPORT_HEADER) + (SPLIT_LEVEL_EXPORT if split else []), rows


class HomogeneityStudySchema(Schema):
    """A round's homogeneity study (ISO 13528 B.3): the replicates and what they showed."""

    replicates = fields.List(fields.List(fields.Float()))
    sigma_pt = fields.Float()
    g = fields.Integer()
    m = fields.Integer()
    mean = fields.Float()
    s_x = fields.Float()
    s_w = fields.Float()
    s_s = fields.Float()
    criterion = fields.Float(metadata={"description": "0.3 sigma_pt"})
    expanded_criterion = fields.Float(metadata={"description": "sqrt(F1 (0.3 sigma_pt)^2 + F2 s_w^2)"})
    passed = fields.Boolean()
    passed_expanded = fields.Boolean()
    notes = fields.String(allow_none=True)
    entered_at = UtcDateTime()


class StabilityStudySchema(Schema):
    """A round's stability study (ISO 13528 B.5): results before and after and their difference."""

    before = fields.List(fields.Float())
    after = fields.List(fields.Float())
    sigma_pt = fields.Float()
    mean_before = fields.Float()
    mean_after = fields.Float()
    difference = fields.Float()
    criterion = fields.Float(metadata={"description": "0.3 sigma_pt"})
    u_difference = fields.Float()
    expanded_criterion = fields.Float(metadata={"description": "0.3 sigma_pt + 2 u(D)"})
    passed = fields.Boolean()
    passed_expanded = fields.Boolean()
    notes = fields.String(allow_none=True)
    entered_at = UtcDateTime()


class DispatchSchema(Schema):
    """A participant's item: when it was sent and received, and its condition on arrival."""

    lab_code = fields.String()
    participant_code = fields.String()
    sent_on = fields.Date(allow_none=True)
    received_on = fields.Date(allow_none=True)
    condition = fields.String(allow_none=True, metadata={"description": "good | damaged | unusable"})
    condition_note = fields.String(allow_none=True)
    blocked = fields.String(allow_none=True, metadata={"description": "why no result is accepted yet"})
