"""Performance over a lab's last rounds on an item: share satisfactory, RSZ, SSZ, drift."""

import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labtrack.proficiency import evaluation, results, service
from labtrack.proficiency.stats import rolling
from tests import factories as f

S, Q = "satisfactory", "questionable"


def test_rsz_and_ssz_worked_example():
    # z = 1.0, 1.5, 1.9: each satisfactory; RSZ = 4.4 / sqrt(3) = 2.540 > 2: a bias single scores hide
    found = rolling([S, S, S], [1.0, 1.5, 1.9])
    assert found.rsz == pytest.approx(4.4 / math.sqrt(3)) and found.ssz == pytest.approx(1 + 2.25 + 3.61)
    assert found.share == 1.0 and found.drift == "bias"


def test_a_trend_is_three_scores_moving_away_from_zero_on_one_side():
    assert rolling([S, S, S, S], [0.8, -0.2, -0.6, -1.1]).drift == "trend"  # RSZ = -0.55
    assert rolling([S, S, S], [-0.2, 0.6, -1.1]).drift is None  # not one side
    assert rolling([S, S, Q], [0.5, 1.2, -2.4]).drift is None
    assert rolling([S, S], [0.5, 1.2]).drift is None  # too few


def test_no_z_scores_leaves_the_combined_scores_empty():
    found = rolling([S, "unsatisfactory"], [])
    assert (found.rsz, found.ssz, found.share, found.n) == (None, None, 0.5, 2)


@given(st.lists(st.floats(-5, 5), min_size=1, max_size=10))
def test_rsz_is_scaled_so_that_unbiased_labs_stay_within_two(zs):
    found = rolling([S] * len(zs), zs)
    assert found.rsz == pytest.approx(sum(zs) / math.sqrt(len(zs)))
    assert found.ssz >= 0 and (found.drift == "bias") == (abs(found.rsz) > 2)


def test_the_lab_panel_and_coverage_flag_a_drifting_lab(client, auth, labs, make_round, staff):
    item = f.TestItemFactory(code="PB-1", name="Lead")
    for n, value in enumerate([10.5, 10.8, 10.95], start=1):  # z = 1.0, 1.6, 1.9 against 10 / 0.5
        rnd = make_round(labs, status="open", code=f"RL-{n}", item_code=item.code,
                         opens_on=date(2010, n, 1), closes_on=date(2010, n, 20))  # fmt: skip
        rows = [{"lab_code": lab.code, "value": value if lab.code == "A01" else 10.0} for lab in labs]
        results.submit_results(rnd, rows, staff)
        service.transition(rnd, "closed", staff)
        evaluation.evaluate_round(rnd, staff)
        evaluation.publish_round(rnd, staff)
    auth.login("quality")
    panel = client.get("/labs/A01").get_data(as_text=True)
    assert 'id="rolling-performance"' in panel and "2.60" in panel  # RSZ = 4.5 / sqrt(3)
    coverage = client.get("/rounds/coverage?lab=A01").get_data(as_text=True)
    assert "PB-1 · bias · RSZ 2.60" in coverage
    client.post("/language/zh_Hans_CN")
    assert "偏倚" in client.get("/rounds/coverage?lab=A01").get_data(as_text=True)
