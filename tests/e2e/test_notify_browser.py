"""Notifications, preferences and a job's progress bar in a real browser, in English and Chinese
and at phone width (screenshots under screenshots/notify-*.png)."""

import pytest
from playwright.sync_api import expect

from labtrack.auth.models import User
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.jobs.models import Job, JobStatus
from labtrack.labs.models import Lab, LabKind
from labtrack.models_base import utcnow
from labtrack.notify.service import notify
from tests.conftest import PASSWORD, browser_login, shot

FINDING = {"label": "FC-2010-003 #2", "lab": "SC-TC", "severity": "major", "due_on": "2010-06-30"}


def _setup(app, tmp_path) -> dict:
    app.config["JOBS_QUEUE_FILE"] = str(tmp_path / "queue.db")
    with app.app_context():
        lab = Lab(code="SC-TC", name="四川检验检疫技术中心", region="Chengdu", kind=LabKind.TECHNICAL_CENTRE)
        user = User(
            username="manager-SC-TC",
            full_name="Zhang Wei",
            role=Role.LAB_MANAGER,
            lab=lab,
            email="zhang@sc-tc.example.cn",
        )
        user.set_password(PASSWORD)
        db.session.add_all([lab, user])
        db.session.flush()
        notify("finding_raised", [user], ("findings", 12), FINDING)
        notify("finding_due:3", [user], ("findings", 12), {**FINDING, "days": 3})
        notify(
            "plan_rejected",
            [user],
            ("findings", 13),
            {
                **FINDING,
                "label": "FC-2010-003 #3",
                "comment": "The root cause is not shown; please use the 5 whys.",
            },
        )
        notify(
            "round_closing",
            [user],
            ("rounds", 1),
            {
                "round": "BS-2010-02",
                "title": "Lead in ceramic tableware",
                "lab": "SC-TC",
                "days": 3,
                "closes_on": "2010-06-04",
            },
        )
        notify(
            "certificate_expiring:90",
            [user],
            ("qualifications", 1),
            {
                "scheme": "CMA",
                "certificate": "2008-0042",
                "lab": "SC-TC",
                "days": 90,
                "expires_on": "2010-08-30",
            },
        )
        read = notify("job_done", [user], ("jobs", 1), {"job": 1, "kind": "scope_import"})[0]
        read.read_at = utcnow()
        running = Job(
            kind="scope_import",
            started_by_id=user.id,
            status=JobStatus.RUNNING,
            done=181_000,
            total=454_000,
            started_at=utcnow(),
            attempts=1,
        )
        failed = Job(kind="lab_import", started_by_id=user.id, status=JobStatus.FAILED, done=0, total=1, error="The file has 2 errors; nothing was imported.",
                     result={"errors": {"rows": [{"row": 3, "column": "kind", "message": "Unknown kind."}, {"row": 7, "column": "code", "message": "Required."}]}}, finished_at=utcnow())  # fmt: skip
        waiting = Job(kind="scope_import", started_by_id=user.id, status=JobStatus.QUEUED)
        db.session.add_all([running, failed, waiting])
        db.session.commit()
        return {"running": running.id, "failed": failed.id, "waiting": waiting.id}


@pytest.mark.browser
def test_notifications_preferences_and_job_progress_in_both_languages(live_server, page, tmp_path):
    jobs = _setup(live_server.app, tmp_path)
    page.set_default_timeout(60_000)
    browser_login(page, live_server, "manager-SC-TC")
    page.goto(live_server("/notify/"))
    assert page.locator("#notifications li").count() == 6
    assert "New Major finding FC-2010-003 #2 at SC-TC, due 2010-06-30." in page.inner_text("#notifications")
    shot(page, "notify-list-en")
    page.get_by_role("button", name="Mark read").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#notifications .badge.text-bg-primary").count() == 4

    page.goto(live_server(f"/jobs/{jobs['running']}"))
    assert page.locator("#job-bar").inner_text() == "39%"
    assert "181,000 of 454,000" in page.inner_text("#job-count")
    shot(page, "notify-job-running-en")
    page.goto(live_server(f"/jobs/{jobs['failed']}"))
    assert "Row 3, kind: Unknown kind." in page.inner_text("#job-outcome")
    shot(page, "notify-job-failed-en")

    page.goto(live_server("/notify/preferences"))
    page.check("#delivery-1")
    page.uncheck("#email_enabled")
    page.click("#submit")
    page.wait_for_load_state("networkidle")
    assert "Your notification preferences are saved." in page.inner_text("main")
    assert page.is_checked("#delivery-1") and not page.is_checked("#email_enabled")
    shot(page, "notify-preferences-en")

    page.click("#language-switch")
    page.wait_for_load_state("networkidle")
    page.goto(live_server("/notify/"))
    assert "SC-TC 新增严重问题 FC-2010-003 #2，整改期限 2010-06-30。" in page.inner_text("#notifications")
    assert "比对 BS-2010-02 将在 3 天后截止，SC-TC 尚未提交结果。" in page.inner_text("#notifications")
    shot(page, "notify-list-zh")
    page.goto(live_server("/notify/preferences"))
    assert "每天一封摘要邮件" in page.inner_text("main")
    shot(page, "notify-preferences-zh")
    page.goto(live_server(f"/jobs/{jobs['running']}"))
    assert "181,000 / 454,000" in page.inner_text("#job-count") and "运行中" in page.inner_text("#job-status")
    shot(page, "notify-job-running-zh")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server("/notify/"))
    shot(page, "notify-list-zh-phone")
    page.goto(live_server(f"/jobs/{jobs['running']}"))
    shot(page, "notify-job-running-zh-phone")
    page.click(".navbar-toggler")  # the menu is folded at phone width
    page.click("#language-switch")
    page.wait_for_load_state("networkidle")
    page.goto(live_server("/notify/"))
    shot(page, "notify-list-en-phone")
    page.click("#read-all")
    page.wait_for_load_state("networkidle")
    assert page.locator("#notifications .badge.text-bg-primary").count() == 0


@pytest.mark.browser
def test_the_progress_bar_follows_the_job_until_it_is_done(live_server, page, tmp_path):
    jobs = _setup(live_server.app, tmp_path)
    browser_login(page, live_server, "manager-SC-TC")
    page.goto(live_server(f"/jobs/{jobs['waiting']}"))
    assert "Waiting for the worker" in page.inner_text("#job-count")
    with live_server.app.app_context():
        job = db.session.get(Job, jobs["waiting"])
        job.status, job.done, job.total = JobStatus.RUNNING, 3, 4
        db.session.commit()
    # (a locator, not wait_for_function: a string predicate is eval'd, which the CSP forbids)
    expect(page.locator("#job-bar")).to_have_text("75%", timeout=15_000)
    with live_server.app.app_context():
        job = db.session.get(Job, jobs["waiting"])
        job.status, job.done, job.result, job.finished_at = (
            JobStatus.DONE,
            4,
            {"summary": "454,000 rows: 454,000 new periods."},
            utcnow(),
        )
        db.session.commit()
    page.wait_for_selector(
        "text=454,000 rows: 454,000 new periods.", timeout=15_000
    )  # reloaded with the outcome
    assert page.locator("#job-bar").inner_text() == "100%"
    shot(page, "notify-job-done-en")
