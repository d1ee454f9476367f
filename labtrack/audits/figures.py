"""Work queues and rectification figures, aggregated in SQL, with charts drawn in the browser (ECharts options).

Every figure is taken "as of" a date (today by default): a finding counts once raised, is closed
if it was closed by then, cancelled if cancelled by then, and otherwise active; overdue means
active and past its due date.
"""

from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, and_, case, cast, func, literal, not_, or_, select

from labtrack.audits.models import (
    AREA_LABELS,
    AUDIT_KIND_LABELS,
    SEVERITY_LABELS,
    Audit,
    Finding,
    FindingSource,
)
from labtrack.audits.workflow import ACTIVE_STATES, AWAITING_VERIFICATION, State
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.models_base import today

BUCKETS = ("0-30", "31-60", "61-90", ">90")
DUE_SOON_DAYS = 10
ACTIVE = [s.value for s in ACTIVE_STATES]


def dimensions() -> dict[str, Any]:
    """The groupings the figures can be broken down by, as SQL expressions."""
    return {
        "region": Lab.region,
        "lab": Lab.code,
        "area": Finding.area,
        "severity": Finding.severity,
        "audit_kind": func.coalesce(Audit.kind, literal(FindingSource.ROUND.value)),
    }


DIMENSION_LABELS = {
    "region": _l("Region"),
    "lab": _l("Laboratory"),
    "area": _l("Area"),
    "severity": _l("Severity"),
    "audit_kind": _l("Audit kind"),
}


def group_label(by: str, value: str | None):
    """A group's value in the user's language (lazy: translated when shown, so the CLI works too)."""
    if value is None:
        return ""
    if by == "area":
        return AREA_LABELS.get(value, value)
    if by == "severity":
        return SEVERITY_LABELS.get(value, value)
    if by == "audit_kind":
        return _l("Comparison round") if value == FindingSource.ROUND else AUDIT_KIND_LABELS.get(value, value)
    if by == "region":
        from labtrack.i18n_names import region_label

        return region_label(value)
    return value


def days_between(later, earlier):
    """Whole days from `earlier` to `later`, portable between SQLite and PostgreSQL."""
    if db.engine.dialect.name == "sqlite":
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return later - earlier  # date - date is an integer number of days in PostgreSQL


def conditions(on: date) -> dict[str, Any]:
    closed = and_(Finding.status == State.CLOSED, Finding.closed_on <= on)
    cancelled = and_(
        Finding.status == State.CANCELLED, or_(Finding.cancelled_on.is_(None), Finding.cancelled_on <= on)
    )
    active = and_(not_(closed), not_(cancelled))
    return {
        "raised": Finding.raised_on <= on,
        "closed": closed,
        "cancelled": cancelled,
        "active": active,
        "overdue": and_(active, Finding.due_on < on),
    }


def _base(stmt, lab_scope: int | None, filters: dict | None):
    stmt = (
        stmt.select_from(Finding)
        .join(Lab, Finding.lab_id == Lab.id)
        .outerjoin(Audit, Finding.audit_id == Audit.id)
    )
    if lab_scope is not None:
        stmt = stmt.where(Finding.lab_id == lab_scope)
    for key, value in (filters or {}).items():
        if value:
            stmt = stmt.where(dimensions()[key] == value)
    return stmt


def count(condition):
    """SQL: how many rows meet the condition (inside a GROUP BY)."""
    return func.sum(case((condition, 1), else_=0))


def measures(on: date) -> list:
    """The aggregate columns `row()` reads: counts by state, ageing buckets, mean days to close."""
    c = conditions(on)
    age = days_between(literal(on), Finding.raised_on)
    to_close = days_between(Finding.closed_on, Finding.raised_on)
    return [
        func.count().label("total"),
        count(c["active"]).label("active"),
        count(c["overdue"]).label("overdue"),
        count(c["closed"]).label("closed"),
        count(c["cancelled"]).label("cancelled"),
        count(and_(c["active"], age <= 30)).label("b0"),
        count(and_(c["active"], age > 30, age <= 60)).label("b1"),
        count(and_(c["active"], age > 60, age <= 90)).label("b2"),
        count(and_(c["active"], age > 90)).label("b3"),
        func.avg(case((c["closed"], to_close))).label("mean_days"),
    ]


def rectification_figures(
    by: str = "region", on: date | None = None, lab_scope: int | None = None, filters: dict | None = None
) -> list[dict]:
    """Per group: total, active, overdue, closed, cancelled, closure rate, ageing buckets, days to close."""
    on = on or today()
    group = dimensions()[by]
    c = conditions(on)
    stmt = (
        _base(
            select(group.label("grp"), *measures(on)),
            lab_scope,
            filters,
        )
        .where(c["raised"])
        .group_by(group)
        .order_by(group)
    )
    medians = _medians(group, on, lab_scope, filters)
    rows = []
    for r in db.session.execute(stmt):
        rows.append(row(r, medians.get(r.grp), by))
    return rows


