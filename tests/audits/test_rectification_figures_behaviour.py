"""Rectification figures as of a day, worked by hand: what counts as active, closed or cancelled
on that day, the ageing buckets' edges (30, 60, 90 days), the closure rate without cancelled
findings, mean and median days to close (odd and even counts), the overdue list, a lab's scope,
and the work queues (due within 10 days, awaiting verification)."""

from datetime import date, timedelta

import pytest

from labtrack.audits import figures
from labtrack.audits.workflow import State
from labtrack.auth.permissions import Role
from tests import factories as f

ON = date(2010, 12, 31)


def raised(days_before: int) -> date:
    return ON - timedelta(days=days_before)


@pytest.fixture
def labs(app):
    return {
        "cd": f.LabFactory(code="CD-1", region="Chengdu"),
        "my": f.LabFactory(code="MY-1", region="Mianyang"),
    }


def finding(lab, **kw):
    kw.setdefault("raised_on", date(2010, 6, 1))
    kw.setdefault("due_on", kw["raised_on"] + timedelta(days=30))
    return f.FindingFactory(audit__lab=lab, **kw)


# --- ageing buckets ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "age, bucket",
    [
        (0, "0-30"),
        (30, "0-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, ">90"),
        (400, ">90"),
    ],
)
def test_an_active_findings_age_falls_in_one_bucket(labs, age, bucket):
    finding(labs["cd"], raised_on=raised(age))
    buckets = figures.totals(on=ON)["buckets"]
    assert buckets == {b: (1 if b == bucket else 0) for b in figures.BUCKETS}


# --- as of a day ------------------------------------------------------------------------------


@pytest.fixture
def history(labs):
    """CD-1: closed in 10 days (06-01 to 06-11), closed in 40 days (06-01 to 07-11), closed in 20
    days but only in 2011, cancelled in July, open and overdue since 07-01, raised in 2011.
    MY-1: closed in 30 days, open not yet due (due 2011-01-10)."""
    cd, my = labs["cd"], labs["my"]
    finding(cd, closed=True, closed_on=date(2010, 6, 11))
    finding(cd, closed=True, closed_on=date(2010, 7, 11))
    finding(cd, raised_on=date(2010, 12, 20), closed=True, closed_on=date(2011, 1, 9))
    finding(cd, cancelled=True, cancelled_on=date(2010, 7, 2))
    late = finding(cd, due_on=date(2010, 7, 1))
    finding(cd, raised_on=date(2011, 1, 5))
    finding(my, closed=True, closed_on=date(2010, 7, 1))
    soon = finding(my, raised_on=date(2010, 12, 11), due_on=date(2011, 1, 10))
    return {"late": late, "soon": soon}


def test_totals_as_of_a_day_worked_by_hand(history):
    """Raised by 12-31: 7 (the 2011 one not yet). Closed by then: 3 (10, 40 and 30 days); cancelled
    1; active 3 (the one closed in 2011, the late one, MY-1's open one). Closure rate 3 / (7 - 1).
    Median days to close of 10, 30, 40: 30."""
    totals = figures.totals(on=ON)
    assert {k: totals[k] for k in ("total", "active", "overdue", "closed", "cancelled")} == {
        "total": 7,
        "active": 3,
        "overdue": 1,
        "closed": 3,
        "cancelled": 1,
    }
    assert totals["closure_rate"] == pytest.approx(3 / 6)
    assert totals["median_days_to_close"] == 30.0


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two(history):
    """On 2011-01-31 the finding closed in 20 days counts too: 10, 20, 30, 40 -> (20 + 30) / 2."""
    assert figures.totals(on=date(2011, 1, 31))["median_days_to_close"] == 25.0


def test_by_region_with_mean_and_median(history):
    rows = {r["group"]: r for r in figures.rectification_figures("region", on=ON)}
    chengdu, mianyang = rows["Chengdu"], rows["Mianyang"]
    assert (chengdu["total"], chengdu["closed"], chengdu["active"], chengdu["cancelled"]) == (5, 2, 2, 1)
    assert chengdu["mean_days_to_close"] == 25.0 and chengdu["median_days_to_close"] == 25.0
    assert chengdu["closure_rate"] == pytest.approx(2 / 4)
    assert (mianyang["total"], mianyang["closed"], mianyang["median_days_to_close"]) == (2, 1, 30.0)


def test_a_finding_cancelled_after_the_day_was_still_active_then(history):
    before = figures.totals(on=date(2010, 7, 1))
    after = figures.totals(on=date(2010, 7, 2))
    assert before["cancelled"] == 0 and after["cancelled"] == 1
    assert before["active"] == after["active"] + 1


def test_nothing_raised_yet_gives_no_rates(labs):
    totals = figures.totals(on=ON)
    assert (totals["total"], totals["closure_rate"], totals["median_days_to_close"]) == (0, None, None)


def test_a_lab_scope_counts_that_labs_findings_only(history, labs):
    own = figures.totals(on=ON, lab_scope=labs["my"].id)
    assert (own["total"], own["active"], own["closed"], own["median_days_to_close"]) == (2, 1, 1, 30.0)


def test_filters_narrow_by_a_dimension(history):
    by_lab = figures.totals(on=ON, filters={"lab": "MY-1"})
    assert by_lab["total"] == 2
    assert figures.totals(on=ON, filters={"severity": "minor"})["total"] == 0


# --- the overdue list and the queues ----------------------------------------------------------


def test_the_overdue_list_gives_the_days_overdue(history):
    rows = figures.overdue_list(on=ON)
    assert [(row[0].id, row[1]) for row in rows] == [(history["late"].id, 183)]  # 07-01 to 12-31
    assert figures.overdue_list(on=date(2010, 7, 1)) == []  # due that day: not overdue yet


def test_a_lab_managers_queue_due_soon_and_overdue(history, labs):
    queue = figures.lab_manager_queue(labs["my"].id, on=ON)
    assert [x.id for x in queue["open"]] == [history["soon"].id]
    assert [x.id for x in queue["due_soon"]] == [history["soon"].id]  # due in 10 days
    assert figures.lab_manager_queue(labs["my"].id, on=date(2010, 12, 30))["due_soon"] == []  # in 11 days
    assert figures.lab_manager_counts(labs["cd"].id, on=ON)["overdue"] == 1


def test_the_verification_queue_puts_the_users_own_audits_first(labs):
    lead = f.UserFactory(role=Role.INSPECTOR)
    mine = f.FindingFactory(audit__lab=labs["cd"], audit__lead=lead, plan_submitted=True)
    theirs = f.FindingFactory(audit__lab=labs["my"], evidence_submitted=True)
    f.FindingFactory(audit__lab=labs["my"], status=State.OPEN)
    queue = figures.verification_queue(lead.id)
    assert [x.id for x in queue["mine"]] == [mine.id]
    assert [x.id for x in queue["others"]] == [theirs.id]
    assert figures.verification_counts(lead.id) == {"mine": 1, "others": 1, "total": 2}
