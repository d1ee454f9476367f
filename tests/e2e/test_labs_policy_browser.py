"""In a real browser: what issue 8 changed on the labs, scope, admin and account pages.

A lab code taken in another case is refused beside the field (English and Chinese, desktop and
phone width); a lab manager edits their own lab's contacts and reads no notes; a growth series
too long for months is drawn in quarters with a note; the account page refuses a wrong password.
"""

import pytest

from labtrack.auth.models import User
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.labs.models import Lab, LabKind
from labtrack.scope.importer import import_scope
from tests.conftest import PASSWORD, browser_login, shot
from tests.scope.sample import ROWS, body

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(live_server):
    with live_server.app.app_context():
        labs = {
            "éx-1": Lab(
                code="éx-1",
                name="乐山检测所",
                region="Leshan",
                kind=LabKind.METROLOGY,
                notes="暗访记录待复核",
            ),
            "L1": Lab(code="L1", name="绵阳区域实验室", region="Mianyang", kind=LabKind.REGIONAL_LAB),
            "L2": Lab(code="L2", name="宜宾区域实验室", region="Yibin", kind=LabKind.REGIONAL_LAB),
        }
        db.session.add_all(labs.values())
        for username, role, lab in (
            ("quality-e2e", Role.QUALITY, None),
            ("manager-e2e", Role.LAB_MANAGER, labs["éx-1"]),
        ):
            user = User(username=username, role=role, lab=lab)
            user.set_password(PASSWORD)
            db.session.add(user)
        db.session.commit()
        with live_server.app.test_request_context():
            assert import_scope(body(*ROWS)).applied
    return live_server


def _new_lab(page, live, code: str) -> None:
    page.goto(live("/labs/new"))
    page.fill("#code", code)
    page.fill("#name", "重复的实验室")
    page.fill("#region", "Leshan")
    page.click("#submit")
    page.wait_for_load_state("networkidle")


def test_a_code_taken_in_another_case_is_refused_beside_the_field(seeded, page, browser):
    live = seeded
    browser_login(page, live, "quality-e2e")
    _new_lab(page, live, "ÉX-1")
    feedback = page.locator("#code ~ .invalid-feedback, #code + .invalid-feedback").first.inner_text()
    assert "Another laboratory already has the code éx-1." in feedback
    assert page.input_value("#code") == "ÉX-1"  # what the user typed stays
    shot(page, "labs-duplicate-code-en")
    page.click("#language-switch")
    page.wait_for_load_state("networkidle")
    _new_lab(page, live, "ÉX-1")
    assert "已有其他实验室使用代码 éx-1。" in page.content()
    shot(page, "labs-duplicate-code-zh")
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    small = phone.new_page()
    browser_login(small, live, "quality-e2e")
    _new_lab(small, live, "ÉX-1")
    assert "已有其他实验室使用代码 éx-1。" in small.content()
    shot(small, "labs-duplicate-code-phone")
    phone.close()


def test_a_lab_manager_keeps_their_contacts_and_reads_no_notes(seeded, page):
    live = seeded
    browser_login(page, live, "manager-e2e")
    page.goto(live("/labs/%C3%A9x-1"))
    assert page.locator("#lab-notes").count() == 0
    assert page.locator("text=Deactivate").count() == 0
    page.click("#contacts >> text=Add contact")
    page.fill("#name", "王伟")
    page.fill("#phone", "0833-1234567")
    page.click("#submit")
    page.wait_for_load_state("networkidle")
    assert "王伟" in page.locator("#contacts").inner_text()
    shot(page, "labs-manager-contacts-en")
    page.goto(live("/labs/L1"))
    assert "404" in page.title() or page.locator("h1").first.inner_text() != "绵阳区域实验室"


def test_growth_in_quarters_when_months_are_too_many_and_a_wrong_password(seeded, page):
    live = seeded
    browser_login(page, live, "quality-e2e")
    page.goto(live("/scope/growth?step=month&from=1900-01-01&to=2199-12-31&region=Mianyang"))
    assert "at most 1202 are drawn" in page.content()
    assert page.locator("#growth-chart canvas").count() >= 1
    shot(page, "scope-growth-quarters-en")
    page.goto(live("/account"))
    page.fill("#current", "not-my-password")
    page.fill("#password", "another-password-1")
    page.fill("#confirm", "another-password-1")
    page.click("#submit")
    page.wait_for_load_state("networkidle")
    assert "The current password is wrong." in page.content()
    shot(page, "auth-account-wrong-password-en")
