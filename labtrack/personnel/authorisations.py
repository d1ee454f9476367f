"""Authorisations: who may perform tests of (or sign reports for) which items or categories, and
whether each item a lab holds has someone authorised to perform it.

Rules:
- An authorisation is for one test item or one whole category, to perform tests or to sign
  reports, valid from a day to a day (inclusive; open-ended when no end is given), within the
  person's employment.
- Two authorisations of one person for the same item (or category) and activity may not overlap
  in time, unless one of them was withdrawn.
- Outside the lab's scope: a **warning that must be confirmed**, not a refusal. Labs authorise
  their staff before an extension of scope is assessed (the assessors check those staff), so
  refusing would block that work; but a slip (a wrong item code) must not pass silently. The
  authorisation is saved only when the user confirms, and it is marked as outside the scope.
  "Outside" means the lab holds the item (for a category: any of its items) neither on the first
  day of the authorisation nor today.
- Suspended (may be reinstated) and withdrawn (for good) from a day, with a reason. In force on a
  day D: valid on D, and active, or suspended / withdrawn only after D.
"""

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from labtrack import cache, parsing
from labtrack.extensions import db
from labtrack.models_base import today
from labtrack.parsing import Fields, ParseError
from labtrack.personnel import policy
from labtrack.personnel.models import (
    Activity,
    AuthBasis,
    Authorisation,
    AuthStatus,
    Person,
    employed_on,
)
from labtrack.scope.models import ScopeEntry, TestCategory, TestItem
from labtrack.scope.service import held_on
from labtrack.services import Forbidden, InvalidInput, load, transaction


def in_force(on: date) -> ColumnElement[bool]:
    """The condition "this authorisation is in force on `on`"."""
    return and_(
        Authorisation.valid_from <= on,
        or_(Authorisation.valid_to.is_(None), Authorisation.valid_to >= on),
        or_(
            Authorisation.status == AuthStatus.ACTIVE.value,
            and_(Authorisation.status_on.is_not(None), Authorisation.status_on > on),
        ),
    )


def get_authorisation(actor: Any, authorisation_id: int) -> Authorisation:
    """The authorisation with this id, if the actor may see its person (else 404)."""
    return load(
        Authorisation,
        authorisation_id,
        visible=lambda a: policy.sees_person(actor, a.person),
        what=_("authorisation"),
    )


def of_person(person: Person) -> list[Authorisation]:
    """A person's authorisations: in force first, then by activity and item or category code."""
    stmt = (
        select(Authorisation)
        .where(Authorisation.person_id == person.id)
        .options(selectinload(Authorisation.item), selectinload(Authorisation.category))
    )
    rows = list(db.session.scalars(stmt))
    on = today()
    return sorted(rows, key=lambda a: (not a.in_force_on(on), a.activity, target_code(a), a.valid_from))


def target_code(authorisation: Authorisation) -> str:
    """The code of the item or category an authorisation is for."""
    return authorisation.item.code if authorisation.item_id else authorisation.category.code


def _target(value: Any, model: type) -> Any:
    code = parsing.code(value, required=False)
    if code is None:
        return None
    record = db.session.scalar(select(model).where(model.code == code))
    if record is None:
        raise ParseError(_("No such test item.") if model is TestItem else _("No such test category."))
    return record


def parse_authorisation(data: dict[str, Any]) -> dict[str, Any]:
    """Check an authorisation's fields (every error at once); InvalidInput naming the fields otherwise."""
    f = Fields(data)
    values = {
        "item": f.get("item_code", _target, TestItem),
        "category": f.get("category_code", _target, TestCategory),
        "activity": f.get("activity", parsing.choice, [a.value for a in Activity]),
        "valid_from": f.get("valid_from", parsing.day),
        "valid_to": f.get("valid_to", parsing.day, required=False),
        "basis": f.get("basis", parsing.choice, [b.value for b in AuthBasis]),
        "basis_note": f.get("basis_note", parsing.text, required=False, max_len=parsing.COMMENT_MAX),
        "confirm_outside_scope": f.get("confirm_outside_scope", parsing.boolean),
    }
    given = [k for k in ("item_code", "category_code") if not parsing.is_blank(data.get(k))]
    if len(given) == 2:
        f.add("category_code", _("Give a test item or a category, not both."))
    elif not given:
        f.add("item_code", _("Give the test item (or the whole category) the authorisation is for."))
    try:
        parsing.date_range(values["valid_from"], values["valid_to"])
    except ParseError as exc:
        f.add("valid_to", exc.message)
    f.raise_if_any(_("The authorisation could not be saved."))
    return values


