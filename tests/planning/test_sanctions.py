"""Sanctions: imposing and lifting them, the refusals of the issue's "Bad input" (nothing written),
what a suspension takes away from a lab on the dates it covers, the register and its figures, and
the lab manager told."""

from datetime import date, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from labtrack.audits.workflow import State
from labtrack.extensions import db
from labtrack.planning import sanctions
from labtrack.planning.models import Sanction
from labtrack.scope.models import ScopeEntry
from tests import factories as f


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _finding(lab, **kw):
    return f.FindingFactory(audit=f.AuditFactory(lab=lab, started_on=date(2010, 5, 10)), **kw)


def _data(finding, **overrides):
    data = {
        "kind": "suspension",
        "item_codes": ["F-1"],
        "finding_ids": [finding.id],
        "basis": "质检总局令第86号 / AQSIQ Order 86",
        "starts_on": "2010-06-01",
        "ends_on": "2010-09-01",
    }
    data.update(overrides)
    return data


@pytest.fixture
def open_finding(world):
    return _finding(world.labs["CD-1"])


def test_a_suspension_takes_its_items_away_on_the_dates_it_covers(world, open_finding):
    lab = world.labs["CD-1"]
    sanction = sanctions.impose(world.users["quality"], lab, _data(open_finding))

    def held(day):
        return set(sanctions.held_items(lab.id, day))

    f1, t1 = world.items["F-1"].id, world.items["T-1"].id
    assert f1 in held(date(2010, 5, 31)) and f1 not in held(date(2010, 6, 1))
    assert t1 in held(date(2010, 6, 1))  # only the items named
    open_finding.status = State.CLOSED
    open_finding.closed_on = date(2010, 8, 20)
    db.session.commit()
    sanctions.lift(world.users["quality"], sanction, {"lifted_on": "2010-08-25"})
    assert f1 not in held(date(2010, 8, 24)) and f1 in held(date(2010, 8, 25))
    # Another lab holding the same item is not touched.
    assert f1 in set(sanctions.held_items(world.labs["CD-2"].id, date(2010, 7, 1)))


def test_not_suspended_is_a_condition_scope_queries_can_add(world, open_finding):
    """The scope's own query 'held on D' with the condition added: what growth and the scope pages
    would count once they add it."""
    lab = world.labs["CD-1"]
    sanctions.impose(world.users["quality"], lab, _data(open_finding, item_codes=[], whole=True))

    def held(day):
        stmt = select(func.count()).where(
            ScopeEntry.lab_id == lab.id,
            sanctions.held_on(day),
            sanctions.not_suspended(ScopeEntry.lab_id, ScopeEntry.item_id, day),
        )
        return db.session.scalar(stmt)

    assert (held(date(2010, 5, 31)), held(date(2010, 6, 1)), held(date(2010, 12, 31))) == (3, 0, 0)
    # Core columns work too (the growth query uses ScopeEntry.__table__).
    e = ScopeEntry.__table__
    stmt = (
        select(func.count())
        .select_from(e)
        .where(e.c.lab_id == lab.id, sanctions.not_suspended(e.c.lab_id, e.c.item_id, date(2010, 7, 1)))
    )
    assert db.session.scalar(stmt) == 0
    periods = db.session.execute(sanctions.suspended_item_periods(lab.id)).all()
    assert [(p.lab_id, p.item_id, p.starts_on, p.ended_on) for p in periods] == [
        (lab.id, None, date(2010, 6, 1), None)
    ]


def test_the_one_day_condition_counts_what_the_per_period_one_counts(world, open_finding):
    """Growth's form of the condition (the day's suspended labs and pairs read once) agrees with
    the correlated one, day by day, with an item suspended in one lab and another lab whole."""
    quality = world.users["quality"]
    sanctions.impose(quality, world.labs["CD-1"], _data(open_finding, item_codes=["F-1"]))
    other = _finding(world.labs["CD-2"])
    sanctions.impose(
        quality, world.labs["CD-2"], _data(other, item_codes=[], whole=True, starts_on="2010-07-01")
    )
    e = ScopeEntry.__table__

    def count(condition, day):
        stmt = (
            select(func.count())
            .select_from(e)
            .where(sanctions.held_on(day), condition(e.c.lab_id, e.c.item_id, day))
        )
        return db.session.scalar(stmt)

    days = [date(2010, 5, 31), date(2010, 6, 1), date(2010, 6, 30), date(2010, 7, 1), date(2011, 1, 1)]
    per_period = [count(sanctions.not_suspended, d) for d in days]
    assert per_period == [count(sanctions.not_suspended_that_day, d) for d in days]
    held = db.session.scalar(select(func.count()).select_from(e).where(sanctions.held_on(days[0])))
    assert per_period[0] == held and per_period[1] == held - 1 and per_period[3] < per_period[2]


