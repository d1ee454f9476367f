"""Inspection plans: making and changing them (while drafts), publishing them and their draws, the
inspector pool and inspectors' profiles (region, organisation). The draw itself is `drawing.py`."""

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from labtrack import parsing
from labtrack.auth.models import User
from labtrack.extensions import db
from labtrack.labs.models import LAB_KIND_LABELS, Lab, LabKind
from labtrack.models_base import today
from labtrack.planning import policy
from labtrack.planning.grading import INSPECTION_KINDS
from labtrack.planning.models import InspectorProfile, Plan, PlanInspector, Stratum
from labtrack.planning.values import (
    EXCLUDE_MONTHS_MAX,
    POOL_MAX,
    STRATA_MAX,
    TEAM_MAX,
    PlanStatus,
    plan_code,
    ratio,
    ratio_text,
)
from labtrack.scope.models import TestCategory
from labtrack.services import Conflict, Forbidden, InvalidInput, load_by, transaction

PLAN_KINDS = tuple(k.value for k in INSPECTION_KINDS)


# --- reading -------------------------------------------------------------------------------------


def plans_query(actor: Any, year: int | None = None, status: str | None = None) -> Select:
    """Plans the actor may see (lab managers: published ones), newest year first."""
    stmt = select(Plan).options(selectinload(Plan.strata), selectinload(Plan.draw))
    if not policy.sees_unpublished_plans(actor):
        stmt = stmt.where(Plan.published_on.is_not(None))
    if year:
        stmt = stmt.where(Plan.year == year)
    if status:
        stmt = stmt.where(Plan.status == status)
    return stmt.order_by(Plan.year.desc(), Plan.code)


def load_plan(actor: Any, code: Any) -> Plan:
    """The plan with this code, if the actor may see it (else NotFound)."""
    return load_by(Plan, Plan.code, code, visible=lambda p: policy.sees_plan(actor, p), what=_("plan"))


def stratum_label(stratum: Stratum) -> str:
    """A stratum named by its filters: "Chengdu · metrology institutes · Food", or "every lab"."""
    parts = []
    if stratum.region:
        parts.append(stratum.region)
    if stratum.lab_kind:
        parts.append(str(LAB_KIND_LABELS.get(stratum.lab_kind, stratum.lab_kind)))
    if stratum.category is not None:
        parts.append(f"{stratum.category.code} {stratum.category.name}")
    return " · ".join(parts) if parts else _("every laboratory")


def stratum_size(stratum: Stratum) -> str:
    """The quota or ratio of a stratum for people."""
    return str(stratum.quota) if stratum.quota is not None else ratio_text(stratum.ratio_bp)


def pool_candidates() -> list[User]:
    """Accounts that may be in an inspector pool (active inspectors), by username."""
    users = db.session.scalars(select(User).order_by(User.username))
    return [u for u in users if policy.may_be_drawn(u)]


def profiles_by_user(user_ids: list[int]) -> dict[int, InspectorProfile]:
    """Inspectors' profiles by user id."""
    if not user_ids:
        return {}
    stmt = (
        select(InspectorProfile)
        .where(InspectorProfile.user_id.in_(user_ids))
        .options(selectinload(InspectorProfile.organisation_lab))
    )
    return {p.user_id: p for p in db.session.scalars(stmt)}


# --- parsing a plan -------------------------------------------------------------------------------


def _regions() -> set[str]:
    return set(db.session.scalars(select(Lab.region).distinct()))


def _strata(rows: Any, f: parsing.Fields) -> list[dict]:
    """The strata given (a list of {region, lab_kind, category, quota, ratio}); blank rows skipped."""
    if rows in (None, ""):
        rows = []
    if not isinstance(rows, list | tuple):
        f.add("strata", _("A list of strata."))
        return []
    regions, kinds = _regions(), {k.value for k in LabKind}
    strata, problems = [], []
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            problems.append(_("Stratum %(n)d: not a stratum.", n=n))
            continue
        if all(parsing.is_blank(row.get(k)) for k in ("region", "lab_kind", "category", "quota", "ratio")):
            continue
        values = {"region": None, "lab_kind": None, "category_id": None, "quota": None, "ratio_bp": None}
        region = row.get("region")
        if not parsing.is_blank(region):
            if str(region).strip() not in regions:
                problems.append(
                    _("Stratum %(n)d: no laboratory is in the region %(region)s.", n=n, region=region)
                )
            values["region"] = str(region).strip()
        kind = row.get("lab_kind")
        if not parsing.is_blank(kind):
            if str(kind).strip() not in kinds:
                problems.append(_("Stratum %(n)d: no such kind of laboratory.", n=n))
            values["lab_kind"] = str(kind).strip()
        category = row.get("category")
        if not parsing.is_blank(category):
            found = db.session.scalar(
                select(TestCategory).where(TestCategory.code_key == parsing.code_key(str(category).strip()))
            )
            if found is None:
                problems.append(_("Stratum %(n)d: no such test category %(code)s.", n=n, code=category))
            else:
                values["category_id"] = found.id
        try:
            quota = parsing.integer(row.get("quota"), required=False, minimum=1)
            share = ratio(row.get("ratio"))
        except parsing.ParseError as exc:
            problems.append(_("Stratum %(n)d: %(message)s", n=n, message=exc.message))
            continue
        if (quota is None) == (share is None):
            problems.append(_("Stratum %(n)d: give either a quota or a ratio.", n=n))
        values["quota"], values["ratio_bp"] = quota, share
        strata.append(values)
    if len(strata) > STRATA_MAX:
        problems.append(_("At most %(n)d strata.", n=STRATA_MAX))
    if not strata and not problems:
        problems.append(_("A plan needs at least one stratum."))
    for message in problems:
        f.add("strata", message)
    return strata


