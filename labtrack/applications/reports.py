"""Figures of applications for a period (and a region, or a lab manager's own lab): applications by
kind and stage, working days per step (median, 90th percentile), share of steps done on time,
decisions and the grant rate, items granted per month by region; and which application granted
each scope period (where growth came from). Counts are GROUP BYs in SQL; medians and percentiles
are taken over the one column of working days read."""

from datetime import date
from statistics import median
from typing import Any

from sqlalchemy import Integer, and_, case, extract, func, select

from labtrack.applications.models import Application, ApplicationItem, Clock
from labtrack.applications.values import STEP_ORDER, Kind, Status
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.scope.models import ScopeEntry


def _where(stmt, region: str | None, lab_id: int | None):
    if region:
        stmt = stmt.where(Lab.region == region)
    if lab_id is not None:
        stmt = stmt.where(Application.lab_id == lab_id)
    return stmt


def percentile(values: list[int], share: float) -> float | None:
    """The `share` quantile by linear interpolation between the closest ranks (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def figures(
    date_from: date, date_to: date, region: str | None = None, lab_id: int | None = None
) -> dict[str, Any]:
    """The period's figures (applications first submitted, steps done, decisions taken in it)."""
    # by kind and stage: applications first submitted in the period, where they stand now
    stage = _where(
        select(Application.kind, Application.status, func.count())
        .join(Lab, Application.lab_id == Lab.id)
        .where(Application.first_submitted_on.between(date_from, date_to))
        .group_by(Application.kind, Application.status),
        region,
        lab_id,
    )
    by_kind: dict[str, dict[str, int]] = {k.value: {} for k in Kind}
    submitted = 0
    for kind, status, n in db.session.execute(stage):
        by_kind.setdefault(str(kind), {})[str(status)] = n
        submitted += n
    # working days per step, of the clocks stopped in the period
    clock_rows = _where(
        select(Clock.step, Clock.working_days, Clock.on_time)
        .join(Application, Clock.application_id == Application.id)
        .join(Lab, Application.lab_id == Lab.id)
        .where(Clock.stopped_on.between(date_from, date_to), Clock.working_days.is_not(None)),
        region,
        lab_id,
    )
    taken: dict[str, list[int]] = {s.value: [] for s in STEP_ORDER}
    timed = on_time = 0
    for step, days, in_time in db.session.execute(clock_rows):
        taken.setdefault(str(step), []).append(days)
        if in_time is not None:
            timed += 1
            on_time += 1 if in_time else 0
    steps = {
        step: {
            "count": len(values),
            "median": float(median(values)) if values else None,
            "p90": percentile(values, 0.9),
        }
        for step, values in taken.items()
    }
    # decisions in the period and the items they decided
    decided = _where(
        select(
            func.count(func.distinct(Application.id)),
            func.sum(case((ApplicationItem.outcome == "granted", 1), else_=0)),
            func.sum(case((ApplicationItem.outcome == "refused", 1), else_=0)),
        )
        .join(Lab, Application.lab_id == Lab.id)
        .outerjoin(ApplicationItem, ApplicationItem.application_id == Application.id)
        .where(Application.decided_on.between(date_from, date_to)),
        region,
        lab_id,
    )
    n_decided, granted, refused = db.session.execute(decided).one()
    granted, refused = int(granted or 0), int(refused or 0)
    decisions = _where(
        select(Application.decision, func.count())
        .join(Lab, Application.lab_id == Lab.id)
        .where(Application.decided_on.between(date_from, date_to))
        .group_by(Application.decision),
        region,
        lab_id,
    )
    # items granted (not for reductions: those withdraw) per month and region
    month = (extract("year", Application.decided_on) * 100 + extract("month", Application.decided_on)).cast(
        Integer
    )
    per_month = _where(
        select(Lab.region, month, func.count())
        .select_from(ApplicationItem)
        .join(Application, ApplicationItem.application_id == Application.id)
        .join(Lab, Application.lab_id == Lab.id)
        .where(
            Application.decided_on.between(date_from, date_to),
            ApplicationItem.outcome == "granted",
            Application.kind != Kind.REDUCTION.value,
        )
        .group_by(Lab.region, month)
        .order_by(Lab.region, month),
        region,
        lab_id,
    )
    months = [
        {"region": r, "month": f"{int(m) // 100:04d}-{int(m) % 100:02d}", "items": n}
        for r, m, n in db.session.execute(per_month)
    ]
    return {
        "date_from": date_from,
        "date_to": date_to,
        "region": region,
        "submitted": submitted,
        "by_kind": by_kind,
        "steps": steps,
        "timed_steps": timed,
        "on_time_share": on_time / timed if timed else None,
        "decided": int(n_decided or 0),
        "decisions": {str(d): n for d, n in db.session.execute(decisions) if d},
        "items_granted": granted,
        "items_refused": refused,
        "grant_rate": granted / (granted + refused) if granted + refused else None,
        "granted_per_month": months,
    }


