"""Under the Content-Security-Policy the pages still work in Chromium: no CSP violation and no
console error on the demo's pages (charts, print buttons, confirmations); the security log in
English, Chinese and at a phone's width."""

import pytest
from sqlalchemy import select

from tests.conftest import browser_login, shot


@pytest.fixture
def demo_server(live_server):
    from labtrack.demo import load_demo

    with live_server.app.app_context():
        load_demo()
    return live_server


def _pages() -> list[str]:
    from labtrack.audits.models import Audit
    from labtrack.extensions import db
    from labtrack.proficiency.models import Round

    audit = db.session.scalar(select(Audit.id).order_by(Audit.id.desc()).limit(1))
    round_code = db.session.scalar(select(Round.code).where(Round.status == "published").limit(1))
    pages = [
        "/",
        "/labs/",
        "/labs/SC-TC",
        "/scope/growth",
        "/rounds/coverage",
        "/rounds/labs/SC-TC",
        "/reports/campaign?from=2010-01-01&to=2010-12-31",
        "/admin/users",
        "/admin/security",
        "/account",
    ]
    if audit:
        pages.append(f"/audits/{audit}/report")
    if round_code:
        pages.append(f"/rounds/{round_code}")
    return pages


@pytest.mark.browser
def test_pages_work_under_the_csp(demo_server, page):
    from labtrack.demo import DEMO_PASSWORD

    page.set_default_timeout(90_000)
    problems: list[str] = []

    def console(message):
        # A missing favicon is the browser's own guess, not the page's; any other failed resource
        # is caught below by its response.
        if message.type == "error" and "Failed to load resource" not in message.text:
            problems.append(f"{page.url}: {message.text}")

    def response(answer):
        if answer.status >= 400 and not answer.url.endswith("/favicon.ico"):
            problems.append(f"{answer.url}: {answer.status}")

    page.on("console", console)
    page.on("response", response)
    page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
    browser_login(page, demo_server, "admin", DEMO_PASSWORD)
    with demo_server.app.app_context():
        paths = _pages()
    for path in paths:
        response = page.goto(demo_server(path))
        assert response.status == 200, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    assert problems == []

    # A confirmation (data-confirm, no inline handler) still asks, and "no" keeps the lab active.
    page.goto(demo_server("/labs/SC-TC"))
    asked: list[str] = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", answer)
    page.get_by_role("button", name="Deactivate").click()
    page.wait_for_timeout(300)
    assert asked == ["Deactivate this laboratory?"]
    assert page.url.endswith("/labs/SC-TC")


@pytest.mark.browser
def test_the_security_log_in_english_chinese_and_on_a_phone(live_server, page, browser, make_user):
    with live_server.app.app_context():
        from labtrack.auth.models import User
        from labtrack.extensions import db

        admin = User(username="boss", role="admin", full_name="Boss")
        admin.set_password("a-long-password-1")
        db.session.add(admin)
        db.session.commit()
    browser_login(page, live_server, "ghost", "wrong-password")  # a failure to show
    browser_login(page, live_server, "boss", "a-long-password-1")
    page.goto(live_server("/admin/security"))
    assert page.locator("#security-log tbody tr").count() >= 2
    shot(page, "security-log")
    page.goto(live_server("/admin/security?outcome=failure"))
    assert "ghost" in page.locator("#security-log").inner_text()
    page.goto(live_server("/admin/users"))
    page.click("#language-switch")
    page.wait_for_load_state("networkidle")
    page.goto(live_server("/admin/security"))
    assert "安全日志" in page.locator("h1").inner_text()
    shot(page, "security-log-zh")
    phone = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    tab = phone.new_page()
    browser_login(tab, live_server, "boss", "a-long-password-1")
    tab.goto(live_server("/admin/security"))
    width = tab.evaluate("document.documentElement.scrollWidth")
    shot(tab, "security-log-phone")
    phone.close()
    assert width <= 390
