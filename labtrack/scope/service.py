"""Scope rules: what a lab holds on a date, granting and withdrawing items, the catalogue."""

from datetime import date
from typing import Any

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select

from labtrack.auth.permissions import lab_scope_id
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.scope.models import Basis, ScopeEntry, TestCategory, TestItem, WithdrawalReason
from labtrack.services import Conflict, InvalidInput, NotFound, act_as, commit


def held_on(on: date) -> ColumnElement[bool]:
    """The condition "this entry is held on `on`": granted_on <= on < withdrawn_on (or never withdrawn)."""
    return and_(
        ScopeEntry.granted_on <= on,
        or_(ScopeEntry.withdrawn_on.is_(None), ScopeEntry.withdrawn_on > on),
    )


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


def item_holders_query(item_id: int, on: date | None = None) -> Select:
    """Periods of an item across labs (a lab manager sees only their own lab's)."""
    stmt = (
        select(ScopeEntry)
        .join(Lab, ScopeEntry.lab_id == Lab.id)
        .where(ScopeEntry.item_id == item_id)
        .order_by(Lab.code, ScopeEntry.granted_on)
    )
    if on is not None:
        stmt = stmt.where(held_on(on))
    scope = lab_scope_id()
    return stmt if scope is None else stmt.where(ScopeEntry.lab_id == scope)


# --- Catalogue ---


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
        stmt = stmt.where(TestCategory.code == category_code)
    return stmt.order_by(TestCategory.code, TestItem.code)


def categories_with_counts() -> list:
    """Every category with the number of items it has in the catalogue."""
    stmt = (
        select(TestCategory, func.count(TestItem.id).label("items"))
        .outerjoin(TestItem, TestItem.category_id == TestCategory.id)
        .group_by(TestCategory.id)
        .order_by(TestCategory.code)
    )
    return list(db.session.execute(stmt))


def get_item_or_404(code: str) -> TestItem:
    """The catalogue item with this code, or 404."""
    item = db.session.scalar(select(TestItem).where(TestItem.code == code))
    if item is None:
        abort(404)
    return item


def get_category_or_404(code: str) -> TestCategory:
    """The category with this code, or 404."""
    category = db.session.scalar(select(TestCategory).where(TestCategory.code == code))
    if category is None:
        abort(404)
    return category


