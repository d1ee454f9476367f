"""Comparison rounds: finding them, creating and editing them, inviting labs, opening and closing.

Every function takes the acting user, asks `labtrack.proficiency.policy`, raises the domain errors
of `labtrack.services` and changes records inside one `transaction` (which commits or rolls back).
"""

import secrets
from collections.abc import Mapping
from datetime import date
from random import Random
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext as _n
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from labtrack import events, parsing
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.proficiency import policy
from labtrack.proficiency.models import (
    AssignedValueMethod,
    Participant,
    Result,
    Round,
    RoundKind,
    RoundStatus,
    ScoreBasis,
    SigmaMethod,
)
from labtrack.scope.models import TestItem
from labtrack.services import Conflict, Forbidden, InvalidInput, load_by, transaction

# Open or close a round by an explicit transition (evaluate and publish have their own calls).
TRANSITIONS = {
    RoundStatus.PLANNED: {RoundStatus.OPEN},
    RoundStatus.OPEN: {RoundStatus.CLOSED},
    RoundStatus.CLOSED: {RoundStatus.OPEN},
}
EDITABLE = (
    "title", "kind", "organiser", "measurand", "unit", "opens_on", "closes_on", "assigned_value_method",
    "x_pt", "u_x_pt", "sigma_pt_method", "sigma_pt", "score_basis", "notes", "split_level",
    "x_pt_b", "u_x_pt_b", "sigma_pt_b",
)  # fmt: skip
# Changing these after an evaluation invalidates it.
METHOD_FIELDS = ("assigned_value_method", "x_pt", "u_x_pt", "sigma_pt_method", "sigma_pt", "score_basis",
                 "x_pt_b", "u_x_pt_b", "sigma_pt_b")  # fmt: skip
UNIT_MAX = 40  # the unit column (mg/L, μg/kg, g)
PARTICIPANTS_MAX = 5_000  # labs invited to one round (the province has a few hundred)
PER_PAGE = 25


# --- Finding rounds ----------------------------------------------------------------------------


