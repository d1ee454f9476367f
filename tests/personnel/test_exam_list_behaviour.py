"""Who must sit an exam, as the people who set exams up rely on it: changing an exam's posts or labs
works the list out again (results recorded stay), an exam may not become a contest, nor move to a
day to come once results are in; entering someone by name (a contest's entrant enters every part),
taking them off while no result is recorded; the exam pages that do it, with their refusals and
their messages in both languages."""

from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from labtrack.extensions import db
from labtrack.personnel import exams
from labtrack.personnel.models import Exam, ExamResult
from labtrack.services import Conflict, Forbidden, InvalidInput
from tests.personnel import factories as pf
from tests.personnel.conftest import login

pytestmark = pytest.mark.usefixtures("frozen")

ANALYSTS = {"title": "理论考核", "kind": "theory", "held_on": "2010-06-20", "posts": ["analyst"]}


@pytest.fixture
def frozen():
    with freeze_time("2010-06-01"):
        yield


def on_list(exam: Exam) -> dict[str, str]:
    """Staff number -> status of everyone on the exam's list."""
    db.session.expire_all()
    rows = db.session.scalars(select(ExamResult).where(ExamResult.exam_id == exam.id))
    return {r.person.staff_no: r.status for r in rows}


def test_changing_the_posts_works_the_list_out_again(world):
    exam = exams.create_exam(world.quality, ANALYSTS)
    assert on_list(exam) == {"A001": "pending", "A002": "pending", "B001": "pending"}
    exams.update_exam(world.quality, exam, {**ANALYSTS, "posts": ["head", "authorised_signatory"]})
    assert on_list(exam) == {"A002": "pending", "A003": "pending"}


def test_changing_the_labs_keeps_those_with_a_result(world):
    """The exam was held on 2010-05-20 and 陈刚 (lab B) sat it; narrowing it to lab A keeps his result."""
    exam = exams.create_exam(world.quality, {**ANALYSTS, "held_on": "2010-05-20"})
    exams.record_result(world.quality, exam, world.bob, {"status": "sat", "score": "72"})
    exams.update_exam(
        world.quality, exam, {**ANALYSTS, "held_on": "2010-05-20", "all_labs": False, "labs": "LAB-A"}
    )
    assert on_list(exam) == {"A001": "pending", "A002": "pending", "B001": "sat"}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"all_labs": False, "labs": ""}, "labs"),
        ({"all_labs": False, "labs": "LAB-A, NOPE"}, "labs"),
        ({"posts": ["astronaut"]}, "posts"),
        ({"pass_mark": "101"}, "pass_mark"),
        ({"kind": "oral"}, "kind"),
        ({"held_on": "2010-02-30"}, "held_on"),
        ({"title": ""}, "title"),
    ],
)
def test_a_bad_exam_names_the_field_and_sets_nothing_up(world, change, field):
    with pytest.raises(InvalidInput) as refused:
        exams.create_exam(world.quality, {**ANALYSTS, **change})
    assert field in refused.value.errors
    assert db.session.scalar(select(Exam.id)) is None


def test_a_lab_manager_sets_up_no_exam(world):
    with pytest.raises(Forbidden):
        exams.create_exam(world.manager_b, {**ANALYSTS, "all_labs": False, "labs": "LAB-A"})


def test_an_exam_never_becomes_a_contest_nor_the_reverse(world):
    exam = exams.create_exam(world.quality, ANALYSTS)
    with pytest.raises(InvalidInput) as refused:
        exams.update_exam(world.quality, exam, {**ANALYSTS, "kind": "skills_contest"})
    assert "kind" in refused.value.errors
    contest = exams.create_exam(world.quality, {**ANALYSTS, "kind": "skills_contest"})
    with pytest.raises(InvalidInput):
        exams.update_exam(world.quality, contest, {**ANALYSTS, "kind": "theory"})


def test_an_exam_with_results_does_not_move_to_a_day_to_come(world):
    exam = exams.create_exam(world.quality, {**ANALYSTS, "held_on": "2010-05-20"})
    exams.record_result(world.quality, exam, world.ana, {"status": "absent"})
    with pytest.raises(InvalidInput) as refused:
        exams.update_exam(world.quality, exam, {**ANALYSTS, "held_on": "2010-07-01"})
    assert "held_on" in refused.value.errors
    exams.update_exam(world.quality, exam, {**ANALYSTS, "held_on": "2010-05-21"})  # another past day is fine
    db.session.expire_all()
    assert db.session.get(Exam, exam.id).held_on == date(2010, 5, 21)


def test_a_contest_moves_with_its_parts(world):
    contest = exams.create_exam(world.quality, {**ANALYSTS, "kind": "skills_contest"})
    exams.update_exam(world.quality, contest, {**ANALYSTS, "kind": "skills_contest", "held_on": "2010-06-25"})
    db.session.expire_all()
    assert {p.held_on for p in db.session.get(Exam, contest.id).parts} == {date(2010, 6, 25)}


def test_an_entrant_of_a_contest_enters_every_part_and_leaves_while_nothing_is_recorded(world):
    contest = exams.create_exam(world.quality, {**ANALYSTS, "kind": "skills_contest", "posts": []})
    exams.enter_by_name(world.quality, contest, world.head)
    parts = db.session.get(Exam, contest.id).parts
    assert [on_list(p) for p in parts] == [{"A003": "pending"}] * 3
    assert all(
        r.named
        for p in parts
        for r in db.session.scalars(select(ExamResult).where(ExamResult.exam_id == p.id))
    )
    exams.withdraw_entry(world.quality, contest, world.head)
    assert [on_list(p) for p in db.session.get(Exam, contest.id).parts] == [{}, {}, {}]


