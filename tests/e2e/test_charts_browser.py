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
    "history": ("/rounds/labs/{lab}", ["#history-chart"]),
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
    from sqlalchemy import func, select

    from labtrack.demo import DEMO_PASSWORD, load_demo
    from labtrack.extensions import db
    from labtrack.labs.models import Lab
    from labtrack.proficiency.models import Result, Round

    with live_server.app.app_context():
        load_demo()
        code = db.session.scalar(
            select(Round.code).where(Round.status == "published").order_by(Round.closes_on.desc()).limit(1)
        )
        # The lab with the longest history of measured (quantitative) results.
        lab = db.session.scalar(
            select(Lab.code)
            .join(Result, Result.lab_id == Lab.id)
            .join(Round, Result.round_id == Round.id)
            .where(Round.status == "published", Result.score.is_not(None))
            .group_by(Lab.code)
            .having(func.count(Result.value) == func.count())
            .order_by(func.count().desc(), Lab.code)
            .limit(1)
        )
    errors: list[str] = []
    # Script errors; failed loads are caught below by their response (the browser's own favicon
    # request, which the app does not serve, is not one of the page's resources).
    page.on(
        "console",
        lambda m: (
            errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.set_default_timeout(90_000)  # the machine is shared
    browser_login(page, live_server, "quality", DEMO_PASSWORD)

    for name, (path, charts) in PAGES.items():
        _check(page, live_server, path.format(round=code, lab=lab), charts, 1366)
        shot(page, f"charts-{name}")
    # The library comes from the app itself, cached for a year.
    response = page.request.get(live_server("/vendor/echarts.min.js"))
    assert response.ok and "immutable" in response.headers["cache-control"]

    page.click("#language-switch")
    page.wait_for_load_state("networkidle")
    for name, (path, charts) in PAGES.items():
        _check(page, live_server, path.format(round=code, lab=lab), charts, 1366)
        shot(page, f"charts-{name}-zh")
    page.goto(live_server(f"/rounds/{code}"))
    legend = page.evaluate(
        "JSON.parse(document.querySelector('#histogram').dataset.chart).series.map(s => s.name)"
    )
    assert "核密度" in legend  # the legend, in Chinese

    page.set_viewport_size({"width": 390, "height": 844})
    for name, (path, charts) in PAGES.items():
        _check(page, live_server, path.format(round=code, lab=lab), charts, 390)
        shot(page, f"charts-{name}-phone")
    assert errors == []
