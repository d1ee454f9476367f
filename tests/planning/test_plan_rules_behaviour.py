"""Inspection plans through the service, rule by rule (today is 2010-10-01): each stratum's
refusals by number, the inspectors' pool, the plan's dates, editing and deleting only drafts,
publishing the plan and then its draw once each, stale versions, and inspectors' profiles."""

from datetime import date

import pytest

from labtrack.extensions import db
from labtrack.planning import plans
from labtrack.planning.models import InspectorProfile, Plan, PlanStatus
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound
from tests import factories as f
from tests.planning import factories as pf
from tests.planning.conftest import plan_data


@pytest.fixture
def quality(world):
    return world.users["quality"]


def refusal(quality, **overrides) -> dict:
    before = plans.plan_count()
    with pytest.raises(InvalidInput) as refused:
        plans.create_plan(quality, plan_data(**overrides))
    assert plans.plan_count() == before  # nothing written
    return refused.value.errors


# --- strata -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stratum, message",
    [
        ({"region": "Atlantis", "quota": 1}, "Stratum 1: no laboratory is in the region Atlantis."),
        ({"lab_kind": "bakery", "quota": 1}, "Stratum 1: no such kind of laboratory."),
        ({"category": "NOPE", "quota": 1}, "Stratum 1: no such test category NOPE."),
        ({"region": "Chengdu"}, "Stratum 1: give either a quota or a ratio."),
        ({"region": "Chengdu", "quota": 1, "ratio": "50%"}, "Stratum 1: give either a quota or a ratio."),
    ],
)
def test_each_bad_stratum_is_named_by_its_number(world, quality, stratum, message):
    errors = refusal(quality, strata=[stratum])
    assert message in errors["strata"]


def test_a_quota_must_be_a_whole_number_from_one(world, quality):
    errors = refusal(quality, strata=[{"region": "Chengdu", "quota": 0}])
    assert errors["strata"][0].startswith("Stratum 1: ")


def test_blank_strata_rows_are_skipped_but_one_is_needed(world, quality):
    errors = refusal(quality, strata=[{"region": "", "quota": ""}, {}])
    assert errors["strata"] == ["A plan needs at least one stratum."]
    errors = refusal(quality, strata="Chengdu")
    assert errors["strata"] == ["A list of strata."]


def test_a_category_stratum_counts_only_labs_holding_it(world, quality):
    """Only CD-1 holds a textiles item: a quota of 2 in TEX is more than its 1 laboratory."""
    errors = refusal(quality, strata=[{"category": "tex", "quota": 2}])
    assert errors["strata"] == ["Stratum 1: the quota 2 is larger than its 1 eligible laboratories."]
    plan = plans.create_plan(quality, plan_data(strata=[{"category": "tex", "quota": 1}]))
    assert plan.strata[0].category_id == world.items["T-1"].category_id


# --- the pool and the dates ---------------------------------------------------------------------


def test_the_pool_names_who_is_not_an_active_inspector(world, quality):
    errors = refusal(quality, inspectors=["i-cd", "quality", "nobody"])
    assert errors["inspectors"] == ["Not active inspectors: quality, nobody."]


def test_a_pool_smaller_than_a_team_is_refused(world, quality):
    errors = refusal(quality, team_size=3, inspectors="i-cd, i-my")
    assert errors["inspectors"] == ["The pool has 2 inspectors; a team needs 3."]


def test_a_disabled_inspector_cannot_be_in_the_pool(world, quality):
    world.users["i-x"].active = False
    db.session.commit()
    errors = refusal(quality, inspectors=["i-cd", "i-x"])
    assert errors["inspectors"] == ["Not active inspectors: i-x."]


def test_the_dates_default_to_the_plans_year_and_must_be_in_order(world, quality):
    plan = plans.create_plan(quality, plan_data(year=2011, code="FC-2011"))
    assert (plan.starts_on, plan.ends_on) == (date(2011, 1, 1), date(2011, 12, 31))
    errors = refusal(quality, code="FC-X", starts_on="2010-06-01", ends_on="2010-05-31")
    assert errors["ends_on"] == ["The end date cannot be before the start date."]


@pytest.mark.parametrize(
    "change, field",
    [({"team_size": 0}, "team_size"), ({"audit_kind": "picnic"}, "audit_kind"), ({"year": 1800}, "year")],
)
def test_plan_fields_are_refused_by_name(world, quality, change, field):
    assert field in refusal(quality, **change)


# --- editing, deleting, publishing --------------------------------------------------------------


@pytest.fixture
def draft(world, quality):
    return plans.create_plan(quality, plan_data())


def test_a_draft_is_changed_and_its_strata_replaced(world, quality, draft):
    changed = plans.update_plan(
        quality, draft, plan_data(title="Flight checks, revised", strata=[{"region": "Mianyang", "quota": 3}])
    )
    db.session.expire_all()
    saved = db.session.get(Plan, changed.id)
    assert saved.title == "Flight checks, revised"
    assert [(s.position, s.region, s.quota) for s in saved.strata] == [(1, "Mianyang", 3)]


