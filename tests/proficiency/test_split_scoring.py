"""Split-level rounds score both levels: each level its own x_pt, Algorithm A, scores and grades
(ISO 13528 treats each item on its own), shown on the page, the API, the export and the papers; one
finding per participant naming the level(s) that failed."""

import csv
import io
import math

import pytest
from sqlalchemy import select

from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.proficiency import evaluation, paper, results, service
from labtrack.proficiency.models import Result, RoundFinding
from labtrack.services import InvalidInput

# Level A: x_pt = 10, sigma_pt = 0.5; level B: x_pt_b = 20, sigma_pt_b = 0.8 (u 0.02 and 0.04 are
# below 0.3 sigma_pt on both levels, so both use z). z = (x - x_pt) / sigma_pt:
#   lab  A      z_A    grade A          B      z_B    grade B
#   S1   10.0   0.0    satisfactory     20.0   0.0    satisfactory
#   S2   11.2   2.4    questionable     20.4   0.5    satisfactory
#   S3   10.5   1.0    satisfactory     22.8   3.5    unsatisfactory   -> finding, level B
#   S4   12.0   4.0    unsatisfactory   23.2   4.0    unsatisfactory   -> one finding, levels A and B
#   S5    8.4  -3.2    unsatisfactory   19.2  -1.0    satisfactory     -> finding, level A
#   S6   10.1   0.2    satisfactory     21.8   2.25   questionable
ROWS = [("S1", 10.0, 20.0), ("S2", 11.2, 20.4), ("S3", 10.5, 22.8), ("S4", 12.0, 23.2),
        ("S5", 8.4, 19.2), ("S6", 10.1, 21.8)]  # fmt: skip
EXPECTED = {
    "S1": (0.0, "satisfactory", 0.0, "satisfactory"),
    "S2": (2.4, "questionable", 0.5, "satisfactory"),
    "S3": (1.0, "satisfactory", 3.5, "unsatisfactory"),
    "S4": (4.0, "unsatisfactory", 4.0, "unsatisfactory"),
    "S5": (-3.2, "unsatisfactory", -1.0, "satisfactory"),
    "S6": (0.2, "satisfactory", 2.25, "questionable"),
}


@pytest.fixture
def two_levels(app, make_lab, make_user):
    labs = [make_lab(code) for code, _a, _b in ROWS]
    staff = make_user(Role.QUALITY, username="two-levels")
    rnd = service.create_round(
        {"code": "TWO-1", "title": "Lead, two levels", "kind": "blind_sample", "measurand": "Pb",
         "unit": "mg/L", "assigned_value_method": "reference", "x_pt": 10.0, "u_x_pt": 0.02,
         "sigma_pt_method": "fixed", "sigma_pt": 0.5, "split_level": True, "x_pt_b": 20.0,
         "u_x_pt_b": 0.04, "sigma_pt_b": 0.8, "participants": [lab.code for lab in labs]},
        staff,
    )  # fmt: skip
    service.transition(rnd, "open", staff)
    results.submit_results(rnd, [{"lab_code": c, "value": a, "value_b": b} for c, a, b in ROWS], staff)
    service.transition(rnd, "closed", staff)
    return {"round": rnd, "staff": staff, "labs": {lab.code: lab for lab in labs}}


def _scores(rnd):
    rows = db.session.execute(
        select(
            Result.lab_id, Result.score, Result.grade, Result.score_b, Result.grade_b, Result.score_kind_b
        ).where(Result.round_id == rnd.id)
    ).all()
    return rows


def test_both_levels_are_scored_against_their_own_assigned_values(two_levels):
    rnd, staff, labs = two_levels["round"], two_levels["staff"], two_levels["labs"]
    evaluation.evaluate_round(rnd, staff)
    by_lab = {lab.id: code for code, lab in labs.items()}
    for lab_id, score, grade, score_b, grade_b, kind_b in _scores(rnd):
        want = EXPECTED[by_lab[lab_id]]
        assert math.isclose(score, want[0], abs_tol=1e-9) and grade == want[1]
        assert math.isclose(score_b, want[2], abs_tol=1e-9) and grade_b == want[3]
        assert kind_b == "z"
    level_b = db.session.get(type(rnd), rnd.id).evaluation.level_b
    assert level_b["x_pt"] == 20.0 and level_b["sigma_pt"] == 0.8 and level_b["u_x_pt"] == 0.04
    assert level_b["summary"]["grades"] == {"satisfactory": 3, "questionable": 1, "unsatisfactory": 2}


