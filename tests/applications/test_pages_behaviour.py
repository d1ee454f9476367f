"""The applications pages as a lab manager and the accreditation division use them: the item file
upload and its template, held items, removing items and deleting drafts, the step form's refusals
shown beside the form (the password never sent back), the list's export, and a lab manager kept to
their own lab's pages (404 for another's). Also the signature's throttle through the API."""

import csv
import io
from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from labtrack.applications import service, steps
from labtrack.applications.models import Application
from labtrack.auth.models import SecurityEvent
from labtrack.extensions import db
from tests.applications.conftest import NEW_ITEMS
from tests.factories import PASSWORD, bearer

HEADER = "lab_code,category_code,category_name,item_code,item_name,method,parameters,granted_on,withdrawn_on"


def _login(client, user):
    client.post("/logout")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code in (302, 303)


def _draft(world, items=NEW_ITEMS, kind="extension", who="manager", **more):
    return service.create({"kind": kind, "items": items, **more}, world.users[who])


def _codes(application_id):
    db.session.expire_all()
    return [i.item_code for i in db.session.get(Application, application_id).items]


def _upload(client, application, content, name="items.csv"):
    return client.post(
        f"/applications/{application.id}/items/upload",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


# --- items -----------------------------------------------------------------------------------


def test_uploading_items_from_the_page(client, world):
    application = _draft(world, items=[])
    _login(client, world.users["manager"])
    missing = client.post(f"/applications/{application.id}/items/upload", data={})
    assert missing.status_code == 422 and "Choose a file." in missing.get_data(as_text=True)
    bad = _upload(client, application, f"{HEADER}\nSC-A,FOOD,,F-1,,,,,\n".encode())
    assert bad.status_code == 422
    assert "Row 2, item_code: SC-A already holds F-1 (since 2008-03-01)." in bad.get_data(as_text=True)
    assert _codes(application.id) == []
    good = _upload(client, application, f"{HEADER}\nSC-A,FOOD,,F-2,,,,,\nSC-A,TEX,,T-1,,,,,\n".encode())
    assert good.status_code == 303
    assert good.headers["Location"].endswith(f"/applications/{application.id}#items")
    assert _codes(application.id) == ["F-2", "T-1"]
    assert "2 items added." in client.get(good.headers["Location"]).get_data(as_text=True)


def test_the_items_file_is_the_upload_template_with_the_items_so_far(client, world):
    application = _draft(world, items=[{"item_code": "F-2"}, {"item_code": "T-1"}])
    _login(client, world.users["viewer"])
    response = client.get(f"/applications/{application.id}/items.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert application.reference in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == HEADER.split(",")
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [("SC-A", "FOOD", "F-2"), ("SC-A", "TEX", "T-1")]


def test_a_renewal_takes_the_held_items_from_the_page(client, world):
    application = _draft(world, items=[], kind="renewal", who="admin", lab_code="SC-B")
    _login(client, world.users["admin"])
    response = client.post(f"/applications/{application.id}/items/held")
    assert response.status_code == 303 and _codes(application.id) == ["F-1"]
    assert "1 items added." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_removing_an_item_and_deleting_a_draft_from_the_page(client, world):
    application = _draft(world)
    _login(client, world.users["manager"])
    water = next(i for i in application.items if i.item_code == "W-1")
    response = client.post(f"/applications/{application.id}/items/{water.id}/remove")
    assert response.status_code == 303 and _codes(application.id) == ["F-2", "T-1"]
    reference = application.reference
    response = client.post(f"/applications/{application.id}/delete")
    assert response.status_code == 303 and response.headers["Location"].endswith("/applications/")
    assert f"Draft {reference} deleted." in client.get("/applications/").get_data(as_text=True)
    assert db.session.scalar(select(Application.id)) is None


def test_a_submitted_application_is_not_deleted_and_the_page_says_why(client, world):
    application = _draft(world)
    steps.transition(application, "submitted", {}, world.users["manager"], on=date(2010, 9, 1))
    _login(client, world.users["manager"])
    detail = f"/applications/{application.id}"
    response = client.post(f"{detail}/delete", headers={"Referer": f"http://localhost.localdomain{detail}"})
    assert response.status_code == 303 and response.headers["Location"].endswith(detail)
    page = client.get(detail).get_data(as_text=True)
    assert "Only a draft that was never submitted can be deleted." in page
    assert db.session.get(Application, application.id) is not None


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/applications/{id}"),
        ("get", "/applications/{id}/items.csv"),
        ("post", "/applications/{id}/items/held"),
        ("post", "/applications/{id}/delete"),
        ("post", "/applications/{id}/step"),
        ("post", "/applications/{id}/edit"),
    ],
)
def test_another_labs_manager_finds_no_such_page(client, world, method, path):
    application = _draft(world)
    _login(client, world.users["other-manager"])
    response = getattr(client, method)(path.format(id=application.id), data={"to": "submitted"})
    assert response.status_code == 404
    assert db.session.get(Application, application.id).status == "draft"


