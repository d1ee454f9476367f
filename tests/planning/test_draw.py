"""The draw as docs/draw.md writes it: worked examples by hand with hashlib, the refusals, the
conflict rules, weighting, and the stand-alone rerun agreeing with labtrack's code."""

import hashlib
import random
import subprocess
import sys
from pathlib import Path

import pytest

from labtrack.planning import draw
from tests.planning import rerun_draw

RERUN = Path(__file__).with_name("rerun_draw.py")


def H(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def inputs(strata, inspectors, team_size=1, seed="demo"):
    return {
        "algorithm": draw.ALGORITHM,
        "seed": seed,
        "team_size": team_size,
        "strata": strata,
        "inspectors": inspectors,
    }


def lab(code, region="R", weight=1):
    return {"code": code, "region": region, "weight": weight}


def inspector(name, region=None, organisation=None, last=()):
    return {"username": name, "region": region, "organisation": organisation, "last_inspected": list(last)}


def test_the_worked_example_of_the_document():
    data = inputs(
        [{"position": 1, "quota": 1, "ratio_bp": None, "population": [lab("A"), lab("B", weight=2)]}],
        [inspector("x")],
    )
    key_a = H("demo", "lab", "1", "A", "1")
    key_b = max(H("demo", "lab", "1", "B", "1"), H("demo", "lab", "1", "B", "2"))
    expected = "A" if key_a > key_b else "B"
    outcome = draw.run(data)
    assert outcome.labs == [expected]
    assert outcome.teams == {expected: ["x"]}
    assert outcome.drawn[0]["key"] == max(key_a, key_b)


def test_labs_are_the_k_largest_keys_and_teams_balance_the_load():
    population = [lab(f"L{n}") for n in range(10)]
    data = inputs(
        [{"position": 1, "quota": 4, "ratio_bp": None, "population": population}],
        [inspector("a"), inspector("b"), inspector("c")],
        team_size=2,
    )
    keys = {p["code"]: H("demo", "lab", "1", p["code"], "1") for p in population}
    expected = sorted(keys, key=lambda c: keys[c], reverse=True)[:4]
    outcome = draw.run(data)
    assert outcome.labs == expected
    # 4 labs x 2 = 8 places over 3 inspectors: loads 3, 3, 2.
    loads = sorted(sum(name in team for team in outcome.teams.values()) for name in "abc")
    assert loads == [2, 3, 3]
    # The first lab's team: everyone at load 0; pick 1 is [a, b, c][H(.., 1) mod 3], pick 2 is
    # from the two left, [H(.., 2) mod 2].
    first = expected[0]
    group = ["a", "b", "c"]
    leader = group.pop(int(H("demo", "team", first, "1"), 16) % 3)
    second = group.pop(int(H("demo", "team", first, "2"), 16) % 2)
    assert outcome.teams[first] == [leader, second]
    # The second lab: the one left at load 0 leads (the lowest load first), then one of the others.
    second_lab = expected[1]
    assert outcome.teams[second_lab][0] == group[0]


def test_a_lab_is_drawn_once_and_a_ratio_rounds_up():
    shared = [lab("A"), lab("B"), lab("C")]
    data = inputs(
        [
            {"position": 1, "quota": 2, "ratio_bp": None, "population": shared},
            {"position": 2, "quota": None, "ratio_bp": 2500, "population": [*shared, lab("D"), lab("E")]},
        ],
        [inspector("x")],
    )
    outcome = draw.run(data)
    assert len(set(outcome.labs)) == len(outcome.labs) == 3
    # Stratum 2 has 5 - 2 = 3 eligible labs; 25 % of 3 = 0.75, rounded up to 1.
    assert outcome.strata[1] == {"position": 2, "eligible": 3, "quota": 1, "drawn": 1}


def test_a_quota_larger_than_its_stratum_is_refused_naming_the_stratum():
    data = inputs(
        [
            {"position": 1, "quota": 1, "ratio_bp": None, "population": [lab("A")]},
            {"position": 2, "quota": 3, "ratio_bp": None, "population": [lab("B"), lab("C")]},
        ],
        [inspector("x")],
    )
    with pytest.raises(draw.DrawRefused) as refused:
        draw.run(data)
    assert (refused.value.reason, refused.value.stratum, refused.value.needed, refused.value.available) == (
        "quota",
        2,
        3,
        2,
    )


def test_conflict_rules_region_organisation_last_inspection():
    here = lab("A", region="Chengdu")
    assert draw.conflict(inspector("x", region="Chengdu"), here) == "region"
    assert draw.conflict(inspector("x", organisation="A"), here) == "organisation"
    assert draw.conflict(inspector("x", last=["A"]), here) == "last_inspection"
    assert draw.conflict(inspector("x", region="Mianyang", organisation="B", last=["B"]), here) is None


def test_a_pool_too_small_for_the_conflict_rules_is_refused_naming_the_stratum():
    data = inputs(
        [{"position": 3, "quota": 1, "ratio_bp": None, "population": [lab("A", region="Chengdu")]}],
        [inspector("x", region="Chengdu"), inspector("y", organisation="A"), inspector("z")],
        team_size=2,
    )
    with pytest.raises(draw.DrawRefused) as refused:
        draw.run(data)
    assert (refused.value.reason, refused.value.stratum, refused.value.lab, refused.value.available) == (
        "pool",
        3,
        "A",
        1,
    )


def test_conflicts_that_excluded_someone_are_reported():
    data = inputs(
        [{"position": 1, "quota": 1, "ratio_bp": None, "population": [lab("A", region="Chengdu")]}],
        [inspector("x", region="Chengdu"), inspector("y", last=["A"]), inspector("z")],
    )
    outcome = draw.run(data)
    assert outcome.teams == {"A": ["z"]}
    assert outcome.conflicts == {"A": [["x", "region"], ["y", "last_inspection"]]}


def test_same_seed_same_answer_other_seed_other_answer():
    population = [lab(f"L{n:02d}") for n in range(40)]

    def make(seed):
        return inputs(
            [{"position": 1, "quota": 5, "ratio_bp": None, "population": population}],
            [inspector("x")],
            seed=seed,
        )

    assert draw.run(make("2010-A")).labs == draw.run(make("2010-A")).labs
    assert draw.run(make("2010-A")).labs != draw.run(make("2010-B")).labs


def test_weighting_draws_heavier_labs_more_often():
    """Over 2,000 seeds, a lab of weight 4 among nine of weight 1 is drawn first about 4/13 of
    the time (and a lab of weight 1 about 1/13): checked loosely, no timing, no flakiness (fixed seeds)."""
    population = [lab("HEAVY", weight=4)] + [lab(f"L{n}") for n in range(9)]
    heavy = light = 0
    for n in range(2000):
        outcome = draw.run(
            inputs(
                [{"position": 1, "quota": 1, "ratio_bp": None, "population": population}],
                [inspector("x")],
                seed=f"s{n}",
            )
        )
        heavy += outcome.labs == ["HEAVY"]
        light += outcome.labs == ["L0"]
    assert 0.25 < heavy / 2000 < 0.37  # 4/13 = 0.308
    assert 0.04 < light / 2000 < 0.12  # 1/13 = 0.077


def test_the_digest_is_of_the_canonical_json():
    data = inputs(
        [{"position": 1, "quota": 1, "ratio_bp": None, "population": [lab("实验室")]}],
        [inspector("x")],
        seed="种子",
    )
    text = '{"algorithm":"labtrack-draw-1","inspectors":[{"last_inspected":[],"organisation":null,"region":null,"username":"x"}],"seed":"种子","strata":[{"population":[{"code":"实验室","region":"R","weight":1}],"position":1,"quota":1,"ratio_bp":null}],"team_size":1}'
    assert draw.digest(data) == hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize("trial", range(25))
def test_the_standalone_rerun_agrees_with_labtrack(trial):
    """Random inputs (fixed per trial): the rerun written from the document gives what the code gives."""
    rng = random.Random(trial)
    regions = ["Chengdu", "Mianyang", "Yibin"]
    labs = [lab(f"L{n:03d}", rng.choice(regions), rng.randint(1, 4)) for n in range(rng.randint(5, 60))]
    strata = []
    for position in range(1, rng.randint(1, 4) + 1):
        population = sorted(rng.sample(labs, rng.randint(1, len(labs))), key=lambda p: p["code"])
        quota = rng.randint(1, max(1, len(population) // 4))
        strata.append(
            {
                "position": position,
                "quota": quota if rng.random() < 0.5 else None,
                "ratio_bp": None if rng.random() < 0.5 else rng.randint(1, 5000),
                "population": population,
            }
        )
        if strata[-1]["quota"] is None and strata[-1]["ratio_bp"] is None:
            strata[-1]["quota"] = quota
        if strata[-1]["quota"] is not None:
            strata[-1]["ratio_bp"] = None
    pool = [
        inspector(
            f"i{n:02d}",
            rng.choice([None, *regions]),
            rng.choice([None, labs[0]["code"]]),
            rng.sample([p["code"] for p in labs], 2),
        )
        for n in range(rng.randint(6, 15))
    ]
    data = inputs(strata, pool, team_size=rng.randint(1, 3), seed=f"trial-{trial}")
    try:
        outcome = draw.run(data)
    except draw.DrawRefused:
        with pytest.raises(rerun_draw.Refused):
            rerun_draw.rerun(data)
        return
    assert rerun_draw.rerun(data) == (outcome.labs, outcome.teams)
    assert rerun_draw.digest(data) == draw.digest(data)
    regions_of = {p["code"]: p["region"] for p in labs}
    for code in outcome.labs:
        here = {"code": code, "region": regions_of[code]}
        naive = [[i["username"], draw.conflict(i, here)] for i in sorted(pool, key=lambda i: i["username"])]
        assert outcome.conflicts.get(code, []) == [pair for pair in naive if pair[1]]


def test_the_rerun_script_runs_with_the_standard_library_only(tmp_path):
    """`python -I -S` (no site-packages, no user paths): the script needs nothing but Python."""
    data = inputs(
        [{"position": 1, "quota": 2, "ratio_bp": None, "population": [lab("A"), lab("B"), lab("C")]}],
        [inspector("x"), inspector("y")],
    )
    outcome = draw.run(data)
    record = tmp_path / "draw.json"
    record.write_text(
        __import__("json").dumps({"inputs": data, "result": outcome.as_dict(), "digest": draw.digest(data)}),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(RERUN), str(record), "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert __import__("json").loads(done.stdout) == {"labs": outcome.labs, "teams": outcome.teams}
    assert "same as recorded" in done.stderr
