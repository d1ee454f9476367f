"""Sanctions: imposing and lifting them, what they suspend, the register and its figures.

A sanction is in force from `starts_on` until `ended_on` (lifted, or superseded by a revocation or
cancellation); `ends_on` is its deadline. While in force, the items it names (or every item, for
the whole qualification, a revocation or a cancellation) are not held: `not_suspended(...)` is the
SQL condition scope queries add, and the public directory uses it.
"""

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, case, exists, func, literal, null, or_, select, tuple_
from sqlalchemy.orm import selectinload

from labtrack import events, parsing
from labtrack.audits.models import Finding
from labtrack.audits.workflow import State
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.planning import policy
from labtrack.planning.models import Sanction, SanctionFinding, SanctionItem
from labtrack.planning.values import (
    FINAL_KINDS,
    FINDINGS_MAX,
    ITEMS_MAX,
    LIFTABLE_KINDS,
    REF_PREFIX,
    SanctionEnd,
    SanctionKind,
    basis,
    reason,
)
from labtrack.scope.models import ScopeEntry, TestItem
from labtrack.services import Conflict, Forbidden, InvalidInput, load, transaction

DONE_FINDING_STATES = frozenset({State.CLOSED, State.CANCELLED})

# --- what is suspended ------------------------------------------------------------------------


def in_force_on(on: Any, table: Any = None) -> ColumnElement[bool]:
    """The condition "the sanction is in force on `on`" (a date or a date column)."""
    s = table if table is not None else Sanction.__table__
    return and_(s.c.starts_on <= on, or_(s.c.ended_on.is_(None), s.c.ended_on > on))


def not_suspended(lab_id_col: Any, item_id_col: Any, on: Any) -> ColumnElement[bool]:
    """SQL condition: the lab holds the item on `on` as far as sanctions go (no sanction in force
    on that day suspends the item or the lab's whole qualification).

    Columns may be ORM attributes or Core columns (`ScopeEntry.lab_id`, `e.c.item_id`), `on` a date
    or a date column; add it beside the scope's own `granted_on <= on < withdrawn_on`.
    """
    s, si = Sanction.__table__, SanctionItem.__table__
    whole = select(literal(1)).where(s.c.lab_id == lab_id_col, s.c.whole.is_(True), in_force_on(on, s))
    named = (
        select(literal(1))
        .select_from(si.join(s, si.c.sanction_id == s.c.id))
        .where(si.c.item_id == item_id_col, s.c.lab_id == lab_id_col, in_force_on(on, s))
    )
    return and_(~exists(whole), ~exists(named))


def not_suspended_that_day(lab_id_col: Any, item_id_col: Any, on: date) -> ColumnElement[bool]:
    """`not_suspended` for one fixed day, for a statement over many periods (the growth report):
    the labs and (lab, item) pairs suspended that day are read once, as uncorrelated lists the
    database hashes, instead of two correlated look-ups per period (3 million at national scale)."""
    s, si = Sanction.__table__, SanctionItem.__table__
    whole = select(s.c.lab_id).where(s.c.whole.is_(True), in_force_on(on, s))
    named = (
        select(s.c.lab_id, si.c.item_id)
        .select_from(si.join(s, si.c.sanction_id == s.c.id))
        .where(in_force_on(on, s))
    )
    return and_(lab_id_col.not_in(whole), tuple_(lab_id_col, item_id_col).not_in(named))


def suspended_item_periods(lab_id: int | None = None) -> Select:
    """Every period in which a lab did not hold an item because of a sanction: rows of
    (sanction_id, lab_id, item_id, starts_on, ended_on) with item_id NULL for the whole
    qualification and ended_on NULL while still in force (the period excludes ended_on)."""
    s, si = Sanction.__table__, SanctionItem.__table__
    named = select(s.c.id, s.c.lab_id, si.c.item_id, s.c.starts_on, s.c.ended_on).join(
        si, si.c.sanction_id == s.c.id
    )
    whole = select(s.c.id, s.c.lab_id, null().label("item_id"), s.c.starts_on, s.c.ended_on).where(
        s.c.whole.is_(True)
    )
    if lab_id is not None:
        named, whole = named.where(s.c.lab_id == lab_id), whole.where(s.c.lab_id == lab_id)
    return named.union_all(whole)


def held_on(on: Any) -> ColumnElement[bool]:
    """A scope period held on `on` by the scope's own dates (granted_on <= on < withdrawn_on)."""
    return and_(
        ScopeEntry.granted_on <= on, or_(ScopeEntry.withdrawn_on.is_(None), ScopeEntry.withdrawn_on > on)
    )


