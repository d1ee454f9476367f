"""Score proficiency-test results: ISO 13528 robust statistics, scores, grades and homogeneity."""

from __future__ import annotations

import bisect
import math
import numbers
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
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
MAX_ITERATIONS = 100_000  # cheap passes; slow linear convergence can need thousands
# Values closer than this fraction of the data's spread count as one value when detecting collapse or
# slow growth: the spread is the larger of the robust spread and the widest distance from the median,
# so a difference like 4.6e-304 beside values 0 and 1 counts as none (no laboratory reports one).
SAME_VALUE_FRACTION = 1e-12

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
    """Outcome of Algorithm A with what was used to reach it, for storing with a round.

    ``iterations`` counts the passes computed, ``extrapolations`` the jumps to where the passes
    were provably heading (see ``algorithm_a_detail``), ``collapsed`` marks an s* that went to 0.
    """

    x_star: float
    s_star: float
    n: int
    iterations: int
    converged: bool
    start_s_method: Literal["mad", "sd", "identical"]
    s_start: float
    extrapolations: int = 0
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


def _as_values(values: Iterable[float], name: str = "values") -> npt.NDArray[np.float64]:
    """Convert a sequence of real numbers to a finite 1-D float array (TypeError, ValueError)."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of numbers, not a string")
    if not isinstance(values, np.ndarray) and not isinstance(values, Sequence):
        values = list(values)
    raw = np.asarray(values)
    if raw.dtype.kind in "USabcmMV":
        raise TypeError(f"{name} must be real numbers, got {raw.dtype}")
    if raw.dtype.kind == "O" and any(
        isinstance(v, bool) or not isinstance(v, (numbers.Real, Decimal)) for v in raw.flat
    ):
        raise TypeError(f"{name} must be real numbers")
    try:
        arr = raw.astype(np.float64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise TypeError(f"{name} must be real numbers: {exc}") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a flat sequence of numbers, got shape {arr.shape}")
    nan = np.flatnonzero(np.isnan(arr))
    if nan.size:
        raise ValueError(f"{name} contain NaN at position(s) {nan.tolist()}")
    inf = np.flatnonzero(np.isinf(arr))
    if inf.size:
        raise ValueError(f"{name} contain infinite value(s) at position(s) {inf.tolist()}")
    return arr


def _real(value: float, name: str) -> float:
    """Return value as a finite float, naming the parameter in TypeError or ValueError."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, Decimal)):
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


def _robust_spread(centred: npt.NDArray[np.float64]) -> float:
    """Return MADe of median-centred data, or 1.483 * median of the non-zero distances if MADe is 0."""
    distances = np.abs(centred)
    spread = float(np.median(distances))
    if spread == 0.0:
        spread = float(np.median(distances[distances > 0]))
    return MAD_FACTOR * spread