def _clean(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    out = {}
    for key in keys:
        if key in data:
            value = data[key]
            out[key] = value.strip() or None if isinstance(value, str) else value
    return out


def _require_code_and_name(values: dict, errors: dict) -> None:
    for key in ("code", "name"):
        if key in values and not values[key]:
            errors.setdefault(key, []).append(_("This field is required."))


def save_category(data: dict[str, Any], actor: Any, category: TestCategory | None = None) -> TestCategory:
    """Create or change a category; codes are unique (case-insensitive)."""
    values = _clean(data, ("code", "name", "name_en"))
    errors: dict[str, list[str]] = {}
    if category is None:
        values.setdefault("code", None)
        values.setdefault("name", None)
    _require_code_and_name(values, errors)
    if values.get("code"):
        clash = db.session.scalar(
            select(TestCategory.id).where(
                func.lower(TestCategory.code) == values["code"].lower(),
                TestCategory.id != (category.id if category else -1),
            )
        )
        if clash is not None:
            errors.setdefault("code", []).append(
                _("Another category already has code %(code)s.", code=values["code"])
            )
    if errors:
        raise InvalidInput(_("The category could not be saved."), errors)
    if category is None:
        category = TestCategory(**values)
        db.session.add(category)
    else:
        for key, value in values.items():
            setattr(category, key, value)
    act_as(actor)
    commit()
    return category


def save_item(data: dict[str, Any], actor: Any, item: TestItem | None = None) -> TestItem:
    """Create or change a catalogue item; the category is given by its code."""
    values = _clean(data, ("code", "name", "name_en", "method", "parameters"))
    errors: dict[str, list[str]] = {}
    if item is None:
        values.setdefault("code", None)
        values.setdefault("name", None)
    _require_code_and_name(values, errors)
    if "category_code" in data or item is None:
        code = (data.get("category_code") or "").strip()
        category = db.session.scalar(select(TestCategory).where(TestCategory.code == code)) if code else None
        if category is None:
            errors.setdefault("category_code", []).append(_("Unknown category %(code)s.", code=code or "-"))
        else:
            values["category_id"] = category.id
    params = values.get("parameters")
    if params is not None and (not isinstance(params, int) or params < 0):
        errors.setdefault("parameters", []).append(_("A whole number, 0 or more."))
    if values.get("code"):
        clash = db.session.scalar(
            select(TestItem.id).where(
                func.lower(TestItem.code) == values["code"].lower(), TestItem.id != (item.id if item else -1)
            )
        )
        if clash is not None:
            errors.setdefault("code", []).append(
                _("Another item already has code %(code)s.", code=values["code"])
            )
    if errors:
        raise InvalidInput(_("The item could not be saved."), errors)
    if item is None:
        item = TestItem(**values)
        db.session.add(item)
    else:
        for key, value in values.items():
            setattr(item, key, value)
    act_as(actor)
    commit()
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


def _as_date(value: Any, field: str, errors: dict, required: bool = True) -> date | None:
    if value in (None, ""):
        if required:
            errors.setdefault(field, []).append(_("A date is required."))
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors.setdefault(field, []).append(_("Not a date (YYYY-MM-DD): %(value)s", value=value))
        return None


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
    errors: dict[str, list[str]] = {}
    start = _as_date(granted_on, "granted_on", errors)
    end = _as_date(withdrawn_on, "withdrawn_on", errors, required=False)
    if basis not in {b.value for b in Basis}:
        errors.setdefault("basis", []).append(_("Unknown basis."))
    if withdrawal_reason and withdrawal_reason not in {r.value for r in WithdrawalReason}:
        errors.setdefault("withdrawal_reason", []).append(_("Unknown reason."))
    if start and end and end <= start:
        errors.setdefault("withdrawn_on", []).append(_("The withdrawal must come after the grant."))
    if errors:
        raise InvalidInput(_("The item could not be granted."), errors)
    clash = _overlapping(lab.id, item.id, start, end)
    if clash is not None:
        raise Conflict(
            _(
                "%(lab)s already holds %(item)s from %(start)s to %(end)s; periods of the same item may not overlap.",
                lab=lab.code,
                item=item.code,
                start=clash.granted_on.isoformat(),
                end=clash.withdrawn_on.isoformat() if clash.withdrawn_on else _("now"),
            ),
            {"granted_on": [_("Overlaps a period already recorded.")]},
        )
    entry = ScopeEntry(
        lab_id=lab.id,
        item_id=item.id,
        granted_on=start,
        withdrawn_on=end,
        basis=basis,
        withdrawal_reason=(withdrawal_reason or WithdrawalReason.REDUCTION) if end else None,
        note=note or None,
    )
    db.session.add(entry)
    act_as(actor, note)
    commit()
    return entry


def withdraw_entry(
    entry: ScopeEntry, withdrawn_on: Any, reason: str, actor: Any, note: str | None = None
) -> ScopeEntry:
    """End a period the lab holds: on a date after the grant, with a reason (and a note)."""
    errors: dict[str, list[str]] = {}
    end = _as_date(withdrawn_on, "withdrawn_on", errors)
    if reason not in {r.value for r in WithdrawalReason}:
        errors.setdefault("withdrawal_reason", []).append(_("Choose reduction, suspension or revocation."))
    if end and end <= entry.granted_on:
        errors.setdefault("withdrawn_on", []).append(
            _("The withdrawal must come after the grant (%(date)s).", date=entry.granted_on.isoformat())
        )
    if errors:
        raise InvalidInput(_("The item could not be withdrawn."), errors)
    if entry.withdrawn_on is not None:
        raise Conflict(_("This period already ended on %(date)s.", date=entry.withdrawn_on.isoformat()))
    later = _overlapping(entry.lab_id, entry.item_id, entry.granted_on, end, exclude_id=entry.id)
    if later is not None:  # cannot happen with an open period, kept as a guard
        raise Conflict(_("Another period of this item overlaps."))
    entry.withdrawn_on = end
    entry.withdrawal_reason = reason
    if note:
        entry.note = note
    act_as(actor, note)
    commit()
    return entry


def open_entry(lab_id: int, item_id: int) -> ScopeEntry | None:
    """The period of an item a lab holds with no end date, if any."""
    return db.session.scalar(
        select(ScopeEntry).where(
            ScopeEntry.lab_id == lab_id, ScopeEntry.item_id == item_id, ScopeEntry.withdrawn_on.is_(None)
        )
    )


def get_entry(lab: Lab, entry_id: int) -> ScopeEntry:
    """A period of this lab, or NotFound."""
    entry = db.session.get(ScopeEntry, entry_id)
    if entry is None or entry.lab_id != lab.id:
        raise NotFound(_("No such scope entry."))
    return entry


def labs_holding(on: date) -> int:
    """How many labs hold at least one item on a date (one aggregate query)."""
    return db.session.scalar(select(func.count(func.distinct(ScopeEntry.lab_id))).where(held_on(on))) or 0
