"""The personnel pages in a real browser (headless Chromium) on the demo data: English, Chinese and
a phone's width; a lab manager adds a person and authorises them; screenshots of every page."""

import pytest

from tests.conftest import browser_login, shot

PAGES = [
    ("people", "/personnel/"),
    ("lab", "/personnel/labs/SC-TC"),
    ("coverage", "/personnel/labs/SC-TC/authorisations"),
    ("person", "/personnel/people/1"),
    ("sessions", "/personnel/sessions?year=2010"),
    ("session", "/personnel/sessions/1"),
    ("exams", "/personnel/exams"),
    ("exam", "/personnel/exams/1"),
    ("contest", "/personnel/exams/3"),
    ("report", "/personnel/reports?from=2010-01-01&to=2010-12-31"),
    ("campaign", "/reports/campaign?from=2010-01-01&to=2010-12-31"),
]


@pytest.fixture
def demo_server(live_server):
    from labtrack.demo import load_demo

    with live_server.app.app_context():
        load_demo()
    return live_server


@pytest.mark.browser
def test_the_pages_in_english_chinese_and_on_a_phone(demo_server, page, browser):
    from labtrack.demo import DEMO_PASSWORD

    page.set_default_timeout(90_000)  # the machine is shared; full-page screenshots take a while
    browser_login(page, demo_server, "quality", DEMO_PASSWORD)
    for name, path in PAGES:
        response = page.goto(demo_server(path))
        assert response.status == 200, path
        shot(page, f"personnel-{name}")
    page.goto(demo_server("/personnel/reports?from=2010-01-01&to=2010-12-31"))
    assert page.locator("#total-sessions").inner_text() == "1,270"
    assert page.locator("#total-attendances").inner_text() == "27,000"
    page.goto(demo_server("/reports/campaign?from=2010-01-01&to=2010-12-31"))
    assert "1,270 training sessions with 27,000 attendances" in page.locator("#headline").inner_text()
    page.click("#language-switch")
    page.wait_for_load_state("networkidle")
    for name, path in PAGES:
        page.goto(demo_server(path))
        shot(page, f"personnel-{name}-zh")
    assert "培训" in page.locator("#training").inner_text()

    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.set_default_timeout(90_000)
    tab = phone.new_page()
    browser_login(tab, demo_server, "manager-SC-TC", DEMO_PASSWORD)
    for name, path in [
        ("lab", "/personnel/labs/SC-TC"),
        ("person", "/personnel/people/1"),
        ("report", "/personnel/reports"),
        ("exam", "/personnel/exams/1"),
    ]:
        assert tab.goto(demo_server(path)).status == 200
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, (path, width)  # nothing runs off a phone's screen
        shot(tab, f"personnel-phone-{name}")
    phone.close()


@pytest.mark.browser
def test_a_lab_manager_adds_a_person_and_authorises_them(demo_server, page):
    from labtrack.demo import DEMO_PASSWORD

    page.set_default_timeout(90_000)
    browser_login(page, demo_server, "manager-SC-TC", DEMO_PASSWORD)
    page.goto(demo_server("/personnel/labs/SC-TC"))
    page.click("#add-person")
    page.fill("#staff_no", "TC9001")
    page.fill("#name", "测试员")
    page.check("#post-analyst")
    page.fill("#employed_from", "2010-03-01")
    page.fill("#employed_to", "2009-01-01")  # ends before it starts: refused beside the field
    page.click("#submit")
    assert "The end date cannot be before the start date." in page.locator("#person-form").inner_text()
    shot(page, "personnel-person-form-error")
    page.fill("#employed_to", "")
    page.click("#submit")
    page.wait_for_url("**/personnel/people/*")
    page.click("#authorise")
    page.fill("#item_code", "NO-SUCH-ITEM")
    page.fill("#valid_from", "2010-03-01")
    page.click("#submit")
    assert page.locator("#authorisation-form .invalid-feedback").count() >= 1
    shot(page, "personnel-authorisation-error")
    coverage = page.context.request.get(demo_server("/api/v1/labs/SC-TC/authorisation-coverage")).json()
    gap = next(row["item_code"] for row in coverage["rows"] if not row["covered"])
    page.fill("#item_code", gap)
    page.click("#submit")
    page.wait_for_url("**/personnel/people/*")
    assert gap in page.locator("#may-do").inner_text()
    shot(page, "personnel-person-authorised")
