"""Scope pages as their users meet them: in English and Chinese, the grant and withdraw forms'
refusals beside the fields, what a lab manager may open, the exports' columns and defused cells."""

import io
from datetime import date

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook
from sqlalchemy import select

from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.scope.models import ScopeEntry
from tests import factories as f

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


@pytest.fixture
def scope(app):
    """SC-01 holds lead (from 2009) and held cadmium (2009-06-01 to 2010-06-01); SC-02 holds lead."""
    food = f.TestCategoryFactory(code="FOOD", name="食品", name_en="Food")
    lead = f.TestItemFactory(category=food, code="PB", name="铅", name_en="Lead", parameters=3)
    cadmium = f.TestItemFactory(category=food, code="CD", name="镉", name_en="Cadmium", parameters=2)
    one, two = f.LabFactory(code="SC-01"), f.LabFactory(code="SC-02", region="Mianyang")
    held = f.ScopeEntryFactory(lab=one, item=lead, granted_on=date(2009, 1, 1))
    ended = f.ScopeEntryFactory(
        lab=one, item=cadmium, granted_on=date(2009, 6, 1), withdrawn_on=date(2010, 6, 1)
    )
    theirs = f.ScopeEntryFactory(lab=two, item=lead, granted_on=date(2009, 3, 1))
    return {"one": one, "two": two, "held": held, "ended": ended, "theirs": theirs, "lead": lead}


def text(response) -> str:
    return response.get_data(as_text=True)


# --- both languages ---------------------------------------------------------------------------


def test_a_labs_scope_page_in_english_and_chinese(client, auth, scope):
    auth.login(Role.VIEWER)
    english = text(client.get("/scope/labs/SC-01?on=2010-01-01", headers=EN))
    assert "Scope of SC-01" in english and "Lead" in english and "Cadmium" in english
    chinese = text(client.get("/scope/labs/SC-01?on=2010-01-01", headers=ZH))
    assert "SC-01 的能力范围" in chinese and "铅" in chinese and "镉" in chinese
    assert "Scope of SC-01" not in chinese
    # Cadmium ended on 2010-06-01: not listed on that day.
    assert "Cadmium" not in text(client.get("/scope/labs/SC-01?on=2010-06-01", headers=EN))


def test_a_date_before_any_grant_shows_nothing_held_in_both_languages(client, auth, scope):
    auth.login(Role.VIEWER)
    assert "No item held on this date." in text(client.get("/scope/labs/SC-01?on=2008-12-31", headers=EN))
    assert "该日期无任何检测项目。" in text(client.get("/scope/labs/SC-01?on=2008-12-31", headers=ZH))


def test_the_timeline_says_granted_and_withdrawn_in_chinese(client, auth, scope):
    auth.login(Role.VIEWER)
    page = text(client.get("/scope/labs/SC-01/timeline", headers=ZH))
    assert "时间线" in page and "授予" in page and "撤销" in page
    # Newest first: the withdrawal of cadmium (2010-06-01) before the grant of lead (2009-01-01).
    assert page.index("2010-06-01") < page.index("2009-01-01")


def test_the_growth_page_in_chinese_names_what_was_removed(client, auth, scope):
    auth.login(Role.QUALITY)
    page = text(client.get("/scope/growth?from=2009-12-31&to=2010-12-31&lab=SC-01", headers=ZH))
    assert "检测能力增长" in page and "减少的检测项目" in page and "镉" in page


def test_the_catalogue_in_both_languages(client, auth, scope):
    auth.login(Role.INSPECTOR)
    assert "Catalogue of test items" in text(client.get("/scope/catalogue", headers=EN))
    page = text(client.get("/scope/catalogue?q=镉", headers=ZH))
    assert "检测项目目录" in page and "CD" in page and ">PB<" not in page


def test_an_item_page_lists_its_holders(client, auth, scope):
    auth.login(Role.VIEWER)
    page = text(client.get("/scope/items/PB", headers=ZH))
    assert "具备该项目能力的实验室" in page and "SC-01" in page and "SC-02" in page


# --- granting through the page ----------------------------------------------------------------