class _Passes:
    """Algorithm A passes over sorted, median-centred data, each O(log n) from per-pattern sums.

    A clipping pattern (lo, hi) says sorted values lo..hi-1 lie inside the window and the lo below
    and n - hi above are clipped; the mean and sum of squared deviations of the inside values are
    computed once per pattern, so a pass is a few float operations however large n is. Sums of
    squares are kept as t^2 * r with t the largest deviation, so tiny deviations never underflow.
    """

    def __init__(self, ordered: npt.NDArray[np.float64]) -> None:
        self.values = ordered
        self.listed = ordered.tolist()
        self.n = len(self.listed)
        self._sums: dict[tuple[int, int], tuple[float, float, float]] = {}

    def pattern(self, x: float, s: float) -> tuple[int, int]:
        """Return (lo, hi): the sorted values lo..hi-1 lie inside [x - 1.5 s, x + 1.5 s]."""
        delta = CLIP_FACTOR * s
        return bisect.bisect_left(self.listed, x - delta), bisect.bisect_right(self.listed, x + delta)

    def inside(self, lo: int, hi: int) -> tuple[float, float, float]:
        """Return the mean of the values inside and their sum of squared deviations as (t, r): t^2 r."""
        if (lo, hi) not in self._sums:
            inner = self.values[lo:hi]
            mean = float(np.mean(inner))
            deviations = inner - mean
            t = float(np.max(np.abs(deviations)))
            r = float(np.sum((deviations / t) ** 2)) if t > 0 else 0.0
            self._sums[lo, hi] = (mean, t, r)
        return self._sums[lo, hi]

    def step(self, x: float, s: float) -> tuple[float, float, tuple[int, int]]:
        """Run one pass: clip to x* +- 1.5 s*, return the clipped mean, 1.134 * SD and the pattern."""
        lo, hi = self.pattern(x, s)
        k, n_low, n_high, n = hi - lo, lo, self.n - hi, self.n
        delta = CLIP_FACTOR * s
        mean, t_inside, r_inside = self.inside(lo, hi) if k else (0.0, 0.0, 0.0)
        x_new = (k * mean + n_low * (x - delta) + n_high * (x + delta)) / n
        # squared deviations of the clipped values about their mean, scaled by the largest one
        inner, low, high = mean - x_new, x - delta - x_new, x + delta - x_new
        t = max(t_inside, abs(inner) if k else 0.0, abs(low) if n_low else 0.0, abs(high) if n_high else 0.0)
        if t == 0.0:
            return x_new, 0.0, (lo, hi)
        inner, low, high, t_inside = inner / t, low / t, high / t, t_inside / t
        r = t_inside * t_inside * r_inside + k * inner * inner + n_low * low * low + n_high * high * high
        return x_new, SD_FACTOR * t * math.sqrt(r / (n - 1)), (lo, hi)

    def fixed_point(self, lo: int, hi: int) -> tuple[float, float] | None:
        """Solve for the fixed point of pattern (lo, hi) in closed form, if it has one.

        With k values inside (mean a, sum of squared deviations Q), L clipped low and H high, a fixed
        point has k x = k a + 1.5 s (H - L), so x = a + b s with b = 1.5 (H - L) / k, and
        (n - 1) s^2 / 1.134^2 = Q + k b^2 s^2 + 2.25 (L + H) s^2, so
        s^2 = Q / ((n - 1) / 1.134^2 - k b^2 - 2.25 (L + H)). It counts only if it keeps the pattern.
        """
        k, n_low, n_high = hi - lo, lo, self.n - hi
        if k == 0:
            return None
        mean, t, r = self.inside(lo, hi)  # Q = t^2 r
        b = CLIP_FACTOR * (n_high - n_low) / k
        denominator = (self.n - 1) / SD_FACTOR**2 - k * b * b - CLIP_FACTOR**2 * (n_low + n_high)
        if t == 0.0 or denominator <= 0.0:
            return None
        s = t * math.sqrt(r / denominator)
        x = mean + b * s
        return (x, s) if self.pattern(x, s) == (lo, hi) else None

    def passes_to_skip(self, lo: int, hi: int, m: float, ratio: float, s: float, factor: float) -> int:
        """Count passes that can each grow a window about m by ``factor`` before it takes in a value."""
        room = math.inf
        if hi < self.n:
            room = min(room, (self.listed[hi] - m) / (s * (ratio + CLIP_FACTOR)))
        if lo > 0:
            room = min(room, (m - self.listed[lo - 1]) / (s * (CLIP_FACTOR - ratio)))
        if not math.isfinite(room) or room <= 1.0:
            return 0
        return max(0, math.ceil(math.log(room) / math.log(factor)) - 2)


