"""Worked examples and properties of the proficiency statistics (ISO 13528) in stats.py."""

import math
import statistics
import subprocess
import sys
from decimal import Decimal, localcontext
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from labtrack.proficiency import stats
from labtrack.proficiency.stats import (
    ConvergenceWarning,
    algorithm_a,
    algorithm_a_detail,
    consensus_reliability,
    en_score,
    grade,
    homogeneity_check,
    mad_e,
    niqr,
    u_assigned,
    use_z_prime,
    z_prime_score,
    z_score,
    zeta_score,
)

STATS_FILE = Path(stats.__file__)


# --- an independent Algorithm A, written from the ISO 13528 text (C.3) with the statistics module ---


def reference_algorithm_a(values, max_passes=20_000, exact=False):
    """Plain Algorithm A passes until nothing moves (None if they stall); exact=True works in 40 digits."""
    num, mean = (Decimal, statistics.mean) if exact else (float, statistics.fmean)
    tol = Decimal("1e-25") if exact else 1e-13
    with localcontext() as context:
        context.prec = 40
        data = [num(v) for v in values]
        x = statistics.median(data)
        s = num("1.483") * statistics.median([abs(v - x) for v in data])
        if s == 0:
            s = statistics.stdev(data)
        for _ in range(max_passes):
            delta = num("1.5") * s
            clipped = [min(max(v, x - delta), x + delta) for v in data]
            new_x, new_s = mean(clipped), num("1.134") * statistics.stdev(clipped)
            if abs(new_x - x) <= tol * max(abs(new_x), new_s) and abs(new_s - s) <= tol * new_s:
                return float(new_x), float(new_s)
            x, s = new_x, new_s
    return None


def one_more_pass(values, x, s):
    """Apply one Algorithm A pass to (x*, s*) with the statistics module."""
    delta = 1.5 * s
    clipped = [min(max(v, x - delta), x + delta) for v in values]
    return statistics.fmean(clipped), 1.134 * statistics.stdev(clipped)


# --- Algorithm A: worked examples ---

# Data 1, 2, 3, 4, 5, 6, 20 (n = 7).
# Start: x* = median = 4; |x_i - 4| = 3, 2, 1, 0, 1, 2, 16 -> median 2 -> s* = 1.483 * 2 = 2.966.
# Pass 1: delta = 1.5 * 2.966 = 4.449, window [-0.449, 8.449]: only 20 is clipped, to 8.449;
#   x* = (21 + 8.449) / 7 = 4.207, s* = 1.134 * SD(1, 2, 3, 4, 5, 6, 8.449) = 1.134 * 2.53290 = 2.87231.
# From here 1..6 stay inside and 20 stays clipped to x* + 1.5 s*, so the limit solves
#   x* = mean of clipped = (21 + x* + 1.5 s*) / 7        ->  x* = 3.5 + 0.25 s*
#   (n - 1) (s* / 1.134)^2 = sum of squared deviations = sum_{i=1..6} (i - x*)^2 + (1.5 s*)^2
#                          = 17.5 + 6 (0.25 s*)^2 + 2.25 s*^2 = 17.5 + 2.625 s*^2
#   -> s*^2 = 1.134^2 * 17.5 / (6 - 2.625 * 1.134^2) = 22.50423 / 2.6243655 = 8.5751127272...
#   -> s* = 2.92832934064, x* = 3.5 + 0.25 * 2.92832934064 = 4.23208233516.
# Check: window [4.2321 - 4.3925, 4.2321 + 4.3925] = [-0.160, 8.625] holds 1..6 and not 20.
WORKED = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 20.0]
WORKED_X = 4.23208233516
WORKED_S = 2.92832934064

# Data 10, 10, 10, 10, 11, 12: the MAD is 0 (four values equal the median 10), so s* starts from the
# sample SD 0.83666. At the limit 10, 10, 10, 10, 11 are inside (mean 10.2, squared deviations 0.8)
# and 12 is clipped: x* = 10.2 + (1.5 / 5) s* = 10.2 + 0.3 s*, and
# (n - 1) (s* / 1.134)^2 = 0.8 + 5 (0.3 s*)^2 + 2.25 s*^2
#   -> s*^2 = 0.8 / (5 / 1.285956 - 0.45 - 2.25) = 0.8 / 1.1881578 = 0.6733118...
#   -> s* = 0.820555405, x* = 10.2 + 0.3 * 0.820555405 = 10.446166622.
MAD_ZERO = [10.0, 10.0, 10.0, 10.0, 11.0, 12.0]


