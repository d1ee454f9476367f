"""The campaign summary: hand-built figures, a lab manager's narrowing, bad input, exports, the demo."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from labtrack.audits.models import Audit, AuditKind, AuditStatus, Finding, FindingSource
from labtrack.audits.workflow import State
from labtrack.extensions import db
from labtrack.proficiency.models import Participant, Result, Round, RoundFinding
from labtrack.reports.campaign import campaign_summary, resolve_period
from labtrack.scope.models import ScopeEntry, TestCategory, TestItem
from labtrack.services import InvalidInput

PERIOD = {"from": "2010-01-01", "to": "2010-12-31"}
HEADLINE = (
    "From 2010-01-01 to 2010-12-31: 4 audits reviewed 150 documents and records, 100 instruments and 300 reports, "
    "and visited 2 institutions in 2 prefectures; 8 findings, 29% closed after verification; 3 institutions took "
    "part in 2 comparison rounds, 33% satisfactory; capability grew from 1 category and 2 test items to "
    "2 categories and 3 test items."
)


def _audit(lab, kind, started_on, ref, **counts):
    audit = Audit(
        reference=ref,
        lab_id=lab.id,
        kind=kind,
        title=ref,
        started_on=started_on,
        status=AuditStatus.COMPLETED,
        **counts,
    )
    db.session.add(audit)
    db.session.flush()
    return audit


def _finding(lab, audit, number, area, severity, raised_on, due_on, status=State.OPEN, **fields):
    finding = Finding(
        audit_id=audit.id if audit else None,
        lab_id=lab.id,
        number=number,
        source=FindingSource.AUDIT if audit else FindingSource.ROUND,
        severity=severity,
        area=area,
        clause="7.7.1",
        description="A finding.",
        raised_on=raised_on,
        due_on=due_on,
        status=status,
        **fields,
    )
    db.session.add(finding)
    db.session.flush()
    return finding


def _round(code, kind, closes_on, status, grades: dict):
    rnd = Round(
        code=code,
        title=code,
        kind=kind,
        measurand="lead",
        unit="mg/kg",
        closes_on=closes_on,
        status=status,
        assigned_value_method="reference",
        x_pt=1.0,
        sigma_pt=0.1,
    )
    db.session.add(rnd)
    db.session.flush()
    results = {}
    for n, (lab, grade) in enumerate(grades.items(), start=1):
        participant = Participant(round_id=rnd.id, lab_id=lab.id, participant_code=f"P{n:02d}")
        db.session.add(participant)
        db.session.flush()
        if grade is not None:
            result = Result(
                round_id=rnd.id,
                participant_id=participant.id,
                lab_id=lab.id,
                value=1.0,
                grade=grade,
                score=0.0,
                score_kind="z",
            )
            db.session.add(result)
            db.session.flush()
            results[lab.code] = result
    return rnd, results


@pytest.fixture
def data(app, make_lab):
    """Three labs in two prefectures; audits, findings, rounds and scope in and around 2010."""
    a = make_lab("LAB-A", region="Chengdu")
    b = make_lab("LAB-B", region="Chengdu")
    c = make_lab("LAB-C", region="Mianyang")
    a1 = _audit(
        a,
        AuditKind.FLIGHT_CHECK,
        date(2010, 5, 10),
        "FC-2010-001",
        documents_reviewed=100,
        instruments_checked=80,
        reports_sampled=200,
    )
    a2 = _audit(
        c,
        AuditKind.FLIGHT_CHECK,
        date(2010, 6, 1),
        "FC-2010-002",
        documents_reviewed=50,
        instruments_checked=20,
        reports_sampled=100,
    )
    a3 = _audit(b, AuditKind.UNDERCOVER_VISIT, date(2010, 10, 10), "UV-2010-001")
    a4 = _audit(c, AuditKind.SUPERVISION_VISIT, date(2010, 9, 10), "SV-2010-001")
    a5 = _audit(a, AuditKind.SELF_INSPECTION, date(2009, 12, 20), "SI-2009-001", documents_reviewed=999)
    # Closed in 40 and 80 days.
    _finding(
        a,
        a1,
        1,
        "qms_documentation",
        "major",
        date(2010, 5, 10),
        date(2010, 6, 9),
        State.CLOSED,
        closed_on=date(2010, 6, 19),
    )
    _finding(
        a,
        a1,
        2,
        "qms_documentation",
        "minor",
        date(2010, 5, 10),
        date(2010, 7, 9),
        State.CLOSED,
        closed_on=date(2010, 7, 29),
    )
    _finding(c, a2, 1, "quality_control", "minor", date(2010, 6, 1), date(2010, 7, 31))  # overdue, 213 days
    _finding(
        b,
        a3,
        1,
        "quality_control",
        "observation",
        date(2010, 10, 10),
        date(2010, 12, 9),
        State.PLAN_SUBMITTED,
    )  # overdue, 82 days
    _finding(
        c,
        a4,
        1,
        "personnel_training",
        "major",
        date(2010, 9, 10),
        date(2010, 10, 10),
        State.CANCELLED,
        cancelled_on=date(2010, 9, 20),
    )
    _finding(a, a1, 3, "records", "minor", date(2010, 12, 20), date(2011, 2, 18))  # active, 11 days
    _finding(
        a,
        a5,
        1,
        "records",
        "minor",
        date(2009, 12, 20),
        date(2010, 2, 18),
        State.CLOSED,
        closed_on=date(2010, 1, 10),
    )  # raised before the period
    # Closed only in 2011: still active and overdue at the end of 2010 (60 days old).
    _finding(
        a,
        a1,
        4,
        "quality_control",
        "major",
        date(2010, 11, 1),
        date(2010, 12, 1),
        State.CLOSED,
        closed_on=date(2011, 1, 15),
    )
    r1, results = _round(
        "BS-T-01",
        "blind_sample",
        date(2010, 7, 1),
        "published",
        {a: "satisfactory", b: "unsatisfactory", c: "questionable"},
    )
    f9 = _finding(
        b, None, 1, "quality_control", "major", date(2010, 7, 20), date(2010, 8, 19), source_ref="BS-T-01"
    )  # raised by the round; overdue, 164 days
    db.session.add(
        RoundFinding(
            round_id=r1.id,
            result_id=results["LAB-B"].id,
            finding_id=f9.id,
            lab_id=b.id,
            reason="unsatisfactory",
        )
    )
    _round(
        "MC-T-01",
        "measurement_comparison",
        date(2010, 8, 30),
        "evaluated",
        {a: "satisfactory", c: "satisfactory"},
    )  # grades not published yet
    _round("BS-T-02", "blind_sample", date(2011, 3, 1), "published", {a: "satisfactory"})  # after the period
    _round(
        "BS-T-03", "blind_sample", date(2010, 12, 1), "planned", {b: None}
    )  # planned: nobody took part yet
    # Scope: K1 {I1 (3 parameters), I2 (2)}, K2 {I3 (5)}.
    k1, k2 = TestCategory(code="K1", name="食品"), TestCategory(code="K2", name="玩具")
    db.session.add_all([k1, k2])
    db.session.flush()
    i1 = TestItem(code="I1", name="铅", category_id=k1.id, parameters=3)
    i2 = TestItem(code="I2", name="镉", category_id=k1.id, parameters=2)
    i3 = TestItem(code="I3", name="邻苯", category_id=k2.id, parameters=5)
    db.session.add_all([i1, i2, i3])
    db.session.flush()
    db.session.add_all(
        [
            ScopeEntry(lab_id=a.id, item_id=i1.id, granted_on=date(2009, 1, 1)),
            ScopeEntry(lab_id=a.id, item_id=i3.id, granted_on=date(2010, 6, 1)),
            ScopeEntry(
                lab_id=b.id, item_id=i2.id, granted_on=date(2009, 6, 1), withdrawn_on=date(2010, 3, 1)
            ),
            ScopeEntry(lab_id=c.id, item_id=i2.id, granted_on=date(2010, 2, 1)),
        ]
    )
    db.session.commit()
    return {"a": a, "b": b, "c": c}


def _summary(app, region=None, date_from=date(2010, 1, 1), date_to=date(2010, 12, 31)):
    with app.test_request_context():
        return campaign_summary(None, date_from, date_to, region)  # the system: every lab


# --- the service -------------------------------------------------------------------------------


def test_audits_by_kind_and_what_they_reviewed(app, data):
    audits = _summary(app)["audits"]
    rows = {r["kind"]: r for r in audits["by_kind"]}
    assert list(rows) == ["flight_check", "supervision_visit", "undercover_visit"]
    assert rows["flight_check"] == {
        "kind": "flight_check",
        "label": rows["flight_check"]["label"],
        "audits": 2,
        "documents_reviewed": 150,
        "instruments_checked": 100,
        "reports_sampled": 300,
        "institutions": 2,
        "prefectures": 2,
    }
    assert audits["total"] == {
        "audits": 4,
        "documents_reviewed": 150,
        "instruments_checked": 100,
        "reports_sampled": 300,
        "institutions": 3,
        "prefectures": 2,
        "visited_institutions": 2,
        "visited_prefectures": 2,
    }


def test_findings_by_area_severity_and_closure(app, data):
    findings = _summary(app)["findings"]
    total = findings["total"]
    assert (total["total"], total["closed"], total["cancelled"], total["active"], total["overdue"]) == (
        8,
        2,
        1,
        5,
        4,
    )
    assert total["closure_rate"] == pytest.approx(2 / 7)
    assert total["median_days_to_close"] == 60.0
    assert total["buckets"] == {"0-30": 1, "31-60": 1, "61-90": 1, ">90": 2}
    assert total["severities"] == {"major": 4, "minor": 3, "observation": 1}
    assert total["from_rounds"] == 1
    areas = {r["group"]: r for r in findings["by_area"]}
    assert list(areas) == ["qms_documentation", "personnel_training", "quality_control", "records"]
    assert (areas["qms_documentation"]["total"], areas["qms_documentation"]["closure_rate"]) == (2, 1.0)
    assert areas["qms_documentation"]["median_days_to_close"] == 60.0
    assert areas["quality_control"]["severities"] == {"major": 2, "minor": 1, "observation": 1}
    assert (areas["quality_control"]["overdue"], areas["quality_control"]["closure_rate"]) == (4, 0.0)
    assert areas["personnel_training"]["closure_rate"] is None  # only a cancelled one
    severities = {r["group"]: (r["total"], r["closed"], r["overdue"]) for r in findings["by_severity"]}
    assert severities == {"major": (4, 1, 2), "minor": (3, 1, 1), "observation": (1, 0, 1)}


def test_comparisons_participation_and_outcomes(app, data):
    comparisons = _summary(app)["comparisons"]
    total = comparisons["total"]
    assert {
        k: total[k]
        for k in (
            "rounds",
            "published",
            "participants",
            "institutions",
            "graded",
            "satisfactory",
            "questionable",
            "unsatisfactory",
            "findings",
        )
    } == {
        "rounds": 2,
        "published": 1,
        "participants": 5,
        "institutions": 3,
        "graded": 3,
        "satisfactory": 1,
        "questionable": 1,
        "unsatisfactory": 1,
        "findings": 1,
    }
    assert total["satisfactory_share"] == pytest.approx(1 / 3)
    kinds = {r["kind"]: (r["rounds"], r["participants"], r["graded"]) for r in comparisons["by_kind"]}
    assert kinds == {"blind_sample": (1, 3, 3), "measurement_comparison": (1, 2, 0)}


def test_growth_and_headline(app, data):
    summary = _summary(app)
    g = summary["growth"]
    assert (
        g.categories_from,
        g.items_from,
        g.parameters_from,
        g.categories_to,
        g.items_to,
        g.parameters_to,
    ) == (1, 2, 5, 2, 3, 10)
    # The later areas add their blocks' parts after ours (e.g. "; 0 training sessions ...").
    assert summary["headline"].startswith(HEADLINE[:-1])


def test_a_region(app, data):
    summary = _summary(app, region="Chengdu")
    a = summary["audits"]["total"]
    assert (a["audits"], a["documents_reviewed"], a["visited_institutions"], a["visited_prefectures"]) == (
        2,
        100,
        1,
        1,
    )
    f = summary["findings"]["total"]
    assert (f["total"], f["closed"], f["overdue"]) == (6, 2, 3)
    c = summary["comparisons"]["total"]
    assert (c["rounds"], c["participants"], c["institutions"], c["graded"], c["satisfactory"]) == (
        2,
        3,
        2,
        2,
        1,
    )
    g = summary["growth"]
    assert (g.categories_from, g.items_from, g.categories_to, g.items_to) == (1, 2, 2, 2)


def test_the_end_of_an_ongoing_period_is_today(app, data):
    with app.test_request_context():
        summary = campaign_summary(None, date(2010, 1, 1), date(2099, 12, 31))
    assert summary["as_of"] < date(2099, 12, 31)
    assert summary["findings"]["total"]["closed"] == 3  # the 2011 closure counts now


def test_period_checks_and_defaults(app, data):
    with app.test_request_context():
        with pytest.raises(InvalidInput) as exc:
            campaign_summary(None, date(2010, 12, 31), date(2010, 1, 1))
        assert set(exc.value.errors) == {"to"}
        assert resolve_period(None, None, None) == (
            date(2010, 1, 1),
            date(2010, 12, 31),
        )  # the latest audit's year
        assert resolve_period(date(2010, 6, 1), None, None) == (date(2010, 6, 1), date(2010, 12, 31))
        assert resolve_period(None, date(2011, 3, 1), None) == (date(2011, 1, 1), date(2011, 3, 1))
        one_day = campaign_summary(None, date(2010, 5, 10), date(2010, 5, 10))
    assert one_day["growth"] is None and one_day["audits"]["total"]["audits"] == 1


# --- the page ----------------------------------------------------------------------------------


def test_page_shows_the_figures(client, auth, data):
    auth.login("viewer")
    r = client.get("/reports/campaign", query_string=PERIOD)
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert HEADLINE[:-1] in page
    assert 'data-kind="flight_check"' in page and 'data-area="quality_control"' in page
    assert 'id="closure-rate">29%' in page and 'id="median-days">60.0' in page


def test_page_defaults_to_the_latest_campaign_year(client, auth, data):
    auth.login("viewer")
    page = client.get("/reports/campaign").get_data(as_text=True)
    assert HEADLINE[:-1] in page


def test_reports_index_links_the_campaign(client, auth, data):
    auth.login("viewer")
    assert "/reports/campaign" in client.get("/reports/").get_data(as_text=True)


def test_lab_manager_sees_only_their_lab(client, auth, data):
    auth.login("lab_manager", lab=data["a"])
    r = client.get(
        "/reports/campaign", query_string={**PERIOD, "region": "Mianyang"}
    )  # the region is ignored
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert (
        "From 2010-01-01 to 2010-12-31: 1 audit reviewed 100 documents and records, 80 instruments and "
        "200 reports; 4 findings, 50% closed after verification; 1 institution took part in 2 comparison "
        "rounds, 100% satisfactory; capability grew from 1 category and 1 test item to 2 categories and "
        "2 test items"
    ) in page
    assert "LAB-B" not in page and "LAB-C" not in page and 'name="region"' not in page


@pytest.mark.parametrize(
    "args, field, message",
    [
        ({"from": "2010-13-01", "to": "2010-12-31"}, "from", "Not a valid date value."),
        (
            {"from": "2010-12-31", "to": "2010-01-01"},
            "to",
            "The end date must not come before the start date.",
        ),
        ({**PERIOD, "region": "Atlantis"}, "region", "No laboratory in region Atlantis."),
    ],
)
def test_bad_input_gives_form_messages(client, auth, data, args, field, message):
    auth.login("viewer")
    r = client.get("/reports/campaign", query_string=args)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert message in page and "is-invalid" in page and 'id="headline"' not in page


def test_csv_export(client, auth, data):
    auth.login("quality")
    r = client.get("/reports/campaign", query_string={**PERIOD, "format": "csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["section", "group", "measure", "value"]
    figures = {(s, g, m): v for s, g, m, v in rows[1:]}
    assert figures[("audits", "flight_check", "documents_reviewed")] == "150"
    assert figures[("audits", "total", "visited_institutions")] == "2"
    assert figures[("rectification", "total", "closed")] == "2"
    assert figures[("rectification", "total", "median_days_to_close")] == "60.0"
    assert figures[("comparisons", "total", "participants")] == "5"
    assert figures[("growth", "items", "to")] == "3"


def test_xlsx_export(client, auth, data):
    auth.login("quality")
    r = client.get("/reports/campaign", query_string={**PERIOD, "region": "Chengdu", "format": "xlsx"})
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.data), read_only=True).active
    rows = [
        (list(row) + [None] * 4)[:4] for row in sheet.iter_rows(values_only=True)
    ]  # empty cells at the end
    assert rows[0] == ["section", "group", "measure", "value"]
    figures = {(s, g, m): v for s, g, m, v in rows[1:]}
    assert figures[("period", None, "region")] == "Chengdu"
    assert figures[("audits", "total", "audits")] == 2
    assert figures[("findings_by_area", "quality_control", "total")] == 3


def test_unknown_format_is_404(client, auth, data):
    auth.login("viewer")
    assert client.get("/reports/campaign", query_string={**PERIOD, "format": "pdf"}).status_code == 404


# --- the API -----------------------------------------------------------------------------------


def test_api_answers_the_summary(client, api_token, data):
    _user, headers = api_token("viewer")
    r = client.get("/api/v1/reports/campaign", query_string=PERIOD, headers=headers)
    assert r.status_code == 200, r.json
    body = r.json
    assert body["from"] == "2010-01-01" and body["headline"].startswith(HEADLINE[:-1])
    assert body["audits"]["total"]["documents_reviewed"] == 150
    assert body["findings"]["total"]["closure_rate"] == pytest.approx(2 / 7)
    assert body["comparisons"]["total"]["institutions"] == 3
    assert body["growth"]["items_added"] == ["I3"]


def test_api_lab_manager_is_narrowed(client, api_token, data):
    _user, headers = api_token("lab_manager", lab=data["c"])
    body = client.get("/api/v1/reports/campaign", query_string=PERIOD, headers=headers).json
    assert body["lab_code"] == "LAB-C"
    assert body["audits"]["total"]["audits"] == 2
    assert body["findings"]["total"]["total"] == 2
    assert body["comparisons"]["total"]["questionable"] == 1


@pytest.mark.parametrize(
    "args, field",
    [
        ({"from": "2010-02-30", "to": "2010-12-31"}, "from"),
        ({"from": "2010-01-01", "to": "soon"}, "to"),
        ({"from": "2010-12-31", "to": "2010-01-01"}, "to"),
        ({**PERIOD, "region": "Atlantis"}, "region"),
    ],
)
def test_api_bad_input_is_422_naming_the_field(client, api_token, data, args, field):
    _user, headers = api_token("viewer")
    r = client.get("/api/v1/reports/campaign", query_string=args, headers=headers)
    assert r.status_code == 422
    assert set(r.json["errors"]) == {field} and r.json["code"] == 422


def test_api_needs_a_token(client, data):
    assert client.get("/api/v1/reports/campaign", query_string=PERIOD).status_code == 401


# --- the demo ----------------------------------------------------------------------------------


def test_the_demo_gives_the_field_notes_figures_for_2010(app, client, auth):
    assert app.test_cli_runner().invoke(args=["labtrack", "demo"]).exit_code == 0
    summary = _summary(app)
    flight = next(r for r in summary["audits"]["by_kind"] if r["kind"] == "flight_check")
    assert (flight["documents_reviewed"], flight["instruments_checked"], flight["reports_sampled"]) == (
        1000,
        800,
        2000,
    )
    total = summary["audits"]["total"]
    assert (total["visited_institutions"], total["visited_prefectures"]) == (43, 21)
    assert summary["findings"]["total"]["total"] >= 150
    four = {r["group"]: r["total"] for r in summary["findings"]["by_area"]}
    assert (
        sum(four[a] for a in ("qms_documentation", "qms_operation", "personnel_training", "quality_control"))
        >= 150
    )
    assert summary["comparisons"]["total"]["rounds"] >= 1
    # The technical centre's region: its growth is part of the line.
    from sqlalchemy import select

    from labtrack.labs.models import Lab

    region = db.session.scalar(select(Lab.region).where(Lab.code == "SC-TC"))
    auth.login("viewer")
    page = client.get("/reports/campaign", query_string={**PERIOD, "region": region}).get_data(as_text=True)
    assert "capability grew from" in page and 'data-kind="flight_check"' in page