def row(r, median, by: str | None) -> dict:
    denominator = (r.total or 0) - (r.cancelled or 0)
    return {
        "group": r.grp if by else None,
        "label": group_label(by, r.grp),
        "total": int(r.total or 0),
        "active": int(r.active or 0),
        "overdue": int(r.overdue or 0),
        "closed": int(r.closed or 0),
        "cancelled": int(r.cancelled or 0),
        "closure_rate": (int(r.closed or 0) / denominator) if denominator else None,
        "buckets": {
            BUCKETS[0]: int(r.b0 or 0),
            BUCKETS[1]: int(r.b1 or 0),
            BUCKETS[2]: int(r.b2 or 0),
            BUCKETS[3]: int(r.b3 or 0),
        },
        "mean_days_to_close": float(r.mean_days) if r.mean_days is not None else None,
        "median_days_to_close": median,
    }


def _medians(group, on: date, lab_scope: int | None, filters: dict | None) -> dict:
    """Median days from raised to closed per group (group None: overall, keyed None), in SQL.

    Window functions number the closed findings of each group by days to close; the median is
    the middle row, or the mean of the two middle rows: rows (n+1)//2 and (n+2)//2.
    """
    c = conditions(on)
    days = days_between(Finding.closed_on, Finding.raised_on)
    partition = {"partition_by": group} if group is not None else {}
    columns = [group.label("grp")] if group is not None else []
    inner = (
        _base(
            select(
                *columns,
                days.label("d"),
                func.row_number().over(order_by=days, **partition).label("rn"),
                func.count().over(**partition).label("n"),
            ),
            lab_scope,
            filters,
        )
        .where(c["raised"], c["closed"])
        .subquery()
    )
    middle = or_(inner.c.rn == (inner.c.n + 1) // 2, inner.c.rn == (inner.c.n + 2) // 2)
    if group is None:
        value = db.session.scalar(select(func.avg(inner.c.d)).where(middle))
        return {None: float(value)} if value is not None else {}
    stmt = select(inner.c.grp, func.avg(inner.c.d)).where(middle).group_by(inner.c.grp)
    return {grp: float(value) for grp, value in db.session.execute(stmt)}


def totals(on: date | None = None, lab_scope: int | None = None, filters: dict | None = None) -> dict:
    """The same figures for everything at once."""
    on = on or today()
    rows = rectification_figures("severity", on, lab_scope, filters)
    result = {
        "total": 0,
        "active": 0,
        "overdue": 0,
        "closed": 0,
        "cancelled": 0,
        "buckets": dict.fromkeys(BUCKETS, 0),
    }
    for row in rows:  # at most three rows, one per severity: already aggregated in SQL
        for key in ("total", "active", "overdue", "closed", "cancelled"):
            result[key] += row[key]
        for bucket in BUCKETS:
            result["buckets"][bucket] += row["buckets"][bucket]
    denominator = result["total"] - result["cancelled"]
    result["closure_rate"] = result["closed"] / denominator if denominator else None
    result["median_days_to_close"] = _medians(None, on, lab_scope, filters).get(None)
    return result


def overdue_list(
    on: date | None = None,
    lab_scope: int | None = None,
    filters: dict | None = None,
    limit: int | None = None,
) -> list:
    """Overdue findings with their days overdue (computed in SQL), most overdue first."""
    on = on or today()
    c = conditions(on)
    days = days_between(literal(on), Finding.due_on).label("days_overdue")
    stmt = _base(select(Finding, days), lab_scope, filters).where(c["raised"], c["overdue"])
    stmt = stmt.order_by(days.desc(), Finding.id)
    if limit:
        stmt = stmt.limit(limit)
    return db.session.execute(stmt).all()


# --- work queues -----------------------------------------------------------------------------


def lab_manager_queue(lab_id: int, on: date | None = None) -> dict[str, list[Finding]]:
    """My rectification: active findings of my lab, those due within 10 days, those overdue."""
    on = on or today()
    base = (
        select(Finding)
        .where(Finding.lab_id == lab_id, Finding.status.in_(ACTIVE))
        .order_by(Finding.due_on, Finding.id)
    )
    return {
        "open": db.session.scalars(base).all(),
        "due_soon": db.session.scalars(
            base.where(Finding.due_on >= on, Finding.due_on <= on + timedelta(days=DUE_SOON_DAYS))
        ).all(),
        "overdue": db.session.scalars(base.where(Finding.due_on < on)).all(),
    }


def verification_queue(user_id: int | None) -> dict[str, list[Finding]]:
    """Awaiting verification: of the audits this user leads, and all the others."""
    base = (
        select(Finding)
        .outerjoin(Audit, Finding.audit_id == Audit.id)
        .where(Finding.status.in_([s.value for s in AWAITING_VERIFICATION]))
        .order_by(Finding.due_on, Finding.id)
    )
    mine = base.where(Audit.lead_id == user_id)
    others = base.where(or_(Audit.lead_id.is_(None), Audit.lead_id != user_id))
    return {"mine": db.session.scalars(mine).all(), "others": db.session.scalars(others.limit(200)).all()}


# --- charts ----------------------------------------------------------------------------------


AGE_COLOURS = ("#9ec5fe", "#ffda6a", "#fd9843", "#dc3545")


def ageing_chart(rows: list[dict], title: str) -> dict | None:
    """Stacked horizontal bars of active findings by age bucket, one bar per group (an ECharts
    option drawn in the browser by static/js/charts.js); None when no group has an active finding."""
    rows = [r for r in rows if r["active"]]
    if not rows:
        return None
    rows = rows[-30:]
    return {
        "title": title,
        "legend": {},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}, "confine": True},
        "xAxis": {"type": "value", "name": _("Active findings"), "nameLocation": "middle", "nameGap": 24,
                  "minInterval": 1},
        "yAxis": {"type": "category", "inverse": True, "data": [str(r["label"]) for r in rows]},
        "series": [
            {
                "type": "bar",
                "stack": "age",
                "name": _("%(b)s days", b=bucket),
                "itemStyle": {"color": colour},
                "data": [r["buckets"][bucket] for r in rows],
            }
            for bucket, colour in zip(BUCKETS, AGE_COLOURS, strict=True)
        ],
    }  # fmt: skip


