"""In the browser, on the demo: a lab manager registers a document and sends its first revision for
review (and may not approve it), the quality department refuses an early effective date and then
approves with its password; survey results with charts and a refused import; a complaint from
registration to feedback with a finding; the figures and the campaign summary; Chinese and a phone's
width."""

import pytest
from sqlalchemy import select

from labtrack.extensions import db
from labtrack.models_base import today
from labtrack.records.models import Document, Survey
from tests.conftest import browser_login, shot

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n% work instruction\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _submit(page, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state("networkidle")


def _sign_out(page) -> None:
    page.context.clear_cookies()


@pytest.fixture
def demo(live_server):
    from labtrack.demo import load_demo

    with live_server.app.app_context():
        load_demo()
    return live_server


def test_a_document_from_draft_to_effective(demo, page, tmp_path):
    from labtrack.demo import DEMO_PASSWORD

    live = demo
    page.set_default_timeout(90_000)
    upload = tmp_path / "作业指导书-WI-201.pdf"
    upload.write_bytes(PDF)

    browser_login(page, live, "manager-SC-TC", DEMO_PASSWORD)
    page.goto(live("/records/"))
    shot(page, "records-1-overview-lab-manager")
    page.goto(live("/records/documents"))
    shot(page, "records-2-register")
    _submit(page, "#new-document")
    page.select_option("#kind", "work_instruction")
    page.select_option("#subject", "test_method")
    page.fill("#code", "SC-TC-WI-201")
    page.fill("#title", "食品中铅的测定作业指导书")
    page.fill("#title_en", "Work instruction: lead in food")
    _submit(page, "#submit")
    assert "SC-TC-WI-201" in page.inner_text("h1")
    page.fill("#revision-label", "A/0")
    page.set_input_files("#revision-file", str(upload))
    page.fill("#revision-change_note", "首次发布。/ First issue.")
    _submit(page, "#revision-submit")
    assert "Draft" in page.inner_text("main h1 + span, main .badge")
    _submit(page, "#submit-submit")
    assert page.locator("#author-may-not-approve").count() == 1
    assert page.locator("#step-approve").count() == 0
    shot(page, "records-3-revision-in-review-author")
    revision_url = page.url
    _sign_out(page)

    browser_login(page, live, "quality", DEMO_PASSWORD)
    page.goto(revision_url)
    page.fill("#approve-effective_on", "2010-01-01")
    page.fill("#approve-password", DEMO_PASSWORD)
    _submit(page, "#approve-submit")
    assert "cannot be before the approval" in page.inner_text("#step-approve")
    shot(page, "records-4-approval-refused")
    page.fill("#approve-effective_on", "")  # today
    page.fill("#approve-password", DEMO_PASSWORD)
    _submit(page, "#approve-submit")
    assert "signed with their password" in page.inner_text("#approved-by")
    assert today().isoformat() in page.inner_text("#effective-on")
    page.click("text=SC-TC-WI-201")
    page.wait_for_load_state("networkidle")
    assert "Revision A/0" in page.inner_text("#effective-revision")
    shot(page, "records-5-document-in-force")
    with live.app.app_context():
        document = db.session.scalar(select(Document).where(Document.code == "SC-TC-WI-201"))
        assert document.status == "effective" and document.effective_revision.filename == upload.name


def test_surveys_complaints_and_figures(demo, page, tmp_path):
    from labtrack.demo import DEMO_PASSWORD

    live = demo
    page.set_default_timeout(90_000)
    with live.app.app_context():
        survey_id = db.session.scalar(select(Survey.id).where(Survey.code == "SV-2010-INS"))

    browser_login(page, live, "quality", DEMO_PASSWORD)
    page.goto(live("/records/surveys"))
    shot(page, "records-6-surveys")
    page.goto(live(f"/records/surveys/{survey_id}"))
    assert page.inner_text("#issued") == "3,300" and page.inner_text("#returned") == "3,162"
    assert page.locator("#result-Q1 svg").count() == 5
    shot(page, "records-7-survey-results")
    bad = tmp_path / "answers.csv"
    bad.write_text("sheet,returned_on,Q1,Q9\nX-1,2010-07-01,4,1\nX-2,2010-07-01,8,\n", encoding="utf-8")
    page.set_input_files("#import-file", str(bad))
    _submit(page, "#import-submit")
    errors = page.inner_text("#import-errors")
    assert "Row 1, column Q9" in errors and "Row 3, column Q1: 8 is outside the scale" in errors
    shot(page, "records-8-import-refused")
    _sign_out(page)

    # A complaint from the hotline to the feedback, with a finding.
    browser_login(page, live, "inspector", DEMO_PASSWORD)
    page.goto(live("/records/complaints"))
    shot(page, "records-9-complaints")
    _submit(page, "#new-complaint")
    page.select_option("#lab_code", "SC-PQI")
    page.select_option("#channel", "hotline")
    page.fill("#received_on", today().isoformat())
    page.fill("#complainant_name", "李女士")
    page.fill("#subject", "报告结论与复检不一致 / The report differs from a re-test")
    page.fill("#description", "同一批次复检结果不同。")
    _submit(page, "#submit")
    _submit(page, "#acknowledged-submit")
    page.fill(
        "#investigated-investigation",
        "调阅原始记录，发现计算错误。/ The raw records show a calculation error.",
    )
    page.select_option("#investigated-outcome", "substantiated")
    _submit(page, "#investigated-submit")
    page.click("#raise-finding summary")
    page.select_option("#finding-severity", "minor")
    page.select_option("#finding-area", "reports_certificates")
    page.select_option("#finding-clause", "7.8.2")
    _submit(page, "#finding-submit")
    assert page.locator("#finding-raised").count() == 1
    page.fill("#answered-feedback", "已电话告知投诉人。/ Told by telephone.")
    _submit(page, "#answered-submit")
    assert page.inner_text("#feedback-on") == today().isoformat()
    shot(page, "records-10-complaint-answered")
    complaint_url = page.url
    _sign_out(page)

    # The lab manager of the lab complained of: the complaint, not who made it.
    browser_login(page, live, "manager-SC-PQI", DEMO_PASSWORD)
    page.goto(complaint_url)
    assert page.locator("#complainant").count() == 0 and "李女士" not in page.content()
    shot(page, "records-11-complaint-lab-manager")
    _sign_out(page)

    browser_login(page, live, "viewer", DEMO_PASSWORD)
    page.goto(live("/records/figures?from=2010-01-01&to=2010-12-31"))
    assert page.inner_text("#documents-written") == "35" and page.inner_text("#documents-revised") == "38"
    assert page.inner_text("#questionnaires-issued") == "4,600"
    shot(page, "records-12-figures-2010")
    page.goto(live("/reports/campaign?from=2010-01-01&to=2010-12-31"))
    assert page.inner_text("#records-documents-written") == "35"
    page.locator("#records").scroll_into_view_if_needed()
    shot(page, "records-13-campaign-summary")

    # In Chinese, and at a phone's width.
    page.click("#language-switch")
    page.wait_for_load_state("networkidle")
    page.goto(live("/records/"))
    assert "质量" in page.inner_text("h1")
    shot(page, "records-14-overview-zh")
    page.goto(live(f"/records/surveys/{survey_id}"))
    shot(page, "records-15-survey-results-zh")
    page.goto(live("/records/documents?lab=SC-TC"))
    shot(page, "records-16-register-zh")
    page.goto(complaint_url)
    shot(page, "records-17-complaint-zh")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live("/records/documents"))
    shot(page, "records-18-register-phone")
    page.goto(live(f"/records/surveys/{survey_id}"))
    shot(page, "records-19-survey-phone")
    page.goto(live("/records/figures?from=2010-01-01&to=2010-12-31"))
    shot(page, "records-20-figures-phone")
    page.goto(live("/records/complaints"))
    shot(page, "records-21-complaints-phone")
