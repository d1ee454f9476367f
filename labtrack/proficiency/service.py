"""Comparison rounds: who sees what, creating and editing rounds, inviting labs, the round's states."""

import math
import secrets
from datetime import date
from random import Random
from typing import Any

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import Select, exists, func, or_, select

from labtrack.auth.permissions import lab_scope_id
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.models_base import today
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
from labtrack.services import Conflict, InvalidInput, act_as, commit

# Who may move a round where by an explicit transition (evaluate and publish have their own calls).
TRANSITIONS = {
    RoundStatus.PLANNED: {RoundStatus.OPEN},
    RoundStatus.OPEN: {RoundStatus.CLOSED},
    RoundStatus.CLOSED: {RoundStatus.OPEN},
}
EDITABLE = (
    "title", "kind", "organiser", "measurand", "unit", "opens_on", "closes_on", "assigned_value_method",
    "x_pt", "u_x_pt", "sigma_pt_method", "sigma_pt", "score_basis", "notes",
)  # fmt: skip
# Changing these after an evaluation invalidates it.
METHOD_FIELDS = ("assigned_value_method", "x_pt", "u_x_pt", "sigma_pt_method", "sigma_pt", "score_basis")
VISIBLE_TO_LAB_MANAGER = (RoundStatus.OPEN, RoundStatus.CLOSED, RoundStatus.EVALUATED, RoundStatus.PUBLISHED)


