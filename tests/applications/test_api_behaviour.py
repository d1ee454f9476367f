"""The applications API as an integrator meets it (DESIGN "Interfaces other tools rely on"): one error
shape `{"code", "status", "message", "errors"}` naming the fields, the list envelope and its page
arguments, filters answered 422 by name, a lab manager's isolation (404, never 403, for another
lab's), the refusals of each step, the findings of an assessment, and what a step answers."""

from datetime import date

import pytest
from freezegun import freeze_time

from labtrack.applications import service, steps
from labtrack.extensions import db
from tests.applications.conftest import NEW_ITEMS
from tests.factories import PASSWORD, bearer

API = "/api/v1/applications"


def _h(world, who):
    return bearer(world.users[who])[1]


def _error(response, code):
    """The body of a refusal, checked for the one error shape."""
    assert response.status_code == code, response.get_data(as_text=True)[:400]
    body = response.json
    assert set(body) >= {"code", "status", "message", "errors"}
    assert body["code"] == code and isinstance(body["message"], str) and body["message"]
    return body


def _draft(world, who="manager", kind="extension", items=NEW_ITEMS, lab=None):
    data = {"kind": kind, "items": items}
    if lab:
        data["lab_code"] = lab
    return service.create(data, world.users[who])


def _step(client, world, who, application_id, to, **body):
    return client.post(f"{API}/{application_id}/transitions", json={"to": to, **body}, headers=_h(world, who))


# --- signing in ------------------------------------------------------------------------------


def test_without_a_token_the_api_answers_401_in_json_not_a_login_page(client, world):
    body = _error(client.get(API), 401)
    assert body["status"] == "Unauthorized"
    _error(client.get(API, headers={"Authorization": "Bearer lt_not-a-token"}), 401)
    _error(client.post(API, json={"kind": "extension"}), 401)


# --- the list --------------------------------------------------------------------------------