def test_algorithm_a_worked_example_by_hand():
    x_star, s_star = algorithm_a(WORKED)
    assert x_star == pytest.approx(WORKED_X, rel=1e-10)
    assert s_star == pytest.approx(WORKED_S, rel=1e-10)
    # the same closed form evaluated without rounding
    s_exact = math.sqrt(1.134**2 * 17.5 / (6 - 2.625 * 1.134**2))
    assert (x_star, s_star) == pytest.approx((3.5 + 0.25 * s_exact, s_exact), rel=1e-12)


def test_algorithm_a_first_pass_by_hand():
    detail = algorithm_a_detail(WORKED)
    assert detail.start_s_method == "mad"
    assert detail.s_start == pytest.approx(2.966)
    assert one_more_pass(WORKED, 4.0, 2.966) == pytest.approx(
        (4.207, 1.134 * statistics.stdev(WORKED[:6] + [8.449]))
    )
    assert 1.134 * statistics.stdev(WORKED[:6] + [8.449]) == pytest.approx(2.87231, abs=5e-6)


def test_algorithm_a_mad_zero_starts_from_the_sample_sd():
    detail = algorithm_a_detail(MAD_ZERO)
    assert detail.start_s_method == "sd"
    assert detail.s_start == pytest.approx(statistics.stdev(MAD_ZERO))
    assert (detail.x_star, detail.s_star) == pytest.approx((10.446166622, 0.820555405), rel=1e-9)
    s_exact = math.sqrt(0.8 / (5 / 1.134**2 - 0.45 - 2.25))
    assert (detail.x_star, detail.s_star) == pytest.approx((10.2 + 0.3 * s_exact, s_exact), rel=1e-12)


@pytest.mark.parametrize(
    "values",
    [
        WORKED,
        MAD_ZERO,
        [9.8, 10.1, 10.0, 9.9, 10.2, 10.05, 9.95, 13.5, 6.1],  # an outlier on each side
        [-3.2, -2.9, -3.0, -3.1, -2.8, -3.05, -9.0],  # negative values
        [0.0, 0.0, 0.0, 1.0],  # MAD 0, nothing clipped at the limit: (0.25, 1.134 * 0.5)
        [0.5, 0.5, 0.5, 0.5, 0.52, 0.48, 0.55],  # tied rounded results
        [0.0, 1.0, 2.0, 3.0, 100.0, 101.0, 102.0, 103.0],  # bimodal
        [1e6 + d for d in (0.11, 0.12, 0.09, 0.10, 0.13, 0.10, 0.35)],  # large offset, small spread
    ],
)
def test_algorithm_a_matches_the_reference_iteration(values):
    expected = reference_algorithm_a(values, exact=True)
    assert expected is not None
    detail = algorithm_a_detail(values)
    assert detail.converged
    assert detail.n == len(values)
    assert (detail.x_star, detail.s_star) == pytest.approx(expected, rel=1e-9)


def test_algorithm_a_without_clipping_is_mean_and_scaled_sd():
    # 0, 0, 0, 1: MAD 0 -> s* starts at SD = 0.5; the first pass clips 1 to 0.75, but at the limit
    # nothing is clipped: x* = mean = 0.25, s* = 1.134 * SD = 1.134 * 0.5 = 0.567, and the window
    # 0.25 +- 1.5 * 0.567 = [-0.6005, 1.1005] holds all four values.
    assert algorithm_a([0, 0, 0, 1]) == pytest.approx((0.25, 0.567), rel=1e-12)


def test_algorithm_a_all_identical_returns_the_value_and_zero():
    assert algorithm_a([7.25, 7.25, 7.25]) == (7.25, 0.0)
    detail = algorithm_a_detail([3.0] * 10)
    assert (detail.x_star, detail.s_star, detail.start_s_method, detail.iterations) == (
        3.0,
        0.0,
        "identical",
        0,
    )


