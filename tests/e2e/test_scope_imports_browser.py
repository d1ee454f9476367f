"""A scope import in a real browser: upload, preview, apply, then the import's record, the list of
imports and a period's "row N" line; English, Chinese and phone width (screenshots under
screenshots/scope-imports-*.png)."""

import pytest

from labtrack.auth.models import User
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.labs.models import Lab, LabKind
from labtrack.scope.models import ScopeEntry, ScopeImport
from tests.conftest import PASSWORD, browser_login, shot
from tests.scope.sample import ROWS, body


@pytest.mark.browser
def test_apply_a_scope_import_and_read_its_record(live_server, page, tmp_path):
    app = live_server.app
    app.config.update(JOBS_IMMEDIATE=True, JOBS_QUEUE_FILE=str(tmp_path / "queue.db"))
    with app.app_context():
        for code, region in (("L1", "Chengdu"), ("L2", "Zigong")):
            db.session.add(Lab(code=code, name=f"{code} 检测所", region=region, kind=LabKind.REGIONAL_LAB))
        admin = User(username="admin", full_name="Li Na", role=Role.ADMIN)
        admin.set_password(PASSWORD)
        db.session.add(admin)
        db.session.commit()
    path = tmp_path / "四川省 2010 年度范围.csv"
    path.write_bytes(body(*ROWS))

    browser_login(page, live_server, "admin")
    page.goto(live_server("/scope/import"))
    page.set_input_files("#file", str(path))
    page.click("#submit")
    page.wait_for_selector("#preview-summary")
    page.click("#confirm-import")
    page.wait_for_selector("#import-applied")
    page.click("#import-record-link")
    page.wait_for_selector("#import-record")
    text = page.inner_text("#import-record")
    assert "四川省 2010 年度范围.csv" in text and "admin" in text
    shot(page, "scope-imports-record-en")
    with app.app_context():
        record = db.session.query(ScopeImport).one()
        entry = db.session.query(ScopeEntry).filter_by(import_row=5).one()
        entry_url, lab_code = f"/scope/labs/{entry.lab.code}/entries/{entry.id}", entry.lab.code
        assert record.rows == 4 and lab_code == "L2"
    assert record.sha256 in text

    page.click("#language-switch")
    page.wait_for_selector("#import-record")
    assert "范围导入" in page.inner_text("main")
    # The comment the job wrote (in English, as stored) reads in the reader's language.
    assert "能力范围导入（后台任务）" in page.inner_text("#import-record")
    shot(page, "scope-imports-record-zh")
    page.goto(live_server("/scope/imports"))
    page.wait_for_selector("#scope-imports")
    shot(page, "scope-imports-list-zh")
    page.goto(live_server(entry_url))
    assert "第 5 行" in page.inner_text("#entry-source")
    shot(page, "scope-imports-entry-zh")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "scope-imports-entry-zh-phone")
    page.goto(live_server("/scope/imports"))
    shot(page, "scope-imports-list-zh-phone")
    page.goto(live_server(f"/scope/imports/{record.id}"))
    shot(page, "scope-imports-record-zh-phone")
