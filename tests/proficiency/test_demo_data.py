"""The proficiency demo on labs created here: the 2010 rounds reaching every lab, their findings
closed, this year's rounds dated from today (published, open, closing soon, planned), idempotent."""

from datetime import date, timedelta

from freezegun import freeze_time
from sqlalchemy import func, select

from labtrack.audits.models import Finding
from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.labs.models import LabKind
from labtrack.proficiency import demo_data
from labtrack.proficiency.models import Evaluation, Participant, Round, RoundFinding

TODAY = date(2027, 5, 12)


@freeze_time("2027-05-12 08:00:00")
def test_demo_on_our_own_labs(app, make_lab, make_user):
    make_user("quality", username="quality")
    kinds = (
        [LabKind.TECHNICAL_CENTRE]
        + [LabKind.REGIONAL_LAB] * 4
        + [LabKind.PRODUCT_QUALITY] * 5
        + [LabKind.METROLOGY] * 4
        + [LabKind.FIBRE] * 3
        + [LabKind.SPECIAL_EQUIPMENT] * 2
        + [LabKind.ENTERPRISE] * 2
        + [LabKind.THIRD_PARTY] * 3
    )
    labs = {}
    for n, kind in enumerate(kinds):
        code = "SC-TC" if n == 0 else f"L-{n:02d}"
        labs[code] = make_lab(code, kind=kind)
    summary = demo_data.load(labs)
    assert "rounds" in summary
    rounds = {r.code: r for r in db.session.scalars(select(Round))}
    assert {r.kind for r in rounds.values()} >= {"blind_sample", "measurement_comparison", "proficiency_test"}
    assert rounds["MC-2010-01"].evaluation.score_kind == "en"
    assert rounds["CNAS-T0476"].participants[0].lab.code == "SC-TC"
    assert {r.status for r in rounds.values()} >= {"published", "open", "planned"}
    assert (
        db.session.scalar(
            select(func.count()).select_from(Evaluation).where(Evaluation.reliability == "unreliable")
        )
        >= 1
    )
    # The 2010 rounds reach every lab within the campaign year.
    in_2010 = set(
        db.session.scalars(
            select(Participant.lab_id)
            .join(Round)
            .where(Round.opens_on.between(date(2010, 1, 1), date(2010, 12, 31)))
        )
    )
    assert in_2010 == {lab.id for lab in labs.values()}
    raised = set(db.session.scalars(select(RoundFinding.reason)))
    assert raised == {"unsatisfactory", "second_questionable"}
    # The campaign's findings are all closed; this year's wait at the steps, overdue by weeks.
    by_year = {}
    for finding in db.session.scalars(
        select(Finding).join(RoundFinding, RoundFinding.finding_id == Finding.id)
    ):
        by_year.setdefault(finding.raised_on.year, []).append(finding)
    assert set(by_year) == {2010, 2011, 2027}
    assert {f.status for year in (2010, 2011) for f in by_year[year]} == {"closed"}
    present = by_year[2027]
    assert {f.status for f in present} == {"plan_accepted", "evidence_submitted"}
    assert {f.raised_on for f in present} == {TODAY - timedelta(days=59)}
    assert all(7 <= (TODAY - f.due_on).days <= 35 for f in present)  # overdue by weeks, not years
    # One round open now, one closing within days, one planned: all this year's.
    open_rounds = sorted((r.closes_on - TODAY).days for r in rounds.values() if r.status == "open")
    assert open_rounds == [3, 25]
    planned = [r for r in rounds.values() if r.status == "planned"]
    assert [r.opens_on for r in planned] == [TODAY + timedelta(days=30)]
    assert rounds["BS-2027-07"].status == "published"
    # History dated when the story says: the 2010 round's publication in 2010, not today.
    published = db.session.scalar(
        select(HistoryEntry.at)
        .where(
            HistoryEntry.table_name == "rounds",
            HistoryEntry.record_id == rounds["BS-2010-01"].id,
            HistoryEntry.changes["status"].isnot(None),
        )
        .order_by(HistoryEntry.id.desc())
    )
    assert published.date() == date(2010, 7, 9)
    count = db.session.scalar(select(func.count()).select_from(Round))
    assert demo_data.load(labs) == "proficiency already loaded"
    assert db.session.scalar(select(func.count()).select_from(Round)) == count