@pytest.mark.parametrize("m", [0.0, 5.0, -2.5])
def test_algorithm_a_collapses_onto_a_majority_value(m):
    # m, m, m, m, m + 1: the window soon holds only the m's and m + 1 is clipped to x* + 1.5 s*.
    # With y = x* - m: y' = (y + 1.5 s*) / 5 and the clipped values are 0, 0, 0, 0, 5 y' about m,
    # so s' = 1.134 * sqrt(5) * y' = 2.5357 y' and y'/s' = 0.39437 from then on. Each pass then
    # multiplies y and s* by (1 + 1.5 * 2.5357) / 5 = 0.96071 < 1: the limit is (m, 0).
    values = [m, m, m, m, m + 1]
    detail = algorithm_a_detail(values)
    assert (detail.x_star, detail.s_star) == (m, 0.0)
    assert detail.collapsed and detail.converged and detail.start_s_method == "sd"
    assert (1 + 1.5 * 1.134 * math.sqrt(5)) / 5 == pytest.approx(0.96071, abs=1e-5)


def test_algorithm_a_collapse_matches_slow_plain_iteration():
    # plain passes creep toward (0, 0): after 2000 of them both are below 1e-30
    values = [0.0, 0.0, 0.0, 0.0, 1.0]
    x, s = 0.0, statistics.stdev(values)
    for _ in range(2000):
        x, s = one_more_pass(values, x, s)
    assert abs(x) < 1e-30 and s < 1e-30
    assert algorithm_a(values) == (0.0, 0.0)


def test_algorithm_a_slow_growth_is_skipped_to_the_same_limit():
    # 21 zeros, five 1s, two 2s: the window holds only zeros and widens by 0.007% a pass
    # (over 1000 plain passes) before the 1s come in; the limit is then a plain mean and SD.
    values = [0.0] * 21 + [1.0] * 5 + [2.0] * 2
    detail = algorithm_a_detail(values)
    assert detail.converged and not detail.collapsed
    assert detail.iterations < 100
    expected = reference_algorithm_a(values, exact=True)
    assert expected is not None
    assert (detail.x_star, detail.s_star) == pytest.approx(expected, rel=1e-9)


# Found by hypothesis (test_one_wild_outlier_moves_x_star_far_less_than_the_mean): seven values at
# or within 1e-258 of 0, two 1s and a -1. The MAD is 2.3e-304, so s* starts there; the window then
# holds 0, 0, 0, 0, 0 and 4.6e-304 and widens by about 0.6% a pass: some 1.2e5 passes before it
# reaches the 1s, beyond the cap of 1e5. Differences of 1e-258 among values of size 1 count as none,
# so the window holds "one value" and its slow growth is skipped, as for exact zeros.
# The limit by hand: 0 x 7, 1, 1 inside (k = 9, mean a = 2/9, squared deviations
# Q = 7 (2/9)^2 + 2 (7/9)^2 = 14/9) and -1 clipped low (L = 1, H = 0), so x* = a + b s* with
# b = 1.5 (H - L) / k = -1/6, and s*^2 = Q / (9 / 1.134^2 - k b^2 - 2.25 (L + H))
# = (14/9) / (6.998684 - 0.25 - 2.25) = 0.345783 -> s* = 0.588031, x* = 2/9 - s*/6 = 0.124217.
# Check: the window 0.124217 +- 1.5 s* = [-0.7578, 1.0063] holds the 1s and not -1.
SUBNORMAL_CLUSTER = [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.7e-258, 4.6e-304, -1.0]


def test_algorithm_a_converges_when_a_cluster_differs_by_far_less_than_the_data_scale():
    detail = algorithm_a_detail(SUBNORMAL_CLUSTER)  # filterwarnings=error: a ConvergenceWarning fails
    assert detail.converged and not detail.collapsed
    assert detail.iterations < 10_000
    s_exact = math.sqrt((14 / 9) / (9 / 1.134**2 - 9 / 36 - 2.25))
    assert (detail.x_star, detail.s_star) == pytest.approx((2 / 9 - s_exact / 6, s_exact), rel=1e-12)
    assert (detail.x_star, detail.s_star) == pytest.approx((0.124217, 0.588031), abs=5e-7)
    assert (detail.x_star, detail.s_star) == pytest.approx(algorithm_a([0.0] * 7 + [1, 1, -1]), rel=1e-12)
    expected = reference_algorithm_a([0.0] * 7 + [1.0, 1.0, -1.0], exact=True)
    assert (detail.x_star, detail.s_star) == pytest.approx(expected, rel=1e-9)
    # and the property that found it, with the example's outlier
    width = max(SUBNORMAL_CLUSTER) - min(SUBNORMAL_CLUSTER)
    outlier = max(SUBNORMAL_CLUSTER) + 1000.0 * (width + 1.0)
    x_after, _ = algorithm_a([*SUBNORMAL_CLUSTER, outlier])
    mean_moves = abs(statistics.fmean([*SUBNORMAL_CLUSTER, outlier]) - statistics.fmean(SUBNORMAL_CLUSTER))
    assert abs(x_after - detail.x_star) < 0.01 * mean_moves


