"""The campaign summary of the demo's 2010 in a real browser (headless Chromium)."""

import pytest

from tests.conftest import browser_login, shot


@pytest.mark.browser
def test_campaign_summary_page(live_server, page):
    from labtrack.auth.models import User
    from labtrack.extensions import db
    from tests.conftest import PASSWORD

    runner = live_server.app.test_cli_runner()
    assert runner.invoke(args=["labtrack", "demo"]).exit_code == 0
    with live_server.app.app_context():
        user = User(username="viewer-e2e", role="viewer")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    page.set_default_timeout(90_000)  # the machine is shared
    browser_login(page, live_server, "viewer-e2e")
    page.goto(live_server("/reports/"))
    page.click("text=Campaign summary")
    page.fill("#from", "2010-01-01")
    page.fill("#to", "2010-12-31")
    page.click("#campaign-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    headline = page.locator("#headline").inner_text()
    assert headline.startswith(
        "From 2010-01-01 to 2010-12-31: 130 audits reviewed 1,000 documents and records, "
        "800 instruments and 2,000 reports, and visited 43 institutions in 21 prefectures"
    )
    assert page.locator("#audits tr[data-kind=flight_check]").count() == 1
    shot(page, "reports-campaign")
    page.emulate_media(media="print")
    assert page.locator("#campaign-form").is_hidden()
    shot(page, "reports-campaign-print")
