"""The areas' panels on a lab's page are rendered once per lab, audience and data version: a write
shows on the next page, another reader's language or role is never served someone else's panel."""

import pytest
from sqlalchemy import event

from labtrack.auth.permissions import Role
from labtrack.extensions import db
from tests import factories as f


@pytest.fixture
def lab(app, tmp_path):
    # This test's own data version (the instance folder's is bumped by other test processes).
    app.config["DATA_VERSION_FILE"] = str(tmp_path / "data-version")
    lab = f.LabFactory(code="PN-1")
    f.FindingFactory(audit=f.AuditFactory(lab=lab), description="First finding, still open.")
    db.session.commit()
    return lab


def test_a_panel_is_reused_until_the_data_changes(client, auth, lab):
    auth.login(Role.QUALITY)
    html = client.get("/labs/PN-1").get_data(as_text=True)
    assert "Open findings (1)" in html and "First finding, still open." in html
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert client.get("/labs/PN-1").get_data(as_text=True) == html
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert not [s for s in seen if "FROM findings" in s]  # the panels were not computed again
    f.FindingFactory(audit=f.AuditFactory(lab=lab), description="Second finding, raised now.")
    db.session.commit()
    html = client.get("/labs/PN-1").get_data(as_text=True)
    assert "Open findings (2)" in html and "Second finding, raised now." in html


def test_panels_follow_the_readers_language_and_role(client, auth, lab):
    auth.login(Role.QUALITY)
    assert "Open findings (1)" in client.get("/labs/PN-1").get_data(as_text=True)
    client.post("/language/zh_Hans_CN")
    chinese = client.get("/labs/PN-1").get_data(as_text=True)
    assert "Open findings" not in chinese
    auth.logout()
    auth.login(Role.LAB_MANAGER, lab=lab)
    html = client.get("/labs/PN-1").get_data(as_text=True)
    assert "Open findings (1)" in html  # this lab's own manager, in English (the account's language)