def test_algorithm_a_reports_the_iteration_cap():
    with pytest.warns(ConvergenceWarning, match="did not converge in 1 iterations"):
        detail = algorithm_a_detail(WORKED, max_iterations=1)
    assert not detail.converged
    assert detail.iterations == 1
    assert detail.max_iterations == 1


def test_algorithm_a_detail_records_what_it_used():
    detail = algorithm_a_detail(WORKED)
    assert detail.n == 7
    assert detail.converged
    assert detail.tolerance == stats.TOLERANCE
    assert detail.max_iterations == stats.MAX_ITERATIONS
    assert 1 <= detail.iterations <= 50
    with pytest.raises(AttributeError):
        detail.x_star = 0.0  # frozen


def test_algorithm_a_accepts_arrays_generators_and_decimals():
    assert algorithm_a(np.array(WORKED)) == pytest.approx((WORKED_X, WORKED_S), rel=1e-10)
    assert algorithm_a(v for v in WORKED) == pytest.approx((WORKED_X, WORKED_S), rel=1e-10)
    assert algorithm_a([Decimal(str(v)) for v in WORKED]) == pytest.approx((WORKED_X, WORKED_S), rel=1e-10)


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        ([], ValueError, "at least 3 values, got 0"),
        ([1.0, 2.0], ValueError, "at least 3 values, got 2"),
        ([1.0, float("nan"), 2.0, 3.0], ValueError, r"NaN at position\(s\) \[1\]"),
        ([1.0, 2.0, float("inf"), 3.0], ValueError, r"infinite value\(s\) at position\(s\) \[2\]"),
        ([1.0, 2.0, -math.inf], ValueError, "infinite"),
        ([[1.0, 2.0], [3.0, 4.0]], ValueError, "flat sequence"),
        (["1", "2", "3"], TypeError, "real numbers"),
        ("123", TypeError, "not a string"),
        ([1.0, 2.0, None], TypeError, "real numbers"),
        ([True, False, True], TypeError, "real numbers"),
    ],
)
def test_algorithm_a_rejects_bad_input(values, error, message):
    with pytest.raises(error, match=message):
        algorithm_a(values)


@pytest.mark.parametrize("k", [1e-300, 1e-150, 1e150, 1e300])
def test_algorithm_a_keeps_its_precision_at_extreme_magnitudes(k):
    assert algorithm_a([k * v for v in WORKED]) == pytest.approx((k * WORKED_X, k * WORKED_S), rel=1e-10)


def test_algorithm_a_rejects_values_whose_spread_overflows():
    with pytest.raises(ValueError, match="too large"):
        algorithm_a([1.5e308, -1.5e308, -1.5e308])


def test_stats_module_needs_neither_flask_nor_a_database():
    # load the file on its own, with Flask and SQLAlchemy made unimportable
    code = (
        "import importlib.util, sys\n"
        "for name in ('flask', 'flask_sqlalchemy', 'sqlalchemy', 'labtrack'):\n"
        "    sys.modules[name] = None\n"
        f"spec = importlib.util.spec_from_file_location('standalone_stats', {str(STATS_FILE)!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "sys.modules['standalone_stats'] = module\n"
        "spec.loader.exec_module(module)\n"
        "print(round(module.algorithm_a([1, 2, 3, 4, 5, 6, 20])[0], 6))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "4.232082"


# --- Algorithm A: properties ---

finite = st.floats(
    min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False, allow_subnormal=False
)
rounded = st.integers(min_value=-2000, max_value=2000).map(lambda i: i / 100)  # ties, like reported results
samples = st.lists(st.one_of(finite, rounded), min_size=3, max_size=40)


def spread_of(values):
    return max(abs(v) for v in values) if values else 0.0


@settings(deadline=None, max_examples=200)
@given(samples, st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_subnormal=False))
def test_shifting_the_data_shifts_x_star_and_keeps_s_star(values, c):
    x, s = algorithm_a(values)
    shifted_x, shifted_s = algorithm_a([v + c for v in values])
    size = max(spread_of(values), abs(c), 1e-300)
    assert shifted_x == pytest.approx(x + c, abs=1e-7 * size)
    assert shifted_s == pytest.approx(s, abs=1e-7 * size)


