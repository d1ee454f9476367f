"""The training report against numbers worked by hand and against plain SQL; the campaign
summary's training block on its page, export and API."""

from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import text

from labtrack.extensions import db
from labtrack.personnel import campaign, reports
from tests.personnel import factories as pf
from tests.personnel.conftest import login


@pytest.fixture
def year(world):
    """2010 in two labs. Sessions (first day in 2010 unless said):
    S1 provincial 4 h on 03-15: 王芳, 李强, 陈刚 + 10 external;
    S2 lab A's own 2 h on 05-06: 王芳 (1 h only), 赵敏;
    S3 prefecture 6 h on 09-01: 陈刚;
    S4 provincial 8 h on 2011-01-05: 王芳 (outside the period).
    Sessions 3, attendances 3+2+1+10 = 16, hours 4*3 + (1+2) + 6 + 10*4 = 61.
    Exam on 2010-05-22 (analysts): 王芳 90, 李强 absent, 陈刚 50 (pass mark 60)."""
    s1 = pf.TrainingSessionFactory(starts_on=date(2010, 3, 15), hours=4, external_attendees=10)
    s2 = pf.TrainingSessionFactory(
        starts_on=date(2010, 5, 6), hours=2, organiser="lab", organiser_lab=world.lab_a
    )
    s3 = pf.TrainingSessionFactory(starts_on=date(2010, 9, 1), hours=6, organiser="prefecture_bureau")
    s4 = pf.TrainingSessionFactory(starts_on=date(2011, 1, 5), hours=8)
    for person in (world.ana, world.sig, world.bob):
        pf.AttendanceFactory(session=s1, person=person)
    pf.AttendanceFactory(session=s2, person=world.ana, hours=1)
    pf.AttendanceFactory(session=s2, person=world.head)
    pf.AttendanceFactory(session=s3, person=world.bob)
    pf.AttendanceFactory(session=s4, person=world.ana)
    exam = pf.ExamFactory(held_on=date(2010, 5, 22))
    pf.ExamResultFactory(exam=exam, person=world.ana, sat=True, score=90)
    pf.ExamResultFactory(exam=exam, person=world.sig, absent=True)
    pf.ExamResultFactory(exam=exam, person=world.bob, sat=True, score=50)
    return world


PERIOD = (date(2010, 1, 1), date(2010, 12, 31))


@freeze_time("2012-01-01")
def test_everyone_by_hand(year):
    r = reports.training_report(reports.Filters(*PERIOD))
    t = r["training"]
    assert (t["sessions"], t["attendances"], t["named_attendances"], t["external_attendances"]) == (
        3,
        16,
        6,
        10,
    )
    assert t["hours"] == 61.0 and t["people_trained"] == 4
    e = r["exams"]
    assert (e["exams"], e["required"], e["sat"], e["passed"]) == (1, 3, 2, 1)
    assert e["participation"] == pytest.approx(2 / 3) and e["pass_rate"] == 0.5
    organisers = {o["organiser"]: (o["sessions"], o["attendances"], o["hours"]) for o in r["by_organiser"]}
    assert organisers == {
        "provincial_bureau": (1, 13, 52.0),
        "prefecture_bureau": (1, 1, 6.0),
        "lab": (1, 2, 3.0),
    }
    months = {m["month"]: (m["sessions"], m["attendances"]) for m in r["by_month"]}
    assert months["2010-03"] == (1, 13) and months["2010-05"] == (1, 2) and months["2010-12"] == (0, 0)
    assert len(r["by_month"]) == 12


@freeze_time("2012-01-01")
def test_by_region_lab_and_post_by_hand(year):
    r = reports.training_report(reports.Filters(*PERIOD))
    regions = {
        x["region"]: (x["sessions"], x["attendances"], x["hours"], x["people_trained"], x["headcount"])
        for x in r["by_region"]
    }
    # Chengdu (lab A, 3 people): S1 x2 + S2 x2 = 4 attendances, 4+4+1+2 = 11 h. Mianyang (lab B): S1, S3: 10 h.
    assert regions == {"Chengdu": (2, 4, 11.0, 3, 3), "Mianyang": (2, 2, 10.0, 1, 1)}
    labs = {x["code"]: x for x in r["by_lab"]}
    assert (
        labs["LAB-A"]["hours_per_person"] == pytest.approx(11 / 3)
        and labs["LAB-B"]["hours_per_person"] == 10.0
    )
    posts = {x["post"]: (x["sessions"], x["attendances"], x["hours"], x["headcount"]) for x in r["by_post"]}
    # analysts: 王芳, 李强 (also signatory), 陈刚; heads: 赵敏
    assert posts["analyst"] == (3, 5, 19.0, 3)
    assert posts["authorised_signatory"] == (1, 1, 4.0, 1)
    assert posts["head"] == (1, 1, 2.0, 1)


@freeze_time("2012-01-01")
def test_a_region_or_a_lab_counts_its_own_people_only(year):
    chengdu = reports.training_report(reports.Filters(*PERIOD, region="Chengdu"))
    assert (
        chengdu["training"]["sessions"],
        chengdu["training"]["attendances"],
        chengdu["training"]["hours"],
    ) == (2, 4, 11.0)
    assert chengdu["exams"]["required"] == 2 and chengdu["exams"]["sat"] == 1
    lab_b = reports.training_report(reports.Filters(*PERIOD, scope=year.lab_b.id))
    assert (lab_b["training"]["sessions"], lab_b["training"]["attendances"]) == (2, 2)
    analysts = reports.training_report(reports.Filters(*PERIOD, post="head"))
    assert analysts["training"]["attendances"] == 1 and analysts["exams"]["required"] == 0


