"""Inspection plans and their draw through the pages, the API and the command line: the refusals
of the issue's "Bad input" (nothing written), reproducibility (page, API and the stand-alone rerun
give the same lists), the planned audits and teams, swaps, exclusions and weighting."""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from labtrack.audits.models import Audit, AuditStatus
from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.planning import drawing, plans
from labtrack.planning.models import Draw, DrawChanged, DrawnLab, Plan, Swap, TeamMember
from tests import factories as f
from tests.planning import factories as pf
from tests.planning.conftest import plan_data

RERUN = Path(__file__).with_name("rerun_draw.py")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _headers(user):
    return f.bearer(user)[1]


def _page_form(data: dict) -> dict:
    """A plan as the plan form posts it."""
    form = {k: v for k, v in data.items() if k not in ("strata", "inspectors")}
    for n, stratum in enumerate(data["strata"]):
        for key in ("region", "lab_kind", "category", "quota", "ratio"):
            form[f"strata-{n}-{key}"] = stratum.get(key) or ""
    form["inspectors"] = data["inspectors"]
    return form


# --- making plans -----------------------------------------------------------------------------


def test_quality_makes_a_plan_on_the_page(world, client, auth):
    auth.login(world.users["quality"])
    response = client.post("/planning/plans/new", data=_page_form(plan_data()))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/planning/plans/FC-2010")
    plan = db.session.scalar(select(Plan))
    assert [(s.position, s.region, s.lab_kind, s.quota) for s in plan.strata] == [
        (1, "Chengdu", "metrology_institute", 1),
        (2, "Mianyang", None, 2),
    ]
    assert sorted(m.user.username for m in plan.pool) == ["i-cd", "i-my", "i-x", "i-y"]
    page = client.get("/planning/plans/FC-2010").get_data(as_text=True)
    assert "Chengdu · Metrology institute" in page and 'id="draw-card"' in page


def test_a_quota_larger_than_its_stratum_is_refused_and_nothing_written(world, client, auth):
    user, headers = f.bearer(world.users["quality"])
    data = plan_data(strata=[{"region": "Chengdu", "lab_kind": "metrology_institute", "quota": 3}])
    response = client.post("/api/v1/plans", json=data, headers=headers)
    assert response.status_code == 422
    assert "Stratum 1" in response.json["errors"]["strata"][0]
    assert "larger than its 2 eligible" in response.json["errors"]["strata"][0]
    auth.login(user)
    page = client.post("/planning/plans/new", data=_page_form(data))
    assert page.status_code == 422
    assert "larger than its 2 eligible" in page.get_data(as_text=True)
    assert _count(Plan) == 0


@pytest.mark.parametrize(
    "change, field",
    [
        ({"strata": []}, "strata"),
        ({"strata": [{"region": "Nowhere", "quota": 1}]}, "strata"),
        ({"strata": [{"region": "Chengdu", "quota": 1, "ratio": 0.5}]}, "strata"),
        ({"strata": [{"region": "Chengdu", "ratio": 1.5}]}, "strata"),
        ({"inspectors": ["i-x"]}, "inspectors"),
        ({"inspectors": ["i-x", "quality"]}, "inspectors"),
        ({"code": "bad code"}, "code"),
        ({"team_size": 0}, "team_size"),
        ({"audit_kind": "self_inspection"}, "audit_kind"),
        ({"starts_on": "2010-12-01", "ends_on": "2010-01-01"}, "ends_on"),
    ],
)
def test_bad_plans_are_refused_naming_the_field(world, client, change, field):
    _user, headers = f.bearer(world.users["quality"])
    response = client.post("/api/v1/plans", json=plan_data(**change), headers=headers)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert _count(Plan) == 0


def test_a_plan_code_is_unique_whatever_its_case(world, client):
    _user, headers = f.bearer(world.users["quality"])
    assert client.post("/api/v1/plans", json=plan_data(), headers=headers).status_code == 201
    again = client.post("/api/v1/plans", json=plan_data(code="fc-2010"), headers=headers)
    assert again.status_code == 422 and "code" in again.json["errors"]


# --- the draw ---------------------------------------------------------------------------------


@pytest.fixture
def plan(world):
    return plans.create_plan(world.users["quality"], plan_data())


