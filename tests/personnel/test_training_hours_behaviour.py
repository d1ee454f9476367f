"""Training hours per person per year, worked by hand: the headcount is the people working on the
period's last day (or today, while it runs), someone who left still brings the hours they trained,
someone who joined later is not counted; a region, a lab or a post counts only its own people's
named attendances (never the external attendees); the report's API and its filters' refusals."""

from datetime import date

import pytest
from freezegun import freeze_time

from labtrack.personnel import reports
from tests import factories as f
from tests.personnel import factories as pf

YEAR = (date(2010, 1, 1), date(2010, 12, 31))


@pytest.fixture
def year(world):
    """2010. Lab A (Chengdu): 王芳, 李强 (signatory and analyst), 赵敏 (head), and 孙丽 (analyst)
    who left on 2010-06-30. Lab B (Mianyang): 陈刚, and 周新 (analyst) who joins on 2011-02-01.
    S1 provincial 8 h, 2010-02-10, 5 external attendees: 王芳, 孙丽, 陈刚.
    S2 lab A's own 3 h, 2010-07-01: 王芳 (1.5 h of it), 李强, 赵敏.
    S3 CNAS 16 h, 2010-11-20: 李强, 陈刚.
    S4 provincial 6 h, 2011-03-01: 周新 (outside 2010)."""
    world.leaver = pf.PersonFactory(
        lab=world.lab_a, staff_no="A009", name="孙丽", employed_to=date(2010, 6, 30), posts=["analyst"]
    )
    world.newbie = pf.PersonFactory(
        lab=world.lab_b, staff_no="B009", name="周新", employed_from=date(2011, 2, 1), posts=["analyst"]
    )
    s1 = pf.TrainingSessionFactory(starts_on=date(2010, 2, 10), hours=8, external_attendees=5)
    s2 = pf.TrainingSessionFactory(
        starts_on=date(2010, 7, 1), hours=3, organiser="lab", organiser_lab=world.lab_a
    )
    s3 = pf.TrainingSessionFactory(starts_on=date(2010, 11, 20), hours=16, organiser="cnas")
    s4 = pf.TrainingSessionFactory(starts_on=date(2011, 3, 1), hours=6)
    for person in (world.ana, world.leaver, world.bob):
        pf.AttendanceFactory(session=s1, person=person)
    pf.AttendanceFactory(session=s2, person=world.ana, hours=1.5)
    pf.AttendanceFactory(session=s2, person=world.sig)
    pf.AttendanceFactory(session=s2, person=world.head)
    pf.AttendanceFactory(session=s3, person=world.sig)
    pf.AttendanceFactory(session=s3, person=world.bob)
    pf.AttendanceFactory(session=s4, person=world.newbie)
    return world


def figures(row: dict) -> tuple:
    return row["sessions"], row["attendances"], row["hours"], row["headcount"]


@freeze_time("2012-01-01")
def test_everyone_counts_the_external_attendees_and_their_hours(year):
    """Named: 3 + 3 + 2 = 8 attendances; 8*3 + (1.5+3+3) + 16*2 = 63.5 h. External: 5 of 8 h = 40 h.
    Together 13 attendances and 103.5 h; 5 people trained (王芳, 孙丽, 陈刚, 李强, 赵敏)."""
    t = reports.training_totals(reports.Filters(*YEAR))
    assert (t["sessions"], t["named_attendances"], t["external_attendances"], t["attendances"]) == (
        3,
        8,
        5,
        13,
    )
    assert t["hours"] == 103.5 and t["people_trained"] == 5
    assert t["session_hours"] == 8 + 3 + 16


@freeze_time("2012-01-01")
def test_hours_per_person_per_lab_on_the_years_last_day(year):
    """Lab A's hours: 孙丽 8 + 王芳 8 + S2 7.5 + 李强 16 = 39.5; headcount on 2010-12-31: 王芳,
    李强, 赵敏 = 3 (孙丽 had left): 39.5 / 3. Lab B: 陈刚 8 + 16 = 24 h, headcount 1 (周新 not
    yet): 24 h per person."""
    by_lab = {r["code"]: r for r in reports.training_by_lab(reports.Filters(*YEAR))}
    a, b = by_lab["LAB-A"], by_lab["LAB-B"]
    assert figures(a) == (3, 6, 39.5, 3) and a["people_trained"] == 4
    assert a["hours_per_person"] == pytest.approx(39.5 / 3)
    assert figures(b) == (2, 2, 24.0, 1) and b["hours_per_person"] == 24.0


@freeze_time("2012-01-01")
def test_hours_per_person_per_region(year):
    regions = {r["region"]: r for r in reports.training_by_region(reports.Filters(*YEAR))}
    assert figures(regions["Chengdu"]) == (3, 6, 39.5, 3)
    assert figures(regions["Mianyang"]) == (2, 2, 24.0, 1)
    assert regions["Chengdu"]["hours_per_person"] == pytest.approx(39.5 / 3)


@freeze_time("2012-01-01")
def test_hours_per_person_per_post(year):
    """Analysts working on 2010-12-31: 王芳, 李强, 陈刚 (3). Their attendances: 王芳 S1 S2, 孙丽
    S1, 李强 S2 S3, 陈刚 S1 S3 = 7; hours 9.5 + 8 + 19 + 24 = 60.5. Signatories: 李强 (2, 19 h).
    Heads: 赵敏 (1, 3 h)."""
    posts = {r["post"]: r for r in reports.training_by_post(reports.Filters(*YEAR))}
    assert figures(posts["analyst"]) == (3, 7, 60.5, 3)
    assert posts["analyst"]["hours_per_person"] == pytest.approx(60.5 / 3)
    assert figures(posts["authorised_signatory"]) == (2, 2, 19.0, 1)
    assert figures(posts["head"]) == (1, 1, 3.0, 1)
    assert list(posts) == ["head", "authorised_signatory", "analyst"]  # the posts' own order


