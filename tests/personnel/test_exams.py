"""Exams and contests: who must sit (labs and posts), results only for them, scores 0-100, absent
vs sat, the pass mark, rates by exam, lab, region and post against counts worked by hand."""

from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from labtrack.extensions import db
from labtrack.personnel import exams, people, reports
from labtrack.personnel.models import ExamResult, Person
from labtrack.services import Conflict, Forbidden, InvalidInput
from tests.personnel import factories as pf
from tests.personnel.conftest import login

THEORY = {
    "title": "理论考核",
    "kind": "theory",
    "held_on": "2010-05-22",
    "posts": ["analyst", "authorised_signatory"],
}


def on_list(exam) -> set[str]:
    stmt = (
        select(Person.staff_no)
        .join(ExamResult, ExamResult.person_id == Person.id)
        .where(ExamResult.exam_id == exam.id)
    )
    return set(db.session.scalars(stmt))


def test_who_must_sit_is_worked_out_from_labs_and_posts(world):
    pf.PersonFactory(
        lab=world.lab_a, staff_no="A010", posts=["analyst"], employed_from=date(2010, 6, 1)
    )  # joins later
    exam = exams.create_exam(world.quality, THEORY)
    assert on_list(exam) == {"A001", "A002", "B001"}  # not the head, not the newcomer
    only_a = exams.create_exam(world.quality, {**THEORY, "all_labs": False, "labs": "LAB-A"})
    assert on_list(only_a) == {"A001", "A002"}
    with pytest.raises(InvalidInput) as exc:
        exams.create_exam(world.quality, {**THEORY, "all_labs": False, "labs": ""})
    assert "labs" in exc.value.errors


def test_only_the_province_sets_up_exams(world):
    for role in ("manager_a", "inspector", "viewer"):
        with pytest.raises(Forbidden):
            exams.create_exam(world.user(role), THEORY)


@freeze_time("2010-05-01")
def test_the_list_of_an_exam_to_come_follows_people(world):
    exam = exams.create_exam(world.quality, THEORY)
    person = people.create_person(
        world.manager_a,
        world.lab_a,
        {"staff_no": "A011", "name": "新人", "posts": ["analyst"], "employed_from": "2010-04-01"},
    )
    assert "A011" in on_list(exam)
    people.record_leaving(world.manager_a, person, {"left_on": "2010-05-10"})
    assert "A011" not in on_list(exam)
    data = {"staff_no": "A003", "name": "赵敏", "posts": ["head", "analyst"], "employed_from": "2005-03-01"}
    people.update_person(world.manager_a, world.head, data)
    assert "A003" in on_list(exam)


@freeze_time("2010-06-01")
def test_results_only_for_those_required_with_scores_from_0_to_100(world):
    exam = exams.create_exam(world.quality, THEORY)
    with pytest.raises(InvalidInput) as exc:
        exams.record_result(world.quality, exam, world.head, {"status": "sat", "score": "80"})
    assert "not required to sit" in exc.value.errors["staff_no"][0]
    for bad, field in [
        ({"status": "sat", "score": "101"}, "score"),
        ({"status": "sat", "score": "-1"}, "score"),
        ({"status": "sat", "score": "eighty"}, "score"),
        ({"status": "sat", "score": ""}, "score"),
        ({"status": "absent", "score": "50"}, "score"),
        ({"status": "maybe"}, "status"),
    ]:
        with pytest.raises(InvalidInput) as exc:
            exams.record_result(world.quality, exam, world.ana, bad)
        assert field in exc.value.errors, bad
    assert {r.status for r in db.session.scalars(select(ExamResult))} == {"pending"}
    exams.record_result(world.quality, exam, world.ana, {"status": "sat", "score": "59.5"})
    exams.record_result(world.quality, exam, world.sig, {"status": "缺考"})
    result = db.session.scalar(select(ExamResult).where(ExamResult.person_id == world.ana.id))
    assert (result.status, result.score, result.passed) == ("sat", 59.5, False)
    with pytest.raises(Forbidden):
        exams.record_result(world.manager_a, exam, world.ana, {"status": "sat", "score": "90"})


@freeze_time("2010-05-01")
def test_no_results_before_the_exams_day(world):
    exam = exams.create_exam(world.quality, THEORY)
    with pytest.raises(Conflict):
        exams.record_result(world.quality, exam, world.ana, {"status": "sat", "score": "80"})