def held_items(lab_id: int, on: date) -> list[int]:
    """Ids of the items a lab holds on a day, sanctions taken into account."""
    stmt = select(ScopeEntry.item_id).where(
        ScopeEntry.lab_id == lab_id, held_on(on), not_suspended(ScopeEntry.lab_id, ScopeEntry.item_id, on)
    )
    return list(db.session.scalars(stmt))


def in_force(lab_id: int, on: date | None = None) -> list[Sanction]:
    """A lab's sanctions in force on a day (today by default), oldest first."""
    on = on or today()
    stmt = (
        select(Sanction)
        .where(Sanction.lab_id == lab_id, in_force_on(on))
        .options(selectinload(Sanction.items).selectinload(SanctionItem.item))
        .order_by(Sanction.starts_on, Sanction.id)
    )
    return list(db.session.scalars(stmt))


# --- reading ------------------------------------------------------------------------------------


def load_sanction(actor: Any, sanction_id: Any) -> Sanction:
    """A sanction the actor may see (NotFound otherwise: never reveal another lab's)."""
    return load(Sanction, sanction_id, visible=lambda s: policy.sees_sanction(actor, s), what=_("sanction"))


def sanctions_query(
    actor: Any,
    lab: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    region: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    on: date | None = None,
) -> Select:
    """The register: sanctions the actor may see, filtered, newest first. `status` is
    `in_force`, `ended` or `overdue` (a deadline passed, still in force)."""
    on = on or today()
    stmt = select(Sanction).join(Lab, Sanction.lab_id == Lab.id)
    stmt = policy.narrow_labs(stmt, Sanction.lab_id, actor)
    if lab:
        stmt = stmt.where(Lab.code == lab)
    if kind:
        stmt = stmt.where(Sanction.kind == kind)
    if region:
        stmt = stmt.where(Lab.region == region)
    if status == "in_force":
        stmt = stmt.where(in_force_on(on))
    elif status == "ended":
        stmt = stmt.where(Sanction.ended_on.is_not(None), Sanction.ended_on <= on)
    elif status == "overdue":
        stmt = stmt.where(in_force_on(on), Sanction.ends_on.is_not(None), Sanction.ends_on < on)
    if date_from:
        stmt = stmt.where(Sanction.starts_on >= date_from)
    if date_to:
        stmt = stmt.where(Sanction.starts_on <= date_to)
    stmt = stmt.options(
        selectinload(Sanction.lab),
        selectinload(Sanction.items).selectinload(SanctionItem.item),
        selectinload(Sanction.findings),
    )
    return stmt.order_by(Sanction.starts_on.desc(), Sanction.id.desc())


def linked_findings(actor: Any, sanction: Sanction) -> list[Finding]:
    """The findings behind a sanction (the actor sees the sanction, hence its lab's findings)."""
    ids = [link.finding_id for link in sanction.findings]
    if not ids or not policy.sees_sanction(actor, sanction):
        return []
    stmt = select(Finding).where(Finding.id.in_(ids)).options(selectinload(Finding.audit))
    return list(db.session.scalars(stmt.order_by(Finding.id)))


# --- imposing ----------------------------------------------------------------------------------


def _list(value: Any) -> list[Any]:
    if parsing.is_blank(value) or value == []:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [v for v in str(value).replace(",", " ").split() if v]


def _items(lab: Lab, codes: list[Any], on: date | None, fields: parsing.Fields) -> list[TestItem]:
    """The items named, which the lab must hold on the sanction's first day."""
    clean: list[str] = []
    for value in codes:
        try:
            clean.append(parsing.code(value))
        except parsing.ParseError as exc:
            fields.add("item_codes", exc.message)
            return []
    clean = list(dict.fromkeys(clean))
    if len(clean) > ITEMS_MAX:
        fields.add("item_codes", _("At most %(n)d items.", n=ITEMS_MAX))
        return []
    if not clean:
        return []
    items = {
        i.code_key: i
        for i in db.session.scalars(
            select(TestItem).where(TestItem.code_key.in_([parsing.code_key(c) for c in clean]))
        )
    }
    unknown = [c for c in clean if parsing.code_key(c) not in items]
    if unknown:
        fields.add("item_codes", _("No such items: %(codes)s.", codes=", ".join(unknown)))
        return []
    chosen = [items[parsing.code_key(c)] for c in clean]
    if on is not None:
        # Held by the scope's own dates: an item already suspended is still the lab's (the
        # overlap with that suspension is refused next, with its reference).
        held = set(
            db.session.scalars(select(ScopeEntry.item_id).where(ScopeEntry.lab_id == lab.id, held_on(on)))
        )
        missing = [i.code for i in chosen if i.id not in held]
        if missing:
            fields.add(
                "item_codes",
                _(
                    "%(lab)s does not hold these items on %(day)s: %(codes)s.",
                    lab=lab.code,
                    day=on.isoformat(),
                    codes=", ".join(missing),
                ),
            )
            return []
    return chosen


