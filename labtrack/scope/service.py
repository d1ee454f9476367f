"""Scope rules: what a lab holds on a date, granting and withdrawing items, the catalogue.

Functions that read or change on someone's behalf take the acting user (`actor`; None for the
system) and ask `scope.policy`; records are loaded with `load`/`load_by` (404 for what the actor
may not see), values parsed with `scope.values` and `labtrack.parsing`, changes written inside one
`transaction`. Category and item codes are unique as `parsing.code_key` compares them. Functions
taking a lab id read what the caller has already been allowed to see.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select, true

from labtrack import parsing
from labtrack.extensions import db
from labtrack.labs import service as labs_service
from labtrack.labs import values as lab_values
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.parsing import Fields, code_key
from labtrack.scope import policy, values
from labtrack.scope.growth import check_dates, fit_step, growth
from labtrack.scope.models import Basis, ScopeEntry, TestCategory, TestItem, WithdrawalReason
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound, load, load_by, transaction

BASES = [b.value for b in Basis]
REASONS = [r.value for r in WithdrawalReason]
SEARCH_MAX = 100


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


def not_suspended(lab_id_col: Any, item_id_col: Any, on: Any) -> ColumnElement[bool]:
    """No sanction in force on `on` suspends the item or the lab's whole qualification (the
    planning area's condition; always true where that area is absent)."""
    try:
        from labtrack.planning.sanctions import not_suspended as planning_not_suspended
    except ModuleNotFoundError:  # pragma: no cover - every install has planning
        return true()
    return planning_not_suspended(lab_id_col, item_id_col, on)


def not_suspended_that_day(lab_id_col: Any, item_id_col: Any, on: date) -> ColumnElement[bool]:
    """`not_suspended` for one fixed day over many periods (read once, not per period)."""
    try:
        from labtrack.planning.sanctions import not_suspended_that_day as planning_that_day
    except ModuleNotFoundError:  # pragma: no cover - every install has planning
        return true()
    return planning_that_day(lab_id_col, item_id_col, on)


def held_on(on: date) -> ColumnElement[bool]:
    """The condition "this entry is held on `on`": granted_on <= on < withdrawn_on (or never
    withdrawn), and no sanction in force that day suspends it (a suspended item is not held)."""
    return and_(
        ScopeEntry.granted_on <= on,
        or_(ScopeEntry.withdrawn_on.is_(None), ScopeEntry.withdrawn_on > on),
        not_suspended(ScopeEntry.lab_id, ScopeEntry.item_id, on),
    )


def suspended_rows(lab_id: int, on: date) -> list[dict]:
    """The items a lab's scope grants on `on` that a sanction in force suspends that day: item
    code and names, and the sanction (reference, kind, dates), by item code."""
    try:
        from labtrack.planning.sanctions import in_force
    except ModuleNotFoundError:  # pragma: no cover
        return []
    sanctions = [s for s in in_force(lab_id, on) if s.suspends]
    if not sanctions:
        return []
    whole = next((s for s in sanctions if s.whole), None)
    by_item = {si.item_id: s for s in sanctions for si in s.items}
    stmt = (
        select(ScopeEntry.item_id, TestItem.code, TestItem.name, TestItem.name_en)
        .join(TestItem, ScopeEntry.item_id == TestItem.id)
        .where(
            ScopeEntry.lab_id == lab_id,
            ScopeEntry.granted_on <= on,
            or_(ScopeEntry.withdrawn_on.is_(None), ScopeEntry.withdrawn_on > on),
        )
        .order_by(TestItem.code)
    )
    rows = []
    for item_id, code, name, name_en in db.session.execute(stmt):
        sanction = whole or by_item.get(item_id)
        if sanction is not None:
            rows.append({"item_code": code, "item_name": name, "item_name_en": name_en, "sanction": sanction})
    return rows


def current_categories(lab_id: int, on: date) -> list[TestCategory]:
    """The distinct categories of the items a lab holds on a date, ordered by code."""
    return categories_by_lab([lab_id], on)[lab_id]