def round_filters(args: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The list's filters (q, kind, status, year, page) from a query string, parsed, and the errors
    of those that cannot be used (e.g. a year outside 1900-2199, a page beyond 2^31 - 1): a bad
    filter is left out and named, so the list still shows."""
    fields = parsing.Fields(dict(args))
    filters = {
        "q": fields.get("q", parsing.text, required=False, max_len=parsing.NAME_MAX, multiline=False),
        "kind": fields.get("kind", parsing.choice, [k.value for k in RoundKind], required=False),
        "status": fields.get("status", parsing.choice, [s.value for s in RoundStatus], required=False),
        "year": fields.get("year", parsing.year, required=False),
        "page": fields.get("page", parsing.integer, required=False, minimum=1, maximum=parsing.COUNT_MAX)
        or 1,
    }
    return filters, fields.errors


def rounds_query(
    actor: Any,
    q: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    year: int | None = None,
) -> Select:
    """Rounds the actor may see, newest first (a lab manager: those its lab is invited to, once open)."""
    stmt = policy.narrow(select(Round), actor)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Round.code.ilike(like), Round.title.ilike(like), Round.measurand.ilike(like)))
    if kind:
        stmt = stmt.where(Round.kind == kind)
    if status:
        stmt = stmt.where(Round.status == status)
    if year:
        stmt = stmt.where(Round.closes_on >= date(year, 1, 1), Round.closes_on <= date(year, 12, 31))
    return stmt.order_by(Round.closes_on.desc().nulls_first(), Round.code.desc())


def get_round(code: str, actor: Any, *, with_results: bool = False) -> Round:
    """The round with this code; NotFound (404) if there is none or the actor may not see it.

    With `with_results`, its invited labs are loaded in one query, so its results and their labs
    come from the session instead of one query each.
    """
    rnd = load_by(Round, Round.code, code, visible=lambda r: policy.sees_round(actor, r), what=_("round"))
    if with_results:
        db.session.scalars(
            select(Participant).where(Participant.round_id == rnd.id).options(joinedload(Participant.lab))
        ).all()
    return rnd


def require_manager(actor: Any) -> None:
    """Forbidden (403) unless the actor manages rounds."""
    if not policy.may_manage(actor):
        raise Forbidden(_("Only the quality department and administrators manage comparison rounds."))


# --- Creating and editing ----------------------------------------------------------------------


def round_values(data: Mapping[str, Any], rnd: Round | None = None) -> dict[str, Any]:
    """Parse a round's fields (every required one when creating, the given ones when editing);
    InvalidInput (422) naming every bad field."""
    fields = parsing.Fields(dict(data))
    creating = rnd is None
    values: dict[str, Any] = {}

    # A new round without a code gets the next one of its kind and year (as audits do).
    propose = creating and parsing.is_blank(data.get("code"))
    if not propose and (creating or "code" in data):
        code = fields.get("code", parsing.code)
        if code is not None and rnd is not None and code != rnd.code:
            fields.add("code", _("The code of a round cannot be changed."))
        elif code is not None and rnd is None:
            if db.session.scalar(select(Round.id).where(Round.code_key == parsing.code_key(code))):
                fields.add("code", _("Another round already has code %(code)s.", code=code))
            values["code"] = code
    for key in ("title", "measurand"):
        if creating or key in data:
            values[key] = fields.get(key, parsing.name)
    if "organiser" in data:
        values["organiser"] = fields.get("organiser", parsing.name, required=False) or ""
    if "unit" in data:
        values["unit"] = fields.get("unit", parsing.name, required=False, max_len=UNIT_MAX) or ""
    if "notes" in data:
        values["notes"] = fields.get("notes", parsing.text, required=False)
    for key, enum, required in (
        ("kind", RoundKind, True),
        ("assigned_value_method", AssignedValueMethod, True),
        ("sigma_pt_method", SigmaMethod, False),
        ("score_basis", ScoreBasis, False),
    ):
        if (creating and required) or key in data:
            values[key] = fields.get(key, parsing.choice, [e.value for e in enum], required=required)
    for key, rule in (
        ("x_pt", {}), ("u_x_pt", {"minimum": 0.0}), ("sigma_pt", {"positive": True}),
        ("x_pt_b", {}), ("u_x_pt_b", {"minimum": 0.0}), ("sigma_pt_b", {"positive": True}),
    ):  # fmt: skip
        if key in data:
            values[key] = fields.get(key, parsing.number, required=False, **rule)
    for key in ("opens_on", "closes_on"):
        if key in data:
            values[key] = fields.get(key, parsing.day, required=False)
    opens = values.get("opens_on", rnd.opens_on if rnd else None)
    closes = values.get("closes_on", rnd.closes_on if rnd else None)
    if "opens_on" not in fields.errors and "closes_on" not in fields.errors:
        try:
            parsing.date_range(opens, closes)
        except parsing.ParseError:
            fields.add("closes_on", _("The round cannot close before it opens."))
    if "item_code" in data:
        item_code = fields.get("item_code", parsing.code, required=False)
        values["item"] = None
        if item_code:
            values["item"] = db.session.scalar(select(TestItem).where(TestItem.code == item_code))
            if values["item"] is None:
                fields.add("item_code", _("No catalogue item has code %(code)s.", code=item_code))
    if "participants" in data:
        values["participants"] = _labs(data.get("participants"), fields)
    if "split_level" in data:
        values["split_level"] = bool(fields.get("split_level", parsing.boolean))
    if propose and values.get("kind"):
        values["code"] = propose_code(values["kind"], (values.get("opens_on") or today()).year)
    if rnd is not None:
        _refuse_locked_changes(rnd, values, fields)
    fields.raise_if_any(_("The round could not be saved."))
    return values


def _lock_messages() -> dict[str, str]:
    return {
        "split_level": _(
            "Results have been reported: whether the round is split-level can no longer change (it "
            "would reinterpret them). Withdraw every result first."
        ),
        "unit": _(
            "Results have been reported in this unit: it can no longer change (it would reinterpret "
            "them). Withdraw every result first."
        ),
        "item_code": _(
            "Results have been reported on this catalogue item: it can no longer change (their history "
            "would move to another item). Withdraw every result first."
        ),
    }


def has_results(rnd: Round) -> bool:
    """Whether any result of the round is stored."""
    return (
        rnd.id is not None
        and db.session.scalar(select(Result.id).where(Result.round_id == rnd.id).limit(1)) is not None
    )


def locked_fields(rnd: Round) -> dict[str, str]:
    """The round's fields that can no longer change because results exist, each with why (the
    kind of results and a qualitative round's categories are fixed by `qualitative.set_design`)."""
    return _lock_messages() if has_results(rnd) else {}


def _refuse_locked_changes(rnd: Round, values: dict[str, Any], fields: parsing.Fields) -> None:
    """Name every field whose change would reinterpret the round's stored results (422)."""
    current = {"split_level": bool(rnd.split_level), "unit": rnd.unit or "", "item_code": rnd.item_id}
    asked = {}
    if "split_level" in values:
        asked["split_level"] = bool(values["split_level"])
    if "unit" in values:
        asked["unit"] = values["unit"] or ""
    if "item" in values:
        asked["item_code"] = getattr(values["item"], "id", None)
    changed = [key for key, value in asked.items() if value != current[key]]
    if changed and has_results(rnd):
        messages = _lock_messages()
        for key in changed:
            fields.add(key, messages[key])


CODE_PREFIX = {
    RoundKind.BLIND_SAMPLE: "BS",
    RoundKind.MEASUREMENT_COMPARISON: "MC",
    RoundKind.PROFICIENCY_TEST: "PT",
    RoundKind.INTERLABORATORY_COMPARISON: "ILC",
}


def propose_code(kind: str, year: int) -> str:
    """The next free code of a round of this kind in this year: BS-2026-01, BS-2026-02, ..."""
    prefix = f"{CODE_PREFIX.get(RoundKind(kind), 'R')}-{year}-"
    taken = db.session.scalars(select(Round.code).where(Round.code.like(f"{prefix}%"))).all()
    numbers = [int(code[len(prefix) :]) for code in taken if code[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


def code_proposals(year: int) -> dict[str, str]:
    """The code each kind of round would get this year (the form fills it in as the kind changes)."""
    return {kind.value: propose_code(kind, year) for kind in RoundKind}


def item_choices() -> list[tuple[str, str]]:
    """(code, "code name") of every catalogue item, for the round form's searchable item select."""
    rows = db.session.execute(select(TestItem.code, TestItem.name).order_by(TestItem.code))
    return [(code, f"{code} {name}") for code, name in rows]


def holders(item_code: Any, actor: Any, on: date | None = None) -> dict[str, Any]:
    """The laboratories holding a catalogue item today (the labs a round on it would invite):
    only for those who manage rounds (Forbidden otherwise); NotFound for an unknown item."""
    from labtrack.scope.models import ScopeEntry
    from labtrack.scope.service import held_on

    require_manager(actor)
    if parsing.is_blank(item_code):  # no item chosen (yet): nothing to propose
        return {"item": None, "labs": [], "message": ""}
    fields = parsing.Fields({"item": item_code})
    code = fields.get("item", parsing.code)
    fields.raise_if_any(_("Name a catalogue item."))
    item = load_by(TestItem, TestItem.code, code, what=_("test item"))
    stmt = (
        select(Lab.id, Lab.code, Lab.name)
        .join(ScopeEntry, ScopeEntry.lab_id == Lab.id)
        .where(ScopeEntry.item_id == item.id, held_on(on or today()))
        .distinct()
        .order_by(Lab.code)
    )
    labs = [{"id": i, "code": code, "name": name} for i, code, name in db.session.execute(stmt)]
    return {
        "item": item.code,
        "labs": labs,
        "message": _n(
            "%(num)s laboratory holds %(item)s today: proposed as participant.",
            "%(num)s laboratories hold %(item)s today: proposed as participants.",
            len(labs),
            item=item.code,
        ),
    }


def _labs(codes: Any, fields: parsing.Fields) -> list[Lab]:
    """The labs of a list of codes (each once, in the order given); unknown ones are errors."""
    if codes is None or codes == "":
        return []
    if isinstance(codes, str) or not isinstance(codes, list | tuple):
        fields.add("participants", _("Give a list of laboratory codes."))
        return []
    if len(codes) > PARTICIPANTS_MAX:
        fields.add("participants", _("At most %(n)d laboratories.", n=PARTICIPANTS_MAX))
        return []
    wanted: list[str] = []
    for raw in codes:
        try:
            code = parsing.code(raw, required=False)
        except parsing.ParseError as exc:
            fields.add("participants", f"{raw!s:.40}: {exc.message}")
            continue
        if code and code not in wanted:
            wanted.append(code)
    labs = {lab.code: lab for lab in db.session.scalars(select(Lab).where(Lab.code.in_(wanted)))}
    unknown = [c for c in wanted if c not in labs]
    if unknown:
        fields.add("participants", _("Unknown laboratories: %(codes)s.", codes=", ".join(unknown)))
    return [labs[c] for c in wanted if c in labs]


def _default_basis(values: dict) -> str:
    return ScoreBasis.EN if values.get("kind") == RoundKind.MEASUREMENT_COMPARISON else ScoreBasis.Z


def create_round(data: Mapping[str, Any], actor: Any, rng: Random | None = None) -> Round:
    """Create a planned round and invite its labs (each gets a random anonymous participant code)."""
    require_manager(actor)
    values = round_values(data)
    with transaction(actor):
        rnd = Round(code=values["code"], status=RoundStatus.PLANNED, item=values.get("item"))
        for key in EDITABLE:
            if values.get(key) is not None:
                setattr(rnd, key, values[key])
        rnd.score_basis = values.get("score_basis") or _default_basis(values)
        rnd.sigma_pt_method = values.get("sigma_pt_method") or SigmaMethod.FIXED
        db.session.add(rnd)
        _set_participants(rnd, values.get("participants") or [], rng)
    return rnd


def update_round(rnd: Round, data: Mapping[str, Any], actor: Any, rng: Random | None = None) -> Round:
    """Change some of a round's fields or its invited labs (until it is published); a change of
    method drops an unpublished evaluation, which must then be made again."""
    require_manager(actor)
    if rnd.status == RoundStatus.PUBLISHED:
        raise Conflict(_("A published round cannot be changed."))
    values = round_values(data, rnd)
    with transaction(actor):
        if "item" in values:
            rnd.item = values["item"]
        for key in EDITABLE:
            if key in values:
                if key in ("sigma_pt_method", "score_basis") and values[key] is None:
                    continue  # these always have a value
                setattr(rnd, key, values[key])
        if "participants" in values:
            _set_participants(rnd, values["participants"], rng)
        if rnd.status == RoundStatus.EVALUATED and any(k in values for k in METHOD_FIELDS):
            _drop_evaluation(rnd)
    return rnd


def _drop_evaluation(rnd: Round) -> None:
    """Back to closed: the stored scores no longer match the round's settings."""
    for result in rnd.results:
        result.score = result.score_kind = result.grade = None
        result.score_b = result.score_kind_b = result.grade_b = None
    if rnd.evaluation is not None:
        db.session.delete(rnd.evaluation)
        rnd.evaluation = None
    rnd.status = RoundStatus.CLOSED


def _set_participants(rnd: Round, labs: list[Lab], rng: Random | None = None) -> None:
    """Invite these labs (new ones get an anonymous code); uninvite the others unless they reported."""
    wanted = {lab.id for lab in labs}
    for participant in list(rnd.participants):
        if participant.lab_id not in wanted:
            if participant.result is not None:
                raise InvalidInput(
                    _("The round could not be saved."),
                    {
                        "participants": [
                            _("%(lab)s has reported a result and stays invited.", lab=participant.lab.code)
                        ]
                    },
                )
            rnd.participants.remove(participant)
            db.session.delete(participant)
    have = {p.lab_id for p in rnd.participants}
    new = [lab for lab in labs if lab.id not in have]
    if not new:
        return
    taken = {p.participant_code for p in rnd.participants}
    # Codes are drawn at random so that their order says nothing about which lab is which.
    rng = rng or Random(secrets.randbits(64))
    pool = [f"P{n:03d}" for n in range(1, max(1000, 4 * (len(taken) + len(new))))]
    pool = [c for c in pool if c not in taken]
    for lab, code in zip(new, rng.sample(pool, len(new)), strict=True):
        rnd.participants.append(Participant(lab=lab, lab_id=lab.id, participant_code=code))


def transition(rnd: Round, to: str, actor: Any) -> Round:
    """Open a round for results or close it; Conflict (409) when its state does not allow it."""
    require_manager(actor)
    try:
        target = RoundStatus(parsing.choice(to, (RoundStatus.OPEN.value, RoundStatus.CLOSED.value)))
    except (parsing.ParseError, ValueError):
        raise InvalidInput(_("Unknown transition."), {"to": [_("Must be one of: open, closed.")]}) from None
    if target not in TRANSITIONS.get(rnd.status, set()):
        if target == RoundStatus.OPEN:
            message = _("Only a planned or closed round can be opened (this one is %(status)s).")
        else:
            message = _("Only an open round can be closed (this one is %(status)s).")
        raise Conflict(message % {"status": rnd.status_label})
    if target == RoundStatus.OPEN and not rnd.participants:
        raise Conflict(
            _("Invite at least one laboratory before opening the round."),
            {"participants": [_("No laboratories invited.")]},
        )
    with transaction(actor):
        rnd.status = target
        if target == RoundStatus.OPEN and rnd.opens_on is None:
            rnd.opens_on = today()
        if target == RoundStatus.CLOSED and (rnd.closes_on is None or rnd.closes_on > today()):
            rnd.closes_on = today()
        events.round_changed.send(rnd, actor=actor, to=target.value)
    return rnd


def days_late(rnd: Round, on: date | None = None) -> int:
    """How many days after the round's closing date `on` (today) is: 0 when not late or no date."""
    if rnd.closes_on is None:
        return 0
    return max(((on or today()) - rnd.closes_on).days, 0)