@freeze_time("2011-01-10")
def test_rates_by_exam_lab_region_and_post_by_hand(world):
    """Lab A (Chengdu): 王芳 analyst 80, 李强 signatory+analyst 55, 刘洋 analyst absent, 周一 sampler
    not required. Lab B (Mianyang): 陈刚 analyst 70. Pass mark 60.
    Required 4, sat 3, passed 2: participation 3/4, pass rate 2/3. Lab A 2/3 (below 95%), lab B 1/1.
    Analysts: 4 required, 3 sat, 2 passed; signatories: 1 required, 1 sat, 0 passed."""
    liu = pf.PersonFactory(lab=world.lab_a, staff_no="A004", name="刘洋", posts=["analyst"])
    pf.PersonFactory(lab=world.lab_a, staff_no="A005", name="周一", posts=["sampler"])
    exam = exams.create_exam(world.quality, {**THEORY, "held_on": "2010-11-20"})
    for person, data in [
        (world.ana, {"status": "sat", "score": 80}),
        (world.sig, {"status": "sat", "score": 55}),
        (liu, {"status": "absent"}),
        (world.bob, {"status": "sat", "score": 70}),
    ]:
        exams.record_result(world.quality, exam, person, data)
    f = reports.Filters(date(2010, 1, 1), date(2010, 12, 31))
    total = reports.exam_totals(f)
    assert (total["exams"], total["required"], total["sat"], total["absent"], total["passed"]) == (
        1,
        4,
        3,
        1,
        2,
    )
    assert total["participation"] == pytest.approx(3 / 4) and total["pass_rate"] == pytest.approx(2 / 3)
    assert total["mean_score"] == pytest.approx((80 + 55 + 70) / 3)
    by_lab = {r["code"]: r for r in reports.exams_by_lab(f)}
    assert by_lab["LAB-A"]["participation"] == pytest.approx(2 / 3) and by_lab["LAB-A"]["below_threshold"]
    assert by_lab["LAB-B"]["participation"] == 1.0 and not by_lab["LAB-B"]["below_threshold"]
    assert [r["code"] for r in reports.exams_by_lab(f)] == ["LAB-A", "LAB-B"]  # lowest first
    by_region = {r["region"]: (r["required"], r["sat"], r["passed"]) for r in reports.exams_by_region(f)}
    assert by_region == {"Chengdu": (3, 2, 1), "Mianyang": (1, 1, 1)}
    by_post = {r["post"]: (r["required"], r["sat"], r["passed"]) for r in reports.exams_by_post(f)}
    assert by_post == {"authorised_signatory": (1, 1, 0), "analyst": (4, 3, 2)}
    exam.pass_mark = 50  # the pass mark applies to every result as it stands
    db.session.commit()
    assert reports.exam_totals(f)["passed"] == 3
    assert (
        reports.exam_totals(reports.Filters(date(2010, 1, 1), date(2010, 12, 31), scope=world.lab_b.id))[
            "required"
        ]
        == 1
    )


@freeze_time("2010-10-01")
def test_a_contest_has_three_parts_entrants_by_name_and_a_ranking(world):
    contest = exams.create_exam(
        world.quality, {"title": "技能比武", "kind": "skills_contest", "held_on": "2010-09-15"}
    )
    assert [p.kind for p in contest.parts] == ["theory", "practical", "quiz"]
    exams.enter_by_name(world.quality, contest, world.ana)
    exams.enter_by_name(world.quality, contest, world.bob)
    assert all(on_list(part) == {"A001", "B001"} for part in contest.parts)
    written, bench, quiz = contest.parts
    exams.record_result(world.quality, written, world.ana, {"status": "sat", "score": 90})
    exams.record_result(world.quality, bench, world.ana, {"status": "sat", "score": 70})
    exams.record_result(world.quality, quiz, world.ana, {"status": "absent"})
    exams.record_result(world.quality, written, world.bob, {"status": "sat", "score": 80})
    exams.record_result(world.quality, bench, world.bob, {"status": "sat", "score": 85})
    ranking = exams.contest_ranking(world.quality, contest)
    assert [(r["person"].name, r["total"], r["rank"]) for r in ranking] == [
        ("陈刚", 165.0, 1),
        ("王芳", 160.0, 2),
    ]
    with pytest.raises(Conflict):
        exams.record_result(world.quality, contest, world.ana, {"status": "sat", "score": 50})
    assert [r["person"].name for r in exams.contest_ranking(world.manager_a, contest)] == ["王芳"]
    f = reports.Filters(date(2010, 1, 1), date(2010, 12, 31))
    assert reports.exam_totals(f)["exams"] == 0  # contests are not exams everyone must sit
    assert reports.contests(f)[0]["entrants"] == 2


@freeze_time("2010-06-01")
def test_the_exam_page_for_each_role(world, client):
    exam = exams.create_exam(world.quality, THEORY)
    exams.record_result(world.quality, exam, world.ana, {"status": "sat", "score": 80})
    login(client, world.manager_a)
    page = client.get(f"/personnel/exams/{exam.id}").get_data(as_text=True)
    assert "王芳" in page and "陈刚" not in page and 'id="record-results"' not in page
    assert client.post(f"/personnel/exams/{exam.id}/results", data={"lab": "LAB-A"}).status_code == 403
    client.post("/logout")
    login(client, world.quality)
    page = client.get(f"/personnel/exams/{exam.id}").get_data(as_text=True)
    assert "陈刚" in page and 'id="record-results"' in page
    bad = client.post(
        f"/personnel/exams/{exam.id}/results",
        data={"lab": "LAB-A", "staff_no": "A001", "status": "sat", "score": "120"},
    )
    assert bad.status_code == 422 and "from 0 to 100" in bad.get_data(as_text=True)
    good = client.post(
        f"/personnel/exams/{exam.id}/results",
        data={"lab": "LAB-B", "staff_no": "B001", "status": "sat", "score": "61"},
    )
    assert good.status_code == 303
    csv = client.get(f"/personnel/exams/{exam.id}/candidates?format=csv").get_data(as_text=True)
    assert csv.splitlines()[0].lstrip("\ufeff") == "lab_code,staff_no,name,status,score"
    assert "LAB-B,B001,陈刚,sat,61" in csv
