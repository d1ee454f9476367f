"""Someone leaving a lab, recorded through the API as a lab's system would: they drop off the lists
of exams still to come (not those already held), the lab's scope loses its performer after the
last day, the staff list and headcount no longer count them; once only, never before they joined,
never by another lab's manager (404) or a reader (403)."""

from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from labtrack.extensions import db
from labtrack.personnel import authorisations, people
from labtrack.personnel.models import ExamResult, Person
from tests import factories as f
from tests.personnel import factories as pf

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with freeze_time("2010-06-15"):
        yield


def leave(client, user, person, **body):
    return client.post(f"/api/v1/people/{person.id}/leave", json=body, headers=f.bearer(user)[1])


def on_list(exam) -> set[str]:
    db.session.expire_all()
    rows = db.session.scalars(select(ExamResult).where(ExamResult.exam_id == exam.id))
    return {r.person.staff_no for r in rows}


def test_a_leaver_drops_off_exams_to_come_but_not_those_held(world, client):
    held = pf.ExamFactory(held_on=date(2010, 5, 20))
    pf.ExamResultFactory(exam=held, person=world.ana, sat=True, score=70)
    coming = pf.ExamFactory(held_on=date(2010, 7, 10))
    pf.ExamPostFactory(exam=coming, post="analyst")
    for person in (world.ana, world.sig):
        pf.ExamResultFactory(exam=coming, person=person)
    response = leave(client, world.manager_a, world.ana, left_on="2010-06-30", reason="调往省局")
    assert response.status_code == 200 and response.get_json()["employed_to"] == "2010-06-30"
    assert on_list(coming) == {"A002"}
    assert on_list(held) == {"A001"}


def test_leaving_after_the_exam_keeps_them_on_its_list(world, client):
    coming = pf.ExamFactory(held_on=date(2010, 7, 10))
    pf.ExamPostFactory(exam=coming, post="analyst")
    pf.ExamResultFactory(exam=coming, person=world.ana)
    assert leave(client, world.quality, world.ana, left_on="2010-07-10").status_code == 200
    assert on_list(coming) == {"A001"}  # they still work there on the exam's day


def test_the_scope_loses_its_performer_after_the_last_day(world, client):
    pf.AuthorisationFactory(person=world.ana, item=world.item, valid_from=date(2009, 1, 1))
    leave(client, world.manager_a, world.ana, left_on="2010-06-30")
    covered = {
        r["item_code"]: bool(r["performers"])
        for r in authorisations.authorisation_coverage(world.lab_a.id, date(2010, 6, 30))
    }
    assert covered["PB-CER"] is True
    after = {
        r["item_code"]: bool(r["performers"])
        for r in authorisations.authorisation_coverage(world.lab_a.id, date(2010, 7, 1))
    }
    assert after["PB-CER"] is False


def test_the_staff_list_and_headcount_after_the_last_day(world, client):
    leave(client, world.manager_a, world.head, left_on="2010-06-20")
    assert people.headcount(world.lab_a.id, date(2010, 6, 20)) == 3
    assert people.headcount(world.lab_a.id, date(2010, 6, 21)) == 2
    with freeze_time("2010-06-21"):
        staff = client.get("/api/v1/labs/LAB-A/staff", headers=f.bearer(world.viewer)[1]).get_json()
        left = client.get(
            "/api/v1/labs/LAB-A/staff?status=left", headers=f.bearer(world.viewer)[1]
        ).get_json()
    assert sorted(p["staff_no"] for p in staff["items"]) == ["A001", "A002"]
    assert [p["staff_no"] for p in left["items"]] == ["A003"]


def test_leaving_is_recorded_once(world, client):
    assert leave(client, world.quality, world.ana, left_on="2010-06-30").status_code == 200
    again = leave(client, world.quality, world.ana, left_on="2010-07-31")
    assert again.status_code == 422 and set(again.get_json()["errors"]) == {"left_on"}
    db.session.expire_all()
    assert db.session.get(Person, world.ana.id).employed_to == date(2010, 6, 30)


@pytest.mark.parametrize(
    "body, field",
    [({"left_on": "2005-02-28"}, "left_on"), ({}, "left_on"), ({"left_on": "2010-02-30"}, "left_on")],
)
def test_a_bad_last_day_is_named(world, client, body, field):
    """王芳 joined on 2005-03-01."""
    response = leave(client, world.quality, world.ana, **body)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    db.session.expire_all()
    assert db.session.get(Person, world.ana.id).employed_to is None


def test_another_labs_manager_and_readers_record_nothing(world, client):
    assert leave(client, world.manager_b, world.ana, left_on="2010-06-30").status_code == 404
    assert leave(client, world.viewer, world.ana, left_on="2010-06-30").status_code == 403
    assert leave(client, world.inspector, world.ana, left_on="2010-06-30").status_code == 403
    db.session.expire_all()
    assert db.session.get(Person, world.ana.id).employed_to is None
