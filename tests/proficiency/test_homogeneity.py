"""Homogeneity and stability studies (ISO 13528 Annex B): worked numbers, definitions, properties."""

import math
import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labtrack.proficiency import stats
from labtrack.proficiency.stats import homogeneity, homogeneity_check, stability

# Ten items in duplicate: (x - 1, x + 1) with x = 10 for five items and 12 for the other five.
TWO_LEVELS = [(9.0, 11.0)] * 5 + [(11.0, 13.0)] * 5


def test_homogeneity_worked_example_in_duplicate():
    # item means: five 10s, five 12s -> mean 11; s_x^2 = 10 * 1^2 / 9 = 10/9;
    # each item's variance ((-1)^2 + 1^2) / 1 = 2 -> s_w^2 = 2; s_s^2 = 10/9 - 2/2 = 1/9 -> s_s = 1/3.
    result = homogeneity(TWO_LEVELS, sigma_pt=1.0)
    assert (result.g, result.m) == (10, 2)
    assert result.mean == pytest.approx(11.0)
    assert result.s_x == pytest.approx(math.sqrt(10 / 9), rel=1e-12)
    assert result.s_w == pytest.approx(math.sqrt(2), rel=1e-12)
    assert result.s_s == pytest.approx(1 / 3, rel=1e-12)
    assert result.criterion == pytest.approx(0.3)
    assert not result.passed  # 0.333 > 0.3
    # expanded: F1, F2 for g = 10 are 1.88 and 1.01: sqrt(1.88 * 0.09 + 1.01 * 2) = sqrt(2.1892)
    assert (result.f1, result.f2) == (1.88, 1.01)
    assert result.expanded_criterion == pytest.approx(math.sqrt(2.1892), rel=1e-12)
    assert result.passed_expanded
    wider = homogeneity(TWO_LEVELS, sigma_pt=1.2)  # criterion 0.36 >= 0.333
    assert wider.passed


def test_homogeneity_worked_example_in_triplicate():
    # (x - 1, x, x + 1): each item's variance (1 + 0 + 1) / 2 = 1 -> s_w = 1; s_x^2 = 10/9 as above;
    # s_s^2 = 10/9 - 1/3 = 7/9.
    rows = [(9.0, 10.0, 11.0)] * 5 + [(11.0, 12.0, 13.0)] * 5
    result = homogeneity(rows, sigma_pt=3.0)
    assert (result.g, result.m) == (10, 3)
    assert result.s_w == pytest.approx(1.0, rel=1e-12)
    assert result.s_s == pytest.approx(math.sqrt(7) / 3, rel=1e-12)
    assert result.passed  # 0.882 <= 0.9


def test_homogeneity_s_s_is_zero_when_within_item_spread_explains_everything():
    rows = [(9.0, 11.0), (11.0, 9.0)] * 5  # every item mean 10: s_x = 0
    result = homogeneity(rows, sigma_pt=0.1)
    assert result.s_x == 0.0 and result.s_s == 0.0 and result.passed


def test_more_items_than_the_table_use_its_last_row():
    rows = TWO_LEVELS * 3  # g = 30
    assert (homogeneity(rows, 1.0).f1, homogeneity(rows, 1.0).f2) == (1.59, 0.57)


def by_definition(rows, sigma_pt):
    """s_x, s_w, s_s written from the ISO text with the statistics module."""
    means = [statistics.fmean(r) for r in rows]
    s_x = statistics.stdev(means)
    s_w2 = statistics.fmean([statistics.variance(r) for r in rows])
    return s_x, math.sqrt(s_w2), math.sqrt(max(0.0, s_x**2 - s_w2 / len(rows[0])))


replicate_rows = st.integers(10, 25).flatmap(
    lambda g: st.integers(2, 5).flatmap(
        lambda m: st.lists(
            st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=m, max_size=m), min_size=g, max_size=g
        )
    )
)


@settings(max_examples=60, deadline=None)
@given(rows=replicate_rows, sigma_pt=st.floats(0.01, 100))
def test_homogeneity_agrees_with_its_definition(rows, sigma_pt):
    result = homogeneity(rows, sigma_pt)
    s_x, s_w, s_s = by_definition(rows, sigma_pt)
    assert result.s_x == pytest.approx(s_x, rel=1e-7, abs=1e-9)
    assert result.s_w == pytest.approx(s_w, rel=1e-7, abs=1e-9)
    assert result.s_s == pytest.approx(s_s, rel=1e-6, abs=1e-6)
    assert result.s_s >= 0
    assert result.passed == (result.s_s <= 0.3 * sigma_pt)
    assert result.expanded_criterion >= result.criterion  # F1 > 1 for every g in the table