@settings(deadline=None, max_examples=200)
@given(samples, st.floats(min_value=1e-3, max_value=1e3))
def test_scaling_the_data_scales_x_star_and_s_star(values, k):
    x, s = algorithm_a(values)
    scaled_x, scaled_s = algorithm_a([v * k for v in values])
    size = k * max(spread_of(values), 1e-300)
    assert scaled_x == pytest.approx(k * x, abs=1e-7 * size)
    assert scaled_s == pytest.approx(k * s, abs=1e-7 * size)


@settings(deadline=None, max_examples=200)
@given(
    st.lists(st.one_of(finite, rounded), min_size=10, max_size=30), st.floats(min_value=1e3, max_value=1e6)
)
def test_one_wild_outlier_moves_x_star_far_less_than_the_mean(values, distance):
    width = max(values) - min(values)
    outlier = max(values) + distance * (width + 1.0)
    x_before, _ = algorithm_a(values)
    x_after, _ = algorithm_a([*values, outlier])
    mean_moves = abs(statistics.fmean([*values, outlier]) - statistics.fmean(values))
    assert abs(x_after - x_before) < 0.01 * mean_moves


@settings(deadline=None)
@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(min_value=3, max_value=50))
def test_identical_values_give_the_value_and_zero(value, n):
    assert algorithm_a([value] * n) == (value, 0.0)


@settings(deadline=None)
@given(st.lists(finite, max_size=2))
def test_fewer_than_three_values_are_refused(values):
    with pytest.raises(ValueError, match="at least 3 values"):
        algorithm_a(values)


@settings(deadline=None, max_examples=300)
@given(samples)
def test_algorithm_a_result_is_a_fixed_point(values):
    detail = algorithm_a_detail(values)
    assert detail.converged
    x, s = detail.x_star, detail.s_star
    if s == 0.0:
        assert x in values  # all equal, or collapsed onto the repeated value
        return
    next_x, next_s = one_more_pass(values, x, s)
    assert next_x == pytest.approx(x, abs=1e-9 * max(abs(x), s))
    assert next_s == pytest.approx(s, rel=1e-9)


@settings(deadline=None, max_examples=150)
@given(st.lists(st.one_of(finite, rounded), min_size=3, max_size=25))
def test_algorithm_a_agrees_with_the_reference_where_that_converges(values):
    assume(len(set(values)) > 1)
    expected = reference_algorithm_a(values, max_passes=2000)
    assume(expected is not None)
    x, s = algorithm_a(values)
    size = max(abs(expected[0]), expected[1], max(values) - min(values))
    assert x == pytest.approx(expected[0], abs=1e-8 * size)
    assert s == pytest.approx(expected[1], abs=1e-8 * size)


# --- simple robust scales and the uncertainty of a consensus value ---


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1, 2, 3, 4, 100], 1.483),  # median 3, deviations 2 1 0 1 97 -> MAD 1
        (WORKED, 2.966),  # median 4, MAD 2
        ([5, 5, 5, 9], 0.0),  # median 5, deviations 0 0 0 4 -> MAD 0
        ([-1.0, 1.0], 1.483),  # median 0, deviations 1 1
    ],
)
def test_mad_e(values, expected):
    assert mad_e(values) == pytest.approx(expected, rel=1e-12, abs=0.0)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # type 7: quartile p at 0-based position p (n - 1) of the sorted values, interpolated
        ([1, 2, 3, 4, 5, 6, 7, 8, 9], 0.7413 * 4),  # Q1 at 2 -> 3, Q3 at 6 -> 7
        ([4, 1, 3, 2], 0.7413 * 1.5),  # sorted 1 2 3 4: Q1 at 0.75 -> 1.75, Q3 at 2.25 -> 3.25
        ([10, 20], 0.7413 * 5),  # Q1 at 0.25 -> 12.5, Q3 at 0.75 -> 17.5
        ([3, 3, 3, 3], 0.0),
    ],
)
def test_niqr_uses_linear_interpolation_quartiles(values, expected):
    assert niqr(values) == pytest.approx(expected, rel=1e-12, abs=0.0)


@pytest.mark.parametrize("func", [mad_e, niqr])
@pytest.mark.parametrize(
    ("values", "error"), [([], ValueError), ([1.0], ValueError), ([1.0, math.nan], ValueError)]
)
def test_robust_scales_reject_bad_input(func, values, error):
    with pytest.raises(error):
        func(values)


