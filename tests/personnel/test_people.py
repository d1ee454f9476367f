"""A lab's people: adding, editing, posts, the user account, leaving, removing; lab managers keep
their own people only; every refusal says why and changes nothing."""

from datetime import date

import pytest
from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.personnel import people
from labtrack.personnel.models import Authorisation, Person
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound
from tests.personnel import factories as pf
from tests.personnel.conftest import login

NEW = {
    "staff_no": "A100",
    "name": "孙丽",
    "title": "工程师",
    "posts": ["analyst", "sampler"],
    "employed_from": "2009-03-01",
}


def count(model=Person) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_lab_manager_adds_a_person_with_posts_and_history(world):
    person = people.create_person(world.manager_a, world.lab_a, NEW)
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert (person.name, person.staff_no, person.post_codes) == ("孙丽", "A100", ["analyst", "sampler"])
    assert person.employed_from == date(2009, 3, 1) and person.employed_to is None
    rows = db.session.scalars(select(HistoryEntry).where(HistoryEntry.table_name == "persons")).all()
    assert any(h.record_id == person.id and h.username == "manager-a" for h in rows)


def test_posts_are_read_in_both_languages_and_by_english_name():
    from labtrack.personnel.values import parse_posts

    assert parse_posts("授权签字人; analyst；Quality manager") == [
        "authorised_signatory",
        "analyst",
        "quality_manager",
    ]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"employed_to": "2008-01-01"}, "employed_to"),  # ends before it starts
        ({"employed_from": "2010-02-30"}, "employed_from"),
        ({"posts": []}, "posts"),
        ({"posts": ["astronaut"]}, "posts"),
        ({"staff_no": "A 1"}, "staff_no"),
        ({"staff_no": "a001"}, "staff_no"),  # A001 exists: case does not make another number
        ({"name": ""}, "name"),
        ({"name": "<b>x</b>"}, "name"),
        ({"email": "not-an-address"}, "email"),
        ({"username": "nobody-has-this"}, "username"),
    ],
)
def test_bad_input_names_the_field_and_adds_nobody(world, change, field):
    before = count()
    with pytest.raises(InvalidInput) as exc:
        people.create_person(world.quality, world.lab_a, {**NEW, **change})
    assert field in exc.value.errors
    assert count() == before


def test_every_error_is_reported_at_once(world):
    with pytest.raises(InvalidInput) as exc:
        people.create_person(world.quality, world.lab_a, {"posts": "x", "employed_from": "tomorrow"})
    assert {"staff_no", "name", "posts", "employed_from"} <= set(exc.value.errors)


def test_a_lab_manager_may_not_keep_another_labs_people(world):
    with pytest.raises(Forbidden):
        people.create_person(world.manager_a, world.lab_b, NEW)
    with pytest.raises(Forbidden):
        people.update_person(world.manager_a, world.bob, {**NEW, "staff_no": "B001"})
    with pytest.raises(NotFound):
        people.get_person(world.manager_a, world.bob.id)
    with pytest.raises(NotFound):
        people.get_lab(world.manager_a, "LAB-B")
    for role in ("inspector", "viewer"):
        with pytest.raises(Forbidden):
            people.create_person(world.user(role), world.lab_a, NEW)


def test_the_account_of_a_person(world):
    data = {**NEW, "username": "manager-a"}
    person = people.create_person(world.manager_a, world.lab_a, data)
    assert person.user.username == "manager-a"
    with pytest.raises(InvalidInput) as exc:  # one account, one person
        people.create_person(world.manager_a, world.lab_a, {**data, "staff_no": "A101"})
    assert "username" in exc.value.errors
    with pytest.raises(InvalidInput):  # another lab's account
        people.create_person(world.quality, world.lab_a, {**NEW, "staff_no": "A102", "username": "manager-b"})


def test_editing_replaces_the_posts(world):
    data = {**NEW, "staff_no": world.ana.staff_no, "name": world.ana.name, "posts": ["head"]}
    people.update_person(world.manager_a, world.ana, data)
    db.session.expire_all()
    assert db.session.get(Person, world.ana.id).post_codes == ["head"]


def test_leaving_ends_open_authorisations_that_day(world):
    open_ended = pf.AuthorisationFactory(person=world.ana, item=world.item, valid_from=date(2009, 1, 1))
    later = pf.AuthorisationFactory(
        person=world.ana, item=world.item2, valid_from=date(2009, 1, 1), valid_to=date(2020, 1, 1)
    )
    people.record_leaving(world.manager_a, world.ana, {"left_on": "2010-06-30", "reason": "调离"})
    db.session.expire_all()
    assert db.session.get(Person, world.ana.id).employed_to == date(2010, 6, 30)
    assert {db.session.get(Authorisation, a.id).valid_to for a in (open_ended, later)} == {date(2010, 6, 30)}
    with pytest.raises(InvalidInput):  # once
        people.record_leaving(
            world.manager_a, db.session.get(Person, world.ana.id), {"left_on": "2010-07-30"}
        )


