"""Risk reports from stored gradings, counted by hand: the distribution on a day (each lab's
latest grading as of that day), the movement between two days with its A-D x A-D table, the
risk-warning list (D, or worsened to C), the current list's filters, a lab manager's narrowing,
and the pure pieces (points for time since inspection, month arithmetic)."""

from datetime import date

import pytest

from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.labs.models import LabKind
from labtrack.planning import reports, risk
from labtrack.planning.grading import months_before, months_between
from labtrack.services import InvalidInput
from tests import factories as f
from tests.planning import factories as pf

JUNE, DEC = date(2010, 6, 30), date(2010, 12, 31)


def grading(lab, grade, as_of, score=None, current=False):
    points = {"A": 1, "B": 4, "C": 9, "D": 16}[grade] if score is None else score
    return pf.RiskGradingFactory(lab=lab, grade=grade, score=points, as_of=as_of, current=current)


@pytest.fixture
def graded(app):
    """Chengdu: CD-1 (metrology) B in June, D in December; CD-2 (product quality) A then C;
    CD-3 (metrology) C then C. Mianyang: MY-1 (metrology) graded only in December, C; MY-2
    (regional) D then B."""
    labs = {
        "CD-1": f.LabFactory(code="CD-1", region="Chengdu", kind=LabKind.METROLOGY),
        "CD-2": f.LabFactory(code="CD-2", region="Chengdu", kind=LabKind.PRODUCT_QUALITY),
        "CD-3": f.LabFactory(code="CD-3", region="Chengdu", kind=LabKind.METROLOGY),
        "MY-1": f.LabFactory(code="MY-1", region="Mianyang", kind=LabKind.METROLOGY),
        "MY-2": f.LabFactory(code="MY-2", region="Mianyang", kind=LabKind.REGIONAL_LAB),
    }
    for code, before, after in (
        ("CD-1", "B", "D"),
        ("CD-2", "A", "C"),
        ("CD-3", "C", "C"),
        ("MY-2", "D", "B"),
    ):
        grading(labs[code], before, JUNE)
        grading(labs[code], after, DEC, current=True)
    grading(labs["MY-1"], "C", DEC, current=True)
    return labs


@pytest.fixture
def quality(app):
    return f.UserFactory(role=Role.QUALITY)


# --- distribution -----------------------------------------------------------------------------


def test_the_distribution_on_a_day_counts_each_labs_latest_grading_then(graded, quality):
    june = reports.distribution(quality, on=JUNE)
    assert june["total"] == {"A": 1, "B": 1, "C": 1, "D": 1} and june["labs"] == 4  # MY-1 not graded yet
    assert [(g["group"], g["grades"], g["labs"]) for g in june["groups"]] == [
        ("Chengdu", {"A": 1, "B": 1, "C": 1, "D": 0}, 3),
        ("Mianyang", {"A": 0, "B": 0, "C": 0, "D": 1}, 1),
    ]
    december = reports.distribution(quality, on=DEC)
    assert december["total"] == {"A": 0, "B": 1, "C": 3, "D": 1} and december["labs"] == 5
    # The day before December's gradings, June's still count.
    assert reports.distribution(quality, on=date(2010, 12, 30))["total"] == june["total"]


def test_the_distribution_by_kind_names_kinds_in_the_readers_language(app, graded, quality):
    by_kind = reports.distribution(quality, on=DEC, by="kind")
    counts = {g["group"]: g["grades"] for g in by_kind["groups"]}
    assert counts["metrology_institute"] == {"A": 0, "B": 0, "C": 2, "D": 1}
    assert counts["regional_lab"] == {"A": 0, "B": 1, "C": 0, "D": 0}
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert reports.group_label("kind", "metrology_institute") != "metrology_institute"
    assert reports.group_label("region", None) == ""


def test_nothing_graded_before_the_first_grading(graded, quality):
    empty = reports.distribution(quality, on=date(2010, 1, 1))
    assert (empty["groups"], empty["labs"], empty["total"]) == ([], 0, {"A": 0, "B": 0, "C": 0, "D": 0})


@pytest.mark.parametrize("by", ["lab", "grade", "REGION"])
def test_an_unknown_grouping_is_refused_naming_by(graded, quality, by):
    with pytest.raises(InvalidInput) as refused:
        reports.distribution(quality, on=DEC, by=by)
    assert set(refused.value.errors) == {"by"}


# --- movement ---------------------------------------------------------------------------------


def test_movement_between_two_days_worked_by_hand(graded, quality):
    """Chengdu: CD-1 B->D and CD-2 A->C worsened, CD-3 C->C unchanged. Mianyang: MY-2 D->B
    improved, MY-1 newly graded."""
    moved = reports.movement(quality, JUNE, DEC)
    assert [
        (g["group"], g["worsened"], g["improved"], g["unchanged"], g["new"]) for g in moved["groups"]
    ] == [
        ("Chengdu", 2, 0, 1, 0),
        ("Mianyang", 0, 1, 0, 1),
    ]
    assert moved["total"] == {"worsened": 2, "improved": 1, "unchanged": 1, "new": 1}
    matrix = moved["matrix"]
    assert (matrix["B"]["D"], matrix["A"]["C"], matrix["C"]["C"], matrix["D"]["B"]) == (1, 1, 1, 1)
    assert sum(sum(row.values()) for row in matrix.values()) == 4  # MY-1 had no grade before


