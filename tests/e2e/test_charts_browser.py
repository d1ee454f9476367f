"""Charts drawn in the browser (ECharts from node_modules, data carried by the page) on the demo:
the rectification figures, capability growth, a round and a lab's comparison history; each chart
has its canvas, nothing logged to the console, legends above the plotting area; in English, in
Chinese and at phone width (screenshots in screenshots/charts-*.png)."""

import pytest

from tests.conftest import browser_login, shot

PAGES = {
    "figures": ("/audits/figures", ["#ageing-chart", "#closure-chart"]),
    "growth": ("/scope/growth?lab=SC-TC&from=2009-12-31&to=2010-12-31", ["#growth-chart"]),
    "round": ("/rounds/{round}", ["#histogram", "#ranked"]),
    "history": ("/rounds/labs/SC-TC", ["#history-chart"]),
}


def _check(page, live, path: str, charts: list[str], width: int) -> None:
    page.goto(live(path))
    for selector in charts:
        page.wait_for_selector(f"{selector}[data-drawn] canvas")
        box = page.locator(selector).bounding_box()
        assert box["width"] > 200 and box["x"] + box["width"] <= width + 1, (path, selector, box)
    # The page itself does not scroll sideways because of a chart.
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1 or width > 1000


@pytest.mark.browser
def test_charts_render_in_both_languages_and_on_a_phone(live_server, page):
    from sqlalchemy import select

    from labtrack.demo import DEMO_PASSWORD, load_demo
    from labtrack.extensions import db
    from labtrack.proficiency.models import Round

    with live_server.app.app_context():
        load_demo()
        code = db.session.scalar(
            select(Round.code).where(Round.status == "published").order_by(Round.closes_on.desc()).limit(1)
        )
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(90_000)  # the machine is shared
    browser_login(page, live_server, "quality", DEMO_PASSWORD)

    for name, (path, charts) in PAGES.items():
        _check(page, live_server, path.format(round=code), charts, 1366)
        shot(page, f"charts-{name}")
    # The library comes from the app itself, cached for a year.
    response = page.request.get(live_server("/vendor/echarts.min.js"))
    assert response.ok and "immutable" in response.headers["cache-control"]

    page.click("#language-switch")
    page.wait_for_load_state("networkidle")
    for name, (path, charts) in PAGES.items():
        _check(page, live_server, path.format(round=code), charts, 1366)
        shot(page, f"charts-{name}-zh")
    assert "核密度" in page.goto(live_server(f"/rounds/{code}")).text()  # the legend, in Chinese

    page.set_viewport_size({"width": 390, "height": 844})
    for name, (path, charts) in PAGES.items():
        _check(page, live_server, path.format(round=code), charts, 390)
        shot(page, f"charts-{name}-phone")
    assert errors == []
