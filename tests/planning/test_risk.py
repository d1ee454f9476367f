"""Risk grades: the documented weights and thresholds, every input read from the lab's data (numbers
worked out by hand), gradings stored with their inputs and explained in both languages, one lab on
demand, everyone as a job and by the daily schedule, the distribution, movement and warnings."""

from datetime import date, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.labs.models import Scheme
from labtrack.planning import grading, reports, risk
from labtrack.planning.models import RiskGrading
from labtrack.proficiency.models import RoundStatus
from tests import factories as f
from tests.planning import factories as pf

# --- the weights (pure) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "counts, points",
    [
        ({}, 3),  # never inspected
        ({"months_since_inspection": 12}, 0),
        ({"months_since_inspection": 13}, 1),
        ({"months_since_inspection": 24}, 1),
        ({"months_since_inspection": 25}, 2),
        ({"months_since_inspection": 36}, 2),
        ({"months_since_inspection": 37}, 3),
        ({"months_since_inspection": 0, "unsatisfactory_results": 2}, 8),
        ({"months_since_inspection": 0, "questionable_results": 3}, 3),
        ({"months_since_inspection": 0, "major_findings": 1}, 3),
        ({"months_since_inspection": 0, "overdue_findings": 3}, 6),
        ({"months_since_inspection": 0, "sanctions_in_force": 1}, 8),
        ({"months_since_inspection": 0, "past_sanctions": 1}, 3),
        ({"months_since_inspection": 0, "expired_certificates": 1}, 5),
        ({"months_since_inspection": 0, "complaints": 2, "substantiated_complaints": 1}, 4),
    ],
)
def test_points_per_input(counts, points):
    assert risk.score(counts).score == points


@pytest.mark.parametrize(
    "score, grade", [(0, "A"), (2, "A"), (3, "B"), (7, "B"), (8, "C"), (14, "C"), (15, "D"), (99, "D")]
)
def test_grade_thresholds(score, grade):
    assert risk.grade_of(score) == grade


def test_the_issue_example_explained_in_both_languages(app):
    counts = {"unsatisfactory_results": 2, "overdue_findings": 3, "months_since_inspection": 5}
    scored = risk.score(counts)
    assert (scored.grade, scored.score) == ("C", 14)
    inputs = {**counts, "points": scored.points}
    with app.test_request_context():
        with force_locale("en"):
            assert risk.explain("C", 14, inputs) == (
                "C (14 points): 2 unsatisfactory results in 24 months; 3 overdue findings"
            )
        with force_locale("zh_Hans_CN"):
            chinese = risk.explain("C", 14, inputs)
    assert chinese.startswith("C（14分）") and "2项不满意结果" in chinese and "3项逾期问题" in chinese
    with app.test_request_context():
        assert (
            risk.explain("A", 0, {"months_since_inspection": 2, "points": {}})
            == "A (0 points): nothing against it"
        )


# --- the inputs, from the data -----------------------------------------------------------------


def _round(status, closes_on, grade, lab, published_at=None):
    rnd = f.RoundFactory(status=status, closes_on=closes_on, opens_on=closes_on, published_at=published_at)
    f.ResultFactory(participant__round=rnd, participant__lab=lab, grade=grade, score=3.5)
    return rnd


def test_every_input_is_read_from_the_data(world):
    lab = world.labs["CD-1"]
    on = date(2010, 10, 1)
    # Comparison results: only published rounds of the 24 months count.
    _round(RoundStatus.PUBLISHED, date(2010, 3, 1), "unsatisfactory", lab, datetime(2010, 3, 20))
    _round(RoundStatus.PUBLISHED, date(2009, 11, 1), "unsatisfactory", lab, datetime(2009, 11, 20))
    _round(RoundStatus.PUBLISHED, date(2008, 9, 1), "unsatisfactory", lab, datetime(2008, 9, 20))  # too old
    _round(RoundStatus.EVALUATED, date(2010, 6, 1), "unsatisfactory", lab)  # not published
    _round(RoundStatus.PUBLISHED, date(2010, 6, 1), "questionable", lab, datetime(2010, 6, 20))
    # Findings: a major one raised in the window (open, due 2010-06-09: overdue), a minor one
    # (overdue too), a cancelled major one, an old major one (closed).
    audit = f.AuditFactory(lab=lab, started_on=date(2010, 5, 10))
    f.FindingFactory(audit=audit)
    f.FindingFactory(audit=audit, severity="minor")
    f.FindingFactory(audit=audit, cancelled=True)
    f.FindingFactory(
        audit=f.AuditFactory(lab=lab, started_on=date(2008, 3, 1)), raised_on=date(2008, 3, 2), closed=True
    )
    # A CNAS certificate expired and not renewed; the CMA one is valid.
    f.QualificationFactory(
        lab=lab, scheme=Scheme.CNAS, issued_on=date(2004, 1, 1), expires_on=date(2010, 1, 1)
    )
    counts = grading.gather(on, [lab.id])[lab.id]
    assert counts == {
        "unsatisfactory_results": 2,
        "questionable_results": 1,
        "major_findings": 1,
        "overdue_findings": 2,
        "sanctions_in_force": 0,
        "past_sanctions": 0,
        "expired_certificates": 1,
        "complaints": 0,
        "substantiated_complaints": 0,
        "last_inspected_on": "2010-05-10",
        "months_since_inspection": 4,
    }
    # 2 x 4 + 1 + 3 + 2 x 2 + 5 + 0 = 21: D.
    assert risk.score(counts).score == 21 and risk.score(counts).grade == "D"


