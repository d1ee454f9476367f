"""Reference data in the reader's language: regions, categories and items, on pages and by helper."""

from flask_babel import force_locale

from labtrack.i18n_names import localized_name, other_name, region_label
from tests import factories as f
from tests.labs.factories import RegionFactory


def test_names_by_locale(app):
    item = f.TestItemFactory(name="陶瓷餐具铅溶出量", name_en="Lead released from ceramic tableware")
    region = RegionFactory(name="Chengdu", name_zh="成都市")
    row = {"item_name": "甲醛", "item_name_en": "Formaldehyde"}
    with app.test_request_context():
        with force_locale("en"):
            assert localized_name(item) == "Lead released from ceramic tableware"
            assert other_name(item) == "陶瓷餐具铅溶出量"
            assert localized_name(row, prefix="item_") == "Formaldehyde"
            assert region_label("Chengdu") == "Chengdu" and localized_name(region) == "Chengdu"
        with force_locale("zh_Hans_CN"):
            assert localized_name(item) == "陶瓷餐具铅溶出量"
            assert other_name(item) == "Lead released from ceramic tableware"
            assert localized_name(row, prefix="item_") == "甲醛"
            assert region_label("Chengdu") == "成都市" and localized_name(region) == "成都市"
            assert region_label("Atlantis") == "Atlantis"  # not in the reference data: as stored


def test_a_missing_name_falls_back_to_the_other_language(app):
    item = f.TestItemFactory(name="仅中文", name_en=None)
    with app.test_request_context(), force_locale("en"):
        assert localized_name(item) == "仅中文" and other_name(item) == ""


def test_pages_show_regions_and_items_in_the_readers_language(app, client, auth):
    RegionFactory(name="Chengdu", name_zh="成都市")
    lab = f.LabFactory(code="SC-TC", region="Chengdu")
    item = f.TestItemFactory(name="陶瓷餐具铅溶出量", name_en="Lead released from ceramic tableware")
    auth.login("admin")
    english = client.get("/labs/").get_data(as_text=True)
    assert "<td>Chengdu</td>" in english
    page = client.get(f"/scope/items/{item.code}").get_data(as_text=True)
    assert '<h1 class="h3 mb-0">Lead released from ceramic tableware' in page
    client.post("/language/zh_Hans_CN")
    chinese = client.get("/labs/").get_data(as_text=True)
    assert "<td>成都市</td>" in chinese and "<td>Chengdu</td>" not in chinese
    page = client.get(f"/scope/items/{item.code}").get_data(as_text=True)
    assert '<h1 class="h3 mb-0">陶瓷餐具铅溶出量' in page
    assert lab.code in client.get("/labs/").get_data(as_text=True)