def test_granting_redirects_to_the_scope_and_says_so_in_chinese(client, auth, scope):
    auth.login(Role.QUALITY)
    response = client.post(
        "/scope/labs/SC-02/grant",
        data={"item_code": "CD", "granted_on": "2010-05-01", "basis": "extension", "note": ""},
        headers=ZH,
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/scope/labs/SC-02")
    assert "已向 SC-02 授予 CD。" in text(client.get(response.headers["Location"], headers=ZH))
    granted = db.session.scalars(
        select(ScopeEntry).where(
            ScopeEntry.lab_id == scope["two"].id, ScopeEntry.granted_on == date(2010, 5, 1)
        )
    ).one()
    assert granted.item.code == "CD"


def test_an_overlapping_grant_re_renders_with_the_message_beside_the_date(client, auth, scope):
    auth.login(Role.QUALITY)
    response = client.post(
        "/scope/labs/SC-01/grant",
        data={"item_code": "PB", "granted_on": "2010-05-01", "basis": "extension"},
        headers=ZH,
    )
    assert response.status_code == 422
    page = text(response)
    assert "与已记录的时段重叠。" in page
    assert 'value="PB"' in page  # what the user typed is kept
    assert db.session.scalar(select(ScopeEntry).where(ScopeEntry.granted_on == date(2010, 5, 1))) is None


def test_an_unknown_item_is_refused_beside_its_field_in_english(client, auth, scope):
    auth.login(Role.ADMIN)
    response = client.post(
        "/scope/labs/SC-01/grant", data={"item_code": "HG", "granted_on": "2010-05-01", "basis": "extension"}
    )
    assert response.status_code == 422
    assert "No item with this code in the catalogue." in text(response)


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.VIEWER, Role.LAB_MANAGER])
def test_who_only_reads_the_scope_may_not_grant(client, auth, scope, role):
    auth.login(role, lab=scope["one"]) if role == Role.LAB_MANAGER else auth.login(role)
    response = client.post(
        "/scope/labs/SC-01/grant", data={"item_code": "CD", "granted_on": "2011-01-01", "basis": "extension"}
    )
    assert response.status_code == 403
    assert db.session.scalar(select(ScopeEntry).where(ScopeEntry.granted_on == date(2011, 1, 1))) is None


# --- withdrawing through the page -------------------------------------------------------------


