"""Fixtures of the personnel tests: a small province of two labs with people, items and scope."""

from datetime import date

import pytest

from labtrack.auth.permissions import Role
from tests import factories as f
from tests.personnel import factories as pf


class World:
    """Two labs (A in Chengdu, B in Mianyang), their managers, people, and a scope for A."""

    def __init__(self):
        self.lab_a = f.LabFactory(code="LAB-A", region="Chengdu")
        self.lab_b = f.LabFactory(code="LAB-B", region="Mianyang")
        self.manager_a = f.UserFactory(role=Role.LAB_MANAGER, lab=self.lab_a, username="manager-a")
        self.manager_b = f.UserFactory(role=Role.LAB_MANAGER, lab=self.lab_b, username="manager-b")
        self.admin = f.UserFactory(role=Role.ADMIN, username="admin-x")
        self.quality = f.UserFactory(role=Role.QUALITY, username="quality-x")
        self.inspector = f.UserFactory(role=Role.INSPECTOR, username="inspector-x")
        self.viewer = f.UserFactory(role=Role.VIEWER, username="viewer-x")
        self.category = f.TestCategoryFactory(code="FOOD")
        self.item = f.TestItemFactory(code="PB-CER", category=self.category)
        self.item2 = f.TestItemFactory(code="CD-CER", category=self.category)
        self.other_item = f.TestItemFactory(code="TOY-01")
        f.ScopeEntryFactory(lab=self.lab_a, item=self.item, granted_on=date(2009, 1, 1))
        f.ScopeEntryFactory(lab=self.lab_a, item=self.item2, granted_on=date(2009, 1, 1))
        self.ana = pf.PersonFactory(lab=self.lab_a, staff_no="A001", name="王芳", posts=["analyst"])
        self.sig = pf.PersonFactory(
            lab=self.lab_a, staff_no="A002", name="李强", posts=["authorised_signatory", "analyst"]
        )
        self.head = pf.PersonFactory(lab=self.lab_a, staff_no="A003", name="赵敏", posts=["head"])
        self.bob = pf.PersonFactory(lab=self.lab_b, staff_no="B001", name="陈刚", posts=["analyst"])

    def user(self, name: str):
        """A user by role name (admin, quality, inspector, viewer, manager_a, manager_b)."""
        return getattr(self, name)


@pytest.fixture
def world(app):
    """The two-lab world (see World)."""
    return World()


def login(client, user) -> None:
    """Sign the client in as a factory user."""
    response = client.post("/login", data={"username": user.username, "password": f.PASSWORD})
    assert response.status_code in (302, 303)
