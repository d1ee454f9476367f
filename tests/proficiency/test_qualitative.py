"""Qualitative rounds: agreement with the assigned answer, false positives and negatives, findings."""

import pytest
from sqlalchemy import select

from labtrack.extensions import db
from labtrack.proficiency import evaluation, qualitative, results, service
from labtrack.proficiency.models import Result, RoundFinding
from labtrack.proficiency.qualitative import score_answers
from labtrack.services import InvalidInput


def test_score_answers_counts_false_positives_and_negatives():
    found = score_answers(["detected", "not_detected", "detected", "detected"], "detected")
    assert (found.n, found.agreeing, found.false_negatives, found.false_positives) == (4, 3, 1, 0)
    assert found.grades == ("satisfactory", "unsatisfactory", "satisfactory", "satisfactory")
    assert found.share == pytest.approx(0.75)
    blank = score_answers(["detected", "not_detected", "detected"], "not_detected")
    assert (blank.false_positives, blank.false_negatives, blank.agreeing) == (2, 0, 1)


def test_named_categories_count_misidentifications():
    names = ["Salmonella Enteritidis", "Salmonella Typhimurium", "Shigella sonnei"]
    found = score_answers([names[0], names[1], names[0]], names[0], names)
    assert (found.agreeing, found.misidentified, found.false_positives) == (2, 1, 0)
    with pytest.raises(ValueError, match="outside the categories"):
        score_answers(["E. coli"], names[0], names)


def _round(make_round, labs, staff, code, categories=None, assigned="detected"):
    rnd = make_round(labs, code=code, kind="blind_sample", measurand="Salmonella in 25 g", unit="")
    data = {"result_type": "qualitative", "assigned_answer": assigned}
    if categories:
        data["categories"] = categories
    qualitative.set_design(rnd, data, staff)
    service.transition(rnd, "open", staff)
    return rnd


def test_a_qualitative_round_end_to_end_raises_findings_for_wrong_answers(labs, make_round, staff):
    rnd = _round(make_round, labs, staff, "Q-1")
    answers = ["Detected", "detected", "not detected", "DETECTED", "Not detected"]  # case and labels accepted
    results.submit_results(
        rnd, [{"lab_code": lab.code, "answer": a} for lab, a in zip(labs, answers, strict=True)], staff
    )
    service.transition(rnd, "closed", staff)
    evaluation.evaluate_round(rnd, staff)
    ev = rnd.evaluation
    assert ev.score_kind == "agreement" and ev.summary["false_negatives"] == 2 and ev.summary["agreeing"] == 3
    links = evaluation.publish_round(rnd, staff)
    assert sorted(link.result.lab.code for link in links) == ["A03", "A05"]
    description = links[0].finding.description
    assert "“Not detected” where the item's assigned answer is “Detected”" in description
    assert "未检出" in description and "not_detected" not in description


def test_an_answer_outside_the_categories_is_refused_and_nothing_stored(labs, make_round, staff):
    rnd = _round(
        make_round, labs, staff, "Q-2", categories="S. Enteritidis\nS. Typhimurium", assigned="S. Enteritidis"
    )
    with pytest.raises(InvalidInput) as refused:
        results.submit_results(
            rnd,
            [{"lab_code": "A01", "answer": "S. Enteritidis"}, {"lab_code": "A02", "answer": "E. coli"}],
            staff,
        )
    assert "Not one of the round's answers" in str(refused.value.errors["1"]["answer"])
    assert db.session.scalar(select(Result.id)) is None


def test_design_refusals(labs, make_round, staff):
    rnd = make_round(labs, code="Q-3")
    with pytest.raises(InvalidInput) as refused:
        qualitative.set_design(
            rnd, {"result_type": "qualitative", "categories": "A\na", "assigned_answer": "A"}, staff
        )
    assert "categories" in refused.value.errors
    with pytest.raises(InvalidInput) as wrong:
        qualitative.set_design(rnd, {"result_type": "qualitative", "assigned_answer": "maybe"}, staff)
    assert "assigned_answer" in wrong.value.errors
    service.transition(rnd, "open", staff)
    with pytest.raises(InvalidInput) as late:
        qualitative.set_design(rnd, {"result_type": "qualitative"}, staff)
    assert "result_type" in late.value.errors


def test_api_qualitative_round(client, api_token, labs, make_round):
    make_round(labs, code="Q-API")
    _, quality = api_token("quality")
    design = {"result_type": "qualitative", "assigned_answer": "not_detected"}
    response = client.put("/api/v1/rounds/Q-API/design", json=design, headers=quality)
    assert response.status_code == 200 and response.json["result_type"] == "qualitative"
    client.post("/api/v1/rounds/Q-API/transitions", json={"to": "open"}, headers=quality)
    rows = [{"lab_code": f"A0{i}", "answer": "detected" if i == 1 else "not_detected"} for i in range(1, 6)]
    assert client.post("/api/v1/rounds/Q-API/results", json=rows, headers=quality).status_code == 201
    client.post("/api/v1/rounds/Q-API/transitions", json={"to": "closed"}, headers=quality)
    evaluated = client.post("/api/v1/rounds/Q-API/evaluate", headers=quality)
    assert evaluated.status_code == 200, evaluated.json
    published = client.post("/api/v1/rounds/Q-API/publish", headers=quality).json
    assert [f["lab_code"] for f in published["findings_raised"]] == ["A01"]  # the false positive
    assert db.session.scalar(select(RoundFinding.id)) is not None


def test_round_page_of_a_qualitative_round_in_chinese(client, auth, labs, make_round, staff):
    rnd = _round(make_round, labs, staff, "Q-4")
    results.submit_results(
        rnd,
        [{"lab_code": lab.code, "answer": "detected"} for lab in labs[:4]]
        + [{"lab_code": "A05", "answer": "not_detected"}],
        staff,
    )
    service.transition(rnd, "closed", staff)
    evaluation.evaluate_round(rnd, staff)
    auth.login("quality")
    page = client.get("/rounds/Q-4").get_data(as_text=True)
    assert 'id="qualitative-summary"' in page and "False negatives" in page
    client.post("/language/zh_Hans_CN")
    page = client.get("/rounds/Q-4").get_data(as_text=True)
    assert "假阴性" in page and "检出" in page


def test_a_labs_history_shows_its_qualitative_answers(client, auth, labs, make_round, staff):
    rnd = _round(make_round, labs, staff, "Q-5")
    answers = ["detected"] * 4 + ["not_detected"]
    results.submit_results(
        rnd, [{"lab_code": lab.code, "answer": a} for lab, a in zip(labs, answers, strict=True)], staff
    )
    service.transition(rnd, "closed", staff)
    evaluation.evaluate_round(rnd, staff)
    evaluation.publish_round(rnd, staff)
    auth.login("quality")
    history = client.get("/rounds/labs/A05")
    assert history.status_code == 200 and "Not detected" in history.get_data(as_text=True)
    assert client.get("/labs/A05").status_code == 200
