"""Qualitative rounds: an assigned answer (detected / not detected, or one of named categories),
results scored by agreement, false positives and negatives counted (ISO 13528 section 11).

`score_answers` is pure; `set_design` and `evaluate` are the services the pages and the API call.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from labtrack import events, parsing
from labtrack.extensions import db
from labtrack.history.display import N_, system_message
from labtrack.models_base import utcnow
from labtrack.proficiency import policy
from labtrack.proficiency.models import RESULT_TYPE_LABELS, Evaluation, Result, ResultType, Round, RoundStatus
from labtrack.services import Conflict, Forbidden, InvalidInput, act_as, transaction

# The history comment it writes, shown in the reader's language (history.display.system_text).
EVALUATED = system_message(N_("Evaluated: %(n)s answers scored by agreement."))

QUANTITATIVE, QUALITATIVE = ResultType.QUANTITATIVE.value, ResultType.QUALITATIVE.value
RESULT_TYPES = (QUANTITATIVE, QUALITATIVE)
DETECTED, NOT_DETECTED = "detected", "not_detected"
DETECTION = (DETECTED, NOT_DETECTED)
ANSWER_LABELS = {DETECTED: _l("Detected"), NOT_DETECTED: _l("Not detected")}
CATEGORY_MAX = 100
CATEGORIES_MAX = 30
AGREEMENT = "agreement"


@dataclass(frozen=True)
class Agreement:
    """What a qualitative round's answers showed against the assigned answer."""

    n: int
    agreeing: int
    false_positives: int  # detected when the item held nothing to detect
    false_negatives: int  # not detected when the item held it
    misidentified: int  # another named category
    counts: dict[str, int] = field(default_factory=dict)
    grades: tuple[str, ...] = ()

    @property
    def share(self) -> float:
        """The share of answers that agree (0 with no answers)."""
        return self.agreeing / self.n if self.n else 0.0


def categories_of(rnd: Round) -> list[str]:
    """The answers a participant may give: the named categories, or detected / not detected."""
    return list(rnd.categories) if rnd.categories else list(DETECTION)


def answer_label(rnd: Round, answer: str | None) -> str:
    """An answer as the reader reads it (detected / not detected translated, categories as named)."""
    if answer is None:
        return ""
    return str(ANSWER_LABELS[answer]) if not rnd.categories and answer in ANSWER_LABELS else answer


def score_answers(
    answers: Sequence[str], assigned: str, categories: Sequence[str] | None = None
) -> Agreement:
    """Grade each answer satisfactory if it is the assigned answer, else unsatisfactory; count the
    false positives and negatives of a detection round and the misidentifications of a named one."""
    allowed = list(categories) if categories else list(DETECTION)
    if assigned not in allowed:
        raise ValueError(f"the assigned answer {assigned!r} is not one of {allowed}")
    outside = sorted({a for a in answers if a not in allowed})
    if outside:
        raise ValueError(f"answers outside the categories: {outside}")
    detection = not categories or set(allowed) == set(DETECTION)
    grades = tuple("satisfactory" if a == assigned else "unsatisfactory" for a in answers)
    wrong = [a for a in answers if a != assigned]
    fp = sum(1 for a in wrong if a == DETECTED) if detection and assigned == NOT_DETECTED else 0
    fn = sum(1 for a in wrong if a == NOT_DETECTED) if detection and assigned == DETECTED else 0
    return Agreement(
        n=len(answers), agreeing=len(answers) - len(wrong), false_positives=fp, false_negatives=fn,
        misidentified=0 if detection else len(wrong), counts=dict(Counter(answers)), grades=grades,
    )  # fmt: skip


def parse_answer(rnd: Round, raw: Any) -> str:
    """The participant's answer, matched to the round's categories (case and width ignored); ParseError."""
    text = parsing.text(raw, max_len=CATEGORY_MAX, multiline=False)
    wanted = parsing.code_key(text)
    for category in categories_of(rnd):
        if parsing.code_key(category) == wanted or parsing.code_key(answer_label(rnd, category)) == wanted:
            return category
    allowed = ", ".join(answer_label(rnd, c) for c in categories_of(rnd))
    raise parsing.ParseError(_("Not one of the round's answers: %(allowed)s.", allowed=allowed))


