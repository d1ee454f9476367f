"""Regions as reference data: the administrators' page lists and corrects both names, with
history, a rename followed onto the laboratories, refusals named beside the fields, CSRF."""

import pytest
from sqlalchemy import select

from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.labs import policy
from labtrack.labs.models import Lab
from labtrack.labs.regions import Region
from tests import factories as f
from tests.labs.factories import RegionFactory


@pytest.fixture
def regions(app):
    chengdu = RegionFactory(name="Chengdu", name_zh="成都市")
    mianyang = RegionFactory(name="Mianyang", name_zh=None)
    f.LabFactory(code="SC-A", region="Chengdu")
    f.LabFactory(code="SC-B", region="Chengdu")
    db.session.commit()
    return {"chengdu": chengdu, "mianyang": mianyang}


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, True),
        (Role.QUALITY, True),
        (Role.INSPECTOR, False),
        (Role.VIEWER, False),
        (Role.LAB_MANAGER, False),
    ],
)
def test_who_may_edit_regions(app, make_user, role, allowed):
    assert policy.may_edit_regions(make_user(role)) is allowed
    assert policy.may_edit_regions(None)  # the system (demo, commands)


def test_the_list_shows_both_names_and_the_labs(client, auth, regions):
    auth.login(Role.ADMIN)
    users = client.get("/admin/users").get_data(as_text=True)
    assert 'id="admin-regions"' in users and 'href="/admin/regions"' in users
    html = client.get("/admin/regions").get_data(as_text=True)
    chengdu = html[html.index(f'id="region-{regions["chengdu"].id}"') :]
    assert "<td>成都市</td>" in chengdu and 'region=Chengdu">2</a>' in chengdu
    mianyang = html[html.index(f'id="region-{regions["mianyang"].id}"') :]
    assert "missing" in mianyang.split("</tr>")[0]
    client.post("/language/zh_Hans_CN")
    assert "地区" in client.get("/admin/regions").get_data(as_text=True)


def test_others_are_refused(client, auth, regions):
    auth.login(Role.INSPECTOR)
    assert client.get("/admin/regions").status_code == 403
    assert (
        client.post(
            f"/admin/regions/{regions['chengdu'].id}/edit", data={"name": "X", "name_zh": "X"}
        ).status_code
        == 403
    )
    assert db.session.get(Region, regions["chengdu"].id).name == "Chengdu"


def test_editing_both_names_renames_the_labs_and_writes_history(client, auth, regions):
    auth.login(Role.QUALITY)
    region_id = regions["chengdu"].id
    response = client.post(
        f"/admin/regions/{region_id}/edit", data={"name": "Chengdu City", "name_zh": "成都"}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/admin/regions#region-{region_id}"
    )
    region = db.session.get(Region, region_id)
    assert (region.name, region.name_zh) == ("Chengdu City", "成都")
    assert set(db.session.scalars(select(Lab.region).where(Lab.code.in_(["SC-A", "SC-B"])))) == {
        "Chengdu City"
    }
    tables = set(db.session.scalars(select(HistoryEntry.table_name)))
    assert {"regions", "labs"} <= tables
    page = client.get(f"/admin/regions/{region_id}/edit").get_data(as_text=True)
    assert 'id="region-history"' in page and "成都" in page
    # Pages read the new names.
    client.post("/language/zh_Hans_CN")
    assert "<td>成都</td>" in client.get("/labs/").get_data(as_text=True)


def test_bad_names_are_named_beside_the_fields(client, auth, regions):
    auth.login(Role.ADMIN)
    url = f"/admin/regions/{regions['mianyang'].id}/edit"
    response = client.post(url, data={"name": "chengdu", "name_zh": "<b>"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The characters &lt; and &gt; are not allowed here." in html
    response = client.post(url, data={"name": "Chengdu", "name_zh": "绵阳市"})
    assert response.status_code == 422 and "Another region already has this name." in response.get_data(
        as_text=True
    )
    response = client.post(url, data={"name": "", "name_zh": "绵阳市"})
    assert response.status_code == 422 and "This field is required." in response.get_data(as_text=True)
    assert db.session.get(Region, regions["mianyang"].id).name_zh is None
    assert client.get("/admin/regions/999999/edit").status_code == 404


def test_the_form_needs_its_csrf_token(app, client, auth, regions):
    auth.login(Role.ADMIN)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(
        f"/admin/regions/{regions['mianyang'].id}/edit", data={"name": "M", "name_zh": "绵阳市"}
    )
    assert response.status_code in (400, 422)
    assert db.session.get(Region, regions["mianyang"].id).name == "Mianyang"
