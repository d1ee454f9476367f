"""Risk reports: the grade distribution by region or lab kind on a day, the movement between two
days, and the risk-warning list (风险预警). Aggregated in SQL from the stored gradings."""

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import contains_eager

from labtrack.extensions import db
from labtrack.labs.models import LAB_KIND_LABELS, Lab
from labtrack.models_base import today
from labtrack.planning import policy, risk
from labtrack.planning.grading import as_of_subquery
from labtrack.planning.models import RiskGrading
from labtrack.services import InvalidInput

GRADES = ("A", "B", "C", "D")
GROUPS = ("region", "kind")


def _group_column(by: str) -> Any:
    return Lab.kind if by == "kind" else Lab.region


def group_label(by: str, value: str | None) -> str:
    """A group's name for people (a lab kind in the reader's language)."""
    if by == "kind":
        return str(LAB_KIND_LABELS.get(value, value or ""))
    return value or ""


def check_by(by: str | None) -> str:
    """`region` or `kind` (InvalidInput otherwise)."""
    by = by or "region"
    if by not in GROUPS:
        raise InvalidInput(_("The report could not be made."), {"by": [_("Not one of the allowed values.")]})
    return by


def distribution(actor: Any, on: date | None = None, by: str = "region") -> dict:
    """Labs per grade on a day (each lab's latest grading as of that day), per group and in total."""
    on = on or today()
    by = check_by(by)
    latest = as_of_subquery(on)
    group = _group_column(by)
    stmt = (
        select(group.label("group"), latest.c.grade, func.count().label("n"))
        .select_from(latest)
        .join(Lab, Lab.id == latest.c.lab_id)
        .group_by(group, latest.c.grade)
    )
    stmt = policy.narrow_labs(stmt, Lab.id, actor)
    rows: dict[str, dict[str, int]] = {}
    for name, grade, n in db.session.execute(stmt):
        rows.setdefault(name, dict.fromkeys(GRADES, 0))[grade] = int(n)
    total = dict.fromkeys(GRADES, 0)
    for counts in rows.values():
        for grade in GRADES:
            total[grade] += counts[grade]
    groups = [
        {"group": name, "label": group_label(by, name), "grades": counts, "labs": sum(counts.values())}
        for name, counts in sorted(rows.items(), key=lambda pair: pair[0] or "")
    ]
    return {"on": on, "by": by, "groups": groups, "total": total, "labs": sum(total.values())}


def movement(actor: Any, date_from: date, date_to: date, by: str = "region") -> dict:
    """How grades moved between two days, per group: worsened, improved, unchanged, newly graded;
    and the whole A-D x A-D table."""
    by = check_by(by)
    if date_from >= date_to:
        raise InvalidInput(
            _("The report could not be made."), {"to": [_("The end date must come after the start date.")]}
        )
    before, after = as_of_subquery(date_from), as_of_subquery(date_to)
    group = _group_column(by)
    one = literal(1)
    worse = and_(before.c.grade.is_not(None), after.c.grade > before.c.grade)
    better = and_(before.c.grade.is_not(None), after.c.grade < before.c.grade)
    same = before.c.grade == after.c.grade
    stmt = (
        select(
            group.label("group"),
            func.sum(case((worse, one), else_=0)).label("worsened"),
            func.sum(case((better, one), else_=0)).label("improved"),
            func.sum(case((same, one), else_=0)).label("unchanged"),
            func.sum(case((before.c.grade.is_(None), one), else_=0)).label("new"),
        )
        .select_from(after)
        .join(Lab, Lab.id == after.c.lab_id)
        .outerjoin(before, before.c.lab_id == after.c.lab_id)
        .group_by(group)
        .order_by(group)
    )
    stmt = policy.narrow_labs(stmt, Lab.id, actor)
    keys = ("worsened", "improved", "unchanged", "new")
    groups = [
        {
            "group": row.group,
            "label": group_label(by, row.group),
            **{k: int(getattr(row, k) or 0) for k in keys},
        }
        for row in db.session.execute(stmt)
    ]
    total = {k: sum(g[k] for g in groups) for k in keys}
    matrix_stmt = (
        select(before.c.grade, after.c.grade, func.count())
        .select_from(after)
        .join(before, before.c.lab_id == after.c.lab_id)
        .join(Lab, Lab.id == after.c.lab_id)
        .group_by(before.c.grade, after.c.grade)
    )
    matrix_stmt = policy.narrow_labs(matrix_stmt, Lab.id, actor)
    matrix = {a: dict.fromkeys(GRADES, 0) for a in GRADES}
    for a, b, n in db.session.execute(matrix_stmt):
        matrix[a][b] = int(n)
    return {"from": date_from, "to": date_to, "by": by, "groups": groups, "total": total, "matrix": matrix}


def warnings(actor: Any, limit: int = 500) -> list[dict]:
    """The risk-warning list: labs graded D, and labs whose grade worsened to C at their latest
    grading; highest points first, with what raised the grade."""
    ranked = (
        select(
            RiskGrading.lab_id,
            RiskGrading.grade,
            func.row_number()
            .over(partition_by=RiskGrading.lab_id, order_by=(RiskGrading.as_of.desc(), RiskGrading.id.desc()))
            .label("n"),
        )
        .where(RiskGrading.grade.is_not(None))
        .subquery()
    )
    previous = select(ranked.c.lab_id, ranked.c.grade).where(ranked.c.n == 2).subquery()
    stmt = (
        select(RiskGrading, Lab, previous.c.grade.label("previous"))
        .join(Lab, Lab.id == RiskGrading.lab_id)
        .outerjoin(previous, previous.c.lab_id == RiskGrading.lab_id)
        .where(
            RiskGrading.current.is_(True),
            or_(
                RiskGrading.grade == "D",
                and_(RiskGrading.grade == "C", or_(previous.c.grade.is_(None), previous.c.grade < "C")),
            ),
        )
        .order_by(RiskGrading.score.desc(), Lab.code)
        .limit(limit)
    )
    stmt = policy.narrow_labs(stmt, RiskGrading.lab_id, actor)
    return [
        {
            "lab": lab,
            "grading": grading,
            "previous": prev,
            "explanation": risk.explain(grading.grade, grading.score, grading.inputs),
        }
        for grading, lab, prev in db.session.execute(stmt)
    ]


def current_list(actor: Any, grade: str | None = None, region: str | None = None, kind: str | None = None):
    """Current gradings (their labs loaded with them), highest points first."""
    stmt = (
        select(RiskGrading)
        .join(Lab, Lab.id == RiskGrading.lab_id)
        .where(RiskGrading.current.is_(True))
        .options(contains_eager(RiskGrading.lab))
        .order_by(RiskGrading.score.desc(), Lab.code)
    )
    if grade:
        stmt = stmt.where(RiskGrading.grade == grade)
    if region:
        stmt = stmt.where(Lab.region == region)
    if kind:
        stmt = stmt.where(Lab.kind == kind)
    return policy.narrow_labs(stmt, RiskGrading.lab_id, actor)
