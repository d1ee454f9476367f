"""A split-level round's Youden plot and the reports on paper in a real browser: the round page, the
PDF built as a job and downloaded; English, Chinese and a phone's width, with screenshots."""

import pytest

from tests.conftest import browser_login, shot

A = [10.0, 10.2, 9.8, 10.1, 9.9, 10.3, 9.7, 10.0, 12.0, 12.0]
B = [20.0, 20.1, 19.9, 20.2, 19.8, 20.1, 19.9, 19.95, 22.0, 18.0]


@pytest.fixture
def paper_server(live_server):
    from labtrack.auth.permissions import Role
    from labtrack.extensions import db
    from labtrack.proficiency import evaluation, results, service
    from tests import factories as f

    live_server.app.config["JOBS_IMMEDIATE"] = True  # the PDF job runs inside the request here
    with live_server.app.app_context():
        labs = [f.LabFactory(code=f"YD-{n:02d}", name=f"Testing laboratory {n}") for n in range(1, 11)]
        quality = f.UserFactory(username="quality-paper", role=Role.QUALITY)
        f.UserFactory(username="manager-paper", role=Role.LAB_MANAGER, lab=labs[8])
        rnd = service.create_round(
            {"code": "BS-YD-1", "title": "Nitrate in drinking water, two levels", "kind": "blind_sample",
             "measurand": "NO3-N", "unit": "mg/L", "assigned_value_method": "reference", "x_pt": 10.0,
             "u_x_pt": 0.02, "sigma_pt_method": "fixed", "sigma_pt": 0.5, "split_level": True, "x_pt_b": 20.0,
             "participants": [lab.code for lab in labs]},
            quality,
        )  # fmt: skip
        service.transition(rnd, "open", quality)
        rows = [
            {"lab_code": lab.code, "value": a, "value_b": b} for lab, a, b in zip(labs, A, B, strict=True)
        ]
        results.submit_results(rnd, rows, quality)
        service.transition(rnd, "closed", quality)
        evaluation.evaluate_round(rnd, quality)
        evaluation.publish_round(rnd, quality)
        db.session.commit()
    return live_server


@pytest.mark.browser
def test_youden_plot_and_reports_on_paper(paper_server, page, browser):
    live = paper_server
    page.set_default_timeout(60_000)
    browser_login(page, live, "quality-paper")
    page.goto(live("/rounds/BS-YD-1"))
    page.wait_for_selector("#youden-chart canvas, #youden-chart svg")
    assert "systematic" in page.locator("#youden-reading").inner_text()
    page.locator("#youden").scroll_into_view_if_needed()
    shot(page, "proficiency-paper-round")
    page.click("#papers form[action$='/paper/report'] button")
    page.wait_for_load_state("networkidle")
    assert "ready to download" in page.content()
    shot(page, "proficiency-paper-job")
    with page.expect_download() as download:
        page.locator("a[href$='/download']").first.click()
    assert download.value.suggested_filename == "BS-YD-1-report-en.pdf"
    with open(download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    page.click("#language-switch")
    page.wait_for_load_state("networkidle")
    page.goto(live("/rounds/BS-YD-1"))
    page.wait_for_selector("#youden-chart canvas, #youden-chart svg")
    assert "尤登图" in page.content()
    shot(page, "proficiency-paper-round-zh")

    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.set_default_timeout(60_000)
    tab = phone.new_page()
    browser_login(tab, live, "manager-paper")
    tab.goto(live("/rounds/BS-YD-1"))
    tab.wait_for_selector("#youden-chart canvas, #youden-chart svg")
    assert "/paper/report" not in tab.content()  # a lab manager: its own report and certificate only
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"round page is {width}px wide"
    shot(tab, "proficiency-paper-round-phone")
    tab.click("#papers form[action$='/paper/participant'] button")
    tab.wait_for_load_state("networkidle")
    shot(tab, "proficiency-paper-job-phone")
    phone.close()
