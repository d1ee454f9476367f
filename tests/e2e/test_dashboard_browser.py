"""The home dashboard's area cards on the demo data, in a real browser (headless Chromium)."""

import pytest

from tests.conftest import browser_login, shot


@pytest.mark.browser
def test_dashboard_for_quality_and_a_lab_manager_on_the_demo(live_server, page):
    from labtrack.demo import DEMO_PASSWORD, load_demo

    with live_server.app.app_context():
        load_demo()
    page.set_default_timeout(90_000)  # the machine is shared; full-page screenshots take a while
    browser_login(page, live_server, "quality", DEMO_PASSWORD)
    page.goto(live_server("/"))
    for card in (
        "#dash-scope",
        "#dash-verification",
        "#dash-rect-figures",
        "#dash-most-overdue",
        "#dash-rounds-open",
        "#dash-rounds-status",
    ):
        assert page.locator(card).count() == 1, card
    assert "From " in page.locator("#dash-scope-growth").inner_text()
    shot(page, "dashboard-quality")
    page.context.clear_cookies()
    browser_login(page, live_server, "manager-SC-TC", DEMO_PASSWORD)
    page.goto(live_server("/"))
    for card in ("#dash-scope", "#dash-rectification", "#dash-rounds-open", "#dash-rounds-status"):
        assert page.locator(card).count() == 1, card
    assert page.locator("#dash-verification").count() == 0 and page.locator("#dash-most-overdue").count() == 0
    shot(page, "dashboard-lab-manager")