def test_a_sanction_on_items_the_lab_does_not_hold_is_refused(world, open_finding, client):
    _user, headers = f.bearer(world.users["quality"])
    response = client.post(
        "/api/v1/labs/CD-2/sanctions",
        json=_data(_finding(world.labs["CD-2"]), item_codes=["F-1", "T-1"]),
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json["errors"]["item_codes"] == ["CD-2 does not hold these items on 2010-06-01: T-1."]
    unknown = client.post(
        "/api/v1/labs/CD-1/sanctions", json=_data(open_finding, item_codes=["NOPE"]), headers=headers
    )
    assert unknown.status_code == 422 and "NOPE" in unknown.json["errors"]["item_codes"][0]
    assert _count(Sanction) == 0


def test_a_suspension_that_overlaps_another_is_refused(world, open_finding, client):
    _user, headers = f.bearer(world.users["quality"])
    first = client.post("/api/v1/labs/CD-1/sanctions", json=_data(open_finding), headers=headers)
    assert first.status_code == 201
    reference = first.json["reference"]
    overlapping = client.post(
        "/api/v1/labs/CD-1/sanctions",
        json=_data(open_finding, item_codes=["F-1", "T-1"], starts_on="2010-07-01", ends_on="2010-10-01"),
        headers=headers,
    )
    assert overlapping.status_code == 422
    assert reference in overlapping.json["errors"]["starts_on"][0]
    whole = client.post(
        "/api/v1/labs/CD-1/sanctions",
        json=_data(open_finding, item_codes=[], whole=True, starts_on="2010-05-01"),
        headers=headers,
    )
    assert whole.status_code == 422
    other_items = client.post(
        "/api/v1/labs/CD-1/sanctions", json=_data(open_finding, item_codes=["T-1"]), headers=headers
    )
    assert other_items.status_code == 201  # other items: no overlap
    assert _count(Sanction) == 2


def test_lifting_with_findings_still_open_is_refused(world, open_finding, client):
    _user, headers = f.bearer(world.users["quality"])
    sanction_id = client.post("/api/v1/labs/CD-1/sanctions", json=_data(open_finding), headers=headers).json[
        "id"
    ]
    response = client.post(f"/api/v1/sanctions/{sanction_id}/lift", json={}, headers=headers)
    assert response.status_code == 409
    assert open_finding.label in response.json["message"]
    assert db.session.get(Sanction, sanction_id).ended_on is None
    open_finding.status = State.CLOSED
    open_finding.closed_on = date(2010, 9, 20)
    db.session.commit()
    too_early = client.post(
        f"/api/v1/sanctions/{sanction_id}/lift", json={"lifted_on": "2010-09-10"}, headers=headers
    )
    assert too_early.status_code == 422 and "lifted_on" in too_early.json["errors"]
    lifted = client.post(
        f"/api/v1/sanctions/{sanction_id}/lift",
        json={"lifted_on": "2010-09-21", "comment": "accepted"},
        headers=headers,
    )
    assert lifted.status_code == 200
    assert (lifted.json["ended_on"], lifted.json["end_kind"], lifted.json["in_force"]) == (
        "2010-09-21",
        "lifted",
        False,
    )
    again = client.post(f"/api/v1/sanctions/{sanction_id}/lift", json={}, headers=headers)
    assert again.status_code == 409


@pytest.mark.parametrize(
    "change, field",
    [
        ({"kind": "fine"}, "kind"),
        ({"basis": ""}, "basis"),
        ({"ends_on": None}, "ends_on"),
        ({"ends_on": "2010-05-01"}, "ends_on"),
        ({"finding_ids": []}, "finding_ids"),
        ({"item_codes": [], "whole": False}, "item_codes"),
        ({"kind": "revocation", "ends_on": None}, "item_codes"),
        ({"kind": "revocation", "item_codes": []}, "ends_on"),
    ],
)
def test_bad_sanctions_are_refused_naming_the_field(world, open_finding, client, change, field):
    _user, headers = f.bearer(world.users["quality"])
    response = client.post("/api/v1/labs/CD-1/sanctions", json=_data(open_finding, **change), headers=headers)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert _count(Sanction) == 0


def test_findings_of_another_lab_are_refused(world, client):
    _user, headers = f.bearer(world.users["quality"])
    stranger = _finding(world.labs["MY-1"])
    response = client.post("/api/v1/labs/CD-1/sanctions", json=_data(stranger), headers=headers)
    assert response.status_code == 422 and str(stranger.id) in response.json["errors"]["finding_ids"][0]


def test_a_revocation_supersedes_the_suspensions_in_force_and_is_final(world, open_finding, client):
    _user, headers = f.bearer(world.users["quality"])
    suspension = client.post("/api/v1/labs/CD-1/sanctions", json=_data(open_finding), headers=headers).json
    revocation = client.post(
        "/api/v1/labs/CD-1/sanctions",
        json={
            "kind": "revocation",
            "finding_ids": [open_finding.id],
            "basis": "未按期整改 / not rectified",
            "starts_on": "2010-09-01",
        },
        headers=headers,
    )
    assert revocation.status_code == 201 and revocation.json["whole"] is True
    ended = client.get(f"/api/v1/sanctions/{suspension['id']}", headers=headers).json
    assert (ended["ended_on"], ended["end_kind"]) == ("2010-09-01", "superseded")
    assert (
        client.post(f"/api/v1/sanctions/{revocation.json['id']}/lift", json={}, headers=headers).status_code
        == 409
    )
    assert sanctions.held_items(world.labs["CD-1"].id, date(2010, 9, 1)) == []
    again = client.post(
        "/api/v1/labs/CD-1/sanctions",
        json={"kind": "cancellation", "basis": "x", "starts_on": "2010-09-15"},
        headers=headers,
    )
    assert again.status_code == 422  # the qualification is revoked already


def test_the_lab_manager_is_told_when_a_sanction_is_imposed_and_lifted(world, open_finding):
    from labtrack.notify.models import Notification
    from labtrack.notify.service import shown

    sanction = sanctions.impose(world.users["quality"], world.labs["CD-1"], _data(open_finding))
    manager = world.users["manager"]
    notes = db.session.scalars(select(Notification).where(Notification.recipient_id == manager.id)).all()
    assert [n.kind for n in notes] == ["sanction_imposed"]
    open_finding.status = State.CLOSED
    open_finding.closed_on = date(2010, 8, 1)
    db.session.commit()
    sanctions.lift(world.users["quality"], sanction, {"lifted_on": "2010-08-02"})
    notes = db.session.scalars(
        select(Notification).where(Notification.recipient_id == manager.id).order_by(Notification.id)
    ).all()
    assert [n.kind for n in notes] == ["sanction_imposed", "sanction_lifted"]
    text = shown(notes[1]).text
    assert sanction.reference in text and "2010-08-02" in text and "check and acceptance" in text
    assert shown(notes[1]).url == f"/planning/sanctions/{sanction.id}"
    others = db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.recipient_id == world.users["other-manager"].id)
    )
    assert others == 0


