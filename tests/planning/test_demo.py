"""The planning demo: grades that follow from the data, the 2010 draw that produced the campaign's
flight checks (linked, not duplicated), this year's drawn plan, the campaign's sanctions lifted
after acceptance and one in force now, and the public directory of today."""

from datetime import date

import pytest
from sqlalchemy import func, select

from labtrack.audits.models import Audit, AuditKind, AuditStatus
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.planning import drawing, grading, plans, risk, sanctions
from labtrack.planning.models import DrawnLab, Plan, RiskGrading, Sanction
from tests.planning import rerun_draw


@pytest.fixture
def demo(app):
    from labtrack.demo import load_demo

    load_demo()
    return app


@pytest.mark.slow
def test_the_planning_demo(demo, client):
    on = today()
    # Risk grades of the 47 institutions, as their data give them today.
    current = db.session.scalars(select(RiskGrading).where(RiskGrading.current.is_(True))).all()
    assert len(current) == 47 and {g.as_of for g in current} == {on}
    data = grading.gather(on)
    for g in current:
        scored = risk.score(data[g.lab_id])
        assert (g.grade, g.score) == (scored.grade, scored.score)
    assert (
        db.session.scalar(
            select(func.count()).select_from(RiskGrading).where(RiskGrading.as_of == date(2010, 12, 31))
        )
        == 47
    )

    # The 2010 plan: its draw produced the campaign's flight checks, which it links.
    plan_2010 = plans.load_plan(None, "FC-2010")
    flight_checks = db.session.scalars(
        select(Audit).where(Audit.kind == AuditKind.FLIGHT_CHECK, Audit.started_on <= date(2010, 12, 31))
    ).all()
    assert len(flight_checks) == 12
    drawn = drawing.drawn_labs(plan_2010)
    assert sorted(d.audit_id for d in drawn) == sorted(a.id for a in flight_checks)
    for d in drawn:
        assert d.audit.lead.username == plan_2010.draw.result["teams"][d.lab.code][0]
    assert plan_2010.published_on is not None and plan_2010.draw_published_on is not None
    # ... and reruns from its record, in labtrack and outside it.
    again = drawing.make_draw(None, plan_2010, {"seed": plan_2010.draw.seed, "dry_run": True})
    assert again["labs"] == plan_2010.draw.result["labs"] and again["teams"] == plan_2010.draw.result["teams"]
    assert rerun_draw.rerun(plan_2010.draw.inputs) == (
        plan_2010.draw.result["labs"],
        plan_2010.draw.result["teams"],
    )
    assert rerun_draw.digest(plan_2010.draw.inputs) == plan_2010.draw.digest

    # This year's plan, drawn with its planned audits (risk-weighted).
    this_year = plans.load_plan(None, f"FC-{on.year}")
    assert this_year.status == "drawn" and this_year.risk_weighted
    audits = [d.audit for d in drawing.drawn_labs(this_year)]
    assert audits and all(a.status == AuditStatus.PLANNED and a.started_on.year == on.year for a in audits)

    # Sanctions: two from the campaign lifted after acceptance by their deadline, one in force now.
    lifted = db.session.scalars(select(Sanction).where(Sanction.end_kind == "lifted")).all()
    assert len(lifted) == 2
    for s in lifted:
        assert s.kind == "deadline_rectification" and s.items and s.starts_on.year == 2010
        assert s.ended_on <= s.ends_on
        assert all(link.finding.status == "closed" for link in s.findings)
    in_force = db.session.scalars(select(Sanction).where(sanctions.in_force_on(on))).all()
    assert len(in_force) == 1 and in_force[0].kind == "suspension"
    lab = in_force[0].lab
    suspended = {link.item.code for link in in_force[0].items}

    # The public directory of today: the suspended items are not held there.
    for code in suspended:
        holders = [x["code"] for x in client.get(f"/public/api/labs?item={code}&per_page=100").json["items"]]
        assert lab.code not in holders
    assert not set(sanctions.held_items(lab.id, on)) & {link.item_id for link in in_force[0].items}
    listing = client.get("/public/api/labs?per_page=100").json
    assert listing["meta"]["total"] >= 40
    assert "1 sanction in force" in client.get("/public/?lang=en").get_data(as_text=True)
    page = client.get("/public/plans/FC-2010?lang=en").get_data(as_text=True)
    assert 'id="public-outcomes"' in page and "FC-2010/" in page


@pytest.mark.slow
def test_the_demo_loads_once(demo):
    from labtrack.demo import load_demo

    counts = [
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Plan, DrawnLab, Sanction, RiskGrading, Audit, Lab)
    ]
    load_demo()
    assert [
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Plan, DrawnLab, Sanction, RiskGrading, Audit, Lab)
    ] == counts