def held_by_lab(lab_id: int, item: TestItem | None, category: TestCategory | None, on: date) -> bool:
    """Whether the lab holds the item (or any item of the category) on a day."""
    stmt = exists().where(ScopeEntry.lab_id == lab_id, held_on(on))
    if item is not None:
        stmt = stmt.where(ScopeEntry.item_id == item.id)
    else:
        stmt = stmt.where(ScopeEntry.item_id == TestItem.id, TestItem.category_id == category.id)
    return bool(db.session.scalar(select(stmt)))


def overlapping(
    person: Person, values: dict[str, Any], exclude_id: int | None = None
) -> Authorisation | None:
    """Another authorisation of the person for the same item (or category) and activity whose
    dates meet these (withdrawn ones aside)."""
    end = values["valid_to"]
    stmt = select(Authorisation).where(
        Authorisation.person_id == person.id,
        Authorisation.activity == values["activity"],
        Authorisation.status != AuthStatus.WITHDRAWN.value,
        or_(Authorisation.valid_to.is_(None), Authorisation.valid_to >= values["valid_from"]),
        Authorisation.id != (exclude_id or -1),
    )
    if end is not None:
        stmt = stmt.where(Authorisation.valid_from <= end)
    if values["item"] is not None:
        stmt = stmt.where(Authorisation.item_id == values["item"].id)
    else:
        stmt = stmt.where(Authorisation.category_id == values["category"].id)
    return db.session.scalars(stmt.order_by(Authorisation.valid_from)).first()


def grant(actor: Any, person: Person, data: dict[str, Any]) -> Authorisation:
    """Authorise a person; refused when it overlaps another of theirs or falls outside their
    employment; outside the lab's scope only when the user confirms it."""
    if not policy.may_authorise(actor, person):
        raise Forbidden(_("You may not keep the people of this laboratory."))
    values = parse_authorisation(data)
    errors: dict[str, list[str]] = {}
    start, end = values["valid_from"], values["valid_to"]
    if start < person.employed_from:
        errors["valid_from"] = [
            _("%(name)s joined on %(d)s.", name=person.name, d=person.employed_from.isoformat())
        ]
    left = person.employed_to
    if left is not None and (start > left or end is None or end > left):
        errors.setdefault("valid_to", []).append(
            _(
                "%(name)s left on %(d)s; the authorisation must end by then.",
                name=person.name,
                d=left.isoformat(),
            )
        )
    clash = overlapping(person, values)
    if clash is not None:
        errors.setdefault("valid_from", []).append(
            _(
                "It overlaps authorisation no. %(id)d for the same %(what)s (%(a)s to %(b)s).",
                id=clash.id,
                what=_("item") if values["item"] is not None else _("category"),
                a=clash.valid_from.isoformat(),
                b=clash.valid_to.isoformat() if clash.valid_to else _("open-ended"),
            )
        )
    held = held_by_lab(person.lab_id, values["item"], values["category"], start) or held_by_lab(
        person.lab_id, values["item"], values["category"], today()
    )
    if not held and not values["confirm_outside_scope"] and not errors:
        errors["confirm_outside_scope"] = [
            _(
                "%(code)s is not in the laboratory's scope. If the laboratory is preparing to extend its "
                "scope, confirm to authorise anyway; the authorisation will be marked as outside the scope.",
                code=(values["item"] or values["category"]).code,
            )
        ]
    if errors:
        raise InvalidInput(_("The authorisation could not be saved."), errors)
    with transaction(actor):
        authorisation = Authorisation(
            person=person,
            item=values["item"],
            category=values["category"],
            activity=values["activity"],
            valid_from=start,
            valid_to=end,
            basis=values["basis"],
            basis_note=values["basis_note"],
            status=AuthStatus.ACTIVE,
            outside_scope=not held,
        )
        db.session.add(authorisation)
    return authorisation


def change_status(actor: Any, authorisation: Authorisation, data: dict[str, Any]) -> Authorisation:
    """Suspend, withdraw or reinstate an authorisation from a day, with a reason."""
    f = Fields(data)
    to = f.get("to", parsing.choice, [s.value for s in AuthStatus])
    on = f.get("on", parsing.day, required=False) or today()
    reason = f.get(
        "reason", parsing.text, required=to != AuthStatus.ACTIVE.value, max_len=parsing.COMMENT_MAX
    )
    f.raise_if_any(_("The authorisation could not be changed."))
    if not policy.may_change_authorisation(actor, authorisation, to):
        if policy.may_edit_person(actor, authorisation.person):
            raise InvalidInput(
                _(
                    "An authorisation that is %(status)s cannot become that.",
                    status=authorisation.status_label,
                ),
                {"to": [_("Not possible from its present status.")]},
            )
        raise Forbidden(_("You may not keep the people of this laboratory."))
    if to != AuthStatus.ACTIVE.value and on < authorisation.valid_from:
        raise InvalidInput(
            _("The authorisation could not be changed."),
            {
                "on": [
                    _(
                        "The day cannot be before the authorisation starts (%(d)s).",
                        d=authorisation.valid_from.isoformat(),
                    )
                ]
            },
        )
    with transaction(actor, reason):
        authorisation.status = to
        if to == AuthStatus.ACTIVE.value:
            authorisation.status_on = None
        else:
            authorisation.status_on = on
            authorisation.status_reason = reason
    return authorisation


