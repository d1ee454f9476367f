"""Figures of the quality-system records by period and region, aggregated in SQL.

- Documents: *written* = documents whose first revision took effect in the period; *revised* =
  later revisions that took effect in the period; *withdrawn* = documents withdrawn in the period.
  A revision approved to take effect on a day still to come counts from that day.
  The bureau's own documents have no region: they form their own row, and a region's figures
  leave them out.
- Surveys: campaigns issued in the period: copies issued and questionnaires returned.
- Complaints: received in the period; answered = feedback given (by `as_of`); feedback rate =
  answered / received; days to feedback from receipt, mean and median (of those answered).

`scope` is the lab a lab manager is confined to (None: every lab).
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select

from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.records.models import (
    Audience,
    Channel,
    Complaint,
    Document,
    DocumentKind,
    DocumentRevision,
    Survey,
    SurveyResponse,
)
from labtrack.records.values import days_between
from labtrack.records.workflow import ComplaintStatus, DocumentStatus

BUREAU_GROUP = ""  # the group of the bureau's own documents (no region)
WARRANTING = ("substantiated", "partly_substantiated")


def count_if(condition: Any) -> Any:
    """How many rows meet a condition (portable: no FILTER clause)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _ints(row: Any, names: tuple[str, ...]) -> dict[str, int]:
    return {name: int(getattr(row, name) or 0) for name in names}


# --- documents -------------------------------------------------------------------------------

DOCUMENT_MEASURES = (
    "written",
    "revised",
    "withdrawn",
    "work_instructions_revised",
    "work_instruction_kinds_revised",
)


def document_figures(
    date_from: date, date_to: date, region: str | None = None, scope: int | None = None
) -> dict:
    """Documents written, revised and withdrawn in the period, by region (bureau first) and in all."""
    group = func.coalesce(Lab.region, literal(BUREAU_GROUP))
    # A revision approved to take effect on a later day counts from that day, not before.
    until = min(date_to, today())
    in_period = and_(DocumentRevision.effective_on >= date_from, DocumentRevision.effective_on <= until)
    revised = and_(in_period, DocumentRevision.first_issue.is_(False))
    is_wi = Document.kind == DocumentKind.WORK_INSTRUCTION.value
    revision_columns = [
        count_if(and_(in_period, DocumentRevision.first_issue.is_(True))).label("written"),
        count_if(revised).label("revised"),
        count_if(and_(revised, is_wi)).label("work_instructions_revised"),
        func.count(func.distinct(case((and_(revised, is_wi), Document.subject)))).label(
            "work_instruction_kinds_revised"
        ),
    ]

    def narrowed(stmt):
        if scope is not None:
            stmt = stmt.where(Document.lab_id == scope)
        if region:
            stmt = stmt.where(Lab.region == region)
        return stmt

    def revisions(*columns):
        stmt = (
            select(*columns)
            .select_from(DocumentRevision)
            .join(Document, DocumentRevision.document_id == Document.id)
            .outerjoin(Lab, Document.lab_id == Lab.id)
            .where(in_period)
        )
        return narrowed(stmt)

    def withdrawals(*columns):
        stmt = (
            select(*columns)
            .select_from(Document)
            .outerjoin(Lab, Document.lab_id == Lab.id)
            .where(Document.withdrawn_on >= date_from, Document.withdrawn_on <= date_to)
        )
        return narrowed(stmt)

    rows: dict[str, dict] = {}
    for r in db.session.execute(revisions(group.label("grp"), *revision_columns).group_by(group)):
        rows[r.grp] = {
            "group": r.grp,
            **_ints(r, DOCUMENT_MEASURES[:2] + DOCUMENT_MEASURES[3:]),
            "withdrawn": 0,
        }
    for grp, n in db.session.execute(withdrawals(group, func.count(Document.id)).group_by(group)):
        rows.setdefault(grp, {"group": grp, **dict.fromkeys(DOCUMENT_MEASURES, 0)})["withdrawn"] = int(n)
    total = db.session.execute(revisions(*revision_columns)).one()
    totals = {**_ints(total, DOCUMENT_MEASURES[:2] + DOCUMENT_MEASURES[3:])}
    totals["withdrawn"] = int(db.session.scalar(withdrawals(func.count(Document.id))) or 0)
    by_kind = [
        {"kind": kind, "written": int(w or 0), "revised": int(v or 0)}
        for kind, w, v in db.session.execute(
            revisions(Document.kind, *revision_columns[:2]).group_by(Document.kind).order_by(Document.kind)
        )
    ]
    ordered = sorted(rows.values(), key=lambda row: (row["group"] != BUREAU_GROUP, row["group"]))
    return {"by_region": ordered, "by_kind": by_kind, "total": totals}