def test_leaving_before_joining_is_refused(world):
    with pytest.raises(InvalidInput) as exc:
        people.record_leaving(world.quality, world.ana, {"left_on": "2001-01-01"})
    assert "left_on" in exc.value.errors
    db.session.expire_all()
    assert db.session.get(Person, world.ana.id).employed_to is None


def test_removing_only_a_mistake(world):
    pf.AttendanceFactory(person=world.ana)
    with pytest.raises(Conflict):
        people.delete_person(world.manager_a, world.ana)
    people.delete_person(world.manager_a, world.head)
    assert db.session.get(Person, world.head.id) is None


def test_the_list_is_narrowed_searched_and_filtered(world):
    people.record_leaving(world.quality, world.head, {"left_on": "2010-01-31"})
    names = lambda actor, **kw: [p.name for p in db.session.scalars(people.people_query(actor, **kw))]  # noqa: E731
    assert set(names(world.manager_a)) == {"王芳", "李强"}
    assert set(names(world.inspector)) == {"王芳", "李强", "陈刚"}
    assert names(world.inspector, status="left") == ["赵敏"]
    assert set(names(world.inspector, post="analyst", region="Chengdu")) == {"王芳", "李强"}
    assert names(world.inspector, q="A002") == ["李强"]


# --- pages -----------------------------------------------------------------------------------


def test_the_new_person_form_saves_and_redirects(world, client):
    login(client, world.manager_a)
    response = client.post("/personnel/labs/LAB-A/people/new", data={**NEW, "posts": ["analyst"]})
    assert response.status_code == 303
    person = db.session.scalar(select(Person).where(Person.staff_no == "A100"))
    assert response.headers["Location"].endswith(f"/personnel/people/{person.id}")


def test_the_form_shows_the_services_refusal_beside_the_field(world, client):
    login(client, world.manager_a)
    response = client.post(
        "/personnel/labs/LAB-A/people/new", data={**NEW, "posts": ["analyst"], "employed_to": "2001-01-01"}
    )
    assert response.status_code == 422
    assert "The end date cannot be before the start date." in response.get_data(as_text=True)
    assert count() == 4


def test_another_labs_person_is_not_found_for_a_lab_manager(world, client):
    login(client, world.manager_a)
    for url in (
        f"/personnel/people/{world.bob.id}",
        f"/personnel/people/{world.bob.id}/edit",
        "/personnel/labs/LAB-B",
        "/personnel/labs/LAB-B/people/new",
        "/api/v1/labs/LAB-B/staff",
        f"/api/v1/people/{world.bob.id}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/personnel/people/{world.ana.id}").status_code == 200


def test_viewers_see_people_but_not_their_telephone(world, client):
    world.ana.phone = "13900001111"
    db.session.commit()
    login(client, world.viewer)
    page = client.get(f"/personnel/people/{world.ana.id}").get_data(as_text=True)
    assert "王芳" in page and "13900001111" not in page
    export = client.get("/personnel/?format=csv").get_data(as_text=True)
    assert "王芳" in export and "13900001111" not in export and "phone" not in export.splitlines()[0]
    api = client.get(f"/api/v1/people/{world.ana.id}").get_json()
    assert "phone" not in api and api["name"] == "王芳"


def test_inspectors_see_the_telephone_everywhere(world, client):
    world.ana.phone = "13900001111"
    db.session.commit()
    login(client, world.inspector)
    assert "13900001111" in client.get(f"/personnel/people/{world.ana.id}").get_data(as_text=True)
    assert "13900001111" in client.get("/personnel/?format=csv").get_data(as_text=True)
    assert client.get(f"/api/v1/people/{world.ana.id}").get_json()["phone"] == "13900001111"


def test_the_labs_people_page_in_chinese(world, client):
    login(client, world.manager_a)
    client.post("/language/zh_Hans_CN")
    page = client.get("/personnel/labs/LAB-A").get_data(as_text=True)
    assert "王芳" in page and "检测人员" in page  # the analyst post in Chinese


def test_a_persons_history_shows_their_posts_and_authorisations(world, client):
    data = {**NEW, "staff_no": world.ana.staff_no, "name": world.ana.name, "posts": ["head"]}
    people.update_person(world.manager_a, world.ana, data)
    from labtrack.personnel import authorisations

    authorisations.grant(
        world.manager_a,
        world.ana,
        {"item_code": "PB-CER", "activity": "perform", "valid_from": "2010-01-01", "basis": "exam"},
    )
    tables = {h.table_name for h in people.person_history(world.ana)}
    assert {"persons", "person_posts", "authorisations"} <= tables
    assert not any(
        h.table_name == "persons" and h.record_id == world.sig.id for h in people.person_history(world.ana)
    )
    login(client, world.inspector)
    page = client.get(f"/personnel/people/{world.ana.id}").get_data(as_text=True)
    assert '<span class="text-muted">post</span>' in page
    assert '>created <span class="text-muted">authorisation</span>' in page