def test_register_and_figures_by_period_and_region(world, client, auth):
    quality = world.users["quality"]
    done = _finding(world.labs["CD-1"], closed=True)
    done.closed_on = date(2010, 7, 1)
    db.session.commit()
    on_time = sanctions.impose(
        quality, world.labs["CD-1"], _data(done, kind="deadline_rectification", ends_on="2010-08-01")
    )
    sanctions.lift(quality, on_time, {"lifted_on": "2010-07-15"})
    late = _finding(world.labs["MY-1"])
    sanctions.impose(
        quality,
        world.labs["MY-1"],
        _data(late, item_codes=[], whole=True, starts_on="2010-07-01", ends_on="2010-08-01"),
    )
    figures = sanctions.figures(date(2010, 1, 1), date(2010, 12, 31))
    total = figures["total"]
    # 2 sanctions on 2 labs; items: F-1 named at CD-1, and MY-1's whole scope (1 item) = 2;
    # both past their deadline (2010-08-01 < today 2010-10-01), one lifted by it: 50 %.
    assert (total["sanctions"], total["labs"], total["items_suspended"]) == (2, 2, 2)
    assert (total["lifted"], total["lifted_on_time"], total["due"], total["on_time_share"]) == (1, 1, 2, 0.5)
    assert total["by_kind"]["deadline_rectification"] == 1 and total["by_kind"]["suspension"] == 1
    assert [(r["region"], r["sanctions"]) for r in figures["by_region"]] == [("Chengdu", 1), ("Mianyang", 1)]
    assert (
        sanctions.figures(date(2010, 1, 1), date(2010, 12, 31), region="Mianyang")["total"]["sanctions"] == 1
    )
    auth.login(world.users["viewer"])
    page = client.get("/planning/sanctions/figures?from=2010-01-01&to=2010-12-31").get_data(as_text=True)
    assert 'id="fig-on-time">50%' in page
    register = client.get("/planning/sanctions?status=in_force").get_data(as_text=True)
    assert "MY-1" in register and on_time.reference not in register
    csv = client.get("/planning/sanctions?format=csv")
    assert csv.status_code == 200 and csv.data.decode("utf-8-sig").splitlines()[0].startswith(
        "reference,lab_code,kind"
    )