def test_gradings_are_stored_once_per_change_with_their_inputs(world):
    quality = world.users["quality"]
    first = grading.grade_one(quality, world.labs["CD-2"])
    assert (first.grade, first.score, first.inputs["months_since_inspection"]) == ("B", 3, None)
    assert first.inputs["points"]["months_since_inspection"] == 3 and first.computed_by_id == quality.id
    again = grading.grade_one(quality, world.labs["CD-2"])
    assert again.id == first.id  # nothing changed: confirmed, not duplicated
    f.FindingFactory(audit=f.AuditFactory(lab=world.labs["CD-2"], started_on=date(2010, 5, 10)))
    changed = grading.grade_one(quality, world.labs["CD-2"])
    assert changed.id != first.id and (changed.grade, changed.score) == ("B", 5)  # major 3 + overdue 2
    rows = db.session.scalars(select(RiskGrading).where(RiskGrading.lab_id == world.labs["CD-2"].id)).all()
    assert [(r.score, r.current) for r in sorted(rows, key=lambda r: r.id)] == [(3, False), (5, True)]


def test_grading_everyone_as_a_job_and_by_the_daily_schedule(world, app, client, auth, tmp_path):
    from labtrack.jobs import schedule
    from labtrack.jobs.models import Job, JobStatus
    from labtrack.jobs.runner import run_daily

    app.config.update(JOBS_IMMEDIATE=True, JOBS_QUEUE_FILE=str(tmp_path / "q.db"))
    auth.login(world.users["quality"])
    response = client.post("/planning/risk/grade")
    assert response.status_code == 303 and "/jobs/" in response.headers["Location"]
    job = db.session.scalar(select(Job).where(Job.kind == "risk_grading"))
    assert job.status == JobStatus.DONE and job.result["graded"] == 6
    assert (
        db.session.scalar(select(func.count()).select_from(RiskGrading).where(RiskGrading.current.is_(True)))
        == 6
    )
    assert "risk-grades" in schedule.daily_tasks()
    outcomes = run_daily(app, date(2010, 10, 2))
    ours = next(o for o in outcomes if o["name"] == "risk-grades")
    assert ours["status"] == "done" and ours["result"]["graded"] == 6


def test_only_planning_managers_grade(world, client, auth):
    auth.login(world.users["viewer"])
    assert client.post("/planning/risk/grade").status_code == 403
    assert client.post("/planning/labs/CD-1/grade").status_code == 403
    _user, headers = f.bearer(world.users["i-x"])
    assert client.post("/api/v1/labs/CD-1/risk", headers=headers).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(RiskGrading)) == 0


def test_the_lab_page_explains_the_grade_and_the_api_answers_its_inputs(world, client, auth):
    f.FindingFactory(audit=f.AuditFactory(lab=world.labs["CD-1"], started_on=date(2010, 5, 10)))
    grading.grade_one(world.users["quality"], world.labs["CD-1"])
    auth.login(world.users["manager"])
    page = client.get("/planning/labs/CD-1").get_data(as_text=True)
    assert "B (5 points): 1 major finding in 24 months; 1 overdue finding" in page
    assert "Unsatisfactory comparison results (24 months)" in page  # the weights, on the page
    client.post("/language/zh_Hans_CN")
    chinese = client.get("/planning/labs/CD-1").get_data(as_text=True)
    assert "B（5分）" in chinese
    _user, headers = f.bearer(world.users["manager"])
    data = client.get("/api/v1/labs/CD-1/risk", headers=headers).json
    assert (data["grade"], data["score"], data["inputs"]["major_findings"]) == ("B", 5, 1)
    assert data["computed_at"].endswith("Z") and data["explanation"]
    assert client.get("/api/v1/labs/MY-1/risk", headers=headers).status_code == 404  # another lab
    assert (
        client.get("/api/v1/labs/CD-2/risk", headers=f.bearer(world.users["viewer"])[1]).status_code == 404
    )  # not graded


