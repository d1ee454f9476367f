"""Long lists in groups: the scope start page and the comparison coverage group laboratories by
region, with a list of regions to jump to, in the reader's language."""

import re

import pytest

from labtrack.extensions import db
from tests import factories as f
from tests.labs.factories import RegionFactory


@pytest.fixture
def three_regions(app):
    """Chengdu: SC-A (2 items of C-1), SC-B (1 item of C-2); Mianyang: MY-A (1 item of C-1);
    Zigong: ZG-A (1 item of C-2). No comparison ever: every category is a gap."""
    RegionFactory(name="Chengdu", name_zh="成都市")
    RegionFactory(name="Mianyang", name_zh="绵阳市")
    RegionFactory(name="Zigong", name_zh="自贡市")
    c1 = f.TestCategoryFactory(code="C-1", name="食品", name_en="Food")
    c2 = f.TestCategoryFactory(code="C-2", name="玩具", name_en="Toys")
    i1, i2 = f.TestItemFactory(category=c1), f.TestItemFactory(category=c1)
    i3 = f.TestItemFactory(category=c2)
    labs = {
        code: f.LabFactory(code=code, region=region)
        for code, region in (
            ("SC-A", "Chengdu"),
            ("SC-B", "Chengdu"),
            ("MY-A", "Mianyang"),
            ("ZG-A", "Zigong"),
        )
    }
    for code, item in (("SC-A", i1), ("SC-A", i2), ("SC-B", i3), ("MY-A", i1), ("ZG-A", i3)):
        f.ScopeEntryFactory(lab=labs[code], item=item)
    db.session.commit()
    return labs


def groups(html: str, cls: str) -> list[str]:
    """The ids of the <details> groups of this class, in page order."""
    return re.findall(rf'<details class="[^"]*\b{cls}\b[^"]*" id="([^"]+)"', html)


def test_scope_start_page_groups_labs_by_region(client, auth, three_regions):
    auth.login("quality")
    html = client.get("/scope/").get_data(as_text=True)
    assert groups(html, "scope-region") == ["region-1", "region-2", "region-3"]
    toc = html[
        html.index('id="scope-regions-toc"') : html.index("</nav>", html.index('id="scope-regions-toc"'))
    ]
    assert re.findall(r'href="#(region-\d)">([^<]+)<', toc) == [
        ("region-1", "Chengdu"),
        ("region-2", "Mianyang"),
        ("region-3", "Zigong"),
    ]
    assert "4 laboratories in 3 regions" in toc
    chengdu = html[html.index('id="region-1"') : html.index('id="region-2"')]
    assert "SC-A" in chengdu and "SC-B" in chengdu and "MY-A" not in chengdu
    assert "2 labs" in chengdu and "3 items" in chengdu
    client.post("/language/zh_Hans_CN")
    html = client.get("/scope/").get_data(as_text=True)
    assert 'href="#region-1">成都市<' in html and 'href="#region-3">自贡市<' in html


def test_one_region_opens_its_group_without_a_list(client, auth, app):
    f.ScopeEntryFactory(lab=f.LabFactory(code="SC-ONE"))
    db.session.commit()
    auth.login("quality")
    html = client.get("/scope/").get_data(as_text=True)
    assert 'id="scope-regions-toc"' not in html and 'id="region-1" open' in html


def test_coverage_groups_labs_by_region_gaps_first(client, auth, three_regions):
    auth.login("quality")
    html = client.get("/rounds/coverage?on=2010-07-01").get_data(as_text=True)
    assert groups(html, "coverage-region") == ["cov-region-1", "cov-region-2", "cov-region-3"]
    assert groups(html, "coverage-lab") == ["cov-SC-A", "cov-SC-B", "cov-MY-A", "cov-ZG-A"]
    toc = html[html.index('id="coverage-toc"') : html.index("</nav>", html.index('id="coverage-toc"'))]
    assert 'href="#cov-region-1">Chengdu<' in toc and "2 labs" in toc and "2 with gaps" in toc
    sc_a = html[html.index('id="cov-SC-A"') : html.index('id="cov-SC-B"')]
    assert "has-gaps" in sc_a and "0 covered" in sc_a and "1 gap" in sc_a and "C-1 Food · never" in sc_a
    # One laboratory asked for: its line is open, no list of regions.
    html = client.get("/rounds/coverage?on=2010-07-01&lab=ZG-A").get_data(as_text=True)
    assert 'id="coverage-toc"' not in html and 'id="cov-ZG-A" open' in html and "SC-A" not in html
    client.post("/language/zh_Hans_CN")
    html = client.get("/rounds/coverage?on=2010-07-01").get_data(as_text=True)
    assert 'href="#cov-region-2">绵阳市<' in html and "C-1 食品" in html