def categories_by_lab(lab_ids: list[int], on: date) -> dict[int, list[TestCategory]]:
    """`current_categories` for many labs in one query: lab id -> its categories by code."""
    held = (
        select(ScopeEntry.lab_id, TestItem.category_id)
        .join(TestItem, ScopeEntry.item_id == TestItem.id)
        .where(ScopeEntry.lab_id.in_(lab_ids), held_on(on))
        .distinct()
        .subquery()
    )
    stmt = (
        select(held.c.lab_id, TestCategory)
        .join(TestCategory, TestCategory.id == held.c.category_id)
        .order_by(held.c.lab_id, TestCategory.code)
    )
    result: dict[int, list[TestCategory]] = {lab_id: [] for lab_id in lab_ids}
    for lab_id, category in db.session.execute(stmt):
        result[lab_id].append(category)
    return result


def scope_counts(lab_id: int, on: date) -> dict[str, int]:
    """Categories, items and parameters a lab holds on a date (one aggregate query)."""
    row = db.session.execute(
        select(
            func.count(func.distinct(TestItem.category_id)),
            func.count(func.distinct(TestItem.id)),
            func.coalesce(func.sum(TestItem.parameters), 0),
        )
        .select_from(ScopeEntry)
        .join(TestItem, ScopeEntry.item_id == TestItem.id)
        .where(ScopeEntry.lab_id == lab_id, held_on(on))
    ).one()
    return {"categories": row[0], "items": row[1], "parameters": int(row[2] or 0)}


def scope_rows(lab_id: int, on: date) -> list:
    """A lab's scope on a date: one row per item with its category and period, by category and item code."""
    stmt = (
        select(
            TestCategory.code.label("category_code"),
            TestCategory.name.label("category_name"),
            TestCategory.name_en.label("category_name_en"),
            TestItem.code.label("item_code"),
            TestItem.name.label("item_name"),
            TestItem.name_en.label("item_name_en"),
            TestItem.method,
            TestItem.parameters,
            ScopeEntry.id.label("entry_id"),
            ScopeEntry.granted_on,
            ScopeEntry.basis,
        )
        .select_from(ScopeEntry)
        .join(TestItem, ScopeEntry.item_id == TestItem.id)
        .join(TestCategory, TestItem.category_id == TestCategory.id)
        .where(ScopeEntry.lab_id == lab_id, held_on(on))
        .order_by(TestCategory.code, TestItem.code)
    )
    return list(db.session.execute(stmt))


def scope_view(lab: Lab, on: date) -> dict:
    """A lab's scope on a date, to be shaped by ScopeSchema (the page and the API)."""
    counts = scope_counts(lab.id, on)
    return {
        "lab_code": lab.code,
        "on": on,
        "categories": counts["categories"],
        "items_count": counts["items"],
        "parameters": counts["parameters"],
        "items": [dict(r._mapping) for r in scope_rows(lab.id, on)],
    }


def category_counts(lab_id: int, on: date) -> list:
    """Per category of a lab's scope on a date: items and parameters held (GROUP BY in SQL)."""
    stmt = (
        select(
            TestCategory.id,
            TestCategory.code,
            TestCategory.name,
            TestCategory.name_en,
            func.count(func.distinct(TestItem.id)).label("items"),
            func.coalesce(func.sum(TestItem.parameters), 0).label("parameters"),
        )
        .select_from(ScopeEntry)
        .join(TestItem, ScopeEntry.item_id == TestItem.id)
        .join(TestCategory, TestItem.category_id == TestCategory.id)
        .where(ScopeEntry.lab_id == lab_id, held_on(on))
        .group_by(TestCategory.id, TestCategory.code, TestCategory.name, TestCategory.name_en)
        .order_by(TestCategory.code)
    )
    return list(db.session.execute(stmt))


def timeline_query(lab_id: int) -> Select:
    """Every period of a lab, newest change first (grants and withdrawals)."""
    last_change = func.coalesce(ScopeEntry.withdrawn_on, ScopeEntry.granted_on)
    return (
        select(ScopeEntry)
        .join(TestItem, ScopeEntry.item_id == TestItem.id)
        .where(ScopeEntry.lab_id == lab_id)
        .order_by(last_change.desc(), TestItem.code, ScopeEntry.id.desc())
    )