def test_a_stale_version_changes_nothing(world, quality, draft):
    with pytest.raises(Conflict) as refused:
        plans.update_plan(quality, draft, plan_data(title="x"), version=draft.version + 1)
    assert set(refused.value.errors) == {"version"}
    db.session.expire_all()
    assert db.session.get(Plan, draft.id).title == "Flight checks 2010"


def test_a_published_plan_is_neither_changed_nor_deleted(world, quality, draft):
    plans.publish(quality, draft, "plan")
    with pytest.raises(Conflict, match="can no longer be changed"):
        plans.update_plan(quality, draft, plan_data(title="x"))
    with pytest.raises(Conflict, match="cannot be deleted"):
        plans.delete_plan(quality, draft)
    assert db.session.get(Plan, draft.id).published_on == date(2010, 10, 1)


def test_a_draft_may_be_deleted(world, quality, draft):
    plans.delete_plan(quality, draft)
    assert plans.plan_count() == 0


def test_a_plan_is_published_once_and_its_draw_only_after_a_draw(world, quality, draft):
    with pytest.raises(Conflict):
        plans.publish(quality, draft, "draw")  # not published, not drawn
    plans.publish(quality, draft, "plan", on=date(2010, 9, 1))
    with pytest.raises(Conflict, match="published already"):
        plans.publish(quality, draft, "plan")
    with pytest.raises(Conflict):
        plans.publish(quality, draft, "draw")  # published, but not drawn
    with pytest.raises(InvalidInput) as refused:
        plans.publish(quality, draft, "everything")
    assert set(refused.value.errors) == {"what"}
    assert db.session.get(Plan, draft.id).published_on == date(2010, 9, 1)


@pytest.mark.parametrize("who", ["viewer", "manager", "i-cd"])
def test_readers_may_not_make_change_or_publish_plans(world, draft, who):
    actor = world.users[who]
    with pytest.raises(Forbidden):
        plans.create_plan(actor, plan_data(code="OTHER"))
    with pytest.raises(Forbidden):
        plans.update_plan(actor, draft, plan_data())
    with pytest.raises(Forbidden):
        plans.publish(actor, draft, "plan")
    with pytest.raises(Forbidden):
        plans.delete_plan(actor, draft)


def test_a_lab_manager_finds_a_plan_only_once_published(world, quality, draft):
    manager = world.users["manager"]
    with pytest.raises(NotFound):
        plans.load_plan(manager, "FC-2010")
    plans.publish(quality, draft, "plan")
    assert plans.load_plan(manager, "FC-2010").id == draft.id
    listed = [p.code for p in db.session.scalars(plans.plans_query(manager))]
    assert listed == ["FC-2010"]


def test_the_years_that_have_plans(world, quality):
    plans.create_plan(quality, plan_data(code="FC-2011", year=2011))
    plans.create_plan(quality, plan_data(code="FC-2010", year=2010))
    pf.PlanFactory(code="OLD", year=2008, status=PlanStatus.DRAFT)
    assert plans.years() == [2011, 2010, 2008]


# --- inspectors' profiles ---------------------------------------------------------------------


def test_an_inspectors_profile_names_a_region_and_an_organisation(world, quality):
    inspector = world.users["i-x"]
    plans.set_profile(quality, inspector, {"region": "Mianyang", "organisation_lab": "my-2"})
    profile = db.session.scalar(db.select(InspectorProfile).where(InspectorProfile.user_id == inspector.id))
    assert (profile.region, profile.organisation_lab_id, profile.organisation) == (
        "Mianyang",
        world.labs["MY-2"].id,
        "实验室 MY-2",
    )


def test_a_profile_refuses_unknown_labs_and_non_inspectors(world, quality):
    with pytest.raises(InvalidInput) as refused:
        plans.set_profile(quality, world.users["i-x"], {"organisation_lab": "NOPE"})
    assert refused.value.errors == {"organisation_lab": ["No such laboratory."]}
    with pytest.raises(InvalidInput) as refused:
        plans.set_profile(quality, world.users["viewer"], {"region": "Chengdu"})
    assert set(refused.value.errors) == {"user"}
    with pytest.raises(Forbidden):
        plans.set_profile(world.users["viewer"], world.users["i-x"], {"region": "Chengdu"})


def test_a_new_inspector_gets_a_profile(world, quality):
    newcomer = f.UserFactory(role="inspector", username="i-new")
    plans.set_profile(quality, newcomer, {"region": "Chengdu", "organisation": "Provincial institute"})
    profile = db.session.scalar(db.select(InspectorProfile).where(InspectorProfile.user_id == newcomer.id))
    assert (profile.region, profile.organisation_lab_id, profile.organisation) == (
        "Chengdu",
        None,
        "Provincial institute",
    )
