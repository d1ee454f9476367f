"""Figures reused between requests until the data changes (labtrack.cache)."""

from datetime import date

import pytest
from sqlalchemy import update

from labtrack import cache
from labtrack.auth.models import User
from labtrack.extensions import db
from labtrack.scope.models import ScopeEntry
from tests import factories


@pytest.fixture(autouse=True)
def own_version_file(app, tmp_path):
    """This test's own data-version file (the instance folder is shared by other test runs)."""
    app.config["DATA_VERSION_FILE"] = str(tmp_path / "data-version")


def on_disk(app) -> str:
    return cache._version_file(app).read_text("ascii")


def test_a_value_is_reused_until_a_write_is_committed(app, make_lab):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert cache.cached("t", 1, compute=compute) == 1
    assert cache.cached("t", 1, compute=compute) == 1  # reused
    assert cache.cached("t", 2, compute=compute) == 2  # another key
    make_lab("LAB-X")  # a committed write: a new data version
    assert cache.cached("t", 1, compute=compute) == 3


def test_a_rolled_back_write_changes_nothing_and_sign_ins_do_not_count(app, make_user):
    user = make_user("viewer")
    cache.data_version()
    before = on_disk(app)
    db.session.execute(update(ScopeEntry).values(note="x"))
    db.session.rollback()
    assert on_disk(app) == before
    db.session.execute(update(User).where(User.id == user.id).values(last_login_at=None))
    db.session.commit()
    assert on_disk(app) == before
    db.session.execute(update(ScopeEntry).values(note="y"))
    db.session.commit()
    assert on_disk(app) != before


def test_the_version_is_shared_through_the_instance_folder(app, make_lab):
    version = cache.data_version()
    path = cache._version_file(app)
    assert path.read_text("ascii") == version
    path.write_text("set-by-another-worker", "ascii")  # another process committed a write
    with app.test_request_context():  # the next request reads it
        assert cache.data_version() == "set-by-another-worker"


def test_a_lab_scope_page_shows_a_grant_at_once(app, client, auth, make_lab):
    lab = make_lab("LAB-S")
    factories.ScopeEntryFactory(
        lab=lab, item=factories.TestItemFactory(code="I-FIRST"), granted_on=date(2009, 1, 1)
    )
    db.session.commit()
    auth.login("viewer")
    assert "I-FIRST" in client.get("/scope/labs/LAB-S").get_data(as_text=True)
    factories.ScopeEntryFactory(
        lab=lab, item=factories.TestItemFactory(code="I-SECOND"), granted_on=date(2009, 1, 1)
    )
    db.session.commit()
    page = client.get("/scope/labs/LAB-S").get_data(as_text=True)
    assert "I-FIRST" in page and "I-SECOND" in page
