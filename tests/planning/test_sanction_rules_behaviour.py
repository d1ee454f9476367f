"""Sanctions through the service, rule by rule: what a new sanction must say (each refusal names
its field), references numbered per year, a revocation superseding what is in force, when a
sanction may be lifted, the register's filters and narrowing, and the figures worked by hand.
Today is 2010-10-01 (the planning world)."""

from datetime import date

import pytest

from labtrack.extensions import db
from labtrack.planning import sanctions
from labtrack.planning.models import Sanction
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound
from tests import factories as f


@pytest.fixture
def quality(world):
    return world.users["quality"]


@pytest.fixture
def findings(world):
    """An open finding of CD-1, one of CD-1 accepted (closed) on 2010-09-20, one of MY-1."""
    cd1, my1 = world.labs["CD-1"], world.labs["MY-1"]
    return {
        "open": f.FindingFactory(audit__lab=cd1, raised_on=date(2010, 8, 1)),
        "closed": f.FindingFactory(audit__lab=cd1, closed=True, closed_on=date(2010, 9, 20)),
        "theirs": f.FindingFactory(audit__lab=my1),
    }


def data(findings, **overrides) -> dict:
    """A valid suspension of F-1 at CD-1 from 2010-09-01 to 2010-12-01 for the open finding."""
    values = {
        "kind": "suspension",
        "item_codes": ["F-1"],
        "finding_ids": [findings["open"].id],
        "basis": "Order 86, art. 40",
        "starts_on": "2010-09-01",
        "ends_on": "2010-12-01",
    }
    values.update(overrides)
    return values


def reload(sanction: Sanction) -> Sanction:
    db.session.expire_all()
    return db.session.get(Sanction, sanction.id)


# --- what a new sanction must say ---------------------------------------------------------------


@pytest.mark.parametrize(
    "change, field",
    [
        ({"kind": "fine"}, "kind"),
        ({"basis": ""}, "basis"),
        ({"starts_on": "2010-09-31"}, "starts_on"),
        ({"ends_on": "2010-08-01"}, "ends_on"),  # before the start
        ({"ends_on": ""}, "ends_on"),  # a suspension needs the end of its period
        ({"kind": "deadline_rectification", "ends_on": None}, "ends_on"),
        ({"kind": "revocation", "item_codes": [], "finding_ids": []}, "ends_on"),  # final: no end date
        ({"kind": "revocation", "ends_on": None, "finding_ids": []}, "item_codes"),  # not listed items
        ({"item_codes": []}, "item_codes"),  # a suspension of nothing
        ({"whole": True}, "item_codes"),  # items and the whole qualification
        ({"item_codes": ["X-9"]}, "item_codes"),
        ({"item_codes": ["bad code!"]}, "item_codes"),
        ({"finding_ids": []}, "finding_ids"),  # liftable: linked to findings
        ({"finding_ids": ["abc"]}, "finding_ids"),
    ],
)
def test_each_bad_field_is_named_and_nothing_is_written(world, quality, findings, change, field):
    with pytest.raises(InvalidInput) as refused:
        sanctions.impose(quality, world.labs["CD-1"], data(findings, **change))
    assert field in refused.value.errors
    assert db.session.scalars(db.select(Sanction)).all() == []


def test_unknown_items_are_listed_by_code(world, quality, findings):
    with pytest.raises(InvalidInput) as refused:
        sanctions.impose(quality, world.labs["CD-1"], data(findings, item_codes=["F-1", "X-8", "X-9"]))
    assert refused.value.errors == {"item_codes": ["No such items: X-8, X-9."]}


def test_an_item_the_lab_does_not_hold_on_the_first_day_is_refused(world, quality, findings):
    lab = world.labs["CD-2"]
    finding = f.FindingFactory(audit__lab=lab)
    with pytest.raises(InvalidInput) as refused:
        sanctions.impose(quality, lab, data(findings, item_codes=["T-1"], finding_ids=[finding.id]))
    assert refused.value.errors == {"item_codes": ["CD-2 does not hold these items on 2010-09-01: T-1."]}


