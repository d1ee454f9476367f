"""Applications in a real browser on the demo data: a lab manager drafts an extension, adds an item
and submits it; the accreditation division takes it from acceptance to the certificate (the
decision signed with the password); the list, the working calendar and the report; in English, in
Chinese and at phone width (screenshots in screenshots/applications-*.png)."""

import re

import pytest

from tests.conftest import browser_login, shot


def _step(page, to: str) -> None:
    page.click(f"#step-{to} button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
def test_an_application_from_draft_to_certificate(live_server, page):
    from sqlalchemy import select

    from labtrack.demo import DEMO_PASSWORD, load_demo
    from labtrack.extensions import db
    from labtrack.labs.models import Lab
    from labtrack.scope.models import ScopeEntry, TestItem

    with live_server.app.app_context():
        load_demo()
        tc = db.session.scalar(select(Lab).where(Lab.code == "SC-TC"))
        held = select(ScopeEntry.item_id).where(ScopeEntry.lab_id == tc.id)
        wanted = db.session.scalar(
            select(TestItem.code).where(TestItem.id.not_in(held)).order_by(TestItem.code)
        )
    page.set_default_timeout(90_000)
    browser_login(page, live_server, "manager-SC-TC", DEMO_PASSWORD)

    page.goto(live_server("/applications/"))
    assert page.locator("#applications tbody tr").count() > 0
    shot(page, "applications-list-manager")
    page.click("#new-application")
    assert page.locator("#lab_code").count() == 0  # their own lab
    page.select_option("#kind", "extension")
    page.fill("#title", "浏览器测试扩项申请")
    shot(page, "applications-new")
    page.click("#application-form input[type=submit]")
    page.wait_for_url(re.compile(r".*/applications/\d+$"))
    url = page.url
    page.fill("#item_code", "F-1-NOT-A-CODE")
    page.click("#item-form input[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#item-form .invalid-feedback").count() >= 1  # refused beside the field
    shot(page, "applications-item-refused")
    page.fill("#item_code", "")
    page.type("#item_code", wanted)  # the picker asks the catalogue and names the match
    page.wait_for_selector("#item-picked:not(:empty)")
    shot(page, "applications-item-picker")
    page.fill("#item_name", "")
    page.fill("#category_code", "")
    page.fill("#category_name", "")
    page.click("#item-form input[type=submit]")
    page.wait_for_load_state("networkidle")
    assert wanted in page.locator("#items").inner_text()
    _step(page, "submitted")
    assert page.locator("#clocks").inner_text().count("Acceptance") == 1
    shot(page, "applications-submitted")

    page.context.clear_cookies()
    browser_login(page, live_server, "quality", DEMO_PASSWORD)
    page.goto(url)
    _step(page, "accepted")
    _step(page, "review")
    page.select_option("#lead-assessment", "inspector")
    shot(page, "applications-send-team")
    _step(page, "assessment")
    assert page.locator("#assessment").count() == 1
    _step(page, "rectification")
    page.fill("#password-decided", "not my password")
    _step(page, "decided")
    assert "password is not correct" in page.content()
    shot(page, "applications-decide-refused")
    page.fill("#password-decided", DEMO_PASSWORD)
    _step(page, "decided")
    assert page.locator("#decision").count() == 1
    _step(page, "certified")
    assert "Certified" in page.locator("h1").inner_text()
    shot(page, "applications-certified")

    page.goto(live_server("/applications/?overdue=1"))
    shot(page, "applications-list-overdue")
    page.goto(live_server("/applications/calendar?year=2010"))
    assert page.locator("#days tbody tr").count() >= 20
    shot(page, "applications-calendar")
    page.goto(live_server("/applications/report?from=2010-01-01&to=2010-12-31&lab=SC-TC"))
    assert page.locator("#report-sources tbody tr").count() >= 6
    shot(page, "applications-report")
    returned = page.goto(live_server("/applications/?status=rectification"))
    assert returned.ok
    page.click("#applications tbody tr a")
    page.wait_for_load_state("networkidle")
    shot(page, "applications-rectification")

    # Chinese.
    page.goto(live_server("/applications/"))
    page.click("#language-switch")
    page.wait_for_load_state("networkidle")
    assert "资质认定申请" in page.content()
    shot(page, "applications-list-zh")
    page.goto(url)
    assert "已发证" in page.content()
    shot(page, "applications-certified-zh")
    page.goto(live_server("/applications/calendar?year=2010"))
    shot(page, "applications-calendar-zh")
    page.goto(live_server("/applications/report?from=2010-01-01&to=2010-12-31"))
    shot(page, "applications-report-zh")

    # Phone width.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server("/applications/"))
    shot(page, "applications-list-phone")
    page.goto(url)
    shot(page, "applications-certified-phone")
    page.goto(live_server("/applications/calendar?year=2010"))
    shot(page, "applications-calendar-phone")
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 400
