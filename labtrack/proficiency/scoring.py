"""Evaluate a round's results with the round's methods: pure NumPy on arrays, no Flask, no database.

`evaluate_values` decides x_pt, u(x_pt) and sigma_pt by the round's methods, picks the score (z, or z'
when u(x_pt) > 0.3 sigma_pt; En or zeta for measurement comparisons), scores and grades every result
in one vectorised pass, and keeps everything it used so that a published report can be reproduced.
The formulas and limits are those of `stats.py` (the scalar reference; tests check they agree).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from labtrack.proficiency import stats

# En uses expanded uncertainties: U(x_pt) = k * u(x_pt) with k = 2 (about 95 %).
K_ASSIGNED = 2.0
# zeta needs u(x) = U / k; a result reported without its k is taken at k = 2.
DEFAULT_K = 2.0

GRADE_CODES = np.array([stats.SATISFACTORY, stats.QUESTIONABLE, stats.UNSATISFACTORY], dtype=object)


class ScoringError(ValueError):
    """The data or the round's settings do not allow an evaluation; `errors` names the fields.

    `reason` (one of REASONS) and `params` let the caller say the same in the reader's language.
    """

    def __init__(
        self, message: str, errors: dict[str, list[str]] | None = None, reason: str = "", **params: Any
    ):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.reason = reason
        self.params = params


REASONS = ("no_results", "not_numbers", "too_few", "identical", "settings", "robust_sd_zero",
           "uncertainty_missing", "zero_uncertainty")  # fmt: skip


@dataclass
class RoundMethod:
    """How a round is to be evaluated (taken from the round's fields)."""

    assigned_value_method: str  # reference | certified | reference_lab | consensus
    sigma_pt_method: str = "fixed"  # fixed | robust_sd
    score_basis: str = "z"  # z | en | zeta
    x_pt: float | None = None
    u_x_pt: float | None = None
    sigma_pt: float | None = None
    # A failed homogeneity check widens a fixed sigma_pt by the between-item SD s_s (ISO 13528 B.2.5);
    # a failed stability check adds |D| / sqrt(3) to u(x_pt) (ISO 13528 B.5, 7.8).
    between_item_sd: float = 0.0
    instability: float = 0.0


@dataclass
class Outcome:
    """What an evaluation found and what it used."""

    x_pt: float
    u_x_pt: float
    sigma_pt: float | None
    score_kind: str
    scores: np.ndarray
    grades: np.ndarray  # of grade strings
    n: int
    iterations: int = 0
    converged: bool = True
    x_star: float | None = None
    s_star: float | None = None
    z_prime_reason: str | None = None
    reliability: str = "n/a"
    constants: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)


def grade_array(scores: np.ndarray, kind: str) -> np.ndarray:
    """Grades of many scores at once, with the limits of `stats.grade`."""
    magnitude = np.abs(scores)
    if kind == "en":
        codes = np.where(magnitude <= stats.EN_LIMIT, 0, 2)
    else:
        codes = np.where(
            magnitude <= stats.SATISFACTORY_LIMIT, 0, np.where(magnitude < stats.UNSATISFACTORY_LIMIT, 1, 2)
        )
    return GRADE_CODES[codes]