def algorithm_a_detail(
    values: Iterable[float],
    *,
    tolerance: float = TOLERANCE,
    max_iterations: int = MAX_ITERATIONS,
) -> RobustResult:
    """Run ISO 13528 Algorithm A to convergence; return x*, s* and what was used to get them.

    Starts from x* = median and s* = 1.483 * MAD (the sample SD when the MAD is 0), then repeats
    delta = 1.5 s*, clip to [x* - delta, x* + delta], x* = mean, s* = 1.134 * SD (n - 1) until
    |change of x*| <= tolerance * max(|x*|, s*) and |change of s*| <= tolerance * s* (s* stays
    above 0 for data that are not all equal, so a mean of 0 cannot stall the test; a pass that
    changes nothing has converged even where tolerance * s* underflows to 0).

    Passes converge linearly, and on tied or bimodal data can need thousands to millions, so each
    pass is cheap (``_Passes``) and two exact shortcuts apply, counted in ``extrapolations`` and
    always confirmed by a normal pass:
    - a pass that keeps the clipping pattern jumps to that pattern's closed-form fixed point, if
      that point keeps the pattern too;
    - when the window holds only copies of one value m (over half the data equal), every pass
      multiplies x* - m and s* by the same factor once (x* - m) / s* has settled: below 1 the
      limit is x* = m, s* = 0.0 (``collapsed``); above 1 skip ahead to just before the window
      takes in another value. Values closer than 1e-12 of the data's spread (the larger of its
      robust spread and its widest distance from the median) count as equal: a cluster of values
      0, 0, 4.6e-304, 1.7e-258 among values of size 1 is one value, not a window that widens by
      0.6% a pass for a hundred thousand passes.
    Passes run on the data centred on the median and scaled by a power of 2 into [-1, 1], so a
    large offset costs no precision. Hitting ``max_iterations`` passes returns the last estimate
    with ``converged=False`` and a ``ConvergenceWarning``.
    """
    arr = _as_values(values)
    n = int(arr.size)
    if n < MIN_ALGORITHM_A_VALUES:
        raise ValueError(f"Algorithm A needs at least {MIN_ALGORITHM_A_VALUES} values, got {n}")
    tolerance = _positive(tolerance, "tolerance")
    max_iterations = _count(max_iterations, "max_iterations")

    def done(x_star: float, s_star: float, passes: int, **flags: bool) -> RobustResult:
        return RobustResult(
            x_star=x_star,
            s_star=s_star,
            n=n,
            iterations=passes,
            converged=flags.get("converged", True),
            start_s_method=start_method,
            s_start=s_start,
            extrapolations=extrapolations,
            collapsed=flags.get("collapsed", False),
            tolerance=tolerance,
            max_iterations=max_iterations,
        )

    start_method: Literal["mad", "sd", "identical"] = "identical"
    s_start = 0.0
    extrapolations = 0
    if np.all(arr == arr[0]):
        return done(float(arr[0]), 0.0, 0)

    with np.errstate(over="ignore", invalid="ignore"):
        ordered = np.sort(arr)
        median = _checked(float(np.median(ordered)), "the median")
        # centre on the median and divide by a power of 2 (exact) so the values lie in [-1, 1]:
        # no overflow or underflow when squaring, and no precision lost to a large offset
        widest = _checked(float(np.max(np.abs(ordered - median))), "the spread of the values")
        scale = math.ldexp(1.0, math.frexp(widest)[1])
        unit = (ordered - median) / scale  # still sorted
        s = MAD_FACTOR * float(np.median(np.abs(unit)))
        start_method = "mad"
        if s == 0.0:
            s = float(np.std(unit, ddof=1))
            start_method = "sd"
        s_start = s * scale
        # unit values lie in [-1, 1] with the widest at least 1/2 from 0: the floor is the data's scale
        same = SAME_VALUE_FRACTION * max(_robust_spread(unit), float(np.max(np.abs(unit))))
        run = _Passes(unit)
        x = 0.0  # (x* - median) / scale throughout
        solved: set[tuple[int, int]] = set()  # patterns whose fixed point was already tried

        for passes in range(1, max_iterations + 1):
            x_prev, s_prev = x, s
            x, s, (lo, hi) = run.step(x, s)
            if (
                s > 0
                and abs(x - x_prev) * scale <= tolerance * max(abs(median + x * scale), s * scale)
                and abs(s - s_prev) <= tolerance * s
            ):
                return done(median + x * scale, s * scale, passes)
            if s == 0.0:  # every value clipped onto one point
                return done(median + x * scale, 0.0, passes, collapsed=True)

            if hi > lo and run.listed[hi - 1] - run.listed[lo] <= same:  # one value m inside
                middle = (lo + hi - 1) // 2
                m = run.listed[middle]
                ratio = (x - m) / s
                if abs(ratio) >= CLIP_FACTOR or abs(ratio - (x_prev - m) / s_prev) >= tolerance:
                    continue
                factor = s / s_prev
                if factor < 1.0:
                    return done(float(ordered[middle]), 0.0, passes, collapsed=True)
                jump = run.passes_to_skip(lo, hi, m, ratio, s, factor)
                if jump:
                    s *= factor**jump
                    x = m + ratio * s
                    extrapolations += 1
                continue

            if (lo, hi) in solved or run.pattern(x, s) != (lo, hi):
                continue
            solved.add((lo, hi))
            target = run.fixed_point(lo, hi)
            if target is not None:
                x, s = target
                extrapolations += 1

    warnings.warn(
        f"Algorithm A did not converge in {max_iterations} iterations (n={n}); the last estimate is returned",
        ConvergenceWarning,
        stacklevel=2,
    )
    return done(median + x * scale, s * scale, max_iterations, converged=False)


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
        return _checked(MAD_FACTOR * float(np.median(np.abs(arr - np.median(arr)))), "MADe")


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
        raise ValueError(f"unknown score kind {kind!r}; expected one of {', '.join(SCORE_KINDS)}")
    if isinstance(score, bool) or not isinstance(score, (numbers.Real, Decimal)):
        raise TypeError(f"score must be a real number, got {score!r}")
    magnitude = abs(float(score))
    if math.isnan(magnitude):
        raise ValueError("score is NaN")  # an infinite score is simply unsatisfactory
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