def test_findings_must_be_the_labs_own(world, quality, findings):
    with pytest.raises(InvalidInput) as refused:
        sanctions.impose(
            quality, world.labs["CD-1"], data(findings, finding_ids=[findings["theirs"].id, 10**9])
        )
    assert refused.value.errors == {
        "finding_ids": [f"Not findings of CD-1: {findings['theirs'].id}, 1000000000."]
    }


def test_codes_may_be_written_in_one_line_in_any_case_and_repeats_count_once(world, quality, findings):
    made = sanctions.impose(
        quality,
        world.labs["CD-1"],
        data(
            findings, item_codes="f-1, T-1 f-1", finding_ids=f"{findings['open'].id}, {findings['open'].id}"
        ),
    )
    saved = reload(made)
    assert sorted(link.item.code for link in saved.items) == ["F-1", "T-1"]
    assert [link.finding_id for link in saved.findings] == [findings["open"].id]
    assert (saved.whole, saved.kind, saved.imposed_by_id) == (False, "suspension", quality.id)


def test_a_deadline_rectification_may_name_no_items(world, quality, findings):
    made = sanctions.impose(
        quality, world.labs["CD-1"], data(findings, kind="deadline_rectification", item_codes=[])
    )
    assert reload(made).suspends is False


@pytest.mark.parametrize("role", ["viewer", "manager", "i-cd"])
def test_only_those_who_manage_sanctions_impose_them(world, findings, role):
    with pytest.raises(Forbidden):
        sanctions.impose(world.users[role], world.labs["CD-1"], data(findings))


def test_references_are_numbered_within_the_year_they_start(world, quality, findings):
    lab = world.labs["CD-1"]
    first = sanctions.impose(quality, lab, data(findings, item_codes=["F-1"]))
    second = sanctions.impose(quality, lab, data(findings, item_codes=["T-1"]))
    later = sanctions.impose(
        quality,
        world.labs["MY-1"],
        data(findings, finding_ids=[findings["theirs"].id], starts_on="2010-10-01", ends_on="2011-02-01"),
    )
    assert (first.reference, second.reference, later.reference) == (
        "SN-2010-001",
        "SN-2010-002",
        "SN-2010-003",
    )


# --- overlaps and supersession ------------------------------------------------------------------


def test_a_second_suspension_of_the_same_item_names_the_first(world, quality, findings):
    lab = world.labs["CD-1"]
    first = sanctions.impose(quality, lab, data(findings))
    with pytest.raises(InvalidInput) as refused:
        sanctions.impose(quality, lab, data(findings, starts_on="2010-11-01", ends_on="2011-01-01"))
    assert set(refused.value.errors) == {"starts_on"}
    assert first.reference in refused.value.errors["starts_on"][0]


def test_a_suspension_of_other_items_or_after_the_first_was_lifted_is_fine(world, quality, findings):
    lab = world.labs["CD-1"]
    first = sanctions.impose(quality, lab, data(findings, finding_ids=[findings["closed"].id]))
    sanctions.impose(quality, lab, data(findings, item_codes=["T-1"]))  # another item: no clash
    sanctions.lift(quality, first, {"lifted_on": "2010-09-25"})
    again = sanctions.impose(quality, lab, data(findings, starts_on="2010-09-25", ends_on="2010-12-31"))
    assert reload(again).starts_on == date(2010, 9, 25)


def test_a_revocation_supersedes_what_is_in_force_and_cannot_be_repeated(world, quality, findings):
    lab = world.labs["CD-1"]
    suspension = sanctions.impose(quality, lab, data(findings))
    revocation = sanctions.impose(
        quality, lab, {"kind": "revocation", "basis": "Order 86, art. 44", "starts_on": "2010-09-15"}
    )
    assert (reload(revocation).whole, reload(revocation).ends_on) == (True, None)
    ended = reload(suspension)
    assert (ended.ended_on, ended.end_kind, ended.end_comment) == (
        date(2010, 9, 15),
        "superseded",
        f"Superseded by {revocation.reference}.",
    )
    with pytest.raises(InvalidInput) as refused:
        sanctions.impose(quality, lab, {"kind": "cancellation", "basis": "x", "starts_on": "2010-09-20"})
    assert revocation.reference in refused.value.errors["starts_on"][0]


