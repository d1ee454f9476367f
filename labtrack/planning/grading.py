"""Risk grading: every input of `risk.py` read from the labs' data in a few grouped queries, the
gradings stored (a new row only when something changed), one lab on demand or everyone as a job.

As of a day D the window is the 24 months up to D. Findings count by their present state (a
finding overdue on D is one still open today whose due date was before D); for D = today, which is
what the schedule and the pages grade, every input is exact.
"""

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import column, func, insert, inspect, select, table, update

from labtrack.audits.models import Audit, AuditKind, AuditStatus, Finding, Severity
from labtrack.audits.workflow import ACTIVE_STATES, State
from labtrack.extensions import db
from labtrack.labs.models import Lab, LabStatus, Qualification, QualificationStatus
from labtrack.models_base import today, utcnow
from labtrack.planning import policy, risk
from labtrack.planning.models import RiskGrading, Sanction
from labtrack.planning.sanctions import in_force_on
from labtrack.proficiency.models import Result, Round, RoundStatus
from labtrack.services import Forbidden, InvalidInput, transaction

log = logging.getLogger("labtrack.planning")

# Inspections by the regulator (what "time since the last inspection" and a plan's exclusions read).
INSPECTION_KINDS = (
    AuditKind.FLIGHT_CHECK,
    AuditKind.SUPERVISION_VISIT,
    AuditKind.UNDERCOVER_VISIT,
    AuditKind.EXTERNAL_ASSESSMENT,
)
GRADED_STATUSES = (LabStatus.ACTIVE, LabStatus.SUSPENDED)
CHUNK = 2000


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day when it has fewer days)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(d, day.day))
        except ValueError:
            continue
    return date(year, month, 28)


