"""Split-level rounds: both levels of every participant, the Youden plot on the page and in the PDF."""

import json
import re

import pytest

from labtrack.auth.permissions import Role
from labtrack.proficiency import evaluation, paper, results, service
from labtrack.proficiency.models import Result
from labtrack.services import InvalidInput
from tests.chart_data import charts

A = [10.0, 10.2, 9.8, 10.1, 9.9, 10.3, 9.7, 10.0, 12.0, 12.0]
B = [20.0, 20.1, 19.9, 20.2, 19.8, 20.1, 19.9, 19.95, 22.0, 18.0]


@pytest.fixture
def split(app, make_lab, make_user):
    labs = [make_lab(f"SL{n:02d}") for n in range(1, 11)]
    staff = make_user(Role.QUALITY, username="split-staff")
    rnd = service.create_round(
        {"code": "SPLIT-1", "title": "Nitrate, two levels", "kind": "blind_sample", "measurand": "NO3",
         "unit": "mg/L", "assigned_value_method": "reference", "x_pt": 10.0, "u_x_pt": 0.02,
         "sigma_pt_method": "fixed", "sigma_pt": 0.5, "split_level": True, "x_pt_b": 20.0,
         "participants": [lab.code for lab in labs]},
        staff,
    )  # fmt: skip
    service.transition(rnd, "open", staff)
    return {"labs": labs, "staff": staff, "round": rnd}


def test_a_split_level_round_refuses_a_result_without_level_b(split):
    rnd, staff = split["round"], split["staff"]
    assert rnd.split_level
    with pytest.raises(InvalidInput) as refused:
        results.submit_results(rnd, [{"lab_code": "SL01", "value": 10.0}], staff)
    assert any("value_b" in str(line) for line in refused.value.row_errors)
    from labtrack.extensions import db

    assert db.session.query(Result).count() == 0


def _report_all(split):
    rows = [
        {"lab_code": lab.code, "value": a, "value_b": b}
        for lab, a, b in zip(split["labs"], A, B, strict=True)
    ]
    results.submit_results(split["round"], rows, split["staff"])
    service.transition(split["round"], "closed", split["staff"])
    evaluation.evaluate_round(split["round"], split["staff"])


def test_the_round_page_draws_the_youden_plot_and_reads_it(client, auth, split):
    _report_all(split)
    auth.login(split["staff"])
    page = client.get("/rounds/SPLIT-1").get_data(as_text=True)
    assert 'id="youden-chart"' in page
    spec = json.loads(
        re.search(r'id="youden-chart"[^>]*data-chart=\'([^\']*)\'', page).group(1).replace("&#39;", "'")
    )
    names = [s["name"] for s in spec["series"]]
    assert (
        "95 % ellipse" in names
    )  # "%(level)s ellipse" and "systematic error" in names and "random error" in names
    systematic = next(s for s in spec["series"] if s["name"] == "systematic error")
    assert [p["name"] for p in systematic["data"]] == ["SL09"]  # 12 and 22: high on both levels
    assert "Outside the 95 % ellipse: 1 along the line (systematic), 1 across it (random)." in page
    assert "Level B" in page


def test_level_b_has_its_own_distribution_and_ranked_scores(client, auth, split, make_user):
    _report_all(split)
    auth.login(split["staff"])
    found = charts(client.get("/rounds/SPLIT-1").get_data(as_text=True))
    ranked_a, ranked_b = found["ranked"], found["ranked-b"]
    # Level A ranks SL07 (9.7) lowest; level B ranks SL10 (18.0) lowest and SL09 (22.0) highest.
    assert ranked_a["xAxis"]["data"][0] == "SL07" and ranked_b["xAxis"]["data"][0] == "SL10"
    assert ranked_b["xAxis"]["data"][-1] == "SL09" and len(ranked_b["xAxis"]["data"]) == 10
    stored = {r.lab.code: r.score_b for r in split["round"].results}
    scores_b = sorted(
        v["value"] for s in ranked_b["series"] if s["type"] == "bar" for v in s["data"] if v is not None
    )
    assert scores_b == pytest.approx(sorted(stored.values()), abs=1e-4)
    assert "histogram-b" in found and found["histogram-b"] != found["histogram"]
    # Once published, a lab's manager reads level B by participant codes, as level A.
    evaluation.publish_round(split["round"], split["staff"])
    manager = make_user(Role.LAB_MANAGER, lab=split["labs"][0])
    auth.logout()
    auth.login(manager)
    found = charts(client.get("/rounds/SPLIT-1").get_data(as_text=True))
    names = set(found["ranked-b"]["xAxis"]["data"])
    assert len(names) == 10 and not {lab.code for lab in split["labs"]} & names
    assert names == set(found["ranked"]["xAxis"]["data"])


def test_the_youden_plot_in_chinese(client, auth, split, make_user):
    _report_all(split)
    user = make_user(Role.QUALITY, username="split-zh")
    user.locale = "zh_Hans_CN"
    from labtrack.extensions import db

    db.session.commit()
    auth.login(user)
    page = client.get("/rounds/SPLIT-1").get_data(as_text=True)
    assert "尤登图" in page and "系统误差" in page


def test_the_final_report_carries_the_youden_plot(split):
    _report_all(split)
    html = paper.html("report", split["round"], split["staff"])
    assert "Youden plot" in html and "data:image/png;base64," in html
    assert "along the line (systematic)" in html


def test_the_api_takes_both_levels_and_refuses_one_missing(client, app, make_lab, make_user, api_token):
    for n in (1, 2, 3):
        make_lab(f"AP{n}")
    _user, headers = api_token(Role.QUALITY)
    created = client.post(
        "/api/v1/rounds",
        json={"code": "SPLIT-API", "title": "Two levels", "kind": "blind_sample", "measurand": "Cu",
              "assigned_value_method": "reference", "x_pt": 1.0, "sigma_pt": 0.1, "split_level": True,
              "x_pt_b": 2.0,
              "participants": ["AP1", "AP2", "AP3"]},
        headers=headers,
    )  # fmt: skip
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["split_level"] is True
    client.post("/api/v1/rounds/SPLIT-API/transitions", json={"to": "open"}, headers=headers)
    refused = client.post(
        "/api/v1/rounds/SPLIT-API/results", json=[{"lab_code": "AP1", "value": 1.0}], headers=headers
    )
    assert refused.status_code == 422
    assert "value_b" in str(refused.get_json()["errors"])
    stored = client.post(
        "/api/v1/rounds/SPLIT-API/results",
        json=[{"lab_code": "AP1", "value": 1.0, "value_b": 2.1}],
        headers=headers,
    )
    assert stored.status_code in (200, 201), stored.get_json()
    got = client.get("/api/v1/rounds/SPLIT-API", headers=headers).get_json()
    assert got["results"][0]["value_b"] == 2.1


def test_a_participant_pdf_of_a_split_level_round_in_chinese(split, make_user):
    import io
    import os

    from flask_babel import force_locale
    from pypdf import PdfReader

    _report_all(split)
    evaluation.publish_round(split["round"], split["staff"])
    own = split["labs"][8]
    manager = make_user(Role.LAB_MANAGER, lab=own)
    with force_locale("zh_Hans_CN"):
        content = paper.pdf("participant", split["round"], manager, own)
    if os.environ.get("PAPER_DUMP"):
        with open(os.path.join(os.environ["PAPER_DUMP"], "split-participant-zh.pdf"), "wb") as handle:
            handle.write(content)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "尤登图" in text and "水平 B" in text and "SL09" in text
    assert "SL10" not in text  # the other lab off the line appears only by its participant code
