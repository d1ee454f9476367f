"""The applications pages: the list with its filters and overdue clocks, a new application (a lab
manager for their own lab only), items, every step from the page (the decision signed with the
password), the working calendar (read by all, edited by administrators)."""

import io
from datetime import date

from sqlalchemy import select

from labtrack.applications import service, steps
from labtrack.applications.models import Application, CalendarDay
from labtrack.extensions import db
from tests.applications.conftest import NEW_ITEMS
from tests.factories import PASSWORD


def login(client, user):
    client.post("/logout")
    client.post("/login", data={"username": user.username, "password": PASSWORD})


def drafted(world, items=NEW_ITEMS):
    return service.create({"kind": "extension", "items": items}, world.users["manager"])


def post_step(client, application, to, **fields):
    data = {"to": to, "version": application.version, **fields}
    return client.post(f"/applications/{application.id}/step", data=data)


def test_a_lab_manager_drafts_adds_items_and_submits_from_the_pages(client, world):
    login(client, world.users["manager"])
    page = client.get("/applications/new")
    assert page.status_code == 200 and 'name="lab_code"' not in page.get_data(as_text=True)
    r = client.post("/applications/new", data={"kind": "extension", "title": "扩项 2010"})
    assert r.status_code == 303
    application = db.session.scalar(select(Application))
    assert r.headers["Location"].endswith(f"/applications/{application.id}")
    assert application.lab.code == "SC-A"
    r = client.post(f"/applications/{application.id}/items", data={"item_code": "F-1"})
    assert r.status_code == 422 and "already holds" in r.get_data(as_text=True)
    r = client.post(f"/applications/{application.id}/items", data={"item_code": "F-2"})
    assert r.status_code == 303
    csv = (
        "lab_code,category_code,category_name,item_code,item_name,method,parameters,granted_on,withdrawn_on\n"
    )
    csv += "SC-A,WATER,生活饮用水,W-1,浑浊度,GB/T 5750.4-2006,1,,\nSC-A,WATER,,W-1,浑浊度,,1,,\n"
    r = client.post(
        f"/applications/{application.id}/items/upload",
        data={"file": (io.BytesIO(csv.encode()), "items.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and "row 3" in r.get_data(as_text=True).lower()
    db.session.expire_all()
    assert [i.item_code for i in application.items] == ["F-2"]
    r = post_step(client, application, "submitted")
    assert r.status_code == 303
    db.session.expire_all()
    assert application.status == "submitted"
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "Acceptance" in page and 'id="step-accepted"' not in page


def test_a_lab_manager_cannot_draft_for_another_lab_nor_see_its_applications(client, world):
    other = service.create(
        {"kind": "extension", "lab_code": "SC-B", "items": [{"item_code": "F-2"}]}, world.users["admin"]
    )
    login(client, world.users["manager"])
    assert client.get(f"/applications/{other.id}").status_code == 404
    assert client.post(f"/applications/{other.id}/items", data={"item_code": "F-3"}).status_code == 404
    r = client.post("/applications/new", data={"kind": "extension", "lab_code": "SC-B"})
    assert r.status_code == 303  # the form offers them no lab: their own is used
    assert db.session.scalar(select(Application).order_by(Application.id.desc())).lab.code == "SC-A"
    page = client.get("/applications/").get_data(as_text=True)
    assert other.reference not in page


def test_viewers_and_inspectors_read_but_do_not_apply(client, world):
    application = drafted(world)
    login(client, world.users["viewer"])
    assert client.get(f"/applications/{application.id}").status_code == 200
    assert client.get("/applications/new").status_code == 403
    assert post_step(client, application, "submitted").status_code == 403


def test_the_division_takes_every_step_from_the_page_and_signs_the_decision(client, world):
    application = drafted(world)
    steps.transition(application, "submitted", {}, world.users["manager"], on=date(2010, 9, 1))
    login(client, world.users["quality"])
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert 'id="step-accepted"' in page and 'id="step-returned"' in page
    r = post_step(client, application, "returned")
    assert r.status_code == 422 and "What is missing" in r.get_data(as_text=True)
    assert post_step(client, application, "accepted").status_code == 303
    db.session.expire_all()
    assert post_step(client, application, "review").status_code == 303
    db.session.expire_all()
    r = post_step(client, application, "assessment", lead="i-1", members="i-2", starts_on="2010-09-01")
    assert r.status_code == 303, r.get_data(as_text=True)
    db.session.expire_all()
    assert post_step(client, application, "rectification").status_code == 303
    db.session.expire_all()
    r = post_step(client, application, "decided", password="wrong", refused="W-1 浑浊度仪未检定")
    assert r.status_code == 422 and "password is not correct" in r.get_data(as_text=True)
    db.session.expire_all()
    r = post_step(client, application, "decided", password=PASSWORD, refused="W-1 浑浊度仪未检定")
    assert r.status_code == 303
    db.session.expire_all()
    assert application.decision == "partial"
    assert {i.item_code: i.outcome for i in application.items}["W-1"] == "refused"
    assert post_step(client, application, "certified").status_code == 303
    db.session.expire_all()
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert application.status == "certified" and "CMA-A" in page and "Granted in part" in page
    assert 'id="history"' in page and "item asked for" in page


def test_the_list_flags_overdue_clocks_and_filters(client, world):
    late = drafted(world)
    steps.transition(late, "submitted", {}, world.users["manager"], on=date(2010, 8, 2))
    fresh = service.create(
        {"kind": "extension", "lab_code": "SC-B", "items": [{"item_code": "F-2"}]}, world.users["admin"]
    )
    login(client, world.users["quality"])
    page = client.get("/applications/?overdue=1").get_data(as_text=True)
    assert late.reference in page and fresh.reference not in page and "overdue" in page
    page = client.get("/applications/?kind=extension&region=Mianyang").get_data(as_text=True)
    assert fresh.reference in page and late.reference not in page
    assert client.get("/applications/?status=bogus").status_code == 200
    export = client.get("/applications/?format=csv")
    assert export.status_code == 200 and late.reference in export.get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert 'id="dash-applications"' in home


def test_the_working_calendar_is_read_by_all_and_edited_by_administrators(client, world):
    login(client, world.users["viewer"])
    page = client.get("/applications/calendar?year=2010")
    assert page.status_code == 200 and "2010-10-01" in page.get_data(as_text=True)
    assert 'id="days-form"' not in page.get_data(as_text=True)
    login(client, world.users["quality"])
    assert client.post("/applications/calendar/years", data={"year": 2011}).status_code == 403
    login(client, world.users["admin"])
    assert client.post("/applications/calendar/years", data={"year": 2011}).status_code == 303
    r = client.post(
        "/applications/calendar/days",
        data={"kind": "holiday", "first": "2011-02-02", "last": "2011-02-08", "name": "春节"},
    )
    assert r.status_code == 303
    r = client.post("/applications/calendar/days", data={"kind": "workday", "first": "2011-02-09"})
    assert r.status_code == 422 and "working day already" in r.get_data(as_text=True)
    r = client.post("/applications/calendar/days", data={"kind": "holiday", "first": "2012-01-01"})
    assert r.status_code == 422 and "not set up" in r.get_data(as_text=True)
    days = db.session.scalars(select(CalendarDay.day).where(CalendarDay.day >= date(2011, 1, 1))).all()
    assert len(days) == 7


def test_a_holiday_entered_late_moves_the_running_clocks(client, world):
    application = drafted(world)
    steps.transition(application, "submitted", {}, world.users["manager"], on=date(2010, 12, 1))
    assert application.clocks[0].due_on == date(2010, 12, 8)
    login(client, world.users["admin"])
    r = client.post("/applications/calendar/days", data={"kind": "holiday", "first": "2010-12-03"})
    assert r.status_code == 303
    db.session.expire_all()
    assert application.clocks[0].due_on == date(2010, 12, 9)


def test_the_lab_page_shows_its_applications(client, world):
    application = drafted(world)
    login(client, world.users["manager"])
    page = client.get("/labs/SC-A").get_data(as_text=True)
    assert 'id="lab-applications"' in page and application.reference in page


def test_a_team_member_raises_a_finding_on_an_item_and_the_division_decides_in_part(client, world):
    application = drafted(world)
    q = world.users["quality"]
    steps.transition(application, "submitted", {}, world.users["manager"], on=date(2010, 9, 1))
    steps.transition(application, "accepted", {}, q, on=date(2010, 9, 2))
    steps.transition(application, "review", {}, q, on=date(2010, 9, 2))
    steps.transition(
        application, "assessment", {"lead": "i-1", "starts_on": "2010-09-02"}, q, on=date(2010, 9, 2)
    )
    water = next(i for i in application.items if i.item_code == "W-1")
    login(client, world.users["i-2"])  # not on the team: no form
    assert 'id="finding-form"' not in client.get(f"/applications/{application.id}").get_data(as_text=True)
    login(client, world.users["i-1"])
    assert 'id="finding-form"' in client.get(f"/applications/{application.id}").get_data(as_text=True)
    r = client.post(f"/applications/{application.id}/findings", data={"severity": "minor", "area": "records"})
    assert r.status_code == 422
    r = client.post(
        f"/applications/{application.id}/findings",
        data={
            "severity": "minor",
            "area": "equipment_traceability",
            "clause": "6.4",
            "description": "浊度仪未检定",
            "item_ids": [str(water.id)],
        },
    )
    assert r.status_code == 303
    steps.transition(application, "rectification", {}, q, on=date(2010, 9, 6))
    login(client, q)
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "2010-10-01" in page and "W-1" in page  # due in a month (technical), concerning W-1
    assert 'id="open-findings"' in page
    r = post_step(client, application, "decided", password=PASSWORD)  # refused: back to the page, told why
    assert r.status_code == 303 and "still open" in client.get(r.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert application.status == "rectification"
    r = post_step(client, application, "decided", password=PASSWORD, exclude_open="y")
    assert r.status_code == 303
    db.session.expire_all()
    assert application.decision == "partial" and water.outcome == "refused"


def test_the_item_picker_asks_the_catalogue(client, world):
    login(client, world.users["manager"])
    found = client.get("/applications/lookup?q=F-").get_json()["items"]
    assert [i["item_code"] for i in found] == ["F-1", "F-2", "F-3"]
    assert found[1]["category_code"] == "FOOD" and found[1]["item_name"] == "镉的溶出量"
    assert client.get("/applications/lookup").get_json() == {"items": []}
    login(client, world.users["viewer"])
    assert client.get("/applications/lookup?q=F-").status_code == 403


def test_the_applicant_changes_the_title_of_a_draft_and_a_stale_form_is_refused(client, world):
    application = drafted(world)
    login(client, world.users["manager"])
    r = client.post(
        f"/applications/{application.id}/edit", data={"title": "扩项（修订）", "version": application.version}
    )
    assert r.status_code == 303
    db.session.expire_all()
    assert application.title == "扩项（修订）"
    r = client.post(f"/applications/{application.id}/edit", data={"title": "again", "version": 1})
    assert r.status_code == 303 and "changed this application" in client.get(r.headers["Location"]).get_data(
        as_text=True
    )
    r = client.post(
        f"/applications/{application.id}/edit", data={"title": "", "version": application.version}
    )
    assert r.status_code == 422