def months_between(earlier: date, later: date) -> int:
    """Whole months from one day to a later one."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - (1 if later.day < earlier.day else 0)


def _grouped(stmt: Any) -> dict[int, int]:
    return {lab_id: int(n or 0) for lab_id, n in db.session.execute(stmt)}


def _restrict(stmt: Any, column: Any, lab_ids: list[int] | None) -> Any:
    return stmt if lab_ids is None else stmt.where(column.in_(lab_ids))


def _complaint_counter() -> Callable[[int, date], dict] | None:
    """`complaint_counts(lab_id, since)` of the records area, when it is there and its table
    exists; None otherwise (complaints then count 0)."""
    for name in ("labtrack.records.service", "labtrack.records.complaints"):
        try:
            module = __import__(name, fromlist=["complaint_counts"])
        except ImportError:
            continue
        counter = getattr(module, "complaint_counts", None)
        if counter is not None:
            try:
                if not inspect(db.session.connection()).has_table("complaints"):
                    return None
            except Exception:  # noqa: BLE001 - no table, no complaints
                return None
            return counter
    return None


def complaint_counts(lab_ids: list[int], since: date) -> dict[int, dict[str, int]]:
    """Complaints received on or after `since` per lab (`received`, `substantiated`), from the
    records area's `complaint_counts(lab_id, since)`; zeros when it has none to give.

    The function is asked only about the labs with a complaint in the window (one grouped look at
    its table first): once per lab for 10,000 labs would take a minute.
    """
    counter = _complaint_counter()
    if counter is None:
        return {}
    complaints = table("complaints", column("lab_id"), column("received_on"))
    with_any = set(
        db.session.scalars(select(complaints.c.lab_id).where(complaints.c.received_on >= since).distinct())
    )
    result = {}
    for lab_id in (i for i in lab_ids if i in with_any):
        counts = counter(lab_id, since)
        if counts.get("received"):
            result[lab_id] = {
                "received": int(counts.get("received") or 0),
                "substantiated": int(counts.get("substantiated") or 0),
            }
    return result


def gather(on: date, lab_ids: list[int] | None = None) -> dict[int, dict[str, Any]]:
    """Every risk input of every graded lab (or of these labs) as of a day: lab id -> counts."""
    since = months_before(on, risk.WINDOW_MONTHS)
    labs_stmt = select(Lab.id).where(Lab.status.in_([s.value for s in GRADED_STATUSES]))
    ids = list(db.session.scalars(_restrict(labs_stmt, Lab.id, lab_ids).order_by(Lab.id)))
    counts: dict[int, dict[str, Any]] = {i: {} for i in ids}
    if not ids:
        return counts

    def put(name: str, values: dict[int, int]) -> None:
        for lab_id, n in values.items():
            if lab_id in counts:
                counts[lab_id][name] = n

    known_by = datetime.combine(on + timedelta(days=1), time())
    round_day = func.coalesce(Round.closes_on, Round.opens_on)
    for grade, name in (
        ("unsatisfactory", "unsatisfactory_results"),
        ("questionable", "questionable_results"),
    ):
        stmt = (
            select(Result.lab_id, func.count())
            .join(Round, Result.round_id == Round.id)
            .where(
                Round.status == RoundStatus.PUBLISHED,
                Round.published_at < known_by,
                round_day > since,
                round_day <= on,
                Result.grade == grade,
            )
            .group_by(Result.lab_id)
        )
        put(name, _grouped(_restrict(stmt, Result.lab_id, lab_ids)))
    majors = (
        select(Finding.lab_id, func.count())
        .where(
            Finding.severity == Severity.MAJOR,
            Finding.status != State.CANCELLED,
            Finding.raised_on > since,
            Finding.raised_on <= on,
        )
        .group_by(Finding.lab_id)
    )
    put("major_findings", _grouped(_restrict(majors, Finding.lab_id, lab_ids)))
    overdue = (
        select(Finding.lab_id, func.count())
        .where(
            Finding.status.in_([s.value for s in ACTIVE_STATES]),
            Finding.due_on < on,
            Finding.raised_on <= on,
        )
        .group_by(Finding.lab_id)
    )
    put("overdue_findings", _grouped(_restrict(overdue, Finding.lab_id, lab_ids)))
    in_force = select(Sanction.lab_id, func.count()).where(in_force_on(on)).group_by(Sanction.lab_id)
    put("sanctions_in_force", _grouped(_restrict(in_force, Sanction.lab_id, lab_ids)))
    past = (
        select(Sanction.lab_id, func.count())
        .where(Sanction.starts_on > since, Sanction.ended_on.is_not(None), Sanction.ended_on <= on)
        .group_by(Sanction.lab_id)
    )
    put("past_sanctions", _grouped(_restrict(past, Sanction.lab_id, lab_ids)))
    latest = (
        select(Qualification.lab_id, Qualification.scheme, func.max(Qualification.expires_on).label("until"))
        .where(Qualification.issued_on <= on, Qualification.status != QualificationStatus.WITHDRAWN)
        .group_by(Qualification.lab_id, Qualification.scheme)
        .subquery()
    )
    expired = select(latest.c.lab_id, func.count()).where(latest.c.until < on).group_by(latest.c.lab_id)
    put("expired_certificates", _grouped(_restrict(expired, latest.c.lab_id, lab_ids)))
    for lab_id, c in complaint_counts(ids, since).items():
        counts[lab_id]["complaints"] = c["received"]
        counts[lab_id]["substantiated_complaints"] = c["substantiated"]
    last = (
        select(Audit.lab_id, func.max(Audit.started_on))
        .where(
            Audit.kind.in_([k.value for k in INSPECTION_KINDS]),
            Audit.status != AuditStatus.PLANNED,
            Audit.started_on <= on,
        )
        .group_by(Audit.lab_id)
    )
    for lab_id, day in db.session.execute(_restrict(last, Audit.lab_id, lab_ids)):
        if lab_id in counts and day is not None:
            counts[lab_id]["last_inspected_on"] = day.isoformat()
            counts[lab_id]["months_since_inspection"] = months_between(day, on)
    for values in counts.values():
        values.setdefault("last_inspected_on", None)
        values.setdefault("months_since_inspection", None)
        for name in risk.COUNTED:
            values.setdefault(name, 0)
    return counts


def _inputs(counts: dict[str, Any], on: date) -> tuple[risk.Scored, dict[str, Any]]:
    scored = risk.score(counts)
    inputs = dict(counts)
    inputs.update(
        points=scored.points,
        window_from=months_before(on, risk.WINDOW_MONTHS).isoformat(),
        as_of=on.isoformat(),
    )
    return scored, inputs


def _signature(grade: str, score: int, inputs: dict[str, Any]) -> tuple:
    """What must differ for a new grading row: the grade, the points and the counts (not the day)."""
    counted = {k: v for k, v in inputs.items() if k not in ("window_from", "as_of")}
    return grade, score, sorted((k, repr(v)) for k, v in counted.items())


def grade(actor: Any = None, on: date | None = None, lab_ids: list[int] | None = None, progress=None) -> dict:
    """Grade every graded lab (or these) as of a day and store what changed; never commits.

    Returns {"graded", "changed", "unchanged", "grades": {A: n, ...}, "as_of"}.
    """
    on = on or today()
    counts = gather(on, lab_ids)
    ids = list(counts)
    total = len(ids)
    if progress:
        progress(0, total)
    current_stmt = select(
        RiskGrading.id,
        RiskGrading.lab_id,
        RiskGrading.grade,
        RiskGrading.score,
        RiskGrading.inputs,
        RiskGrading.as_of,
    ).where(RiskGrading.current.is_(True))
    current = {
        row.lab_id: row for row in db.session.execute(_restrict(current_stmt, RiskGrading.lab_id, lab_ids))
    }
    now, actor_id = utcnow(), getattr(actor, "id", None)
    new_rows, confirmed, retired = [], [], []
    tally = {g: 0 for g in "ABCD"}
    for done, lab_id in enumerate(ids, start=1):
        scored, inputs = _inputs(counts[lab_id], on)
        tally[scored.grade] += 1
        old = current.get(lab_id)
        is_current = old is None or on >= old.as_of
        if (
            old is not None
            and is_current
            and _signature(old.grade, old.score, old.inputs) == _signature(scored.grade, scored.score, inputs)
        ):
            confirmed.append(old.id)
        else:
            if old is not None and is_current:
                retired.append(old.id)
            new_rows.append(
                {
                    "lab_id": lab_id,
                    "grade": scored.grade,
                    "score": scored.score,
                    "inputs": inputs,
                    "weights_version": risk.RISK_VERSION,
                    "as_of": on,
                    "computed_at": now,
                    "checked_at": now,
                    "computed_by_id": actor_id,
                    "current": is_current,
                }
            )
        if progress and done % CHUNK == 0:
            progress(done, total)
    for chunk in _chunks(retired):
        db.session.execute(update(RiskGrading).where(RiskGrading.id.in_(chunk)).values(current=False))
    for chunk in _chunks(confirmed):
        db.session.execute(update(RiskGrading).where(RiskGrading.id.in_(chunk)).values(checked_at=now))
    for chunk in _chunks(new_rows):
        db.session.execute(insert(RiskGrading), chunk)
    if progress:
        progress(total, total)
    return {
        "as_of": on.isoformat(),
        "graded": total,
        "changed": len(new_rows),
        "unchanged": len(confirmed),
        "grades": tally,
    }


def _chunks(values: list) -> list[list]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


def current_grading(lab_id: int) -> RiskGrading | None:
    """A lab's latest grading, if it was ever graded."""
    return db.session.scalar(
        select(RiskGrading).where(RiskGrading.lab_id == lab_id, RiskGrading.current.is_(True))
    )


