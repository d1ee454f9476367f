"""The risk grade as a pure function of a lab's counts: the documented weights, the points, the
grade and the sentence that explains it. No database (the inputs are gathered in `grading.py`).

Points (weights version RISK_VERSION; the README and the risk page print this table):

| input (window: the 24 months up to the day of grading) | points |
| --- | --- |
| unsatisfactory comparison / PT result (published rounds) | 4 each |
| questionable result | 1 each |
| major finding raised (not cancelled) | 3 each |
| finding overdue on the day | 2 each |
| sanction in force on the day | 8 each |
| sanction in the window, no longer in force | 3 each |
| certificate expired and not renewed (per scheme) | 5 each |
| complaint received | 1 each |
| complaint substantiated (in addition) | 2 each |
| time since the last inspection | 0 up to 12 months, 1 up to 24, 2 up to 36, 3 beyond or never |

Grade: A 0-2 points, B 3-7, C 8-14, D 15 or more.
"""

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

RISK_VERSION = "2026.1"
WINDOW_MONTHS = 24

# input name -> points per count
WEIGHTS: dict[str, int] = {
    "unsatisfactory_results": 4,
    "questionable_results": 1,
    "major_findings": 3,
    "overdue_findings": 2,
    "sanctions_in_force": 8,
    "past_sanctions": 3,
    "expired_certificates": 5,
    "complaints": 1,
    "substantiated_complaints": 2,
}
COUNTED = tuple(WEIGHTS)
# (more than this many months since the last inspection, points); never inspected: the last.
INSPECTION_STEPS: tuple[tuple[int, int], ...] = ((36, 3), (24, 2), (12, 1))
NEVER_INSPECTED_POINTS = 3
# (lowest points of the grade, grade), highest first.
THRESHOLDS: tuple[tuple[int, str], ...] = ((15, "D"), (8, "C"), (3, "B"), (0, "A"))

INPUT_LABELS = {
    "unsatisfactory_results": _l("Unsatisfactory comparison results (24 months)"),
    "questionable_results": _l("Questionable comparison results (24 months)"),
    "major_findings": _l("Major findings raised (24 months)"),
    "overdue_findings": _l("Overdue findings"),
    "sanctions_in_force": _l("Sanctions in force"),
    "past_sanctions": _l("Earlier sanctions (24 months)"),
    "expired_certificates": _l("Expired certificates not renewed"),
    "complaints": _l("Complaints received (24 months)"),
    "substantiated_complaints": _l("Complaints substantiated (24 months)"),
    "months_since_inspection": _l("Months since the last inspection"),
}


@dataclass(frozen=True)
class Scored:
    """A grade with its points and the points each input gave."""

    grade: str
    score: int
    points: dict[str, int]


def inspection_points(months: int | None) -> int:
    """Points for the time since the last inspection (None: never inspected)."""
    if months is None:
        return NEVER_INSPECTED_POINTS
    for over, points in INSPECTION_STEPS:
        if months > over:
            return points
    return 0


def grade_of(score: int) -> str:
    """The grade a number of points gives."""
    for lowest, grade in THRESHOLDS:
        if score >= lowest:
            return grade
    return "A"


def score(counts: dict[str, Any]) -> Scored:
    """Points per input, their sum and the grade, from a lab's counts (missing counts are 0)."""
    points = {name: int(counts.get(name) or 0) * weight for name, weight in WEIGHTS.items()}
    points["months_since_inspection"] = inspection_points(counts.get("months_since_inspection"))
    total = sum(points.values())
    return Scored(grade_of(total), total, points)


def _part(name: str, n: int) -> str:
    texts = {
        "unsatisfactory_results": lambda: ngettext(
            "%(num)d unsatisfactory result in 24 months", "%(num)d unsatisfactory results in 24 months", n
        ),
        "questionable_results": lambda: ngettext(
            "%(num)d questionable result in 24 months", "%(num)d questionable results in 24 months", n
        ),
        "major_findings": lambda: ngettext(
            "%(num)d major finding in 24 months", "%(num)d major findings in 24 months", n
        ),
        "overdue_findings": lambda: ngettext("%(num)d overdue finding", "%(num)d overdue findings", n),
        "sanctions_in_force": lambda: ngettext("%(num)d sanction in force", "%(num)d sanctions in force", n),
        "past_sanctions": lambda: ngettext(
            "%(num)d earlier sanction in 24 months", "%(num)d earlier sanctions in 24 months", n
        ),
        "expired_certificates": lambda: ngettext(
            "%(num)d expired certificate", "%(num)d expired certificates", n
        ),
        "complaints": lambda: ngettext(
            "%(num)d complaint in 24 months", "%(num)d complaints in 24 months", n
        ),
        "substantiated_complaints": lambda: ngettext(
            "%(num)d complaint substantiated", "%(num)d complaints substantiated", n
        ),
    }
    return texts[name]()


def reasons(inputs: dict[str, Any]) -> list[tuple[str, int]]:
    """What raised the grade, in the reader's language, with the points of each, largest first."""
    points = inputs.get("points") or score(inputs).points
    found: list[tuple[str, int]] = []
    for name in COUNTED:
        n = int(inputs.get(name) or 0)
        if n:
            found.append((_part(name, n), int(points.get(name, 0))))
    months = inputs.get("months_since_inspection")
    extra = int(points.get("months_since_inspection", 0))
    if extra:
        text = (
            _("never inspected")
            if months is None
            else ngettext(
                "last inspected %(num)d month ago", "last inspected %(num)d months ago", int(months)
            )
        )
        found.append((text, extra))
    found.sort(key=lambda pair: -pair[1])
    return found


def explain(grade: str, score_value: int, inputs: dict[str, Any]) -> str:
    """ "C (14 points): 2 unsatisfactory results in 24 months; 3 overdue findings" in the reader's
    language; "A (0 points): nothing against it" when nothing counted."""
    parts = [text for text, _points in reasons(inputs)]
    head = ngettext("%(grade)s (%(num)d point)", "%(grade)s (%(num)d points)", score_value, grade=grade)
    if not parts:
        return _("%(head)s: nothing against it", head=head)
    return _("%(head)s: %(reasons)s", head=head, reasons=_("; ").join(parts))


def weights_table() -> list[tuple[str, str]]:
    """The weights as (input, points) rows for the page and the README, in the reader's language."""
    rows = [(str(INPUT_LABELS[name]), _("%(n)d each", n=weight)) for name, weight in WEIGHTS.items()]
    rows.append(
        (
            str(INPUT_LABELS["months_since_inspection"]),
            _("0 up to 12, 1 up to 24, 2 up to 36, 3 beyond or never inspected"),
        )
    )
    return rows


def thresholds_text() -> str:
    """The grade thresholds in the reader's language."""
    return _("A: 0-2 points; B: 3-7; C: 8-14; D: 15 or more.")
