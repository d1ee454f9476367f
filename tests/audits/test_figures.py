"""Queues and rectification figures against hand-derived numbers, with frozen time."""

import csv
import io
from datetime import date

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook

from labtrack.audits import evidence, figures
from labtrack.audits.workflow import State
from tests.audits.conftest import PDF, PNG, docx_bytes
from tests.chart_data import charts, series


@pytest.fixture
def campaign(make_lab, make_audit, make_finding, make_user):
    """Eight findings in two regions; see each line for what it contributes on 2010-09-30."""
    inspector = make_user("inspector")
    a, b = make_lab("LAB-A", region="Chengdu"), make_lab("LAB-B", region="Mianyang")
    audit_a = make_audit(lab=a, lead_id=inspector.id)
    audit_b = make_audit(lab=b, kind="self_inspection")
    d = date
    f = {
        # open, due 05-31: overdue 122 days; age 152 (>90)
        1: make_finding(audit_a, severity="major", raised_on=d(2010, 5, 1), due_on=d(2010, 5, 31)),
        # awaiting verification, due within 10 days; age 46 (31-60)
        2: make_finding(
            audit_a, State.PLAN_SUBMITTED, severity="minor", raised_on=d(2010, 8, 15), due_on=d(2010, 10, 8)
        ),
        # closed in 20 days
        3: make_finding(
            audit_a, State.CLOSED, raised_on=d(2010, 6, 1), due_on=d(2010, 7, 31), closed_on=d(2010, 6, 21)
        ),
        # plan accepted, due 08-14: overdue 47 days; age 77 (61-90)
        4: make_finding(
            audit_b, State.PLAN_ACCEPTED, area="records", raised_on=d(2010, 7, 15), due_on=d(2010, 8, 14)
        ),
        # open, age 10 (0-30)
        5: make_finding(audit_b, severity="observation", raised_on=d(2010, 9, 20), due_on=d(2010, 12, 19)),
        # closed in 40 and in 10 days
        6: make_finding(
            audit_b, State.CLOSED, raised_on=d(2010, 4, 1), due_on=d(2010, 5, 31), closed_on=d(2010, 5, 11)
        ),
        7: make_finding(
            audit_b, State.CLOSED, raised_on=d(2010, 4, 1), due_on=d(2010, 5, 31), closed_on=d(2010, 4, 11)
        ),
        # cancelled on 07-01
        8: make_finding(
            audit_a,
            State.CANCELLED,
            raised_on=d(2010, 6, 10),
            due_on=d(2010, 8, 9),
            cancelled_on=d(2010, 7, 1),
        ),
    }
    return {"labs": (a, b), "f": f, "inspector": inspector}


@freeze_time("2010-09-30")
def test_totals_and_breakdown_by_region(app, campaign):
    totals = figures.totals()
    assert (totals["total"], totals["active"], totals["overdue"], totals["closed"], totals["cancelled"]) == (
        8,
        4,
        2,
        3,
        1,
    )
    assert totals["closure_rate"] == pytest.approx(3 / 7)
    assert totals["median_days_to_close"] == 20
    assert totals["buckets"] == {"0-30": 1, "31-60": 1, "61-90": 1, ">90": 1}
    rows = {r["group"]: r for r in figures.rectification_figures("region")}
    assert (
        rows["Chengdu"]["closure_rate"] == pytest.approx(1 / 3)
        and rows["Chengdu"]["median_days_to_close"] == 20
    )
    assert rows["Mianyang"]["closure_rate"] == 0.5 and rows["Mianyang"]["median_days_to_close"] == 25
    assert rows["Mianyang"]["mean_days_to_close"] == 25 and rows["Mianyang"]["overdue"] == 1
    by_kind = {r["group"]: r["total"] for r in figures.rectification_figures("audit_kind")}
    assert by_kind == {"flight_check": 4, "self_inspection": 4}
    by_severity = {r["group"]: r["overdue"] for r in figures.rectification_figures("severity")}
    assert by_severity == {"major": 2, "minor": 0, "observation": 0}


@freeze_time("2010-09-30")
def test_overdue_list_has_days_overdue(app, campaign):
    rows = figures.overdue_list()
    assert [(f.id, days) for f, days in rows] == [(campaign["f"][1].id, 122), (campaign["f"][4].id, 47)]


@freeze_time("2010-09-30")
def test_figures_as_of_an_earlier_date(app, campaign):
    totals = figures.totals(on=date(2010, 6, 30))
    # Raised by then: 1, 3, 6, 7, 8; 8 was not yet cancelled, 1 was 30 days overdue.
    assert (totals["total"], totals["closed"], totals["cancelled"], totals["active"], totals["overdue"]) == (
        5,
        3,
        0,
        2,
        1,
    )
    assert totals["closure_rate"] == 0.6
    assert [days for _f, days in figures.overdue_list(on=date(2010, 6, 30))] == [30]