def timeline_events(lab_id: int, limit: int = 500) -> list[dict]:
    """The lab's scope changes as dated events (granted or withdrawn), newest first."""
    grants = (
        select(
            ScopeEntry.granted_on.label("on"),
            ScopeEntry.id,
            literal("granted").label("event"),
            ScopeEntry.basis.label("why"),
            TestItem.code,
            TestItem.name,
            TestCategory.code.label("category_code"),
        )
        .join(TestItem, ScopeEntry.item_id == TestItem.id)
        .join(TestCategory, TestItem.category_id == TestCategory.id)
        .where(ScopeEntry.lab_id == lab_id)
    )
    withdrawals = (
        select(
            ScopeEntry.withdrawn_on.label("on"),
            ScopeEntry.id,
            literal("withdrawn").label("event"),
            ScopeEntry.withdrawal_reason.label("why"),
            TestItem.code,
            TestItem.name,
            TestCategory.code.label("category_code"),
        )
        .join(TestItem, ScopeEntry.item_id == TestItem.id)
        .join(TestCategory, TestItem.category_id == TestCategory.id)
        .where(ScopeEntry.lab_id == lab_id, ScopeEntry.withdrawn_on.is_not(None))
    )
    union = grants.union_all(withdrawals).subquery()
    stmt = select(union).order_by(union.c.on.desc(), union.c.event, union.c.code).limit(limit)
    return [dict(r._mapping) for r in db.session.execute(stmt)]


def item_holders_query(item_id: int, actor: Any, on: date | None = None) -> Select:
    """Periods of an item across the labs the actor sees (a lab manager: their own lab's)."""
    stmt = (
        select(ScopeEntry)
        .join(Lab, ScopeEntry.lab_id == Lab.id)
        .where(ScopeEntry.item_id == item_id)
        .order_by(Lab.code, ScopeEntry.granted_on)
    )
    if on is not None:
        stmt = stmt.where(held_on(on))
    return policy.narrow(stmt, actor)


def labs_overview(actor: Any, on: date) -> list:
    """The labs the actor sees that hold something on a date: code, name, region, categories, items."""
    stmt = (
        select(
            Lab.code,
            Lab.name,
            Lab.region,
            func.count(func.distinct(TestItem.category_id)),
            func.count(func.distinct(ScopeEntry.item_id)),
        )
        .select_from(Lab)
        .join(ScopeEntry, ScopeEntry.lab_id == Lab.id)
        .join(TestItem, TestItem.id == ScopeEntry.item_id)
        .where(held_on(on))
        .group_by(Lab.id, Lab.code, Lab.name, Lab.region)
        .order_by(Lab.code)
    )
    return db.session.execute(policy.narrow(stmt, actor, Lab.id)).all()


# --- Catalogue ---


def parse_catalogue_filters(args: dict[str, Any]) -> dict[str, Any]:
    """`q` (a search) and `category` (a code) from a query string; InvalidInput if unusable."""
    f = Fields(args)
    filters = {
        "q": f.get("q", parsing.text, required=False, max_len=SEARCH_MAX, multiline=False),
        "category_code": f.get("category", values.code, required=False),
    }
    f.raise_if_any(_("The filters of the list are not valid."))
    return filters


def catalogue_query(q: str | None = None, category_code: str | None = None) -> Select:
    """Items of the catalogue, searched by code, name or method, optionally in one category."""
    stmt = select(TestItem).join(TestCategory, TestItem.category_id == TestCategory.id)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(
            or_(
                TestItem.code.ilike(like),
                TestItem.name.ilike(like),
                TestItem.name_en.ilike(like),
                TestItem.method.ilike(like),
                TestCategory.name.ilike(like),
                TestCategory.name_en.ilike(like),
            )
        )
    if category_code:
        stmt = stmt.where(TestCategory.code_key == code_key(category_code))
    return stmt.order_by(TestCategory.code, TestItem.code)


def category_choices() -> list[tuple[str, str]]:
    """(code, "code name") of every category, for a select field."""
    rows = db.session.execute(select(TestCategory.code, TestCategory.name).order_by(TestCategory.code))
    return [(c, f"{c} {n}") for c, n in rows]


def categories_with_counts() -> list:
    """Every category with the number of items it has in the catalogue."""
    stmt = (
        select(TestCategory, func.count(TestItem.id).label("items"))
        .outerjoin(TestItem, TestItem.category_id == TestCategory.id)
        .group_by(TestCategory.id)
        .order_by(TestCategory.code)
    )
    return list(db.session.execute(stmt))


def load_item(code: Any, actor: Any) -> TestItem:
    """The catalogue item with this code (NotFound otherwise)."""
    return load_by(
        TestItem,
        TestItem.code,
        labs_service.url_code(code),
        visible=lambda _i: policy.sees_catalogue(actor),
        what=_("test item"),
    )


def load_category(code: Any, actor: Any) -> TestCategory:
    """The category with this code (NotFound otherwise)."""
    return load_by(
        TestCategory,
        TestCategory.code,
        labs_service.url_code(code),
        visible=lambda _c: policy.sees_catalogue(actor),
        what=_("test category"),
    )


