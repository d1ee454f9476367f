"""The growth page and a lab's scope in a real browser (headless Chromium)."""

import pytest

from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.scope import demo_data
from tests.conftest import browser_login, shot


@pytest.mark.browser
def test_growth_page_and_scope_page(live_server, page):
    from labtrack.auth.models import User
    from tests.conftest import PASSWORD

    with live_server.app.app_context():
        labs = {}
        for code, region in (("SC-TC", "Chengdu"), ("SC-01", "Mianyang"), ("SC-02", "Yibin")):
            lab = Lab(code=code, name=f"{code} 技术中心", region=region, kind="technical_centre")
            db.session.add(lab)
            labs[code] = lab
        user = User(username="quality-e2e", role="quality")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        demo_data.load(labs)
        db.session.commit()
    page.set_default_timeout(90_000)  # the machine is shared; screenshots of long pages take a while
    browser_login(page, live_server, "quality-e2e")
    page.goto(live_server("/scope/growth?from=2009-12-31&to=2010-11-11&lab=SC-TC"))
    headline = page.locator("#headline").inner_text()
    assert headline == "From 63 categories and 469 test items to 93 categories and 706 test items"
    assert page.locator("#growth-chart canvas").count() >= 1
    shot(page, "scope-growth-sc-tc")
    page.goto(live_server("/scope/labs/SC-TC?on=2010-11-11"))
    assert "93 categories, 706 test items" in page.locator("#scope-counts").inner_text()
    shot(page, "scope-lab-sc-tc")
    page.goto(live_server("/labs/SC-TC"))
    assert page.locator("#scope-panel").count() == 1
