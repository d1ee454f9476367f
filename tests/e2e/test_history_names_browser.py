"""In the browser, on the demo loaded today: history in human terms and reference names in the
reader's language (English, Chinese, a phone's width); screenshots of the pages this changes."""

import pytest
from sqlalchemy import select

from labtrack.audits.models import Finding
from labtrack.extensions import db
from labtrack.models_base import today
from tests.conftest import browser_login, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(live_server):
    from labtrack.demo import load_demo

    with live_server.app.app_context():
        load_demo()
        finding = db.session.scalar(
            select(Finding)
            .where(Finding.status == "plan_accepted", Finding.raised_on >= today().replace(month=1, day=1))
            .order_by(Finding.id)
        )
        live_server.finding_id = finding.id
    return live_server


def _tab(browser, locale: str, width: int = 1366):
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
    context.set_default_timeout(60_000)
    return context.new_page()


PAGES = [
    ("dashboard", "/"),
    ("finding", "/audits/findings/{finding}"),
    ("lab", "/labs/SC-TC"),
    ("labs", "/labs/"),
    ("catalogue", "/scope/catalogue"),
    ("item", "/scope/items/C011-01"),
]


@pytest.mark.parametrize(
    ("lang", "locale", "width"),
    [("en", "en-GB", 1366), ("zh", "zh-CN", 1366), ("phone", "zh-CN", 390)],
)
def test_history_and_names_read_in_the_readers_language(demo, browser, lang, locale, width):
    from labtrack.demo import DEMO_PASSWORD

    page = _tab(browser, locale, width)
    browser_login(page, demo, "quality", DEMO_PASSWORD)
    for name, path in PAGES:
        page.goto(demo(path.format(finding=demo.finding_id)))
        page.wait_for_load_state("networkidle")
        shot(page, f"history-{name}-{lang}")
        body = page.inner_text("body")
        assert "raised_by_id" not in body and "lab_id" not in body and "code_key" not in body
    page.goto(demo(f"/audits/findings/{demo.finding_id}"))
    history = page.inner_text("table.history")
    if lang == "en":
        assert "Raised by" in history and "Plan accepted" in history
    else:
        assert "提出人" in history and "plan_accepted" not in history
        page.goto(demo("/labs/"))
        assert (
            "成都市" in page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
        )
    page.context.close()