def item_by_code(code: str) -> TestItem | None:
    """The item whose code is this one as codes compare (case and width folded), if any."""
    return db.session.scalar(select(TestItem).where(TestItem.code_key == code_key(code)))


def category_by_code(code: str) -> TestCategory | None:
    """The category whose code is this one as codes compare, if any."""
    return db.session.scalar(select(TestCategory).where(TestCategory.code_key == code_key(code)))


def _unique_code(f: Fields, model: Any, value: str | None, record: Any, message: str) -> None:
    """Note an error if another record of the model has this code as codes compare."""
    if not value or "code" in f.errors:
        return
    clash = db.session.scalar(
        select(model.code).where(model.code_key == code_key(value), model.id != (record.id if record else -1))
    )
    if clash is not None:
        f.add("code", message % {"code": clash})


def save_category(data: dict[str, Any], actor: Any, category: TestCategory | None = None) -> TestCategory:
    """Create a category (code and name required) or change the fields given of one."""
    _require(policy.may_edit_catalogue(actor), _("You may not change the catalogue."))
    new = category is None
    f = Fields(data)
    clean: dict[str, Any] = {}
    if new or "code" in data:
        clean["code"] = f.get("code", values.code)
    if new or "name" in data:
        clean["name"] = f.get("name", values.category_name)
    if "name_en" in data:
        clean["name_en"] = f.get("name_en", values.category_name, required=False)
    _unique_code(
        f, TestCategory, clean.get("code"), category, _("Another category already has the code %(code)s.")
    )
    f.raise_if_any(_("The category could not be saved."))
    with transaction(actor):
        if category is None:
            category = TestCategory(**clean)
            db.session.add(category)
        else:
            for key, value in clean.items():
                setattr(category, key, value)
    return category


def save_item(data: dict[str, Any], actor: Any, item: TestItem | None = None) -> TestItem:
    """Create an item (code, name and category code required) or change the fields given of one."""
    _require(policy.may_edit_catalogue(actor), _("You may not change the catalogue."))
    new = item is None
    f = Fields(data)
    clean: dict[str, Any] = {}
    if new or "code" in data:
        clean["code"] = f.get("code", values.code)
    if new or "name" in data:
        clean["name"] = f.get("name", values.item_name)
    if "name_en" in data:
        clean["name_en"] = f.get("name_en", values.item_name, required=False)
    if "method" in data:
        clean["method"] = f.get("method", values.method)
    if "parameters" in data:
        clean["parameters"] = f.get("parameters", values.parameters)
    if new or "category_code" in data:
        category_code = f.get("category_code", values.code)
        category = category_by_code(category_code) if category_code else None
        if category_code and category is None:
            f.add("category_code", _("Unknown category %(code)s.", code=category_code))
        elif category is not None:
            clean["category_id"] = category.id
    _unique_code(f, TestItem, clean.get("code"), item, _("Another item already has the code %(code)s."))
    f.raise_if_any(_("The item could not be saved."))
    with transaction(actor):
        if item is None:
            item = TestItem(**clean)
            db.session.add(item)
        else:
            for key, value in clean.items():
                setattr(item, key, value)
    return item


# --- Granting and withdrawing ---


def _overlapping(lab_id: int, item_id: int, start: date, end: date | None, exclude_id: int | None = None):
    """The first period of the same lab and item overlapping [start, end), if any."""
    conditions = [
        ScopeEntry.lab_id == lab_id,
        ScopeEntry.item_id == item_id,
        or_(ScopeEntry.withdrawn_on.is_(None), ScopeEntry.withdrawn_on > start),
    ]
    if end is not None:
        conditions.append(ScopeEntry.granted_on < end)
    if exclude_id is not None:
        conditions.append(ScopeEntry.id != exclude_id)
    return db.session.scalar(select(ScopeEntry).where(*conditions).order_by(ScopeEntry.granted_on).limit(1))


