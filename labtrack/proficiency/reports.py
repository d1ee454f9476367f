"""Reading across rounds: a lab's history and share satisfactory, and comparison coverage per lab."""

from calendar import monthrange
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import case, func, literal, select

from labtrack.auth.policy import confined_lab
from labtrack.extensions import db
from labtrack.labs.models import Lab, LabStatus
from labtrack.models_base import today
from labtrack.proficiency import policy, stats
from labtrack.proficiency.models import Participant, Result, Round, RoundStatus
from labtrack.proficiency.service import rounds_query
from labtrack.scope.models import TestItem
from labtrack.scope.service import categories_by_lab

# Taking part counts for coverage once the round is closed.
TAKEN_PART = (RoundStatus.CLOSED, RoundStatus.EVALUATED, RoundStatus.PUBLISHED)


def history_rows(lab_id: int, actor: Any, limit: int | None = None) -> list:
    """A lab's scored results the actor may see the scores of, oldest first (the newest `limit`
    when given): published rounds, and evaluated ones for those who manage rounds."""
    stmt = (
        select(
            Round.code, Round.title, Round.kind, Round.closes_on, Round.unit, Participant.participant_code,
            Result.value, Result.score, Result.score_kind, Result.grade, Result.answer,
        )
        .join(Round, Result.round_id == Round.id)
        .join(Participant, Result.participant_id == Participant.id)
        .where(Result.lab_id == lab_id, Round.status.in_(policy.scored_statuses(actor)))
        .where(Result.score.is_not(None))
        .order_by(Round.closes_on.desc(), Round.id.desc())
    )  # fmt: skip
    if limit:
        stmt = stmt.limit(limit)
    return list(reversed(db.session.execute(stmt).all()))


def grade_counts(lab_id: int, actor: Any) -> dict:
    """How many of a lab's scored results (that the actor may see) earned each grade, and the share
    satisfactory (one query)."""
    row = db.session.execute(
        select(
            func.count(Result.id),
            func.sum(case((Result.grade == "satisfactory", 1), else_=0)),
            func.sum(case((Result.grade == "questionable", 1), else_=0)),
            func.sum(case((Result.grade == "unsatisfactory", 1), else_=0)),
        )
        .join(Round, Result.round_id == Round.id)
        .where(Result.lab_id == lab_id, Round.status.in_(policy.scored_statuses(actor)))
        .where(Result.grade.is_not(None))
    ).one()
    total = row[0] or 0
    counts = {"total": total, "satisfactory": int(row[1] or 0), "questionable": int(row[2] or 0),
              "unsatisfactory": int(row[3] or 0)}  # fmt: skip
    counts["share"] = counts["satisfactory"] / total if total else None
    return counts


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day when that day does not exist)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month0 + 1, min(day.day, monthrange(year, month0 + 1)[1]))


def default_as_of(actor: Any) -> date:
    """Today, or the close of the latest round the actor sees if that is earlier (a historical data set)."""
    latest = db.session.scalar(
        policy.narrow(select(func.max(Round.closes_on)).where(Round.status.in_(TAKEN_PART)), actor)
    )
    return min(today(), latest) if latest else today()


def coverage(as_of: date, actor: Any, lab_code: str | None = None) -> dict:
    """Per lab, each category of its scope on `as_of` with the date of its last comparison on it;
    categories without one within COVERAGE_WINDOW_MONTHS are flagged."""
    window = int(current_app.config.get("COVERAGE_WINDOW_MONTHS", 24))
    cutoff = months_before(as_of, window)
    labs_stmt = policy.narrow_labs(select(Lab).where(Lab.status != LabStatus.CLOSED), Lab.id, actor)
    labs_stmt = labs_stmt.order_by(Lab.code)
    if lab_code:
        labs_stmt = labs_stmt.where(Lab.code == lab_code)
    labs = list(db.session.scalars(labs_stmt))
    last = db.session.execute(
        select(Result.lab_id, TestItem.category_id, func.max(Round.closes_on))
        .join(Round, Result.round_id == Round.id)
        .join(TestItem, Round.item_id == TestItem.id)
        .where(
            Round.status.in_(TAKEN_PART),
            Round.closes_on <= as_of,
            Result.lab_id.in_([lab.id for lab in labs]),
        )
        .group_by(Result.lab_id, TestItem.category_id)
    ).all()
    last_by = {(lab_id, cat_id): day for lab_id, cat_id, day in last}
    held = categories_by_lab([lab.id for lab in labs], as_of)
    rows = []
    for lab in labs:
        cats = []
        for category in held[lab.id]:
            day = last_by.get((lab.id, category.id))
            cats.append({"category": category, "last": day, "flagged": day is None or day < cutoff})
        flagged = sum(1 for c in cats if c["flagged"])
        rows.append({"lab": lab, "categories": cats, "flagged": flagged, "covered": len(cats) - flagged})
    drifting = rolling_by_item([lab.id for lab in labs], actor)
    for row in rows:
        row["drift"] = [i for i in drifting.get(row["lab"].id, []) if i["rolling"].drift]
    return {"as_of": as_of, "window": window, "cutoff": cutoff, "rows": rows}