def homogeneity_check(pairs: Iterable[Sequence[float]], sigma_pt: float) -> HomogeneityResult:
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
        raise ValueError(f"the homogeneity check needs at least {MIN_HOMOGENEITY_SAMPLES} samples, got {g}")
    data = flat.reshape(g, 2)
    with np.errstate(over="ignore", invalid="ignore"):
        sample_means = data.mean(axis=1)
        w = data[:, 0] - data[:, 1]
        x_mean = _checked(float(sample_means.mean()), "the general mean")
        s_x = _checked(float(np.std(sample_means, ddof=1)), "s_x")
        s_w = _checked(math.sqrt(float(np.sum(w**2)) / (2 * g)), "s_w")
        # s_s^2 = s_x^2 - s_w^2 / 2, factored so that large values cannot overflow
        half_w = s_w / math.sqrt(2.0)
        s_s = math.sqrt(s_x - half_w) * math.sqrt(s_x + half_w) if s_x > half_w else 0.0
    limit = HOMOGENEITY_FACTOR * sigma_pt
    return HomogeneityResult(g=g, x_mean=x_mean, s_x=s_x, s_w=s_w, s_s=s_s, limit=limit, passed=s_s <= limit)


# --- The items sent out: homogeneity and stability studies (ISO 13528:2015 Annex B) ---

# ISO 13528 asks for at least 10 items drawn at random, each measured at least twice.
MIN_HOMOGENEITY_ITEMS = 10
MIN_REPLICATES = 2
MIN_STABILITY_VALUES = 2

# ISO 13528 Table B.1: F1 = chi2(0.95, g-1) / (g-1), F2 = (F(0.95; g-1, g) - 1) / 2 for the expanded
# criterion sqrt(F1 (0.3 sigma_pt)^2 + F2 s_w^2). The table stops at g = 20; more items use its last row.
HOMOGENEITY_F1_F2 = {
    20: (1.59, 0.57), 19: (1.60, 0.59), 18: (1.62, 0.62), 17: (1.64, 0.64), 16: (1.67, 0.68),
    15: (1.69, 0.71), 14: (1.72, 0.75), 13: (1.75, 0.80), 12: (1.79, 0.86), 11: (1.83, 0.93),
    10: (1.88, 1.01), 9: (1.94, 1.11), 8: (2.01, 1.25), 7: (2.10, 1.43),
}  # fmt: skip


@dataclass(frozen=True)
class Homogeneity:
    """A homogeneity study (g items, m replicates each): the ANOVA estimates and both criteria."""

    g: int
    m: int
    mean: float
    s_x: float
    s_w: float
    s_s: float
    criterion: float
    passed: bool
    f1: float
    f2: float
    expanded_criterion: float
    passed_expanded: bool


@dataclass(frozen=True)
class Stability:
    """A stability study: the means before and after, their difference and the criteria."""

    n_before: int
    n_after: int
    mean_before: float
    mean_after: float
    difference: float
    criterion: float
    passed: bool
    u_difference: float
    expanded_criterion: float
    passed_expanded: bool