@freeze_time("2010-09-30")
def test_queues(app, campaign):
    a, _b = campaign["labs"]
    f = campaign["f"]
    queue = figures.lab_manager_queue(a.id)
    assert [x.id for x in queue["open"]] == [f[1].id, f[2].id]
    assert [x.id for x in queue["due_soon"]] == [f[2].id]
    assert [x.id for x in queue["overdue"]] == [f[1].id]
    verify = figures.verification_queue(campaign["inspector"].id)
    assert [x.id for x in verify["mine"]] == [f[2].id] and verify["others"] == []


@freeze_time("2010-09-30")
def test_figures_page_charts_and_exports(app, client, auth, campaign):
    auth.login("quality")
    page = client.get("/audits/figures?by=region").get_data(as_text=True)
    assert "42.9 %" in page and "122" in page
    drawn = charts(page)  # drawn in the browser from the page's own figures
    assert set(drawn) == {"ageing-chart", "closure-chart"} and "<svg" not in page
    groups = drawn["closure-chart"]["yAxis"]["data"]
    assert groups[0] == "Chengdu" and series(drawn["closure-chart"])["Closure rate (%)"][0] == 33.3
    ageing = series(drawn["ageing-chart"])
    assert sum(sum(v) for v in ageing.values()) == sum(
        r["active"] for r in figures.rectification_figures("region")
    )
    response = client.get("/audits/figures/export.csv?by=region")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:7] == ["group", "total", "active", "overdue", "closed", "cancelled", "closure_rate"]
    assert rows[1][:7] == ["Chengdu", "4", "2", "1", "1", "1", "0.3333"]
    xlsx = client.get("/audits/figures/export.xlsx?by=lab&what=overdue")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [122, 47]
    assert client.get("/audits/figures/export.pdf").status_code == 400


@freeze_time("2010-09-30")
def test_lab_manager_figures_cover_only_their_lab(app, client, auth, make_user, campaign):
    a, _b = campaign["labs"]
    auth.login(make_user("lab_manager", lab=a))
    response = client.get("/audits/figures/export.csv?by=lab")
    lines = response.get_data(as_text=True).strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("LAB-A,4")
    page = client.get("/audits/").get_data(as_text=True)
    assert "My rectification" in page and "Due within 10 days" in page
    # The charts carry their lab's numbers only: no other lab, no other region.
    for by, groups in (("lab", ["LAB-A"]), ("region", ["Chengdu"])):
        drawn = charts(client.get(f"/audits/figures?by={by}").get_data(as_text=True))
        assert drawn["closure-chart"]["yAxis"]["data"] == groups
        assert drawn["ageing-chart"]["yAxis"]["data"] == groups
        assert "LAB-B" not in str(drawn) and "Mianyang" not in str(drawn)
    ageing = series(drawn["ageing-chart"])
    assert sum(v[0] for v in ageing.values()) == 2  # LAB-A's two active findings (lines 1 and 2 above)


# --- evidence checks (pure) ---


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("report.pdf", PDF, "pdf"),
        ("photo.PNG", PNG, "png"),
        ("p.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 10, "jpeg"),
        ("a.gif", b"GIF89a" + b"\0" * 10, "gif"),
        ("w.webp", b"RIFF\0\0\0\0WEBPVP8 ", "webp"),
        ("sop.docx", docx_bytes(), "docx"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 10, "ole2"),
    ],
)
def test_allowed_types_by_content(app, name, data, kind):
    assert evidence.check(name, data).kind == kind


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("harmless.pdf", b"MZ\x90\x00 executable"),  # wrong type behind a harmless extension
        ("photo.png", b"<svg onload=alert(1)>"),
        ("invoice.pdf", PNG),  # a real image named as a PDF
        ("archive.docx", b"PK\x03\x04 not really a zip"),
        ("empty.pdf", b""),
        ("x.html", b"<html></html>"),
    ],
)
def test_refused_types(app, name, data):
    with pytest.raises(evidence.EvidenceRefused):
        evidence.check(name, data)


def test_oversized_file_is_refused(app):
    app.config["MAX_CONTENT_LENGTH"] = 100
    with pytest.raises(evidence.EvidenceRefused, match="larger than"):
        evidence.check("big.pdf", PDF + b"\0" * 200)


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system.ini.pdf", "system.ini.pdf"),
        ("/abs/path/整改证据.pdf", "整改证据.pdf"),
        ("..", "evidence"),
        (".hidden.pdf", "hidden.pdf"),
        ("a\x00b;c.pdf", "a_b_c.pdf"),
        ("", "evidence"),
    ],
)
def test_path_traversal_names_are_made_safe(raw, safe):
    assert evidence.safe_filename(raw) == safe


def test_files_are_stored_by_sha256_in_the_shared_store(app, tmp_path):
    checked = evidence.check("../../../../tmp/evil.pdf", PDF)
    key = evidence.store(checked)  # labtrack.jobs.files: every app server reads it
    assert key == checked.sha256 and evidence.read(key) == PDF
    assert evidence.store(checked) == key  # the same content is stored once
    with pytest.raises(KeyError):
        evidence.read("../../etc/passwd")
    with pytest.raises(ValueError):
        evidence.path_for("../../etc/passwd")
