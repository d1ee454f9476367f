"""Homogeneity and stability studies of a round: entry, import, refusals, the widened sigma_pt, visibility."""

import io

import pytest
from sqlalchemy import select

from labtrack.extensions import db
from labtrack.proficiency import evaluation, results, service, studies
from labtrack.proficiency.models import HomogeneityStudy, Round, StabilityStudy
from labtrack.services import Conflict, InvalidInput

# Ten items in duplicate (x - 1, x + 1), x = 10 or 12: s_s = 1/3 (see test_homogeneity.py).
FAILING = "\n".join(["9 11"] * 5 + ["11 13"] * 5)  # with sigma_pt 0.5: criterion 0.15 < 0.333
PASSING = "\n".join(["10.0 10.1"] * 5 + ["10.1, 10.0"] * 5)  # every item mean 10.05: s_s = 0


def _round(db_round_code: str) -> Round:
    db.session.expire_all()
    return db.session.scalars(select(Round).where(Round.code == db_round_code)).one()


def test_quality_records_a_study_and_the_round_page_flags_it(client, auth, labs, make_round):
    make_round(labs, code="H-1")
    auth.login("quality")
    response = client.post("/rounds/H-1/studies/homogeneity", data={"replicates": FAILING})
    assert response.status_code == 303 and response.headers["Location"].endswith("/rounds/H-1/studies")
    study = _round("H-1").homogeneity
    assert (study.g, study.m, study.sigma_pt) == (10, 2, 0.5)  # the round's fixed sigma_pt
    assert study.s_s == pytest.approx(1 / 3) and not study.passed
    page = client.get("/rounds/H-1/studies").get_data(as_text=True)
    assert 'id="homogeneity-failed"' in page and "0.3333" in page
    # sqrt(0.5^2 + (1/3)^2) = 0.6009
    assert "sigma_pt widened" in page and "0.6009" in page
    round_page = client.get("/rounds/H-1").get_data(as_text=True)
    assert 'id="studies-card"' in round_page and "0.6009" in round_page


def test_a_failed_homogeneity_widens_sigma_pt_in_the_evaluation(labs, make_round, staff):
    rnd = make_round(labs, code="H-2")
    studies.record_homogeneity(rnd, studies.parse_replicate_lines(FAILING), staff)
    service.transition(rnd, "open", staff)
    values = [10.2, 9.0, 11.2, 8.4, 11.5]
    results.submit_results(
        rnd, [{"lab_code": lab.code, "value": v} for lab, v in zip(labs, values, strict=True)], staff
    )
    service.transition(rnd, "closed", staff)
    outcome = evaluation.evaluate_round(rnd, staff)
    widened = (0.5**2 + (1 / 3) ** 2) ** 0.5
    assert outcome.sigma_pt == pytest.approx(widened)
    assert outcome.constants["sigma_pt_before_widening"] == 0.5
    # A04 reported 8.4: z = -1.6 / 0.6009 = -2.66 (questionable) instead of -3.2 (unsatisfactory)
    a04 = next(r for r in _round("H-2").results if r.lab.code == "A04")
    assert a04.score == pytest.approx(-1.6 / widened) and a04.grade == "questionable"


def test_a_passed_study_changes_nothing(labs, make_round, staff):
    rnd = make_round(labs, code="H-3")
    study = studies.record_homogeneity(rnd, studies.parse_replicate_lines(PASSING), staff)
    assert study.passed and study.s_s == 0.0
    assert studies.consequences(rnd) == []


def test_a_failed_stability_adds_to_u_x_pt(labs, make_round, staff):
    rnd = make_round(labs, code="S-1", status="open")
    study = studies.record_stability(rnd, [10.0, 10.2, 9.8], [10.5, 10.3, 10.7], staff)
    assert study.difference == pytest.approx(0.5) and not study.passed  # 0.5 > 0.15
    assert evaluation.method_of(rnd).instability == pytest.approx(0.5)
    assert "0.2887" in studies.consequences(rnd)[0]  # 0.5 / sqrt(3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("\n".join(["1 2"] * 9), "at least 10 items"),
        ("\n".join(["1"] * 10), "at least 2 replicate"),
        ("\n".join(["1 2"] * 9 + ["1 2 3"]), "same number of replicate results"),
        ("\n".join(["1 2"] * 9 + ["1 x"]), "Line 10"),
    ],
)
def test_bad_replicates_are_refused_beside_the_field_and_nothing_is_stored(
    client, auth, labs, make_round, text, message
):
    make_round(labs, code="H-4")
    auth.login("quality")
    response = client.post("/rounds/H-4/studies/homogeneity", data={"replicates": text})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(HomogeneityStudy.id)) is None


