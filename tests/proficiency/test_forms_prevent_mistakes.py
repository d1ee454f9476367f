"""The round form's guards (issue 10): codes proposed by kind and year, the catalogue item picked
from the catalogue, participants proposed from the labs holding the item (a JSON lookup only for
those who manage rounds), a warning for results entered after the closing date, x_pt and sigma_pt
shown on the round."""

import re
from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.proficiency import service
from labtrack.proficiency.models import Result, Round
from tests import factories as f
from tests.factories import RoundFactory, ScopeEntryFactory

ZH = {"Accept-Language": "zh-CN"}


def _new_round(client, **fields):
    data = {
        "code": "",
        "title": "Lead in tableware",
        "kind": "blind_sample",
        "measurand": "Pb",
        "assigned_value_method": "reference",
        "sigma_pt_method": "fixed",
        "score_basis": "z",
        **fields,
    }
    return client.post("/rounds/new", data=data)


@freeze_time("2026-03-02")
def test_a_new_round_without_a_code_gets_the_next_of_its_kind_and_year(client, auth):
    auth.login(Role.QUALITY)
    RoundFactory(code="BS-2026-01")
    RoundFactory(code="BS-2026-07")  # numbers go on from the highest, gaps are not reused
    RoundFactory(code="BS-2025-12")
    assert _new_round(client).status_code == 303
    assert _new_round(client, kind="measurement_comparison").status_code == 303
    assert _new_round(client, opens_on="2027-01-10", closes_on="2027-02-10").status_code == 303
    codes = set(db.session.scalars(select(Round.code)))
    assert {"BS-2026-08", "MC-2026-01", "BS-2027-01"} <= codes


@freeze_time("2026-03-02")
def test_the_form_proposes_the_code_and_follows_the_kind(client, auth):
    auth.login(Role.QUALITY)
    RoundFactory(code="MC-2026-03")
    page = client.get("/rounds/new").get_data(as_text=True)
    assert 'value="BS-2026-01"' in page  # the first kind's proposal, filled in
    assert "MC-2026-04" in page  # the proposal for another kind, for the browser to switch to
    # A code given by hand is kept.
    assert _new_round(client, code="CNAS-T0999").status_code == 303
    assert db.session.scalar(select(Round.id).where(Round.code == "CNAS-T0999"))


def test_the_item_is_chosen_from_the_catalogue_not_typed(client, auth):
    auth.login(Role.QUALITY)
    item = f.TestItemFactory(code="C011-01", name="食品铅")
    page = client.get("/rounds/new").get_data(as_text=True)
    assert '<select class="form-select' in page and 'value="C011-01"' in page and "C011-01 食品铅" in page
    refused = _new_round(client, item_code="NO-SUCH")
    assert refused.status_code == 422 and db.session.scalar(select(Round.id)) is None
    assert _new_round(client, item_code=item.code).status_code == 303
    assert db.session.scalar(select(Round.item_id)) == item.id


@freeze_time("2026-03-02")
def test_participants_proposed_are_the_labs_holding_the_item_today(client, auth, make_lab):
    item, other = f.TestItemFactory(code="C011-01"), f.TestItemFactory(code="C011-02")
    a, b, c, d = (make_lab(code) for code in ("L-A", "L-B", "L-C", "L-D"))
    ScopeEntryFactory(lab=b, item=item)
    ScopeEntryFactory(lab=a, item=item)
    ScopeEntryFactory(lab=c, item=item, withdrawn_on=date(2025, 12, 31))  # no longer held
    ScopeEntryFactory(lab=d, item=other)
    ScopeEntryFactory(lab=a, item=item, granted_on=date(2026, 6, 1))  # a later period: counted once
    auth.login(Role.QUALITY)
    body = client.get("/rounds/lookup/holders?item=C011-01").get_json()
    assert [lab["code"] for lab in body["labs"]] == ["L-A", "L-B"]
    assert body["message"] == "2 laboratories hold C011-01 today: proposed as participants."
    zh = client.get("/rounds/lookup/holders?item=C011-02", headers=ZH).get_json()
    assert [lab["code"] for lab in zh["labs"]] == ["L-D"] and "C011-02" in zh["message"]


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.VIEWER, Role.LAB_MANAGER])
def test_only_those_who_manage_rounds_may_ask_who_holds_an_item(client, auth, role):
    f.TestItemFactory(code="C011-01")
    auth.login(role)
    assert client.get("/rounds/lookup/holders?item=C011-01").status_code == 403


def test_the_lookup_names_an_unknown_item_and_proposes_nobody_without_one(client, auth):
    auth.login(Role.QUALITY)
    assert client.get("/rounds/lookup/holders?item=NOPE").status_code == 404
    assert client.get("/rounds/lookup/holders?item=%20").get_json() == {
        "item": None,
        "labs": [],
        "message": "",
    }
    assert client.get("/rounds/lookup/holders?item=a%20b").status_code == 422  # not a code