def gradings_of(lab_id: int, limit: int = 50) -> list[RiskGrading]:
    """A lab's gradings, latest first (its grade over time)."""
    stmt = (
        select(RiskGrading)
        .where(RiskGrading.lab_id == lab_id)
        .order_by(RiskGrading.as_of.desc(), RiskGrading.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def as_of_subquery(on: date) -> Any:
    """Each lab's latest grading as of a day: (lab_id, grade, score, id) rows."""
    ranked = (
        select(
            RiskGrading.id,
            RiskGrading.lab_id,
            RiskGrading.grade,
            RiskGrading.score,
            func.row_number()
            .over(partition_by=RiskGrading.lab_id, order_by=(RiskGrading.as_of.desc(), RiskGrading.id.desc()))
            .label("n"),
        )
        .where(RiskGrading.as_of <= on)
        .subquery()
    )
    return (
        select(ranked.c.id, ranked.c.lab_id, ranked.c.grade, ranked.c.score).where(ranked.c.n == 1).subquery()
    )


def grade_and_commit(actor: Any = None, on: date | None = None) -> dict:
    """`grade` everyone in one unit of work (the daily schedule, the command line)."""
    with transaction(actor, "risk grading"):
        return grade(actor, on)


def grade_one(actor: Any, lab: Lab, on: date | None = None) -> RiskGrading:
    """Grade one lab now (on demand) and answer its current grading."""
    if not policy.may_grade(actor):
        raise Forbidden(_("You may not recompute risk grades."))
    if lab.status not in GRADED_STATUSES:
        raise InvalidInput(_("Only active or suspended laboratories are graded."), {"lab": [lab.code]})
    with transaction(actor, _("risk grade recomputed")):
        grade(actor, on, [lab.id])
    return current_grading(lab.id)
