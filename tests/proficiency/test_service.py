"""Rounds through the services: results, evaluation with hand-derived scores, publishing, bad input."""

import math

import pytest
from sqlalchemy import func, select

from labtrack.audits.models import Finding
from labtrack.extensions import db
from labtrack.proficiency import evaluation, results, service
from labtrack.proficiency.models import Evaluation, Result, Round, RoundFinding
from labtrack.services import Conflict, Forbidden, InvalidInput


def _enter(rnd, staff, pairs):
    rows = [{"lab_code": code, "value": value, **extra} for code, value, extra in pairs]
    return results.submit_results(rnd, rows, staff)


def _close_and_evaluate(rnd, staff):
    service.transition(rnd, "closed", staff)
    return evaluation.evaluate_round(rnd, staff)


def _scores(rnd):
    rows = db.session.execute(
        select(Result.lab_id, Result.score, Result.score_kind, Result.grade).where(Result.round_id == rnd.id)
    ).all()
    return {r.lab_id: (r.score, r.score_kind, r.grade) for r in rows}


# x_pt = 10, sigma_pt = 0.5, u(x_pt) = 0.1 <= 0.3 * 0.5 = 0.15, so z = (x - 10) / 0.5:
#   10.2 -> 0.4 satisfactory; 9.0 -> -2.0 satisfactory (the limit is inclusive);
#   11.2 -> 2.4 questionable; 8.4 -> -3.2 unsatisfactory; 11.5 -> 3.0 unsatisfactory (3 is inclusive).
HAND = [("A01", 10.2, 0.4, "satisfactory"), ("A02", 9.0, -2.0, "satisfactory"),
        ("A03", 11.2, 2.4, "questionable"), ("A04", 8.4, -3.2, "unsatisfactory"),
        ("A05", 11.5, 3.0, "unsatisfactory")]  # fmt: skip


def test_reference_round_scores_z_by_hand(labs, make_round, staff):
    rnd = make_round(labs, status="open")
    _enter(rnd, staff, [(code, value, {}) for code, value, _, _ in HAND])
    outcome = _close_and_evaluate(rnd, staff)
    assert outcome.score_kind == "z"
    scores = _scores(rnd)
    by_code = {lab.code: lab.id for lab in labs}
    for code, _value, z, grade in HAND:
        score, kind, got = scores[by_code[code]]
        assert score == pytest.approx(z, abs=1e-12) and kind == "z" and got == grade, code
    ev = db.session.scalar(select(Evaluation).where(Evaluation.round_id == rnd.id))
    assert (ev.x_pt, ev.u_x_pt, ev.sigma_pt, ev.n) == (10.0, 0.1, 0.5, 5)
    assert ev.z_prime_reason is None and ev.reliability == "n/a"
    assert ev.summary["grades"] == {"satisfactory": 2, "questionable": 1, "unsatisfactory": 2}
    assert db.session.get(Round, rnd.id).status == "evaluated"


def test_z_prime_when_assigned_uncertainty_is_large(labs, make_round, staff):
    # u(x_pt) = 0.2 > 0.15: z' = (x - 10) / sqrt(0.25 + 0.04) = (x - 10) / 0.538516...
    rnd = make_round(labs, status="open", u_x_pt=0.2)
    _enter(rnd, staff, [(code, value, {}) for code, value, _, _ in HAND])
    outcome = _close_and_evaluate(rnd, staff)
    assert outcome.score_kind == "z_prime"
    assert "0.2 > 0.3 × sigma_pt = 0.15" in outcome.z_prime_reason
    a03 = _scores(rnd)[labs[2].id]
    assert a03[0] == pytest.approx(1.2 / math.sqrt(0.29)) and a03[1] == "z_prime"
    assert a03[2] == "questionable"  # 1.2 / 0.5385 = 2.228