def _pool(usernames: Any, f: parsing.Fields) -> list[User]:
    if parsing.is_blank(usernames) or usernames == []:
        names: list[str] = []
    elif isinstance(usernames, list | tuple):
        names = [str(u).strip() for u in usernames if not parsing.is_blank(u)]
    else:
        names = [u for u in str(usernames).replace(",", " ").split() if u]
    names = list(dict.fromkeys(names))
    if len(names) > POOL_MAX:
        f.add("inspectors", _("At most %(n)d inspectors.", n=POOL_MAX))
        return []
    users = (
        {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(names)))}
        if names
        else {}
    )
    wrong = [n for n in names if n not in users or not policy.may_be_drawn(users[n])]
    if wrong:
        f.add("inspectors", _("Not active inspectors: %(names)s.", names=", ".join(wrong)))
        return []
    return [users[n] for n in names]


def parse_plan(data: dict, plan: Plan | None = None) -> dict[str, Any]:
    """Every field of a plan, or InvalidInput naming each bad one."""
    f = parsing.Fields(data)
    values: dict[str, Any] = {
        "code": f.get("code", plan_code),
        "title": f.get("title", parsing.name),
        "year": f.get("year", parsing.year),
        "audit_kind": f.get("audit_kind", parsing.choice, PLAN_KINDS),
        "team_size": f.get("team_size", parsing.integer, minimum=1, maximum=TEAM_MAX),
        "risk_weighted": f.get("risk_weighted", parsing.boolean),
        "exclude_months": f.get(
            "exclude_months", parsing.integer, required=False, maximum=EXCLUDE_MONTHS_MAX
        ),
        "notes": f.get("notes", parsing.text, required=False),
    }
    year = values["year"]
    starts_on = f.get("starts_on", parsing.day, required=False)
    ends_on = f.get("ends_on", parsing.day, required=False)
    if year is not None:
        starts_on = starts_on or date(year, 1, 1)
        ends_on = ends_on or date(year, 12, 31)
    if starts_on and ends_on and ends_on < starts_on:
        f.add("ends_on", _("The end date cannot be before the start date."))
    values["starts_on"], values["ends_on"] = starts_on, ends_on
    values["strata"] = _strata(data.get("strata"), f)
    values["pool"] = _pool(data.get("inspectors"), f)
    size = values["team_size"]
    if size is not None and "inspectors" not in f.errors and len(values["pool"]) < size:
        f.add(
            "inspectors",
            _("The pool has %(n)d inspectors; a team needs %(size)d.", n=len(values["pool"]), size=size),
        )
    code = values["code"]
    if code is not None and "code" not in f.errors:
        taken = db.session.scalar(select(Plan.id).where(Plan.code_key == parsing.code_key(code)))
        if taken is not None and (plan is None or taken != plan.id):
            f.add("code", _("A plan with this code exists."))
    f.raise_if_any(_("The plan could not be saved."))
    return values


def _check_quotas(values: dict[str, Any], on: date) -> None:
    """Refuse a quota larger than its stratum's eligible labs today (each stratum on its own)."""
    from labtrack.planning.drawing import stratum_population

    problems = []
    plan_like = _PlanShape(values)
    for position, stratum in enumerate(values["strata"], start=1):
        if stratum["quota"] is None:
            continue
        eligible = len(stratum_population(plan_like, _StratumShape(stratum), on))
        if stratum["quota"] > eligible:
            problems.append(
                _(
                    "Stratum %(n)d: the quota %(quota)d is larger than its %(eligible)d eligible laboratories.",
                    n=position,
                    quota=stratum["quota"],
                    eligible=eligible,
                )
            )
    if problems:
        raise InvalidInput(_("The plan could not be saved."), {"strata": problems})


class _PlanShape:
    """The parts of a plan the population needs, from parsed values (before it is saved)."""

    def __init__(self, values: dict[str, Any]):
        self.exclude_months = values.get("exclude_months")
        self.risk_weighted = bool(values.get("risk_weighted"))


class _StratumShape:
    def __init__(self, values: dict[str, Any]):
        self.region, self.lab_kind, self.category_id = (
            values["region"],
            values["lab_kind"],
            values["category_id"],
        )


# --- writing -------------------------------------------------------------------------------------