def test_the_list_is_paged_and_a_page_past_the_end_is_empty(client, world):
    for n in range(5):
        _draft(world, items=[{"item_code": "F-2"}] if n % 2 else [{"item_code": "F-3"}])
    h = _h(world, "viewer")
    first = client.get(f"{API}?per_page=2", headers=h).json
    assert first["meta"] == {"page": 1, "per_page": 2, "total": 5}
    # most recently changed first: the same second for all, so the newest id first
    ids = [a["id"] for a in first["items"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 2
    third = client.get(f"{API}?per_page=2&page=3", headers=h).json
    assert len(third["items"]) == 1 and third["meta"]["page"] == 3
    past = client.get(f"{API}?per_page=2&page=4", headers=h).json
    assert past == {"items": [], "meta": {"page": 4, "per_page": 2, "total": 5}}


@pytest.mark.parametrize(
    "query, field",
    [
        ("per_page=0", "per_page"),
        ("per_page=501", "per_page"),
        ("page=0", "page"),
        ("page=two", "page"),
        ("status=pending", "status"),
        ("kind=upgrade", "kind"),
        ("overdue=maybe", "overdue"),
    ],
)
def test_a_bad_page_or_filter_is_answered_422_naming_it(client, world, query, field):
    body = _error(client.get(f"{API}?{query}", headers=_h(world, "viewer")), 422)
    assert field in body["errors"]


def test_the_list_shows_counts_the_running_clock_and_overdue(client, world):
    application = _draft(world)
    steps.transition(application, "submitted", {}, world.users["manager"], on=date(2010, 9, 1))
    h = _h(world, "viewer")
    # Submitted Wed 1 Sep: acceptance due 5 working days later, Wed 8 Sep.
    with freeze_time("2010-09-08"):
        (row,) = client.get(API, headers=h).json["items"]
    assert (row["items"], row["granted"], row["refused"]) == (3, 0, 0)
    assert (row["running_step"], row["due_on"], row["overdue"]) == ("acceptance", "2010-09-08", False)
    assert (row["lab_code"], row["region"], row["status"]) == ("SC-A", "Chengdu", "submitted")
    with freeze_time("2010-09-09"):
        (row,) = client.get(API, headers=h).json["items"]
        assert row["overdue"] is True
        assert [a["id"] for a in client.get(f"{API}?overdue=1", headers=h).json["items"]] == [application.id]


# --- a lab manager's isolation ---------------------------------------------------------------


def test_another_labs_manager_meets_404_everywhere_and_lists_none_of_it(client, world):
    application = _draft(world)
    h = _h(world, "other-manager")
    for response in (
        client.get(f"{API}/{application.id}", headers=h),
        client.post(f"{API}/{application.id}/items", json={"items": [{"item_code": "F-3"}]}, headers=h),
        _step(client, world, "other-manager", application.id, "submitted"),
        client.post(
            f"{API}/{application.id}/findings",
            json={"severity": "minor", "area": "records", "clause": "7.5", "description": "x"},
            headers=h,
        ),
    ):
        body = _error(response, 404)
        assert body["status"] == "Not Found"
    assert client.get(API, headers=h).json == {"items": [], "meta": {"page": 1, "per_page": 25, "total": 0}}
    assert client.get(f"{API}?lab=SC-A", headers=h).json["meta"]["total"] == 0
    db.session.expire_all()
    assert [i.item_code for i in application.items] == ["F-2", "T-1", "W-1"]


def test_a_lab_manager_drafts_without_naming_the_lab_and_sees_their_own(client, world):
    created = client.post(
        API, json={"kind": "extension", "items": [{"item_code": "F-2"}]}, headers=_h(world, "manager")
    )
    assert created.status_code == 201
    got = client.get(created.headers["Location"], headers=_h(world, "manager"))
    assert (
        got.status_code == 200 and got.json["lab_code"] == "SC-A" and got.json["title"] == "SC-A · Extension"
    )


# --- drafting through the API ----------------------------------------------------------------


@pytest.mark.parametrize(
    "body, field",
    [
        ({"items": []}, "kind"),
        ({"kind": "extension", "items": "F-2"}, "items"),
        ({"kind": "extension", "items": [{"item_name": "无代码"}]}, "items"),
    ],
)
def test_a_draft_with_missing_or_bad_fields_is_422_naming_them_and_nothing_is_saved(
    client, world, body, field
):
    answer = _error(client.post(API, json=body, headers=_h(world, "manager")), 422)
    assert field in answer["errors"]
    assert client.get(API, headers=_h(world, "viewer")).json["meta"]["total"] == 0


def test_items_added_all_or_nothing_with_errors_by_index(client, world):
    application = _draft(world, items=[])
    h = _h(world, "manager")
    body = _error(
        client.post(
            f"{API}/{application.id}/items",
            json={
                "items": [
                    {"item_code": "F-3"},
                    {"item_code": "F-1"},
                    {"item_code": "Z-9", "category_code": "ZZ"},
                ]
            },
            headers=h,
        ),
        422,
    )
    assert set(body["errors"]["items"]) == {"1", "2"}
    assert body["errors"]["items"]["1"]["item_code"] == ["SC-A already holds F-1 (since 2008-03-01)."]
    assert set(body["errors"]["items"]["2"]) == {"category_name", "item_name"}
    assert client.get(f"{API}/{application.id}", headers=h).json["items"] == []
    viewer = _error(
        client.post(
            f"{API}/{application.id}/items",
            json={"items": [{"item_code": "F-3"}]},
            headers=_h(world, "viewer"),
        ),
        403,
    )
    assert viewer["status"] == "Forbidden"


def test_the_application_shows_each_item_as_the_catalogue_knows_it(client, world):
    application = _draft(world)
    body = client.get(f"{API}/{application.id}", headers=_h(world, "viewer")).json
    shown = {i["item_code"]: (i["category_code"], i["in_catalogue"], i["outcome"]) for i in body["items"]}
    assert shown == {"F-2": ("FOOD", True, None), "T-1": ("TEX", True, None), "W-1": ("WATER", False, None)}
    assert (body["status"], body["status_label"], body["kind_label"]) == ("draft", "Draft", "Extension")
    assert body["clocks"] == [] and body["assessment"] is None and body["steps"] == []
    # what the caller may do next: the applicant submits; readers and the division wait
    assert body["next"] == []
    assert client.get(f"{API}/{application.id}", headers=_h(world, "manager")).json["next"] == ["submitted"]


# --- steps -----------------------------------------------------------------------------------


def test_a_step_answers_the_application_with_its_clock_and_log(client, world):
    application = _draft(world)
    before = application.version
    with freeze_time("2010-09-17"):
        r = _step(client, world, "manager", application.id, "submitted", comment="首次提交", version=before)
    assert r.status_code == 200
    (clock,) = r.json["clocks"]
    # After Fri 17 Sep: Sun 19 (make-up), Mon 20, Tue 21, Sat 25 (make-up), Sun 26 (make-up).
    assert (clock["step"], clock["started_on"], clock["due_on"], clock["limit"]) == (
        "acceptance",
        "2010-09-17",
        "2010-09-26",
        5,
    )
    assert (clock["stopped_on"], clock["taken"], clock["left"], clock["overdue"]) == (None, 0, 5, False)
    assert (clock["running"], clock["running_out"]) == (True, False)  # 5 days left: not yet running out
    assert r.json["steps"] == [
        {
            "name": "submit",
            "from_status": "draft",
            "to_status": "submitted",
            "by": "manager-SC-A",
            "on": "2010-09-17",
            "comment": "首次提交",
        }
    ]
    assert r.json["version"] > before  # the version to send with the next step
    with freeze_time("2010-09-21"):
        r = client.get(f"{API}/{application.id}", headers=_h(world, "quality"))
        (clock,) = r.json["clocks"]
        # Sun 19, Mon 20, Tue 21 taken (22-24 are the Mid-Autumn holiday); Sat 25, Sun 26 left.
        assert (clock["taken"], clock["left"], clock["overdue"]) == (3, 2, False)
        assert (clock["running"], clock["running_out"]) == (True, True)  # as the page warns of it
        assert r.json["next"] == ["accepted", "returned"]


def test_a_stale_version_is_409_naming_the_version_and_changes_nothing(client, world):
    application = _draft(world)
    read = client.get(f"{API}/{application.id}", headers=_h(world, "manager")).json
    with freeze_time("2010-09-01"):
        service.update(application, {"title": "改名"}, world.users["manager"])
        body = _error(
            _step(client, world, "manager", application.id, "submitted", version=read["version"]), 409
        )
    assert body["errors"] == {"version": ["The application has changed since you read it."]}
    assert client.get(f"{API}/{application.id}", headers=_h(world, "viewer")).json["status"] == "draft"


def test_a_version_that_is_not_a_number_is_422(client, world):
    application = _draft(world)
    body = _error(_step(client, world, "manager", application.id, "submitted", version="latest"), 422)
    assert "version" in body["errors"]


@pytest.mark.parametrize(
    "payload, field",
    [
        ([{"to": "submitted"}], "json"),
        ("submitted", "json"),
        ({"to": 3}, "to"),
        ({}, "to"),
    ],
)
def test_a_body_that_is_not_an_object_or_names_no_status_is_422(client, world, payload, field):
    application = _draft(world)
    r = client.post(f"{API}/{application.id}/transitions", json=payload, headers=_h(world, "manager"))
    assert field in _error(r, 422)["errors"]


def test_the_division_returns_with_reasons_named_when_missing(client, world):
    application = _draft(world)
    with freeze_time("2010-09-01"):
        _step(client, world, "manager", application.id, "submitted")
        body = _error(_step(client, world, "quality", application.id, "returned", reasons="  "), 422)
        assert list(body["errors"]) == ["reasons"]
        r = _step(client, world, "quality", application.id, "returned", reasons="缺少仪器检定证书")
    assert r.status_code == 200
    assert (r.json["status"], r.json["return_reasons"]) == ("returned", "缺少仪器检定证书")
    # the acceptance clock stopped the same day: no working day taken, on time
    (clock,) = r.json["clocks"]
    assert (clock["stopped_on"], clock["taken"], clock["on_time"]) == ("2010-09-01", 0, True)
    assert (clock["running"], clock["running_out"]) == (False, False)
    assert client.get(f"{API}/{application.id}", headers=_h(world, "manager")).json["next"] == ["submitted"]


def test_a_step_on_a_day_whose_year_is_not_set_up_is_409_naming_the_calendar(client, world):
    application = _draft(world)
    with freeze_time("2011-01-05"):
        body = _error(_step(client, world, "manager", application.id, "submitted"), 409)
    assert body["errors"] == {"calendar": ["No working calendar for 2011."]}
    assert "2011" in body["message"]


def test_an_application_with_no_items_cannot_be_submitted(client, world):
    application = _draft(world, items=[])
    with freeze_time("2010-09-01"):
        body = _error(_step(client, world, "manager", application.id, "submitted"), 422)
    assert body["errors"] == {"items": ["Add at least one item before submitting."]}


# --- the assessment's findings ---------------------------------------------------------------


def _in_assessment(world):
    application = _draft(world)
    q = world.users["quality"]
    steps.transition(application, "submitted", {}, world.users["manager"], on=date(2010, 9, 1))
    steps.transition(application, "accepted", {}, q, on=date(2010, 9, 2))
    steps.transition(application, "review", {}, q, on=date(2010, 9, 2))
    steps.transition(application, "assessment", {"lead": "i-1"}, q, on=date(2010, 9, 6))
    return application


FINDING = {"severity": "major", "area": "qms_documentation", "clause": "8.3", "description": "记录未受控"}


def test_a_team_member_raises_a_finding_answered_201_with_its_location(client, world):
    application = _in_assessment(world)
    with freeze_time("2010-09-07"):
        r = client.post(
            f"{API}/{application.id}/findings",
            json={**FINDING, "item_codes": ["T-1"]},
            headers=_h(world, "i-1"),
        )
    assert r.status_code == 201
    # clause 8 is not technical: 2 months from 7 Sep
    assert (r.json["technical"], r.json["raised_on"], r.json["due_on"], r.json["items"]) == (
        False,
        "2010-09-07",
        "2010-11-07",
        ["T-1"],
    )
    assert r.headers["Location"].endswith(f"/api/v1/findings/{r.json['id']}")
    got = client.get(r.headers["Location"], headers=_h(world, "manager"))
    assert got.status_code == 200
    shown = client.get(f"{API}/{application.id}", headers=_h(world, "viewer")).json["assessment"]
    assert shown["lead"] == "i-1" and [x["id"] for x in shown["findings"]] == [r.json["id"]]


def test_findings_refused_to_others_outside_the_team_and_outside_the_assessment(client, world):
    application = _in_assessment(world)
    url = f"{API}/{application.id}/findings"
    assert (
        "assessment team" in _error(client.post(url, json=FINDING, headers=_h(world, "i-2")), 403)["message"]
    )
    _error(client.post(url, json=FINDING, headers=_h(world, "viewer")), 403)
    body = _error(client.post(url, json={**FINDING, "item_codes": ["X-1"]}, headers=_h(world, "i-1")), 422)
    assert body["errors"] == {"item_ids": ["X-1 is not an item of this application."]}
    body = _error(client.post(url, json={**FINDING, "description": ""}, headers=_h(world, "i-1")), 422)
    assert "description" in body["errors"]
    steps.transition(application, "rectification", {}, world.users["quality"], on=date(2010, 9, 7))
    steps.transition(
        application, "decided", {"password": PASSWORD}, world.users["quality"], on=date(2010, 9, 8)
    )
    _error(client.post(url, json=FINDING, headers=_h(world, "i-1")), 409)
    assert (
        client.get(f"{API}/{application.id}", headers=_h(world, "viewer")).json["assessment"]["findings"]
        == []
    )


def test_the_decision_through_the_api_keeps_each_refused_items_reason(client, world):
    application = _in_assessment(world)
    steps.transition(application, "rectification", {}, world.users["quality"], on=date(2010, 9, 7))
    with freeze_time("2010-09-08"):
        r = _step(
            client,
            world,
            "quality",
            application.id,
            "decided",
            password=PASSWORD,
            refused=[{"item_code": "W-1", "reason": "无浊度仪"}],
            comment="部分批准",
        )
    assert r.status_code == 200
    items = {i["item_code"]: (i["outcome"], i["reason"], i["basis"]) for i in r.json["items"]}
    assert items == {
        "F-2": ("granted", None, "extension"),
        "T-1": ("granted", None, "extension"),
        "W-1": ("refused", "无浊度仪", None),
    }
    assert (r.json["decision"], r.json["decided_by"], r.json["decision_note"]) == (
        "partial",
        "quality",
        "部分批准",
    )
    assert r.json["next"] == ["certified"]
    (row,) = client.get(API, headers=_h(world, "viewer")).json["items"]
    assert (row["granted"], row["refused"], row["decision"]) == (2, 1, "partial")
