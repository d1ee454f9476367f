"""The public pages in a real browser, not signed in, on the demo data: the directory searched by
item and region, a laboratory's scope, the 2010 plan's published draw and outcomes, sanctions in
force; in English, in Chinese and at phone width (screenshots in screenshots/public-*.png)."""

import pytest

from tests.conftest import shot


@pytest.mark.browser
def test_public_pages_without_signing_in(live_server, page):
    from labtrack.demo import load_demo

    with live_server.app.app_context():
        load_demo()
    page.set_default_timeout(90_000)
    page.goto(live_server("/public/?lang=en"))
    assert page.locator("#directory .card").count() > 10
    page.fill("input[name=item]", "Lead")
    page.select_option("select[name=region]", "Chengdu")
    page.click("#directory-search button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "laborator" in page.locator("#directory-total").inner_text()
    shot(page, "public-directory")
    first = page.locator("#directory .card a").first
    first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#public-certificates li").count() >= 1
    shot(page, "public-lab")
    page.goto(live_server("/public/plans/FC-2010?lang=en"))
    assert page.locator("#public-outcomes tbody tr").count() == 12
    shot(page, "public-plan-2010")
    page.goto(live_server("/public/sanctions?lang=en"))
    assert page.locator("#public-sanctions tbody tr").count() == 1
    shot(page, "public-sanctions")
    page.click("#language-switch")
    page.wait_for_load_state("networkidle")
    assert "正在执行的处理" in page.content()
    shot(page, "public-sanctions-zh")
    page.goto(live_server("/public/?lang=zh"))
    assert "具备资质的实验室名录" in page.content()
    shot(page, "public-directory-zh")
    page.goto(live_server("/public/plans/FC-2010?lang=zh"))
    shot(page, "public-plan-2010-zh")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server("/public/?lang=zh&item=铅"))
    shot(page, "public-directory-phone")
    page.goto(live_server("/public/plans/FC-2010?lang=en"))
    shot(page, "public-plan-2010-phone")
    assert page.context.cookies() == []  # nothing set a cookie: the pages need no session
