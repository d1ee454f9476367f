"""The wiring between the areas in a real browser: the notification bell, the account page's link
to the preferences, a lab's scope page with who is authorised and what a sanction suspends, the
finding page with the persons it names, the scope import followed as a job, a large export's job
page; English, Chinese and a phone's width, with screenshots."""

from datetime import date, timedelta

import pytest

from labtrack import events
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.planning.values import SanctionKind
from tests import factories as f
from tests.conftest import browser_login, shot
from tests.personnel.factories import AuthorisationFactory, FindingPersonFactory, PersonFactory
from tests.planning.factories import SanctionFactory, SanctionItemFactory

pytestmark = pytest.mark.browser

CSV = (
    "lab_code,category_code,category_name,item_code,item_name,method,parameters,granted_on,withdrawn_on\n"
    "SC-TC,C09,玩具,I900,邻苯二甲酸酯,GB 6675.1-2014,6,2010-05-01,\n"
)


@pytest.fixture
def world(live_server):
    app = live_server.app
    app.config.update(JOBS_IMMEDIATE=True, EXPORT_INLINE_ROWS=1)  # jobs in the request: no worker here
    with app.app_context():
        lab = f.LabFactory(code="SC-TC", name="四川省陶瓷检测中心")
        f.UserFactory(role=Role.QUALITY, username="quality")
        manager = f.UserFactory(role=Role.LAB_MANAGER, lab=lab, username="manager-SC-TC")
        lead = f.UserFactory(role=Role.INSPECTOR, username="inspector")
        food = f.TestCategoryFactory(code="C01", name="食品", name_en="Food")
        pb = f.TestItemFactory(code="PB", name="铅", name_en="Lead", category=food)
        cd = f.TestItemFactory(code="CD", name="镉", name_en="Cadmium", category=food)
        hg = f.TestItemFactory(code="HG", name="汞", name_en="Mercury", category=food)
        for item in (pb, cd, hg):
            f.ScopeEntryFactory(lab=lab, item=item)
        AuthorisationFactory(person=PersonFactory(lab=lab, name="赵授权"), item=cd)
        sanction = SanctionFactory(
            lab=lab, kind=SanctionKind.SUSPENSION, starts_on=date.today() - timedelta(days=10), ends_on=None
        )
        SanctionItemFactory(sanction=sanction, item=pb)
        finding = f.FindingFactory(audit__lab=lab, audit__lead=lead, lab=lab, area="personnel_training")
        named = FindingPersonFactory(finding=finding, person__name="王检测")
        events.finding_raised.send(finding, actor=lead)  # the manager hears of it
        db.session.commit()
        return {"finding": named.finding_id, "manager": manager.username}


def test_the_wired_pages_in_english_chinese_and_on_a_phone(world, live_server, page, browser, tmp_path):
    page.set_default_timeout(90_000)
    browser_login(page, live_server, world["manager"])
    assert page.locator("#notifications-badge .badge").inner_text() == "1"
    shot(page, "integration-bell")
    page.goto(live_server("/account"))
    assert page.locator("#notification-preferences").is_visible()
    shot(page, "integration-account")
    page.click("#notification-preferences")
    assert page.url.endswith("/notify/preferences")

    page.context.clear_cookies()
    browser_login(page, live_server, "quality")
    pages = [
        ("scope-lab", "/scope/labs/SC-TC"),
        ("finding", f"/audits/findings/{world['finding']}"),
        ("scope-import", "/scope/import"),
    ]
    for name, path in pages:
        assert page.goto(live_server(path)).status == 200, path
        shot(page, f"integration-{name}")
    page.goto(live_server("/scope/labs/SC-TC"))
    assert "PB" in page.locator("#scope-suspended").inner_text()
    assert "HG" in page.locator("#scope-authorisations").inner_text()  # nobody may perform mercury
    page.goto(live_server(f"/audits/findings/{world['finding']}"))
    assert "王检测" in page.locator("#finding-persons").inner_text()

    csv = tmp_path / "scope.csv"
    csv.write_text(CSV, encoding="utf-8")
    page.goto(live_server("/scope/import"))
    page.set_input_files("#file", str(csv))
    page.click("#submit")
    page.wait_for_load_state("networkidle")
    assert "I900" in page.content() and page.locator("#confirm-import").is_visible()
    shot(page, "integration-scope-import-preview")
    page.click("#confirm-import")
    page.wait_for_load_state("networkidle")
    assert (
        page.locator("#import-done").is_visible()
        and "1 new periods" in page.locator("#import-applied").inner_text()
    )
    shot(page, "integration-scope-import-done")

    page.goto(live_server("/scope/export.csv"))  # four periods > EXPORT_INLINE_ROWS: a job
    assert "/jobs/" in page.url and page.locator("#job-download").is_visible()
    shot(page, "integration-export-job")

    page.click("#language-switch")
    page.wait_for_load_state("networkidle")
    for name, path in pages:
        page.goto(live_server(path))
        shot(page, f"integration-{name}-zh")
    page.goto(live_server("/scope/labs/SC-TC"))
    assert "已暂停" in page.locator("#scope-suspended").inner_text()

    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.set_default_timeout(90_000)
    tab = phone.new_page()
    browser_login(tab, live_server, "quality")
    for name, path in pages:
        assert tab.goto(live_server(path)).status == 200
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, (path, width)  # nothing runs off a phone's screen
        shot(tab, f"integration-phone-{name}")
    phone.close()
