"""Exam figures worked by hand: exams count once held (up to today), skills contests are listed on
their own with their entrants, each exam's participation and pass rate, labs flagged below the
participation threshold (configurable), figures per post, and the exams still to come."""

from datetime import date

import pytest
from freezegun import freeze_time

from labtrack.personnel import reports
from tests.personnel import factories as pf

PERIOD = (date(2010, 1, 1), date(2010, 12, 31))


@pytest.fixture
def exams(world):
    """Theory exam 2010-05-22 (pass mark 60): 王芳 90, 李强 75, 赵敏 absent (lab A), 陈刚 50 (lab B).
    Practical exam 2010-11-10 (pass mark 80): 王芳 80, 陈刚 pending.
    A skills contest 2010-10-15 with two parts (written, bench): 王芳 sat both, 陈刚 sat the written.
    A theory exam on 2011-03-01 for 李强 (after the period)."""
    theory = pf.ExamFactory(title="理论考核 2010", held_on=date(2010, 5, 22))
    pf.ExamResultFactory(exam=theory, person=world.ana, sat=True, score=90)
    pf.ExamResultFactory(exam=theory, person=world.sig, sat=True, score=75)
    pf.ExamResultFactory(exam=theory, person=world.head, absent=True)
    pf.ExamResultFactory(exam=theory, person=world.bob, sat=True, score=50)
    practical = pf.ExamFactory(
        title="操作考核 2010", kind="practical", held_on=date(2010, 11, 10), pass_mark=80
    )
    pf.ExamResultFactory(exam=practical, person=world.ana, sat=True, score=80)
    pf.ExamResultFactory(exam=practical, person=world.bob)
    contest = pf.ExamFactory(title="技能比武 2010", kind="skills_contest", held_on=date(2010, 10, 15))
    written = pf.ExamFactory(title="笔试", kind="quiz", held_on=date(2010, 10, 15), contest=contest)
    bench = pf.ExamFactory(title="实操", kind="practical", held_on=date(2010, 10, 15), contest=contest)
    pf.ExamResultFactory(exam=written, person=world.ana, sat=True, score=95)
    pf.ExamResultFactory(exam=bench, person=world.ana, sat=True, score=88)
    pf.ExamResultFactory(exam=written, person=world.bob, sat=True, score=70)
    later = pf.ExamFactory(title="理论考核 2011", held_on=date(2011, 3, 1))
    pf.ExamResultFactory(exam=later, person=world.sig)
    return {"theory": theory, "practical": practical, "contest": contest, "later": later}


@freeze_time("2012-01-01")
def test_the_exam_totals_leave_contests_aside(exams):
    """Theory: 4 required, 3 sat, 2 passed (90, 75); practical: 2 required, 1 sat, 1 passed (80 at
    a pass mark of 80). Together: 6 required, 4 sat, 3 passed; 1 absent, 1 pending."""
    totals = reports.exam_totals(reports.Filters(*PERIOD))
    assert {k: totals[k] for k in ("exams", "required", "sat", "absent", "pending", "passed")} == {
        "exams": 2,
        "required": 6,
        "sat": 4,
        "absent": 1,
        "pending": 1,
        "passed": 3,
    }
    assert totals["participation"] == pytest.approx(4 / 6)
    assert totals["pass_rate"] == pytest.approx(3 / 4)
    assert totals["mean_score"] == pytest.approx((90 + 75 + 50 + 80) / 4)


@freeze_time("2010-06-30")
def test_an_exam_not_held_yet_does_not_count(exams):
    totals = reports.exam_totals(reports.Filters(*PERIOD))
    assert (totals["exams"], totals["required"]) == (1, 4)  # the practical exam is in November


@freeze_time("2012-01-01")
def test_each_exam_in_date_order(exams):
    listed = reports.exams_by_exam(reports.Filters(*PERIOD))
    assert [(e["title"], e["required"], e["sat"], e["passed"], e["pass_mark"]) for e in listed] == [
        ("理论考核 2010", 4, 3, 2, 60.0),
        ("操作考核 2010", 2, 1, 1, 80.0),
    ]