def _findings(actor: Any, lab: Lab, ids: list[Any], fields: parsing.Fields) -> list[Finding]:
    """The findings named: the lab's own, as many as the limit."""
    clean: list[int] = []
    for value in ids:
        try:
            clean.append(parsing.integer(value, minimum=1, maximum=parsing.INT_MAX))
        except parsing.ParseError as exc:
            fields.add("finding_ids", exc.message)
            return []
    clean = list(dict.fromkeys(clean))
    if len(clean) > FINDINGS_MAX:
        fields.add("finding_ids", _("At most %(n)d findings.", n=FINDINGS_MAX))
        return []
    found = (
        {f.id: f for f in db.session.scalars(select(Finding).where(Finding.id.in_(clean)))} if clean else {}
    )
    strangers = [str(i) for i in clean if i not in found or found[i].lab_id != lab.id]
    if strangers:
        fields.add(
            "finding_ids",
            _("Not findings of %(lab)s: %(ids)s.", lab=lab.code, ids=", ".join(strangers)),
        )
        return []
    return [found[i] for i in clean]


def parse_sanction(actor: Any, lab: Lab, data: dict) -> dict[str, Any]:
    """Every field of a new sanction, or InvalidInput naming each bad one (nothing written)."""
    f = parsing.Fields(data)
    kind = f.get("kind", parsing.choice, [k.value for k in SanctionKind])
    whole = f.get("whole", parsing.boolean)
    text = f.get("basis", basis)
    starts_on = f.get("starts_on", parsing.day)
    ends_on = f.get("ends_on", parsing.day, required=False)
    if starts_on and ends_on:
        try:
            parsing.date_range(starts_on, ends_on)
        except parsing.ParseError as exc:
            f.add("ends_on", exc.message)
            ends_on = None
    final = kind in FINAL_KINDS
    if kind in LIFTABLE_KINDS and ends_on is None and "ends_on" not in f.errors:
        f.add("ends_on", _("A deadline (or the end of the suspension period) is required."))
    if final and ends_on is not None:
        f.add("ends_on", _("A revocation or cancellation has no end date: it is final."))
    codes = _list(data.get("item_codes"))
    if final and codes:
        f.add(
            "item_codes",
            _("A revocation or cancellation concerns the whole qualification, not listed items."),
        )
    items = _items(lab, codes, starts_on, f) if codes and not final else []
    if whole and items:
        f.add("item_codes", _("Name items or suspend the whole qualification, not both."))
    if kind == SanctionKind.SUSPENSION and not whole and not codes and "item_codes" not in f.errors:
        f.add("item_codes", _("Name the items suspended, or suspend the whole qualification."))
    finding_ids = _list(data.get("finding_ids"))
    findings = _findings(actor, lab, finding_ids, f)
    if kind in LIFTABLE_KINDS and not finding_ids and "finding_ids" not in f.errors:
        f.add("finding_ids", _("Link the findings behind it: lifting follows their check and acceptance."))
    f.raise_if_any(_("The sanction could not be imposed."))
    return {
        "kind": SanctionKind(kind),
        "whole": bool(whole) or final,
        "basis": text,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "items": items,
        "findings": findings,
    }


def overlapping(lab_id: int, starts_on: date, whole: bool, item_ids: set[int], final: bool) -> list[Sanction]:
    """Sanctions of the lab that suspend something the new one would, at a time it would (the new
    one holds from its first day until lifted, so any not ended before that day)."""
    stmt = (
        select(Sanction)
        .where(Sanction.lab_id == lab_id, or_(Sanction.ended_on.is_(None), Sanction.ended_on > starts_on))
        .options(selectinload(Sanction.items))
        .order_by(Sanction.starts_on)
    )
    clashes = []
    for other in db.session.scalars(stmt):
        if not other.suspends:
            continue
        if final and other.kind not in FINAL_KINDS:
            continue  # a revocation supersedes a suspension in force
        if whole or other.whole or item_ids & {link.item_id for link in other.items}:
            clashes.append(other)
    return clashes


