"""What the public pages read: only what is published. The directory of qualified laboratories with
what they hold today (suspended items are not held), published plans with their published draws
and outcomes (counts, never finding texts), and sanctions in force.

"Qualified" on a day: an active laboratory with a valid certificate (issued, not expired, not
suspended or withdrawn), whose whole qualification is not suspended, revoked or cancelled, and
which holds at least one item not suspended. Searching is by item (code or words of its name, in
either language), category (code or name) and region.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from labtrack import parsing
from labtrack.audits.models import Audit, Finding
from labtrack.audits.workflow import State
from labtrack.extensions import db
from labtrack.labs.models import Lab, LabStatus, Qualification, QualificationStatus
from labtrack.planning.models import DrawnLab, Plan, Sanction, SanctionItem
from labtrack.planning.sanctions import held_on, in_force_on, not_suspended
from labtrack.scope.models import ScopeEntry, TestCategory, TestItem

PER_PAGE = 25
PER_PAGE_MAX = 100
MATCHED_MAX = 10  # matching items listed per lab
QUERY_MAX = 100


@dataclass
class Search:
    """A directory search: what was asked and what matched (one page)."""

    item: str | None = None
    category: str | None = None
    region: str | None = None
    q: str | None = None
    page: int = 1
    per_page: int = PER_PAGE
    total: int = 0
    labs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def pages(self) -> int:
        """How many pages the result has."""
        return max(1, -(-self.total // self.per_page))


def clean(value: Any) -> str | None:
    """A search term: one line, trimmed, bounded (None when blank or not text)."""
    try:
        return parsing.text(value, required=False, max_len=QUERY_MAX, multiline=False)
    except parsing.ParseError:
        return None


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _valid_certificate(on: date) -> Any:
    return exists(
        select(Qualification.id).where(
            Qualification.lab_id == Lab.id,
            Qualification.status == QualificationStatus.VALID,
            Qualification.issued_on <= on,
            Qualification.expires_on >= on,
        )
    )


def _whole_sanction(on: date) -> Any:
    s = Sanction.__table__
    return exists(select(s.c.id).where(s.c.lab_id == Lab.id, s.c.whole.is_(True), in_force_on(on, s)))


def _item_sanctioned(on: date) -> Any:
    """The labs with a sanction in force on the day that suspends named items (a few)."""
    s, si = Sanction.__table__, SanctionItem.__table__
    return select(s.c.lab_id).join(si, si.c.sanction_id == s.c.id).where(in_force_on(on, s)).distinct()


def _holds(on: date) -> Any:
    """The lab holds an item on the day that is not suspended.

    Most labs have no suspended item: for them a period held by the scope's dates is enough (one
    index probe); only the labs with named items suspended are checked period by period."""
    plain = exists(select(ScopeEntry.id).where(ScopeEntry.lab_id == Lab.id, held_on(on)))
    careful = exists(
        select(ScopeEntry.id).where(
            ScopeEntry.lab_id == Lab.id, held_on(on), not_suspended(ScopeEntry.lab_id, ScopeEntry.item_id, on)
        )
    )
    return and_(plain, or_(Lab.id.not_in(_item_sanctioned(on)), careful))


def holders_of(items: list[int], on: date) -> Any:
    """A select of the labs holding any of these items on the day, not suspended: read through the
    item index; the (few) suspended pairs among these items are left out by name."""
    s, si = Sanction.__table__, SanctionItem.__table__
    pairs = db.session.execute(
        select(s.c.lab_id, si.c.item_id)
        .join(si, si.c.sanction_id == s.c.id)
        .where(in_force_on(on, s), si.c.item_id.in_(items))
    ).all()
    stmt = select(ScopeEntry.lab_id).where(ScopeEntry.item_id.in_(items), held_on(on))
    if pairs:
        stmt = stmt.where(~_pair_in(set(pairs)))
    return stmt


def matching_items(item: str | None, category: str | None) -> Any:
    """A select of the ids of the items searched for (None when neither is given)."""
    if not item and not category:
        return None
    stmt = select(TestItem.id)
    if item:
        like = _like(item)
        stmt = stmt.where(
            or_(
                TestItem.code_key == parsing.code_key(item),
                TestItem.name.ilike(like, escape="\\"),
                TestItem.name_en.ilike(like, escape="\\"),
            )
        )
    if category:
        like = _like(category)
        cats = select(TestCategory.id).where(
            or_(
                TestCategory.code_key == parsing.code_key(category),
                TestCategory.name.ilike(like, escape="\\"),
                TestCategory.name_en.ilike(like, escape="\\"),
            )
        )
        stmt = stmt.where(TestItem.category_id.in_(cats))
    return stmt


def qualified(on: date, holds: bool = True) -> Any:
    """The condition a laboratory is qualified on a day (see the module's docstring); `holds=False`
    when the caller checks what it holds itself (a search by item)."""
    condition = and_(Lab.status == LabStatus.ACTIVE, _valid_certificate(on), ~_whole_sanction(on))
    return and_(condition, _holds(on)) if holds else condition


def search(
    on: date,
    item: str | None = None,
    category: str | None = None,
    region: str | None = None,
    q: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Search:
    """Qualified laboratories matching the search, by code, one page with their certificates,
    counts held today and (for an item or category search) the matching items they hold."""
    result = Search(
        clean(item),
        clean(category),
        clean(region),
        clean(q),
        max(1, page),
        min(max(1, per_page), PER_PAGE_MAX),
    )
    matching = matching_items(result.item, result.category)
    items = list(db.session.scalars(matching)) if matching is not None else None
    stmt = select(Lab.id).where(qualified(on, holds=items is None))
    if items is not None:
        # Driven by the items (their holders through the item index), not by every lab.
        stmt = stmt.where(Lab.id.in_(holders_of(items, on)))
    if result.region:
        stmt = stmt.where(Lab.region == result.region)
    if result.q:
        like = _like(result.q)
        stmt = stmt.where(
            or_(
                Lab.code.ilike(like, escape="\\"),
                Lab.name.ilike(like, escape="\\"),
                Lab.name_en.ilike(like, escape="\\"),
            )
        )
    result.total = int(db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    offset = (result.page - 1) * result.per_page
    if offset >= result.total:
        return result
    ids = list(db.session.scalars(stmt.order_by(Lab.code).limit(result.per_page).offset(offset)))
    result.labs = describe(ids, on, items)
    return result


def describe(lab_ids: list[int], on: date, items: Any = None) -> list[dict[str, Any]]:
    """Public facts of these labs, in the order given: names, region, kind, valid certificates,
    categories and items held today, and the matching items held (when searching)."""
    if not lab_ids:
        return []
    labs = {
        lab.id: lab
        for lab in db.session.scalars(
            select(Lab).where(Lab.id.in_(lab_ids)).options(selectinload(Lab.qualifications))
        )
    }
    # Suspended (lab, item) pairs of these labs on the day: few rows, anti-joined below instead
    # of a correlated NOT EXISTS per scope period.
    suspended = suspended_pairs(lab_ids, on)
    whole = suspended_wholly(lab_ids, on)
    held = (
        select(
            ScopeEntry.lab_id,
            func.count(func.distinct(TestItem.category_id)),
            func.count(func.distinct(TestItem.id)),
        )
        .join(TestItem, TestItem.id == ScopeEntry.item_id)
        .where(ScopeEntry.lab_id.in_(lab_ids), held_on(on))
        .group_by(ScopeEntry.lab_id)
    )
    if suspended:
        held = held.where(~_pair_in(suspended))
    counts = {lab_id: (cats, n) for lab_id, cats, n in db.session.execute(held) if lab_id not in whole}
    matched: dict[int, list[dict[str, Any]]] = {}
    if items is not None:
        stmt = (
            select(ScopeEntry.lab_id, TestItem.code, TestItem.name, TestItem.name_en)
            .join(TestItem, TestItem.id == ScopeEntry.item_id)
            .where(ScopeEntry.lab_id.in_(lab_ids), ScopeEntry.item_id.in_(items), held_on(on))
            .order_by(ScopeEntry.lab_id, TestItem.code)
        )
        if suspended:
            stmt = stmt.where(~_pair_in(suspended))
        for lab_id, code, name, name_en in db.session.execute(stmt):
            found = matched.setdefault(lab_id, [])
            if lab_id not in whole and len(found) < MATCHED_MAX:
                found.append({"code": code, "name": name, "name_en": name_en})
    rows = []
    for lab_id in lab_ids:
        lab = labs[lab_id]
        categories, n_items = counts.get(lab_id, (0, 0))
        rows.append(
            {
                "code": lab.code,
                "name": lab.name,
                "name_en": lab.name_en,
                "region": lab.region,
                "kind": str(lab.kind),
                "certificates": [
                    {"scheme": str(c.scheme), "number": c.certificate_no, "expires_on": c.expires_on}
                    for c in lab.qualifications
                    if c.status == QualificationStatus.VALID and c.issued_on <= on <= c.expires_on
                ],
                "categories": int(categories),
                "items": int(n_items),
                "matched_items": matched.get(lab_id, []),
            }
        )
    return rows


def suspended_pairs(lab_ids: list[int], on: date) -> set[tuple[int, int]]:
    """(lab id, item id) of the items these labs have suspended on the day (named items)."""
    s, si = Sanction.__table__, SanctionItem.__table__
    stmt = (
        select(s.c.lab_id, si.c.item_id)
        .join(si, si.c.sanction_id == s.c.id)
        .where(s.c.lab_id.in_(lab_ids), in_force_on(on, s))
    )
    return {(lab_id, item_id) for lab_id, item_id in db.session.execute(stmt)}


def suspended_wholly(lab_ids: list[int], on: date) -> set[int]:
    """Those of these labs whose whole qualification is suspended, revoked or cancelled on the day."""
    s = Sanction.__table__
    stmt = select(s.c.lab_id).where(s.c.lab_id.in_(lab_ids), s.c.whole.is_(True), in_force_on(on, s))
    return set(db.session.scalars(stmt))


def _pair_in(pairs: set[tuple[int, int]]) -> Any:
    return or_(
        *(
            and_(ScopeEntry.lab_id == lab_id, ScopeEntry.item_id == item_id)
            for lab_id, item_id in sorted(pairs)
        )
    )


def regions(on: date) -> list[str]:
    """Regions that have a qualified laboratory."""
    stmt = select(Lab.region).where(qualified(on)).distinct().order_by(Lab.region)
    return list(db.session.scalars(stmt))


def load_lab(code: str, on: date) -> Lab | None:
    """A qualified laboratory by code (None if there is none or it is not qualified today)."""
    if clean(code) is None:
        return None
    return db.session.scalar(select(Lab).where(Lab.code == code, qualified(on)))


def scope_of(lab: Lab, on: date) -> list[dict[str, Any]]:
    """What a lab holds today (suspended items left out), by category: [{code, name, name_en, items}]."""
    stmt = (
        select(
            TestCategory.code,
            TestCategory.name,
            TestCategory.name_en,
            TestItem.code,
            TestItem.name,
            TestItem.name_en,
            TestItem.method,
            TestItem.parameters,
        )
        .select_from(ScopeEntry)
        .join(TestItem, TestItem.id == ScopeEntry.item_id)
        .join(TestCategory, TestCategory.id == TestItem.category_id)
        .where(
            ScopeEntry.lab_id == lab.id, held_on(on), not_suspended(ScopeEntry.lab_id, ScopeEntry.item_id, on)
        )
        .order_by(TestCategory.code, TestItem.code)
    )
    groups: dict[str, dict[str, Any]] = {}
    for c_code, c_name, c_en, i_code, i_name, i_en, method, parameters in db.session.execute(stmt):
        group = groups.setdefault(c_code, {"code": c_code, "name": c_name, "name_en": c_en, "items": []})
        group["items"].append(
            {"code": i_code, "name": i_name, "name_en": i_en, "method": method, "parameters": parameters}
        )
    return list(groups.values())


# --- sanctions in force ----------------------------------------------------------------------------


def sanctions_in_force(on: date, lab_id: int | None = None) -> list[dict[str, Any]]:
    """Sanctions in force on the day (what the register publishes: no findings, no comments)."""
    stmt = (
        select(Sanction)
        .join(Lab, Lab.id == Sanction.lab_id)
        .where(in_force_on(on))
        .options(selectinload(Sanction.lab), selectinload(Sanction.items).selectinload(SanctionItem.item))
        .order_by(Sanction.starts_on.desc(), Sanction.id.desc())
    )
    if lab_id is not None:
        stmt = stmt.where(Sanction.lab_id == lab_id)
    return [
        {
            "reference": s.reference,
            "lab_code": s.lab.code,
            "lab_name": s.lab.name,
            "lab_name_en": s.lab.name_en,
            "region": s.lab.region,
            "kind": str(s.kind),
            "whole": s.whole,
            "items": [
                {"code": link.item.code, "name": link.item.name, "name_en": link.item.name_en}
                for link in s.items
            ],
            "basis": s.basis,
            "starts_on": s.starts_on,
            "ends_on": s.ends_on,
        }
        for s in db.session.scalars(stmt)
    ]


# --- published plans and draws ----------------------------------------------------------------------


def published_plans() -> list[Plan]:
    """Published plans, newest year first."""
    stmt = (
        select(Plan)
        .where(Plan.published_on.is_not(None))
        .options(selectinload(Plan.strata), selectinload(Plan.draw))
        .order_by(Plan.year.desc(), Plan.code)
    )
    return list(db.session.scalars(stmt))


def published_plan(code: str) -> Plan | None:
    """A published plan by code."""
    if clean(code) is None:
        return None
    return db.session.scalar(select(Plan).where(Plan.code == code, Plan.published_on.is_not(None)))


def outcomes(plan: Plan) -> list[dict[str, Any]]:
    """A published draw's labs in order with their inspection's outcome: its status, and the number
    of findings by severity and how many are closed (never a finding's text)."""
    if plan.draw is None or plan.draw_published_on is None:
        return []
    drawn = list(
        db.session.scalars(
            select(DrawnLab)
            .where(DrawnLab.draw_id == plan.draw.id)
            .options(selectinload(DrawnLab.lab), selectinload(DrawnLab.audit))
            .order_by(DrawnLab.rank)
        )
    )
    audit_ids = [d.audit_id for d in drawn if d.audit_id]
    counts: dict[int, dict[str, int]] = {}
    if audit_ids:
        stmt = (
            select(Finding.audit_id, Finding.severity, Finding.status, func.count())
            .where(Finding.audit_id.in_(audit_ids), Finding.status != State.CANCELLED)
            .group_by(Finding.audit_id, Finding.severity, Finding.status)
        )
        for audit_id, severity, status, n in db.session.execute(stmt):
            c = counts.setdefault(
                audit_id, {"major": 0, "minor": 0, "observation": 0, "closed": 0, "total": 0}
            )
            c[str(severity)] = c.get(str(severity), 0) + n
            c["total"] += n
            if status == State.CLOSED:
                c["closed"] += n
    rows = []
    for d in drawn:
        audit: Audit | None = d.audit
        rows.append(
            {
                "rank": d.rank,
                "stratum": d.stratum_position,
                "lab_code": d.lab.code,
                "lab_name": d.lab.name,
                "lab_name_en": d.lab.name_en,
                "region": d.lab.region,
                "status": str(audit.status) if audit else None,
                "inspected_on": audit.started_on if audit and str(audit.status) != "planned" else None,
                "findings": counts.get(d.audit_id) if audit and str(audit.status) == "completed" else None,
            }
        )
    return rows
