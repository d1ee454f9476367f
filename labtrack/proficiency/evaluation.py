"""Evaluating a closed round (scores stored in one executemany) and publishing it (findings raised once)."""

from typing import Any

import numpy as np
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from labtrack import events
from labtrack.extensions import db
from labtrack.history.display import N_, system_message
from labtrack.labs.models import Lab
from labtrack.models_base import utcnow
from labtrack.proficiency import qualitative
from labtrack.proficiency.models import Evaluation, Result, Round, RoundFinding, RoundStatus
from labtrack.proficiency.scoring import Outcome, RoundMethod, ScoringError, evaluate_values
from labtrack.proficiency.service import require_manager
from labtrack.services import Conflict, InvalidInput, act_as, transaction

# The history comment it writes, shown in the reader's language (history.display.system_text).
EVALUATED = system_message(N_("Evaluated: %(n)s results scored with %(kind)s."))

UNSATISFACTORY_SEVERITY = "major"
SECOND_QUESTIONABLE_SEVERITY = "minor"


def method_of(rnd: Round, level: str = "a") -> RoundMethod:
    """The round's evaluation settings as the scoring module takes them, for level A or B.

    Level B has its own assigned value x_pt_b (computed from level B's results in a consensus round);
    a blank u_x_pt_b or sigma_pt_b takes level A's. The homogeneity and stability studies (one per
    round) widen both levels alike.
    """
    b = level == "b"
    return RoundMethod(
        assigned_value_method=rnd.assigned_value_method,
        sigma_pt_method=rnd.sigma_pt_method or "fixed",
        score_basis=rnd.score_basis or "z",
        x_pt=rnd.x_pt_b if b else rnd.x_pt,
        u_x_pt=rnd.u_x_pt_b if b and rnd.u_x_pt_b is not None else rnd.u_x_pt,
        sigma_pt=rnd.sigma_pt_b if b and rnd.sigma_pt_b is not None else rnd.sigma_pt,
        between_item_sd=hom.s_s if (hom := rnd.homogeneity) is not None and not hom.passed else 0.0,
        instability=stab.difference if (stab := rnd.stability) is not None and not stab.passed else 0.0,
    )


def _cursor():
    """A DB-API cursor on the session's connection (inside its transaction) and its placeholder."""
    connection = db.session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    return connection.connection.cursor(), mark


