"""The demo campaign on a small province: figures of the field notes, every outcome, idempotent."""

from datetime import date

from sqlalchemy import func, select

from labtrack.audits import demo_data
from labtrack.audits.models import Audit, EvidenceFile, Finding
from labtrack.auth.models import User
from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.services import act_as, commit

REGIONS = ["Chengdu", "Zigong", "Mianyang", "Leshan", "Yibin"]


def _province(make_lab, make_user, n=12):
    labs = {}
    for i in range(n):
        code = "SC-TC" if i == 0 else f"SC-L{i:02d}"
        lab = make_lab(code, region=REGIONS[i % len(REGIONS)])
        labs[code] = lab
        make_user("lab_manager", username=f"manager-{code}", lab=lab)
    make_user("inspector", username="inspector")
    make_user("quality", username="quality")
    return labs


def test_demo_reproduces_the_campaign(app, make_lab, make_user):
    labs = _province(make_lab, make_user)
    act_as(None, "demo data")
    line = demo_data.load(labs)
    commit()
    assert "findings" in line
    kinds = dict(db.session.execute(select(Audit.kind, func.count()).group_by(Audit.kind)).all())
    assert set(kinds) == {
        "flight_check",
        "self_inspection",
        "external_assessment",
        "supervision_visit",
        "undercover_visit",
        "internal_audit",
    }
    reviewed = db.session.execute(
        select(
            func.sum(Audit.documents_reviewed),
            func.sum(Audit.instruments_checked),
            func.sum(Audit.reports_sampled),
        ).where(Audit.kind == "flight_check", Audit.started_on < date(2011, 1, 1))
    ).one()
    assert tuple(reviewed) == (1000, 800, 2000)
    self_findings = db.session.scalar(
        select(func.count())
        .select_from(Finding)
        .join(Audit)
        .where(Audit.kind == "self_inspection", Audit.started_on < date(2011, 1, 1))
    )
    assert self_findings == 156
    four = db.session.scalar(
        select(func.count())
        .select_from(Finding)
        .join(Audit)
        .where(
            Audit.kind == "self_inspection",
            Audit.started_on < date(2011, 1, 1),
            Finding.area.in_(demo_data.FOUR_AREAS),
        )
    )
    assert four > 0.7 * self_findings
    statuses = dict(db.session.execute(select(Finding.status, func.count()).group_by(Finding.status)).all())
    assert {"open", "plan_submitted", "plan_accepted", "evidence_submitted", "closed", "cancelled"} <= set(
        statuses
    )
    assert statuses["cancelled"] == demo_data.CANCELLED + 1  # three in 2010, one this year
    total = sum(statuses.values())
    assert statuses["closed"] > 0.75 * total
    assert (
        db.session.scalar(select(func.count()).select_from(Finding).where(Finding.reopened_count == 1)) == 1
    )
    # Visits cover every institution given (fewer than 43 here) in every prefecture.
    visited = db.session.execute(
        select(func.count(func.distinct(Audit.lab_id))).where(Audit.kind == "undercover_visit")
    ).scalar()
    assert visited == len(labs)
    # Bilingual texts, history for every step, files for every evidence submission.
    finding = db.session.scalar(select(Finding).where(Finding.status == "closed").limit(1))
    assert "\n" in finding.description and finding.effectiveness_review
    steps = db.session.scalar(
        select(func.count())
        .select_from(HistoryEntry)
        .where(HistoryEntry.table_name == "findings", HistoryEntry.record_id == finding.id)
    )
    assert steps >= 5
    assert db.session.scalar(select(func.count()).select_from(EvidenceFile)) >= statuses["closed"]
    # Idempotent.
    assert "already" in demo_data.load(labs)


def test_demo_with_the_full_province_shape(app, make_lab, make_user):
    """47 labs in 21 prefectures: visits reach 43 institutions in 21 prefectures."""
    regions = [f"Prefecture {i:02d}" for i in range(21)]
    labs = {}
    for i in range(47):
        code = "SC-TC" if i == 0 else f"SC-{i:02d}"
        labs[code] = make_lab(code, region=regions[i % 21])
    make_user("inspector", username="inspector")
    make_user("quality", username="quality")
    act_as(None, "demo data")
    demo_data.load(labs)
    commit()
    line = demo_data.summary()
    assert "visits to 43 institutions in 21 prefectures" in line
    assert "1,000 documents" in line and "800 instruments" in line and "2,000 reports" in line
    assert db.session.scalar(select(func.count()).select_from(User)) == 2


def test_the_labs_own_audits_are_recorded_by_their_managers(app, make_lab, make_user):
    """Self-inspections and internal audits: recorded, led and raised by `manager-<code>`; the
    bureau's audits by the demo loader with the inspector as lead."""
    labs = _province(make_lab, make_user, n=6)
    act_as(None, "demo data")
    demo_data.load(labs)
    commit()
    users = {u.id: u.username for u in db.session.scalars(select(User))}
    code_of = {lab.id: code for code, lab in labs.items()}

    def recorded_by(table, record_id):
        row = db.session.scalar(
            select(HistoryEntry).where(
                HistoryEntry.table_name == table,
                HistoryEntry.record_id == record_id,
                HistoryEntry.action == "insert",
            )
        )
        return row.username

    own = db.session.scalars(select(Audit).where(Audit.kind.in_(["self_inspection", "internal_audit"]))).all()
    assert {a.kind for a in own} == {"self_inspection", "internal_audit"} and len(own) == 6 + 3 + 2
    for audit in own:
        manager = f"manager-{code_of[audit.lab_id]}"
        assert recorded_by("audits", audit.id) == manager and users[audit.lead_id] == manager
        for finding in audit.findings:
            assert recorded_by("findings", finding.id) == manager and users[finding.raised_by_id] == manager
    bureau = db.session.scalars(
        select(Audit).where(Audit.kind.not_in(["self_inspection", "internal_audit"]))
    ).all()
    assert bureau and {recorded_by("audits", a.id) for a in bureau} == {None}
    assert {users[a.lead_id] for a in bureau} == {"inspector"}
    # Their findings are still checked and accepted by the bureau: closed by the inspector or quality.
    closers = {users[f.closed_by_id] for a in own for f in a.findings if f.closed_by_id}
    assert closers and closers <= {"inspector", "quality"}
