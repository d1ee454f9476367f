"""The provider's side of a round in a real browser: a homogeneity study typed in (failing, sigma_pt
widened), the items sent and received, a qualitative round's answers; English, Chinese and a phone's
width, with screenshots of every page."""

import pytest

from tests.conftest import browser_login, shot

# item means 1.82 and 1.92: s_x^2 = 10 x 0.05^2 / 9; s_w^2 = 0.0008; s_s^2 = s_x^2 - 0.0004 = 0.002378
FAILING = "\n".join(["1.80 1.84"] * 5 + ["1.90 1.94"] * 5)


@pytest.fixture
def provider_server(live_server):
    from labtrack.auth.permissions import Role
    from labtrack.extensions import db
    from labtrack.proficiency import evaluation, qualitative, results, service
    from tests import factories as f

    with live_server.app.app_context():
        labs = [f.LabFactory(code=f"SC-{n:02d}", name=f"Testing laboratory {n}") for n in range(1, 7)]
        quality = f.UserFactory(username="quality-e2e", role=Role.QUALITY)
        f.UserFactory(username="manager-e2e", role=Role.LAB_MANAGER, lab=labs[0])
        base = {"kind": "blind_sample", "measurand": "Pb", "unit": "mg/L", "assigned_value_method": "reference",
                "x_pt": 1.85, "u_x_pt": 0.01, "sigma_pt_method": "fixed", "sigma_pt": 0.1,
                "participants": [lab.code for lab in labs]}  # fmt: skip
        service.create_round(
            {**base, "code": "BS-E2E-1", "title": "Lead released from ceramic tableware"}, quality
        )
        service.create_round({**base, "code": "BS-E2E-2", "title": "Salmonella in milk powder"}, quality)
        qual = service.create_round(
            {**base, "code": "BS-E2E-3", "title": "Salmonella in milk powder, 2"}, quality
        )
        qualitative.set_design(qual, {"result_type": "qualitative", "assigned_answer": "detected"}, quality)
        service.transition(qual, "open", quality)
        answers = ["detected"] * 5 + ["not_detected"]
        results.submit_results(
            qual, [{"lab_code": lab.code, "answer": a} for lab, a in zip(labs, answers, strict=True)], quality
        )
        service.transition(qual, "closed", quality)
        evaluation.evaluate_round(qual, quality)
        db.session.commit()
    return live_server


@pytest.mark.browser
def test_a_provider_records_studies_dispatch_and_a_qualitative_design(provider_server, page, browser):
    live = provider_server
    page.set_default_timeout(60_000)
    browser_login(page, live, "quality-e2e")
    page.goto(live("/rounds/BS-E2E-1/studies"))
    page.fill("#replicates", "1 2\n3 4")  # too few items: refused beside the field, nothing stored
    page.click("#homogeneity-entry [type=submit]")
    assert "at least 10 items" in page.locator("#homogeneity-entry").inner_text()
    shot(page, "proficiency-provider-studies-refused")
    page.fill("#replicates", FAILING)
    page.click("#homogeneity-entry [type=submit]")
    assert page.locator("#homogeneity-failed").is_visible()
    # s_s = 0.04876 > 0.03; sigma_pt widened to sqrt(0.1^2 + 0.002378) = 0.1113
    assert "0.1113" in page.locator(".alert-warning").first.inner_text()
    page.fill("#before", "1.85 1.86 1.84")
    page.fill("#after", "1.86 1.85 1.85")
    page.click("#stability-entry [type=submit]")
    shot(page, "proficiency-provider-studies")
    page.goto(live("/rounds/BS-E2E-1"))
    assert page.locator("#studies-card").is_visible()
    shot(page, "proficiency-provider-round")
    page.goto(live("/rounds/BS-E2E-1/dispatch"))
    page.fill("#sent_on", "2010-05-03")
    page.click("#dispatch-form [type=submit]")
    assert "2010-05-03" in page.locator("#dispatch-SC-02").inner_text()
    shot(page, "proficiency-provider-dispatch")
    page.goto(live("/rounds/BS-E2E-2/design"))
    page.select_option("#result_type", "qualitative")
    page.fill("#assigned_answer", "maybe")
    page.click("#design-form [type=submit]")
    assert "Not one of the round's answers" in page.locator("#design-form").inner_text()
    page.fill("#assigned_answer", "Detected")
    page.click("#design-form [type=submit]")
    assert page.locator("#qualitative-summary").is_visible()
    page.goto(live("/rounds/BS-E2E-2/design"))
    shot(page, "proficiency-provider-design")
    page.goto(live("/rounds/BS-E2E-3"))
    summary = page.locator("#qualitative-summary").inner_text()
    assert "5 / 6" in summary and "False negatives" in summary
    assert "✗" in page.locator("#results-table").inner_text()
    shot(page, "proficiency-provider-qualitative")

    page.click("#language-switch")
    page.wait_for_load_state("networkidle")
    for name, path in [("studies", "/rounds/BS-E2E-1/studies"), ("dispatch", "/rounds/BS-E2E-1/dispatch"),
                       ("design", "/rounds/BS-E2E-2/design"), ("round", "/rounds/BS-E2E-1"),
                       ("qualitative", "/rounds/BS-E2E-3")]:  # fmt: skip
        page.goto(live(path))
        shot(page, f"proficiency-provider-{name}-zh")
    page.goto(live("/rounds/BS-E2E-1/studies"))
    assert "均匀性" in page.locator("h1").inner_text()

    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.set_default_timeout(60_000)
    tab = phone.new_page()
    browser_login(tab, live, "quality-e2e")
    for name, path in [("studies", "/rounds/BS-E2E-1/studies"), ("dispatch", "/rounds/BS-E2E-1/dispatch")]:
        tab.goto(live(path))
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide"
        shot(tab, f"proficiency-provider-{name}-phone")
    phone.close()
