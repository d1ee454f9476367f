"""The laboratory import page in a real browser: upload, preview, apply; row errors; English,
Chinese and phone width (screenshots under screenshots/labs-import-*.png)."""

import pytest

from labtrack.auth.models import User
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.labs.models import Lab, LabKind
from tests.conftest import PASSWORD, browser_login, shot

GOOD = (
    "code,name,region,kind\n"
    "ZG-PQI,自贡市产品质量监督检验所,Zigong,Product quality inspection institute\n"
    "LS-MTI,乐山市计量测试所,Leshan,计量测试所\n"
    "SC-TC,四川检验检疫技术中心,Chengdu,technical_centre\n"
)
BAD = GOOD + "BAD CODE!,,Chengdu,spaceship\n"


@pytest.mark.browser
def test_import_laboratories_preview_errors_and_apply(live_server, page, tmp_path):
    app = live_server.app
    app.config.update(JOBS_IMMEDIATE=True, JOBS_QUEUE_FILE=str(tmp_path / "queue.db"))
    with app.app_context():
        lab = Lab(code="SC-TC", name="Old name", region="Chengdu", kind=LabKind.TECHNICAL_CENTRE)
        admin = User(username="admin", full_name="Li Na", role=Role.ADMIN)
        admin.set_password(PASSWORD)
        db.session.add_all([lab, admin])
        db.session.commit()
    good, bad = tmp_path / "labs.csv", tmp_path / "labs-bad.csv"
    good.write_bytes(GOOD.encode("utf-8"))
    bad.write_bytes(BAD.encode("utf-8"))

    browser_login(page, live_server, "admin")
    page.goto(live_server("/labs/"))
    page.click("#labs-import")
    page.set_input_files("#file", str(bad))
    page.click("#submit")
    page.wait_for_selector("#import-errors")
    assert "spaceship" in page.inner_text("#import-errors")
    shot(page, "labs-import-errors-en")

    page.set_input_files("#file", str(good))
    page.click("#submit")
    page.wait_for_selector("#preview-summary")
    assert "2 to create, 1 to update" in page.inner_text("#preview-summary")
    shot(page, "labs-import-preview-en")

    page.click("#language-switch")
    page.wait_for_selector("#preview-summary")
    assert "导入实验室" in page.inner_text("main")
    shot(page, "labs-import-preview-zh")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "labs-import-preview-zh-phone")
    page.click("#confirm-import")
    page.wait_for_selector("#import-applied")
    shot(page, "labs-import-applied-zh-phone")
    page.goto(live_server("/labs/import"))
    shot(page, "labs-import-upload-zh-phone")
    with app.app_context():
        assert {lab.code for lab in db.session.query(Lab)} == {"SC-TC", "ZG-PQI", "LS-MTI"}
