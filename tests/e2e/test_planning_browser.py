"""Planning in a real browser on the demo data: the overview, grades explained, a plan made through
its form, a dry run and the final draw (the same lists), sanctions; in English, in Chinese and at
phone width (screenshots in screenshots/planning-*.png)."""

import re

import pytest

from tests.conftest import browser_login, shot


@pytest.mark.browser
def test_planning_pages_plan_and_draw(live_server, page):
    from labtrack.demo import DEMO_PASSWORD, load_demo
    from labtrack.extensions import db
    from labtrack.models_base import today
    from labtrack.planning.models import Sanction
    from labtrack.planning.sanctions import in_force_on

    with live_server.app.app_context():
        load_demo()
        in_force = db.session.scalar(db.select(Sanction).where(in_force_on(today())))
        lab_code, sanction_id = in_force.lab.code, in_force.id
    page.set_default_timeout(90_000)  # the machine is shared; full-page screenshots take a while
    page.on("dialog", lambda dialog: dialog.accept())
    browser_login(page, live_server, "quality", DEMO_PASSWORD)

    page.goto(live_server("/planning/"))
    assert page.locator("#planning-grades").count() == 1 and page.locator("#planning-sanctions").count() == 1
    shot(page, "planning-overview")
    page.goto(live_server("/planning/risk"))
    assert page.locator("#risk-weights").count() == 1
    shot(page, "planning-risk")
    page.goto(live_server(f"/planning/labs/{lab_code}"))
    assert "Sanctions in force" in page.locator("#grade-inputs").inner_text()
    shot(page, "planning-lab-risk")
    page.goto(live_server(f"/planning/risk/report?from=2010-12-31&to={today().isoformat()}"))
    assert page.locator("#movement-matrix").count() == 1
    shot(page, "planning-report")

    # A plan through its form: two strata, a pool, team of 2.
    page.goto(live_server("/planning/plans/new"))
    page.fill("#code", "FC-TEST")
    page.fill("#title", "Flight checks (browser test)")
    page.fill("#year", str(today().year))
    page.fill("#team_size", "2")
    page.select_option("#strata-0-region", "Chengdu")
    page.fill("#strata-0-quota", "2")
    page.select_option("#strata-1-lab_kind", "metrology_institute")
    page.fill("#strata-1-ratio", "25%")
    for name in ("inspector", "expert-zhao", "expert-zhou", "expert-wu", "expert-sun"):
        page.check(f"#pool input[value='{name}']")
    shot(page, "planning-plan-form")
    page.click("#plan-form input[type=submit]")
    page.wait_for_url(re.compile(r".*/planning/plans/FC-TEST$"))
    assert page.locator("#quotas tbody tr").count() == 2

    page.fill("#seed", "browser-seed")
    page.click("#dry-run")
    page.wait_for_selector("#dry-run-result")
    dry = [
        c.inner_text().split("\n")[0] for c in page.locator("#dry-run-labs tbody tr td:nth-child(2)").all()
    ]
    assert dry
    shot(page, "planning-dry-run")
    page.fill("#seed", "browser-seed")
    page.click("#draw-final")
    page.wait_for_selector("#drawn-labs")
    drawn = [
        c.inner_text().split("\n")[0] for c in page.locator("#drawn-labs tbody tr td:nth-child(2)").all()
    ]
    assert drawn == dry
    assert page.locator("#quotas").inner_text().count("met") == 2
    shot(page, "planning-plan-drawn")

    page.goto(live_server("/planning/plans/FC-2010"))
    assert page.locator("#drawn-labs tbody tr").count() == 12
    shot(page, "planning-plan-2010")
    page.goto(live_server("/planning/sanctions"))
    shot(page, "planning-sanctions")
    page.goto(live_server(f"/planning/sanctions/{sanction_id}"))
    assert page.locator("#lift-card").count() == 1
    shot(page, "planning-sanction")
    page.goto(live_server("/planning/sanctions/figures?from=2010-01-01"))
    shot(page, "planning-sanction-figures")

    # Chinese.
    page.goto(live_server("/planning/"))
    page.click("#language-switch")
    page.wait_for_load_state("networkidle")
    assert "风险等级" in page.content()
    shot(page, "planning-overview-zh")
    page.goto(live_server("/planning/plans/FC-TEST"))
    assert "抽取" in page.content()
    shot(page, "planning-plan-drawn-zh")
    page.goto(live_server(f"/planning/labs/{lab_code}"))
    shot(page, "planning-lab-risk-zh")
    page.goto(live_server(f"/planning/sanctions/{sanction_id}"))
    shot(page, "planning-sanction-zh")

    # Phone width.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server("/planning/plans/FC-2010"))
    shot(page, "planning-plan-2010-phone")
    page.goto(live_server("/planning/risk"))
    shot(page, "planning-risk-phone")
    page.goto(live_server("/planning/plans/new"))
    shot(page, "planning-plan-form-phone")