def test_movement_needs_the_end_after_the_start(graded, quality):
    with pytest.raises(InvalidInput) as refused:
        reports.movement(quality, DEC, DEC)
    assert refused.value.errors == {"to": ["The end date must come after the start date."]}
    with pytest.raises(InvalidInput):
        reports.movement(quality, JUNE, DEC, by="colour")


# --- warnings and the current list ------------------------------------------------------------


def test_the_warning_list_has_d_and_labs_worsened_to_c_highest_points_first(graded, quality):
    listed = reports.warnings(quality)
    assert [(w["lab"].code, w["grading"].grade, w["previous"]) for w in listed] == [
        ("CD-1", "D", "B"),
        ("CD-2", "C", "A"),
        ("MY-1", "C", None),
    ]
    # CD-3 stayed C and MY-2 improved to B: no warning.
    assert all(w["explanation"] for w in listed)


def test_a_lab_that_improved_from_d_to_c_is_not_warned(app, quality):
    lab = f.LabFactory(code="UP-1")
    grading(lab, "D", JUNE)
    grading(lab, "C", DEC, current=True)
    assert reports.warnings(quality) == []


def test_the_current_list_filters_and_orders_by_points(graded, quality):
    def codes(**kw):
        return [g.lab.code for g in db.session.scalars(reports.current_list(quality, **kw))]

    assert codes() == ["CD-1", "CD-2", "CD-3", "MY-1", "MY-2"]  # D 16, then the Cs (9) by code, then B
    assert codes(grade="C") == ["CD-2", "CD-3", "MY-1"]
    assert codes(region="Mianyang") == ["MY-1", "MY-2"]
    assert codes(kind="metrology_institute", grade="C") == ["CD-3", "MY-1"]


def test_a_lab_manager_sees_their_own_lab_in_every_report(graded):
    manager = f.UserFactory(role=Role.LAB_MANAGER, lab=graded["CD-2"])
    distribution = reports.distribution(manager, on=DEC)
    assert distribution["labs"] == 1 and distribution["total"]["C"] == 1
    moved = reports.movement(manager, JUNE, DEC)
    assert moved["total"] == {"worsened": 1, "improved": 0, "unchanged": 0, "new": 0}
    assert moved["matrix"]["A"]["C"] == 1 and moved["matrix"]["B"]["D"] == 0
    assert [w["lab"].code for w in reports.warnings(manager)] == ["CD-2"]
    assert [g.lab.code for g in db.session.scalars(reports.current_list(manager))] == ["CD-2"]


# --- the pure pieces --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "months, points",
    [(None, 3), (0, 0), (12, 0), (13, 1), (24, 1), (25, 2), (36, 2), (37, 3), (120, 3)],
)
def test_points_for_the_time_since_the_last_inspection(months, points):
    assert risk.inspection_points(months) == points


def test_a_score_adds_each_inputs_weight():
    """2 unsatisfactory (8) + 1 major finding (3) + 1 complaint substantiated (1 + 2) + 14 months
    since the last inspection (1) = 15 points: grade D."""
    scored = risk.score(
        {
            "unsatisfactory_results": 2,
            "major_findings": 1,
            "complaints": 1,
            "substantiated_complaints": 1,
            "months_since_inspection": 14,
        }
    )
    assert (scored.score, scored.grade) == (15, "D")
    assert scored.points["unsatisfactory_results"] == 8 and scored.points["months_since_inspection"] == 1
    assert risk.score({"months_since_inspection": 0}) == risk.Scored(
        "A", 0, {**dict.fromkeys(risk.WEIGHTS, 0), "months_since_inspection": 0}
    )


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (date(2010, 3, 31), 1, date(2010, 2, 28)),  # February has no 31st
        (date(2012, 3, 31), 1, date(2012, 2, 29)),  # nor a leap year's
        (date(2010, 12, 31), 24, date(2008, 12, 31)),
        (date(2010, 1, 15), 1, date(2009, 12, 15)),
        (date(2010, 5, 31), 3, date(2010, 2, 28)),
        (date(2010, 7, 31), 1, date(2010, 6, 30)),
    ],
)
def test_months_before_keeps_the_day_or_the_months_last(day, months, expected):
    assert months_before(day, months) == expected


@pytest.mark.parametrize(
    "earlier, later, months",
    [
        (date(2010, 1, 15), date(2010, 2, 15), 1),
        (date(2010, 1, 15), date(2010, 2, 14), 0),
        (date(2008, 12, 31), date(2010, 12, 31), 24),
        (date(2009, 6, 1), date(2010, 5, 31), 11),
    ],
)
def test_months_between_counts_whole_months(earlier, later, months):
    assert months_between(earlier, later) == months