def test_consensus_of_five_by_hand(labs, make_round, staff):
    # 1..5: median 3, MAD 1, s* = 1.483; no value is ever clipped, so x* = 3 and
    # s* = 1.134 * SD(1..5) = 1.134 * sqrt(2.5); u = 1.25 s* / sqrt(5) > 0.3 s*, hence z'.
    rnd = make_round(labs, status="open", assigned_value_method="consensus", sigma_pt_method="robust_sd",
                     x_pt=None, u_x_pt=None, sigma_pt=None)  # fmt: skip
    _enter(rnd, staff, [(lab.code, float(i + 1), {}) for i, lab in enumerate(labs)])
    outcome = _close_and_evaluate(rnd, staff)
    s_star = 1.134 * math.sqrt(2.5)
    u = 1.25 * s_star / math.sqrt(5)
    assert outcome.x_pt == pytest.approx(3.0) and outcome.sigma_pt == pytest.approx(s_star)
    assert outcome.u_x_pt == pytest.approx(u)
    assert outcome.score_kind == "z_prime" and outcome.reliability == "unreliable"
    assert _scores(rnd)[labs[4].id][0] == pytest.approx(2 / math.sqrt(s_star**2 + u**2))
    ev = db.session.scalar(select(Evaluation).where(Evaluation.round_id == rnd.id))
    assert ev.iterations >= 1 and ev.converged and ev.constants["algorithm_a"]["sd_factor"] == 1.134


def test_en_for_measurement_comparison_by_hand(labs, make_round, staff):
    # U(x_pt) = 2 * 0.05 = 0.1; En = (x - 100) / sqrt(U^2 + 0.01).
    rnd = make_round(labs[:2], status="open", kind="measurement_comparison", assigned_value_method="reference_lab",
                     x_pt=100.0, u_x_pt=0.05, sigma_pt=None)  # fmt: skip
    assert rnd.score_basis == "en"
    _enter(rnd, staff, [("A01", 100.3, {"expanded_uncertainty": 0.2, "coverage_factor": 2}),
                        ("A02", 99.9, {"expanded_uncertainty": 0.2})])  # fmt: skip
    outcome = _close_and_evaluate(rnd, staff)
    assert outcome.score_kind == "en"
    s = _scores(rnd)
    assert s[labs[0].id][0] == pytest.approx(0.3 / math.sqrt(0.05)) and s[labs[0].id][2] == "unsatisfactory"
    assert s[labs[1].id][0] == pytest.approx(-0.1 / math.sqrt(0.05)) and s[labs[1].id][2] == "satisfactory"


def test_zeta_uses_standard_uncertainties(labs, make_round, staff):
    rnd = make_round(labs[:1], status="open", score_basis="zeta", x_pt=100.0, u_x_pt=0.05)
    _enter(rnd, staff, [("A01", 100.3, {"expanded_uncertainty": 0.3, "coverage_factor": 3})])
    _close_and_evaluate(rnd, staff)
    # u(x) = 0.3 / 3 = 0.1; zeta = 0.3 / sqrt(0.01 + 0.0025)
    assert _scores(rnd)[labs[0].id][0] == pytest.approx(0.3 / math.sqrt(0.0125))


# --- Publishing raises findings, once ---


def test_publish_raises_findings_once(labs, make_round, staff):
    rnd = make_round(labs, status="open")
    _enter(rnd, staff, [(code, value, {}) for code, value, _, _ in HAND])
    _close_and_evaluate(rnd, staff)
    links = evaluation.publish_round(rnd, staff)
    assert sorted(link.reason for link in links) == ["unsatisfactory", "unsatisfactory"]
    findings = db.session.scalars(select(Finding).order_by(Finding.id)).all()
    assert {f.lab_id for f in findings} == {labs[3].id, labs[4].id}
    assert all(f.source == "round" and f.source_ref == rnd.code and f.status == "open" for f in findings)
    assert all(f.severity == "major" and f.clause == "7.7.2" for f in findings)
    assert "8.4" in findings[0].description and rnd.code in findings[0].description
    assert db.session.get(Round, rnd.id).status == "published"
    assert evaluation.publish_round(db.session.get(Round, rnd.id), staff) == []
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 2
    assert db.session.scalar(select(func.count()).select_from(RoundFinding)) == 2