@settings(max_examples=40, deadline=None)
@given(rows=replicate_rows, shift=st.floats(-1e4, 1e4), sigma_pt=st.floats(0.01, 100))
def test_homogeneity_does_not_depend_on_the_level_or_the_order_of_items(rows, shift, sigma_pt):
    base = homogeneity(rows, sigma_pt)
    moved = homogeneity([[v + shift for v in r] for r in reversed(rows)], sigma_pt)
    assert moved.s_s == pytest.approx(base.s_s, rel=1e-6, abs=1e-6)
    assert moved.s_w == pytest.approx(base.s_w, rel=1e-6, abs=1e-6)
    assert moved.mean == pytest.approx(base.mean + shift, rel=1e-9, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(st.tuples(st.floats(-100, 100), st.floats(-100, 100)), min_size=10, max_size=30),
    sigma_pt=st.floats(0.01, 100),
)
def test_homogeneity_in_duplicate_agrees_with_the_duplicate_check(rows, sigma_pt):
    # Annex B.3's duplicate formula s_w = sqrt(sum w^2 / 2g) is the pooled within-item SD for m = 2.
    general, duplicate = homogeneity(rows, sigma_pt), homogeneity_check(rows, sigma_pt)
    assert general.s_w == pytest.approx(duplicate.s_w, rel=1e-9, abs=1e-9)
    assert general.s_s == pytest.approx(duplicate.s_s, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize(
    ("rows", "sigma_pt", "error", "message"),
    [
        (TWO_LEVELS[:9], 1.0, ValueError, "at least 10 items, got 9"),
        ([(1.0,)] * 10, 1.0, ValueError, "at least 2 replicates, got 1"),
        (TWO_LEVELS[:9] + [(1.0, 2.0, 3.0)], 1.0, ValueError, "same number of replicates; got 2, 3"),
        (TWO_LEVELS[:9] + [(math.nan, 2.0)], 1.0, ValueError, "NaN"),
        (TWO_LEVELS, 0.0, ValueError, "sigma_pt must be greater than 0"),
        (TWO_LEVELS[:9] + [3.0], 1.0, TypeError, "item 10"),
        ("abc", 1.0, TypeError, "list of per-item replicate lists"),
    ],
)
def test_homogeneity_says_what_is_required(rows, sigma_pt, error, message):
    with pytest.raises(error, match=message):
        homogeneity(rows, sigma_pt)


def test_stability_worked_example():
    # before 10, 10.2, 9.8 (mean 10, variance 0.04); after 10.5, 10.3, 10.7 (mean 10.5, variance 0.04)
    result = stability([10.0, 10.2, 9.8], [10.5, 10.3, 10.7], sigma_pt=1.0)
    assert result.mean_before == pytest.approx(10.0)
    assert result.mean_after == pytest.approx(10.5)
    assert result.difference == pytest.approx(0.5)
    assert result.criterion == pytest.approx(0.3)
    assert not result.passed
    # u = sqrt(0.04/3 + 0.04/3) = 0.1632993; expanded 0.3 + 2u = 0.6265986
    assert result.u_difference == pytest.approx(math.sqrt(0.08 / 3), rel=1e-9)
    assert result.expanded_criterion == pytest.approx(0.3 + 2 * math.sqrt(0.08 / 3), rel=1e-9)
    assert result.passed_expanded
    assert stability([10.0, 10.2, 9.8], [10.5, 10.3, 10.7], sigma_pt=2.0).passed  # 0.5 <= 0.6


@settings(max_examples=60, deadline=None)
@given(
    before=st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=20),
    after=st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=20),
    sigma_pt=st.floats(0.01, 100),
)
def test_stability_agrees_with_its_definition(before, after, sigma_pt):
    result = stability(before, after, sigma_pt)
    diff = statistics.fmean(after) - statistics.fmean(before)
    assert result.difference == pytest.approx(diff, rel=1e-7, abs=1e-7)
    assert result.passed == (abs(result.difference) <= 0.3 * sigma_pt)
    assert stability(after, before, sigma_pt).difference == pytest.approx(-result.difference, abs=1e-7)


@pytest.mark.parametrize(
    ("before", "after", "message"),
    [([1.0], [1.0, 2.0], "at least 2 values before, got 1"), ([1.0, 2.0], [], "at least 2 values after")],
)
def test_stability_says_what_is_required(before, after, message):
    with pytest.raises(ValueError, match=message):
        stability(before, after, 1.0)


def test_widening_sigma_pt_and_u_x_pt():
    assert stats.widened_sigma_pt(0.3, 0.4) == pytest.approx(0.5)
    assert stats.u_x_pt_with_instability(0.0, math.sqrt(3)) == pytest.approx(1.0)
    assert stats.u_x_pt_with_instability(0.3, -0.4 * math.sqrt(3)) == pytest.approx(0.5)


def test_homogeneity_takes_an_array():
    assert homogeneity(np.array(TWO_LEVELS), 1.0).s_s == pytest.approx(1 / 3)