def closure_chart(rows: list[dict], title: str) -> dict | None:
    """Closure rate per group (per cent, one decimal), as an ECharts option; None when no group has one."""
    rows = [r for r in rows if r["closure_rate"] is not None]
    if not rows:
        return None
    rows = rows[-30:]
    return {
        "title": title,
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}, "confine": True},
        "xAxis": {"type": "value", "min": 0, "max": 100, "name": _("Closure rate (%)"),
                  "nameLocation": "middle", "nameGap": 24},
        "yAxis": {"type": "category", "inverse": True, "data": [str(r["label"]) for r in rows]},
        "series": [
            {
                "type": "bar",
                "name": _("Closure rate (%)"),
                "itemStyle": {"color": "#198754"},
                "data": [round(100 * r["closure_rate"], 1) for r in rows],
            }
        ],
    }  # fmt: skip


def chart_height(chart: dict | None) -> int:
    """The pixel height of one of these charts (a bar per group)."""
    from labtrack.charts import height_for_rows

    return height_for_rows(len(chart["yAxis"]["data"]) if chart else 0, extra=110)


def export_rows(rows: list[dict]) -> tuple[list[str], list[list]]:
    """Header and rows of the figures table for CSV / XLSX."""
    header = [
        "group",
        "total",
        "active",
        "overdue",
        "closed",
        "cancelled",
        "closure_rate",
        *(f"age_{b}" for b in BUCKETS),
        "median_days_to_close",
        "mean_days_to_close",
    ]
    body = [
        [
            str(r["label"]),
            r["total"],
            r["active"],
            r["overdue"],
            r["closed"],
            r["cancelled"],
            round(r["closure_rate"], 4) if r["closure_rate"] is not None else None,
            *(r["buckets"][b] for b in BUCKETS),
            r["median_days_to_close"],
            round(r["mean_days_to_close"], 1) if r["mean_days_to_close"] is not None else None,
        ]
        for r in rows
    ]
    return header, body


# --- the home dashboard's counts (the queues above, counted in SQL) ---------------------------


def lab_manager_counts(lab_id: int, on: date | None = None) -> dict[str, int]:
    """The sizes of `lab_manager_queue`: active findings of the lab, due within 10 days, overdue (one query)."""
    on = on or today()
    active = Finding.status.in_(ACTIVE)
    row = db.session.execute(
        select(
            func.count(),
            count(and_(Finding.due_on >= on, Finding.due_on <= on + timedelta(days=DUE_SOON_DAYS))),
            count(Finding.due_on < on),
        ).where(Finding.lab_id == lab_id, active)
    ).one()
    return {"open": int(row[0] or 0), "due_soon": int(row[1] or 0), "overdue": int(row[2] or 0)}


def verification_counts(user_id: int | None) -> dict[str, int]:
    """The sizes of `verification_queue`: awaiting verification in this user's audits, and the rest."""
    mine = and_(Audit.lead_id.is_not(None), Audit.lead_id == user_id)
    row = db.session.execute(
        select(func.count(), count(mine))
        .select_from(Finding)
        .outerjoin(Audit, Finding.audit_id == Audit.id)
        .where(Finding.status.in_([s.value for s in AWAITING_VERIFICATION]))
    ).one()
    total, own = int(row[0] or 0), int(row[1] or 0)
    return {"mine": own, "others": total - own, "total": total}