def _replicates(values: Iterable[Sequence[float]]) -> npt.NDArray[np.float64]:
    """The study's replicate lists as a g x m array; ValueError naming what is required."""
    if isinstance(values, (str, bytes)):
        raise TypeError("values must be a list of per-item replicate lists")
    rows = list(values)
    for i, row in enumerate(rows):
        if isinstance(row, (str, bytes)) or not isinstance(row, (Sequence, np.ndarray)):
            raise TypeError(f"item {i + 1} must be a list of replicate results, got {row!r}")
    if len(rows) < MIN_HOMOGENEITY_ITEMS:
        raise ValueError(f"a homogeneity study needs at least {MIN_HOMOGENEITY_ITEMS} items, got {len(rows)}")
    lengths = sorted({len(row) for row in rows})
    if len(lengths) > 1:
        raise ValueError(
            f"every item needs the same number of replicates; got {', '.join(map(str, lengths))}"
        )
    if lengths[0] < MIN_REPLICATES:
        raise ValueError(f"every item needs at least {MIN_REPLICATES} replicates, got {lengths[0]}")
    flat = _as_values([v for row in rows for v in row], "replicate results")
    return flat.reshape(len(rows), lengths[0])


def homogeneity(values: Iterable[Sequence[float]], sigma_pt: float) -> Homogeneity:
    """ISO 13528 Annex B.3: s_s from g items x m replicates, passed if s_s <= 0.3 sigma_pt.

    s_x is the SD of the item means, s_w the pooled within-item SD (for m = 2 the same as
    sqrt(sum w^2 / 2g)), s_s = sqrt(max(0, s_x^2 - s_w^2 / m)); the expanded criterion (B.2.4) is
    sqrt(F1 (0.3 sigma_pt)^2 + F2 s_w^2) with F1, F2 from ISO's table for g.
    """
    sigma_pt = _positive(sigma_pt, "sigma_pt")
    data = _replicates(values)
    g, m = data.shape
    # Centre first: the spreads do not depend on the level, and large levels would lose digits.
    centre = float(np.median(data))
    with np.errstate(over="ignore", invalid="ignore"):
        centred = data - centre
        item_means = centred.mean(axis=1)
        mean = _checked(centre + float(item_means.mean()), "the general mean")
        s_x = _checked(float(np.std(item_means, ddof=1)), "s_x")
        within = _checked(float(np.mean(np.var(centred, axis=1, ddof=1))), "s_w")
    s_w = math.sqrt(within)
    s_s = math.sqrt(max(0.0, s_x * s_x - within / m))
    criterion = HOMOGENEITY_FACTOR * sigma_pt
    f1, f2 = HOMOGENEITY_F1_F2[min(g, max(HOMOGENEITY_F1_F2))]
    expanded = math.sqrt(f1 * criterion**2 + f2 * within)
    return Homogeneity(
        g=g, m=m, mean=mean, s_x=s_x, s_w=s_w, s_s=s_s, criterion=criterion, passed=s_s <= criterion,
        f1=f1, f2=f2, expanded_criterion=expanded, passed_expanded=s_s <= expanded,
    )  # fmt: skip


def stability(before: Iterable[float], after: Iterable[float], sigma_pt: float) -> Stability:
    """ISO 13528 Annex B.5: stable if the means before and after differ by at most 0.3 sigma_pt.

    The expanded criterion adds twice the standard uncertainty of the difference,
    0.3 sigma_pt + 2 sqrt(s_1^2 / n_1 + s_2^2 / n_2), for when the measurement itself is not precise.
    """
    sigma_pt = _positive(sigma_pt, "sigma_pt")
    first = _as_values(before, "values before")
    second = _as_values(after, "values after")
    for name, arr in (("before", first), ("after", second)):
        if arr.size < MIN_STABILITY_VALUES:
            raise ValueError(
                f"a stability study needs at least {MIN_STABILITY_VALUES} values {name}, got {arr.size}"
            )
    centre = float(np.median(first))
    with np.errstate(over="ignore", invalid="ignore"):
        mean_1 = float((first - centre).mean())
        mean_2 = float((second - centre).mean())
        difference = _checked(mean_2 - mean_1, "the difference of the means")
        u_diff = _checked(
            math.sqrt(
                float(np.var(first, ddof=1)) / first.size + float(np.var(second, ddof=1)) / second.size
            ),
            "the uncertainty of the difference",
        )
    criterion = HOMOGENEITY_FACTOR * sigma_pt
    expanded = criterion + 2 * u_diff
    return Stability(
        n_before=int(first.size), n_after=int(second.size), mean_before=centre + mean_1,
        mean_after=centre + mean_2, difference=difference, criterion=criterion,
        passed=abs(difference) <= criterion, u_difference=u_diff, expanded_criterion=expanded,
        passed_expanded=abs(difference) <= expanded,
    )  # fmt: skip