def documents_due_counts(
    on: date, within_days: int, scope: int | None = None, bureau: bool = True
) -> dict[str, int]:
    """Documents in force whose review is overdue, or due within `within_days` days of `on`.

    `scope`: one lab's (a lab manager's); `bureau`: whether the bureau's own documents count.
    """
    stmt = select(
        count_if(Document.review_due_on < on).label("overdue"),
        count_if(
            and_(Document.review_due_on >= on, Document.review_due_on <= on + timedelta(days=within_days))
        ).label("due_soon"),
    ).where(Document.status == DocumentStatus.EFFECTIVE.value, Document.review_due_on.is_not(None))
    if scope is not None:
        stmt = stmt.where(Document.lab_id == scope)
    elif not bureau:
        stmt = stmt.where(Document.lab_id.is_not(None))
    row = db.session.execute(stmt).one()
    return _ints(row, ("overdue", "due_soon"))


# --- surveys ---------------------------------------------------------------------------------


def survey_figures(
    date_from: date, date_to: date, region: str | None = None, scope: int | None = None
) -> dict:
    """Copies issued and questionnaires returned of the campaigns issued in the period, by audience.

    Surveys belong to the bureau (the province, or one region): a single lab's figures have none.
    """
    empty = {"issued": 0, "returned": 0, "surveys": 0, "response_rate": None}
    by_audience = {a.value: {"audience": a.value, **empty} for a in Audience}
    if scope is None:
        returned = (
            select(SurveyResponse.survey_id, func.count(SurveyResponse.id).label("n"))
            .group_by(SurveyResponse.survey_id)
            .subquery()
        )
        stmt = (
            select(
                Survey.audience,
                func.count(Survey.id),
                func.coalesce(func.sum(Survey.copies_issued), 0),
                func.coalesce(func.sum(returned.c.n), 0),
            )
            .outerjoin(returned, returned.c.survey_id == Survey.id)
            .where(Survey.issued_on >= date_from, Survey.issued_on <= date_to)
            .group_by(Survey.audience)
        )
        if region:
            stmt = stmt.where(Survey.region == region)
        for audience, surveys, issued, back in db.session.execute(stmt):
            by_audience[audience] = {
                "audience": audience,
                "surveys": int(surveys),
                "issued": int(issued),
                "returned": int(back),
                "response_rate": int(back) / int(issued) if issued else None,
            }
    rows = list(by_audience.values())
    issued = sum(r["issued"] for r in rows)
    back = sum(r["returned"] for r in rows)
    total = {
        "surveys": sum(r["surveys"] for r in rows),
        "issued": issued,
        "returned": back,
        "response_rate": back / issued if issued else None,
    }
    return {"by_audience": rows, "total": total}


# --- complaints ------------------------------------------------------------------------------

COMPLAINT_MEASURES = ("received", "acknowledged", "investigated", "answered", "substantiated", "findings")


