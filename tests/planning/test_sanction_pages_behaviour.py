"""The sanction pages in English and Chinese (today is 2010-10-01): the register and its filters,
imposing and lifting from the page (303 and a flash, or the refusal beside the field), what a lab
manager opens, the figures page, and the register's export with formula-like text defused."""

from datetime import date

import pytest

from labtrack.extensions import db
from labtrack.planning import sanctions
from labtrack.planning.models import Sanction
from tests import factories as f

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-GB"}


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def register(world):
    """CD-1: a suspension of F-1 from 09-01, deadline 09-20 passed (overdue), behind an open
    finding; MY-1: a deadline rectification 09-01 to 12-01 behind a finding accepted 09-05."""
    quality = world.users["quality"]
    open_finding = f.FindingFactory(audit__lab=world.labs["CD-1"])
    accepted = f.FindingFactory(audit__lab=world.labs["MY-1"], closed=True, closed_on=date(2010, 9, 5))
    overdue = sanctions.impose(
        quality,
        world.labs["CD-1"],
        {
            "kind": "suspension",
            "item_codes": ["F-1"],
            "finding_ids": [open_finding.id],
            "basis": '=HYPERLINK("http://x") Order 86',
            "starts_on": "2010-09-01",
            "ends_on": "2010-09-20",
        },
    )
    liftable = sanctions.impose(
        quality,
        world.labs["MY-1"],
        {
            "kind": "deadline_rectification",
            "finding_ids": [accepted.id],
            "basis": "Order 86, art. 38",
            "starts_on": "2010-09-01",
            "ends_on": "2010-12-01",
        },
    )
    return {"overdue": overdue, "liftable": liftable, "open": open_finding}


# --- the register -----------------------------------------------------------------------------


def test_the_register_in_chinese_names_kinds_and_states(world, register, client, auth):
    auth.login(world.users["viewer"])
    page = html(client.get("/planning/sanctions", headers=ZH))
    assert "处理登记" in page and "暂停" in page and "限期整改" in page
    assert register["overdue"].reference in page and register["liftable"].reference in page
    english = html(client.get("/planning/sanctions", headers=EN))
    assert "Register of sanctions" in english and "Suspension" in english


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ("status=overdue", "overdue", "liftable"),
        ("kind=deadline_rectification", "liftable", "overdue"),
        ("region=Chengdu", "overdue", "liftable"),
        ("lab=MY-1", "liftable", "overdue"),
    ],
)
def test_the_register_filters(world, register, client, auth, query, shown, hidden):
    auth.login(world.users["viewer"])
    page = html(client.get(f"/planning/sanctions?{query}"))
    assert register[shown].reference in page and register[hidden].reference not in page


def test_unknown_filters_are_ignored_not_an_error(world, register, client, auth):
    auth.login(world.users["viewer"])
    page = html(client.get("/planning/sanctions?status=sleeping&kind=fine&from=yesterday"))
    assert register["overdue"].reference in page and register["liftable"].reference in page


def test_nothing_matching_is_said_in_chinese(world, register, client, auth):
    auth.login(world.users["viewer"])
    assert "没有符合条件的处理。" in html(client.get("/planning/sanctions?status=ended", headers=ZH))


