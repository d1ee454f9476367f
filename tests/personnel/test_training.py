"""Training sessions and attendances: who records what, attendance only of the right people, a
person's training record and hours per year (numbers worked by hand)."""

from datetime import date

import pytest
from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.personnel import training
from labtrack.personnel.models import Attendance, TrainingSession
from labtrack.services import Forbidden, InvalidInput
from tests.personnel import factories as pf
from tests.personnel.conftest import login

SESSION = {
    "title": "标准宣贯",
    "organiser": "lab",
    "organiser_lab": "LAB-A",
    "starts_on": "2010-03-02",
    "hours": "3",
}


def attendances() -> int:
    return db.session.scalar(select(func.count()).select_from(Attendance))


def test_a_lab_manager_records_their_own_labs_session_only(world):
    session = training.create_session(world.manager_a, SESSION)
    assert (session.organiser_lab_id, session.ends_on, session.hours) == (
        world.lab_a.id,
        date(2010, 3, 2),
        3.0,
    )
    with pytest.raises(Forbidden):
        training.create_session(
            world.manager_a, {**SESSION, "organiser": "provincial_bureau", "organiser_lab": ""}
        )
    with pytest.raises(InvalidInput) as exc:  # another lab is not one they see
        training.create_session(world.manager_a, {**SESSION, "organiser_lab": "LAB-B"})
    assert "organiser_lab" in exc.value.errors
    assert (
        training.create_session(
            world.quality, {**SESSION, "organiser": "cnas", "organiser_lab": ""}
        ).organiser
        == "cnas"
    )


@pytest.mark.parametrize(
    "change, field",
    [
        ({"ends_on": "2010-03-01"}, "ends_on"),  # ends before it starts
        ({"hours": "0"}, "hours"),
        ({"hours": "-2"}, "hours"),
        ({"hours": "49"}, "hours"),  # more than a day holds
        ({"external_attendees": "-1"}, "external_attendees"),
        ({"organiser": "astrologers"}, "organiser"),
        ({"organiser_lab": ""}, "organiser_lab"),
        ({"organiser": "cnas"}, "organiser_lab"),  # a lab named for someone else's session
        ({"title": ""}, "title"),
    ],
)
def test_bad_sessions_are_refused_with_the_field_named(world, change, field):
    before = db.session.scalar(select(func.count()).select_from(TrainingSession))
    with pytest.raises(InvalidInput) as exc:
        training.create_session(world.quality, {**SESSION, **change})
    assert field in exc.value.errors
    assert db.session.scalar(select(func.count()).select_from(TrainingSession)) == before


def test_attendance_of_a_person_of_another_lab_is_refused_for_a_labs_own_session(world):
    session = pf.TrainingSessionFactory(organiser="lab", organiser_lab=world.lab_a)
    with pytest.raises(InvalidInput) as exc:
        training.add_attendees(world.quality, session, {"lab": "LAB-B", "staff_numbers": "B001"})
    assert "works at another laboratory" in " ".join(exc.value.errors["staff_numbers"])
    assert attendances() == 0


def test_attendance_is_all_or_nothing_and_lists_every_problem(world):
    people_left = pf.PersonFactory(lab=world.lab_a, staff_no="A009", employed_to=date(2009, 12, 31))
    session = pf.TrainingSessionFactory(starts_on=date(2010, 3, 15))
    pf.AttendanceFactory(session=session, person=world.sig)
    with pytest.raises(InvalidInput) as exc:
        training.add_attendees(
            world.quality, session, {"lab": "LAB-A", "staff_numbers": "A001 A999, A002;A009"}
        )
    problems = exc.value.errors["staff_numbers"]
    assert len(problems) == 3  # A999 unknown, A002 already there, A009 had left
    assert attendances() == 1
    assert people_left.id


def test_a_lab_manager_reports_their_own_people_at_a_provincial_session(world):
    session = pf.TrainingSessionFactory()
    assert (
        training.add_attendees(world.manager_a, session, {"lab": "LAB-A", "staff_numbers": "A001 A002"}) == 2
    )
    with pytest.raises(InvalidInput):  # LAB-B is not theirs to see
        training.add_attendees(world.manager_a, session, {"lab": "LAB-B", "staff_numbers": "B001"})
    with pytest.raises(Forbidden):
        training.update_session(
            world.manager_a, session, {**SESSION, "organiser": "provincial_bureau", "organiser_lab": ""}
        )


