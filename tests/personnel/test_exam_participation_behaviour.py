"""Exam participation and pass rates worked by hand, on their edges: the 95% flag (19 of 20 is not
below it, 18 of 20 is), a score equal to the pass mark passes, a contest's parts counted together
per lab, region and post; and results through the API: all or none with each bad one named by its
index, 409 before the exam's day or on a contest itself, 403 for roles that do not record results,
a lab manager's own people only."""

from datetime import date

import pytest
from freezegun import freeze_time

from labtrack.extensions import db
from labtrack.personnel import reports
from labtrack.personnel.models import ExamResult
from tests import factories as f
from tests.personnel import factories as pf

YEAR = (date(2010, 1, 1), date(2010, 12, 31))


def headers(user) -> dict:
    return f.bearer(user)[1]


@freeze_time("2011-01-01")
def test_19_of_20_is_not_below_95_percent_and_18_of_20_is(world):
    """Lab C: 20 required, 19 sat: 0.95, not flagged. Lab D: 20 required, 18 sat, 2 absent: 0.90,
    flagged. Lowest participation first."""
    exam = pf.ExamFactory(held_on=date(2010, 5, 20))
    for code, sat in (("LAB-C", 19), ("LAB-D", 18)):
        lab = f.LabFactory(code=code, region="Leshan")
        for n in range(20):
            person = pf.PersonFactory(lab=lab, staff_no=f"{code}-{n:02d}")
            if n < sat:
                pf.ExamResultFactory(exam=exam, person=person, sat=True, score=70)
            else:
                pf.ExamResultFactory(exam=exam, person=person, absent=True)
    rows = [
        (r["code"], r["required"], r["sat"], r["below_threshold"])
        for r in reports.exams_by_lab(reports.Filters(*YEAR))
    ]
    assert rows == [("LAB-D", 20, 18, True), ("LAB-C", 20, 19, False)]
    report = reports.training_report(reports.Filters(*YEAR), by_lab=False)
    assert [r["code"] for r in report["labs_below"]] == ["LAB-D"]
    assert report["exams"]["participation"] == pytest.approx(37 / 40)
    region = {r["region"]: r for r in reports.exams_by_region(reports.Filters(*YEAR))}["Leshan"]
    assert (region["required"], region["sat"], region["passed"]) == (40, 37, 37)


@freeze_time("2011-01-01")
def test_a_score_equal_to_the_pass_mark_passes(world):
    """Pass mark 75: 75 passes, 74.5 does not, 100 does: 2 passed of 3 sat."""
    exam = pf.ExamFactory(held_on=date(2010, 5, 20), pass_mark=75)
    pf.ExamResultFactory(exam=exam, person=world.ana, sat=True, score=75)
    pf.ExamResultFactory(exam=exam, person=world.sig, sat=True, score=74.5)
    pf.ExamResultFactory(exam=exam, person=world.bob, sat=True, score=100)
    [row] = reports.exams_by_exam(reports.Filters(*YEAR))
    assert (row["sat"], row["passed"], row["pass_rate"]) == (3, 2, pytest.approx(2 / 3))
    assert row["mean_score"] == pytest.approx((75 + 74.5 + 100) / 3)


@freeze_time("2011-01-01")
def test_pending_results_count_as_required_but_not_sat(world):
    exam = pf.ExamFactory(held_on=date(2010, 5, 20))
    pf.ExamResultFactory(exam=exam, person=world.ana, sat=True, score=90)
    pf.ExamResultFactory(exam=exam, person=world.sig)
    pf.ExamResultFactory(exam=exam, person=world.head)
    t = reports.exam_totals(reports.Filters(*YEAR))
    assert (t["required"], t["sat"], t["pending"], t["absent"]) == (3, 1, 2, 0)
    assert t["participation"] == pytest.approx(1 / 3) and t["pass_rate"] == 1.0