def test_the_export_lists_the_register_with_formulas_defused(world, register, client, auth):
    auth.login(world.users["quality"])
    response = client.get("/planning/sanctions?format=csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="sanctions-2010-10-01.csv"'
    lines = html(response).lstrip("\ufeff").splitlines()
    assert lines[0] == (
        "reference,lab_code,kind,whole,item_codes,finding_ids,basis,starts_on,ends_on,ended_on,end_kind,in_force"
    )
    overdue = next(line for line in lines if line.startswith(register["overdue"].reference))
    assert ",CD-1,suspension," in overdue and "'=HYPERLINK" in overdue


def test_a_lab_managers_register_and_export_are_their_own_labs(world, register, client, auth):
    auth.login(world.users["manager"])
    page = html(client.get("/planning/sanctions"))
    assert register["overdue"].reference in page and register["liftable"].reference not in page
    export = html(client.get("/planning/sanctions?format=csv"))
    assert register["liftable"].reference not in export
    assert client.get(f"/planning/sanctions/{register['liftable'].id}").status_code == 404
    own = html(client.get(f"/planning/sanctions/{register['overdue'].id}"))
    assert register["open"].label in own and "Lift the sanction" not in own


# --- imposing and lifting from the page -------------------------------------------------------


def test_imposing_from_the_page_says_so_in_chinese(world, client, auth):
    finding = f.FindingFactory(audit__lab=world.labs["CD-2"])
    auth.login(world.users["quality"])
    response = client.post(
        "/planning/labs/CD-2/sanctions/new",
        data={
            "kind": "suspension",
            "item_codes": "F-1",
            "finding_ids": [str(finding.id)],
            "basis": "Order 86, art. 40",
            "starts_on": "2010-10-01",
            "ends_on": "2010-12-31",
        },
        headers=ZH,
    )
    assert response.status_code == 303
    made = db.session.scalar(db.select(Sanction))
    assert response.headers["Location"].endswith(f"/planning/sanctions/{made.id}")
    assert f"已作出处理{made.reference}。" in html(client.get(response.headers["Location"], headers=ZH))


def test_an_item_the_lab_does_not_hold_is_refused_beside_the_field(world, client, auth):
    finding = f.FindingFactory(audit__lab=world.labs["CD-2"])
    auth.login(world.users["quality"])
    response = client.post(
        "/planning/labs/CD-2/sanctions/new",
        data={
            "kind": "suspension",
            "item_codes": "T-1",
            "finding_ids": [str(finding.id)],
            "basis": "Order 86",
            "starts_on": "2010-10-01",
            "ends_on": "2010-12-31",
        },
    )
    assert response.status_code == 422
    assert "CD-2 does not hold these items on 2010-10-01: T-1." in html(response)
    assert db.session.scalar(db.select(Sanction)) is None


def test_the_form_offers_the_labs_findings_only(world, register, client, auth):
    theirs = f.FindingFactory(audit__lab=world.labs["MY-2"], description="Another lab's problem")
    auth.login(world.users["quality"])
    page = html(client.get(f"/planning/labs/CD-1/sanctions/new?finding={register['open'].id}"))
    assert register["open"].label in page and "Another lab's problem" not in page and theirs.label not in page


@pytest.mark.parametrize("who, status", [("viewer", 403), ("manager", 403)])
def test_readers_may_not_open_the_form(world, client, auth, who, status):
    auth.login(world.users[who])
    assert client.get("/planning/labs/CD-1/sanctions/new").status_code == status


def test_lifting_from_the_page(world, register, client, auth):
    sanction = register["liftable"]
    auth.login(world.users["quality"])
    response = client.post(
        f"/planning/sanctions/{sanction.id}/lift",
        data={"lifted_on": "2010-09-30", "comment": "验收合格", "version": sanction.version},
        headers=ZH,
    )
    assert response.status_code == 303
    assert "处理已解除，已通知该实验室的负责人。" in html(
        client.get(response.headers["Location"], headers=ZH)
    )
    db.session.expire_all()
    lifted = db.session.get(Sanction, sanction.id)
    assert (lifted.ended_on, lifted.end_kind, lifted.end_comment) == (date(2010, 9, 30), "lifted", "验收合格")


def test_lifting_before_the_findings_were_accepted_is_refused_beside_the_date(world, register, client, auth):
    sanction = register["liftable"]
    auth.login(world.users["quality"])
    response = client.post(
        f"/planning/sanctions/{sanction.id}/lift",
        data={"lifted_on": "2010-09-04", "version": sanction.version},
    )
    assert response.status_code == 422
    assert "The findings were accepted on 2010-09-05; lift on or after it." in html(response)
    db.session.expire_all()
    assert db.session.get(Sanction, sanction.id).ended_on is None


def test_a_sanction_with_an_open_finding_stays_in_force(world, register, client, auth):
    sanction = register["overdue"]
    auth.login(world.users["quality"])
    response = client.post(
        f"/planning/sanctions/{sanction.id}/lift",
        data={"lifted_on": "2010-09-30", "version": sanction.version},
        follow_redirects=True,
    )
    assert "Findings behind the sanction are not closed yet" in html(response)
    db.session.expire_all()
    assert db.session.get(Sanction, sanction.id).ended_on is None


# --- the figures page -------------------------------------------------------------------------


def test_the_figures_page_in_both_languages(world, register, client, auth):
    auth.login(world.users["viewer"])
    chinese = html(client.get("/planning/sanctions/figures?from=2010-01-01&to=2010-12-31", headers=ZH))
    assert "处理统计" in chinese and "按期解除" in chinese
    english = html(client.get("/planning/sanctions/figures?from=2010-01-01&to=2010-12-31", headers=EN))
    assert "Sanction figures" in english and "Mianyang" in english and "Chengdu" in english


def test_reversed_figure_dates_are_swapped_not_refused(world, register, client, auth):
    auth.login(world.users["viewer"])
    swapped = client.get("/planning/sanctions/figures?from=2010-12-31&to=2010-01-01")
    assert swapped.status_code == 200
    assert "No sanctions in this period." not in html(swapped)