def test_the_page_imposes_and_lifts(world, open_finding, client, auth):
    auth.login(world.users["quality"])
    form = client.get("/planning/labs/CD-1/sanctions/new").get_data(as_text=True)
    assert open_finding.label in form
    response = client.post(
        "/planning/labs/CD-1/sanctions/new",
        data={
            "kind": "suspension",
            "item_codes": "F-1",
            "finding_ids": [str(open_finding.id)],
            "basis": "Order 86",
            "starts_on": "2010-06-01",
            "ends_on": "2010-09-01",
        },
    )
    assert response.status_code == 303
    sanction = db.session.scalar(select(Sanction))
    refused = client.post(
        f"/planning/sanctions/{sanction.id}/lift",
        data={"lifted_on": "2010-09-01", "version": sanction.version},
    )
    assert refused.status_code == 303  # back with the message
    assert db.session.get(Sanction, sanction.id).ended_on is None
    page = client.get(f"/planning/sanctions/{sanction.id}").get_data(as_text=True)
    assert "not closed yet" in page
    bad = client.post(
        "/planning/labs/CD-1/sanctions/new",
        data={"kind": "suspension", "item_codes": "T-1 F-1", "basis": "x", "starts_on": "2010-07-01"},
    )
    assert bad.status_code == 422 and _count(Sanction) == 1


def test_a_sanction_in_force_raises_the_risk_grade(world, open_finding):
    from labtrack.planning.grading import grade_one

    before = grade_one(world.users["quality"], world.labs["CD-1"]).score
    sanctions.impose(world.users["quality"], world.labs["CD-1"], _data(open_finding))
    after = grade_one(world.users["quality"], world.labs["CD-1"])
    assert after.score == before + 8 and after.inputs["sanctions_in_force"] == 1


def test_a_suspension_ending_leaves_the_item_held_again_on_that_day(world, open_finding):
    sanction = sanctions.impose(world.users["quality"], world.labs["CD-1"], _data(open_finding))
    open_finding.status = State.CANCELLED
    db.session.commit()
    with freeze_time("2010-10-02"):
        sanctions.lift(world.users["quality"], db.session.get(Sanction, sanction.id), {})
    assert db.session.get(Sanction, sanction.id).ended_on == date(2010, 10, 2)
    assert world.items["F-1"].id in sanctions.held_items(world.labs["CD-1"].id, date(2010, 10, 2))
    assert world.items["F-1"].id not in sanctions.held_items(
        world.labs["CD-1"].id, date(2010, 10, 2) - timedelta(days=1)
    )