@freeze_time("2012-01-01")
def test_a_post_counts_its_holders_only_and_no_external_attendees(year):
    t = reports.training_totals(reports.Filters(*YEAR, post="authorised_signatory"))
    assert (t["sessions"], t["attendances"], t["hours"], t["external_attendances"]) == (2, 2, 19.0, 0)
    assert t["session_hours"] is None


@freeze_time("2012-01-01")
def test_a_region_by_organiser_and_by_month_counts_its_own_people(year):
    f = reports.Filters(*YEAR, region="Mianyang")
    organisers = {
        r["organiser"]: (r["sessions"], r["attendances"], r["hours"])
        for r in reports.training_by_organiser(f)
    }
    assert organisers == {"provincial_bureau": (1, 1, 8.0), "cnas": (1, 1, 16.0)}
    months = {m["month"]: (m["sessions"], m["attendances"]) for m in reports.training_by_month(f)}
    assert months["2010-02"] == (1, 1) and months["2010-11"] == (1, 1) and months["2010-07"] == (0, 0)


@freeze_time("2012-01-01")
def test_everyone_by_organiser_adds_the_external_attendees(year):
    organisers = {
        r["organiser"]: (r["sessions"], r["attendances"], r["hours"])
        for r in reports.training_by_organiser(reports.Filters(*YEAR))
    }
    # S1: 3 named + 5 external = 8 attendances, 8 * 8 = 64 h.
    assert organisers == {"provincial_bureau": (1, 8, 64.0), "lab": (1, 3, 7.5), "cnas": (1, 2, 32.0)}


@freeze_time("2011-02-15")
def test_while_the_year_runs_the_headcount_is_todays(year):
    """2011 up to 2011-02-15: 周新 joined on 2011-02-01 and counts. S4 (2011-03-01, 6 h) counts
    in 2011 by its first day, as the report's definitions say: 6 h over 2 people."""
    f = reports.Filters(date(2011, 1, 1), date(2011, 12, 31))
    assert f.on == date(2011, 2, 15)
    by_lab = {r["code"]: r for r in reports.training_by_lab(f)}
    assert by_lab["LAB-B"]["headcount"] == 2 and by_lab["LAB-B"]["hours"] == 6.0
    assert by_lab["LAB-B"]["hours_per_person"] == 3.0


@freeze_time("2012-01-01")
def test_a_lab_nobody_works_at_has_no_hours_per_person(year, world):
    """A lab whose only person left during the year still shows the hours, over nobody: None."""
    lab = f.LabFactory(code="LAB-C", region="Chengdu")
    gone = pf.PersonFactory(lab=lab, staff_no="C001", employed_to=date(2010, 5, 31))
    pf.AttendanceFactory(session=pf.TrainingSessionFactory(starts_on=date(2010, 4, 1), hours=5), person=gone)
    row = {r["code"]: r for r in reports.training_by_lab(reports.Filters(*YEAR))}["LAB-C"]
    assert (row["hours"], row["headcount"], row["hours_per_person"]) == (5.0, 0, None)


# --- the report's API ----------------------------------------------------------------------------


def api(client, user, query: str):
    return client.get(f"/api/v1/reports/training?{query}", headers=f.bearer(user)[1])


@freeze_time("2012-01-01")
def test_the_api_by_region_and_by_lab(year, client):
    body = api(client, year.inspector, "from=2010-01-01&to=2010-12-31&region=Chengdu").get_json()
    assert (body["sessions"], body["attendances"], body["hours"], body["external_attendances"]) == (
        3,
        6,
        39.5,
        0,
    )
    assert body["region"] == "Chengdu"
    lab_b = api(client, year.inspector, "from=2010-01-01&to=2010-12-31&lab=LAB-B").get_json()
    assert (lab_b["sessions"], lab_b["attendances"], lab_b["hours"]) == (2, 2, 24.0)
    assert [(r["code"], r["hours_per_person"]) for r in lab_b["by_lab"]] == [("LAB-B", 24.0)]


@freeze_time("2012-01-01")
def test_a_lab_manager_gets_their_own_labs_figures_whatever_region_they_ask(year, client):
    body = api(client, year.manager_a, "from=2010-01-01&to=2010-12-31&region=Mianyang").get_json()
    assert (body["sessions"], body["attendances"], body["hours"]) == (3, 6, 39.5)
    assert [r["code"] for r in body["by_lab"]] == ["LAB-A"]
    assert api(client, year.manager_a, "from=2010-01-01&to=2010-12-31&lab=LAB-B").status_code == 422


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2010-12-31&to=2010-01-01", "to"),
        ("from=2010-13-01", "from"),
        ("region=Atlantis", "region"),
        ("lab=NOPE", "lab"),
        ("post=astronaut", "post"),
    ],
)
def test_the_api_names_the_bad_filter(year, client, query, field):
    response = api(client, year.viewer, query)
    assert response.status_code == 422 and field in response.get_json()["errors"]


@freeze_time("2012-01-01")
def test_one_date_gives_its_calendar_year(year, client):
    body = api(client, year.viewer, "from=2010-03-01").get_json()
    assert (body["from"], body["to"]) == ("2010-03-01", "2010-12-31")
    assert body["sessions"] == 2  # S2 and S3: S1 was in February
    body = api(client, year.viewer, "to=2010-06-30").get_json()
    assert (body["from"], body["sessions"]) == ("2010-01-01", 1)