def set_design(rnd: Round, data: dict[str, Any], actor: Any) -> Round:
    """Set what a round's results are: quantitative, or qualitative with its categories and assigned
    answer. The type and categories until the round opens; the assigned answer until it is evaluated."""
    if not policy.may_manage(actor):
        raise Forbidden(_("Only the quality department sets how a round's results are given."))
    if rnd.status in (RoundStatus.EVALUATED, RoundStatus.PUBLISHED):
        raise Conflict(_("The round is evaluated: its answers can no longer change."))
    fields = parsing.Fields(data)
    result_type = fields.get("result_type", parsing.choice, RESULT_TYPES)
    categories: list[str] | None = None
    raw = data.get("categories")
    if isinstance(raw, str):
        raw = [line for line in raw.splitlines()]
    if raw:
        try:
            categories = [
                parsing.text(c, max_len=CATEGORY_MAX, multiline=False) for c in raw if str(c).strip()
            ]
        except parsing.ParseError as exc:
            fields.add("categories", exc.message)
        if categories is not None:
            keys = [parsing.code_key(c) for c in categories]
            if len(set(keys)) != len(keys):
                fields.add("categories", _("Each category once."))
            elif not 2 <= len(categories) <= CATEGORIES_MAX:
                fields.add("categories", _("Between 2 and %(n)s categories.", n=CATEGORIES_MAX))
    changing = result_type != rnd.result_type or (categories or None) != (rnd.categories or None)
    if changing and rnd.status != RoundStatus.PLANNED:
        fields.add("result_type", _("The kind of results and the categories are set before the round opens."))
    assigned = None
    if result_type == QUALITATIVE and not fields.errors and not is_blank(data.get("assigned_answer")):
        probe = Round(categories=categories)
        try:
            assigned = parse_answer(probe, data.get("assigned_answer"))
        except parsing.ParseError as exc:
            fields.add("assigned_answer", exc.message)
    fields.raise_if_any(_("The round's answers were not saved."))
    with transaction(actor, _("Results: %(kind)s.", kind=str(RESULT_TYPE_LABELS[result_type]))):
        rnd.result_type = result_type
        rnd.categories = categories if result_type == QUALITATIVE else None
        rnd.assigned_answer = assigned
    return rnd


def is_blank(value: Any) -> bool:
    """Nothing given."""
    return parsing.is_blank(value)


def evaluate(rnd: Round, actor: Any) -> Agreement:
    """Score a closed qualitative round by agreement with its assigned answer and keep what was found."""
    if rnd.assigned_answer is None:
        message = _("Set the assigned answer before evaluating the round.")
        raise InvalidInput(message, {"assigned_answer": [message]})
    results = list(db.session.scalars(select(Result).where(Result.round_id == rnd.id).order_by(Result.id)))
    if not results:
        message = _("The round has no results to evaluate.")
        raise InvalidInput(message, {"results": [message]})
    found = score_answers([r.answer for r in results], rnd.assigned_answer, rnd.categories)
    with transaction(actor):
        for result, grade in zip(results, found.grades, strict=True):
            result.score, result.score_kind, result.grade = (
                (1.0 if grade == "satisfactory" else 0.0),
                AGREEMENT,
                grade,
            )
        ev = rnd.evaluation or Evaluation(round_id=rnd.id)
        db.session.add(ev)
        rnd.evaluation = ev
        ev.assigned_value_method = rnd.assigned_value_method
        ev.sigma_pt_method, ev.score_kind = None, AGREEMENT
        # x_pt holds the share of agreeing answers: a qualitative round has no assigned value.
        ev.x_pt, ev.u_x_pt, ev.sigma_pt, ev.n = found.share, 0.0, None, found.n
        ev.iterations, ev.converged, ev.x_star, ev.s_star, ev.z_prime_reason = 0, True, None, None, None
        ev.reliability = "n/a"
        ev.constants = {"assigned_answer": rnd.assigned_answer, "categories": categories_of(rnd)}
        ev.summary = {
            "agreeing": found.agreeing, "false_positives": found.false_positives,
            "false_negatives": found.false_negatives, "misidentified": found.misidentified,
            "counts": found.counts,
            "grades": {"satisfactory": found.agreeing, "questionable": 0, "unsatisfactory": found.n - found.agreeing},
        }  # fmt: skip
        ev.evaluated_at = utcnow()
        ev.evaluated_by_id = getattr(actor, "id", None)
        rnd.status = RoundStatus.EVALUATED
        act_as(actor, _(EVALUATED, n=found.n))
        events.round_changed.send(rnd, actor=actor, to=RoundStatus.EVALUATED.value)
    return found
