"""Under a CSP that refuses style attributes (`style-src-attr 'none'`), the pages whose inline
styles became classes still look as they did in Chromium: share bars and a job's progress bar have
their widths, notes keep their line breaks, tom-select opens, ECharts tooltips show; and nothing is
logged to the console (a refused style attribute is logged as an error). Screenshots security-style-*."""

import pytest
from sqlalchemy import select

from tests.conftest import browser_login, shot


@pytest.fixture
def demo_server(live_server):
    from labtrack.demo import load_demo

    with live_server.app.app_context():
        load_demo()
    return live_server


def _records(app) -> dict:
    """A running job at 39 % (181 of 454) and the demo's first finding with a description."""
    from labtrack.audits.models import Finding
    from labtrack.auth.models import User
    from labtrack.extensions import db
    from labtrack.jobs.models import Job, JobStatus
    from labtrack.models_base import utcnow

    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        job = Job(kind="scope_import", started_by_id=admin.id, status=JobStatus.RUNNING, done=181, total=454,
                  started_at=utcnow(), attempts=1)  # fmt: skip
        db.session.add(job)
        db.session.commit()
        finding = db.session.scalar(
            select(Finding.id).where(Finding.description.contains("\n")).order_by(Finding.id).limit(1)
        ) or db.session.scalar(select(Finding.id).order_by(Finding.id).limit(1))
        return {"job": job.id, "finding": finding}


def _width(page, selector: str) -> float:
    return page.locator(selector).first.bounding_box()["width"]


@pytest.mark.browser
def test_pages_without_style_attributes_look_right_under_the_csp(demo_server, page, browser):
    from labtrack.demo import DEMO_PASSWORD

    page.set_default_timeout(60_000)
    records = _records(demo_server.app)
    problems: list[str] = []

    def console(message):  # a missing favicon is the browser's guess; other failed loads are below
        if message.type == "error" and "Failed to load resource" not in message.text:
            problems.append(f"{page.url}: {message.text}")

    def response(answer):
        if answer.status >= 400 and not answer.url.endswith("/favicon.ico"):
            problems.append(f"{answer.url}: {answer.status}")

    page.on("console", console)
    page.on("response", response)
    browser_login(page, demo_server, "admin", DEMO_PASSWORD)

    # A job's progress bar: its width comes from data-pct (labtrack.js), not a style attribute.
    page.goto(demo_server(f"/jobs/{records['job']}"))
    page.wait_for_load_state("networkidle")
    ratio = _width(page, "#job-bar") / _width(page, "#job-progress")
    assert abs(ratio - 0.39) < 0.02, ratio
    assert page.locator("#job-progress").bounding_box()["height"] == pytest.approx(24, abs=1)  # 1.5rem
    shot(page, "security-style-job-en")

    # Share bars against the pass threshold (SVG), the exam's participation.
    page.goto(demo_server("/personnel/exams/1"))
    fill, track = page.locator("#participation svg.share-bar .share-fill"), "#participation svg.share-bar"
    assert page.locator(track).bounding_box()["width"] == pytest.approx(80, abs=1)  # 5rem
    shown = float(page.inner_text("#participation").strip().rstrip("%").replace(",", ""))
    assert fill.bounding_box()["width"] / 80 == pytest.approx(shown / 100, abs=0.02)
    colour = fill.evaluate("el => getComputedStyle(el).fill")
    assert colour in ("rgb(25, 135, 84)", "rgb(220, 53, 69)"), colour
    shot(page, "security-style-exam-en")

    # The personnel report's column charts keep their height.
    page.goto(demo_server("/personnel/reports?from=2010-01-01&to=2010-12-31"))
    chart = page.locator("svg.personnel-chart").first
    assert chart.bounding_box()["height"] == pytest.approx(150, abs=1)

    # Notes keep their line breaks (a class, white-space: pre-line).
    page.goto(demo_server(f"/audits/findings/{records['finding']}"))
    assert page.locator("#description").evaluate("el => getComputedStyle(el).whiteSpace") == "pre-line"
    shot(page, "security-style-finding-en")

    # tom-select opens its list; an ECharts tooltip shows on hover (drawn on the canvas).
    page.goto(demo_server("/audits/figures"))
    page.wait_for_selector("#closure-chart[data-drawn] canvas")
    box = page.locator("#closure-chart").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.6)
    page.wait_for_timeout(600)
    shot(page, "security-style-chart-tooltip-en")
    wrapper = page.locator("main .ts-wrapper").first
    assert wrapper.count() == 1
    wrapper.locator(".ts-control").click()
    page.wait_for_selector("main .ts-dropdown .option", state="visible")
    shot(page, "security-style-tom-select-en")
    assert problems == []

    # Chinese, and a phone's width.
    page.click("#language-switch")
    page.wait_for_load_state("networkidle")
    page.goto(demo_server("/personnel/exams/1"))
    shot(page, "security-style-exam-zh")
    page.goto(demo_server(f"/jobs/{records['job']}"))
    page.wait_for_load_state("networkidle")
    assert abs(_width(page, "#job-bar") / _width(page, "#job-progress") - 0.39) < 0.02
    shot(page, "security-style-job-zh")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(demo_server("/personnel/exams/1"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    shot(page, "security-style-exam-390")
    page.goto(demo_server(f"/audits/findings/{records['finding']}"))
    shot(page, "security-style-finding-390")
    assert problems == []