def test_second_questionable_in_a_row_on_the_same_item_raises_a_finding(labs, make_round, staff):
    first = make_round(labs, status="open", closes_on=None)
    _enter(first, staff, [(code, value, {}) for code, value, _, _ in HAND])
    _close_and_evaluate(first, staff)
    evaluation.publish_round(first, staff)
    # Same measurand, no catalogue item: A03 questionable again -> minor finding; A01 questionable
    # for the first time -> nothing.
    second = make_round(labs, status="open")
    _enter(second, staff, [("A01", 11.1, {}), ("A03", 8.8, {}), ("A02", 10.0, {})])
    _close_and_evaluate(second, staff)
    links = evaluation.publish_round(second, staff)
    assert [(link.result.lab.code, link.reason) for link in links] == [("A03", "second_questionable")]
    assert db.session.get(Finding, links[0].finding_id).severity == "minor"
    # Another measurand does not count as the same item.
    third = make_round(labs, status="open", measurand="Cd")
    _enter(third, staff, [("A03", 11.2, {})])
    _close_and_evaluate(third, staff)
    assert evaluation.publish_round(third, staff) == []


# --- Bad input: a clear message and nothing stored ---


def _count_results():
    return db.session.scalar(select(func.count()).select_from(Result))


def test_non_numeric_uninvited_and_duplicate_rows_are_all_reported(labs, make_round, make_lab, staff):
    outsider = make_lab("OUT-1")
    rnd = make_round(labs, status="open")
    rows = [
        {"lab_code": "A01", "value": "abc"},
        {"lab_code": outsider.code, "value": 1},
        {"lab_code": "A02", "value": 1, "expanded_uncertainty": -1},
        {"lab_code": "A03", "value": 1},
        {"lab_code": "A03", "value": 2},
        {"lab_code": "A04", "value": "NaN"},
        {"lab_code": "A05", "value": 1, "coverage_factor": 0},
    ]
    with pytest.raises(InvalidInput) as caught:
        results.submit_results(rnd, rows, staff)
    errors = caught.value.errors
    assert errors["0"]["value"] == ["Must be a number."]
    assert "not invited" in errors["1"]["lab_code"][0]
    assert errors["2"]["expanded_uncertainty"] == ["Must be at least 0.0."]
    assert "twice" in errors["4"]["lab_code"][0]
    assert errors["5"]["value"] == ["Must be a finite number."]
    assert errors["6"]["coverage_factor"] == ["Must be greater than zero."]
    assert _count_results() == 0


def test_second_result_from_the_same_lab_is_refused(labs, make_round, staff):
    rnd = make_round(labs, status="open")
    _enter(rnd, staff, [("A01", 1.0, {})])
    with pytest.raises(InvalidInput) as caught:
        _enter(rnd, staff, [("A02", 1.0, {}), ("A01", 2.0, {})])
    assert "already reported" in caught.value.errors["1"]["lab_code"][0]
    assert _count_results() == 1


def test_results_only_while_open(labs, make_round, staff):
    rnd = make_round(labs)
    with pytest.raises(Conflict):
        _enter(rnd, staff, [("A01", 1.0, {})])
    service.transition(rnd, "open", staff)
    service.transition(rnd, "closed", staff)
    with pytest.raises(Conflict, match="only while the round is open"):
        _enter(rnd, staff, [("A01", 1.0, {})])


def test_evaluating_an_open_round_is_refused(labs, make_round, staff):
    rnd = make_round(labs, status="open")
    _enter(rnd, staff, [("A01", 1.0, {})])
    with pytest.raises(Conflict, match="still open"):
        evaluation.evaluate_round(rnd, staff)
    assert db.session.scalar(select(func.count()).select_from(Evaluation)) == 0


