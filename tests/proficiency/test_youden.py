"""stats.youden: the Youden plot of a split-level round, against numbers worked by hand and the
ellipse's definition."""

import math

import pytest

from labtrack.proficiency import stats

K = 1.134 * math.sqrt(2.5)  # Algorithm A's s* of -2, -1, 0, 1, 2 (no value clipped: 1.5 s* > 2)


def test_worked_example():
    # A = 10 + (-2, -1, 0, 1, 2); B = 20 + 2 (-1, -2, 0, 2, 1).
    a = [8, 9, 10, 11, 12]
    b = [18, 16, 20, 24, 22]
    y = stats.youden(a, b)
    assert y.n == 5
    assert y.mean_a == pytest.approx(10) and y.sd_a == pytest.approx(K)
    assert y.mean_b == pytest.approx(20) and y.sd_b == pytest.approx(2 * K)
    # u + v = (-3, -3, 0, 3, 3) / K -> s* = 1.134 * 3 / K; u - v = (-1, 1, 0, -1, 1) / K -> s* = 1.134 / K
    # rho = (9 - 1) / (9 + 1) = 0.8 (here equal to Pearson's r: cov 2 / var 2.5)
    assert y.correlation == pytest.approx(0.8)
    assert y.s_sum == pytest.approx(1.134 * 3 / K / math.sqrt(2))
    assert y.s_diff == pytest.approx(1.134 / K / math.sqrt(2))
    assert y.systematic_share == pytest.approx(1 - 1 / 9)
    assert y.dominant == "systematic"
    assert y.chi2 == pytest.approx(5.991465, abs=1e-6)
    # first pair: u = -2/K, v = -1/K: d^2 = (4 - 3.2 + 1) / (0.36 K^2) = 5 / K^2
    assert y.points[0].distance2 == pytest.approx(5 / K**2)
    assert not any(p.outside for p in y.points)


def test_the_ellipse_is_where_the_mahalanobis_distance_is_chi2():
    y = stats.youden([8, 9, 10, 11, 12], [18, 16, 20, 24, 22])
    rho = y.correlation
    assert y.ellipse[0] == pytest.approx(y.ellipse[-1])  # closed
    for x, z in y.ellipse:
        u, v = (x - y.mean_a) / y.sd_a, (z - y.mean_b) / y.sd_b
        assert (u * u - 2 * rho * u * v + v * v) / (1 - rho**2) == pytest.approx(y.chi2)


def test_systematic_and_random_outliers_are_told_apart():
    base_a = [10.0, 10.2, 9.8, 10.1, 9.9, 10.3, 9.7, 10.0, 10.15, 9.85]
    base_b = [20.0, 20.1, 19.9, 20.2, 19.8, 20.1, 19.9, 19.95, 20.05, 20.0]
    a = base_a + [12.0, 12.0]  # lab 11: both levels high (systematic); lab 12: A high, B low (random)
    b = base_b + [22.0, 18.0]
    y = stats.youden(a, b)
    assert y.points[10].outside and y.points[10].error == "systematic"
    assert y.points[11].outside and y.points[11].error == "random"
    assert all(p.error is None for p in y.points[:10] if not p.outside)


def test_independent_levels_read_as_random():
    a = [10, 11, 9, 10, 12, 8, 10.5, 9.5]
    b = [20, 20, 20, 22, 19, 21, 18, 20.5]
    y = stats.youden(a, b)
    assert y.correlation < 0  # B does not follow A: no spread along the 45 degree line beyond chance
    assert y.systematic_share == 0 and y.dominant == "random"


@pytest.mark.parametrize(
    ("a", "b", "said"),
    [
        ([1, 2, 3], [1, 2], "every participant needs both levels"),
        ([1, 2], [1, 2], "at least 3 pairs"),
        ([1, 1, 1, 1], [1, 2, 3, 4], "do not vary"),
        ([1, 2, float("nan")], [1, 2, 3], "NaN"),
    ],
)
def test_bad_input_is_refused_with_a_reason(a, b, said):
    with pytest.raises(ValueError, match=said):
        stats.youden(a, b)