def test_import_is_all_or_nothing_with_row_numbers(labs, make_round, staff):
    rnd = make_round(labs, code="H-5")
    good = "item,replicate,value\n" + "".join(f"I{i},1,10\nI{i},2,10.{i}\n" for i in range(10))
    study = studies.record_homogeneity(rnd, studies.read_homogeneity_file(io.BytesIO(good.encode())), staff)
    assert (study.g, study.m) == (10, 2)
    bad = good + "I3,2,11\nI4,1,abc\n"
    with pytest.raises(InvalidInput) as refused:
        studies.read_homogeneity_file(io.BytesIO(bad.encode()))
    lines = refused.value.errors["file"]
    assert any("Row 22" in line and "I3" in line for line in lines)  # replicate 2 of I3 twice
    assert any(line.startswith("Row 23, value") for line in lines)


def test_stability_file_and_its_refusals(labs, make_round, staff):
    rnd = make_round(labs, code="S-2")
    before, after = studies.read_stability_file(
        io.BytesIO(b"phase,value\nbefore,1\nbefore,1.2\nafter,1.1\nafter,1.1\n")
    )
    assert (before, after) == ([1.0, 1.2], [1.1, 1.1])
    with pytest.raises(InvalidInput) as refused:
        studies.read_stability_file(io.BytesIO(b"phase,value\nduring,1\n"))
    assert "Row 2, phase" in refused.value.errors["file"][0]
    with pytest.raises(InvalidInput) as too_few:
        studies.record_stability(rnd, [1.0], [1.0, 2.0], staff)
    assert set(too_few.value.errors) == {"before"}
    assert db.session.scalar(select(StabilityStudy.id)) is None


def test_homogeneity_is_recorded_only_before_the_round_opens(labs, make_round, staff):
    rnd = make_round(labs, code="H-6", status="open")
    with pytest.raises(Conflict):
        studies.record_homogeneity(rnd, studies.parse_replicate_lines(PASSING), staff)


def test_robust_sd_rounds_need_the_sigma_pt_checked_against(labs, make_round, staff):
    rnd = make_round(labs, code="H-7", sigma_pt_method="robust_sd", sigma_pt=None, assigned_value_method="consensus",
                     x_pt=None, u_x_pt=None)  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        studies.record_homogeneity(rnd, studies.parse_replicate_lines(PASSING), staff)
    assert "sigma_pt" in refused.value.errors
    assert studies.record_homogeneity(rnd, studies.parse_replicate_lines(FAILING), staff, sigma_pt=2.0).passed


def test_who_may_record_and_see_studies(client, auth, labs, make_round, make_user, staff):
    rnd = make_round(labs, code="H-8")
    studies.record_homogeneity(rnd, studies.parse_replicate_lines(FAILING), staff)
    service.transition(rnd, "open", staff)
    manager = make_user("lab_manager", lab=labs[0])
    auth.login(manager)
    # the study's mean tells the assigned value: not before publication
    assert client.get("/rounds/H-8/studies").status_code == 404
    assert 'id="studies-card"' not in client.get("/rounds/H-8").get_data(as_text=True)
    assert (
        client.post("/rounds/H-8/studies/stability", data={"before": "1 2", "after": "1 2"}).status_code
        == 403
    )
    auth.logout()
    auth.login("inspector")
    assert client.get("/rounds/H-8/studies").status_code == 404
    auth.logout()
    auth.login("quality")
    assert client.get("/rounds/H-8/studies").status_code == 200


def test_refusal_in_chinese(client, auth, labs, make_round):
    make_round(labs, code="H-9")
    auth.login("quality")
    client.post("/language/zh_Hans_CN")
    page = client.post("/rounds/H-9/studies/homogeneity", data={"replicates": "1 2\n1 2"}).get_data(
        as_text=True
    )
    assert "至少" in page and "均匀性" in page


def test_api_records_and_reads_the_studies(client, api_token, labs, make_round, make_user):
    make_round(labs, code="API-H")
    _, quality = api_token("quality")
    rows = [[9.0, 11.0]] * 5 + [[11.0, 13.0]] * 5
    response = client.put("/api/v1/rounds/API-H/homogeneity", json={"replicates": rows}, headers=quality)
    assert response.status_code == 200, response.json
    assert response.json["s_s"] == pytest.approx(1 / 3) and response.json["passed"] is False
    assert client.get("/api/v1/rounds/API-H/homogeneity", headers=quality).json["g"] == 10
    refused = client.put("/api/v1/rounds/API-H/homogeneity", json={"replicates": rows[:9]}, headers=quality)
    assert refused.status_code == 422 and "replicates" in refused.json["errors"]
    stab = client.put(
        "/api/v1/rounds/API-H/stability", json={"before": [1, 1.2], "after": [1.1]}, headers=quality
    )
    assert stab.status_code == 422 and set(stab.json["errors"]) == {"after"}
    assert client.get("/api/v1/rounds/API-H/stability", headers=quality).status_code == 404
    _, manager = api_token("lab_manager", lab=labs[0])
    assert (
        client.put("/api/v1/rounds/API-H/homogeneity", json={"replicates": rows}, headers=manager).status_code
        == 403
    )