@pytest.mark.parametrize(
    ("s_star", "p", "expected"),
    [(2.0, 25, 0.5), (0.4, 4, 0.25), (0.0, 7, 0.0), (1.0, 1, 1.25)],  # 1.25 * s* / sqrt(p)
)
def test_u_assigned(s_star, p, expected):
    assert u_assigned(s_star, p) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("s_star", "p", "error"),
    [(1.0, 0, ValueError), (-0.1, 5, ValueError), (math.nan, 5, ValueError), (1.0, 2.5, TypeError)],
)
def test_u_assigned_rejects_bad_input(s_star, p, error):
    with pytest.raises(error):
        u_assigned(s_star, p)


# --- scores ---


@pytest.mark.parametrize(
    ("x", "x_pt", "sigma_pt", "expected"),
    [
        (12.0, 10.0, 0.5, 4.0),  # 2 / 0.5
        (8.0, 10.0, 0.5, -4.0),
        (10.0, 10.0, 1.0, 0.0),
        (10.3, 10.0, 0.15, 2.0),  # 0.3 / 0.15
        (-1.5, -1.0, 0.25, -2.0),
    ],
)
def test_z_score(x, x_pt, sigma_pt, expected):
    assert z_score(x, x_pt, sigma_pt) == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(
    ("x", "x_pt", "sigma_pt", "u_x_pt", "expected"),
    [
        (12.0, 10.0, 0.3, 0.4, 4.0),  # 2 / sqrt(0.09 + 0.16) = 2 / 0.5
        (9.0, 10.0, 0.6, 0.8, -1.0),  # -1 / sqrt(0.36 + 0.64)
        (12.0, 10.0, 0.5, 0.0, 4.0),  # u(x_pt) = 0: z' = z
        (11.3, 10.0, 1.2, 0.5, 1.0),  # 1.3 / sqrt(1.44 + 0.25) = 1.3 / 1.3
    ],
)
def test_z_prime_score(x, x_pt, sigma_pt, u_x_pt, expected):
    assert z_prime_score(x, x_pt, sigma_pt, u_x_pt) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("x", "u_x", "x_pt", "u_x_pt", "expected"),
    [
        (11.0, 0.3, 10.0, 0.4, 2.0),  # 1 / 0.5
        (10.0, 0.5, 13.0, 1.2, -3.0 / 1.3),  # -3 / sqrt(0.25 + 1.44)
        (10.6, 0.2, 10.0, 0.0, 3.0),  # u(x_pt) = 0: 0.6 / 0.2
        (10.0, 0.0, 9.0, 0.25, 4.0),  # u(x) = 0: 1 / 0.25
    ],
)
def test_zeta_score(x, u_x, x_pt, u_x_pt, expected):
    assert zeta_score(x, u_x, x_pt, u_x_pt) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("x", "U_x", "x_pt", "U_x_pt", "expected"),
    [
        (11.5, 0.6, 10.0, 0.8, 1.5),  # 1.5 / sqrt(0.36 + 0.64)
        (10.0, 1.2, 10.5, 0.5, -0.5 / 1.3),  # -0.5 / sqrt(1.44 + 0.25)
        (10.0, 0.5, 10.0, 0.5, 0.0),
        (101.0, 3.0, 100.0, 4.0, 0.2),  # 1 / 5
    ],
)
def test_en_score(x, U_x, x_pt, U_x_pt, expected):
    assert en_score(x, U_x, x_pt, U_x_pt) == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: z_score(1.0, 1.0, 0.0), "sigma_pt must be greater than 0"),
        (lambda: z_score(1.0, 1.0, -0.5), "sigma_pt must be greater than 0"),
        (lambda: z_score(math.nan, 1.0, 1.0), "x is NaN"),
        (lambda: z_score(1.0, math.inf, 1.0), "x_pt is infinite"),
        (lambda: z_prime_score(1.0, 1.0, 0.0, 0.1), "sigma_pt must be greater than 0"),
        (lambda: z_prime_score(1.0, 1.0, 1.0, -0.1), "u_x_pt must not be negative"),
        (lambda: zeta_score(1.0, -0.1, 1.0, 0.1), "u_x must not be negative"),
        (lambda: zeta_score(1.0, 0.1, 1.0, -0.1), "u_x_pt must not be negative"),
        (lambda: zeta_score(1.0, 0.0, 2.0, 0.0), "both 0"),
        (lambda: en_score(1.0, -1.0, 1.0, 1.0), "U_x must not be negative"),
        (lambda: en_score(1.0, 1.0, 1.0, -1.0), "U_x_pt must not be negative"),
        (lambda: en_score(1.0, 0.0, 2.0, 0.0), "both 0"),
    ],
)
def test_scores_reject_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_scores_reject_non_numbers():
    with pytest.raises(TypeError):
        z_score("12", 10.0, 0.5)
    with pytest.raises(TypeError):
        en_score(1.0, None, 1.0, 1.0)