# --- the step form ---------------------------------------------------------------------------


def _submitted(world):
    application = _draft(world)
    steps.transition(application, "submitted", {}, world.users["manager"], on=date(2010, 9, 1))
    return application


def test_a_return_without_reasons_is_shown_beside_the_form(client, world):
    application = _submitted(world)
    _login(client, world.users["quality"])
    with freeze_time("2010-09-02"):
        response = client.post(
            f"/applications/{application.id}/step", data={"to": "returned", "version": application.version}
        )
    assert response.status_code == 422
    assert "Say what is missing or wrong, so the laboratory can complete it." in response.get_data(
        as_text=True
    )
    assert db.session.get(Application, application.id).status == "submitted"


def test_a_wrong_signature_is_refused_and_the_password_is_not_sent_back(client, world):
    application = _submitted(world)
    q = world.users["quality"]
    for to, on in (("accepted", date(2010, 9, 2)), ("review", date(2010, 9, 2))):
        steps.transition(application, to, {}, q, on=on)
    steps.transition(application, "assessment", {"lead": "i-1"}, q, on=date(2010, 9, 6))
    steps.transition(application, "rectification", {}, q, on=date(2010, 9, 7))
    _login(client, q)
    with freeze_time("2010-09-08"):
        response = client.post(
            f"/applications/{application.id}/step",
            data={"to": "decided", "password": "my-wrong-password-123", "refused": "W-1 无浊度仪"},
        )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The password is not correct; the application was not decided." in html
    assert "my-wrong-password-123" not in html
    with freeze_time("2010-09-08"):
        response = client.post(
            f"/applications/{application.id}/step",
            data={"to": "decided", "password": PASSWORD, "refused": "W-1"},
        )
    assert response.status_code == 422 and "W-1: give the reason for refusing it." in response.get_data(
        as_text=True
    )
    with freeze_time("2010-09-08"):
        response = client.post(
            f"/applications/{application.id}/step",
            data={"to": "decided", "password": PASSWORD, "refused": "W-1 无浊度仪\nT-1 无纺织品实验室"},
        )
    assert response.status_code == 303
    db.session.expire_all()
    decided = db.session.get(Application, application.id)
    assert {i.item_code: i.reason for i in decided.items} == {
        "F-2": None,
        "T-1": "无纺织品实验室",
        "W-1": "无浊度仪",
    }


def test_a_wrong_signature_goes_to_the_security_log(client, world):
    application = _submitted(world)
    q = world.users["quality"]
    for to in ("accepted", "review"):
        steps.transition(application, to, {}, q, on=date(2010, 9, 2))
    steps.transition(application, "assessment", {"lead": "i-1"}, q, on=date(2010, 9, 6))
    steps.transition(application, "rectification", {}, q, on=date(2010, 9, 7))
    url = f"/api/v1/applications/{application.id}/transitions"
    response = client.post(url, json={"to": "decided", "password": "wrong"}, headers=bearer(q)[1])
    assert response.status_code == 422 and "password" in response.json["errors"]
    db.session.expire_all()
    events = db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "signature_password")).all()
    assert [(e.outcome, e.user_id, e.path) for e in events] == [("failure", q.id, url)]
    assert db.session.get(Application, application.id).status == "rectification"


# --- the list ----------------------------------------------------------------------------------


def test_the_lists_export_is_the_readers_own_list(client, world):
    _draft(world)
    _draft(world, who="admin", items=[{"item_code": "F-2"}], lab_code="SC-B")
    _login(client, world.users["manager"])
    response = client.get("/applications/?format=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["lab_code"], r["status"], r["items"]) for r in rows] == [("SC-A", "draft", "3")]
    _login(client, world.users["viewer"])
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/applications/?format=csv").get_data(as_text=True).lstrip("\ufeff"))
        )
    )
    assert sorted(r["lab_code"] for r in rows) == ["SC-A", "SC-B"]


def test_a_bad_filter_on_the_list_page_is_named_and_the_list_still_shown(client, world):
    application = _draft(world)
    _login(client, world.users["viewer"])
    response = client.get("/applications/?overdue=maybe&kind=renewal")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The filters of the list are not valid." in html and "overdue:" in html
    assert application.reference in html  # the filters are dropped, not half applied