# --- the home dashboard --------------------------------------------------------------------------


def open_rounds(actor: Any, limit: int = 5) -> dict:
    """Rounds open for results now that the user may see, closing first, with how many they are.

    A lab manager gets the open rounds their lab is invited to and whether it has submitted a
    result (`submitted`); staff get each round's participants and results so far.
    """
    scope = confined_lab(actor)
    base = rounds_query(actor, status=RoundStatus.OPEN).order_by(None)
    if scope is not None:
        extra = [
            select(func.count(Result.id)).where(Result.round_id == Round.id, Result.lab_id == scope)
            .correlate(Round).scalar_subquery().label("submitted")
        ]  # fmt: skip
    else:
        extra = [
            select(func.count(Participant.id)).where(Participant.round_id == Round.id)
            .correlate(Round).scalar_subquery().label("participants"),
            select(func.count(Result.id)).where(Result.round_id == Round.id)
            .correlate(Round).scalar_subquery().label("results"),
        ]  # fmt: skip
    counted = base.add_columns(*extra)
    sub = counted.subquery()
    pending_expr = func.sum(case((sub.c.submitted == 0, 1), else_=0)) if scope is not None else literal(None)
    total, pending = db.session.execute(select(func.count(), pending_expr).select_from(sub)).one()
    rows = db.session.execute(
        counted.order_by(Round.closes_on.asc().nulls_last(), Round.code).limit(limit)
    ).all()
    return {
        "total": int(total or 0),
        "rows": rows,
        "pending": int(pending or 0) if scope is not None else None,
    }


def pipeline_counts() -> dict[str, int]:
    """Rounds closed awaiting evaluation and evaluated awaiting publication (one GROUP BY)."""
    stmt = (
        select(Round.status, func.count())
        .where(Round.status.in_((RoundStatus.CLOSED, RoundStatus.EVALUATED)))
        .group_by(Round.status)
    )
    counts = {str(status): n for status, n in db.session.execute(stmt)}
    return {
        "closed": counts.get(RoundStatus.CLOSED.value, 0),
        "evaluated": counts.get(RoundStatus.EVALUATED.value, 0),
    }


def latest_published(actor: Any) -> dict | None:
    """The latest published round the user may see, its graded results and the share satisfactory
    (and, for a lab manager, their own grade)."""
    rnd = db.session.scalars(
        rounds_query(actor, status=RoundStatus.PUBLISHED).order_by(None)
        .order_by(Round.closes_on.desc().nulls_last(), Round.published_at.desc().nulls_last(), Round.code.desc())
        .limit(1)
    ).first()  # fmt: skip
    if rnd is None:
        return None
    scope = confined_lab(actor)
    own = func.max(case((Result.lab_id == scope, Result.grade))) if scope is not None else None
    columns = [func.count(Result.id), func.sum(case((Result.grade == "satisfactory", 1), else_=0))]
    row = db.session.execute(
        select(*columns, *([own] if own is not None else [])).where(
            Result.round_id == rnd.id, Result.grade.is_not(None)
        )
    ).one()
    graded, satisfactory = int(row[0] or 0), int(row[1] or 0)
    return {
        "round": rnd,
        "graded": graded,
        "satisfactory": satisfactory,
        "share": satisfactory / graded if graded else None,
        "own_grade": row[2] if own is not None else None,
    }


# --- performance over a lab's last rounds on each item ------------------------------------------


def rolling_by_item(
    lab_ids: list[int], actor: Any, last: int = stats.ROLLING_ROUNDS
) -> dict[int, list[dict]]:
    """Per lab, per catalogue item: its last `last` scored results the actor may see the scores of,
    combined (share satisfactory, RSZ, SSZ, drift); one query, newest item first."""
    if not lab_ids:
        return {}
    rows = db.session.execute(
        select(Result.lab_id, Round.item_id, TestItem.code, TestItem.name, Result.grade, Result.score,
               Result.score_kind, Round.closes_on)
        .join(Round, Result.round_id == Round.id)
        .join(TestItem, Round.item_id == TestItem.id)
        .where(Result.lab_id.in_(lab_ids), Round.status.in_(policy.scored_statuses(actor)))
        .where(Result.grade.is_not(None))
        .order_by(Result.lab_id, Round.item_id, Round.closes_on, Round.id)
    ).all()  # fmt: skip
    series: dict[tuple[int, int], list] = {}
    for row in rows:
        series.setdefault((row.lab_id, row.item_id), []).append(row)
    out: dict[int, list[dict]] = {}
    for (lab_id, _item_id), results in series.items():
        recent = results[-last:]
        zs = [r.score for r in recent if r.score_kind in ("z", "z_prime") and r.score is not None]
        found = stats.rolling([r.grade for r in recent], zs)
        out.setdefault(lab_id, []).append(
            {"item_code": recent[-1].code, "item_name": recent[-1].name, "last_on": recent[-1].closes_on,
             "rolling": found}
        )  # fmt: skip
    for items in out.values():
        items.sort(key=lambda i: (i["rolling"].drift is None, i["item_code"]))
    return out