def export_rows(f: dict) -> list[list]:
    """The figures as rows (section, group, measure, value) for CSV/XLSX."""
    rows: list[list] = [
        ["total", "", m, round(f[m], 4) if isinstance(f[m], float) else f[m]]
        for m in ("submitted", "decided", "items_granted", "items_refused", "grant_rate", "on_time_share")
    ]
    for kind, statuses in f["by_kind"].items():
        rows += [["stage", kind, status, n] for status, n in statuses.items()]
    for step, s in f["steps"].items():
        rows += [["working_days", step, m, s[m]] for m in ("count", "median", "p90")]
    rows += [["granted_per_month", r["region"], r["month"], r["items"]] for r in f["granted_per_month"]]
    return rows


EXPORT_HEADER = ["section", "group", "measure", "value"]


def granted_by(entry_ids: list[int]) -> dict[int, Application]:
    """Scope period id -> the application whose decision granted it (for the periods that have one)."""
    if not entry_ids:
        return {}
    stmt = (
        select(ApplicationItem.scope_entry_id, Application)
        .join(Application, ApplicationItem.application_id == Application.id)
        .where(ApplicationItem.scope_entry_id.in_(entry_ids), ApplicationItem.outcome == "granted")
    )
    return {entry_id: application for entry_id, application in db.session.execute(stmt)}


def sources(
    date_from: date, date_to: date, lab_id: int | None = None, region: str | None = None
) -> dict[str, Any]:
    """Where a period's growth came from: the scope periods granted in it, by the application that
    granted them; those granted without one (entered directly) counted apart."""
    traced = and_(ApplicationItem.scope_entry_id == ScopeEntry.id, ApplicationItem.outcome == "granted")
    stmt = (
        select(Application, func.count(ScopeEntry.id))
        .select_from(ScopeEntry)
        .join(Lab, ScopeEntry.lab_id == Lab.id)
        .join(ApplicationItem, traced)
        .join(Application, ApplicationItem.application_id == Application.id)
        .where(ScopeEntry.granted_on.between(date_from, date_to))
        .group_by(Application.id)
        .order_by(Application.decided_on, Application.id)
    )
    untraced = (
        select(func.count(ScopeEntry.id))
        .select_from(ScopeEntry)
        .join(Lab, ScopeEntry.lab_id == Lab.id)
        .outerjoin(ApplicationItem, traced)
        .where(ScopeEntry.granted_on.between(date_from, date_to), ApplicationItem.id.is_(None))
    )
    if lab_id is not None:
        stmt, untraced = stmt.where(ScopeEntry.lab_id == lab_id), untraced.where(ScopeEntry.lab_id == lab_id)
    if region:
        stmt, untraced = stmt.where(Lab.region == region), untraced.where(Lab.region == region)
    rows = [(a, n) for a, n in db.session.execute(stmt)]
    return {
        "applications": rows,
        "granted": sum(n for _a, n in rows),
        "untraced": db.session.scalar(untraced) or 0,
    }


STATUSES = [s.value for s in Status]
