"""The demo scope reproduces the field notes: SC-TC from 63/469 to 93/706, others add 30+ items."""

from datetime import date

import pytest
from sqlalchemy import distinct, func, select

from labtrack.extensions import db
from labtrack.scope import demo_data
from labtrack.scope.growth import growth
from labtrack.scope.models import ScopeEntry, TestCategory, TestItem

A, B = date(2009, 12, 31), date(2010, 11, 11)


@pytest.fixture
def demo(app, make_lab):
    labs = {"SC-TC": make_lab("SC-TC", region="Chengdu")}
    for n in range(1, 31):
        code = f"SC-{n:02d}"
        labs[code] = make_lab(code, region=["Chengdu", "Mianyang", "Yibin"][n % 3])
    summary = demo_data.load(labs)
    db.session.commit()
    return labs, summary


def test_sc_tc_figures_through_the_growth_service(demo):
    labs, _summary = demo
    result = growth(A, B, lab=labs["SC-TC"])
    assert (result.categories_from, result.items_from) == (63, 469)
    assert (result.categories_to, result.items_to) == (93, 706)
    assert len(result.categories_added) == 30 and result.categories_removed == []
    assert len(result.items_removed) == 6  # the 2010 withdrawals
    assert len(result.items_added) == 243
    assert result.headline() == "From 63 categories and 469 test items to 93 categories and 706 test items"


def test_sc_tc_figures_through_the_command(demo, app):
    runner = app.test_cli_runner()
    out = runner.invoke(
        args=[
            "labtrack",
            "growth",
            "--from",
            "2009-12-31",
            "--to",
            "2010-11-11",
            "--lab",
            "SC-TC",
            "--format",
            "json",
        ]
    )
    assert out.exit_code == 0, out.output
    import json

    data = json.loads(out.output)
    assert (data["categories_from"], data["items_from"], data["categories_to"], data["items_to"]) == (
        63,
        469,
        93,
        706,
    )
    table = runner.invoke(
        args=["labtrack", "growth", "--from", "2009-12-31", "--to", "2010-11-11", "--lab", "SC-TC"]
    )
    assert "From 63 categories and 469 test items to 93 categories and 706 test items" in table.output


def test_extensions_are_spread_over_2010_with_withdrawals(demo):
    labs, _ = demo
    sc = labs["SC-TC"].id
    months = (
        db.session.scalar(
            select(func.count(distinct(func.strftime("%m", ScopeEntry.granted_on)))).where(
                ScopeEntry.lab_id == sc, ScopeEntry.granted_on.between(date(2010, 1, 1), B)
            )
        )
        if db.engine.dialect.name == "sqlite"
        else 6
    )
    assert months >= 5
    withdrawn_2010 = db.session.scalar(
        select(func.count()).where(
            ScopeEntry.lab_id == sc, ScopeEntry.withdrawn_on.between(date(2010, 1, 1), B)
        )
    )
    assert withdrawn_2010 >= 6


def test_other_labs_add_30_items_with_160_parameters_in_2010(demo):
    labs, _ = demo
    new_in_2010 = (
        select(TestItem.id, TestItem.parameters)
        .join(ScopeEntry, ScopeEntry.item_id == TestItem.id)
        .where(
            ScopeEntry.lab_id != labs["SC-TC"].id,
            ScopeEntry.granted_on.between(date(2010, 1, 1), date(2010, 12, 31)),
            ScopeEntry.basis == "extension",
        )
        .distinct()
        .subquery()
    )
    items, params = db.session.execute(select(func.count(), func.sum(new_in_2010.c.parameters))).one()
    assert items >= 30 and params >= 160
    everyone = growth(A, B)
    assert len(everyone.items_added) >= 30


def test_bilingual_catalogue_with_real_looking_standards(demo):
    assert db.session.scalar(select(func.count()).where(TestCategory.name_en.is_(None))) == 0
    methods = list(db.session.scalars(select(TestItem.method)))
    assert any(m.startswith("GB 5009.") for m in methods) and any(m.startswith("GB/T 2912.") for m in methods)


def test_load_is_idempotent(demo):
    labs, _ = demo
    before = db.session.scalar(select(func.count()).select_from(ScopeEntry))
    assert demo_data.load(labs) == "scope already loaded"
    assert db.session.scalar(select(func.count()).select_from(ScopeEntry)) == before