def test_level_b_takes_level_a_sigma_and_uncertainty_when_left_blank(two_levels):
    rnd, staff = two_levels["round"], two_levels["staff"]
    service.update_round(rnd, {"sigma_pt_b": None, "u_x_pt_b": None}, staff)
    evaluation.evaluate_round(rnd, staff)
    level_b = rnd.evaluation.level_b
    assert level_b["sigma_pt"] == 0.5 and level_b["u_x_pt"] == 0.02
    # S3's level B: (22.8 - 20) / 0.5 = 5.6
    s3 = db.session.scalar(select(Result).where(Result.lab_id == two_levels["labs"]["S3"].id))
    assert math.isclose(s3.score_b, 5.6)


def test_a_reference_round_without_level_b_value_is_refused_naming_x_pt_b(two_levels):
    rnd, staff = two_levels["round"], two_levels["staff"]
    service.update_round(rnd, {"x_pt_b": None}, staff)
    with pytest.raises(InvalidInput) as refused:
        evaluation.evaluate_round(rnd, staff)
    assert "x_pt_b" in refused.value.errors
    assert refused.value.message.startswith("Level B:")
    assert db.session.scalars(select(Result.score)).all() == [None] * len(ROWS)  # nothing stored


def test_consensus_runs_algorithm_a_on_each_level(app, make_lab, make_user):
    # Level A 9.5 .. 10.5 and level B 19 .. 21 in equal steps: median = mean, nothing is clipped, so
    # Algorithm A ends at x* = the mean and s* = 1.134 * SD. Level B: SD = sqrt(2.5 / 4) = 0.790569,
    # s* = 0.896505, u(x_pt) = 1.25 s* / sqrt(5) = 0.501162 > 0.3 s*: z' = (x - 20) / sqrt(s*^2 + u^2);
    # for 21: 1 / sqrt(0.803721 + 0.251163) = 0.973638.
    labs = [make_lab(f"C{n}") for n in range(1, 6)]
    staff = make_user(Role.QUALITY, username="consensus-two")
    rnd = service.create_round(
        {"code": "TWO-C", "title": "Consensus, two levels", "kind": "interlaboratory_comparison",
         "measurand": "Pb", "assigned_value_method": "consensus", "sigma_pt_method": "robust_sd",
         "split_level": True, "participants": [lab.code for lab in labs]},
        staff,
    )  # fmt: skip
    service.transition(rnd, "open", staff)
    a, b = [9.5, 9.75, 10.0, 10.25, 10.5], [19.0, 19.5, 20.0, 20.5, 21.0]
    rows = [{"lab_code": lab.code, "value": x, "value_b": y} for lab, x, y in zip(labs, a, b, strict=True)]
    results.submit_results(rnd, rows, staff)
    service.transition(rnd, "closed", staff)
    evaluation.evaluate_round(rnd, staff)
    ev = rnd.evaluation
    assert math.isclose(ev.x_pt, 10.0) and math.isclose(ev.s_star, 1.134 * math.sqrt(0.625) / 2)
    level_b = ev.level_b
    assert math.isclose(level_b["x_pt"], 20.0)
    assert math.isclose(level_b["s_star"], 0.896505, rel_tol=1e-6)
    assert math.isclose(level_b["u_x_pt"], 0.501162, rel_tol=1e-5)
    assert level_b["score_kind"] == "z_prime" and level_b["reliability"] == "unreliable"
    top = db.session.scalar(select(Result).where(Result.lab_id == labs[4].id))
    assert math.isclose(top.score_b, 0.973638, rel_tol=1e-5)


def test_publishing_raises_one_finding_per_participant_naming_the_levels(two_levels):
    rnd, staff, labs = two_levels["round"], two_levels["staff"], two_levels["labs"]
    evaluation.evaluate_round(rnd, staff)
    links = evaluation.publish_round(rnd, staff)
    by_lab = {link.lab_id: link for link in links}
    assert set(by_lab) == {labs["S3"].id, labs["S4"].id, labs["S5"].id}
    assert all(link.reason == "unsatisfactory" for link in links)
    text = {code: by_lab[labs[code].id].finding.description for code in ("S3", "S4", "S5")}
    assert "at level B in split-level comparison round TWO-1" in text["S3"]
    assert "level B: reported 22.8 mg/L against 20 mg/L, z = 3.50" in text["S3"]
    assert "level A:" not in text["S3"]
    assert "at level A and B" in text["S4"]
    assert "level A: reported 12 mg/L against 10 mg/L, z = 4.00; level B: reported 23.2" in text["S4"]
    assert "at level A in split-level" in text["S5"] and "level B:" not in text["S5"]
    assert "水平 B" in text["S3"]  # the Chinese text comes first
    # publishing again raises nothing twice
    assert evaluation.publish_round(rnd, staff) == []
    assert db.session.query(RoundFinding).count() == 3


