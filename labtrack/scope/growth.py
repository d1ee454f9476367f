"""Capability growth between two dates for a lab, a region or everyone: the one service behind
the page, the `growth` command and the API. Every figure is aggregated in SQL."""

import calendar
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Date, Integer, String, and_, case, cast, func, literal, null, or_, select, union_all

from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.scope.models import ScopeEntry, TestCategory, TestItem
from labtrack.scope.values import SERIES_MAX_POINTS
from labtrack.services import InvalidInput

FOREVER = date(9999, 12, 31)  # stands for "never withdrawn" when periods are merged
MEASURES = ("categories", "items", "parameters", "accreditations")


@dataclass
class Growth:
    """What a lab, a region or everyone could test at A and at B, and what changed."""

    date_from: date
    date_to: date
    lab_code: str | None = None
    region: str | None = None
    categories_from: int = 0
    categories_to: int = 0
    items_from: int = 0
    items_to: int = 0
    parameters_from: int = 0
    parameters_to: int = 0
    accreditations_from: int = 0  # lab-item pairs held (equals items for one lab)
    accreditations_to: int = 0
    categories_added: list[str] = field(default_factory=list)
    categories_removed: list[str] = field(default_factory=list)
    items_added: list[str] = field(default_factory=list)
    items_removed: list[str] = field(default_factory=list)
    # The same changes with their names: {code, name, name_en[, category_code]}.
    categories_added_detail: list[dict] = field(default_factory=list)
    categories_removed_detail: list[dict] = field(default_factory=list)
    items_added_detail: list[dict] = field(default_factory=list)
    items_removed_detail: list[dict] = field(default_factory=list)

    def change(self, measure: str) -> int:
        """B minus A for categories, items, parameters or accreditations."""
        return getattr(self, f"{measure}_to") - getattr(self, f"{measure}_from")

    def percent(self, measure: str) -> float | None:
        """The change as a percentage of the figure at A (None when A is 0)."""
        start = getattr(self, f"{measure}_from")
        return round(100.0 * self.change(measure) / start, 1) if start else None

    @property
    def who(self) -> str:
        """Whose growth: the lab code, the region, or everyone."""
        return self.lab_code or self.region or _("all laboratories")

    def headline(self) -> str:
        """The field notes' sentence: from X categories and Y test items to Z categories and W test items."""
        return _(
            "From %(c1)s categories and %(i1)s test items to %(c2)s categories and %(i2)s test items",
            c1=self.categories_from,
            i1=self.items_from,
            c2=self.categories_to,
            i2=self.items_to,
        )

    def as_dict(self) -> dict:
        """JSON-ready: DESIGN's keys, plus changes, percentages and names."""
        data = asdict(self)
        data["date_from"] = self.date_from.isoformat()
        data["date_to"] = self.date_to.isoformat()
        for measure in MEASURES:
            data[f"{measure}_change"] = self.change(measure)
            data[f"{measure}_percent"] = self.percent(measure)
        data["headline"] = self.headline()
        return data

    def table_rows(self) -> list[tuple]:
        """(measure, at A, at B, change, percent) for tables and exports."""
        return [
            (m, getattr(self, f"{m}_from"), getattr(self, f"{m}_to"), self.change(m), self.percent(m))
            for m in MEASURES
        ]


def check_dates(date_from: date | None, date_to: date | None) -> None:
    """Both dates given and A before B; InvalidInput naming `from` / `to` otherwise."""
    errors: dict[str, list[str]] = {}
    if date_from is None:
        errors["from"] = [_("A start date is required (YYYY-MM-DD).")]
    if date_to is None:
        errors["to"] = [_("An end date is required (YYYY-MM-DD).")]
    if date_from and date_to and date_from >= date_to:
        errors["to"] = [_("The end date must come after the start date.")]
    if errors:
        raise InvalidInput(_("The dates of the growth report are not valid."), errors)