# --- lifting ------------------------------------------------------------------------------------


@pytest.fixture
def accepted(world, quality, findings):
    """A suspension whose one finding was accepted on 2010-09-20."""
    return sanctions.impose(quality, world.labs["CD-1"], data(findings, finding_ids=[findings["closed"].id]))


def test_lifting_ends_the_sanction_on_the_day_given(quality, accepted):
    sanctions.lift(quality, accepted, {"lifted_on": "2010-09-21", "comment": "验收合格"})
    lifted = reload(accepted)
    assert (lifted.ended_on, lifted.end_kind, lifted.end_comment, lifted.ended_by_id) == (
        date(2010, 9, 21),
        "lifted",
        "验收合格",
        quality.id,
    )
    assert lifted.in_force(date(2010, 9, 20)) and not lifted.in_force(date(2010, 9, 21))


def test_lifting_defaults_to_today(quality, accepted):
    sanctions.lift(quality, accepted, {})
    assert reload(accepted).ended_on == date(2010, 10, 1)


@pytest.mark.parametrize(
    "day, message",
    [
        ("2010-08-31", "A sanction cannot be lifted before it starts (2010-09-01)."),
        ("2010-10-02", "A sanction cannot be lifted on a future day."),
        ("2010-09-19", "The findings were accepted on 2010-09-20; lift on or after it."),
    ],
)
def test_the_lifting_day_must_be_possible(quality, accepted, day, message):
    with pytest.raises(InvalidInput) as refused:
        sanctions.lift(quality, accepted, {"lifted_on": day})
    assert refused.value.errors == {"lifted_on": [message]}
    assert reload(accepted).ended_on is None


def test_a_sanction_with_an_open_finding_cannot_be_lifted(world, quality, findings):
    made = sanctions.impose(quality, world.labs["CD-1"], data(findings))
    with pytest.raises(Conflict) as refused:
        sanctions.lift(quality, made, {"lifted_on": "2010-09-30"})
    assert findings["open"].label in refused.value.errors["finding_ids"][0]
    assert [x.id for x in sanctions.open_findings(made)] == [findings["open"].id]


def test_a_cancelled_finding_does_not_hold_a_sanction_back(world, quality, findings):
    finding = f.FindingFactory(audit__lab=world.labs["CD-1"], cancelled=True)
    made = sanctions.impose(quality, world.labs["CD-1"], data(findings, finding_ids=[finding.id]))
    sanctions.lift(quality, made, {"lifted_on": "2010-09-30"})
    assert reload(made).end_kind == "lifted"


def test_a_lifted_or_final_sanction_cannot_be_lifted(world, quality, accepted):
    sanctions.lift(quality, accepted, {"lifted_on": "2010-09-21"})
    with pytest.raises(Conflict, match="no longer in force"):
        sanctions.lift(quality, reload(accepted), {})
    revocation = sanctions.impose(
        quality, world.labs["MY-2"], {"kind": "revocation", "basis": "art. 44", "starts_on": "2010-09-01"}
    )
    with pytest.raises(Conflict, match="final"):
        sanctions.lift(quality, revocation, {})


def test_a_stale_version_is_refused(quality, accepted):
    with pytest.raises(Conflict) as refused:
        sanctions.lift(quality, accepted, {"lifted_on": "2010-09-21"}, version=accepted.version + 1)
    assert set(refused.value.errors) == {"version"}
    sanctions.lift(quality, accepted, {"lifted_on": "2010-09-21"}, version=accepted.version)


def test_readers_may_not_lift(world, accepted):
    with pytest.raises(Forbidden):
        sanctions.lift(world.users["viewer"], accepted, {})
    with pytest.raises(Forbidden):
        sanctions.lift(world.users["manager"], accepted, {})


# --- the register -------------------------------------------------------------------------------


