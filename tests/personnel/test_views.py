"""The personnel pages for every role: what each may open, what each is offered, both languages."""

from datetime import date

import pytest
from flask_babel import force_locale, gettext

from tests import factories as f
from tests.personnel import factories as pf
from tests.personnel.conftest import login

ROLES = ["admin", "quality", "inspector", "viewer", "manager_a"]
EDIT = {"admin", "quality", "manager_a"}
MANAGE = {"admin", "quality"}


@pytest.fixture
def records(world):
    session = pf.TrainingSessionFactory(organiser="lab", organiser_lab=world.lab_a)
    pf.AttendanceFactory(session=session, person=world.ana)
    exam = pf.ExamFactory()
    pf.ExamResultFactory(exam=exam, person=world.ana, sat=True)
    auth = pf.AuthorisationFactory(person=world.ana, item=world.item, valid_from=date(2009, 1, 1))
    return {"session": session, "exam": exam, "auth": auth}


def pages(world, r):
    """(url, who may open it) for every page of the area."""
    p, s, e, a = world.ana.id, r["session"].id, r["exam"].id, r["auth"].id
    every = set(ROLES)
    return [
        ("/personnel/", every),
        ("/personnel/labs/LAB-A", every),
        ("/personnel/labs/LAB-A/authorisations", every),
        (f"/personnel/people/{p}", every),
        ("/personnel/sessions", every),
        (f"/personnel/sessions/{s}", every),
        ("/personnel/exams", every),
        (f"/personnel/exams/{e}", every),
        ("/personnel/reports", every),
        ("/personnel/labs/LAB-A/people/new", EDIT),
        (f"/personnel/people/{p}/edit", EDIT),
        (f"/personnel/people/{p}/leave", EDIT),
        (f"/personnel/people/{p}/authorisations/new", EDIT),
        (f"/personnel/authorisations/{a}/status", EDIT),
        ("/personnel/import", EDIT),
        ("/personnel/sessions/new", EDIT),
        (f"/personnel/sessions/{s}/edit", EDIT),
        ("/personnel/exams/new", MANAGE),
        (f"/personnel/exams/{e}/edit", MANAGE),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_what_it_may_and_is_refused_the_rest(world, records, client, role):
    login(client, world.user(role))
    got = {url: client.get(url).status_code for url, _who in pages(world, records)}
    want = {url: 200 if role in who else 403 for url, who in pages(world, records)}
    assert got == want


def test_buttons_follow_the_policy(world, records, client):
    login(client, world.viewer)
    page = client.get(f"/personnel/people/{world.ana.id}").get_data(as_text=True)
    assert 'id="authorise"' not in page and "/edit" not in page
    client.post("/logout")
    login(client, world.manager_a)
    page = client.get(f"/personnel/people/{world.ana.id}").get_data(as_text=True)
    assert 'id="authorise"' in page
    assert 'id="new-exam"' not in client.get("/personnel/exams").get_data(as_text=True)
    assert 'id="new-session"' in client.get("/personnel/sessions").get_data(as_text=True)


def test_the_home_dashboard_card(world, records, client):
    login(client, world.manager_a)
    page = client.get("/").get_data(as_text=True)
    assert 'id="dash-personnel"' in page


@pytest.mark.parametrize(
    "url",
    ["/personnel/", "/personnel/sessions", "/personnel/exams", "/personnel/reports", "/personnel/labs/LAB-A"],
)
def test_pages_are_in_chinese(world, records, client, url):
    login(client, world.quality)
    client.post("/language/zh_Hans_CN")
    page = client.get(url).get_data(as_text=True)
    with force_locale("zh_Hans_CN"):
        for word in ("People", "Training sessions", "Exams and contests", "Training report"):
            assert gettext(word) in page


def test_a_bad_lab_filter_on_the_people_list_is_not_found(world, client):
    login(client, world.quality)
    assert client.get("/personnel/?lab=NOPE").status_code == 404
    assert client.get("/personnel/?status=whatever&post=nothing").status_code == 200
    assert client.get("/personnel/?format=pdf").status_code == 400
    assert f.LabFactory(code="LAB-C")  # an empty lab has a page too
    assert client.get("/personnel/labs/LAB-C").status_code == 200