def _robust(values: np.ndarray):
    """Algorithm A with its detail; a run that hits the iteration cap is reported, not raised."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", stats.ConvergenceWarning)
        return stats.algorithm_a_detail(values)


def _summary(values: np.ndarray) -> dict[str, Any]:
    """Plain and robust summary statistics of the reported values."""
    n = int(values.size)
    out: dict[str, Any] = {
        "n": n,
        "mean": float(values.mean()),
        "median": float(np.median(values)),
        "min": float(values.min()),
        "max": float(values.max()),
        "sd": float(values.std(ddof=1)) if n > 1 else None,
    }
    if n >= 2:
        out["mad_e"] = stats.mad_e(values)
        out["niqr"] = stats.niqr(values)
    return out


def _need(errors: dict[str, list[str]], name: str, value: float | None, positive: bool) -> None:
    if value is None:
        errors.setdefault(name, []).append(f"{name} is required by the round's method.")
    elif not math.isfinite(value) or value < 0 or (positive and value == 0):
        errors.setdefault(name, []).append(
            f"{name} must be {'greater than 0' if positive else 'zero or more'}."
        )


def evaluate_values(
    method: RoundMethod,
    values: np.ndarray,
    expanded: np.ndarray | None = None,
    coverage: np.ndarray | None = None,
) -> Outcome:
    """Score every value by the round's method; ScoringError (naming fields) when it cannot."""
    values = np.asarray(values, dtype=np.float64)
    n = int(values.size)
    consensus = method.assigned_value_method == "consensus"
    robust_sigma = method.sigma_pt_method == "robust_sd" and method.score_basis == "z"
    errors: dict[str, list[str]] = {}

    if n == 0:
        raise ScoringError(
            "The round has no results to evaluate.", {"results": ["No results."]}, "no_results"
        )
    if not np.all(np.isfinite(values)):
        raise ScoringError(
            "Some values are not numbers.", {"value": ["Values must be finite numbers."]}, "not_numbers"
        )
    needs_robust = consensus or robust_sigma
    if needs_robust and n < stats.CONSENSUS_REFUSED_BELOW:
        what = "a consensus value" if consensus else "a robust standard deviation"
        raise ScoringError(
            f"{n} results are too few for {what}: at least {stats.CONSENSUS_REFUSED_BELOW} are needed "
            "(with fewer, no lab can fail against its own mean); use a reference or certified value.",
            {"results": [f"{n} results; at least {stats.CONSENSUS_REFUSED_BELOW} needed."]},
            "too_few",
            n=n,
            needed=stats.CONSENSUS_REFUSED_BELOW,
            consensus=consensus,
        )
    if needs_robust and np.all(values == values[0]):
        raise ScoringError(
            "All values are identical: the round has no spread, so robust statistics cannot be computed.",
            {"value": ["All values are identical."]},
            "identical",
        )
    if not consensus and (method.x_pt is None or not math.isfinite(method.x_pt)):
        errors.setdefault("x_pt", []).append("x_pt (a finite number) is required by the round's method.")
    if method.score_basis == "z" and not robust_sigma:
        _need(errors, "sigma_pt", method.sigma_pt, positive=True)
    if method.score_basis in ("en", "zeta") and not consensus:
        _need(errors, "u_x_pt", method.u_x_pt, positive=False)
    if (
        method.u_x_pt is not None
        and not consensus
        and (not math.isfinite(method.u_x_pt) or method.u_x_pt < 0)
    ):
        errors.setdefault("u_x_pt", []).append("u_x_pt must be zero or more.")
    if errors:
        raise ScoringError("The round's settings are incomplete for its method.", errors, "settings")

    constants: dict[str, Any] = {
        "grade_limits": {"satisfactory_max": stats.SATISFACTORY_LIMIT,
                         "unsatisfactory_from": stats.UNSATISFACTORY_LIMIT, "en_max": stats.EN_LIMIT},
        "z_prime_ratio": stats.Z_PRIME_RATIO,
    }  # fmt: skip
    outcome_extra: dict[str, Any] = {}
    robust = None
    if needs_robust:
        robust = _robust(values)
        constants["algorithm_a"] = {
            "mad_factor": stats.MAD_FACTOR, "clip_factor": stats.CLIP_FACTOR, "sd_factor": stats.SD_FACTOR,
            "tolerance": robust.tolerance, "max_iterations": robust.max_iterations,
            "start": robust.start_s_method,
        }  # fmt: skip
        outcome_extra.update(iterations=robust.iterations, converged=robust.converged,
                             x_star=robust.x_star, s_star=robust.s_star)  # fmt: skip
        if robust.s_star == 0.0:
            raise ScoringError(
                "Over half the values are identical: the robust standard deviation is 0.",
                {"value": ["The robust SD of the values is 0."]},
                "robust_sd_zero",
            )

    if consensus:
        x_pt = robust.x_star
        u_x_pt = stats.u_assigned(robust.s_star, n)
        constants["u_factor"] = stats.U_ASSIGNED_FACTOR
        reliability = stats.consensus_reliability(n)
    else:
        x_pt = float(method.x_pt)
        u_x_pt = float(method.u_x_pt or 0.0)
        reliability = stats.consensus_reliability(n) if robust_sigma else "n/a"
    if method.instability:
        constants["u_x_pt_before_instability"] = u_x_pt
        u_x_pt = stats.u_x_pt_with_instability(u_x_pt, method.instability)

    sigma_pt: float | None
    if method.score_basis == "z":
        sigma_pt = robust.s_star if robust_sigma else float(method.sigma_pt)
    else:
        sigma_pt = float(method.sigma_pt) if method.sigma_pt else None
    # The robust SD of the results already holds the items' heterogeneity: only a fixed sigma_pt widens.
    if method.between_item_sd and sigma_pt and not robust_sigma:
        constants["sigma_pt_before_widening"] = sigma_pt
        sigma_pt = stats.widened_sigma_pt(sigma_pt, method.between_item_sd)

    z_prime_reason = None
    diff = values - x_pt
    if method.score_basis == "z":
        if stats.use_z_prime(u_x_pt, sigma_pt):
            kind = "z_prime"
            z_prime_reason = (
                f"u(x_pt) = {u_x_pt:.4g} > 0.3 × sigma_pt = {stats.Z_PRIME_RATIO * sigma_pt:.4g}: "
                "the assigned value's uncertainty is not negligible, so z' = (x - x_pt) / "
                "sqrt(sigma_pt² + u(x_pt)²) is used instead of z."
            )
            scores = diff / math.hypot(sigma_pt, u_x_pt)
        else:
            kind = "z"
            scores = diff / sigma_pt
    else:
        kind = method.score_basis
        U = np.asarray(expanded if expanded is not None else np.full(n, np.nan), dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(U) | (U < 0))
        if bad.size:
            raise ScoringError(
                f"{'En' if kind == 'en' else 'zeta'} needs every result's expanded uncertainty U "
                f"(zero or more); {bad.size} result(s) lack it or have a negative one.",
                {"expanded_uncertainty": [f"Missing or negative in {bad.size} result(s)."]},
                "uncertainty_missing",
                n=int(bad.size),
                kind=kind,
            )
        if kind == "en":
            U_pt = K_ASSIGNED * u_x_pt
            constants["k_assigned"] = K_ASSIGNED
            denominator = np.hypot(U, U_pt)
        else:
            k = np.asarray(coverage if coverage is not None else np.full(n, np.nan), dtype=np.float64)
            k = np.where(np.isfinite(k) & (k > 0), k, DEFAULT_K)
            constants["default_k"] = DEFAULT_K
            denominator = np.hypot(U / k, u_x_pt)
        if np.any(denominator == 0):
            raise ScoringError(
                "A result and the assigned value both have zero uncertainty: its score is undefined.",
                {"expanded_uncertainty": ["Zero uncertainty on both sides."]},
                "zero_uncertainty",
            )
        scores = diff / denominator

    summary = _summary(values)
    grades = grade_array(scores, kind)
    summary["grades"] = {g: int(np.count_nonzero(grades == g)) for g in GRADE_CODES}
    return Outcome(
        x_pt=float(x_pt), u_x_pt=float(u_x_pt), sigma_pt=sigma_pt, score_kind=kind, scores=scores,
        grades=grades, n=n, z_prime_reason=z_prime_reason, reliability=reliability,
        constants=constants, summary=summary, **outcome_extra,
    )  # fmt: skip