def _load(round_id: int) -> tuple[list[int], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The round's results as arrays (value, U, k, value_b): one driver-level query, no ORM objects."""
    cursor, mark = _cursor()
    cursor.execute(
        "SELECT id, value, expanded_uncertainty, coverage_factor, value_b FROM round_results "
        f"WHERE round_id = {mark} ORDER BY id",
        (round_id,),
    )
    rows = cursor.fetchall()
    cursor.close()
    arr = np.array(rows, dtype=np.float64).reshape(-1, 5)  # NULL -> nan
    return [r[0] for r in rows], arr[:, 1], arr[:, 2], arr[:, 3], arr[:, 4]


def _store_scores(
    ids: list[int], scores: np.ndarray, kind: str, grades: np.ndarray, level: str = "a"
) -> None:
    """One executemany of every score at the driver level (the ORM's per-row bookkeeping costs ~10x)."""
    cursor, mark = _cursor()
    suffix = "_b" if level == "b" else ""
    cursor.executemany(
        f"UPDATE round_results SET score{suffix} = {mark}, score_kind{suffix} = {mark}, "
        f"grade{suffix} = {mark} WHERE id = {mark}",
        list(zip(scores.tolist(), [kind] * len(ids), grades.tolist(), ids, strict=True)),
    )
    cursor.close()


def _level_b_refusal(exc: ScoringError) -> InvalidInput:
    """Level B's refusal: the same words, said to be about level B, naming level B's fields."""
    refused = refusal(exc)
    rename = {"x_pt": "x_pt_b", "u_x_pt": "u_x_pt_b", "sigma_pt": "sigma_pt_b", "value": "value_b"}
    errors = {
        rename.get(field, field): [_("Level B: %(message)s", message=m) for m in messages]
        for field, messages in refused.errors.items()
    }
    return InvalidInput(_("Level B: %(message)s", message=refused.message), errors)


def _level_b_record(outcome: Outcome) -> dict[str, Any]:
    """What level B's evaluation used and found, as the evaluation keeps it (JSON)."""
    return {
        "x_pt": outcome.x_pt, "u_x_pt": outcome.u_x_pt, "sigma_pt": outcome.sigma_pt,
        "score_kind": outcome.score_kind, "n": outcome.n, "iterations": outcome.iterations,
        "converged": outcome.converged, "x_star": outcome.x_star, "s_star": outcome.s_star,
        "z_prime_reason": outcome.z_prime_reason, "reliability": outcome.reliability,
        "constants": outcome.constants, "summary": outcome.summary,
    }  # fmt: skip


def refusal(exc: ScoringError) -> InvalidInput:
    """The scoring's refusal in the reader's language, naming the fields it concerns."""
    p = exc.params
    if exc.reason == "too_few":
        what = _("a consensus value") if p.get("consensus") else _("a robust standard deviation")
        message = _(
            "%(n)s results are too few for %(what)s: at least %(needed)s are needed (with fewer, no "
            "laboratory can fail against its own mean); use a reference or certified value.",
            n=p["n"], what=what, needed=p["needed"],
        )  # fmt: skip
        return InvalidInput(message, {"results": [_("%(n)s results; at least %(needed)s needed.", **p)]})
    if exc.reason == "settings":
        needs = {
            "x_pt": _("The round's method needs x_pt (a finite number)."),
            "sigma_pt": _("The round's method needs sigma_pt, greater than 0."),
            "u_x_pt": _("The round's method needs u(x_pt), zero or more."),
        }
        message = _("The round's settings are incomplete for its method.")
        return InvalidInput(message, {field: [needs.get(field, message)] for field in exc.errors})
    if exc.reason == "uncertainty_missing":
        message = _(
            "%(kind)s needs every result's expanded uncertainty U (zero or more); %(n)s result(s) lack it "
            "or have a negative one.",
            kind="En" if p.get("kind") == "en" else "ζ", n=p["n"],
        )  # fmt: skip
        return InvalidInput(message, {"expanded_uncertainty": [message]})
    messages = {
        "no_results": ("results", _("The round has no results to evaluate.")),
        "not_numbers": ("value", _("Some values are not finite numbers.")),
        "identical": (
            "value",
            _("All values are identical: the round has no spread, so robust statistics cannot be computed."),
        ),
        "robust_sd_zero": (
            "value",
            _("Over half the values are identical: the robust standard deviation is 0."),
        ),
        "zero_uncertainty": (
            "expanded_uncertainty",
            _("A result and the assigned value both have zero uncertainty: its score is undefined."),
        ),
    }
    field, message = messages.get(exc.reason, ("results", exc.message))
    return InvalidInput(message, {field: [message]})


def evaluate_round(rnd: Round, actor: Any) -> Outcome:
    """Score a closed (or re-score an evaluated) round and keep what was used; nothing stored on refusal."""
    require_manager(actor)
    if rnd.status not in (RoundStatus.CLOSED, RoundStatus.EVALUATED):
        message = {
            RoundStatus.PLANNED: _("The round has not been opened yet; close it before evaluating."),
            RoundStatus.OPEN: _("The round is still open: close it before evaluating."),
            RoundStatus.PUBLISHED: _("The round is published; its evaluation can no longer change."),
        }[rnd.status]
        raise Conflict(message)
    if rnd.is_qualitative:
        return qualitative.evaluate(rnd, actor)
    with transaction(actor):
        ids, values, expanded, coverage, values_b = _load(rnd.id)
        try:
            outcome = evaluate_values(method_of(rnd), values, expanded, coverage)
        except ScoringError as exc:
            raise refusal(exc) from exc
        outcome_b = None
        if rnd.split_level:  # each level is its own item (ISO 13528): its own x_pt, Algorithm A, scores
            try:
                outcome_b = evaluate_values(method_of(rnd, "b"), values_b, expanded, coverage)
            except ScoringError as exc:
                raise _level_b_refusal(exc) from exc
        kind = outcome.score_kind
        _store_scores(ids, outcome.scores, kind, outcome.grades)
        if outcome_b is not None:
            _store_scores(ids, outcome_b.scores, outcome_b.score_kind, outcome_b.grades, "b")
        evaluation = rnd.evaluation
        if evaluation is None:
            evaluation = Evaluation(round_id=rnd.id)
            db.session.add(evaluation)
            rnd.evaluation = evaluation
        evaluation.assigned_value_method = rnd.assigned_value_method
        evaluation.sigma_pt_method = rnd.sigma_pt_method if kind in ("z", "z_prime") else None
        evaluation.score_kind = kind
        evaluation.x_pt, evaluation.u_x_pt, evaluation.sigma_pt = (
            outcome.x_pt,
            outcome.u_x_pt,
            outcome.sigma_pt,
        )
        evaluation.n, evaluation.iterations, evaluation.converged = (
            outcome.n,
            outcome.iterations,
            outcome.converged,
        )
        evaluation.x_star, evaluation.s_star = outcome.x_star, outcome.s_star
        evaluation.z_prime_reason = outcome.z_prime_reason
        evaluation.reliability = outcome.reliability
        evaluation.constants, evaluation.summary = outcome.constants, outcome.summary
        evaluation.level_b = _level_b_record(outcome_b) if outcome_b is not None else None
        evaluation.evaluated_at = utcnow()
        evaluation.evaluated_by_id = getattr(actor, "id", None)
        rnd.status = RoundStatus.EVALUATED
        comment = _(EVALUATED, n=outcome.n, kind=kind)
        act_as(actor, comment)
        events.round_changed.send(rnd, actor=actor, to=RoundStatus.EVALUATED.value)
    # the commit expired every loaded Result: the bulk update bypassed the identity map
    return outcome


def _same_item(rnd: Round):
    """Rounds on the same item as this one (by catalogue item, else by measurand and unit)."""
    if rnd.item_id is not None:
        return Round.item_id == rnd.item_id
    return (Round.item_id.is_(None)) & (Round.measurand == rnd.measurand) & (Round.unit == rnd.unit)


def _previous_grades(rnd: Round, lab_ids: list[int]) -> dict[int, tuple[str | None, str | None]]:
    """Each lab's grades (level A, level B) in its latest earlier published round on the same item."""
    if not lab_ids:
        return {}
    rows = db.session.execute(
        select(Result.lab_id, Result.grade, Result.grade_b, Round.closes_on, Round.id)
        .join(Round, Result.round_id == Round.id)
        .where(
            Result.lab_id.in_(lab_ids),
            Round.id != rnd.id,
            Round.status == RoundStatus.PUBLISHED,
            _same_item(rnd),
            (Round.closes_on < rnd.closes_on) | ((Round.closes_on == rnd.closes_on) & (Round.id < rnd.id)),
        )
        .order_by(Round.closes_on, Round.id)
    ).all()
    latest: dict[int, tuple[str | None, str | None]] = {}
    for lab_id, grade, grade_b, _closes, _rid in rows:
        latest[lab_id] = (grade, grade_b)  # ordered by date: the last one wins
    return latest


def _describe(rnd: Round, result: Result, reason: str, unit: str, levels: tuple[str, ...] = ()) -> str:
    """The finding's text in both languages, Chinese first (as the bureau's findings are written),
    so that either reader finds theirs whoever published the round."""
    texts = []
    for locale in ("zh_Hans_CN", "en"):
        with force_locale(locale):
            texts.append(_describe_in(rnd, result, reason, unit, levels))
    return "\n".join(dict.fromkeys(texts))


def _level_figures(rnd: Round, result: Result, level: str, unit: str) -> str:
    """'level B: reported 22 mg/L against 20 mg/L, z = 4.00' for one level of a split-level result."""
    evaluation = rnd.evaluation
    if level == "B":
        b = evaluation.level_b or {}
        value, x_pt, kind, score = result.value_b, b.get("x_pt"), result.score_kind_b, result.score_b
    else:
        value, x_pt, kind, score = result.value, evaluation.x_pt, result.score_kind, result.score
    return _(
        "level %(level)s: reported %(value)s %(unit)s against %(x_pt)s %(unit)s, %(kind)s = %(score)s",
        level=level, value=f"{value:.6g}", unit=unit, x_pt=f"{x_pt:.6g}", kind=kind, score=f"{score:.2f}",
    )  # fmt: skip


def _describe_in(rnd: Round, result: Result, reason: str, unit: str, levels: tuple[str, ...] = ()) -> str:
    evaluation = rnd.evaluation
    if rnd.is_qualitative:
        return _(
            "Unsatisfactory result in qualitative comparison round %(code)s (%(title)s): answered "
            "“%(answer)s” where the item's assigned answer is “%(assigned)s”. Investigate the cause and "
            "take corrective action (ISO/IEC 17025:2017 7.7.2, 8.7).",
            code=rnd.code, title=rnd.title, answer=qualitative.answer_label(rnd, result.answer),
            assigned=qualitative.answer_label(rnd, rnd.assigned_answer),
        )  # fmt: skip
    if levels:  # a split-level round: one finding naming the level(s) that failed, with their figures
        named = dict(
            code=rnd.code, title=rnd.title, levels=_("A and B") if len(levels) == 2 else levels[0],
            figures="; ".join(_level_figures(rnd, result, level, unit) for level in levels),
        )  # fmt: skip
        if reason == "unsatisfactory":
            return _(
                "Unsatisfactory result at level %(levels)s in split-level comparison round %(code)s "
                "(%(title)s): %(figures)s. Investigate the cause and take corrective action "
                "(ISO/IEC 17025:2017 7.7.2, 8.7).",
                **named,
            )
        return _(
            "Second questionable result in a row on the same item at level %(levels)s in split-level "
            "comparison round %(code)s (%(title)s): %(figures)s. Review the method and its quality control "
            "(ISO/IEC 17025:2017 7.7.2).",
            **named,
        )
    numbers = dict(
        code=rnd.code, title=rnd.title, value=f"{result.value:.6g}", unit=unit,
        x_pt=f"{evaluation.x_pt:.6g}", kind=result.score_kind, score=f"{result.score:.2f}",
    )  # fmt: skip
    if reason == "unsatisfactory":
        return _(
            "Unsatisfactory result in comparison round %(code)s (%(title)s): reported %(value)s %(unit)s "
            "against the assigned value %(x_pt)s %(unit)s, %(kind)s = %(score)s. Investigate the cause "
            "and take corrective action (ISO/IEC 17025:2017 7.7.2, 8.7).",
            **numbers,
        )
    return _(
        "Second questionable result in a row on the same item in comparison round %(code)s (%(title)s): "
        "reported %(value)s %(unit)s against %(x_pt)s %(unit)s, %(kind)s = %(score)s. Review the method "
        "and its quality control (ISO/IEC 17025:2017 7.7.2).",
        **numbers,
    )


def _split_levels(result: Result, previous: tuple[str | None, str | None]) -> tuple[str, tuple[str, ...]]:
    """Why a split-level result calls for a finding and at which level(s): ('', ()) if it does not.

    One finding per participant: unsatisfactory at either level wins (major) and names every
    unsatisfactory level; otherwise a level questionable twice in a row (at that level) is named.
    """
    grades = {"A": result.grade, "B": result.grade_b}
    before = {"A": previous[0], "B": previous[1]}
    failed = tuple(level for level, grade in grades.items() if grade == "unsatisfactory")
    if failed:
        return "unsatisfactory", failed
    again = tuple(
        level
        for level, grade in grades.items()
        if grade == "questionable" and before[level] == "questionable"
    )
    return ("second_questionable", again) if again else ("", ())


def findings_due(rnd: Round) -> list[tuple[Result, str, tuple[str, ...]]]:
    """The results of a round that call for a finding, with why and (split-level) at which levels,
    not yet linked to one."""
    linked = set(db.session.scalars(select(RoundFinding.result_id).where(RoundFinding.round_id == rnd.id)))
    results = [
        r for r in db.session.scalars(select(Result).where(Result.round_id == rnd.id)) if r.id not in linked
    ]
    if rnd.split_level and not rnd.is_qualitative:
        questionable = [r for r in results if "questionable" in (r.grade, r.grade_b)]
        previous = _previous_grades(rnd, [r.lab_id for r in questionable])
        due = []
        for r in results:
            reason, levels = _split_levels(r, previous.get(r.lab_id, (None, None)))
            if reason:
                due.append((r, reason, levels))
        return sorted(due, key=lambda item: item[0].id)
    questionable = [r for r in results if r.grade == "questionable"]
    previous = _previous_grades(rnd, [r.lab_id for r in questionable])
    due = [(r, "unsatisfactory", ()) for r in results if r.grade == "unsatisfactory"]
    due += [
        (r, "second_questionable", ())
        for r in questionable
        if previous.get(r.lab_id, (None, None))[0] == "questionable"
    ]
    return sorted(due, key=lambda item: item[0].id)


def publish_round(rnd: Round, actor: Any) -> list[RoundFinding]:
    """Publish an evaluated round and raise its findings; publishing again raises nothing twice."""
    from labtrack.audits.service import raise_finding_from_round

    require_manager(actor)
    if rnd.status not in (RoundStatus.EVALUATED, RoundStatus.PUBLISHED):
        raise Conflict(
            _("Only an evaluated round can be published (this one is %(status)s).", status=rnd.status_label)
        )
    links = []
    with transaction(actor):
        if rnd.status == RoundStatus.EVALUATED:
            rnd.status = RoundStatus.PUBLISHED
            rnd.published_at = utcnow()
            events.round_changed.send(rnd, actor=actor, to=RoundStatus.PUBLISHED.value)
        for result, reason, levels in findings_due(rnd):
            lab = db.session.get(Lab, result.lab_id)
            severity = UNSATISFACTORY_SEVERITY if reason == "unsatisfactory" else SECOND_QUESTIONABLE_SEVERITY
            finding = raise_finding_from_round(
                lab=lab,
                round_code=rnd.code,
                description=_describe(rnd, result, reason, rnd.unit or "", levels),
                severity=severity,
                actor=actor,
            )
            link = RoundFinding(
                round_id=rnd.id, result_id=result.id, finding_id=finding.id, lab_id=lab.id, reason=reason
            )
            db.session.add(link)
            links.append(link)
    return links