def test_someone_with_a_result_stays_on_the_list(world):
    exam = exams.create_exam(world.quality, {**ANALYSTS, "held_on": "2010-05-20", "posts": []})
    exams.enter_by_name(world.quality, exam, world.head)
    exams.record_result(world.quality, exam, world.head, {"status": "sat", "score": "61"})
    with pytest.raises(Conflict):
        exams.withdraw_entry(world.quality, exam, world.head)
    assert on_list(exam) == {"A003": "sat"}


def test_nobody_is_entered_for_a_day_they_did_not_work(world):
    gone = pf.PersonFactory(lab=world.lab_a, staff_no="A090", employed_to=date(2010, 5, 31))
    exam = exams.create_exam(world.quality, ANALYSTS)
    with pytest.raises(InvalidInput):
        exams.enter_by_name(world.quality, exam, gone)
    assert "A090" not in on_list(exam)


def test_a_named_entrant_survives_a_refresh_and_a_change_of_posts(world):
    exam = exams.create_exam(world.quality, ANALYSTS)
    exams.enter_by_name(world.quality, exam, world.head)
    assert exams.refresh(world.quality, exam) == (0, 0)
    exams.update_exam(world.quality, exam, {**ANALYSTS, "posts": ["sampler"]})
    assert on_list(exam) == {"A003": "pending"}


def test_refreshing_adds_who_joined_since(world):
    exam = exams.create_exam(world.quality, ANALYSTS)
    newcomer = pf.PersonFactory(lab=world.lab_b, staff_no="B050", posts=["analyst"])  # by factory: no sync
    assert "B050" not in on_list(exam)
    assert exams.refresh(world.quality, exam) == (1, 0)
    assert on_list(exam)["B050"] == "pending" and newcomer.id
    with pytest.raises(Forbidden):
        exams.refresh(world.manager_a, exam)


def test_the_exam_list_filters_by_year_and_kind(world):
    exams.create_exam(world.quality, {**ANALYSTS, "title": "A", "held_on": "2009-11-10"})
    exams.create_exam(world.quality, {**ANALYSTS, "title": "B", "held_on": "2010-05-10", "kind": "practical"})
    exams.create_exam(world.quality, {**ANALYSTS, "title": "C", "held_on": "2010-06-10"})

    def titles(**filters):
        return [e.title for e in db.session.scalars(exams.exams_query(world.viewer, **filters))]

    assert titles() == ["C", "B", "A"]
    assert titles(year=2010) == ["C", "B"]
    assert titles(year=2010, kind="theory") == ["C"]


# --- the pages -------------------------------------------------------------------------------


def test_entering_and_removing_on_the_exam_page(world, client):
    exam = exams.create_exam(world.quality, {**ANALYSTS, "posts": []})
    login(client, world.quality)
    response = client.post(f"/personnel/exams/{exam.id}/entrants", data={"lab": "LAB-A", "staff_no": "a003"})
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/personnel/exams/{exam.id}"
    )
    assert on_list(exam) == {"A003": "pending"}
    response = client.post(f"/personnel/exams/{exam.id}/entrants", data={"lab": "LAB-A", "staff_no": "A777"})
    assert response.status_code == 422 and "LAB-A has nobody with this staff number." in response.get_data(
        as_text=True
    )
    response = client.post(f"/personnel/exams/{exam.id}/entrants/{world.head.id}/remove")
    assert response.status_code == 303 and on_list(exam) == {}


def test_recording_a_result_on_the_page_in_chinese(world, client):
    exam = exams.create_exam(world.quality, {**ANALYSTS, "held_on": "2010-05-20"})
    world.quality.locale = "zh_Hans_CN"
    db.session.commit()
    login(client, world.quality)
    response = client.post(
        f"/personnel/exams/{exam.id}/results",
        data={"lab": "LAB-A", "staff_no": "A001", "status": "sat", "score": "101"},
    )
    assert response.status_code == 422 and on_list(exam)["A001"] == "pending"
    response = client.post(
        f"/personnel/exams/{exam.id}/results",
        data={"lab": "LAB-A", "staff_no": "A001", "status": "sat", "score": "87"},
        follow_redirects=True,
    )
    assert on_list(exam)["A001"] == "sat"
    page = response.get_data(as_text=True)
    assert "成绩已录入。" in page and "Result recorded." not in page


@pytest.mark.parametrize("role", ["manager_a", "viewer", "inspector"])
def test_those_who_do_not_set_exams_cannot_enter_people(world, client, role):
    exam = exams.create_exam(world.quality, {**ANALYSTS, "posts": []})
    login(client, world.user(role))
    response = client.post(f"/personnel/exams/{exam.id}/entrants", data={"lab": "LAB-A", "staff_no": "A003"})
    assert response.status_code == 403 and on_list(exam) == {}


def test_refreshing_from_the_page_says_how_many(world, client):
    exam = exams.create_exam(world.quality, ANALYSTS)
    pf.PersonFactory(lab=world.lab_a, staff_no="A050", posts=["analyst"])
    login(client, world.quality)
    response = client.post(f"/personnel/exams/{exam.id}/refresh", follow_redirects=True)
    assert "1 added to the list, 0 taken off." in response.get_data(as_text=True)