def test_withdrawing_ends_the_period_and_the_entry_page_shows_its_history(client, auth, scope):
    auth.login(Role.QUALITY)
    entry = scope["held"]
    response = client.post(
        f"/scope/labs/SC-01/entries/{entry.id}/withdraw",
        data={"withdrawn_on": "2011-02-01", "withdrawal_reason": "revocation", "note": "撤销资质"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    row = db.session.get(ScopeEntry, entry.id)
    assert (row.withdrawn_on, row.withdrawal_reason, row.note) == (date(2011, 2, 1), "revocation", "撤销资质")
    page = text(client.get(f"/scope/labs/SC-01/entries/{entry.id}"))
    assert "2011-02-01" in page and "撤销资质" in page


def test_a_withdrawal_needs_a_reason_written(client, auth, scope):
    auth.login(Role.QUALITY)
    entry = scope["held"]
    response = client.post(
        f"/scope/labs/SC-01/entries/{entry.id}/withdraw",
        data={"withdrawn_on": "2011-02-01", "withdrawal_reason": "revocation", "note": ""},
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(ScopeEntry, entry.id).withdrawn_on is None


def test_a_withdrawal_before_the_grant_is_refused_in_chinese(client, auth, scope):
    auth.login(Role.QUALITY)
    entry = scope["held"]
    response = client.post(
        f"/scope/labs/SC-01/entries/{entry.id}/withdraw",
        data={"withdrawn_on": "2008-02-01", "withdrawal_reason": "reduction", "note": "x"},
        headers=ZH,
    )
    assert response.status_code == 422
    assert "2009-01-01" in text(response)
    db.session.expire_all()
    assert db.session.get(ScopeEntry, entry.id).withdrawn_on is None


def test_withdrawing_an_ended_period_again_is_refused_and_keeps_its_end(client, auth, scope):
    auth.login(Role.QUALITY)
    entry = scope["ended"]
    response = client.post(
        f"/scope/labs/SC-01/entries/{entry.id}/withdraw",
        data={"withdrawn_on": "2011-02-01", "withdrawal_reason": "reduction", "note": "again"},
        headers=ZH,
        follow_redirects=True,
    )
    assert "该时段已于 2010-06-01 结束。" in text(response)
    db.session.expire_all()
    assert db.session.get(ScopeEntry, entry.id).withdrawn_on == date(2010, 6, 1)


def test_a_period_opened_under_another_lab_is_not_found(client, auth, scope):
    auth.login(Role.ADMIN)
    assert client.get(f"/scope/labs/SC-01/entries/{scope['theirs'].id}").status_code == 404
    response = client.post(
        f"/scope/labs/SC-01/entries/{scope['theirs'].id}/withdraw",
        data={"withdrawn_on": "2011-02-01", "withdrawal_reason": "reduction", "note": "x"},
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(ScopeEntry, scope["theirs"].id).withdrawn_on is None


# --- a lab manager ----------------------------------------------------------------------------


def test_a_lab_manager_opens_their_own_periods_only(client, auth, scope):
    auth.login(Role.LAB_MANAGER, lab=scope["one"])
    assert client.get(f"/scope/labs/SC-01/entries/{scope['held'].id}").status_code == 200
    assert client.get(f"/scope/labs/SC-02/entries/{scope['theirs'].id}").status_code == 404
    assert client.get("/scope/labs/SC-02/timeline").status_code == 404
    overview = text(client.get("/scope/"))
    assert "SC-01" in overview and "SC-02" not in overview


def test_a_lab_managers_export_of_another_lab_is_not_found(client, auth, scope):
    auth.login(Role.LAB_MANAGER, lab=scope["one"])
    assert client.get("/scope/export.csv?lab=SC-02").status_code == 404


@freeze_time("2010-12-31")
def test_a_lab_managers_home_card_counts_their_lab_today(client, auth, scope):
    auth.login(Role.LAB_MANAGER, lab=scope["one"])
    response = client.get("/", headers=EN)
    assert response.status_code == 200
    assert "Scope of my laboratory today" in text(response)


# --- exports ----------------------------------------------------------------------------------


def test_the_scope_export_has_the_import_columns_and_one_row_per_period(client, auth, scope):
    auth.login(Role.VIEWER)
    response = client.get("/scope/export.csv?lab=SC-01")
    assert response.headers["Content-Disposition"] == 'attachment; filename="scope-SC-01.csv"'
    lines = text(response).lstrip("\ufeff").splitlines()
    assert lines == [
        "lab_code,category_code,category_name,item_code,item_name,method,parameters,granted_on,withdrawn_on",
        "SC-01,FOOD,食品,CD,镉,GB 5009.12-2017,2,2009-06-01,2010-06-01",
        "SC-01,FOOD,食品,PB,铅,GB 5009.12-2017,3,2009-01-01,",
    ]


def test_exported_names_that_look_like_formulas_are_defused(client, auth, scope):
    food = scope["lead"].category
    bad = f.TestItemFactory(category=food, code="EVIL", name='=HYPERLINK("http://x")', method="@SUM(A1)")
    f.ScopeEntryFactory(lab=scope["one"], item=bad, granted_on=date(2010, 1, 1))
    auth.login(Role.VIEWER)
    csv = text(client.get("/scope/export.csv?lab=SC-01"))
    assert "'=HYPERLINK" in csv and "'@SUM(A1)" in csv
    workbook = load_workbook(io.BytesIO(client.get("/scope/export.xlsx?lab=SC-01").data))
    cells = [c.value for row in workbook.active.iter_rows() for c in row]
    assert '\'=HYPERLINK("http://x")' in cells and "'@SUM(A1)" in cells
    assert not any(isinstance(v, str) and v.startswith("=") for v in cells)


def test_an_unknown_export_format_is_not_found(client, auth, scope):
    auth.login(Role.VIEWER)
    assert client.get("/scope/export.pdf").status_code == 404
    assert client.get("/scope/growth/export.json").status_code == 404


def test_the_growth_export_names_its_period_and_lists_each_change(client, auth, scope):
    auth.login(Role.VIEWER)
    response = client.get("/scope/growth/export.csv?from=2009-12-31&to=2010-12-31&lab=SC-01")
    assert response.status_code == 200
    assert 'filename="growth-SC-01-2009-12-31-2010-12-31.csv"' in response.headers["Content-Disposition"]
    lines = text(response).lstrip("\ufeff").splitlines()
    assert ",2009-12-31,2010-12-31,change,percent" in lines
    assert "removed,item,CD,镉,Cadmium" in lines
    assert not any(line.startswith("added,") for line in lines)


def test_the_growth_export_refuses_bad_dates_with_a_message(client, auth, scope):
    auth.login(Role.VIEWER)
    response = client.get("/scope/growth/export.csv?from=2010-12-31&to=2009-12-31")
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("text/html")
