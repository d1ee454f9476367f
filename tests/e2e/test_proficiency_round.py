"""A comparison round end to end in the browser: create, open, enter, close, evaluate, publish, finding."""

import pytest

from labtrack.auth.models import User
from labtrack.extensions import db
from labtrack.labs.models import Lab, LabKind
from tests.conftest import PASSWORD, browser_login, shot

pytestmark = pytest.mark.browser


def _seed(live_server):
    with live_server.app.app_context():
        for n in range(1, 6):
            db.session.add(
                Lab(code=f"E{n:02d}", name=f"实验室 {n}", region="Chengdu", kind=LabKind.REGIONAL_LAB)
            )
        quality = User(username="q-browser", role="quality")
        quality.set_password(PASSWORD)
        db.session.add(quality)
        db.session.commit()


def test_round_end_to_end(live_server, page):
    _seed(live_server)
    browser_login(page, live_server, "q-browser")
    page.goto(live_server("/rounds/"))
    page.click("#new-round")
    page.fill("#code", "BS-E2E")
    page.fill("#title", "Lead in ceramic tableware")
    page.select_option("#kind", "blind_sample")
    page.fill("#measurand", "Pb")
    page.fill("#unit", "mg/L")
    page.select_option("#assigned_value_method", "reference")
    page.fill("#x_pt", "10")
    page.fill("#u_x_pt", "0.1")
    page.select_option("#sigma_pt_method", "fixed")
    page.fill("#sigma_pt", "0.5")
    page.select_option("#participants", ["E01", "E02", "E03", "E04", "E05"])
    shot(page, "proficiency-new-round")
    page.click("#submit")
    page.wait_for_url("**/rounds/BS-E2E")
    page.click("#to-open")
    assert "Open for results" in page.inner_text("#round-status")
    for code, value in [("E01", "10.2"), ("E02", "9.0"), ("E03", "11.2"), ("E04", "8.4"), ("E05", "10.4")]:
        page.select_option("#lab_code", code)
        page.fill("#value", value)
        page.click("#enter-result #submit")
        page.wait_for_load_state("networkidle")
    shot(page, "proficiency-open-with-results")
    page.click("#to-closed")
    page.click("#evaluate")
    page.wait_for_selector("#histogram canvas")
    assert "-3.20" in page.inner_text("#results-table")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#publish")
    page.wait_for_selector("#round-findings")
    shot(page, "proficiency-published")
    findings = page.inner_text("#round-findings")
    assert "E04" in findings and "unsatisfactory result" in findings and "E03" not in findings
    page.click("#round-findings a")
    page.wait_for_load_state("networkidle")
    assert "BS-E2E" in page.content()
    shot(page, "proficiency-finding")
    page.goto(live_server("/rounds/labs/E04"))
    page.wait_for_selector("#history-chart canvas")
    shot(page, "proficiency-lab-history")
