"""Proficiency pages: the round page and its charts, uploads, export, history, coverage, visibility."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.proficiency import evaluation, reports, results, service
from labtrack.proficiency.models import Result, Round
from labtrack.scope.models import ScopeEntry, TestCategory, TestItem
from tests.chart_data import charts, series

HEADER = "lab_code,value,expanded_uncertainty,coverage_factor,method\n"


@pytest.fixture
def scored(labs, make_round, staff):
    """A published round: A01..A05 at 10.2, 9.0, 11.2, 8.4, 11.5 against x_pt 10, sigma_pt 0.5."""
    rnd = make_round(labs, status="open", code="BS-T1")
    values = [10.2, 9.0, 11.2, 8.4, 11.5]
    results.submit_results(
        rnd, [{"lab_code": lab.code, "value": v} for lab, v in zip(labs, values, strict=True)], staff
    )
    service.transition(rnd, "closed", staff)
    evaluation.evaluate_round(rnd, staff)
    evaluation.publish_round(rnd, staff)
    return rnd


def test_round_page_shows_summary_charts_and_findings(client, auth, scored):
    auth.login("quality")
    page = client.get("/rounds/BS-T1").get_data(as_text=True)
    drawn = charts(page)  # drawn in the browser from the page's own view
    # drawn in the browser: no chart drawn on the server (the navigation's icons are SVG)
    assert {"histogram", "ranked"} <= set(drawn) and "<svg" not in page.split("</nav>", 1)[-1]
    assert {"kernel density", "x_pt = 10"} <= set(series(drawn["histogram"]))
    assert "A04" in page and "-3.20" in page and 'id="round-findings"' in page
    assert "<script" not in page.split('id="histogram"')[1].split("</div>")[0]  # data only, no scripts


def test_round_list_filters(client, auth, scored, make_round, labs):
    make_round(labs, code="MC-T2", kind="measurement_comparison")
    auth.login("viewer")
    page = client.get("/rounds/?kind=measurement_comparison").get_data(as_text=True)
    assert "MC-T2" in page and "BS-T1" not in page


def test_lab_manager_sees_codes_not_identities(client, auth, scored, labs, make_user):
    auth.login(make_user("lab_manager", lab=labs[0]))
    page = client.get("/rounds/BS-T1").get_data(as_text=True)
    assert "A01" in page and "A02" not in page and "A04" not in page
    csv = client.get("/rounds/BS-T1/export.csv").get_data(as_text=True)
    assert "A01" in csv and "A03" not in csv and csv.count("\n") == 6
    assert client.get("/rounds/labs/A02").status_code == 404
    assert client.get("/rounds/labs/A01").status_code == 200


def test_uninvited_lab_manager_gets_404(client, auth, scored, make_user, make_lab):
    auth.login(make_user("lab_manager", lab=make_lab("ZZ-1")))
    assert client.get("/rounds/BS-T1").status_code == 404
    assert client.get("/rounds/BS-T1/export.csv").status_code == 404
    assert "BS-T1" not in client.get("/rounds/").get_data(as_text=True)


def test_export_xlsx(client, auth, scored):
    auth.login("quality")
    response = client.get("/rounds/BS-T1/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("round", "participant_code", "lab_code") and len(rows) == 6


def test_create_and_run_a_round_through_pages(client, auth, labs):
    auth.login("quality")
    data = {"code": "WEB-1", "title": "Web round", "kind": "blind_sample", "measurand": "Pb", "unit": "mg/L",
            "assigned_value_method": "reference", "x_pt": "10", "u_x_pt": "0.1", "sigma_pt_method": "fixed",
            "sigma_pt": "0.5", "score_basis": "z", "participants": ["A01", "A02"]}  # fmt: skip
    response = client.post("/rounds/new", data=data)
    assert response.headers["Location"].endswith("/rounds/WEB-1")
    assert client.post("/rounds/WEB-1/transition", data={"to": "open"}).status_code in (302, 303)
    bad = client.post("/rounds/WEB-1/results", data={"lab_code": "A01", "value": "ten"})
    assert bad.status_code == 422 and "Must be a number." in bad.get_data(as_text=True)
    client.post("/rounds/WEB-1/results", data={"lab_code": "A01", "value": "10.2"})
    client.post("/rounds/WEB-1/results", data={"lab_code": "A02", "value": "8.4"})
    client.post("/rounds/WEB-1/transition", data={"to": "closed"})
    client.post("/rounds/WEB-1/evaluate")
    client.post("/rounds/WEB-1/publish")
    rnd = db.session.scalar(select(Round).where(Round.code == "WEB-1"))
    assert rnd.status == "published" and len(rnd.results) == 2


def test_new_round_form_errors_rerender(client, auth, labs):
    auth.login("admin")
    response = client.post("/rounds/new", data={"code": "", "title": "", "kind": "blind_sample",
                                                 "assigned_value_method": "reference", "sigma_pt": "-1"})  # fmt: skip
    assert response.status_code == 422 and "is-invalid" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Round)) == 0


def test_evaluating_an_open_round_from_the_page_says_why(client, auth, labs, make_round):
    make_round(labs, status="open", code="OPEN-1")
    auth.login("quality")
    page = client.post("/rounds/OPEN-1/evaluate", follow_redirects=True).get_data(as_text=True)
    assert "still open" in page


def _csv(text: str):
    return {"file": (io.BytesIO(text.encode()), "results.csv")}


def test_lab_manager_enters_own_result_while_open_only(client, auth, labs, make_round, make_user):
    rnd = make_round(labs, status="open", code="LM-1")
    auth.login(make_user("lab_manager", lab=labs[1]))
    page = client.get("/rounds/LM-1").get_data(as_text=True)
    assert 'value="A02"' in page and 'value="A01"' not in page and 'id="upload"' not in page
    assert client.post("/rounds/LM-1/results", data={"lab_code": "A01", "value": "1"}).status_code == 422
    assert client.post("/rounds/LM-1/results", data={"lab_code": "A02", "value": "1"}).status_code in (
        302,
        303,
    )
    assert db.session.scalar(select(Result.lab_id)) == labs[1].id
    assert client.post(f"/rounds/{rnd.code}/transition", data={"to": "closed"}).status_code == 403


def test_history_page_and_lab_panel(client, auth, scored, labs):
    auth.login("viewer")
    page = client.get("/rounds/labs/A04").get_data(as_text=True)
    assert "0 %" in page and 'id="history-chart"' in page and "BS-T1" in page
    panel = client.get("/labs/A01").get_data(as_text=True)
    assert 'id="proficiency-panel"' in panel and "100 %" in panel


def test_grade_counts_and_history_rows(app, scored, labs, staff):
    counts = reports.grade_counts(labs[2].id, staff)
    assert counts == {"total": 1, "satisfactory": 0, "questionable": 1, "unsatisfactory": 0, "share": 0.0}
    assert [r.code for r in reports.history_rows(labs[0].id, staff)] == ["BS-T1"]


def test_coverage_flags_categories_beyond_the_window(app, client, auth, labs, make_round, staff):
    food = TestCategory(code="CAT-F", name="食品")
    toys = TestCategory(code="CAT-T", name="玩具")
    lead = TestItem(code="IT-1", name="铅", category=food)
    phth = TestItem(code="IT-2", name="邻苯", category=toys)
    db.session.add_all([food, toys, lead, phth])
    db.session.flush()
    for item in (lead, phth):
        db.session.add(ScopeEntry(lab_id=labs[0].id, item_id=item.id, granted_on=date(2008, 1, 1)))
    db.session.commit()
    rnd = make_round(labs[:1], status="open", code="COV-1", item_code="IT-1", closes_on=date(2010, 6, 30),
                     opens_on=date(2010, 5, 1))  # fmt: skip
    results.submit_results(rnd, [{"lab_code": "A01", "value": 10}], staff)
    service.transition(rnd, "closed", staff)
    data = reports.coverage(date(2012, 6, 29), staff, "A01")
    cats = {c["category"].code: c for c in data["rows"][0]["categories"]}
    assert cats["CAT-F"]["last"] == date(2010, 6, 30) and not cats["CAT-F"]["flagged"]
    assert cats["CAT-T"]["last"] is None and cats["CAT-T"]["flagged"]
    # 24 months later the food comparison is out of the window too.
    later = reports.coverage(date(2012, 7, 1), staff, "A01")
    assert all(c["flagged"] for c in later["rows"][0]["categories"])
    app.config["COVERAGE_WINDOW_MONTHS"] = 36
    assert not {
        c["category"].code: c
        for c in reports.coverage(date(2012, 7, 1), staff, "A01")["rows"][0]["categories"]
    }["CAT-F"]["flagged"]
    auth.login("viewer")
    page = client.get("/rounds/coverage?on=2012-06-29").get_data(as_text=True)
    assert "CAT-T" in page and "never" in page and "2010-06-30" in page


def test_months_before():
    assert reports.months_before(date(2012, 3, 31), 1) == date(2012, 2, 29)
    assert reports.months_before(date(2012, 6, 30), 24) == date(2010, 6, 30)


def test_round_page_in_chinese_draws_its_charts(client, auth, labs, make_round, staff):
    """Chinese axis labels and a Chinese unit: the SVG keeps them as text (no missing-glyph failure)."""
    rnd = make_round(labs, status="open", code="ZH-CHART", unit="毫克/升")
    values = [10.2, 9.0, 11.2, 8.4, 11.5]
    results.submit_results(
        rnd, [{"lab_code": lab.code, "value": v} for lab, v in zip(labs, values, strict=True)], staff
    )
    service.transition(rnd, "closed", staff)
    evaluation.evaluate_round(rnd, staff)
    auth.login("quality")
    response = client.get("/rounds/ZH-CHART", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200
    drawn = charts(response.get_data(as_text=True))
    assert drawn["histogram"]["xAxis"]["name"] == "毫克/升"
    assert {"结果", "核密度"} <= set(series(drawn["histogram"]))  # legends in the reader's language


def test_round_charts_carry_the_scores_ranked_by_grade(client, auth, scored):
    """z = (x - 10) / 0.5: A04 -3.2, A02 -2.0, A01 0.4, A03 2.4, A05 3.0 (|z| >= 3 unsatisfactory)."""
    auth.login("quality")
    ranked = charts(client.get("/rounds/BS-T1").get_data(as_text=True))["ranked"]
    assert ranked["xAxis"]["data"] == ["A04", "A02", "A01", "A03", "A05"]
    bars = {name: [v["value"] if v else None for v in data] for name, data in series(ranked).items() if data}
    assert bars == {
        "satisfactory": [None, -2.0, 0.4, None, None],
        "questionable": [None, None, None, 2.4, None],
        "unsatisfactory": [-3.2, None, None, None, 3.0],
    }


def test_a_lab_managers_round_charts_name_no_other_lab(client, auth, scored, labs, make_user):
    import json

    auth.login(make_user("lab_manager", lab=labs[3]))  # A04
    drawn = charts(client.get("/rounds/BS-T1").get_data(as_text=True))
    assert {"histogram", "ranked"} <= set(drawn)
    text = json.dumps(drawn)
    assert not any(lab.code in text for lab in labs)  # participant codes only, even for their own
    ranked = drawn["ranked"]
    outlined = [
        ranked["xAxis"]["data"][i]
        for s in ranked["series"]
        if s["type"] == "bar"
        for i, v in enumerate(s["data"])
        if v and "itemStyle" in v
    ]
    own = next(p.participant_code for p in scored.participants if p.lab_id == labs[3].id)
    assert outlined == [own]


def test_no_charts_of_scores_before_publication_for_a_lab_manager(
    client, auth, labs, make_round, staff, make_user
):
    rnd = make_round(labs, status="open", code="BS-T2")
    results.submit_results(
        rnd, [{"lab_code": lab.code, "value": 10 + i / 10} for i, lab in enumerate(labs)], staff
    )
    service.transition(rnd, "closed", staff)
    evaluation.evaluate_round(rnd, staff)  # evaluated, not published
    auth.login(make_user("lab_manager", lab=labs[0]))
    assert charts(client.get("/rounds/BS-T2").get_data(as_text=True)) == {}
    auth.logout()
    auth.login("quality")
    assert {"histogram", "ranked"} <= set(charts(client.get("/rounds/BS-T2").get_data(as_text=True)))