def complaint_figures(
    date_from: date,
    date_to: date,
    region: str | None = None,
    scope: int | None = None,
    as_of: date | None = None,
) -> dict:
    """Complaints received in the period by region and by channel: answered (feedback given by
    `as_of`, today by default), feedback rate, mean and median days to feedback."""
    on = as_of or min(date_to, today())
    answered = and_(Complaint.feedback_on.is_not(None), Complaint.feedback_on <= on)
    days = days_between(Complaint.feedback_on, Complaint.received_on)
    columns = [
        func.count(Complaint.id).label("received"),
        count_if(and_(Complaint.acknowledged_on.is_not(None), Complaint.acknowledged_on <= on)).label(
            "acknowledged"
        ),
        count_if(and_(Complaint.investigated_on.is_not(None), Complaint.investigated_on <= on)).label(
            "investigated"
        ),
        count_if(answered).label("answered"),
        count_if(Complaint.outcome.in_(WARRANTING)).label("substantiated"),
        func.count(Complaint.finding_id).label("findings"),
        func.avg(case((answered, days))).label("mean_days"),
    ]

    def base(*cols):
        stmt = (
            select(*cols)
            .select_from(Complaint)
            .join(Lab, Complaint.lab_id == Lab.id)
            .where(
                Complaint.received_on >= date_from,
                Complaint.received_on <= date_to,
                Complaint.received_on <= on,
            )
        )
        if scope is not None:
            stmt = stmt.where(Complaint.lab_id == scope)
        if region:
            stmt = stmt.where(Lab.region == region)
        return stmt

    def shaped(r: Any, median: float | None) -> dict:
        row = _ints(r, COMPLAINT_MEASURES)
        row["feedback_rate"] = row["answered"] / row["received"] if row["received"] else None
        row["mean_days_to_feedback"] = float(r.mean_days) if r.mean_days is not None else None
        row["median_days_to_feedback"] = median
        return row

    def grouped(column) -> list[dict]:
        medians = _medians(base, column, days, answered)
        out = []
        for r in db.session.execute(base(column.label("grp"), *columns).group_by(column).order_by(column)):
            out.append({"group": r.grp, **shaped(r, medians.get(r.grp))})
        return out

    total = shaped(db.session.execute(base(*columns)).one(), _medians(base, None, days, answered).get(None))
    channels = {row["group"]: row for row in grouped(Complaint.channel)}
    by_channel = [channels[c.value] for c in Channel if c.value in channels]
    return {"by_region": grouped(Lab.region), "by_channel": by_channel, "total": total, "as_of": on}


def _medians(base: Any, group: Any, days: Any, answered: Any) -> dict:
    """Median days to feedback per group (None: over all), by window functions in SQL: the mean
    of rows (n+1)//2 and (n+2)//2 of each group, ordered by days."""
    partition = {"partition_by": group} if group is not None else {}
    label = group.label("grp") if group is not None else literal("all").label("grp")
    inner = (
        base(
            label,
            days.label("d"),
            func.row_number().over(order_by=days, **partition).label("rn"),
            func.count().over(**partition).label("n"),
        )
        .where(answered)
        .subquery()
    )
    middle = or_(inner.c.rn == (inner.c.n + 1) // 2, inner.c.rn == (inner.c.n + 2) // 2)
    stmt = select(inner.c.grp, func.avg(inner.c.d)).where(middle).group_by(inner.c.grp)
    values = {grp: float(value) for grp, value in db.session.execute(stmt) if value is not None}
    if group is None:
        return {None: values["all"]} if "all" in values else {}
    return values


def complaints_awaiting_feedback(scope: int | None = None) -> dict[str, int]:
    """Complaints not yet answered: in all, and those not yet acknowledged."""
    stmt = select(
        count_if(Complaint.status != ComplaintStatus.ANSWERED.value).label("awaiting"),
        count_if(Complaint.status == ComplaintStatus.RECEIVED.value).label("unacknowledged"),
    )
    if scope is not None:
        stmt = stmt.where(Complaint.lab_id == scope)
    return _ints(db.session.execute(stmt).one(), ("awaiting", "unacknowledged"))