def _entries(lab_id: int | None, region: str | None):
    """The scope entries to count: one lab's, a region's labs', or everyone's."""
    e = ScopeEntry.__table__
    if region is not None:
        labs = Lab.__table__
        return e, [e.c.lab_id.in_(select(labs.c.id).where(labs.c.region == region))]
    if lab_id is not None:
        return e, [e.c.lab_id == lab_id]
    return e, []


def _held(e, on: date):
    """Held on `on`: within the period, and not suspended by a sanction in force that day."""
    from labtrack.scope.service import not_suspended_that_day

    return and_(
        e.c.granted_on <= on,
        or_(e.c.withdrawn_on.is_(None), e.c.withdrawn_on > on),
        not_suspended_that_day(e.c.lab_id, e.c.item_id, on),
    )


def growth(date_from: date, date_to: date, lab: Lab | None = None, region: str | None = None) -> Growth:
    """Counts at A and B, and the categories and items added and removed, in one SQL statement."""
    check_dates(date_from, date_to)
    e, where = _entries(lab.id if lab else None, region)
    at_a, at_b = _held(e, date_from), _held(e, date_to)
    one, zero = literal(1), literal(0)
    # One row per item held at A or at B (entries held only in between are skipped by the WHERE).
    held = (
        select(
            e.c.item_id,
            func.max(case((at_a, one), else_=zero)).label("a"),
            func.max(case((at_b, one), else_=zero)).label("b"),
            func.sum(case((at_a, one), else_=zero)).label("acc_a"),
            func.sum(case((at_b, one), else_=zero)).label("acc_b"),
        )
        .where(
            *where, e.c.granted_on <= date_to, or_(e.c.withdrawn_on.is_(None), e.c.withdrawn_on > date_from)
        )
        .group_by(e.c.item_id)
        .cte("held")
    )
    items, cats = TestItem.__table__, TestCategory.__table__
    params = func.coalesce(items.c.parameters, 0)
    per_category = (
        select(
            items.c.category_id,
            func.max(held.c.a).label("a"),
            func.max(held.c.b).label("b"),
            func.sum(held.c.a).label("ia"),
            func.sum(held.c.b).label("ib"),
            func.sum(held.c.a * params).label("pa"),
            func.sum(held.c.b * params).label("pb"),
            func.sum(held.c.acc_a).label("acc_a"),
            func.sum(held.c.acc_b).label("acc_b"),
        )
        .join(items, items.c.id == held.c.item_id)
        .group_by(items.c.category_id)
        .cte("per_category")
    )
    pc = per_category.c
    no_text = cast(null(), String)
    total = select(
        literal("total").label("kind"),
        no_text.label("code"),
        no_text.label("name"),
        no_text.label("name_en"),
        no_text.label("category_code"),
        func.coalesce(func.sum(pc.a), 0).label("v1"),
        func.coalesce(func.sum(pc.b), 0).label("v2"),
        func.coalesce(func.sum(pc.ia), 0).label("v3"),
        func.coalesce(func.sum(pc.ib), 0).label("v4"),
        func.coalesce(func.sum(pc.pa), 0).label("v5"),
        func.coalesce(func.sum(pc.pb), 0).label("v6"),
        func.coalesce(func.sum(pc.acc_a), 0).label("v7"),
        func.coalesce(func.sum(pc.acc_b), 0).label("v8"),
    )
    zero_int = cast(literal(0), Integer)
    changed_categories = (
        select(
            literal("category"),
            cats.c.code,
            cats.c.name,
            cats.c.name_en,
            no_text,
            pc.a,
            pc.b,
            zero_int,
            zero_int,
            zero_int,
            zero_int,
            zero_int,
            zero_int,
        )
        .join(cats, cats.c.id == pc.category_id)
        .where(pc.a != pc.b)
    )
    changed_items = (
        select(
            literal("item"),
            items.c.code,
            items.c.name,
            items.c.name_en,
            cats.c.code,
            held.c.a,
            held.c.b,
            zero_int,
            zero_int,
            zero_int,
            zero_int,
            zero_int,
            zero_int,
        )
        .join(items, items.c.id == held.c.item_id)
        .join(cats, cats.c.id == items.c.category_id)
        .where(held.c.a != held.c.b)
    )
    rows = db.session.execute(union_all(total, changed_categories, changed_items)).all()
    result = Growth(date_from, date_to, lab_code=lab.code if lab else None, region=region)
    for kind, code, name, name_en, category_code, *v in rows:
        if kind == "total":
            (
                result.categories_from,
                result.categories_to,
                result.items_from,
                result.items_to,
                result.parameters_from,
                result.parameters_to,
                result.accreditations_from,
                result.accreditations_to,
            ) = (int(x or 0) for x in v)
            continue
        detail = {"code": code, "name": name, "name_en": name_en}
        if kind == "item":
            detail["category_code"] = category_code
        added = int(v[1]) == 1
        getattr(
            result,
            f"{'categories' if kind == 'category' else 'items'}_{'added' if added else 'removed'}_detail",
        ).append(detail)
    for name in ("categories_added", "categories_removed", "items_added", "items_removed"):
        details = sorted(getattr(result, f"{name}_detail"), key=lambda d: d["code"])
        setattr(result, f"{name}_detail", details)
        setattr(result, name, [d["code"] for d in details])
    return result


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def series_points(date_from: date, date_to: date, step: str | None = None) -> tuple[str, list[date]]:
    """A, the month (or quarter) ends strictly between, and B; quarters when the span exceeds 3 years."""
    months = (date_to.year - date_from.year) * 12 + date_to.month - date_from.month
    if step not in ("month", "quarter"):
        step = "month" if months <= 36 else "quarter"
    points = [date_from]
    year, month = date_from.year, date_from.month
    while True:
        end = _month_end(year, month)
        if end >= date_to:
            break
        if end > date_from and (step == "month" or month % 3 == 0):
            points.append(end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    points.append(date_to)
    return step, points


def check_series(date_from: date, date_to: date, step: str | None) -> tuple[str, list[date]]:
    """The step and points of a series; InvalidInput (422) when there would be more than
    SERIES_MAX_POINTS of them (a month series over more than a century)."""
    step, points = series_points(date_from, date_to, step)
    if len(points) > SERIES_MAX_POINTS:
        raise InvalidInput(
            _(
                "The series would have %(n)s points; at most %(max)s are drawn.",
                n=len(points),
                max=SERIES_MAX_POINTS,
            ),
            {"series": [_("Choose quarters, or a shorter period.")]},
        )
    return step, points


def fit_step(date_from: date, date_to: date, step: str | None) -> tuple[str | None, str | None]:
    """The step to draw with: the one asked for, or quarters (with a note why) when the one
    asked for would give too many points."""
    try:
        check_series(date_from, date_to, step)
    except InvalidInput as exc:
        return None, exc.message
    return step, None


def _islands(periods):
    """Merge each key's periods (key, g, w) into islands of continuous holding: (key, s, w).

    Periods touching end to start (a new one granted the day the last one ended) are one island.
    """
    ordered = select(
        periods.c.key,
        periods.c.g,
        periods.c.w,
        func.max(periods.c.w)
        .over(partition_by=periods.c.key, order_by=(periods.c.g, periods.c.w), rows=(None, -1))
        .label("prev_end"),
    ).subquery()
    starts = select(
        ordered.c.key,
        ordered.c.g,
        ordered.c.w,
        func.sum(case((or_(ordered.c.prev_end.is_(None), ordered.c.g > ordered.c.prev_end), 1), else_=0))
        .over(partition_by=ordered.c.key, order_by=(ordered.c.g, ordered.c.w))
        .label("island"),
    ).subquery()
    return (
        select(starts.c.key, func.min(starts.c.g).label("s"), func.max(starts.c.w).label("w"))
        .group_by(starts.c.key, starts.c.island)
        .subquery()
    )


def growth_series(
    date_from: date, date_to: date, lab: Lab | None = None, region: str | None = None, step: str | None = None
) -> dict:
    """Categories, items, parameters and accreditations at each month or quarter end.

    Periods are merged per item and per category into islands (window functions); each island
    start and end, and each grant and withdrawal, is a dated change; SQL sums the changes per day
    and runs their totals (a window over the days). The value at a point is the running total of
    the last day at or before it, so the cost grows with the data, not with the number of points
    (no statement per point, no compound SELECT of the points). At most SERIES_MAX_POINTS points.
    """
    check_dates(date_from, date_to)
    step, points = check_series(date_from, date_to, step)
    e, where = _entries(lab.id if lab else None, region)
    items = TestItem.__table__
    end = func.coalesce(e.c.withdrawn_on, literal(FOREVER, Date))
    held_by_item = (
        select(e.c.item_id.label("key"), e.c.granted_on.label("g"), end.label("w"))
        .where(*where, e.c.granted_on <= date_to)
        .subquery("item_periods")
    )
    held_by_category = (
        select(items.c.category_id.label("key"), e.c.granted_on.label("g"), end.label("w"))
        .join(items, items.c.id == e.c.item_id)
        .where(*where, e.c.granted_on <= date_to)
        .subquery("category_periods")
    )
    item_islands, category_islands = _islands(held_by_item), _islands(held_by_category)
    params = func.coalesce(items.c.parameters, 0)
    zero, one = literal(0), literal(1)

    def change(day, n_items, n_params, n_categories, n_accreditations):
        return select(
            day.label("d"),
            n_items.label("i"),
            n_params.label("p"),
            n_categories.label("c"),
            n_accreditations.label("a"),
        )

    changes = union_all(
        change(item_islands.c.s, one, params, zero, zero).join(items, items.c.id == item_islands.c.key),
        change(item_islands.c.w, -one, -params, zero, zero)
        .join(items, items.c.id == item_islands.c.key)
        .where(item_islands.c.w <= date_to),
        change(category_islands.c.s, zero, zero, one, zero),
        change(category_islands.c.w, zero, zero, -one, zero).where(category_islands.c.w <= date_to),
        change(e.c.granted_on, zero, zero, zero, one).where(*where, e.c.granted_on <= date_to),
        change(e.c.withdrawn_on, zero, zero, zero, -one).where(
            *where, e.c.withdrawn_on.is_not(None), e.c.withdrawn_on <= date_to
        ),
    ).subquery("changes")
    per_day = (
        select(
            changes.c.d,
            func.sum(changes.c.i).label("i"),
            func.sum(changes.c.p).label("p"),
            func.sum(changes.c.c).label("c"),
            func.sum(changes.c.a).label("a"),
        )
        .group_by(changes.c.d)
        .subquery("per_day")
    )
    running = select(
        per_day.c.d,
        *(func.sum(per_day.c[k]).over(order_by=per_day.c.d) for k in ("i", "p", "c", "a")),
    ).order_by(per_day.c.d)
    rows = db.session.execute(running).all()
    days = [_as_date(r[0]) for r in rows]
    series = []
    for point in points:
        last = bisect_right(days, point) - 1
        n_items, n_params, n_categories, n_acc = (
            (int(v or 0) for v in rows[last][1:]) if last >= 0 else (0,) * 4
        )
        series.append(
            {
                "on": point.isoformat(),
                "categories": n_categories,
                "items": n_items,
                "parameters": n_params,
                "accreditations": n_acc,
            }
        )
    return {"step": step, "points": series}


def _as_date(value) -> date:
    """SQLite hands computed dates back as text."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def lab_by_code(code: str) -> Lab | None:
    """The lab with this code (no visibility check: callers check)."""
    return db.session.scalar(select(Lab).where(Lab.code == code))


def region_exists(region: str) -> bool:
    """Whether any lab is in this region."""
    return db.session.scalar(select(Lab.id).where(Lab.region == region).limit(1)) is not None
