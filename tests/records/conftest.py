"""Fixtures of the records tests: a home lab and another, a user of every role, files."""

import io
import zipfile
from types import SimpleNamespace

import pytest
from freezegun import freeze_time

from labtrack.auth.permissions import Role
from tests.factories import LabFactory, UserFactory

PDF = b"%PDF-1.4\n% records test\n%%EOF\n"
TODAY = "2010-06-01"


def docx_bytes() -> bytes:
    """A minimal OOXML word document."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.fixture
def frozen():
    """Today is 2010-06-01 (dates of approvals, reviews and complaints are checked against it)."""
    with freeze_time(TODAY):
        yield


@pytest.fixture
def world(app):
    """Two labs in two regions and a user of every role; `manager` keeps the home lab, `manager2`
    is a second manager of the same lab, `outsider` manages the other lab."""
    home = LabFactory(code="HOME", region="Chengdu")
    other = LabFactory(code="OTHER", region="Mianyang")
    users = {
        "admin": UserFactory(role=Role.ADMIN, username="admin"),
        "quality": UserFactory(role=Role.QUALITY, username="quality"),
        "inspector": UserFactory(role=Role.INSPECTOR, username="inspector"),
        "viewer": UserFactory(role=Role.VIEWER, username="viewer"),
        "manager": UserFactory(role=Role.LAB_MANAGER, username="manager-HOME", lab=home),
        "manager2": UserFactory(role=Role.LAB_MANAGER, username="manager2-HOME", lab=home),
        "outsider": UserFactory(role=Role.LAB_MANAGER, username="manager-OTHER", lab=other),
    }
    return SimpleNamespace(home=home, other=other, **users)


def login(client, user) -> None:
    """Sign the test client in as a user of the factories (password tests.factories.PASSWORD)."""
    from tests.factories import PASSWORD

    client.post("/logout")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code in (302, 303)
