"""In a real browser: sign in, list labs, open one, switch to Chinese."""

import pytest

from labtrack.auth.models import User
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.labs.models import Lab, LabKind, Qualification, Scheme
from labtrack.models_base import today
from tests.conftest import PASSWORD, browser_login, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(live_server):
    from datetime import timedelta

    with live_server.app.app_context():
        labs = [
            Lab(
                code="SC-TC",
                name="四川检验检疫技术中心",
                name_en="Sichuan Technical Centre",
                region="Chengdu",
                kind=LabKind.TECHNICAL_CENTRE,
            ),
            Lab(
                code="SC-MY",
                name="绵阳区域实验室",
                name_en="Mianyang Regional Lab",
                region="Mianyang",
                kind=LabKind.REGIONAL_LAB,
            ),
        ]
        labs[0].qualifications.append(
            Qualification(
                scheme=Scheme.CNAS,
                certificate_no="CNAS L0001",
                issued_on=today() - timedelta(days=1000),
                expires_on=today() + timedelta(days=30),
            )
        )
        db.session.add_all(labs)
        admin = User(username="admin", role=Role.ADMIN)
        admin.set_password(PASSWORD)
        db.session.add(admin)
        db.session.commit()
    return live_server


def test_sign_in_list_open_and_switch_language(page, seeded):
    live = seeded
    page.goto(live("/labs/"))
    assert "/login" in page.url  # anonymous users are sent to sign in
    browser_login(page, live, "admin")
    shot(page, "foundation-1-dashboard")
    assert page.locator("h1").first.inner_text() == "Dashboard"

    page.click("nav >> text=Laboratories")
    page.wait_for_load_state("networkidle")
    rows = page.locator("#labs tbody tr")
    assert rows.count() == 2
    page.fill("input[name=q]", "Mianyang")
    page.click("button:has-text('Filter')")
    page.wait_for_load_state("networkidle")
    assert page.locator("#labs tbody tr").count() == 1
    page.goto(live("/labs/"))
    shot(page, "foundation-2-labs")

    page.click("text=SC-TC")
    page.wait_for_load_state("networkidle")
    assert "Sichuan Technical Centre" in page.content()
    assert page.locator("text=expires soon").count() == 1
    shot(page, "foundation-3-lab")

    page.click("#language-switch")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/labs/SC-TC")
    assert "证书" in page.content() or "实验室" in page.content()
    shot(page, "foundation-4-lab-zh")

    # The choice is remembered on the account: a new sign-in comes back in Chinese.
    page.click("text=退出")
    browser_login(page, live, "admin")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