@freeze_time("2012-01-01")
def test_labs_below_the_threshold_are_flagged_lowest_first(exams, world, app):
    """Lab A: theory 王芳, 李强, 赵敏 and practical 王芳: 4 required, 3 sat (75 %). Lab B: 陈刚 in
    both: 2 required, 1 sat (50 %). Both are below 95 %; at 70 % only lab B is."""
    by_lab = reports.exams_by_lab(reports.Filters(*PERIOD))
    assert [(r["code"], r["required"], r["sat"], r["below_threshold"]) for r in by_lab] == [
        ("LAB-B", 2, 1, True),
        ("LAB-A", 4, 3, True),
    ]
    app.config["EXAM_PARTICIPATION_THRESHOLD"] = 0.7
    by_lab = reports.exams_by_lab(reports.Filters(*PERIOD))
    assert {r["code"]: r["below_threshold"] for r in by_lab} == {"LAB-B": True, "LAB-A": False}
    report = reports.training_report(reports.Filters(*PERIOD))
    assert report["threshold"] == 0.7 and [r["code"] for r in report["labs_below"]] == ["LAB-B"]


@freeze_time("2012-01-01")
def test_a_lab_managers_figures_are_their_own_labs(exams, world):
    mine = reports.exam_totals(reports.Filters(*PERIOD, scope=world.lab_b.id))
    assert (mine["required"], mine["sat"], mine["passed"]) == (2, 1, 0)
    assert mine["pass_rate"] == 0.0
    assert [r["code"] for r in reports.exams_by_lab(reports.Filters(*PERIOD, scope=world.lab_b.id))] == [
        "LAB-B"
    ]


@freeze_time("2012-01-01")
def test_figures_per_post_count_a_person_under_each_post(exams, world):
    """Analysts: 王芳 (2 sittings, both sat), 李强 (1, sat), 陈刚 (2, one sat): 5 required, 4 sat.
    李强 counts again as an authorised signatory (1, 1); 赵敏, the head, was absent (1, 0)."""
    by_post = {r["post"]: (r["required"], r["sat"]) for r in reports.exams_by_post(reports.Filters(*PERIOD))}
    assert by_post == {"analyst": (5, 4), "authorised_signatory": (1, 1), "head": (1, 0)}


@freeze_time("2012-01-01")
def test_contests_are_listed_with_entrants_labs_and_sittings(exams, world):
    [contest] = reports.contests(reports.Filters(*PERIOD))
    assert (
        contest["title"],
        contest["parts"],
        contest["entrants"],
        contest["labs"],
        contest["sittings"],
    ) == (
        "技能比武 2010",
        ["笔试", "实操"],
        2,
        2,
        3,
    )
    [own] = reports.contests(reports.Filters(*PERIOD, scope=world.lab_a.id))
    assert (own["entrants"], own["labs"], own["sittings"]) == (1, 1, 2)


@freeze_time("2010-12-31")
def test_exams_still_to_come_with_how_many_must_sit(exams, world):
    upcoming = reports.upcoming_exams()
    assert [(e["title"], e["required"]) for e in upcoming] == [("理论考核 2011", 1)]
    assert [e["title"] for e in reports.upcoming_exams(scope=world.lab_b.id)] == []


@freeze_time("2012-01-01")
def test_nobody_sat_gives_no_pass_rate(world):
    exam = pf.ExamFactory(held_on=date(2010, 5, 22))
    pf.ExamResultFactory(exam=exam, person=world.ana, absent=True)
    totals = reports.exam_totals(reports.Filters(*PERIOD))
    assert (totals["participation"], totals["pass_rate"], totals["mean_score"]) == (0.0, None, None)


def test_filters_say_when_only_some_people_count(app):
    assert reports.Filters(*PERIOD).narrowed is False
    assert reports.Filters(*PERIOD, region="Chengdu").narrowed is True
    assert reports.Filters(*PERIOD, post="analyst").narrowed is True
    assert reports.Filters(*PERIOD, scope=3).narrowed is True