@pytest.fixture
def contest(world):
    """A contest on 2010-10-15 with two parts (written, bench, pass mark 60). 王芳: written 80,
    bench 55. 李强: written 65, bench absent. 陈刚 (lab B): written 40, bench 70."""
    contest = pf.ExamFactory(title="技能比武", kind="skills_contest", held_on=date(2010, 10, 15))
    written = pf.ExamFactory(title="笔试", kind="quiz", held_on=date(2010, 10, 15), contest=contest)
    bench = pf.ExamFactory(title="实操", kind="practical", held_on=date(2010, 10, 15), contest=contest)
    pf.ExamResultFactory(exam=written, person=world.ana, sat=True, score=80)
    pf.ExamResultFactory(exam=bench, person=world.ana, sat=True, score=55)
    pf.ExamResultFactory(exam=written, person=world.sig, sat=True, score=65)
    pf.ExamResultFactory(exam=bench, person=world.sig, absent=True)
    pf.ExamResultFactory(exam=written, person=world.bob, sat=True, score=40)
    pf.ExamResultFactory(exam=bench, person=world.bob, sat=True, score=70)
    return [written.id, bench.id]


@freeze_time("2011-01-01")
def test_a_contests_parts_together_by_lab_region_and_post(contest, world):
    """Lab A: 4 sittings, 3 sat, passed 80 and 65: 2. Lab B: 2 sittings, both sat, passed 70: 1.
    Analysts: 王芳 2, 李强 2, 陈刚 2 = 6 sittings, 5 sat, 3 passed; signatory 李强: 2, 1, 1."""
    f_all = reports.Filters(*YEAR)
    labs = {
        r["code"]: (r["required"], r["sat"], r["passed"], r["below_threshold"])
        for r in reports.exam_groups_for(contest, f_all, "lab")
    }
    assert labs == {"LAB-A": (4, 3, 2, True), "LAB-B": (2, 2, 1, False)}
    regions = {
        r["region"]: (r["required"], r["sat"], r["passed"])
        for r in reports.exam_groups_for(contest, f_all, "region")
    }
    assert regions == {"Chengdu": (4, 3, 2), "Mianyang": (2, 2, 1)}
    posts = {
        r["post"]: (r["required"], r["sat"], r["passed"])
        for r in reports.exam_groups_for(contest, f_all, "post")
    }
    assert posts == {"authorised_signatory": (2, 1, 1), "analyst": (6, 5, 3)}
    together = reports.exam_figures_for(contest, f_all)
    assert (together["required"], together["sat"], together["passed"]) == (6, 5, 3)
    assert together["participation"] == pytest.approx(5 / 6) and together["pass_rate"] == pytest.approx(3 / 5)
    own = reports.exam_figures_for(contest, reports.Filters(*YEAR, scope=world.lab_b.id))
    assert (own["required"], own["sat"], own["passed"]) == (2, 2, 1)


@freeze_time("2011-01-01")
def test_contests_stay_out_of_the_exam_totals(contest, world):
    t = reports.exam_totals(reports.Filters(*YEAR))
    assert (t["exams"], t["required"]) == (0, 0) and t["participation"] is None


# --- results through the API ---------------------------------------------------------------------


@pytest.fixture
def theory(world):
    """A theory exam of the analysts of every lab on 2010-05-22: 王芳, 李强 (lab A), 陈刚 (lab B)."""
    exam = pf.ExamFactory(held_on=date(2010, 5, 22))
    for person in (world.ana, world.sig, world.bob):
        pf.ExamResultFactory(exam=exam, person=person)
    return exam


def results_url(exam) -> str:
    return f"/api/v1/exams/{exam.id}/results"


def statuses() -> list[tuple[str, float | None]]:
    db.session.expire_all()
    return sorted((r.status, r.score) for r in db.session.query(ExamResult))


@freeze_time("2010-06-01")
def test_results_are_recorded_and_the_figures_follow(theory, world, client):
    body = {
        "results": [
            {"lab_code": "LAB-A", "staff_no": "A001", "status": "sat", "score": 88},
            {"person_id": world.sig.id, "status": "absent"},
            {"lab_code": "LAB-B", "staff_no": "B001", "status": "sat", "score": "59.5"},
        ]
    }
    response = client.post(results_url(theory), json=body, headers=headers(world.quality))
    assert response.status_code == 200 and response.get_json() == {"recorded": 3}
    figures = client.get(f"/api/v1/exams/{theory.id}", headers=headers(world.viewer)).get_json()["figures"]
    assert (figures["required"], figures["sat"], figures["absent"], figures["passed"]) == (3, 2, 1, 1)
    assert figures["participation"] == pytest.approx(2 / 3) and figures["pass_rate"] == 0.5
    mine = client.get(f"/api/v1/exams/{theory.id}", headers=headers(world.manager_b)).get_json()["figures"]
    assert (mine["required"], mine["sat"], mine["passed"]) == (1, 1, 0)


