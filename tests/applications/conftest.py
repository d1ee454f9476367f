"""A small province for the applications tests: three labs (two with a valid CMA certificate), a
catalogue, people of every role and the 2010 working calendar; today is 2010-09-01 unless a test
says otherwise."""

from datetime import date
from types import SimpleNamespace

import pytest
from freezegun import freeze_time

from labtrack.applications import calendar, holidays
from labtrack.auth.permissions import Role
from tests import factories as f

TODAY = date(2010, 9, 1)


@pytest.fixture
def frozen():
    """Today is 2010-09-01 (a Wednesday)."""
    with freeze_time("2010-09-01 09:00:00"):
        yield TODAY


def load_year(year: int = 2010) -> None:
    """Set a year of the working calendar up from the State Council's notice."""
    calendar.load_days(year, holidays.rows(year), None, note=holidays.NOTES.get(year))


@pytest.fixture
def world(app, frozen):
    """SC-A (Chengdu) holds F-1 and a CMA certificate valid to 2014; SC-B (Mianyang) holds F-1 and
    a certificate; NEW-1 holds nothing and has none. Catalogue: FOOD (F-1, F-2, F-3), TEX (T-1).
    People: admin, quality, quality2, inspectors i-1 and i-2, manager-SC-A, manager-SC-B, viewer.
    The working calendar has 2010."""
    labs = {
        "SC-A": f.LabFactory(code="SC-A", region="Chengdu", name="实验室 A", name_en="Lab A"),
        "SC-B": f.LabFactory(code="SC-B", region="Mianyang", name="实验室 B", name_en="Lab B"),
        "NEW-1": f.LabFactory(code="NEW-1", region="Chengdu", name="新实验室", name_en="New lab"),
    }
    certs = {
        "SC-A": f.QualificationFactory(lab=labs["SC-A"], certificate_no="CMA-A", issued_on=date(2008, 3, 1)),
        "SC-B": f.QualificationFactory(lab=labs["SC-B"], certificate_no="CMA-B", issued_on=date(2004, 10, 1)),
    }
    food = f.TestCategoryFactory(code="FOOD", name="食品接触材料", name_en="Food contact materials")
    textiles = f.TestCategoryFactory(code="TEX", name="纺织品", name_en="Textiles")
    items = {
        "F-1": f.TestItemFactory(code="F-1", category=food, name="铅的溶出量", name_en="Lead migration"),
        "F-2": f.TestItemFactory(code="F-2", category=food, name="镉的溶出量", name_en="Cadmium migration"),
        "F-3": f.TestItemFactory(code="F-3", category=food, name="砷的溶出量", name_en="Arsenic migration"),
        "T-1": f.TestItemFactory(code="T-1", category=textiles, name="纤维含量", name_en="Fibre content"),
    }
    f.ScopeEntryFactory(lab=labs["SC-A"], item=items["F-1"], granted_on=date(2008, 3, 1))
    f.ScopeEntryFactory(lab=labs["SC-B"], item=items["F-1"], granted_on=date(2004, 10, 1))
    users = {
        "admin": f.UserFactory(role=Role.ADMIN, username="admin"),
        "quality": f.UserFactory(role=Role.QUALITY, username="quality"),
        "quality2": f.UserFactory(role=Role.QUALITY, username="quality2"),
        "i-1": f.UserFactory(role=Role.INSPECTOR, username="i-1", full_name="Inspector One"),
        "i-2": f.UserFactory(role=Role.INSPECTOR, username="i-2", full_name="Inspector Two"),
        "manager": f.UserFactory(role=Role.LAB_MANAGER, username="manager-SC-A", lab=labs["SC-A"]),
        "other-manager": f.UserFactory(role=Role.LAB_MANAGER, username="manager-SC-B", lab=labs["SC-B"]),
        "viewer": f.UserFactory(role=Role.VIEWER, username="viewer"),
    }
    load_year(2010)
    return SimpleNamespace(labs=labs, certs=certs, items=items, users=users, today=TODAY)


NEW_ITEMS = [
    {"item_code": "F-2"},
    {"item_code": "T-1"},
    {
        "category_code": "WATER",
        "category_name": "生活饮用水",
        "item_code": "W-1",
        "item_name": "浑浊度",
        "method": "GB/T 5750.4-2006",
        "parameters": 1,
    },
]