@pytest.fixture
def register(world, quality, findings):
    """CD-1: a suspension in force, deadline 2010-09-20 passed (overdue); MY-1: a deadline
    rectification lifted on 2010-09-10 within its deadline; MY-2: a revocation from 2010-06-01."""
    overdue = sanctions.impose(
        quality, world.labs["CD-1"], data(findings, starts_on="2010-08-01", ends_on="2010-09-20")
    )
    my1 = f.FindingFactory(audit__lab=world.labs["MY-1"], closed=True, closed_on=date(2010, 9, 5))
    lifted = sanctions.impose(
        quality,
        world.labs["MY-1"],
        data(
            findings,
            kind="deadline_rectification",
            item_codes=[],
            finding_ids=[my1.id],
            starts_on="2010-09-01",
            ends_on="2010-09-30",
        ),
    )
    sanctions.lift(quality, lifted, {"lifted_on": "2010-09-10"})
    final = sanctions.impose(
        quality, world.labs["MY-2"], {"kind": "revocation", "basis": "art. 44", "starts_on": "2010-06-01"}
    )
    return {"overdue": overdue, "lifted": lifted, "final": final}


def refs(stmt) -> list[str]:
    return [s.reference for s in db.session.scalars(stmt)]


def test_the_register_filters_by_status(world, quality, register):
    overdue, lifted, final = (register[k].reference for k in ("overdue", "lifted", "final"))
    assert refs(sanctions.sanctions_query(quality)) == [lifted, overdue, final]  # newest start first
    assert refs(sanctions.sanctions_query(quality, status="in_force")) == [overdue, final]
    assert refs(sanctions.sanctions_query(quality, status="overdue")) == [overdue]
    assert refs(sanctions.sanctions_query(quality, status="ended")) == [lifted]
    assert refs(sanctions.sanctions_query(quality, region="Mianyang")) == [lifted, final]
    assert refs(sanctions.sanctions_query(quality, kind="revocation")) == [final]
    assert refs(
        sanctions.sanctions_query(quality, date_from=date(2010, 8, 1), date_to=date(2010, 8, 31))
    ) == [overdue]


def test_a_lab_manager_sees_their_own_labs_sanctions_only(world, register):
    manager = world.users["manager"]
    assert refs(sanctions.sanctions_query(manager)) == [register["overdue"].reference]
    assert sanctions.load_sanction(manager, register["overdue"].id).id == register["overdue"].id
    with pytest.raises(NotFound):
        sanctions.load_sanction(manager, register["lifted"].id)
    assert sanctions.linked_findings(world.users["other-manager"], register["overdue"]) == []


def test_the_figures_worked_by_hand(world, register):
    """Three sanctions started in 2010, at three labs. Items suspended: 1 named (F-1) + the
    revocation's whole scope of MY-2 held on 2010-06-01 (F-1) = 2. Lifted: 1, on time (09-10 by
    09-30). Due: the lifted one and the overdue one (deadline 09-20 passed) = 2, so half on time.
    In force today: the suspension and the revocation."""
    figures = sanctions.figures(date(2010, 1, 1), date(2010, 12, 31))
    total = figures["total"]
    assert {
        k: total[k]
        for k in ("sanctions", "labs", "items_suspended", "lifted", "lifted_on_time", "due", "in_force")
    } == {
        "sanctions": 3,
        "labs": 3,
        "items_suspended": 2,
        "lifted": 1,
        "lifted_on_time": 1,
        "due": 2,
        "in_force": 2,
    }
    assert total["on_time_share"] == 0.5
    assert total["by_kind"] == {
        "deadline_rectification": 1,
        "suspension": 1,
        "revocation": 1,
        "cancellation": 0,
    }
    assert [(r["region"], r["sanctions"]) for r in figures["by_region"]] == [("Chengdu", 1), ("Mianyang", 2)]
    own = sanctions.figures(date(2010, 1, 1), date(2010, 12, 31), scope=world.labs["CD-1"].id)["total"]
    assert (own["sanctions"], own["due"], own["on_time_share"]) == (1, 1, 0.0)
    empty = sanctions.figures(date(2009, 1, 1), date(2009, 12, 31))["total"]
    assert (empty["sanctions"], empty["on_time_share"]) == (0, None)