def test_a_level_questionable_twice_in_a_row_raises_a_finding_at_that_level(two_levels, make_lab):
    rnd, staff, labs = two_levels["round"], two_levels["staff"], two_levels["labs"]
    evaluation.evaluate_round(rnd, staff)
    evaluation.publish_round(rnd, staff)
    # A later round on the same measurand: S6 questionable on level B again, S2 questionable on B now
    # (it was questionable on A before: a different level, no finding).
    later = service.create_round(
        {"code": "TWO-2", "title": "Lead, two levels", "kind": "blind_sample", "measurand": "Pb",
         "unit": "mg/L", "assigned_value_method": "reference", "x_pt": 10.0, "u_x_pt": 0.02,
         "sigma_pt_method": "fixed", "sigma_pt": 0.5, "split_level": True, "x_pt_b": 20.0,
         "u_x_pt_b": 0.04, "sigma_pt_b": 0.8, "participants": ["S2", "S6"]},
        staff,
    )  # fmt: skip
    service.transition(later, "open", staff)
    # S6: B = 21.9 -> z = 2.375 (questionable); S2: B = 21.7 -> z = 2.125 (questionable); A fine.
    results.submit_results(
        later,
        [
            {"lab_code": "S2", "value": 10.0, "value_b": 21.7},
            {"lab_code": "S6", "value": 10.0, "value_b": 21.9},
        ],
        staff,
    )
    service.transition(later, "closed", staff)
    evaluation.evaluate_round(later, staff)
    links = evaluation.publish_round(later, staff)
    assert [(link.lab_id, link.reason) for link in links] == [(labs["S6"].id, "second_questionable")]
    assert "at level B in split-level" in links[0].finding.description


def test_the_page_api_and_export_show_both_levels(client, auth, api_token, two_levels):
    rnd, staff = two_levels["round"], two_levels["staff"]
    evaluation.evaluate_round(rnd, staff)
    auth.login(staff)
    page = client.get("/rounds/TWO-1").get_data(as_text=True)
    assert 'id="summary-b"' in page and "Evaluation, level B" in page
    assert page.count('class="text-end score-b"') == len(ROWS)
    assert '<td class="text-end score-b">3.50</td>' in page
    exported = client.get("/rounds/TWO-1/export.csv").get_data(as_text=True)
    table = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    s3 = next(row for row in table if row["lab_code"] == "S3")
    assert (
        s3["value_b"] == "22.8"
        and s3["grade_b"] == "unsatisfactory"
        and math.isclose(float(s3["score_b"]), 3.5)
    )
    assert s3["grade"] == "satisfactory"
    _user, headers = api_token(Role.QUALITY)
    got = client.get("/api/v1/rounds/TWO-1", headers=headers).get_json()
    assert got["x_pt_b"] == 20.0 and got["sigma_pt_b"] == 0.8
    assert got["evaluation"]["level_b"]["x_pt"] == 20.0
    s4 = next(r for r in got["results"] if r["lab_code"] == "S4")
    assert (s4["grade"], s4["grade_b"]) == ("unsatisfactory", "unsatisfactory")
    assert math.isclose(s4["score_b"], 4.0)


def test_the_participant_report_gives_its_own_level_b_score(two_levels, make_user):
    rnd, staff, labs = two_levels["round"], two_levels["staff"], two_levels["labs"]
    evaluation.evaluate_round(rnd, staff)
    evaluation.publish_round(rnd, staff)
    manager = make_user(Role.LAB_MANAGER, lab=labs["S3"])
    html = paper.html("participant", rnd, manager, labs["S3"])
    own = html[html.index("Your result") : html.index("Distribution of the results")]
    assert '<td>B</td><td class="num">22.8</td>' in own
    assert '<td class="num">3.50</td><td class="unsatisfactory">' in own
    assert ">S4<" not in html and ">S4 " not in html  # the other labs only by participant code


def test_a_long_round_lists_every_result_at_tab_stops(two_levels, make_user, monkeypatch):
    rnd, staff, labs = two_levels["round"], two_levels["staff"], two_levels["labs"]
    evaluation.evaluate_round(rnd, staff)
    evaluation.publish_round(rnd, staff)
    manager = make_user(Role.LAB_MANAGER, lab=labs["S3"])
    table = paper.html("participant", rnd, manager, labs["S3"])
    assert 'class="listing"' not in table  # a short round keeps its table
    monkeypatch.setattr(paper, "COMPACT_FROM", 3)
    listing = paper.html("participant", rnd, manager, labs["S3"])
    lines = listing.split('<div class="listing">')[1].split("</div></div>")[0]
    assert lines.count('<div class="lr') == len(ROWS) and lines.count('<div class="lr own">') == 1
    own = lines.split('<div class="lr own">')[1].split("</div>")[0]
    # S3's line: code, level A, level B, score A, grade A, score B, grade B, at tab stops
    assert own.split("&#9;")[1:4] == ["10.5", "22.8", "1.00"] and "3.50" in own
    assert ">S4<" not in listing