def widened_sigma_pt(sigma_pt: float, s_s: float) -> float:
    """sigma_pt widened to include the between-item SD (ISO 13528 B.2.5): sqrt(sigma_pt^2 + s_s^2)."""
    return math.hypot(_positive(sigma_pt, "sigma_pt"), _non_negative(s_s, "s_s"))


def u_x_pt_with_instability(u_x_pt: float, difference: float) -> float:
    """u(x_pt) with the instability added as a rectangular term |D| / sqrt(3) (ISO 13528 7.8, B.5)."""
    return math.hypot(_non_negative(u_x_pt, "u_x_pt"), _real(difference, "difference") / math.sqrt(3.0))


# --- Performance over several rounds (ISO 13528:2005 7.6, combined scores; 2015 9.8) ---

ROLLING_ROUNDS = 5  # a lab's last rounds on an item
DRIFT_RUN = 3  # this many scores in a row moving away from 0 on one side is a drift


@dataclass(frozen=True)
class Rolling:
    """A lab's performance on one item over its last rounds."""

    n: int
    satisfactory: int
    share: float
    n_z: int  # scores combined into RSZ and SSZ (z and z' only)
    rsz: float | None  # rescaled sum of z scores: sum(z) / sqrt(n)
    ssz: float | None  # sum of squared z scores
    drift: str | None  # "bias" (|RSZ| > 2), "trend" (a run away from 0), or None


def rolling(grades: Sequence[str], z_scores: Sequence[float]) -> Rolling:
    """Combine a lab's last results on an item: the share satisfactory, RSZ = sum(z) / sqrt(n) and
    SSZ = sum(z^2) of its z (or z') scores, oldest first, and whether it drifts: a bias that single
    scores hide (|RSZ| > 2) or the last DRIFT_RUN scores on one side, each further from 0."""
    grades = list(grades)
    zs = [_real(z, "z score") for z in z_scores]
    satisfactory = sum(1 for g in grades if g == SATISFACTORY)
    rsz = sum(zs) / math.sqrt(len(zs)) if zs else None
    ssz = sum(z * z for z in zs) if zs else None
    drift = None
    if rsz is not None and abs(rsz) > SATISFACTORY_LIMIT:
        drift = "bias"
    elif len(zs) >= DRIFT_RUN:
        tail = zs[-DRIFT_RUN:]
        same_side = all(z > 0 for z in tail) or all(z < 0 for z in tail)
        if same_side and all(abs(b) > abs(a) for a, b in zip(tail, tail[1:], strict=False)):
            drift = "trend"
    return Rolling(
        n=len(grades), satisfactory=satisfactory, share=satisfactory / len(grades) if grades else 0.0,
        n_z=len(zs), rsz=rsz, ssz=ssz, drift=drift,
    )  # fmt: skip


# --- split-level rounds: the Youden plot (ISO 13528 10.5) ---------------------------------------

YOUDEN_CONFIDENCE = 0.95
MIN_YOUDEN_PAIRS = MIN_ALGORITHM_A_VALUES
YOUDEN_ELLIPSE_POINTS = 73  # every 5 degrees, closed


@dataclass(frozen=True)
class YoudenPoint:
    """One participant's pair, standardised on each level (u on A, v on B), read against the ellipse."""

    u: float
    v: float
    distance2: float  # squared Mahalanobis distance from the robust centre
    outside: bool  # outside the ellipse at YOUDEN_CONFIDENCE
    error: Literal["systematic", "random"] | None  # what puts it outside: along the 45 degree line or across


@dataclass(frozen=True)
class Youden:
    """A split-level round's pairs: robust centre, spreads and correlation, the 95 % ellipse (points in
    the levels' own units), and the reading of each pair and of the whole."""

    n: int
    mean_a: float
    sd_a: float
    mean_b: float
    sd_b: float
    correlation: float
    s_sum: float  # robust SD of (u + v) / sqrt(2): spread along the 45 degree line
    s_diff: float  # robust SD of (u - v) / sqrt(2): spread across it (random error alone)
    systematic_share: float  # share of the spread along the line not explained by random error
    dominant: Literal["systematic", "random"]
    chi2: float
    ellipse: list[tuple[float, float]]
    points: list[YoudenPoint]