def test_the_same_seed_gives_the_same_draw_through_the_page_the_api_and_the_rerun(
    world, plan, client, auth, tmp_path
):
    _user, headers = f.bearer(world.users["quality"])
    api_dry = client.post(
        "/api/v1/plans/FC-2010/draw", json={"seed": "lottery 2010-10-01", "dry_run": True}, headers=headers
    )
    assert api_dry.status_code == 200
    again = client.post(
        "/api/v1/plans/FC-2010/draw", json={"seed": "lottery 2010-10-01", "dry_run": True}, headers=headers
    )
    assert again.json == api_dry.json
    assert _count(Draw) == 0 and _count(Audit) == 0  # a dry run records nothing
    labs, teams = api_dry.json["labs"], api_dry.json["teams"]
    assert len(labs) == 3 and set(labs) <= set(world.labs)
    # The page's dry run shows the same labs in the same order, with the same teams.
    auth.login(world.users["quality"])
    page = client.post(
        "/planning/plans/FC-2010/draw", data={"seed": "lottery 2010-10-01", "dry_run": "Dry run"}
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="dry-run-result"' in html
    positions = [html.index(f">{code}<", html.index('id="dry-run-labs"')) for code in labs]
    assert positions == sorted(positions)
    # The real draw on the page gives what the dry run gave.
    final = client.post("/planning/plans/FC-2010/draw", data={"seed": "lottery 2010-10-01", "submit": "Draw"})
    assert final.status_code == 303
    record = db.session.scalar(select(Draw))
    assert record.result["labs"] == labs and record.result["teams"] == teams
    got = client.get("/api/v1/plans/FC-2010", headers=headers).json["draw"]
    assert (got["seed"], got["labs"], got["teams"]) == ("lottery 2010-10-01", labs, teams)
    # The record, saved from the page, reruns outside labtrack to the same lists.
    saved = client.get("/planning/plans/FC-2010/draw.json")
    assert saved.status_code == 200
    path = tmp_path / "draw.json"
    path.write_bytes(saved.data)
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(RERUN), str(path), "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"labs": labs, "teams": teams}


def test_the_api_draw_is_made_once_and_matches_its_dry_run(world, plan, client):
    _user, headers = f.bearer(world.users["quality"])
    dry = client.post(
        "/api/v1/plans/FC-2010/draw", json={"seed": "42", "dry_run": True}, headers=headers
    ).json
    real = client.post("/api/v1/plans/FC-2010/draw", json={"seed": "42"}, headers=headers)
    assert real.status_code == 201 and real.headers["Location"].endswith("/api/v1/plans/FC-2010")
    assert (real.json["labs"], real.json["teams"], real.json["digest"]) == (
        dry["labs"],
        dry["teams"],
        dry["digest"],
    )
    audits = _count(Audit)
    second = client.post("/api/v1/plans/FC-2010/draw", json={"seed": "43"}, headers=headers)
    assert second.status_code == 409
    assert (_count(Draw), _count(Audit), _count(DrawnLab)) == (1, audits, 3)
    # After the draw, a dry run reruns the recorded inputs: the recorded seed gives the record.
    rerun = client.post(
        "/api/v1/plans/FC-2010/draw", json={"seed": "42", "dry_run": True}, headers=headers
    ).json
    assert (rerun["labs"], rerun["teams"]) == (real.json["labs"], real.json["teams"])


def test_the_draw_creates_the_planned_audits_with_their_teams(world, plan):
    answer = drawing.make_draw(world.users["quality"], plan, {"seed": "s"})
    drawn = drawing.drawn_labs(plan)
    assert [d.lab.code for d in drawn] == answer["labs"]
    for d in drawn:
        audit = d.audit
        team = answer["teams"][d.lab.code]
        assert (
            audit.status == AuditStatus.PLANNED and audit.kind == "flight_check" and audit.lab_id == d.lab_id
        )
        assert audit.lead.username == team[0]
        assert all(name in audit.team for name in team)
        assert [m.user.username for m in drawing.current_team(d)] == team
        assert date(2010, 10, 1) <= audit.started_on <= date(2010, 12, 31)  # what is left of the window
    comments = db.session.scalars(
        select(HistoryEntry.comment).where(HistoryEntry.table_name == "audits")
    ).all()
    assert all("FC-2010" in (c or "") for c in comments)


def test_conflicts_keep_inspectors_from_their_region_their_organisation_and_last_lab(world, plan):
    answer = drawing.make_draw(world.users["quality"], plan, {"seed": "s", "dry_run": True})
    regions = {code: world.labs[code].region for code in answer["labs"]}
    for code, team in answer["teams"].items():
        if regions[code] == "Chengdu":
            assert "i-cd" not in team
            assert ["i-cd", "region"] in answer["conflicts"][code]
        else:
            assert "i-my" not in team
        if code == "CD-1":
            assert "i-y" not in team


def test_a_pool_too_small_for_the_conflict_rules_refuses_the_draw_naming_the_stratum(world, client):
    plan = plans.create_plan(
        world.users["quality"],
        plan_data(strata=[{"region": "Chengdu", "quota": 1}], inspectors=["i-cd", "i-y"]),
    )
    _user, headers = f.bearer(world.users["quality"])
    response = client.post(f"/api/v1/plans/{plan.code}/draw", json={"seed": "s"}, headers=headers)
    assert response.status_code == 422
    message = response.json["errors"]["inspectors"][0]
    assert message.startswith("Stratum 1 (Chengdu)") and "a team needs 2" in message
    assert (_count(Draw), _count(Audit), _count(TeamMember)) == (0, 0, 0)
    assert db.session.get(Plan, plan.id).status == "draft"


def test_a_quota_the_stratum_no_longer_holds_refuses_the_draw(world, plan, client):
    world.labs["MY-2"].status = "closed"
    world.labs["MY-3"].status = "closed"
    db.session.commit()
    _user, headers = f.bearer(world.users["quality"])
    response = client.post("/api/v1/plans/FC-2010/draw", json={"seed": "s"}, headers=headers)
    assert response.status_code == 422
    assert response.json["errors"]["strata"][0].startswith(
        "Stratum 2 (Mianyang): it draws 2 laboratories but only 1"
    )
    assert _count(Draw) == 0


def test_labs_inspected_within_the_exclusion_are_left_out(world):
    f.AuditFactory(lab=world.labs["MY-1"], started_on=date(2010, 3, 1))
    plan = plans.create_plan(
        world.users["quality"], plan_data(strata=[{"region": "Mianyang", "quota": 2}], exclude_months=12)
    )
    answer = drawing.make_draw(world.users["quality"], plan, {"seed": "s", "dry_run": True})
    assert sorted(answer["labs"]) == ["MY-2", "MY-3"]
    assert answer["excluded"] == [{"code": "MY-1", "last_inspected_on": "2010-03-01"}]


def test_the_inspector_of_a_labs_last_inspection_is_not_drawn_for_it(world):
    f.AuditFactory(lab=world.labs["MY-1"], started_on=date(2010, 3, 1), lead=world.users["i-x"])
    plan = plans.create_plan(world.users["quality"], plan_data(strata=[{"region": "Mianyang", "quota": 3}]))
    answer = drawing.make_draw(world.users["quality"], plan, {"seed": "s", "dry_run": True})
    assert "i-x" not in answer["teams"]["MY-1"]
    assert ["i-x", "last_inspection"] in answer["conflicts"]["MY-1"]


def test_risk_weighting_uses_the_current_grades(world):
    pf.RiskGradingFactory(lab=world.labs["MY-1"], grade="D", score=20)
    plan = plans.create_plan(
        world.users["quality"], plan_data(strata=[{"region": "Mianyang", "quota": 1}], risk_weighted=True)
    )
    inputs, _context = drawing.inputs_for(plan, "s", date(2010, 10, 1))
    assert {p["code"]: p["weight"] for p in inputs["strata"][0]["population"]} == {
        "MY-1": 4,
        "MY-2": 2,
        "MY-3": 2,
    }


def test_a_draw_is_never_changed(world, plan):
    drawing.make_draw(world.users["quality"], plan, {"seed": "s"})
    record = db.session.scalar(select(Draw))
    record.seed = "other"
    with pytest.raises(DrawChanged):
        db.session.flush()
    db.session.rollback()
    for record in (db.session.scalar(select(DrawnLab)), db.session.scalar(select(Draw))):
        db.session.delete(record)
        # Refused by the guard, or by the team members and audits that keep pointing at it.
        with pytest.raises((DrawChanged, IntegrityError)):
            db.session.flush()
        db.session.rollback()
    assert (_count(Draw), _count(DrawnLab)) == (1, 3)


# --- swaps ------------------------------------------------------------------------------------


def test_a_swap_is_recorded_with_its_reason_and_the_draw_stays_as_made(world, plan, client, auth):
    answer = drawing.make_draw(world.users["quality"], plan, {"seed": "s"})
    code = next(c for c in answer["labs"] if world.labs[c].region == "Mianyang")
    team = answer["teams"][code]
    leaving = team[0]
    joining = next(n for n in ("i-cd", "i-x", "i-y") if n not in team)
    auth.login(world.users["quality"])
    response = client.post(
        "/planning/plans/FC-2010/swap",
        data={"lab_code": code, "out": leaving, "into": joining, "reason": "病假 / illness"},
    )
    assert response.status_code == 303
    swap = db.session.scalar(select(Swap))
    assert (swap.out_user.username, swap.in_user.username, swap.reason) == (
        leaving,
        joining,
        "病假 / illness",
    )
    drawn = db.session.scalar(select(DrawnLab).join(DrawnLab.lab).where(DrawnLab.lab.has(code=code)))
    assert [m.user.username for m in drawing.current_team(drawn)] == [joining, *team[1:]]
    assert drawn.audit.lead.username == joining
    record = db.session.scalar(select(Draw))
    assert record.result["teams"][code] == team  # the draw's record is untouched
    page = client.get("/planning/plans/FC-2010").get_data(as_text=True)
    assert "病假 / illness" in page


def test_a_swap_into_a_conflict_is_refused(world, plan, client):
    answer = drawing.make_draw(world.users["quality"], plan, {"seed": "s"})
    code = next(c for c in answer["labs"] if world.labs[c].region == "Mianyang")
    _user, headers = f.bearer(world.users["quality"])
    response = client.post(
        "/api/v1/plans/FC-2010/swaps",
        json={"lab_code": code, "out": answer["teams"][code][0], "in": "i-my", "reason": "x"},
        headers=headers,
    )
    assert response.status_code == 422
    assert "region" in response.json["errors"]["in"][0]
    assert _count(Swap) == 0
    no_reason = client.post(
        "/api/v1/plans/FC-2010/swaps",
        json={"lab_code": code, "out": answer["teams"][code][0], "in": "i-x", "reason": ""},
        headers=headers,
    )
    assert no_reason.status_code == 422 and _count(Swap) == 0


def test_the_command_line_draws_once(world, plan, app):
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["labtrack", "draw", "FC-2010", "--seed", "cli", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    real = runner.invoke(args=["labtrack", "draw", "FC-2010", "--seed", "cli"])
    assert json.loads(real.output)["labs"] == json.loads(dry.output)["labs"]
    again = runner.invoke(args=["labtrack", "draw", "FC-2010", "--seed", "cli"])
    assert again.exit_code != 0 and "drawn once" in again.output


# --- publication ------------------------------------------------------------------------------


def test_lab_managers_see_a_plan_once_published_and_its_draw_once_that_is(world, plan, client, auth):
    drawing.make_draw(world.users["quality"], plan, {"seed": "s"})
    auth.login(world.users["manager"])
    assert client.get("/planning/plans/FC-2010").status_code == 404
    plans.publish(world.users["quality"], db.session.get(Plan, plan.id), "plan")
    page = client.get("/planning/plans/FC-2010").get_data(as_text=True)
    assert 'id="draw-unpublished"' in page and 'id="drawn-labs"' not in page
    plans.publish(world.users["quality"], db.session.get(Plan, plan.id), "draw")
    page = client.get("/planning/plans/FC-2010").get_data(as_text=True)
    assert 'id="drawn-labs"' in page
    assert "draw.json" not in page and 'id="pool"' not in page  # inputs and the pool stay internal
    assert client.get("/planning/plans/FC-2010/draw.json").status_code == 404
