"""The applications report: stages, working days per step (median, 90th percentile), on time, grant
rate, items granted per month by region, where growth came from; the campaign block."""

from datetime import date

from labtrack.applications import campaign, reports, service, steps
from tests.applications.conftest import NEW_ITEMS
from tests.factories import PASSWORD


def test_percentile_interpolates_between_ranks():
    assert reports.percentile([], 0.9) is None
    assert reports.percentile([4], 0.9) == 4
    assert reports.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == 9.1


def _decided(world, lab="SC-A", on=date(2010, 9, 8), refused=None):
    who = world.users["manager"] if lab == "SC-A" else world.users["admin"]
    data = {"kind": "extension", "items": NEW_ITEMS}
    if lab != "SC-A":
        data["lab_code"] = lab
    a = service.create(data, who)
    q = world.users["quality"]
    steps.transition(a, "submitted", {}, who, on=date(2010, 9, 1))
    steps.transition(a, "accepted", {}, q, on=date(2010, 9, 3))
    steps.transition(a, "review", {}, q, on=date(2010, 9, 3))
    steps.transition(a, "assessment", {"lead": "i-1", "starts_on": "2010-09-06"}, q, on=date(2010, 9, 6))
    steps.transition(a, "rectification", {}, q, on=date(2010, 9, 7))
    steps.transition(a, "decided", {"password": PASSWORD, "refused": refused or {}}, q, on=on)
    return a


def test_the_figures_of_a_period(world):
    a = _decided(world)
    b = _decided(world, lab="SC-B", on=date(2010, 10, 12), refused={"W-1": "无设备"})
    f = reports.figures(date(2010, 1, 1), date(2010, 12, 31))
    assert f["submitted"] == 2 and f["by_kind"]["extension"] == {"decided": 2}
    assert (f["decided"], f["items_granted"], f["items_refused"]) == (2, 5, 1)
    assert f["grant_rate"] == 5 / 6 and f["decisions"] == {"granted": 1, "partial": 1}
    # acceptance: Wed 1 -> Fri 3 Sep = 2 working days, both; decision: Tue 7 -> Wed 8 Sep = 1, and
    # Tue 7 Sep -> Tue 12 Oct = 21 (8-10, 13-17, Sun 19, 20-21, Sat 25, Sun 26, 27-30, 8, Sat 9, 11, 12):
    # over its limit of 20, the one step of six timed ones done late
    assert f["steps"]["acceptance"] == {"count": 2, "median": 2.0, "p90": 2.0}
    assert f["steps"]["decision"]["count"] == 2 and f["steps"]["decision"]["median"] == 11.0
    assert f["steps"]["decision"]["p90"] == 19.0
    assert f["on_time_share"] == 5 / 6
    assert f["granted_per_month"] == [
        {"region": "Chengdu", "month": "2010-09", "items": 3},
        {"region": "Mianyang", "month": "2010-10", "items": 2},
    ]
    only_chengdu = reports.figures(date(2010, 1, 1), date(2010, 12, 31), region="Chengdu")
    assert only_chengdu["decided"] == 1
    sources = reports.sources(date(2010, 1, 1), date(2010, 12, 31))
    assert [(x.reference, n) for x, n in sources["applications"]] == [(a.reference, 3), (b.reference, 2)]
    assert sources["untraced"] == 0  # the world's own periods were granted before 2010
    granted = reports.granted_by([i.scope_entry_id for i in a.items])
    assert {x.reference for x in granted.values()} == {a.reference}


def test_the_campaign_block(world):
    _decided(world)
    b = campaign.block(date(2010, 1, 1), date(2010, 12, 31), None, None)
    assert (b["decided"], b["items_granted"]) == (1, 3)
    assert campaign.headline_parts(b) == ["1 qualification application decided, 3 items granted"]
    assert ["applications", "total", "decided", 1] in campaign.export_rows(b)
    campaign.BlockSchema().dump(b)


def test_the_report_page_and_its_export(client, world):
    _decided(world)
    client.post("/login", data={"username": "viewer", "password": PASSWORD})
    page = client.get("/applications/report?from=2010-01-01&to=2010-12-31")
    assert page.status_code == 200 and "QA-2010-001" in page.get_data(as_text=True)
    export = client.get("/applications/report?from=2010-01-01&to=2010-12-31&format=csv")
    assert export.status_code == 200 and "items_granted" in export.get_data(as_text=True)
    client.post("/logout")
    client.post("/login", data={"username": "manager-SC-B", "password": PASSWORD})
    page = client.get("/applications/report?from=2010-01-01&to=2010-12-31")
    assert page.status_code == 200 and "QA-2010-001" not in page.get_data(as_text=True)


def test_the_growth_page_names_the_application_that_granted_each_item(client, world):
    a = _decided(world)
    client.post("/login", data={"username": "viewer", "password": PASSWORD})
    page = client.get("/scope/growth?lab=SC-A&from=2010-01-01&to=2010-12-31")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count(f">{a.reference}</a>") == 3  # F-2, T-1 and W-1 added, each by this decision