def youden(
    level_a: Iterable[float], level_b: Iterable[float], confidence: float = YOUDEN_CONFIDENCE
) -> Youden:
    """Read a split-level round on a Youden plot.

    Each level's robust mean and SD are Algorithm A's (x*, s*); the pairs are standardised
    (u = (a - x*_A) / s*_A, v = (b - x*_B) / s*_B), so the 45 degree line runs through the robust
    centre whatever the levels' sizes. The robust correlation is Gnanadesikan and Kettenring's from
    Algorithm A SDs of the sums and differences: rho = (S^2 - D^2) / (S^2 + D^2), S = s*(u + v),
    D = s*(u - v). The ellipse is where the squared Mahalanobis distance
    (u^2 - 2 rho u v + v^2) / (1 - rho^2) equals chi^2(2, confidence) = -2 ln(1 - confidence).
    A pair outside it errs systematically when it lies along the 45 degree line (|u + v| > |u - v|:
    both levels off the same way) and randomly otherwise. Across the round, the spread across the
    line (s_diff) is random error alone; systematic_share = max(0, 1 - s_diff^2 / s_sum^2) is the
    share of the spread along the line that random error does not explain, and the dominant error
    is systematic when it is over one half (the points lie in a long ellipse along the line).
    """
    a, b = _as_values(level_a, "level A"), _as_values(level_b, "level B")
    if a.size != b.size:
        raise ValueError(
            f"level A has {a.size} values and level B {b.size}: every participant needs both levels"
        )
    if a.size < MIN_YOUDEN_PAIRS:
        raise ValueError(f"a Youden plot needs at least {MIN_YOUDEN_PAIRS} pairs (got {a.size})")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    mean_a, sd_a = algorithm_a(a)
    mean_b, sd_b = algorithm_a(b)
    if sd_a <= 0 or sd_b <= 0:
        raise ValueError("a level whose results do not vary (robust SD 0) has no Youden ellipse")
    u, v = (a - mean_a) / sd_a, (b - mean_b) / sd_b
    _m, s_plus = algorithm_a(u + v)
    _m, s_minus = algorithm_a(u - v)
    total = s_plus**2 + s_minus**2
    rho = (s_plus**2 - s_minus**2) / total if total > 0 else 0.0
    rho = max(-0.999, min(0.999, rho))  # a degenerate line still draws a (thin) ellipse
    chi2 = -2.0 * math.log(1.0 - confidence)
    s_sum, s_diff = s_plus / math.sqrt(2), s_minus / math.sqrt(2)
    share = max(0.0, 1.0 - s_diff**2 / s_sum**2) if s_sum > 0 else 0.0
    # The ellipse: centre + sqrt(chi2) * L (cos t, sin t), L the Cholesky factor of the covariance.
    angles = np.linspace(0.0, 2.0 * math.pi, YOUDEN_ELLIPSE_POINTS)
    c, s = np.cos(angles), np.sin(angles)
    root = math.sqrt(chi2)
    eu, ev = root * c, root * (rho * c + math.sqrt(1 - rho**2) * s)
    ellipse = [(float(mean_a + x * sd_a), float(mean_b + y * sd_b)) for x, y in zip(eu, ev, strict=True)]
    points = []
    for ui, vi in zip(u.tolist(), v.tolist(), strict=True):
        d2 = (ui * ui - 2 * rho * ui * vi + vi * vi) / (1 - rho**2)
        outside = d2 > chi2
        error = ("systematic" if abs(ui + vi) > abs(ui - vi) else "random") if outside else None
        points.append(YoudenPoint(u=ui, v=vi, distance2=d2, outside=outside, error=error))
    return Youden(
        n=int(a.size), mean_a=mean_a, sd_a=sd_a, mean_b=mean_b, sd_b=sd_b, correlation=rho,
        s_sum=s_sum, s_diff=s_diff, systematic_share=share,
        dominant="systematic" if share > 0.5 else "random", chi2=chi2, ellipse=ellipse, points=points,
    )  # fmt: skip
