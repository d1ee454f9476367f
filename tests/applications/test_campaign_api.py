"""The applications block of the campaign summary through `GET /api/v1/reports/campaign` (DESIGN
"Qualification applications", Reports: applications submitted and decided, items granted and
refused, the grant rate, the share of timed steps done on time), for the whole province, a region
and a lab manager's own lab; and the period and region arguments' refusals."""

from datetime import date

import pytest
from freezegun import freeze_time

from labtrack.applications import service, steps
from tests.factories import PASSWORD, bearer

URL = "/api/v1/reports/campaign"


@pytest.fixture
def year(world):
    """SC-A's extension (F-2, T-1, W-1): submitted Fri 17 Sep, accepted Tue 21 Sep (3 working days:
    Sun 19 make-up, Mon 20, Tue 21; limit 5, on time), assessed 21 Sep to Fri 8 Oct (7 of 45, on
    time), decided Tue 12 Oct refusing W-1 (3 of 20, on time); the rectification clock has no limit.
    SC-B's renewal: submitted Mon 16 Aug, accepted Tue 24 Aug (17-20, 23, 24 Aug: 6 of 5, late)."""
    q, manager, admin = world.users["quality"], world.users["manager"], world.users["admin"]
    extension = service.create(
        {"kind": "extension", "items": [{"item_code": c} for c in ("F-2", "T-1")]}, manager
    )
    service.add_item(
        extension,
        {"item_code": "W-1", "category_code": "WATER", "category_name": "水", "item_name": "浑浊度"},
        manager,
    )
    steps.transition(extension, "submitted", {}, manager, on=date(2010, 9, 17))
    steps.transition(extension, "accepted", {}, q, on=date(2010, 9, 21))
    steps.transition(extension, "review", {}, q, on=date(2010, 9, 21))
    steps.transition(extension, "assessment", {"lead": "i-1"}, q, on=date(2010, 9, 27))
    steps.transition(extension, "rectification", {}, q, on=date(2010, 10, 8))
    steps.transition(
        extension, "decided", {"password": PASSWORD, "refused": {"W-1": "无设备"}}, q, on=date(2010, 10, 12)
    )
    renewal = service.create({"kind": "renewal", "lab_code": "SC-B", "items": [{"item_code": "F-1"}]}, admin)
    steps.transition(renewal, "submitted", {}, admin, on=date(2010, 8, 16))
    steps.transition(renewal, "accepted", {}, q, on=date(2010, 8, 24))
    return world


def _get(client, world, who, query):
    with freeze_time("2010-12-31"):
        return client.get(f"{URL}?{query}", headers=bearer(world.users[who])[1])


def test_the_provinces_applications_of_the_year(client, year):
    body = _get(client, year, "quality", "from=2010-01-01&to=2010-12-31").json
    block = body["applications"]
    assert (block["submitted"], block["decided"], block["decisions"]) == (2, 1, {"partial": 1})
    assert (block["items_granted"], block["items_refused"]) == (2, 1)
    assert block["grant_rate"] == pytest.approx(2 / 3)
    # timed steps stopped in the year: three on time (SC-A), one late (SC-B's acceptance)
    assert block["on_time_share"] == pytest.approx(3 / 4)
    assert (body["from"], body["to"], body["region"], body["lab_code"]) == (
        "2010-01-01",
        "2010-12-31",
        None,
        None,
    )


def test_a_region_and_a_shorter_period_narrow_the_figures(client, year):
    mianyang = _get(client, year, "viewer", "from=2010-01-01&to=2010-12-31&region=Mianyang").json[
        "applications"
    ]
    assert (mianyang["submitted"], mianyang["decided"], mianyang["items_granted"]) == (1, 0, 0)
    assert mianyang["grant_rate"] is None and mianyang["on_time_share"] == 0.0
    august = _get(client, year, "viewer", "from=2010-08-01&to=2010-08-31").json["applications"]
    assert (august["submitted"], august["decided"], august["on_time_share"]) == (1, 0, 0.0)


def test_a_lab_manager_reads_their_own_labs_figures_whatever_region_they_name(client, year):
    body = _get(client, year, "manager", "from=2010-01-01&to=2010-12-31&region=Mianyang").json
    block = body["applications"]
    assert (body["lab_code"], body["region"]) == ("SC-A", None)
    assert (block["submitted"], block["decided"], block["items_granted"], block["items_refused"]) == (
        1,
        1,
        2,
        1,
    )
    assert block["on_time_share"] == 1.0
    other = _get(client, year, "other-manager", "from=2010-01-01&to=2010-12-31").json["applications"]
    assert (other["submitted"], other["decided"], other["on_time_share"]) == (1, 0, 0.0)


def test_one_date_given_means_the_rest_of_its_year(client, year):
    body = _get(client, year, "quality", "from=2010-09-01").json
    assert (body["from"], body["to"]) == ("2010-09-01", "2010-12-31")
    assert body["applications"]["submitted"] == 1  # SC-B's renewal was submitted in August
    body = _get(client, year, "quality", "to=2010-08-31").json
    assert (body["from"], body["to"]) == ("2010-01-01", "2010-08-31")
    assert body["applications"]["submitted"] == 1 and body["applications"]["decided"] == 0


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2010-12-31&to=2010-01-01", "to"),
        ("from=2010-13-01&to=2010-12-31", "from"),
        ("from=yesterday", "from"),
        ("from=2010-01-01&to=2010-12-31&region=Atlantis", "region"),
    ],
)
def test_a_bad_period_or_unknown_region_is_422_naming_it(client, world, query, field):
    response = _get(client, world, "quality", query)
    assert response.status_code == 422
    body = response.json
    assert body["code"] == 422 and field in body["errors"] and body["message"]
