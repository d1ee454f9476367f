"""In the browser: a lab manager submits a plan, an inspector accepts it, evidence with a file is
submitted, and the inspector closes the finding with their password."""

from datetime import timedelta

import pytest

from labtrack.audits.models import Audit, Finding
from labtrack.auth.models import User
from labtrack.extensions import db
from labtrack.labs.models import Lab, LabKind
from labtrack.models_base import today
from tests.conftest import PASSWORD, browser_login, shot

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _seed(app) -> int:
    with app.app_context():
        lab = Lab(
            code="SC-TC",
            name="四川出入境检验检疫局检验检疫技术中心",
            region="Chengdu",
            kind=LabKind.TECHNICAL_CENTRE,
        )
        db.session.add(lab)
        db.session.flush()
        users = {}
        for username, role, lab_id in (
            ("manager-SC-TC", "lab_manager", lab.id),
            ("inspector", "inspector", None),
            ("quality", "quality", None),
        ):
            user = User(username=username, role=role, lab_id=lab_id, full_name=username.title())
            user.set_password(PASSWORD)
            db.session.add(user)
            users[username] = user
        db.session.flush()
        audit = Audit(
            reference="FC-2010-001",
            lab_id=lab.id,
            kind="flight_check",
            title="飞行检查 / Flight check",
            started_on=today() - timedelta(days=3),
            lead_id=users["inspector"].id,
            status="completed",
            documents_reviewed=120,
            instruments_checked=85,
            reports_sampled=240,
        )
        db.session.add(audit)
        db.session.flush()
        finding = Finding(
            audit_id=audit.id,
            lab_id=lab.id,
            number=1,
            severity="major",
            area="equipment_traceability",
            clause="6.4",
            description="原子吸收分光光度计检定证书已过期。\nThe AAS verification certificate expired.",
            raised_on=today() - timedelta(days=3),
            due_on=today() + timedelta(days=27),
            status="open",
        )
        db.session.add(finding)
        db.session.commit()
        return finding.id


def _sign_out(page):
    page.context.clear_cookies()


def test_rectification_in_the_browser(live_server, page, tmp_path):
    finding_id = _seed(live_server.app)
    url = live_server(f"/audits/findings/{finding_id}")
    evidence_file = tmp_path / "检定证书.pdf"
    evidence_file.write_bytes(PDF)

    # The lab manager submits the plan.
    browser_login(page, live_server, "manager-SC-TC")
    page.goto(live_server("/audits/"))
    shot(page, "audits-1-lab-manager-queue")
    page.goto(url)
    page.fill(
        "#submit_plan-correction", "Stopped using the AAS; re-tested 14 samples on the backup instrument."
    )
    page.fill("#submit_plan-root_cause", "The calibration plan had no reminder and the owner changed jobs.")
    page.select_option("#submit_plan-root_cause_method", "five_whys")
    page.fill(
        "#submit_plan-occurs_elsewhere", "Checked all 86 instruments: two balances also due next month."
    )
    page.fill("#submit_plan-corrective_action", "Calibration plan in the information system with reminders.")
    page.fill("#submit_plan-action_owner", "Zhang Min, equipment officer")
    page.fill("#submit_plan-action_target_on", (today() + timedelta(days=20)).isoformat())
    page.click("#submit_plan-submit")
    page.wait_for_load_state("networkidle")
    assert "Plan submitted" in page.inner_text("#finding-status")
    shot(page, "audits-2-plan-submitted")
    _sign_out(page)

    # The inspector accepts it.
    browser_login(page, live_server, "inspector")
    page.goto(live_server("/audits/"))
    assert "FC-2010-001 #1" in page.inner_text("#queue-mine")
    page.goto(url)
    page.fill("#accept_plan-comment", "The plan is adequate.")
    page.click("#accept_plan-submit")
    page.wait_for_load_state("networkidle")
    assert "Plan accepted" in page.inner_text("#finding-status")
    _sign_out(page)

    # The lab manager submits evidence with a file; first without text, which is refused.
    browser_login(page, live_server, "manager-SC-TC")
    page.goto(url)
    page.click("#submit_evidence-submit")
    page.wait_for_load_state("networkidle")
    assert "This field is required" in page.inner_text("#step-submit_evidence")
    shot(page, "audits-3-evidence-refused")
    page.fill("#submit_evidence-evidence_text", "Re-verified on 2010-06-02; certificate attached.")
    page.set_input_files("#submit_evidence-files", str(evidence_file))
    page.click("#submit_evidence-submit")
    page.wait_for_load_state("networkidle")
    assert "Evidence submitted" in page.inner_text("#finding-status")
    assert "检定证书.pdf" in page.inner_text("#files")
    shot(page, "audits-4-evidence-submitted")
    _sign_out(page)

    # The inspector closes it, signing with their password (a wrong one first).
    browser_login(page, live_server, "inspector")
    page.goto(url)
    page.fill("#close-effectiveness_review", "Checked on site: certificate valid, reminders working.")
    page.fill("#close-password", "not-my-password")
    page.click("#close-submit")
    page.wait_for_load_state("networkidle")
    assert "password is not correct" in page.inner_text("#step-close")
    page.fill("#close-effectiveness_review", "Checked on site: certificate valid, reminders working.")
    page.fill("#close-password", PASSWORD)
    page.click("#close-submit")
    page.wait_for_load_state("networkidle")
    assert "Closed" in page.inner_text("#finding-status")
    assert "signed with their password" in page.inner_text("#closure")
    shot(page, "audits-5-closed")

    with live_server.app.app_context():
        finding = db.session.get(Finding, finding_id)
        assert finding.status == "closed" and finding.version == 5 and len(finding.files) == 1

    page.goto(live_server("/audits/figures"))
    shot(page, "audits-6-figures")
    page.goto(live_server("/labs/SC-TC"))
    shot(page, "audits-7-lab-panel")