def test_consensus_refused_below_five_results(labs, make_round, staff):
    rnd = make_round(labs, status="open", assigned_value_method="consensus", x_pt=None)
    _enter(rnd, staff, [(lab.code, 1.0 + i, {}) for i, lab in enumerate(labs[:4])])
    service.transition(rnd, "closed", staff)
    with pytest.raises(InvalidInput, match="too few for a consensus value"):
        evaluation.evaluate_round(rnd, staff)
    assert db.session.get(Round, rnd.id).status == "closed"
    assert all(s[0] is None for s in _scores(rnd).values())


def test_identical_values_refused_for_consensus(labs, make_round, staff):
    rnd = make_round(labs, status="open", assigned_value_method="consensus", x_pt=None)
    _enter(rnd, staff, [(lab.code, 2.5, {}) for lab in labs])
    service.transition(rnd, "closed", staff)
    with pytest.raises(InvalidInput, match="identical"):
        evaluation.evaluate_round(rnd, staff)
    assert db.session.get(Round, rnd.id).status == "closed"


def test_missing_uncertainty_refused_for_en(labs, make_round, staff):
    rnd = make_round(labs[:2], status="open", kind="measurement_comparison", x_pt=100.0, u_x_pt=0.05)
    _enter(rnd, staff, [("A01", 100.1, {"expanded_uncertainty": 0.2}), ("A02", 100.2, {})])
    service.transition(rnd, "closed", staff)
    with pytest.raises(InvalidInput) as caught:
        evaluation.evaluate_round(rnd, staff)
    assert "expanded_uncertainty" in caught.value.errors
    assert all(s[0] is None for s in _scores(rnd).values())


def test_reference_round_without_x_pt_or_sigma_is_refused(labs, make_round, staff):
    rnd = make_round(labs[:1], status="open", x_pt=None, sigma_pt=None)
    _enter(rnd, staff, [("A01", 1.0, {})])
    service.transition(rnd, "closed", staff)
    with pytest.raises(InvalidInput) as caught:
        evaluation.evaluate_round(rnd, staff)
    assert set(caught.value.errors) == {"x_pt", "sigma_pt"}


def test_lab_manager_enters_only_its_own_lab(labs, make_round, make_user, make_lab):
    rnd = make_round(labs, status="open")
    manager = make_user("lab_manager", lab=labs[0])
    with pytest.raises(InvalidInput) as caught:
        results.submit_results(rnd, [{"lab_code": "A02", "value": 1}], manager)
    assert "own laboratory" in caught.value.errors["0"]["lab_code"][0]
    results.submit_results(rnd, [{"lab_code": "A01", "value": 1}], manager)
    stranger = make_user("lab_manager", lab=make_lab("Z99"))
    with pytest.raises(Forbidden):
        results.submit_results(rnd, [{"lab_code": "Z99", "value": 1}], stranger)


def test_transitions_follow_the_state_table(labs, make_round, staff):
    rnd = make_round(labs)
    with pytest.raises(Conflict):
        service.transition(rnd, "closed", staff)
    with pytest.raises(InvalidInput):
        service.transition(rnd, "published", staff)
    service.transition(rnd, "open", staff)
    service.transition(rnd, "closed", staff)
    assert rnd.closes_on is not None
    with pytest.raises(Conflict):
        evaluation.publish_round(rnd, staff)


def test_participant_codes_are_unique_and_anonymous(labs, make_round):
    rnd = make_round(labs)
    codes = [p.participant_code for p in rnd.participants]
    assert len(set(codes)) == 5 and all(c.startswith("P") and len(c) == 4 for c in codes)


def test_changing_the_method_drops_the_evaluation(labs, make_round, staff):
    rnd = make_round(labs, status="open")
    _enter(rnd, staff, [(code, value, {}) for code, value, _, _ in HAND])
    _close_and_evaluate(rnd, staff)
    service.update_round(rnd, {"sigma_pt": 1.0}, staff)
    assert rnd.status == "closed" and rnd.evaluation is None
    assert all(s[0] is None for s in _scores(rnd).values())
    evaluation.evaluate_round(rnd, staff)
    assert _scores(rnd)[labs[4].id][0] == pytest.approx(1.5)