def test_partial_hours_cannot_exceed_the_session(world):
    session = pf.TrainingSessionFactory(hours=4)
    with pytest.raises(InvalidInput) as exc:
        training.add_attendees(
            world.quality, session, {"lab": "LAB-A", "staff_numbers": "A001", "hours": "5"}
        )
    assert "hours" in exc.value.errors


def test_changing_a_sessions_organiser_must_still_suit_its_attendees(world):
    session = pf.TrainingSessionFactory()
    pf.AttendanceFactory(session=session, person=world.bob)
    with pytest.raises(InvalidInput) as exc:
        training.update_session(world.quality, session, SESSION)
    assert "organiser_lab" in exc.value.errors


def test_hours_per_person_per_year_by_hand(world):
    """王芳: 2010 a 4-hour session and 2 of a 6-hour one, 2011 an 8-hour one: 2010 = 6 h in 2, 2011 = 8 h."""
    four = pf.TrainingSessionFactory(starts_on=date(2010, 3, 1), hours=4)
    six = pf.TrainingSessionFactory(starts_on=date(2010, 12, 31), hours=6)
    eight = pf.TrainingSessionFactory(starts_on=date(2011, 1, 1), hours=8)
    pf.AttendanceFactory(session=four, person=world.ana)
    pf.AttendanceFactory(session=six, person=world.ana, hours=2)
    pf.AttendanceFactory(session=eight, person=world.ana)
    pf.AttendanceFactory(session=eight, person=world.sig)
    assert training.hours_by_year(world.ana) == [
        {"year": 2011, "sessions": 1, "hours": 8.0},
        {"year": 2010, "sessions": 2, "hours": 6.0},
    ]
    assert training.hours_in_year([world.ana.id, world.sig.id, world.head.id], 2011) == {
        world.ana.id: 8.0,
        world.sig.id: 8.0,
    }
    assert [s.id for s, _h in training.person_sessions(world.ana)] == [eight.id, six.id, four.id]


def test_a_lab_manager_sees_only_their_own_attendees_and_the_provinces_sessions(world):
    province = pf.TrainingSessionFactory()
    theirs = pf.TrainingSessionFactory(organiser="lab", organiser_lab=world.lab_b)
    pf.AttendanceFactory(session=province, person=world.ana)
    pf.AttendanceFactory(session=province, person=world.bob)
    names = [p.name for p, _h, _c in db.session.execute(training.attendees_query(world.manager_a, province))]
    assert names == ["王芳"]
    listed = [s.id for s, _n in db.session.execute(training.sessions_query(world.manager_a))]
    assert listed == [province.id]
    assert training.attendance_counts(province)["total"] == 2
    assert theirs.id


def test_the_session_pages(world, client):
    session = pf.TrainingSessionFactory(external_attendees=12)
    pf.AttendanceFactory(session=session, person=world.ana)
    other = pf.TrainingSessionFactory(organiser="lab", organiser_lab=world.lab_b)
    login(client, world.manager_a)
    page = client.get(f"/personnel/sessions/{session.id}").get_data(as_text=True)
    assert "王芳" in page and 'id="total-count">13<' in page
    assert client.get(f"/personnel/sessions/{other.id}").status_code == 404
    response = client.post(
        f"/personnel/sessions/{session.id}/attendees", data={"lab": "LAB-A", "staff_numbers": "A002"}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/personnel/sessions/{session.id}"
    )
    assert attendances() == 2
    response = client.post(
        f"/personnel/sessions/{session.id}/attendees", data={"lab": "LAB-A", "staff_numbers": "A002"}
    )
    assert response.status_code == 422 and "already recorded" in response.get_data(as_text=True)
    response = client.post(
        "/personnel/sessions/new",
        data={**SESSION, "organiser_lab": "LAB-A", "ends_on": "2010-01-01", "external_attendees": "0"},
    )
    assert response.status_code == 422


def test_removing_a_session_removes_its_attendances(world, client):
    session = pf.TrainingSessionFactory(organiser="lab", organiser_lab=world.lab_a)
    pf.AttendanceFactory(session=session, person=world.ana)
    login(client, world.manager_a)
    response = client.post(f"/personnel/sessions/{session.id}/delete")
    assert response.status_code == 303
    assert db.session.get(TrainingSession, session.id) is None and attendances() == 0
