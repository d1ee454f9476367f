"""A small province for the planning tests: six labs in two regions, a catalogue, scope, people of
every role and inspectors with their profiles; today is 2010-10-01 unless a test says otherwise."""

from datetime import date
from types import SimpleNamespace

import pytest
from freezegun import freeze_time

from labtrack.auth.permissions import Role
from labtrack.labs.models import LabKind
from tests import factories as f
from tests.planning import factories as pf

TODAY = date(2010, 10, 1)


@pytest.fixture
def frozen():
    """Today is 2010-10-01."""
    with freeze_time("2010-10-01 09:00:00"):
        yield TODAY


@pytest.fixture
def world(app, frozen):
    """Labs CD-1, CD-2 (Chengdu metrology), CD-3 (Chengdu product quality), MY-1 (Mianyang
    metrology), MY-2 (Mianyang product quality), MY-3 (Mianyang regional lab), each with a valid
    CMA certificate and item F-1 (lead in ceramic tableware); CD-1 also holds T-1 (textiles).
    Inspectors: i-cd (Chengdu), i-my (Mianyang), i-x and i-y (no region; i-y works for CD-1)."""
    labs = {}
    for code, region, kind in (
        ("CD-1", "Chengdu", LabKind.METROLOGY),
        ("CD-2", "Chengdu", LabKind.METROLOGY),
        ("CD-3", "Chengdu", LabKind.PRODUCT_QUALITY),
        ("MY-1", "Mianyang", LabKind.METROLOGY),
        ("MY-2", "Mianyang", LabKind.PRODUCT_QUALITY),
        ("MY-3", "Mianyang", LabKind.REGIONAL_LAB),
    ):
        labs[code] = f.LabFactory(
            code=code, region=region, kind=kind, name=f"实验室 {code}", name_en=f"Lab {code}"
        )
        f.QualificationFactory(lab=labs[code])
    food = f.TestCategoryFactory(code="FOOD", name="食品接触材料", name_en="Food contact materials")
    textiles = f.TestCategoryFactory(code="TEX", name="纺织品", name_en="Textiles")
    lead = f.TestItemFactory(
        code="F-1", category=food, name="陶瓷餐具中铅的溶出量", name_en="Lead in ceramic tableware"
    )
    cadmium = f.TestItemFactory(
        code="F-2", category=food, name="陶瓷餐具中镉的溶出量", name_en="Cadmium in ceramic tableware"
    )
    fibre = f.TestItemFactory(code="T-1", category=textiles, name="纤维含量", name_en="Fibre content")
    for lab in labs.values():
        f.ScopeEntryFactory(lab=lab, item=lead, granted_on=date(2009, 1, 1))
    f.ScopeEntryFactory(lab=labs["CD-1"], item=fibre, granted_on=date(2009, 1, 1))
    f.ScopeEntryFactory(lab=labs["CD-1"], item=cadmium, granted_on=date(2009, 1, 1))
    users = {
        "admin": f.UserFactory(role=Role.ADMIN, username="admin"),
        "quality": f.UserFactory(role=Role.QUALITY, username="quality"),
        "viewer": f.UserFactory(role=Role.VIEWER, username="viewer"),
        "manager": f.UserFactory(role=Role.LAB_MANAGER, username="manager-CD-1", lab=labs["CD-1"]),
        "other-manager": f.UserFactory(role=Role.LAB_MANAGER, username="manager-MY-1", lab=labs["MY-1"]),
    }
    inspectors = {}
    for name, region, org in (
        ("i-cd", "Chengdu", None),
        ("i-my", "Mianyang", None),
        ("i-x", None, None),
        ("i-y", None, "CD-1"),
    ):
        user = f.UserFactory(role=Role.INSPECTOR, username=name, full_name=f"Inspector {name}")
        pf.InspectorProfileFactory(user=user, region=region, organisation_lab=labs[org] if org else None)
        inspectors[name] = user
    users.update(inspectors)
    return SimpleNamespace(
        labs=labs, items={"F-1": lead, "F-2": cadmium, "T-1": fibre}, users=users, today=TODAY
    )


def plan_data(**overrides) -> dict:
    """A valid plan for the world: two strata (Chengdu metrology 1, Mianyang 2), team of 2."""
    data = {
        "code": "FC-2010",
        "title": "Flight checks 2010",
        "year": 2010,
        "audit_kind": "flight_check",
        "team_size": 2,
        "strata": [
            {"region": "Chengdu", "lab_kind": "metrology_institute", "quota": 1},
            {"region": "Mianyang", "quota": 2},
        ],
        "inspectors": ["i-cd", "i-my", "i-x", "i-y"],
    }
    data.update(overrides)
    return data
