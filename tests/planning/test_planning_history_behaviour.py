"""What the history records of planning's changes: who imposed, lifted or superseded a sanction
and with which comment, who made, changed and published a plan, and a refused change writes no
row (today is 2010-10-01)."""

from datetime import date

import pytest
from sqlalchemy import select

from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.planning import plans, sanctions
from labtrack.services import InvalidInput
from tests import factories as f
from tests.planning.conftest import plan_data


def rows(table: str, record_id: int) -> list[HistoryEntry]:
    return list(
        db.session.scalars(
            select(HistoryEntry)
            .where(HistoryEntry.table_name == table, HistoryEntry.record_id == record_id)
            .order_by(HistoryEntry.id)
        )
    )


@pytest.fixture
def accepted(world):
    return f.FindingFactory(audit__lab=world.labs["CD-1"], closed=True, closed_on=date(2010, 9, 5))


def impose(world, finding, **overrides):
    data = {
        "kind": "suspension",
        "item_codes": ["F-1"],
        "finding_ids": [finding.id],
        "basis": "Order 86, art. 40",
        "starts_on": "2010-09-01",
        "ends_on": "2010-12-01",
    }
    data.update(overrides)
    return sanctions.impose(world.users["quality"], world.labs["CD-1"], data)


def test_imposing_and_lifting_are_recorded_with_who_and_why(world, accepted):
    made = impose(world, accepted)
    sanctions.lift(world.users["admin"], made, {"lifted_on": "2010-09-30", "comment": "验收合格，解除暂停"})
    history = rows("sanctions", made.id)
    assert [(h.action, h.username) for h in history] == [("insert", "quality"), ("update", "admin")]
    assert history[0].comment == "sanction imposed"
    assert history[0].changes["kind"] == [None, "suspension"]
    assert history[1].comment == "验收合格，解除暂停"
    assert history[1].changes["ended_on"] == [None, "2010-09-30"]
    assert history[1].changes["end_kind"] == [None, "lifted"]
    # What it suspends and what lies behind it are recorded too.
    assert db.session.scalar(
        select(HistoryEntry).where(
            HistoryEntry.table_name == "sanction_items", HistoryEntry.action == "insert"
        )
    )


def test_a_lifting_without_a_comment_says_what_happened(world, accepted):
    made = impose(world, accepted)
    sanctions.lift(world.users["quality"], made, {"lifted_on": "2010-09-30"})
    assert rows("sanctions", made.id)[-1].comment == "sanction lifted"


def test_a_supersession_is_recorded_on_the_sanction_it_ends(world, accepted):
    suspension = impose(world, accepted)
    revocation = impose(
        world,
        accepted,
        kind="revocation",
        item_codes=[],
        finding_ids=[],
        ends_on=None,
        starts_on="2010-09-15",
    )
    last = rows("sanctions", suspension.id)[-1]
    assert last.action == "update" and last.username == "quality"
    assert last.changes["end_kind"] == [None, "superseded"]
    assert last.changes["end_comment"] == [None, f"Superseded by {revocation.reference}."]


def test_a_refused_sanction_writes_no_history(world, accepted):
    before = db.session.scalar(select(db.func.count()).select_from(HistoryEntry))
    with pytest.raises(InvalidInput):
        impose(world, accepted, item_codes=["X-9"])
    assert db.session.scalar(select(db.func.count()).select_from(HistoryEntry)) == before


def test_a_plans_making_changing_and_publishing_are_recorded(world):
    quality = world.users["quality"]
    plan = plans.create_plan(quality, plan_data())
    plans.update_plan(quality, plan, plan_data(title="Flight checks 2010, revised"))
    plans.publish(world.users["admin"], plan, "plan")
    history = rows("inspection_plans", plan.id)
    assert [(h.action, h.username) for h in history] == [
        ("insert", "quality"),
        ("update", "quality"),
        ("update", "admin"),
    ]
    assert (history[0].comment, history[2].comment) == ("plan made", "plan published")
    assert history[1].changes["title"] == ["Flight checks 2010", "Flight checks 2010, revised"]
    assert history[2].changes["published_on"] == [None, "2010-10-01"]


def test_a_changed_plans_row_carries_the_units_comment(world):
    quality = world.users["quality"]
    plan = plans.create_plan(quality, plan_data())
    plans.update_plan(quality, plan, plan_data(title="Flight checks 2010, revised"))
    assert rows("inspection_plans", plan.id)[-1].comment == "plan changed"
