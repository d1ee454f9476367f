"""Plan pages (today is 2010-10-01): the list by year in both languages, the edit form filled with
the plan as saved, saving and deleting a draft from the page, and a published plan that shows why
it can no longer change; a lab manager lists published plans only."""

import re

import pytest

from labtrack.extensions import db
from labtrack.planning import plans
from labtrack.planning.models import Plan
from tests.planning.conftest import plan_data

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def html(response) -> str:
    return response.get_data(as_text=True)


def form_of(data: dict) -> dict:
    """A plan as the plan form posts it."""
    form = {k: v for k, v in data.items() if k not in ("strata", "inspectors")}
    for n, stratum in enumerate(data["strata"]):
        for key in ("region", "lab_kind", "category", "quota", "ratio"):
            form[f"strata-{n}-{key}"] = stratum.get(key) or ""
    form["inspectors"] = data["inspectors"]
    return form


@pytest.fixture
def two_plans(world):
    quality = world.users["quality"]
    draft = plans.create_plan(quality, plan_data(code="FC-2010", title="Flight checks 2010"))
    published = plans.create_plan(quality, plan_data(code="SV-2009", title="Supervision 2009", year=2009))
    plans.publish(quality, published, "plan")
    return {"draft": draft, "published": published}


def test_the_list_by_year_in_chinese(world, two_plans, client, auth):
    auth.login(world.users["viewer"])
    page = html(client.get("/planning/plans", headers=ZH))
    assert "检查计划" in page and "FC-2010" in page and "SV-2009" in page
    only_2009 = html(client.get("/planning/plans?year=2009"))
    assert "SV-2009" in only_2009 and "FC-2010" not in only_2009
    assert client.get("/planning/plans?year=abc").status_code == 200


def test_a_lab_manager_lists_published_plans_only(world, two_plans, client, auth):
    auth.login(world.users["manager"])
    page = html(client.get("/planning/plans"))
    assert "SV-2009" in page and "FC-2010" not in page
    assert client.get("/planning/plans/FC-2010").status_code == 404


def test_the_edit_form_shows_the_plan_as_saved(world, two_plans, client, auth):
    auth.login(world.users["quality"])
    page = html(client.get("/planning/plans/FC-2010/edit"))
    assert 'value="Flight checks 2010"' in page
    inputs = re.findall(r"<input[^>]*>", page)
    quotas = [i for i in inputs if 'name="strata-0-quota"' in i or 'name="strata-1-quota"' in i]
    assert ['value="1"' in quotas[0], 'value="2"' in quotas[1]] == [True, True]
    pool = {
        re.search(r'value="([^"]+)"', i).group(1): " checked" in f" {i}"
        for i in inputs
        if 'name="inspectors"' in i
    }
    assert {name for name, checked in pool.items() if checked} == {"i-cd", "i-my", "i-x", "i-y"}


def test_saving_a_draft_from_the_page(world, two_plans, client, auth):
    draft = two_plans["draft"]
    auth.login(world.users["quality"])
    data = form_of(plan_data(code="FC-2010", title="Flight checks 2010, revised"))
    data["version"] = draft.version
    response = client.post("/planning/plans/FC-2010/edit", data=data, headers=ZH)
    assert response.status_code == 303 and response.headers["Location"].endswith("/planning/plans/FC-2010")
    assert "计划已保存。" in html(client.get(response.headers["Location"], headers=ZH))
    db.session.expire_all()
    assert db.session.get(Plan, draft.id).title == "Flight checks 2010, revised"


def test_a_quota_too_large_re_renders_the_form_with_the_stratum_named(world, two_plans, client, auth):
    auth.login(world.users["quality"])
    data = form_of(plan_data(code="FC-2010", strata=[{"region": "Chengdu", "quota": 9}]))
    response = client.post("/planning/plans/FC-2010/edit", data=data)
    assert response.status_code == 422
    assert "Stratum 1: the quota 9 is larger than its 3 eligible laboratories." in html(response)
    db.session.expire_all()
    assert [s.quota for s in db.session.get(Plan, two_plans["draft"].id).strata] == [1, 2]


def test_a_published_plan_shows_why_it_cannot_change(world, two_plans, client, auth):
    auth.login(world.users["quality"])
    shown = client.get("/planning/plans/SV-2009/edit", headers=ZH)
    assert shown.status_code == 200 and "计划已抽取或已公开，不能再修改。" in html(shown)
    posted = client.post("/planning/plans/SV-2009/edit", data=form_of(plan_data(code="SV-2009", title="x")))
    assert posted.status_code == 409
    db.session.expire_all()
    assert db.session.get(Plan, two_plans["published"].id).title == "Supervision 2009"


def test_deleting_a_draft_from_the_page(world, two_plans, client, auth):
    auth.login(world.users["quality"])
    response = client.post("/planning/plans/FC-2010/delete", headers=ZH)
    assert response.status_code == 303 and response.headers["Location"].endswith("/planning/plans")
    assert "计划已删除。" in html(client.get("/planning/plans", headers=ZH))
    assert db.session.get(Plan, two_plans["draft"].id) is None


def test_a_published_plan_is_not_deleted(world, two_plans, client, auth):
    auth.login(world.users["quality"])
    client.post("/planning/plans/SV-2009/delete")
    assert db.session.get(Plan, two_plans["published"].id) is not None


@pytest.mark.parametrize("who", ["viewer", "manager", "i-cd"])
def test_readers_may_not_edit_or_delete(world, two_plans, client, auth, who):
    auth.login(world.users[who])
    assert client.get("/planning/plans/FC-2010/edit").status_code == 403
    assert client.post("/planning/plans/FC-2010/delete").status_code == 403
    assert db.session.get(Plan, two_plans["draft"].id) is not None