def test_distribution_movement_and_warnings(world, client, auth):
    quality = world.users["quality"]
    grading.grade(quality, date(2010, 1, 1))  # everyone B (never inspected)
    db.session.commit()
    # By October: MY-1 has two unsatisfactory results and overdue findings (D); CD-3 was
    # inspected (A); CD-1 worsened to C.
    my1, cd3, cd1 = world.labs["MY-1"], world.labs["CD-3"], world.labs["CD-1"]
    for day in (date(2010, 3, 1), date(2010, 4, 1)):
        _round(RoundStatus.PUBLISHED, day, "unsatisfactory", my1, datetime.combine(day, datetime.min.time()))
    f.FindingFactory(audit=f.AuditFactory(lab=my1, started_on=date(2010, 5, 10)))
    f.FindingFactory(audit=f.AuditFactory(lab=my1, started_on=date(2010, 5, 11)))
    f.AuditFactory(lab=cd3, started_on=date(2010, 8, 1))
    f.FindingFactory(audit=f.AuditFactory(lab=cd1, started_on=date(2010, 5, 10)), severity="minor")
    pf.SanctionFactory(lab=cd1, starts_on=date(2010, 9, 1), ends_on=date(2010, 12, 1))
    grading.grade(quality, date(2010, 10, 1))
    db.session.commit()
    now = reports.distribution(quality, date(2010, 10, 1))
    # A: CD-3 (inspected in August); B: CD-2, MY-2, MY-3 (never inspected, 3 points);
    # C: CD-1 (overdue 2 + sanction in force 8 = 10); D: MY-1 (8 + majors 6 + overdue 4 = 18).
    assert now["total"] == {"A": 1, "B": 3, "C": 1, "D": 1}
    moved = reports.movement(quality, date(2010, 1, 1), date(2010, 10, 1), "region")
    chengdu = next(g for g in moved["groups"] if g["group"] == "Chengdu")
    assert (chengdu["worsened"], chengdu["improved"], chengdu["unchanged"]) == (1, 1, 1)
    assert moved["matrix"]["B"]["D"] == 1 and moved["matrix"]["B"]["C"] == 1
    warned = [w["lab"].code for w in reports.warnings(quality)]
    assert warned == ["MY-1", "CD-1"]
    auth.login(world.users["viewer"])
    page = client.get("/planning/risk/report?from=2010-01-01&to=2010-10-01&by=kind").get_data(as_text=True)
    assert 'id="movement-matrix"' in page and "Metrology institute" in page
    assert "MY-1" in client.get("/planning/risk/warnings").get_data(as_text=True)


def test_months_before_and_between():
    assert grading.months_before(date(2010, 3, 31), 1) == date(2010, 2, 28)
    assert grading.months_before(date(2012, 2, 29), 24) == date(2010, 2, 28)
    assert grading.months_between(date(2010, 5, 10), date(2010, 10, 1)) == 4
    assert grading.months_between(date(2010, 5, 10), date(2010, 10, 10)) == 5


def test_complaints_count_through_the_records_area(world):
    """Complaints come from the records area's complaint_counts(lab_id, since): received in the
    window 1 point each, substantiated 2 more (an old one does not count)."""
    records = pytest.importorskip("tests.records.factories")
    lab = world.labs["MY-2"]
    records.ComplaintFactory(lab=lab, investigated=True)  # received 2010-05-04, substantiated
    records.ComplaintFactory(lab=lab, answered=True)  # received 2010-05-04, unsubstantiated
    records.ComplaintFactory(lab=lab, received_on=date(2008, 5, 4))  # before the window
    counts = grading.gather(date(2010, 10, 1), [lab.id])[lab.id]
    assert (counts["complaints"], counts["substantiated_complaints"]) == (2, 1)
    assert risk.score(counts).score == 3 + 2 + 2  # never inspected 3, two complaints, one substantiated
