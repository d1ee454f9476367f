"""The proficiency pages as each audience sees them, in English and Chinese, on a desktop and a phone.

A lab manager's round page before publication shows its own value and no score; after publication
its own lab by name and the others by participant code; quality sees everything. Screenshots of
each page go to screenshots/proficiency-*.png.
"""

from datetime import date

import pytest

from labtrack.auth.models import User
from labtrack.extensions import db
from labtrack.labs.models import Lab, LabKind
from labtrack.proficiency import evaluation, results, service
from tests.conftest import PASSWORD, browser_login, shot

pytestmark = pytest.mark.browser

VALUES = {"V01": 10.2, "V02": 9.0, "V03": 11.2, "V04": 8.4, "V05": 10.4}


def _seed(live_server) -> None:
    with live_server.app.app_context():
        for n in range(1, 6):
            db.session.add(
                Lab(code=f"V{n:02d}", name=f"实验室 {n}", region="成都", kind=LabKind.REGIONAL_LAB)
            )
        db.session.commit()
        users = []
        for username, role, lab_code in (("q-view", "quality", None), ("m-view", "lab_manager", "V01")):
            lab = db.session.query(Lab).filter_by(code=lab_code).one() if lab_code else None
            user = User(username=username, role=role, lab=lab)
            user.set_password(PASSWORD)
            db.session.add(user)
            users.append(user)
        db.session.commit()
        quality = users[0]
        for code, stop in (("PT-EVAL", "evaluated"), ("PT-PUB", "published")):
            rnd = service.create_round(
                {"code": code, "title": "铅溶出量 Lead from ceramics", "kind": "blind_sample", "measurand": "Pb",
                 "unit": "mg/L", "assigned_value_method": "reference", "x_pt": 10.0, "u_x_pt": 0.1,
                 "sigma_pt_method": "fixed", "sigma_pt": 0.5, "participants": list(VALUES),
                 "opens_on": date(2010, 5, 1), "closes_on": date(2010, 6, 30)},
                quality,
            )  # fmt: skip
            service.transition(rnd, "open", quality)
            results.submit_results(rnd, [{"lab_code": k, "value": v} for k, v in VALUES.items()], quality)
            service.transition(rnd, "closed", quality)
            evaluation.evaluate_round(rnd, quality)
            if stop == "published":
                evaluation.publish_round(rnd, quality)


def _tab(browser, locale: str, width: int):
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    return context, context.new_page()


@pytest.mark.parametrize(
    ("locale", "width", "suffix"), [("en-GB", 1366, "en"), ("zh-CN", 1366, "zh"), ("zh-CN", 390, "phone")]
)
def test_a_lab_managers_view_before_and_after_publication(live_server, browser, locale, width, suffix):
    _seed(live_server)
    context, tab = _tab(browser, locale, width)
    try:
        browser_login(tab, live_server, "m-view")
        tab.goto(live_server("/rounds/PT-EVAL"))
        assert tab.locator("#scores-hidden").is_visible()
        table = tab.inner_text("#results-table")
        assert "10.2" in table and "V01" in table and "V02" not in table and "0.40" not in table
        assert tab.locator("#histogram").count() == 0
        shot(tab, f"proficiency-manager-evaluated-{suffix}")
        tab.goto(live_server("/rounds/PT-PUB"))
        tab.wait_for_selector("#histogram canvas")
        table = tab.inner_text("#results-table")
        assert "V01" in table and "V04" not in table and "-3.20" in table and "0.40" in table
        shot(tab, f"proficiency-manager-published-{suffix}")
        tab.goto(live_server("/rounds/"))
        assert "PT-EVAL" in tab.content() and tab.locator("#new-round").count() == 0
        shot(tab, f"proficiency-manager-list-{suffix}")
        tab.goto(live_server("/rounds/labs/V01"))
        assert "PT-PUB" in tab.inner_text("#history-table") and "PT-EVAL" not in tab.inner_text(
            "#history-table"
        )
        shot(tab, f"proficiency-manager-history-{suffix}")
    finally:
        context.close()


@pytest.mark.parametrize(
    ("locale", "width", "suffix"), [("en-GB", 1366, "en"), ("zh-CN", 1366, "zh"), ("zh-CN", 390, "phone")]
)
def test_quality_sees_the_evaluation_before_publication(live_server, browser, locale, width, suffix):
    _seed(live_server)
    context, tab = _tab(browser, locale, width)
    try:
        browser_login(tab, live_server, "q-view")
        tab.goto(live_server("/rounds/PT-EVAL"))
        tab.wait_for_selector("#histogram canvas")
        assert tab.locator("#summary").is_visible() and "-3.20" in tab.inner_text("#results-table")
        assert tab.locator("#publish").is_visible()
        shot(tab, f"proficiency-quality-evaluated-{suffix}")
        tab.goto(live_server("/rounds/?year=10000"))
        assert "1900" in tab.content()  # the refusal names the range
        shot(tab, f"proficiency-bad-filter-{suffix}")
        tab.goto(live_server("/rounds/new"))
        shot(tab, f"proficiency-new-round-{suffix}")
        tab.goto(live_server("/rounds/coverage"))
        shot(tab, f"proficiency-coverage-{suffix}")
    finally:
        context.close()