# --- coverage of a lab's scope ---------------------------------------------------------------


def _in_force_for_lab(lab_id: int, on: date) -> list:
    stmt = (
        select(
            Authorisation.activity, Authorisation.item_id, Authorisation.category_id, Person.id, Person.name
        )
        .join(Person, Authorisation.person_id == Person.id)
        .where(Person.lab_id == lab_id, employed_on(on), in_force(on))
        .order_by(Person.name)
    )
    return list(db.session.execute(stmt))


def authorisation_coverage(lab_id: int, on: date | None = None) -> list[dict[str, Any]]:
    """Per item the lab holds on a day (today): who may perform it and who may sign for it
    (through the item or its whole category), and whether someone may perform it."""
    on = on or today()
    by_item: dict[tuple[str, int], list] = {}
    by_category: dict[tuple[str, int], list] = {}
    for activity, item_id, category_id, person_id, name in _in_force_for_lab(lab_id, on):
        target = by_item if item_id is not None else by_category
        key = (activity, item_id if item_id is not None else category_id)
        target.setdefault(key, []).append({"id": person_id, "name": name})
    held = (
        select(
            TestItem.id.label("item_id"),
            TestItem.code.label("item_code"),
            TestItem.name.label("item_name"),
            TestItem.name_en.label("item_name_en"),
            TestCategory.id.label("category_id"),
            TestCategory.code.label("category_code"),
            TestCategory.name.label("category_name"),
            TestCategory.name_en.label("category_name_en"),
        )
        .select_from(ScopeEntry)
        .join(TestItem, ScopeEntry.item_id == TestItem.id)
        .join(TestCategory, TestItem.category_id == TestCategory.id)
        .where(ScopeEntry.lab_id == lab_id, held_on(on))
        .order_by(TestCategory.code, TestItem.code)
    )
    rows = []
    for row in db.session.execute(held):

        def who(activity: str, row: Any = row) -> list:
            people = by_item.get((activity, row.item_id), []) + by_category.get(
                (activity, row.category_id), []
            )
            return list({p["id"]: p for p in people}.values())

        performers, signatories = who(Activity.PERFORM.value), who(Activity.SIGN.value)
        rows.append(
            {
                **row._asdict(),
                "performers": performers,
                "signatories": signatories,
                "covered": bool(performers),
            }
        )
    return rows


def coverage_summary(lab_id: int, on: date | None = None) -> dict[str, Any]:
    """Items held, items with someone authorised to perform them, and the items with nobody
    (reused until the data changes: a lab's page and its manager's dashboard show it on every visit)."""
    on = on or today()
    return cache.cached(
        "personnel.coverage_summary", lab_id, on, compute=lambda: _coverage_summary(lab_id, on)
    )


def _coverage_summary(lab_id: int, on: date) -> dict[str, Any]:
    rows = authorisation_coverage(lab_id, on)
    gaps = [r for r in rows if not r["covered"]]
    return {"items": len(rows), "covered": len(rows) - len(gaps), "gaps": gaps, "rows": rows}


def counts_by_person(person_ids: list[int], on: date | None = None) -> dict[int, dict[str, int]]:
    """Per person, how many authorisations to perform and to sign are in force on a day (today)."""
    if not person_ids:
        return {}
    on = on or today()
    stmt = (
        select(Authorisation.person_id, Authorisation.activity, func.count())
        .where(Authorisation.person_id.in_(person_ids), in_force(on))
        .group_by(Authorisation.person_id, Authorisation.activity)
    )
    counts: dict[int, dict[str, int]] = {}
    for person_id, activity, n in db.session.execute(stmt):
        counts.setdefault(person_id, {})[activity] = n
    return counts


def may_do(person: Person, on: date | None = None) -> list[Authorisation]:
    """What a person may do on a day (today): their authorisations in force."""
    on = on or today()
    if not person.employed_on(on):
        return []
    return [a for a in of_person(person) if a.in_force_on(on)]


def outside_scope_now(authorisation: Authorisation) -> bool:
    """Whether the lab no longer (or not yet) holds what the authorisation is for, today."""
    return not held_by_lab(authorisation.person.lab_id, authorisation.item, authorisation.category, today())