@freeze_time("2010-06-01")
def test_one_bad_result_records_none_and_each_is_named_by_index(theory, world, client):
    body = {
        "results": [
            {"lab_code": "LAB-A", "staff_no": "A001", "status": "sat", "score": 88},  # fine
            {"lab_code": "LAB-A", "staff_no": "A002", "status": "sat"},  # 1: no score
            {
                "lab_code": "LAB-B",
                "staff_no": "B001",
                "status": "absent",
                "score": 20,
            },  # 2: absent with a score
            {"lab_code": "LAB-A", "staff_no": "A003", "status": "sat", "score": 70},  # 3: 赵敏 not required
            {"lab_code": "LAB-A", "staff_no": "A001", "status": "sat", "score": 90},  # 4: twice
            {"lab_code": "LAB-Z", "staff_no": "Z1", "status": "sat", "score": 90},  # 5: no such lab
        ]
    }
    response = client.post(results_url(theory), json=body, headers=headers(world.quality))
    assert response.status_code == 422
    named = {(e["index"], e["field"]) for e in response.get_json()["errors"]["results"]}
    assert named == {(1, "score"), (2, "score"), (3, "staff_no"), (4, "staff_no"), (5, "lab_code")}
    assert statuses() == [("pending", None)] * 3


@freeze_time("2010-05-21")
def test_no_results_before_the_exams_day(theory, world, client):
    body = {"results": [{"lab_code": "LAB-A", "staff_no": "A001", "status": "sat", "score": 88}]}
    response = client.post(results_url(theory), json=body, headers=headers(world.quality))
    assert response.status_code == 409 and "2010-05-22" in response.get_json()["message"]
    assert statuses() == [("pending", None)] * 3


@freeze_time("2010-06-01")
@pytest.mark.parametrize("role", ["manager_a", "inspector", "viewer"])
def test_only_the_province_records_results(theory, world, client, role):
    body = {"results": [{"lab_code": "LAB-A", "staff_no": "A001", "status": "sat", "score": 88}]}
    assert client.post(results_url(theory), json=body, headers=headers(world.user(role))).status_code == 403
    assert statuses() == [("pending", None)] * 3


@freeze_time("2011-01-01")
def test_a_contest_takes_its_results_part_by_part(world, client):
    parent = pf.ExamFactory(title="另一比武", kind="skills_contest", held_on=date(2010, 10, 20))
    body = {"results": [{"lab_code": "LAB-A", "staff_no": "A001", "status": "sat", "score": 88}]}
    response = client.post(results_url(parent), json=body, headers=headers(world.quality))
    assert response.status_code == 409 and "each of its parts" in response.get_json()["message"]


@freeze_time("2010-06-01")
def test_a_lab_manager_lists_their_own_candidates_only(theory, world, client):
    mine = client.get(f"/api/v1/exams/{theory.id}/candidates", headers=headers(world.manager_a)).get_json()
    assert mine["meta"]["total"] == 2
    assert sorted(c["person_id"] for c in mine["items"]) == sorted([world.ana.id, world.sig.id])
    everyone = client.get(
        f"/api/v1/exams/{theory.id}/candidates", headers=headers(world.inspector)
    ).get_json()
    assert everyone["meta"]["total"] == 3


@freeze_time("2010-06-01")
def test_a_person_of_another_lab_is_no_such_person_to_a_lab_manager(theory, world):
    from labtrack.personnel import importers

    _clean, errors = importers.check_results(
        world.manager_a, theory, [(0, {"person_id": world.bob.id, "status": "absent"})]
    )
    assert [(e.row, e.column, e.message) for e in errors] == [(0, "person_id", "No such person.")]
