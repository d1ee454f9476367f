"""What the planning area's fields may hold: grades, plan and sanction kinds, their labels in both
languages, and the limits the forms, the API and the services share. Pure: no Flask app, no database."""

from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l

from labtrack import parsing

SEED_MAX = 200  # a draw's seed (text)
TEAM_MAX = 10  # inspectors in one team
STRATA_MAX = 50  # strata of one plan
POOL_MAX = 500  # inspectors in one plan's pool
EXCLUDE_MONTHS_MAX = 120
RATIO_SCALE = 10_000  # ratios are kept in basis points: 2,500 = 25 %
BASIS_MAX = 1000  # a sanction's legal basis
ITEMS_MAX = 5000  # items named by one sanction
FINDINGS_MAX = 200  # findings linked to one sanction


class RiskGrade(StrEnum):
    """A lab's risk grade: A lowest, D highest."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


GRADE_LABELS = {
    RiskGrade.A: _l("A (low risk)"),
    RiskGrade.B: _l("B (moderate risk)"),
    RiskGrade.C: _l("C (elevated risk)"),
    RiskGrade.D: _l("D (high risk)"),
}
# Bootstrap colours of the grade badges.
GRADE_STYLES = {"A": "success", "B": "info", "C": "warning", "D": "danger"}


class PlanStatus(StrEnum):
    """A plan is a draft (editable) until its draw; then it is fixed."""

    DRAFT = "draft"
    DRAWN = "drawn"


PLAN_STATUS_LABELS = {PlanStatus.DRAFT: _l("Draft"), PlanStatus.DRAWN: _l("Drawn")}


class SanctionKind(StrEnum):
    """The four measures DESIGN names."""

    DEADLINE_RECTIFICATION = "deadline_rectification"
    SUSPENSION = "suspension"
    REVOCATION = "revocation"
    CANCELLATION = "cancellation"


SANCTION_KIND_LABELS = {
    SanctionKind.DEADLINE_RECTIFICATION: _l("Deadline rectification"),
    SanctionKind.SUSPENSION: _l("Suspension"),
    SanctionKind.REVOCATION: _l("Revocation"),
    SanctionKind.CANCELLATION: _l("Cancellation"),
}
# Revocation and cancellation end the whole qualification for good; the other two are lifted
# after check and acceptance of the findings behind them.
FINAL_KINDS = frozenset({SanctionKind.REVOCATION, SanctionKind.CANCELLATION})
LIFTABLE_KINDS = frozenset({SanctionKind.DEADLINE_RECTIFICATION, SanctionKind.SUSPENSION})


class SanctionEnd(StrEnum):
    """How a sanction stopped being in force."""

    LIFTED = "lifted"  # after check and acceptance of its findings
    SUPERSEDED = "superseded"  # by a revocation or cancellation of the whole qualification


SANCTION_END_LABELS = {SanctionEnd.LIFTED: _l("Lifted"), SanctionEnd.SUPERSEDED: _l("Superseded")}

REF_PREFIX = "SN"  # sanction references: SN-2010-001


def label(labels: dict, value: Any) -> str:
    """A value's label in the reader's language (the value itself when unknown)."""
    return str(labels.get(value, value or ""))


def plan_code(value: Any, *, required: bool = True) -> str | None:
    """A plan's code: a code that can stand in a URL (no '/')."""
    value = parsing.code(value, required=required)
    if value is not None and "/" in value:
        raise parsing.ParseError(_l("A plan code may not contain '/'."))
    return value


def seed(value: Any, *, required: bool = True) -> str | None:
    """A draw's seed: one line of text (any script), recorded with the draw."""
    return parsing.text(value, required=required, max_len=SEED_MAX, multiline=False)


def reason(value: Any, *, required: bool = True) -> str | None:
    """A reason or comment (a swap's, a lifting's)."""
    return parsing.text(value, required=required, max_len=parsing.COMMENT_MAX)


def basis(value: Any, *, required: bool = True) -> str | None:
    """A sanction's legal basis (the article of the regulation it applies)."""
    return parsing.text(value, required=required, max_len=BASIS_MAX)


def ratio(value: Any, *, required: bool = False) -> int | None:
    """A sampling ratio given as a fraction (0.25) or a percentage ("25%"), kept in basis points."""
    if parsing.is_blank(value):
        if required:
            raise parsing.ParseError(_l("This field is required."))
        return None
    text = str(value).strip()
    percent = text.endswith("%")
    number = parsing.number(text.rstrip("%").strip() if percent else value, minimum=0)
    fraction = number / 100 if percent else number
    if not 0 < fraction <= 1:
        raise parsing.ParseError(_l("A ratio between 0 and 1 (or 0% and 100%)."))
    points = round(fraction * RATIO_SCALE)
    if points < 1:
        raise parsing.ParseError(_l("A ratio between 0 and 1 (or 0% and 100%)."))
    return points


def ratio_text(points: int | None) -> str:
    """A ratio in basis points as a percentage for people ("25%", "12.5%")."""
    if points is None:
        return ""
    return f"{points / 100:g}%"
