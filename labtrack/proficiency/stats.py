"""Score proficiency-test results: ISO 13528 robust statistics, scores, grades and homogeneity."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

# ISO 13528 Algorithm A and the simple robust scale estimators (Annex C).
MAD_FACTOR = 1.483  # MADe = 1.483 * median absolute deviation
CLIP_FACTOR = 1.5  # delta = 1.5 * s*
SD_FACTOR = 1.134  # s* = 1.134 * SD of the clipped values
NIQR_FACTOR = 0.7413  # nIQR = 0.7413 * (Q3 - Q1)
U_ASSIGNED_FACTOR = 1.25  # u(x_pt) = 1.25 * s* / sqrt(p)
MIN_ALGORITHM_A_VALUES = 3

# Iterate to convergence, not to ISO's "third significant figure" stop.
TOLERANCE = 1e-10
MAX_ITERATIONS = 1000
# s* below this fraction of the data's resolution can only be a collapse onto one repeated value.
COLLAPSE_FRACTION = 1e-6

# Grading: |z| <= 2 satisfactory, 2 < |z| < 3 questionable, >= 3 unsatisfactory.
SATISFACTORY_LIMIT = 2.0
UNSATISFACTORY_LIMIT = 3.0
EN_LIMIT = 1.0
SATISFACTORY = "satisfactory"
QUESTIONABLE = "questionable"
UNSATISFACTORY = "unsatisfactory"
SCORE_KINDS = ("z", "z_prime", "zeta", "en")

# u(x_pt) > 0.3 sigma_pt makes z' the score instead of z.
Z_PRIME_RATIO = 0.3

# Small rounds: below 5 results no consensus value, below 12 it is flagged as unreliable.
CONSENSUS_REFUSED_BELOW = 5
CONSENSUS_RELIABLE_FROM = 12
CONSENSUS_REFUSED = "refused"
CONSENSUS_UNRELIABLE = "unreliable"
CONSENSUS_OK = "ok"

# Homogeneity (ISO 13528 Annex B): between-sample SD s_s must not exceed 0.3 sigma_pt.
HOMOGENEITY_FACTOR = 0.3
MIN_HOMOGENEITY_SAMPLES = 2

ScoreKind = Literal["z", "z_prime", "zeta", "en"]
Grade = Literal["satisfactory", "questionable", "unsatisfactory"]


class ConvergenceWarning(RuntimeWarning):
    """Warns that Algorithm A stopped at its iteration cap before converging."""


@dataclass(frozen=True)
class RobustResult:
    """Outcome of Algorithm A with what was used to reach it, for storing with a round."""

    x_star: float
    s_star: float
    n: int
    iterations: int
    converged: bool
    start_s_method: Literal["mad", "sd", "identical"]
    s_start: float
    collapsed: bool = False
    tolerance: float = TOLERANCE
    max_iterations: int = MAX_ITERATIONS
    method: str = "ISO 13528 Algorithm A"


@dataclass(frozen=True)
class HomogeneityResult:
    """Outcome of the ISO 13528 Annex B duplicate-design homogeneity check."""

    g: int
    x_mean: float
    s_x: float
    s_w: float
    s_s: float
    limit: float
    passed: bool


def _as_values(
    values: Iterable[float], name: str = "values"
) -> npt.NDArray[np.float64]:
    """Convert a sequence of real numbers to a finite 1-D float array (TypeError, ValueError)."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of numbers, not a string")
    if not isinstance(values, np.ndarray) and not isinstance(values, Sequence):
        values = list(values)
    raw = np.asarray(values)
    if raw.dtype.kind in "USabcmMV":
        raise TypeError(f"{name} must be real numbers, got {raw.dtype}")
    if raw.dtype.kind == "O" and any(
        isinstance(v, (str, bytes, bool)) or not isinstance(v, numbers.Real)
        for v in raw.flat
    ):
        raise TypeError(f"{name} must be real numbers")
    try:
        arr = raw.astype(np.float64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise TypeError(f"{name} must be real numbers: {exc}") from None
    if arr.ndim != 1:
        raise ValueError(
            f"{name} must be a flat sequence of numbers, got shape {arr.shape}"
        )
    nan = np.flatnonzero(np.isnan(arr))
    if nan.size:
        raise ValueError(f"{name} contain NaN at position(s) {nan.tolist()}")
    inf = np.flatnonzero(np.isinf(arr))
    if inf.size:
        raise ValueError(
            f"{name} contain infinite value(s) at position(s) {inf.tolist()}"
        )
    return arr


def _real(value: float, name: str) -> float:
    """Return value as a finite float, naming the parameter in TypeError or ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    result = float(value)
    if math.isnan(result):
        raise ValueError(f"{name} is NaN")
    if math.isinf(result):
        raise ValueError(f"{name} is infinite")
    return result


def _positive(value: float, name: str) -> float:
    """Return value as a finite float > 0 or raise ValueError."""
    result = _real(value, name)
    if result <= 0:
        raise ValueError(f"{name} must be greater than 0, got {result}")
    return result


def _non_negative(value: float, name: str) -> float:
    """Return value as a finite float >= 0 or raise ValueError."""
    result = _real(value, name)
    if result < 0:
        raise ValueError(f"{name} must not be negative, got {result}")
    return result


def _count(value: int, name: str) -> int:
    """Return value as a non-negative int (TypeError if not an int, ValueError if negative)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return int(value)


def _checked(value: float, what: str) -> float:
    """Raise ValueError if an intermediate result overflowed."""
    if not math.isfinite(value):
        raise ValueError(f"{what} is not finite: the values are too large to process")
    return value


def _resolution(arr: npt.NDArray[np.float64]) -> float:
    """Return the smallest gap between distinct values, floored at 1e-12 of their magnitude."""
    distinct = np.unique(arr)
    gap = float(np.min(np.diff(distinct))) if distinct.size > 1 else 0.0
    return max(gap, 1e-12 * float(np.max(np.abs(arr))))


def algorithm_a_detail(
    values: Iterable[float],
    *,
    tolerance: float = TOLERANCE,
    max_iterations: int = MAX_ITERATIONS,
) -> RobustResult:
    """Run ISO 13528 Algorithm A to convergence; return x*, s* and what was used to get them.

    Starts from x* = median and s* = 1.483 * MAD (the sample SD when the MAD is 0), then repeats
    delta = 1.5 s*, clip to [x* - delta, x* + delta], x* = mean, s* = 1.134 * SD (n - 1) until x*
    and s* both change by less than ``tolerance`` relative. Relative to what: x* against
    max(|x*|, s*, r) and s* against max(s*, r), where r is the data's resolution (smallest gap
    between distinct values), so a value or SD of 0 cannot stall the test. When over half the values
    are equal and the rest pull too weakly, s* shrinks geometrically toward 0; once it is below
    1e-6 r that is the limit, reported as s* = 0.0, x* = the repeated value and ``collapsed``.
    Hitting ``max_iterations`` returns the last estimate with ``converged=False`` and issues a
    ``ConvergenceWarning``.
    """
    arr = _as_values(values)
    n = int(arr.size)
    if n < MIN_ALGORITHM_A_VALUES:
        raise ValueError(
            f"Algorithm A needs at least {MIN_ALGORITHM_A_VALUES} values, got {n}"
        )
    tolerance = _positive(tolerance, "tolerance")
    max_iterations = _count(max_iterations, "max_iterations")

    if np.all(arr == arr[0]):
        return RobustResult(
            float(arr[0]),
            0.0,
            n,
            0,
            True,
            "identical",
            0.0,
            False,
            tolerance,
            max_iterations,
        )

    with np.errstate(over="ignore", invalid="ignore"):
        x = float(np.median(arr))
        s = MAD_FACTOR * float(np.median(np.abs(arr - x)))
        start_method: Literal["mad", "sd"] = "mad"
        if s == 0.0:
            s = float(np.std(arr, ddof=1))
            start_method = "sd"
        _checked(x, "the median")
        s_start = _checked(s, "the starting s*")
        floor = _resolution(arr)

        for iteration in range(1, max_iterations + 1):
            delta = CLIP_FACTOR * s
            clipped = np.clip(arr, x - delta, x + delta)
            x_new = _checked(float(np.mean(clipped)), "x*")
            s_new = _checked(SD_FACTOR * float(np.std(clipped, ddof=1)), "s*")
            dx, ds = abs(x_new - x), abs(s_new - s)
            x, s = x_new, s_new
            if dx < tolerance * max(abs(x), s, floor) and ds < tolerance * max(
                s, floor
            ):
                collapsed = s < COLLAPSE_FRACTION * floor
                if collapsed:
                    nearest = float(arr[np.argmin(np.abs(arr - x))])
                    if abs(nearest - x) < COLLAPSE_FRACTION * floor:
                        x = nearest
                    s = 0.0
                return RobustResult(
                    x,
                    s,
                    n,
                    iteration,
                    True,
                    start_method,
                    s_start,
                    collapsed,
                    tolerance,
                    max_iterations,
                )

    warnings.warn(
        f"Algorithm A did not converge in {max_iterations} iterations (n={n}); "
        "the last estimate is returned",
        ConvergenceWarning,
        stacklevel=2,
    )
    return RobustResult(
        x,
        s,
        n,
        max_iterations,
        False,
        start_method,
        s_start,
        False,
        tolerance,
        max_iterations,
    )


def algorithm_a(values: Iterable[float]) -> tuple[float, float]:
    """Return (x*, s*), the ISO 13528 Algorithm A robust mean and standard deviation of values."""
    detail = algorithm_a_detail(values)
    return detail.x_star, detail.s_star


def mad_e(values: Iterable[float]) -> float:
    """Return MADe = 1.483 * median(|x_i - median(x)|), a robust SD (needs at least 2 values)."""
    arr = _as_values(values)
    if arr.size < 2:
        raise ValueError(f"MADe needs at least 2 values, got {arr.size}")
    with np.errstate(over="ignore", invalid="ignore"):
        return _checked(
            MAD_FACTOR * float(np.median(np.abs(arr - np.median(arr)))), "MADe"
        )


def niqr(values: Iterable[float]) -> float:
    """Return nIQR = 0.7413 * (Q3 - Q1) with quartiles by linear interpolation (Hyndman-Fan type 7).

    Type 7 is NumPy's and R's default: the p-quantile of n sorted values is taken at 0-based
    position p * (n - 1), interpolating linearly between neighbours. Needs at least 2 values.
    """
    arr = _as_values(values)
    if arr.size < 2:
        raise ValueError(f"nIQR needs at least 2 values, got {arr.size}")
    with np.errstate(over="ignore", invalid="ignore"):
        q1, q3 = np.percentile(arr, [25.0, 75.0], method="linear")
        return _checked(NIQR_FACTOR * float(q3 - q1), "nIQR")


def u_assigned(s_star: float, p: int) -> float:
    """Return u(x_pt) = 1.25 * s* / sqrt(p) for a consensus value from p results."""
    s_star = _non_negative(s_star, "s_star")
    p = _count(p, "p")
    if p < 1:
        raise ValueError("p (the number of results) must be at least 1")
    return U_ASSIGNED_FACTOR * s_star / math.sqrt(p)


def z_score(x: float, x_pt: float, sigma_pt: float) -> float:
    """Return z = (x - x_pt) / sigma_pt."""
    x, x_pt = _real(x, "x"), _real(x_pt, "x_pt")
    sigma_pt = _positive(sigma_pt, "sigma_pt")
    return _checked((x - x_pt) / sigma_pt, "z")


def z_prime_score(x: float, x_pt: float, sigma_pt: float, u_x_pt: float) -> float:
    """Return z' = (x - x_pt) / sqrt(sigma_pt^2 + u(x_pt)^2)."""
    x, x_pt = _real(x, "x"), _real(x_pt, "x_pt")
    sigma_pt = _positive(sigma_pt, "sigma_pt")
    u_x_pt = _non_negative(u_x_pt, "u_x_pt")
    return _checked((x - x_pt) / math.hypot(sigma_pt, u_x_pt), "z'")


def zeta_score(x: float, u_x: float, x_pt: float, u_x_pt: float) -> float:
    """Return zeta = (x - x_pt) / sqrt(u(x)^2 + u(x_pt)^2) from standard uncertainties."""
    x, x_pt = _real(x, "x"), _real(x_pt, "x_pt")
    u_x, u_x_pt = _non_negative(u_x, "u_x"), _non_negative(u_x_pt, "u_x_pt")
    denominator = math.hypot(u_x, u_x_pt)
    if denominator == 0:
        raise ValueError("zeta is undefined when u_x and u_x_pt are both 0")
    return _checked((x - x_pt) / denominator, "zeta")


def en_score(x: float, U_x: float, x_pt: float, U_x_pt: float) -> float:
    """Return En = (x - x_pt) / sqrt(U(x)^2 + U(x_pt)^2) from expanded uncertainties."""
    x, x_pt = _real(x, "x"), _real(x_pt, "x_pt")
    U_x, U_x_pt = _non_negative(U_x, "U_x"), _non_negative(U_x_pt, "U_x_pt")
    denominator = math.hypot(U_x, U_x_pt)
    if denominator == 0:
        raise ValueError("En is undefined when U_x and U_x_pt are both 0")
    return _checked((x - x_pt) / denominator, "En")


def grade(score: float, kind: str) -> Grade:
    """Grade a score: z, z', zeta by |.| <= 2 / < 3 / >= 3; En by |En| <= 1 satisfactory, else not."""
    if not isinstance(kind, str) or kind not in SCORE_KINDS:
        raise ValueError(
            f"unknown score kind {kind!r}; expected one of {', '.join(SCORE_KINDS)}"
        )
    if isinstance(score, bool) or not isinstance(score, numbers.Real):
        raise TypeError(f"score must be a real number, got {score!r}")
    magnitude = abs(float(score))
    if math.isnan(magnitude):
        raise ValueError("score is NaN")
    if kind == "en":
        return SATISFACTORY if magnitude <= EN_LIMIT else UNSATISFACTORY
    if magnitude <= SATISFACTORY_LIMIT:
        return SATISFACTORY
    if magnitude < UNSATISFACTORY_LIMIT:
        return QUESTIONABLE
    return UNSATISFACTORY


def use_z_prime(u_x_pt: float, sigma_pt: float) -> bool:
    """Tell whether u(x_pt) > 0.3 sigma_pt, so the round must score with z' instead of z."""
    u_x_pt = _non_negative(u_x_pt, "u_x_pt")
    sigma_pt = _positive(sigma_pt, "sigma_pt")
    return u_x_pt > Z_PRIME_RATIO * sigma_pt


def consensus_reliability(n: int) -> Literal["refused", "unreliable", "ok"]:
    """Classify a consensus value from n results: refused below 5, unreliable below 12, else ok."""
    n = _count(n, "n")
    if n < CONSENSUS_REFUSED_BELOW:
        return CONSENSUS_REFUSED
    if n < CONSENSUS_RELIABLE_FROM:
        return CONSENSUS_UNRELIABLE
    return CONSENSUS_OK


def homogeneity_check(
    pairs: Iterable[Sequence[float]], sigma_pt: float
) -> HomogeneityResult:
    """Check homogeneity from duplicates (ISO 13528 Annex B): pass if s_s <= 0.3 sigma_pt."""
    sigma_pt = _positive(sigma_pt, "sigma_pt")
    if isinstance(pairs, (str, bytes)):
        raise TypeError("pairs must be a sequence of (a, b) duplicate results")
    rows = list(pairs)
    for i, row in enumerate(rows):
        if isinstance(row, (str, bytes)) or not isinstance(row, (Sequence, np.ndarray)):
            raise TypeError(f"pair {i} must be an (a, b) duplicate, got {row!r}")
        if len(row) != 2:
            raise ValueError(f"pair {i} must hold exactly 2 results, got {len(row)}")
    flat = _as_values([v for row in rows for v in row], "duplicate results")
    g = len(rows)
    if g < MIN_HOMOGENEITY_SAMPLES:
        raise ValueError(
            f"the homogeneity check needs at least {MIN_HOMOGENEITY_SAMPLES} samples, got {g}"
        )
    data = flat.reshape(g, 2)
    with np.errstate(over="ignore", invalid="ignore"):
        sample_means = data.mean(axis=1)
        w = data[:, 0] - data[:, 1]
        x_mean = _checked(float(sample_means.mean()), "the general mean")
        s_x = _checked(float(np.std(sample_means, ddof=1)), "s_x")
        s_w = _checked(math.sqrt(float(np.sum(w**2)) / (2 * g)), "s_w")
        s_s = math.sqrt(max(0.0, s_x**2 - s_w**2 / 2))
    limit = HOMOGENEITY_FACTOR * sigma_pt
    return HomogeneityResult(
        g=g, x_mean=x_mean, s_x=s_x, s_w=s_w, s_s=s_s, limit=limit, passed=s_s <= limit
    )