def _err(errors: dict, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


# --- Visibility ---


def rounds_query(
    q: str | None = None, kind: str | None = None, status: str | None = None, year: int | None = None
) -> Select:
    """Rounds the current user may see, newest first: a lab manager sees only rounds its lab is in."""
    stmt = select(Round)
    scope = lab_scope_id()
    if scope is not None:
        stmt = stmt.where(
            Round.status.in_(VISIBLE_TO_LAB_MANAGER),
            exists().where(Participant.round_id == Round.id, Participant.lab_id == scope),
        )
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


def get_round(code: str) -> Round | None:
    """The round with this code if the current user may see it."""
    rnd = db.session.scalar(select(Round).where(Round.code == code))
    if rnd is None:
        return None
    scope = lab_scope_id()
    if scope is not None and (
        rnd.status not in VISIBLE_TO_LAB_MANAGER or all(p.lab_id != scope for p in rnd.participants)
    ):
        return None
    return rnd


def get_round_or_404(code: str) -> Round:
    """The round with this code; 404 if missing or not the user's to see (never 403)."""
    rnd = get_round(code)
    if rnd is None:
        abort(404)
    return rnd


def sees_identities() -> bool:
    """Whether the current user sees which lab is behind each participant code."""
    return lab_scope_id() is None


def sees_results(rnd: Round) -> bool:
    """Staff see results as they come; a lab manager sees others' only once the round is published."""
    return sees_identities() or rnd.status == RoundStatus.PUBLISHED


def visible_results(rnd: Round) -> list[Result]:
    """The results the current user may see in a round (a lab manager: own, then all once published)."""
    stmt = select(Result).where(Result.round_id == rnd.id).order_by(Result.id)
    if not sees_results(rnd):
        stmt = stmt.where(Result.lab_id == lab_scope_id())
    return list(db.session.scalars(stmt))


# --- Creating and editing ---


def _number(data: dict, key: str, errors: dict, positive: bool = False, non_negative: bool = False) -> None:
    value = data.get(key)
    if value is None or value == "":
        data[key] = None
        return
    try:
        number = float(value)
    except (TypeError, ValueError):
        _err(errors, key, _("Not a number."))
        return
    if not math.isfinite(number):
        _err(errors, key, _("Not a finite number."))
    elif positive and number <= 0:
        _err(errors, key, _("Must be greater than 0."))
    elif non_negative and number < 0:
        _err(errors, key, _("Must not be negative."))
    data[key] = number


def _choice(data: dict, key: str, enum: type, errors: dict, required: bool = True) -> None:
    value = data.get(key)
    if value in (None, ""):
        if required:
            _err(errors, key, _("This field is required."))
        return
    if value not in {e.value for e in enum}:
        _err(errors, key, _("Must be one of: %(choices)s.", choices=", ".join(e.value for e in enum)))


def validate_round(data: dict[str, Any], rnd: Round | None = None) -> dict[str, Any]:
    """Check a round's fields (given ones only when editing); returns the cleaned values."""
    data = dict(data)
    errors: dict[str, list[str]] = {}
    creating = rnd is None
    if creating or "code" in data:
        code = (data.get("code") or "").strip()
        if not code:
            _err(errors, "code", _("A code is required."))
        elif db.session.scalar(
            select(Round.id).where(
                func.lower(Round.code) == code.lower(), Round.id != (rnd.id if rnd else -1)
            )
        ):
            _err(errors, "code", _("Another round already has code %(code)s.", code=code))
        data["code"] = code
    for key in ("title", "measurand"):
        if (creating or key in data) and not (data.get(key) or "").strip():
            _err(errors, key, _("This field is required."))
    if creating or "kind" in data:
        _choice(data, "kind", RoundKind, errors)
    if creating or "assigned_value_method" in data:
        _choice(data, "assigned_value_method", AssignedValueMethod, errors)
    for key, enum in (("sigma_pt_method", SigmaMethod), ("score_basis", ScoreBasis)):
        if key in data:
            _choice(data, key, enum, errors, required=False)
    for key, rule in (("x_pt", {}), ("u_x_pt", {"non_negative": True}), ("sigma_pt", {"positive": True})):
        if key in data:
            _number(data, key, errors, **rule)
    opens, closes = (
        data.get("opens_on", rnd.opens_on if rnd else None),
        data.get("closes_on", rnd.closes_on if rnd else None),
    )
    if opens and closes and closes < opens:
        _err(errors, "closes_on", _("The round cannot close before it opens."))
    if "item_code" in data:
        item_code = (data.pop("item_code") or "").strip()
        data["item"] = None
        if item_code:
            data["item"] = db.session.scalar(select(TestItem).where(TestItem.code == item_code))
            if data["item"] is None:
                _err(errors, "item_code", _("No catalogue item has code %(code)s.", code=item_code))
    if "participants" in data:
        codes = [c.strip() for c in (data.get("participants") or []) if c and c.strip()]
        labs = {lab.code: lab for lab in db.session.scalars(select(Lab).where(Lab.code.in_(codes)))}
        unknown = [c for c in codes if c not in labs]
        if unknown:
            _err(errors, "participants", _("Unknown laboratories: %(codes)s.", codes=", ".join(unknown)))
        data["participants"] = [labs[c] for c in dict.fromkeys(codes) if c in labs]
    if errors:
        raise InvalidInput(_("The round could not be saved."), errors)
    return data


def _default_basis(data: dict) -> str:
    return ScoreBasis.EN if data.get("kind") == RoundKind.MEASUREMENT_COMPARISON else ScoreBasis.Z


def create_round(data: dict[str, Any], actor: Any, rng: Random | None = None) -> Round:
    """Create a planned round (and invite its labs); records who did it."""
    data = validate_round(data)
    rnd = Round(code=data["code"], status=RoundStatus.PLANNED, item=data.get("item"))
    for key in EDITABLE:
        if data.get(key) is not None:
            setattr(rnd, key, data[key].strip() if isinstance(data[key], str) else data[key])
    rnd.score_basis = data.get("score_basis") or _default_basis(data)
    rnd.sigma_pt_method = data.get("sigma_pt_method") or SigmaMethod.FIXED
    act_as(actor)
    db.session.add(rnd)
    _set_participants(rnd, data.get("participants") or [], rng)
    commit()
    return rnd


def update_round(rnd: Round, data: dict[str, Any], actor: Any, rng: Random | None = None) -> Round:
    """Change a round's fields or participants; a change of method drops an unpublished evaluation."""
    if rnd.status == RoundStatus.PUBLISHED:
        raise Conflict(_("A published round cannot be changed."))
    data = validate_round(data, rnd)
    if "item" in data:
        rnd.item = data["item"]
    for key in EDITABLE:
        if key in data:
            value = data[key]
            setattr(rnd, key, value.strip() if isinstance(value, str) else value)
    if "participants" in data:
        _set_participants(rnd, data["participants"], rng)
    if rnd.status == RoundStatus.EVALUATED and any(k in data for k in METHOD_FIELDS):
        _drop_evaluation(rnd)
    act_as(actor)
    commit()
    return rnd


def _drop_evaluation(rnd: Round) -> None:
    """Back to closed: the stored scores no longer match the round's settings."""
    for result in rnd.results:
        result.score = result.score_kind = result.grade = None
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
    """Open or close a round for results (409 when its state does not allow it)."""
    if to not in {RoundStatus.OPEN, RoundStatus.CLOSED}:
        raise InvalidInput(_("Unknown transition."), {"to": [_("Must be one of: open, closed.")]})
    if to not in TRANSITIONS.get(rnd.status, set()):
        raise Conflict(
            _("A round that is %(status)s cannot become %(to)s.", status=rnd.status_label, to=to),
            {"to": [_("Not allowed from %(status)s.", status=rnd.status)]},
        )
    if to == RoundStatus.OPEN and not rnd.participants:
        raise Conflict(
            _("Invite at least one laboratory before opening the round."),
            {"participants": [_("No laboratories invited.")]},
        )
    rnd.status = RoundStatus(to)
    if to == RoundStatus.OPEN and rnd.opens_on is None:
        rnd.opens_on = today()
    if to == RoundStatus.CLOSED and (rnd.closes_on is None or rnd.closes_on > today()):
        rnd.closes_on = today()
    act_as(actor)
    commit()
    return rnd