def _open_round_with(make_round, labs):
    return make_round(labs, status="open", opens_on="2010-04-01", closes_on="2010-04-30")


def test_a_result_after_the_closing_date_is_kept_with_a_warning(client, auth, labs, make_round):
    rnd = _open_round_with(make_round, labs)
    with freeze_time("2010-05-03"):
        auth.login(Role.INSPECTOR)
        page = client.get(f"/rounds/{rnd.code}").get_data(as_text=True)
        assert 'id="late-warning"' in page and "3 days ago" in page
        response = client.post(f"/rounds/{rnd.code}/results", data={"lab_code": "A01", "value": "10.1"})
        assert response.status_code == 303
        shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Entered 3 days after the round closed on 2010-04-30" in shown
    assert db.session.scalar(select(Result.value).where(Result.round_id == rnd.id)) == 10.1


def test_a_result_on_time_has_no_warning(client, auth, labs, make_round):
    rnd = _open_round_with(make_round, labs)
    with freeze_time("2010-04-30"):
        auth.login(Role.INSPECTOR)
        assert 'id="late-warning"' not in client.get(f"/rounds/{rnd.code}").get_data(as_text=True)
        response = client.post(f"/rounds/{rnd.code}/results", data={"lab_code": "A01", "value": "10.1"})
        shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "after the round closed" not in shown


def test_days_late_counts_from_the_closing_date():
    rnd = Round(closes_on=date(2010, 4, 30))
    assert service.days_late(rnd, on=date(2010, 4, 30)) == 0
    assert service.days_late(rnd, on=date(2010, 5, 10)) == 10
    assert service.days_late(Round(closes_on=None), on=date(2030, 1, 1)) == 0


def test_x_pt_and_sigma_pt_entered_are_shown_to_those_who_manage_the_round(client, auth, labs, make_round):
    rnd = make_round(labs, status="open", x_pt=12.5, u_x_pt=0.2, sigma_pt=0.75)
    auth.login(Role.QUALITY)
    page = client.get(f"/rounds/{rnd.code}").get_data(as_text=True)
    assert "x_pt = 12.5" in page and "u(x_pt) = 0.2" in page and "<strong>0.75</strong>" in page
    # Participants do not see the assigned value before publication.
    auth.logout()
    auth.login(Role.LAB_MANAGER, lab=labs[0])
    page = client.get(f"/rounds/{rnd.code}").get_data(as_text=True)
    assert "12.5" not in page and "0.75" not in page


def test_a_lab_that_failed_the_latest_round_is_not_shown_a_green_badge(client, auth, labs, make_round, staff):
    from labtrack.proficiency import evaluation, results

    rnd = make_round(labs[:4], status="open", closes_on="2010-04-30")
    values = [("A01", 10.2), ("A02", 9.8), ("A03", 10.1), ("A04", 8.4)]  # A04: z = (8.4 - 10) / 0.5 = -3.2
    results.submit_results(rnd, [{"lab_code": c, "value": v} for c, v in values], staff)
    service.transition(rnd, "closed", staff)
    evaluation.evaluate_round(rnd, staff)
    evaluation.publish_round(rnd, staff)
    auth.login(Role.LAB_MANAGER, lab=labs[3])
    html = client.get("/").get_data(as_text=True)
    own = re.search(r'<span class="badge ([^"]*)" id="dash-latest-own">([^<]*)<', html)
    assert (
        own and "text-bg-danger" in own.group(1) and own.group(2).strip() == "My laboratory: unsatisfactory"
    )
    assert 'id="dash-latest-share"' not in html and "All participants: 75 % satisfactory" in html
    auth.logout()
    auth.login(Role.QUALITY)  # 3 of 4 satisfactory: a warning colour, not a green one
    html = client.get("/").get_data(as_text=True)
    share = re.search(r'<span class="badge ([^"]*)" id="dash-latest-share">([^<]*)<', html)
    assert share and "text-bg-warning" in share.group(1) and share.group(2).strip() == "75 % satisfactory"


def test_all_rounds_on_the_dashboard_lists_every_round(client, auth, labs, make_round):
    make_round(labs, status="open")
    make_round(labs)  # planned
    auth.login(Role.QUALITY)
    html = client.get("/").get_data(as_text=True)
    link = re.search(r'href="([^"]*)" id="dash-all-rounds"', html).group(1)
    assert link == "/rounds/"
    listing = client.get(link).get_data(as_text=True)
    assert "R-001" in listing and "R-002" in listing