def grant_item(
    lab: Lab,
    item: TestItem,
    granted_on: Any,
    actor: Any,
    basis: str = Basis.EXTENSION,
    withdrawn_on: Any = None,
    withdrawal_reason: str | None = None,
    note: str | None = None,
) -> ScopeEntry:
    """Add a period to a lab's scope; refuses bad dates and periods overlapping another of the same item."""
    _require(policy.may_edit_scope(actor, lab), _("You may not change the scope of this laboratory."))
    f = Fields(
        {
            "granted_on": granted_on,
            "withdrawn_on": withdrawn_on,
            "basis": basis,
            "withdrawal_reason": withdrawal_reason,
            "note": note,
        }
    )
    start = f.get("granted_on", parsing.day)
    end = f.get("withdrawn_on", parsing.day, required=False)
    basis = f.get("basis", parsing.choice, BASES)
    reason = f.get("withdrawal_reason", parsing.choice, REASONS, required=False)
    note = f.get("note", values.note)
    if start and end and end <= start:
        f.add("withdrawn_on", _("The withdrawal must come after the grant."))
    f.raise_if_any(_("The item could not be granted."))
    clash = _overlapping(lab.id, item.id, start, end)
    if clash is not None:  # the dates given are what to change: a field error, the form re-renders
        raise InvalidInput(
            _(
                "%(lab)s already holds %(item)s from %(start)s to %(end)s; periods of the same item may not overlap.",
                lab=lab.code,
                item=item.code,
                start=clash.granted_on.isoformat(),
                end=clash.withdrawn_on.isoformat() if clash.withdrawn_on else _("now"),
            ),
            {"granted_on": [_("Overlaps a period already recorded.")]},
        )
    with transaction(actor, note):
        entry = ScopeEntry(
            lab_id=lab.id,
            item_id=item.id,
            granted_on=start,
            withdrawn_on=end,
            basis=basis,
            withdrawal_reason=(reason or WithdrawalReason.REDUCTION) if end else None,
            note=note,
        )
        db.session.add(entry)
    return entry


def grant(lab: Lab, data: dict[str, Any], actor: Any) -> ScopeEntry:
    """Grant the item named by `item_code` (as codes compare) from `granted_on`, with a basis and note."""
    _require(policy.may_edit_scope(actor, lab), _("You may not change the scope of this laboratory."))
    f = Fields(data)
    code = f.get("item_code", values.code)
    item = item_by_code(code) if code else None
    if code and item is None:
        f.add("item_code", _("No item with this code in the catalogue."))
    f.raise_if_any(_("The item could not be granted."))
    return grant_item(
        lab,
        item,
        data.get("granted_on"),
        actor,
        basis=data.get("basis") or Basis.EXTENSION.value,
        note=data.get("note"),
    )


def withdraw_entry(
    entry: ScopeEntry, withdrawn_on: Any, reason: str, actor: Any, note: str | None = None
) -> ScopeEntry:
    """End a period the lab holds: on a date after the grant, with a reason (and a note)."""
    _require(policy.may_edit_scope(actor, entry.lab), _("You may not change the scope of this laboratory."))
    f = Fields({"withdrawn_on": withdrawn_on, "withdrawal_reason": reason, "note": note})
    end = f.get("withdrawn_on", parsing.day)
    reason = f.get("withdrawal_reason", parsing.choice, REASONS)
    note = f.get("note", values.note)
    if "withdrawal_reason" in f.errors:
        f.errors["withdrawal_reason"] = [_("Choose reduction, suspension or revocation.")]
    if end and end <= entry.granted_on:
        f.add(
            "withdrawn_on",
            _("The withdrawal must come after the grant (%(date)s).", date=entry.granted_on.isoformat()),
        )
    f.raise_if_any(_("The item could not be withdrawn."))
    if not policy.may_withdraw(actor, entry):
        raise Conflict(_("This period already ended on %(date)s.", date=entry.withdrawn_on.isoformat()))
    later = _overlapping(entry.lab_id, entry.item_id, entry.granted_on, end, exclude_id=entry.id)
    if later is not None:  # cannot happen with an open period, kept as a guard
        raise Conflict(_("Another period of this item overlaps."))
    with transaction(actor, note):
        entry.withdrawn_on = end
        entry.withdrawal_reason = reason
        if note:
            entry.note = note
    return entry


def open_entry(lab_id: int, item_id: int) -> ScopeEntry | None:
    """The period of an item a lab holds with no end date, if any."""
    return db.session.scalar(
        select(ScopeEntry).where(
            ScopeEntry.lab_id == lab_id, ScopeEntry.item_id == item_id, ScopeEntry.withdrawn_on.is_(None)
        )
    )


def load_entry(lab: Lab, entry_id: Any, actor: Any) -> ScopeEntry:
    """A period of this lab the actor may see, or NotFound."""
    return load(
        ScopeEntry,
        entry_id,
        visible=lambda e: e.lab_id == lab.id and policy.sees_entry(actor, e),
        what=_("scope entry"),
    )


