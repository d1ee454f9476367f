"""The API's refusals in the caller's language: the same error shape and field names whatever the
language, the message and the field messages in Chinese for a client that asks for it, English
otherwise (a token user's saved language wins over the header)."""

import pytest

from labtrack.auth.permissions import Role
from labtrack.extensions import db
from tests import factories as f

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-GB"}


@pytest.fixture
def catalogue(app):
    f.LabFactory(code="SC-01", region="Chengdu")
    f.TestItemFactory(code="PB", category=f.TestCategoryFactory(code="FOOD"))


def test_a_422_names_the_same_fields_in_both_languages(client, catalogue):
    _, token = f.bearer(role=Role.VIEWER)
    english = client.get(
        "/api/v1/growth?from=2009-12-31&to=2010-12-31&region=Atlantis", headers={**token, **EN}
    )
    chinese = client.get(
        "/api/v1/growth?from=2009-12-31&to=2010-12-31&region=Atlantis", headers={**token, **ZH}
    )
    assert english.status_code == chinese.status_code == 422
    assert set(english.json) == set(chinese.json) == {"code", "status", "message", "errors"}
    assert english.json["errors"] == {"region": ["No laboratory in region Atlantis."]}
    assert chinese.json["errors"] == {"region": ["地区Atlantis没有实验室。"]}
    assert chinese.json["message"] == "未知的地区。"


def test_a_403_and_a_404_in_chinese(client, catalogue):
    _, viewer = f.bearer(role=Role.VIEWER)
    refused = client.post(
        "/api/v1/catalogue/items",
        json={"code": "HG", "name": "汞", "category_code": "FOOD"},
        headers={**viewer, **ZH},
    )
    assert refused.status_code == 403 and refused.json["code"] == 403
    missing = client.get("/api/v1/catalogue/items/HG", headers={**viewer, **ZH})
    assert missing.status_code == 404 and "没有这样的" in missing.json["message"]


def test_a_service_refusal_in_chinese_names_the_field(client, catalogue):
    _, quality = f.bearer(role=Role.QUALITY)
    answer = client.post(
        "/api/v1/catalogue/items",
        json={"code": "HG", "name": "汞", "category_code": "METAL"},
        headers={**quality, **ZH},
    )
    assert answer.status_code == 422
    assert answer.json["errors"] == {"category_code": ["未知的检测大类 METAL。"]}
    assert answer.json["message"] == "检测项目未能保存。"


def test_a_token_users_saved_language_wins_over_the_header(client, catalogue):
    user, token = f.bearer(role=Role.VIEWER)
    user.locale = "zh_Hans_CN"
    db.session.commit()
    answer = client.get(
        "/api/v1/growth?from=2009-12-31&to=2010-12-31&region=Atlantis", headers={**token, **EN}
    )
    assert answer.json["errors"] == {"region": ["地区Atlantis没有实验室。"]}
