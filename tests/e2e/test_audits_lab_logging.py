"""In the browser: a lab manager logs their own lab's self-inspection with what was reviewed, raises a
finding in it and submits its plan; the bureau's inspector accepts it. In English, in Chinese and at
phone width."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from labtrack.audits.models import Audit, Finding
from labtrack.auth.models import User
from labtrack.extensions import db
from labtrack.labs.models import Lab, LabKind
from labtrack.models_base import today
from tests.conftest import PASSWORD, browser_login, shot

pytestmark = pytest.mark.browser


def _seed(app) -> None:
    with app.app_context():
        lab = Lab(
            code="SC-TC",
            name="四川出入境检验检疫局检验检疫技术中心",
            region="Chengdu",
            kind=LabKind.TECHNICAL_CENTRE,
        )
        other = Lab(code="SC-ZG", name="自贡检验检疫局综合实验室", region="Zigong", kind=LabKind.REGIONAL_LAB)
        db.session.add_all([lab, other])
        db.session.flush()
        for username, role, lab_id in (
            ("manager-SC-TC", "lab_manager", lab.id),
            ("inspector", "inspector", None),
        ):
            user = User(username=username, role=role, lab_id=lab_id, full_name=username.title())
            user.set_password(PASSWORD)
            db.session.add(user)
        db.session.commit()


def test_a_lab_manager_logs_a_self_inspection(live_server, page):
    _seed(live_server.app)
    browser_login(page, live_server, "manager-SC-TC")
    page.goto(live_server("/audits/"))
    page.click("#new-audit")
    page.wait_for_load_state("networkidle")
    kinds = page.eval_on_selector_all("#kind option", "options => options.map(o => o.value)")
    assert kinds == ["self_inspection", "internal_audit"]
    assert page.query_selector("#lab_id") is None and "SC-TC" in page.inner_text("#own-lab")
    shot(page, "audits-lab-1-new-self-inspection")
    started = today() - timedelta(days=5)
    page.fill("#title", "检测工作整顿自查自纠 / Self-inspection of the food section")
    page.fill("#started_on", started.isoformat())
    page.fill("#ended_on", (started + timedelta(days=3)).isoformat())
    page.fill("#team", "Quality manager, two internal auditors")
    page.fill("#documents_reviewed", "64")
    page.fill("#instruments_checked", "31")
    page.fill("#reports_sampled", "120")
    page.select_option("#status", "completed")
    page.click("#submit")
    page.wait_for_load_state("networkidle")
    assert "SI-" in page.inner_text("h1") and page.inner_text("#documents-reviewed") == "64"
    shot(page, "audits-lab-2-self-inspection-recorded")

    page.click("#new-finding")
    page.wait_for_load_state("networkidle")
    page.select_option("#severity", "minor")
    page.select_option("#area", "records")
    page.select_option("#clause", "7.5")
    page.fill("#description", "原始记录用铅笔填写。\nRaw records written in pencil.")
    page.click("#submit")
    page.wait_for_load_state("networkidle")
    assert "Open" in page.inner_text("#finding-status")
    assert page.query_selector("#step-accept_plan") is None  # the lab never accepts its own
    page.fill("#submit_plan-correction", "Rewrote the affected records in ink, countersigned.")
    page.fill("#submit_plan-root_cause", "New analysts were not told the records rule.")
    page.select_option("#submit_plan-root_cause_method", "five_whys")
    page.fill("#submit_plan-occurs_elsewhere", "Checked the other sections: none.")
    page.fill("#submit_plan-corrective_action", "Records rule in the induction training.")
    page.fill("#submit_plan-action_owner", "Li Na, quality manager")
    page.fill("#submit_plan-action_target_on", (today() + timedelta(days=20)).isoformat())
    page.click("#submit_plan-submit")
    page.wait_for_load_state("networkidle")
    assert "Plan submitted" in page.inner_text("#finding-status")
    shot(page, "audits-lab-3-plan-submitted")

    # In Chinese, and at phone width.
    page.click("#language-switch")
    page.wait_for_load_state("networkidle")
    page.goto(live_server("/audits/new"))
    assert (
        "自查自纠" in page.inner_text("#kind") and "实验室记录本实验室的自查自纠和内部审核" in page.content()
    )
    shot(page, "audits-lab-4-new-self-inspection-zh")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "audits-lab-5-new-self-inspection-phone")
    with live_server.app.app_context():
        audit_id = db.session.scalar(select(Audit.id))
        finding_id = db.session.scalar(select(Finding.id))
    page.goto(live_server(f"/audits/{audit_id}"))
    shot(page, "audits-lab-6-self-inspection-phone-zh")
    page.context.clear_cookies()

    # The bureau checks and accepts the plan.
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, live_server, "inspector")
    page.goto(live_server(f"/audits/findings/{finding_id}"))
    page.fill("#accept_plan-comment", "The plan is adequate.")
    page.click("#accept_plan-submit")
    page.wait_for_load_state("networkidle")
    assert "Plan accepted" in page.inner_text("#finding-status")
    shot(page, "audits-lab-7-plan-accepted-by-the-bureau")
    with live_server.app.app_context():
        audit = db.session.get(Audit, audit_id)
        assert (audit.lab.code, audit.kind, audit.documents_reviewed) == ("SC-TC", "self_inspection", 64)
        assert db.session.get(Finding, finding_id).raised_by.username == "manager-SC-TC"