def _apply(plan: Plan, values: dict[str, Any]) -> None:
    for key in (
        "code",
        "title",
        "year",
        "audit_kind",
        "team_size",
        "exclude_months",
        "notes",
        "starts_on",
        "ends_on",
    ):
        setattr(plan, key, values[key])
    plan.risk_weighted = bool(values["risk_weighted"])
    plan.strata = [Stratum(position=n, **s) for n, s in enumerate(values["strata"], start=1)]
    keep = {m.user_id: m for m in plan.pool}
    plan.pool = [keep.get(u.id) or PlanInspector(user_id=u.id) for u in values["pool"]]


def create_plan(actor: Any, data: dict) -> Plan:
    """Make a draft plan (201)."""
    if not policy.may_manage_plans(actor):
        raise Forbidden(_("You may not make inspection plans."))
    values = parse_plan(data)
    _check_quotas(values, today())
    with transaction(actor, _("plan made")):
        plan = Plan(status=PlanStatus.DRAFT, created_by_id=getattr(actor, "id", None))
        _apply(plan, values)
        db.session.add(plan)
    return plan


def update_plan(actor: Any, plan: Plan, data: dict, version: Any = None) -> Plan:
    """Change a draft plan (not once it is drawn or published)."""
    if not policy.may_edit_plan(actor, plan):
        if policy.may_manage_plans(actor):
            raise Conflict(_("The plan is drawn or published; it can no longer be changed."))
        raise Forbidden(_("You may not change inspection plans."))
    _check_version(plan, version)
    values = parse_plan(data, plan)
    _check_quotas(values, today())
    with transaction(actor, _("plan changed")):
        # The old strata go first, so that the new ones may take their positions.
        plan.strata = []
        db.session.flush()
        _apply(plan, values)
    return plan


def _check_version(plan: Plan, version: Any) -> None:
    if version is not None and str(version) != str(plan.version):
        raise Conflict(
            _("Someone else saved this record meanwhile. Reload it to see their change, then try again."),
            {"version": [_("The record has changed since you read it.")]},
        )


def delete_plan(actor: Any, plan: Plan) -> None:
    """Delete a draft plan that was never published."""
    if not policy.may_edit_plan(actor, plan):
        if policy.may_manage_plans(actor):
            raise Conflict(_("The plan is drawn or published; it cannot be deleted."))
        raise Forbidden(_("You may not delete inspection plans."))
    with transaction(actor, _("plan deleted")):
        db.session.delete(plan)


def publish(actor: Any, plan: Plan, what: str, on: date | None = None) -> Plan:
    """Publish the plan (`what="plan"`) or its draw and outcomes (`what="draw"`)."""
    on = on or today()
    if what == "plan":
        if not policy.may_publish_plan(actor, plan):
            if policy.may_manage_plans(actor):
                raise Conflict(_("The plan is published already."))
            raise Forbidden(_("You may not publish plans."))
        with transaction(actor, _("plan published")):
            plan.published_on = on
    elif what == "draw":
        if not policy.may_publish_draw(actor, plan):
            if policy.may_manage_plans(actor):
                raise Conflict(_("Only the draw of a published plan that was drawn can be published, once."))
            raise Forbidden(_("You may not publish draws."))
        with transaction(actor, _("draw published")):
            plan.draw_published_on = on
    else:
        raise InvalidInput(_("Nothing was published."), {"what": [_("Not one of the allowed values.")]})
    return plan


def set_profile(actor: Any, user: User, data: dict) -> InspectorProfile:
    """Where an inspector belongs: region and organisation (a lab code, or a name)."""
    if not policy.may_manage_plans(actor):
        raise Forbidden(_("You may not change inspectors' profiles."))
    if not policy.may_be_drawn(user):
        raise InvalidInput(_("The profile could not be saved."), {"user": [_("Not an active inspector.")]})
    f = parsing.Fields(data)
    region = f.get("region", parsing.name, required=False, max_len=80)
    lab_code = f.get("organisation_lab", parsing.code, required=False)
    organisation = f.get("organisation", parsing.name, required=False)
    lab = None
    if lab_code:
        lab = db.session.scalar(select(Lab).where(Lab.code_key == parsing.code_key(lab_code)))
        if lab is None:
            f.add("organisation_lab", _("No such laboratory."))
    f.raise_if_any(_("The profile could not be saved."))
    profile = db.session.scalar(select(InspectorProfile).where(InspectorProfile.user_id == user.id))
    with transaction(actor, _("inspector profile saved")):
        if profile is None:
            profile = InspectorProfile(user_id=user.id)
            db.session.add(profile)
        profile.region = region
        profile.organisation_lab_id = lab.id if lab else None
        profile.organisation = organisation or (lab.name if lab else None)
    return profile


def years() -> list[int]:
    """Years that have plans, newest first."""
    return list(db.session.scalars(select(Plan.year).distinct().order_by(Plan.year.desc())))


def plan_count() -> int:
    """How many plans there are."""
    return int(db.session.scalar(select(func.count()).select_from(Plan)) or 0)