SQL_TOTALS = """
SELECT (SELECT count(*) FROM training_sessions WHERE starts_on BETWEEN :a AND :b),
       (SELECT count(*) FROM training_attendances t JOIN training_sessions s ON s.id = t.session_id
         WHERE s.starts_on BETWEEN :a AND :b)
       + (SELECT coalesce(sum(external_attendees), 0) FROM training_sessions WHERE starts_on BETWEEN :a AND :b),
       (SELECT coalesce(sum(coalesce(t.hours, s.hours)), 0) FROM training_attendances t
         JOIN training_sessions s ON s.id = t.session_id WHERE s.starts_on BETWEEN :a AND :b)
       + (SELECT coalesce(sum(external_attendees * hours), 0) FROM training_sessions WHERE starts_on BETWEEN :a AND :b),
       (SELECT count(*) FROM exam_results r JOIN exams e ON e.id = r.exam_id WHERE e.held_on BETWEEN :a AND :b),
       (SELECT count(*) FROM exam_results r JOIN exams e ON e.id = r.exam_id
         WHERE e.held_on BETWEEN :a AND :b AND r.status = 'sat')
"""


@freeze_time("2012-01-01")
def test_the_report_agrees_with_plain_sql(year):
    a, b = PERIOD
    sessions, attendances, hours, required, sat = db.session.execute(text(SQL_TOTALS), {"a": a, "b": b}).one()
    r = reports.training_report(reports.Filters(a, b))
    assert (r["training"]["sessions"], r["training"]["attendances"], r["training"]["hours"]) == (
        sessions,
        attendances,
        hours,
    )
    assert (r["exams"]["required"], r["exams"]["sat"]) == (required, sat)


@freeze_time("2012-01-01")
def test_the_campaign_block(year):
    block = campaign.block(*PERIOD, None, None)
    assert {"sessions", "attendances", "hours", "exams", "exam_participation", "exam_pass_rate"} <= set(block)
    assert (block["sessions"], block["attendances"], block["hours"], block["exams"]) == (3, 16, 61.0, 1)
    assert block["exam_participation"] == pytest.approx(2 / 3) and block["exam_pass_rate"] == 0.5
    assert [lab["code"] for lab in block["labs_below_threshold"]] == ["LAB-A"]
    parts = campaign.headline_parts(block)
    assert parts[0] == "3 training sessions with 16 attendances"
    assert parts[1] == "1 exam sat by 66.7% of the staff required"
    rows = campaign.export_rows(block)
    assert ["training", "total", "attendances", 16] in rows and [
        "training",
        "LAB-A",
        "exam_participation",
        0.5,
    ] in rows
    assert campaign.BlockSchema().dump(block)["exam_participation"] == pytest.approx(2 / 3)


@freeze_time("2012-01-01")
def test_the_campaign_summary_page_export_and_api(year, client):
    login(client, year.quality)
    page = client.get("/reports/campaign?from=2010-01-01&to=2010-12-31").get_data(as_text=True)
    assert 'id="training"' in page and 'id="training-attendances">16<' in page
    assert "3 training sessions with 16 attendances" in page
    export = client.get("/reports/campaign?from=2010-01-01&to=2010-12-31&format=csv").get_data(as_text=True)
    assert "training,total,sessions,3" in export
    api = client.get("/api/v1/reports/campaign?from=2010-01-01&to=2010-12-31").get_json()
    assert api["training"]["sessions"] == 3 and api["training"]["exam_pass_rate"] == 0.5


@freeze_time("2012-01-01")
def test_the_report_page_charts_and_exports(year, client):
    login(client, year.inspector)
    page = client.get("/personnel/reports?from=2010-01-01&to=2010-12-31").get_data(as_text=True)
    assert 'id="total-attendances">16<' in page and "<svg" in page and 'id="labs-below"' in page
    csv = client.get("/personnel/reports?from=2010-01-01&to=2010-12-31&format=csv").get_data(as_text=True)
    assert "training,total,attendances,16" in csv and "exams_by_lab,LAB-A,below_threshold,True" in csv
    xlsx = client.get("/personnel/reports?from=2010-01-01&to=2010-12-31&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    bad = client.get("/personnel/reports?from=2010-12-31&to=2010-01-01")
    assert bad.status_code == 422 and "cannot be before" in bad.get_data(as_text=True)
    assert client.get("/personnel/reports?region=Atlantis").status_code == 422


@freeze_time("2012-01-01")
def test_a_lab_managers_report_is_their_own_labs(year, client):
    login(client, year.manager_b)
    page = client.get("/personnel/reports?from=2010-01-01&to=2010-12-31").get_data(as_text=True)
    assert 'id="total-attendances">2<' in page and "LAB-A" not in page
    api = client.get("/api/v1/reports/training?from=2010-01-01&to=2010-12-31").get_json()
    assert (api["sessions"], api["attendances"], api["exams"]) == (2, 2, 1)
    assert [row["code"] for row in api["by_lab"]] == ["LAB-B"]