def test_scores_accept_decimals_and_numpy_numbers():
    assert z_score(Decimal("12.0"), np.float64(10.0), np.float32(0.5)) == 4.0
    assert en_score(np.int64(11), Decimal("0.6"), 10, 0.8) == pytest.approx(1 / 1.0)


# --- grades ---


@pytest.mark.parametrize("kind", ["z", "z_prime", "zeta"])
@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0.0, "satisfactory"),
        (1.99, "satisfactory"),
        (2.0, "satisfactory"),  # |z| <= 2
        (-2.0, "satisfactory"),
        (2.0000001, "questionable"),
        (-2.5, "questionable"),
        (2.9999999, "questionable"),
        (-2.9999999, "questionable"),
        (3.0, "unsatisfactory"),  # |z| >= 3
        (-3.0, "unsatisfactory"),
        (12.0, "unsatisfactory"),
        (-math.inf, "unsatisfactory"),
    ],
)
def test_grade_z_like_scores(kind, score, expected):
    assert grade(score, kind) == expected


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0.0, "satisfactory"),
        (0.5, "satisfactory"),
        (1.0, "satisfactory"),  # |En| <= 1
        (-1.0, "satisfactory"),
        (1.0000001, "unsatisfactory"),
        (-1.0000001, "unsatisfactory"),
        (2.5, "unsatisfactory"),  # En has no questionable band
        (-3.0, "unsatisfactory"),
    ],
)
def test_grade_en(score, expected):
    assert grade(score, "en") == expected


@pytest.mark.parametrize("kind", ["Z", "zprime", "z'", "", None, "En"])
def test_grade_rejects_unknown_kinds(kind):
    with pytest.raises(ValueError, match="unknown score kind"):
        grade(1.0, kind)


def test_grade_rejects_a_nan_score():
    with pytest.raises(ValueError, match="NaN"):
        grade(math.nan, "z")


def test_scores_and_grades_together():
    # a lab 0.6 above x_pt = 10.0 with sigma_pt = 0.25: z = 2.4, questionable;
    # u(x_pt) = 0.1 exceeds 0.3 * 0.25 = 0.075, so the round scores with z' instead
    assert grade(z_score(10.6, 10.0, 0.25), "z") == "questionable"
    assert use_z_prime(0.1, 0.25)
    z_prime = z_prime_score(10.6, 10.0, 0.25, 0.1)  # 0.6 / sqrt(0.0625 + 0.01) = 0.6 / 0.26926
    assert z_prime == pytest.approx(2.2283, abs=1e-4)
    assert grade(z_prime, "z_prime") == "questionable"


# --- z' rule and small rounds ---


@pytest.mark.parametrize(
    ("u_x_pt", "sigma_pt", "expected"),
    [
        (0.0, 1.0, False),
        (0.3, 1.0, False),  # equal to 0.3 sigma_pt: z is still used
        (0.15, 0.5, False),
        (0.31, 1.0, True),
        (0.16, 0.5, True),
        (2.0, 1.0, True),
    ],
)
def test_use_z_prime(u_x_pt, sigma_pt, expected):
    assert use_z_prime(u_x_pt, sigma_pt) is expected


@pytest.mark.parametrize(("u_x_pt", "sigma_pt"), [(0.1, 0.0), (0.1, -1.0), (-0.1, 1.0), (math.nan, 1.0)])
def test_use_z_prime_rejects_bad_input(u_x_pt, sigma_pt):
    with pytest.raises(ValueError):
        use_z_prime(u_x_pt, sigma_pt)


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "refused"),
        (3, "refused"),
        (4, "refused"),
        (5, "unreliable"),  # (n - 1) / sqrt(n) = 1.79: no |z| could reach 2 below here
        (11, "unreliable"),
        (12, "ok"),
        (47, "ok"),
    ],
)
def test_consensus_reliability(n, expected):
    assert consensus_reliability(n) == expected


def test_consensus_reliability_limits_are_named_constants():
    assert (stats.CONSENSUS_REFUSED_BELOW, stats.CONSENSUS_RELIABLE_FROM) == (5, 12)
    # the reason for 5: with n results scored against their own mean and SD, |z| <= (n - 1) / sqrt(n)
    assert (5 - 1) / math.sqrt(5) == pytest.approx(1.789, abs=1e-3)


