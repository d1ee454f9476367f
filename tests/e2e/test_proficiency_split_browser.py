"""A split-level round in a real browser: both levels scored on the round's page, the split-level
setting locked once results exist, and a results file imported by a job followed on the page;
English, Chinese and a phone's width, with screenshots."""

import pytest

from tests.conftest import browser_login, shot

HEADER = "lab_code,value,value_b,expanded_uncertainty,coverage_factor,method\n"


@pytest.fixture
def split_server(live_server, tmp_path):
    from labtrack.auth.permissions import Role
    from labtrack.extensions import db
    from labtrack.proficiency import evaluation, results, service
    from tests import factories as f

    live_server.app.config.update(JOBS_IMMEDIATE=True, JOBS_QUEUE_FILE=str(tmp_path / "queue.db"))
    with live_server.app.app_context():
        labs = [f.LabFactory(code=f"YD-{n:02d}", name=f"Testing laboratory {n}") for n in range(1, 9)]
        quality = f.UserFactory(username="quality-split", role=Role.QUALITY)
        base = {"kind": "blind_sample", "measurand": "Pb", "unit": "mg/L", "assigned_value_method": "reference",
                "x_pt": 1.20, "u_x_pt": 0.015, "sigma_pt_method": "fixed", "sigma_pt": 0.12, "split_level": True,
                "x_pt_b": 1.50, "u_x_pt_b": 0.018, "sigma_pt_b": 0.15, "participants": [lab.code for lab in labs]}  # fmt: skip
        scored = service.create_round({**base, "code": "YD-1", "title": "Lead, two levels"}, quality)
        service.transition(scored, "open", quality)
        pairs = [(1.20, 1.50), (1.22, 1.52), (1.18, 1.49), (1.21, 1.51), (1.19, 1.48), (1.60, 2.00),
                 (1.45, 1.20), (1.20, 1.95)]  # fmt: skip
        results.submit_results(
            scored,
            [
                {"lab_code": lab.code, "value": a, "value_b": b}
                for lab, (a, b) in zip(labs, pairs, strict=True)
            ],
            quality,
        )
        service.transition(scored, "closed", quality)
        evaluation.evaluate_round(scored, quality)
        upload = service.create_round({**base, "code": "YD-2", "title": "Lead, two levels, 2"}, quality)
        service.transition(upload, "open", quality)
        results.submit_results(upload, [{"lab_code": "YD-01", "value": 1.2, "value_b": 1.5}], quality)
        db.session.commit()
    return live_server


@pytest.mark.browser
def test_both_levels_a_locked_setting_and_an_upload_job(split_server, page, browser, tmp_path):
    live = split_server
    page.set_default_timeout(60_000)
    browser_login(page, live, "quality-split")
    page.goto(live("/rounds/YD-1"))
    assert page.locator("#summary-b").is_visible()
    # YD-06: level B (2.00 - 1.50) / 0.15 = 3.33; YD-08: level B 3.00 with level A 0.00
    table = page.locator("#results-table").inner_text()
    assert "3.33" in table and "3.00" in table
    shot(page, "proficiency-split-round")

    page.goto(live("/rounds/YD-2/edit"))
    assert page.locator("#split_level").is_disabled()
    assert "Withdraw every result first" in page.locator("#locked-split_level").inner_text()
    shot(page, "proficiency-split-locked")

    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "YD-02,1.21,,,,\nYD-03,abc,1.5,,,\n")
    page.goto(live("/rounds/YD-2"))
    page.set_input_files("#upload input[type=file]", str(bad))
    page.click("#upload [type=submit]")
    page.locator("#job-outcome .alert-danger").wait_for()
    outcome = page.locator("#upload-job").inner_text()
    assert "Row 2, value_b" in outcome and "Row 3, value" in outcome
    shot(page, "proficiency-split-upload-refused")
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "YD-02,1.21,1.52,,,\nYD-03,1.19,1.49,,,\n")
    page.set_input_files("#upload input[type=file]", str(good))
    page.click("#upload [type=submit]")
    page.locator("#job-outcome .alert-success").wait_for()
    assert "2 results imported into YD-2." in page.locator("#upload-job").inner_text()
    assert "YD-03" in page.locator("#results-table").inner_text()
    shot(page, "proficiency-split-upload-done")

    page.click("#language-switch")
    page.wait_for_load_state("networkidle")
    for name, path in [("round", "/rounds/YD-1"), ("locked", "/rounds/YD-2/edit")]:
        page.goto(live(path))
        shot(page, f"proficiency-split-{name}-zh")
    page.goto(live("/rounds/YD-1"))
    assert "评价（水平 B）" in page.locator("#summary-b").inner_text()

    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.set_default_timeout(60_000)
    tab = phone.new_page()
    browser_login(tab, live, "quality-split")
    for name, path in [("round", "/rounds/YD-1"), ("locked", "/rounds/YD-2/edit")]:
        tab.goto(live(path))
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide"
        shot(tab, f"proficiency-split-{name}-phone")
    phone.close()
