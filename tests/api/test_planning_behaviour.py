"""The planning API's sanctions and risk grades as a client meets them (today is 2010-10-01):
201 with Location, every refusal as JSON naming its field, lifting with the version read, the
register's filters, and a lab manager who reads their own lab's and nothing else."""

from datetime import date

import pytest
from freezegun import freeze_time

from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.planning.models import Sanction
from tests import factories as f
from tests.planning import factories as pf


@pytest.fixture
def province(app):
    """CD-1 (Chengdu) holds F-1 and T-1, MY-1 (Mianyang) holds F-1; CD-1 has an open finding and
    one accepted on 2010-09-20; a quality officer, a viewer and each lab's manager hold tokens."""
    with freeze_time("2010-10-01 09:00:00"):
        food = f.TestCategoryFactory(code="FOOD")
        lead = f.TestItemFactory(category=food, code="F-1")
        fibre = f.TestItemFactory(category=food, code="T-1")
        cd1 = f.LabFactory(code="CD-1", region="Chengdu")
        my1 = f.LabFactory(code="MY-1", region="Mianyang")
        for lab, item in ((cd1, lead), (cd1, fibre), (my1, lead)):
            f.ScopeEntryFactory(lab=lab, item=item, granted_on=date(2009, 1, 1))
        world = {
            "cd1": cd1,
            "my1": my1,
            "open": f.FindingFactory(audit__lab=cd1),
            "closed": f.FindingFactory(audit__lab=cd1, closed=True, closed_on=date(2010, 9, 20)),
            "quality": f.bearer(role=Role.QUALITY)[1],
            "viewer": f.bearer(role=Role.VIEWER)[1],
            "manager": f.bearer(role=Role.LAB_MANAGER, lab=cd1)[1],
            "outsider": f.bearer(role=Role.LAB_MANAGER, lab=my1)[1],
        }
        yield world


def suspension(world, **overrides) -> dict:
    body = {
        "kind": "suspension",
        "item_codes": ["F-1"],
        "finding_ids": [world["closed"].id],
        "basis": "Order 86, art. 40",
        "starts_on": "2010-09-01",
        "ends_on": "2010-12-01",
    }
    body.update(overrides)
    return body


def impose(client, world, code="CD-1", **overrides):
    return client.post(
        f"/api/v1/labs/{code}/sanctions", json=suspension(world, **overrides), headers=world["quality"]
    )


# --- imposing ---------------------------------------------------------------------------------


def test_imposing_answers_201_with_the_sanction_and_its_location(client, province):
    answer = impose(client, province)
    assert answer.status_code == 201
    body = answer.json
    assert answer.headers["Location"].endswith(f"/api/v1/sanctions/{body['id']}")
    assert {
        k: body[k] for k in ("reference", "lab_code", "kind", "whole", "item_codes", "in_force", "ended_on")
    } == {
        "reference": "SN-2010-001",
        "lab_code": "CD-1",
        "kind": "suspension",
        "whole": False,
        "item_codes": ["F-1"],
        "in_force": True,
        "ended_on": None,
    }
    assert client.get(answer.headers["Location"], headers=province["viewer"]).json["id"] == body["id"]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"kind": "fine"}, "kind"),
        ({"starts_on": "2010-13-01"}, "starts_on"),
        ({"ends_on": "2010-08-01"}, "ends_on"),
        ({"item_codes": ["X-9"]}, "item_codes"),
        ({"finding_ids": [0]}, "finding_ids"),
        ({"finding_ids": []}, "finding_ids"),
        ({"basis": ""}, "basis"),
    ],
)
def test_a_bad_sanction_is_422_naming_the_field(client, province, overrides, field):
    answer = impose(client, province, **overrides)
    assert answer.status_code == 422
    assert field in answer.json["errors"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Sanction)) == 0


def test_an_item_the_lab_does_not_hold_is_named_in_the_answer(client, province):
    finding = f.FindingFactory(audit__lab=province["my1"])
    answer = impose(client, province, code="MY-1", item_codes=["T-1"], finding_ids=[finding.id])
    assert answer.status_code == 422
    assert answer.json["errors"]["item_codes"] == ["MY-1 does not hold these items on 2010-09-01: T-1."]


def test_an_overlapping_suspension_is_422_on_starts_on(client, province):
    first = impose(client, province).json
    answer = impose(client, province, starts_on="2010-09-15")
    assert answer.status_code == 422
    assert first["reference"] in answer.json["errors"]["starts_on"][0]


def test_a_sanction_on_an_unknown_lab_is_404(client, province):
    assert impose(client, province, code="NOPE").status_code == 404


@pytest.mark.parametrize("who", ["viewer", "manager"])
def test_readers_and_lab_managers_may_not_impose(client, province, who):
    answer = client.post("/api/v1/labs/CD-1/sanctions", json=suspension(province), headers=province[who])
    assert answer.status_code == 403 and answer.json["code"] == 403


# --- lifting ----------------------------------------------------------------------------------


@freeze_time("2010-10-01 09:00:00")
def test_lifting_with_the_version_read(client, province):
    made = impose(client, province).json
    url = f"/api/v1/sanctions/{made['id']}/lift"
    stale = client.post(
        url, json={"lifted_on": "2010-09-25", "version": made["version"] + 1}, headers=province["quality"]
    )
    assert stale.status_code == 409 and "version" in stale.json["errors"]
    early = client.post(
        url, json={"lifted_on": "2010-09-19", "version": made["version"]}, headers=province["quality"]
    )
    assert early.status_code == 422
    assert early.json["errors"] == {
        "lifted_on": ["The findings were accepted on 2010-09-20; lift on or after it."]
    }
    lifted = client.post(
        url,
        json={"lifted_on": "2010-09-25", "comment": "验收合格", "version": made["version"]},
        headers=province["quality"],
    )
    assert lifted.status_code == 200
    assert (lifted.json["ended_on"], lifted.json["end_kind"], lifted.json["in_force"]) == (
        "2010-09-25",
        "lifted",
        False,
    )
    again = client.post(url, json={}, headers=province["quality"])
    assert again.status_code == 409


