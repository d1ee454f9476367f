"""In the browser (English, Chinese, a phone's width): the long lists grouped by region (scope start
page, comparison coverage), the region filter's searchable select read whole, the dashboard."""

import pytest

from labtrack.auth.permissions import Role
from labtrack.extensions import db
from tests import factories as f
from tests.conftest import browser_login, shot
from tests.labs.factories import RegionFactory

pytestmark = pytest.mark.browser

REGIONS = [
    ("Chengdu", "成都市"), ("Mianyang", "绵阳市"), ("Zigong", "自贡市"), ("Panzhihua", "攀枝花市"),
    ("Luzhou", "泸州市"), ("Deyang", "德阳市"), ("Guangyuan", "广元市"), ("Suining", "遂宁市"),
    ("Neijiang", "内江市"), ("Leshan", "乐山市"), ("Nanchong", "南充市"), ("Meishan", "眉山市"),
    ("Yibin", "宜宾市"), ("Guang'an", "广安市"), ("Dazhou", "达州市"), ("Ya'an", "雅安市"),
    ("Liangshan Yi Autonomous Prefecture", "凉山彝族自治州"),
]  # fmt: skip


@pytest.fixture
def world(live_server):
    """A lab or two in each of 17 regions, each holding items of a few of 12 categories."""
    with live_server.app.app_context():
        categories = [
            f.TestCategoryFactory(code=f"C{n:02d}", name=f"检测大类{n}", name_en=f"Category {n}")
            for n in range(12)
        ]
        items = [f.TestItemFactory(category=categories[n % 12]) for n in range(30)]
        for r, (name, name_zh) in enumerate(REGIONS):
            RegionFactory(name=name, name_zh=name_zh)
            for k in range(1 + r % 2):
                lab = f.LabFactory(code=f"L{r:02d}-{k}", name=f"{name_zh}质量检验所{k}", region=name)
                for item in items[(r + k) % 7 :: 5]:
                    f.ScopeEntryFactory(lab=lab, item=item)
        f.UserFactory(username="quality", role=Role.QUALITY)
        finding = f.FindingFactory(
            audit=None,
            lab=lab,
            source_ref="PT-2026-01",
            description="比对轮次 PT-2026-01（陶瓷餐具铅溶出量）结果不满意：z = 4.20。请调查原因并采取纠正措施。\n"
            "Unsatisfactory result in comparison round PT-2026-01 (lead in ceramic tableware): z = 4.20. "
            "Investigate the cause and take corrective action.",
        )
        db.session.commit()
        live_server.finding_id = finding.id
    return live_server


def _tab(browser, locale: str, width: int):
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
    context.set_default_timeout(60_000)
    return context.new_page()


def _no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow} px"


@pytest.mark.parametrize(
    ("lang", "locale", "width"),
    [("en", "en-GB", 1366), ("zh", "zh-CN", 1366), ("en-phone", "en-GB", 390), ("zh-phone", "zh-CN", 390)],
)
def test_long_pages_and_region_filter(world, browser, lang, locale, width):
    page = _tab(browser, locale, width)
    browser_login(page, world, "quality")
    # Scope start page: regions to jump to, each a group that folds.
    page.goto(world("/scope/"))
    assert page.locator("details.scope-region").count() == len(REGIONS)
    assert page.locator("details.scope-region[open]").count() == 0
    page.locator("#scope-regions-toc a").nth(1).click()  # a jump link opens its region
    page.wait_for_function("document.querySelector('#region-2').open")
    shot(page, f"layout-scope-index-{lang}")
    _no_sideways_scroll(page)
    # Coverage: the same, each lab a line that opens on its categories.
    page.goto(world("/rounds/coverage"))
    assert page.locator("details.coverage-region").count() == len(REGIONS)
    page.locator("#coverage-toc button[data-details=open]").click()
    assert page.locator("details.coverage-lab[open]").count() == page.locator("details.coverage-lab").count()
    page.locator("#coverage-toc button[data-details=close]").click()
    page.locator("#coverage-toc a").first.click()
    page.locator("#cov-L00-0 > summary").click()
    shot(page, f"layout-coverage-{lang}")
    _no_sideways_scroll(page)
    # The region filter (a searchable select over 17 regions) reads whole, empty and chosen.
    page.goto(world("/audits/"))
    control = page.locator("select[name=region] + .ts-wrapper .ts-control")
    item = control.locator(".item")
    assert item.evaluate("e => e.scrollWidth <= e.clientWidth"), item.inner_text()
    shot(page, f"layout-region-filter-{lang}")
    page.goto(world("/audits/?region=Liangshan+Yi+Autonomous+Prefecture"))
    assert control.locator(".item").inner_text() in ("Liangshan Yi Autonomous Prefecture", "凉山彝族自治州")
    item = control.locator(".item")
    assert item.evaluate("e => e.scrollWidth <= e.clientWidth"), item.inner_text()
    shot(page, f"layout-region-filter-chosen-{lang}")
    page.goto(world("/"))
    shot(page, f"layout-dashboard-{lang}")
    _no_sideways_scroll(page)
    # A round's finding in the reader's language, the other on request.
    page.goto(world(f"/audits/findings/{world.finding_id}"))
    description = page.locator("#description").inner_text()
    assert ("比对轮次" in description) == lang.startswith("zh") and (
        "Unsatisfactory" in description
    ) != lang.startswith("zh")
    page.locator("#description-other > summary").click()
    shot(page, f"layout-round-finding-{lang}")
    _no_sideways_scroll(page)
    # Regions as reference data: the list and a region's form.
    page.goto(world("/admin/regions"))
    assert page.locator("#regions tbody tr").count() == len(REGIONS)
    shot(page, f"layout-regions-{lang}")
    _no_sideways_scroll(page)
    page.locator("#regions a.btn").first.click()
    page.wait_for_load_state("networkidle")
    shot(page, f"layout-region-form-{lang}")
    _no_sideways_scroll(page)
    page.context.close()