def _next_reference(year: int) -> str:
    prefix = f"{REF_PREFIX}-{year}-"
    taken = db.session.scalars(select(Sanction.reference).where(Sanction.reference.like(prefix + "%")))
    numbers = [int(r[len(prefix) :]) for r in taken if r[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def impose(actor: Any, lab: Lab, data: dict) -> Sanction:
    """Impose a sanction on a lab; a revocation or cancellation supersedes the suspensions in force."""
    if not policy.may_impose(actor, lab):
        raise Forbidden(_("You may not impose sanctions."))
    values = parse_sanction(actor, lab, data)
    final = values["kind"] in FINAL_KINDS
    clashes = []
    if values["whole"] or values["items"]:
        item_ids = {i.id for i in values["items"]}
        clashes = overlapping(lab.id, values["starts_on"], values["whole"], item_ids, final)
    if clashes:
        refs = ", ".join(f"{c.reference} ({c.kind_label}, {c.starts_on.isoformat()})" for c in clashes)
        raise InvalidInput(
            _("The sanction could not be imposed."),
            {"starts_on": [_("It overlaps a sanction in force on the same items: %(refs)s.", refs=refs)]},
        )
    with transaction(actor, _("sanction imposed")):
        sanction = Sanction(
            reference=_next_reference(values["starts_on"].year),
            lab_id=lab.id,
            kind=values["kind"],
            whole=values["whole"],
            basis=values["basis"],
            starts_on=values["starts_on"],
            ends_on=values["ends_on"],
            imposed_by_id=getattr(actor, "id", None),
        )
        sanction.lab = lab
        sanction.items = [SanctionItem(item_id=i.id) for i in values["items"]]
        sanction.findings = [SanctionFinding(finding_id=f.id) for f in values["findings"]]
        db.session.add(sanction)
        db.session.flush()
        if final:
            _supersede(actor, sanction)
        events.sanction_changed.send(sanction, actor=actor, step="imposed")
    return sanction


def _supersede(actor: Any, final: Sanction) -> None:
    """End the lab's other sanctions still in force when the whole qualification goes."""
    stmt = select(Sanction).where(
        Sanction.lab_id == final.lab_id,
        Sanction.id != final.id,
        Sanction.ended_on.is_(None),
        Sanction.kind.in_([k.value for k in LIFTABLE_KINDS]),
    )
    for other in db.session.scalars(stmt):
        other.ended_on = max(final.starts_on, other.starts_on)
        other.end_kind = SanctionEnd.SUPERSEDED
        other.end_comment = _("Superseded by %(ref)s.", ref=final.reference)
        other.ended_by_id = getattr(actor, "id", None)
        events.sanction_changed.send(other, actor=actor, step="superseded")


# --- lifting ------------------------------------------------------------------------------------


def open_findings(sanction: Sanction) -> list[Finding]:
    """The findings behind a sanction that are not closed (nor cancelled) yet."""
    ids = [link.finding_id for link in sanction.findings]
    if not ids:
        return []
    stmt = select(Finding).where(
        Finding.id.in_(ids), Finding.status.not_in([s.value for s in DONE_FINDING_STATES])
    )
    return list(db.session.scalars(stmt.order_by(Finding.id)))


def lift(actor: Any, sanction: Sanction, data: dict, version: Any = None) -> Sanction:
    """Lift a deadline rectification or suspension once every finding behind it was checked and
    accepted (closed); the lab's managers are told."""
    if not policy.may_lift(actor, sanction):
        if policy.may_impose(actor) and sanction.kind in FINAL_KINDS:
            raise Conflict(_("A revocation or cancellation is final; it cannot be lifted."))
        if policy.may_impose(actor):
            raise Conflict(_("This sanction is no longer in force."))
        raise Forbidden(_("You may not lift sanctions."))
    if version is not None and str(version) != str(sanction.version):
        raise Conflict(
            _("Someone else saved this record meanwhile. Reload it to see their change, then try again."),
            {"version": [_("The record has changed since you read it.")]},
        )
    f = parsing.Fields(data)
    lifted_on = f.get("lifted_on", parsing.day, required=False) or today()
    comment = f.get("comment", reason, required=False)
    if lifted_on < sanction.starts_on:
        f.add(
            "lifted_on",
            _("A sanction cannot be lifted before it starts (%(day)s).", day=sanction.starts_on.isoformat()),
        )
    if lifted_on > today():
        f.add("lifted_on", _("A sanction cannot be lifted on a future day."))
    f.raise_if_any(_("The sanction could not be lifted."))
    still_open = open_findings(sanction)
    if still_open:
        labels = ", ".join(x.label for x in still_open)
        raise Conflict(
            _("Findings behind the sanction are not closed yet: %(labels)s.", labels=labels),
            {"finding_ids": [_("Still open: %(labels)s.", labels=labels)]},
        )
    last_closed = db.session.scalar(
        select(func.max(Finding.closed_on)).where(Finding.id.in_([x.finding_id for x in sanction.findings]))
    )
    if last_closed is not None and lifted_on < last_closed:
        raise InvalidInput(
            _("The sanction could not be lifted."),
            {
                "lifted_on": [
                    _(
                        "The findings were accepted on %(day)s; lift on or after it.",
                        day=last_closed.isoformat(),
                    )
                ]
            },
        )
    with transaction(actor, comment or _("sanction lifted")):
        sanction.ended_on = lifted_on
        sanction.end_kind = SanctionEnd.LIFTED
        sanction.end_comment = comment
        sanction.ended_by_id = getattr(actor, "id", None)
        events.sanction_changed.send(sanction, actor=actor, step="lifted")
    return sanction


# --- figures ------------------------------------------------------------------------------------


def figures(
    date_from: date,
    date_to: date,
    region: str | None = None,
    scope: int | None = None,
    on: date | None = None,
) -> dict:
    """Sanctions that started in a period, by region and in total: counts by kind, labs affected,
    items suspended, how many were lifted and the share lifted by their deadline (`scope`: the one
    lab a lab manager is confined to)."""
    on = on or today()
    s, labs = Sanction.__table__, Lab.__table__
    named = (
        select(func.count())
        .select_from(SanctionItem.__table__)
        .where(SanctionItem.__table__.c.sanction_id == s.c.id)
    )
    e = ScopeEntry.__table__
    held_at_start = (
        select(func.count())
        .select_from(e)
        .where(
            e.c.lab_id == s.c.lab_id,
            e.c.granted_on <= s.c.starts_on,
            or_(e.c.withdrawn_on.is_(None), e.c.withdrawn_on > s.c.starts_on),
        )
    )
    items = case((s.c.whole.is_(True), held_at_start.scalar_subquery()), else_=named.scalar_subquery())
    liftable = s.c.kind.in_([k.value for k in LIFTABLE_KINDS])
    lifted = and_(s.c.end_kind == SanctionEnd.LIFTED.value)
    on_time = and_(lifted, s.c.ends_on.is_not(None), s.c.ended_on <= s.c.ends_on)
    due = and_(liftable, or_(lifted, and_(s.c.ends_on.is_not(None), s.c.ends_on < on)))
    one = literal(1)
    columns = [
        func.count(s.c.id).label("sanctions"),
        func.count(func.distinct(s.c.lab_id)).label("labs"),
        func.coalesce(func.sum(items), 0).label("items_suspended"),
        func.coalesce(func.sum(case((lifted, one), else_=0)), 0).label("lifted"),
        func.coalesce(func.sum(case((on_time, one), else_=0)), 0).label("lifted_on_time"),
        func.coalesce(func.sum(case((due, one), else_=0)), 0).label("due"),
        func.coalesce(func.sum(case((in_force_on(on, s), one), else_=0)), 0).label("in_force"),
        *[
            func.coalesce(func.sum(case((s.c.kind == k.value, one), else_=0)), 0).label(k.value)
            for k in SanctionKind
        ],
    ]
    base = (
        select(*columns)
        .select_from(s.join(labs, labs.c.id == s.c.lab_id))
        .where(s.c.starts_on >= date_from, s.c.starts_on <= date_to)
    )
    if scope is not None:
        base = base.where(s.c.lab_id == scope)
    if region:
        base = base.where(labs.c.region == region)
    total = _figure_row(db.session.execute(base).one()._mapping)
    by_region = [
        {"region": row.region, **_figure_row(row._mapping)}
        for row in db.session.execute(
            base.add_columns(labs.c.region).group_by(labs.c.region).order_by(labs.c.region)
        )
    ]
    return {"from": date_from, "to": date_to, "region": region, "total": total, "by_region": by_region}


def _figure_row(row: Any) -> dict:
    values = {
        key: int(row[key] or 0)
        for key in ("sanctions", "labs", "items_suspended", "lifted", "lifted_on_time", "due", "in_force")
    }
    values["by_kind"] = {k.value: int(row[k.value] or 0) for k in SanctionKind}
    values["on_time_share"] = values["lifted_on_time"] / values["due"] if values["due"] else None
    return values
