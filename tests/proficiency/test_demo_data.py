"""The proficiency demo on labs created here: rounds of every kind, findings in rectification, idempotent."""

from sqlalchemy import func, select

from labtrack.audits.models import Finding
from labtrack.extensions import db
from labtrack.labs.models import LabKind
from labtrack.proficiency import demo_data
from labtrack.proficiency.models import Evaluation, Round, RoundFinding


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
    statuses = set(
        db.session.scalars(select(Finding.status).join(RoundFinding, RoundFinding.finding_id == Finding.id))
    )
    assert len(statuses) >= 2 and "closed" not in statuses
    raised = set(db.session.scalars(select(RoundFinding.reason)))
    assert raised == {"unsatisfactory", "second_questionable"}
    assert all(f.raised_on.year in (2010, 2011) for f in db.session.scalars(select(Finding)))
    count = db.session.scalar(select(func.count()).select_from(Round))
    assert demo_data.load(labs) == "proficiency already loaded"
    assert db.session.scalar(select(func.count()).select_from(Round)) == count