@freeze_time("2010-10-01 09:00:00")
def test_a_sanction_with_an_open_finding_is_409_naming_finding_ids(client, province):
    made = impose(client, province, finding_ids=[province["open"].id]).json
    answer = client.post(f"/api/v1/sanctions/{made['id']}/lift", json={}, headers=province["quality"])
    assert answer.status_code == 409
    assert province["open"].label in answer.json["errors"]["finding_ids"][0]


@freeze_time("2010-10-01 09:00:00")
def test_a_lift_with_a_bad_date_or_version_type_is_422(client, province):
    made = impose(client, province).json
    url = f"/api/v1/sanctions/{made['id']}/lift"
    assert client.post(url, json={"lifted_on": "yesterday"}, headers=province["quality"]).status_code == 422
    assert client.post(url, json={"version": "1"}, headers=province["quality"]).status_code == 422


# --- the register and what a lab manager reads ------------------------------------------------


@freeze_time("2010-10-01 09:00:00")
def test_the_register_filters_by_lab_region_kind_and_status(client, province):
    own = impose(client, province).json
    finding = f.FindingFactory(audit__lab=province["my1"])
    theirs = impose(
        client,
        province,
        code="MY-1",
        kind="deadline_rectification",
        item_codes=[],
        finding_ids=[finding.id],
        ends_on="2010-09-20",
    ).json

    def refs(query, who="viewer"):
        answer = client.get(f"/api/v1/sanctions?{query}", headers=province[who])
        assert answer.status_code == 200
        return [s["reference"] for s in answer.json["items"]]

    assert refs("") == [theirs["reference"], own["reference"]]  # same start: the newer first
    assert refs("lab=CD-1") == [own["reference"]]
    assert refs("region=Mianyang") == [theirs["reference"]]
    assert refs("kind=deadline_rectification") == [theirs["reference"]]
    assert refs("status=overdue") == [theirs["reference"]]  # its deadline, 09-20, has passed
    assert refs("status=ended") == []
    assert refs("", who="manager") == [own["reference"]]
    assert client.get("/api/v1/sanctions?per_page=1", headers=province["viewer"]).json["meta"]["total"] == 2


@freeze_time("2010-10-01 09:00:00")
def test_a_lab_manager_cannot_open_another_labs_sanction(client, province):
    own = impose(client, province).json
    assert client.get(f"/api/v1/sanctions/{own['id']}", headers=province["manager"]).status_code == 200
    hidden = client.get(f"/api/v1/sanctions/{own['id']}", headers=province["outsider"])
    assert hidden.status_code == 404 and hidden.json["code"] == 404


def test_a_labs_risk_grade_and_the_list_of_grades(client, province):
    pf.RiskGradingFactory(lab=province["cd1"], grade="C", score=9)
    pf.RiskGradingFactory(lab=province["my1"], grade="A", score=1)
    body = client.get("/api/v1/labs/CD-1/risk", headers=province["viewer"]).json
    assert (body["lab_code"], body["grade"], body["score"], body["as_of"]) == ("CD-1", "C", 9, "2010-12-31")
    assert body["explanation"]
    listed = client.get("/api/v1/risk", headers=province["viewer"]).json
    assert [(g["lab_code"], g["grade"]) for g in listed["items"]] == [("CD-1", "C"), ("MY-1", "A")]
    assert [
        g["lab_code"] for g in client.get("/api/v1/risk?grade=A", headers=province["viewer"]).json["items"]
    ] == ["MY-1"]
    assert [
        g["lab_code"]
        for g in client.get("/api/v1/risk?region=Chengdu", headers=province["viewer"]).json["items"]
    ] == ["CD-1"]
    mine = client.get("/api/v1/risk", headers=province["outsider"]).json
    assert [g["lab_code"] for g in mine["items"]] == ["MY-1"]


def test_filters_given_values_that_do_not_exist_are_refused_by_name(client, province):
    """A misspelt filter is a 422 naming it, not an empty list that looks like an answer."""
    for url, field in [
        ("/api/v1/risk?grade=E", "grade"),
        ("/api/v1/risk?kind=spaceport", "kind"),
        ("/api/v1/sanctions?status=forever", "status"),
        ("/api/v1/sanctions?kind=fine", "kind"),
    ]:
        answer = client.get(url, headers=province["viewer"])
        assert answer.status_code == 422, url
        assert field in answer.json["errors"], url


def test_a_lab_never_graded_is_404_with_a_reason(client, province):
    answer = client.get("/api/v1/labs/CD-1/risk", headers=province["viewer"])
    assert answer.status_code == 404
    assert answer.json["message"] == "This laboratory has not been graded yet."
    assert client.get("/api/v1/labs/CD-1/risk", headers=province["outsider"]).status_code == 404


def test_only_planning_managers_recompute_a_grade(client, province):
    assert client.post("/api/v1/labs/CD-1/risk", headers=province["viewer"]).status_code == 403
    assert client.post("/api/v1/labs/CD-1/risk", headers=province["manager"]).status_code == 403