@pytest.mark.parametrize(("n", "error"), [(-1, ValueError), (4.0, TypeError), (True, TypeError)])
def test_consensus_reliability_rejects_bad_input(n, error):
    with pytest.raises(error):
        consensus_reliability(n)


# --- homogeneity (ISO 13528 Annex B, duplicate design) ---


def test_homogeneity_worked_example():
    # pairs (0, 2), (4, 2), (5, 5), (7, 7): sample means 1, 3, 5, 7 -> general mean 4;
    # s_x^2 = ((-3)^2 + (-1)^2 + 1^2 + 3^2) / 3 = 20 / 3 -> s_x = 2.5819889;
    # w = -2, 2, 0, 0 -> s_w^2 = (4 + 4) / (2 * 4) = 1 -> s_w = 1;
    # s_s^2 = 20 / 3 - 1 / 2 = 37 / 6 -> s_s = 2.4832774.
    pairs = [(0.0, 2.0), (4.0, 2.0), (5.0, 5.0), (7.0, 7.0)]
    result = homogeneity_check(pairs, sigma_pt=10.0)
    assert result.g == 4
    assert result.x_mean == pytest.approx(4.0)
    assert result.s_x == pytest.approx(math.sqrt(20 / 3), rel=1e-12)
    assert result.s_x == pytest.approx(2.5819889, abs=1e-7)
    assert result.s_w == pytest.approx(1.0, rel=1e-12)
    assert result.s_s == pytest.approx(math.sqrt(37 / 6), rel=1e-12)
    assert result.s_s == pytest.approx(2.4832774, abs=1e-7)
    assert result.limit == pytest.approx(3.0)  # 0.3 * 10
    assert result.passed
    strict = homogeneity_check(pairs, sigma_pt=8.0)  # limit 2.4 < 2.483
    assert strict.limit == pytest.approx(2.4)
    assert not strict.passed


@pytest.mark.parametrize(
    "pairs",
    [
        # means 2, 3, 1 -> s_x^2 = 1; w = -2, 2, -2 -> s_w^2 = 12 / 6 = 2; s_s^2 = 1 - 2/2 = 0
        [(1.0, 3.0), (4.0, 2.0), (0.0, 2.0)],
        # means 2, 2, 2 -> s_x = 0; w = -4, 4, -2 -> s_w^2 = 36 / 6 = 6; s_x^2 - s_w^2 / 2 < 0 -> s_s = 0
        [(0.0, 4.0), (4.0, 0.0), (1.0, 3.0)],
    ],
)
def test_homogeneity_between_sample_sd_is_never_negative(pairs):
    result = homogeneity_check(pairs, sigma_pt=0.1)
    assert result.s_s == 0.0
    assert result.passed


def test_homogeneity_accepts_an_array():
    pairs = np.array([[0.0, 2.0], [4.0, 2.0], [5.0, 5.0], [7.0, 7.0]])
    assert homogeneity_check(pairs, 10.0).s_s == pytest.approx(math.sqrt(37 / 6))


@pytest.mark.parametrize(
    ("pairs", "sigma_pt", "error", "message"),
    [
        ([(1.0, 2.0)], 1.0, ValueError, "at least 2 samples, got 1"),
        ([], 1.0, ValueError, "at least 2 samples, got 0"),
        ([(1.0, 2.0), (1.0, 2.0, 3.0)], 1.0, ValueError, "pair 1 must hold exactly 2 results"),
        ([(1.0, 2.0), (1.0,)], 1.0, ValueError, "pair 1 must hold exactly 2 results"),
        ([(1.0, 2.0), (math.nan, 2.0)], 1.0, ValueError, "NaN"),
        ([(1.0, 2.0), (3.0, 4.0)], 0.0, ValueError, "sigma_pt must be greater than 0"),
        ([(1.0, 2.0), (3.0, 4.0)], -1.0, ValueError, "sigma_pt must be greater than 0"),
        ([(1.0, 2.0), 3.0], 1.0, TypeError, "pair 1"),
        ([(1.0, 2.0), "ab"], 1.0, TypeError, "pair 1"),
    ],
)
def test_homogeneity_rejects_bad_input(pairs, sigma_pt, error, message):
    with pytest.raises(error, match=message):
        homogeneity_check(pairs, sigma_pt)
