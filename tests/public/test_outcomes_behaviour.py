"""A published draw's outcomes as the public reads them: each drawn lab in rank order with its
inspection's state, findings counted by severity (cancelled ones left out, closed ones counted)
once the inspection is completed, never a finding's text; nothing before the draw is published."""

from datetime import date

import pytest

from labtrack.audits.models import AuditStatus
from labtrack.extensions import db
from labtrack.planning.models import PlanStatus
from labtrack.public import directory
from tests import factories as f
from tests.planning import factories as pf


@pytest.fixture
def drawn(app):
    """Plan FC-2010 published, drawn: rank 1 CD-1 (audit completed: 2 major (1 closed), 1 minor,
    1 cancelled), rank 2 MY-1 (audit planned)."""
    plan = pf.PlanFactory(code="FC-2010", status=PlanStatus.DRAWN, published_on=date(2010, 4, 1))
    draw = pf.DrawFactory(plan=plan)
    cd1 = f.LabFactory(code="CD-1", region="Chengdu", name="成都实验室", name_en="Chengdu Lab")
    my1 = f.LabFactory(code="MY-1", region="Mianyang", name="绵阳实验室", name_en="Mianyang Lab")
    done = pf.DrawnLabFactory(
        draw=draw, lab=cd1, rank=1, audit__status=AuditStatus.COMPLETED, audit__started_on=date(2010, 5, 10)
    )
    planned = pf.DrawnLabFactory(
        draw=draw, lab=my1, rank=2, audit__status=AuditStatus.PLANNED, audit__started_on=date(2010, 9, 1)
    )
    f.FindingFactory(audit=done.audit, description="SECRET-1")
    f.FindingFactory(audit=done.audit, closed=True, description="SECRET-2")
    f.FindingFactory(audit=done.audit, severity="minor", description="SECRET-3")
    f.FindingFactory(audit=done.audit, cancelled=True, description="SECRET-4")
    f.FindingFactory(audit=planned.audit, description="SECRET-5")
    return plan


def test_nothing_is_shown_before_the_draw_is_published(drawn):
    assert directory.outcomes(drawn) == []


def test_the_outcomes_once_the_draw_is_published(drawn):
    drawn.draw_published_on = date(2010, 5, 1)
    db.session.commit()
    rows = directory.outcomes(drawn)
    assert [(r["rank"], r["lab_code"], r["status"], r["inspected_on"]) for r in rows] == [
        (1, "CD-1", "completed", date(2010, 5, 10)),
        (2, "MY-1", "planned", None),
    ]
    assert rows[0]["findings"] == {"major": 2, "minor": 1, "observation": 0, "closed": 1, "total": 3}
    assert rows[1]["findings"] is None  # not inspected yet: no counts
    assert "SECRET" not in repr(rows)


def test_the_plan_page_shows_counts_never_texts(client, drawn):
    drawn.draw_published_on = date(2010, 5, 1)
    db.session.commit()
    page = client.get("/public/plans/FC-2010?lang=en").get_data(as_text=True)
    assert "成都实验室" in page and "绵阳实验室" in page and "SECRET" not in page
    assert "3 findings (major 2, minor 1, observations 0); 1 rectified and accepted" in page


def test_only_published_plans_are_listed(client, drawn):
    pf.PlanFactory(code="DRAFT-1")
    assert [p.code for p in directory.published_plans()] == ["FC-2010"]
    assert directory.published_plan("DRAFT-1") is None
    assert directory.published_plan("FC-2010").code == "FC-2010"
    assert directory.published_plan("FC-2010\nx") is None