def labs_holding(on: date) -> int:
    """How many labs hold at least one item on a date (one aggregate query)."""
    return db.session.scalar(select(func.count(func.distinct(ScopeEntry.lab_id))).where(held_on(on))) or 0


# --- capability growth: whose, and over which period ------------------------------------------


@dataclass
class GrowthRequest:
    """What a growth page, export or API call asks for, resolved for the actor."""

    date_from: date
    date_to: date
    lab: Lab | None
    region: str | None
    step: str | None = None
    notes: list[str] = field(default_factory=list)  # what was corrected (shown to the user)


def growth_subject(actor: Any, lab_code: str | None = None, region: str | None = None):
    """(lab, region) whose growth the actor gets: a lab manager always their own lab; otherwise
    the lab asked for (NotFound if not theirs to see), a region some visible lab is in
    (InvalidInput otherwise), or everyone (None, None)."""
    confined = policy.growth_lab(actor)
    if confined is not None:
        lab = db.session.get(Lab, confined) if confined > 0 else None
        if lab is None:
            raise NotFound(_("No such %(what)s.", what=_("laboratory")))
        return lab, None
    if lab_code:
        return labs_service.load_lab(lab_code, actor), None
    if region:
        f = Fields({"region": region})
        region = f.get("region", lab_values.region)
        if region is not None and not labs_service.region_known(region, actor):
            f.add("region", _("No laboratory in region %(region)s.", region=region))
        f.raise_if_any(_("The region is not known."))
    return None, region or None


def default_period(on: date | None = None) -> tuple[date, date]:
    """The growth report's default period: the end of last year to today."""
    end = on or today()
    return date(end.year - 1, 12, 31), end


def growth_request(actor: Any, args: dict[str, Any], *, strict: bool) -> GrowthRequest:
    """Dates (`from`, `to`), lab or region and step (`step`) from a query string.

    Strict (exports): InvalidInput for bad dates. Otherwise (the page): bad dates are replaced by
    the default period and the reason is kept in `notes`, so the page still shows a report.
    """
    f = Fields(args)
    date_from = f.get("from", parsing.day, required=False)
    date_to = f.get("to", parsing.day, required=False)
    step = f.get("step", parsing.choice, ["month", "quarter"], required=False)
    if strict:
        f.raise_if_any(_("The dates of the growth report are not valid."))
    notes = [m for messages in f.errors.values() for m in messages]
    default_from, default_to = default_period()
    date_from, date_to = date_from or default_from, date_to or default_to
    if date_from >= date_to:
        if strict:
            check_dates(date_from, date_to)
        notes.append(_("The end date must come after the start date."))
        date_from, date_to = default_from, default_to
    lab, region = growth_subject(actor, args.get("lab") or None, args.get("region") or None)
    if step is not None and not strict:
        step, note = fit_step(date_from, date_to, step)
        if note:
            notes.append(note)
    return GrowthRequest(date_from, date_to, lab, region, step, notes)


def scope_card(actor: Any) -> dict:
    """The home page's scope card: a lab manager's lab today; for everyone else what the whole
    system holds today and its growth over the current year so far."""
    on = today()
    confined = policy.growth_lab(actor)
    if confined is not None:
        lab = db.session.get(Lab, confined) if confined > 0 else None
        counts = scope_counts(lab.id, on) if lab else {"categories": 0, "items": 0, "parameters": 0}
        return {"lab": lab, **counts}
    result = growth(*default_period(on))
    return {
        "lab": None,
        "labs": labs_holding(on),
        "categories": result.categories_to,
        "items": result.items_to,
        "parameters": result.parameters_to,
        "growth": result,
    }


def growth_rows(result: Any) -> list[list]:
    """The growth report's export: the figures at A and B, then each category and item added or removed."""
    rows: list[list] = [["", result.date_from.isoformat(), result.date_to.isoformat(), "change", "percent"]]
    rows += [list(r) for r in result.table_rows()]
    rows.append([])
    rows.append(["change", "kind", "code", "name", "name_en"])
    for change in ("added", "removed"):
        for kind in ("categories", "items"):
            for d in getattr(result, f"{kind}_{change}_detail"):
                rows.append(
                    [change, "item" if kind == "items" else "category", d["code"], d["name"], d["name_en"]]
                )
    return rows
