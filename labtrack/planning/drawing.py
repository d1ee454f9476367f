"""Making a plan's draw: the inputs read from the database as docs/draw.md says (each stratum's
eligible labs with their weights, the pool with what each inspector may not inspect), the draw
computed by `draw.py`, then either answered (a dry run records nothing) or recorded once with its
planned audits and teams. Swaps of an inspector come after, each with a reason."""

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from labtrack import parsing
from labtrack.audits.models import Audit, AuditStatus
from labtrack.auth.models import User
from labtrack.extensions import db
from labtrack.labs.models import Lab, LabStatus
from labtrack.models_base import today, utcnow
from labtrack.planning import audits_link, draw, policy
from labtrack.planning.grading import INSPECTION_KINDS, months_before
from labtrack.planning.models import Draw, DrawnLab, Plan, RiskGrading, Sanction, Stratum, Swap, TeamMember
from labtrack.planning.plans import profiles_by_user, stratum_label
from labtrack.planning.sanctions import held_on, in_force_on, not_suspended
from labtrack.planning.values import FINAL_KINDS, PlanStatus, reason, seed
from labtrack.scope.models import ScopeEntry, TestItem
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound, transaction

# Risk weighting: a lab's weight in a weighted plan by its current grade (ungraded: as B).
GRADE_WEIGHTS = {"A": 1, "B": 2, "C": 3, "D": 4}
UNGRADED_WEIGHT = 2


# --- the inputs ------------------------------------------------------------------------------------


def _eligible_labs(on: date) -> Any:
    """Labs still in the programme (active or suspended, not closed or revoked) whose
    qualification was not revoked or cancelled by a sanction in force on the day."""
    s = Sanction.__table__
    final = select(s.c.id).where(
        s.c.lab_id == Lab.id, s.c.kind.in_([k.value for k in FINAL_KINDS]), in_force_on(on, s)
    )
    return select(Lab.id, Lab.code, Lab.region).where(
        Lab.status.in_([LabStatus.ACTIVE.value, LabStatus.SUSPENDED.value]), ~exists(final)
    )


def recently_inspected(months: int | None, on: date) -> dict[int, date]:
    """Labs inspected (an inspection by the regulator, not merely planned) within `months` months
    before the day: lab id -> the last day."""
    if not months:
        return {}
    since = months_before(on, months)
    stmt = (
        select(Audit.lab_id, func.max(Audit.started_on))
        .where(
            Audit.kind.in_([k.value for k in INSPECTION_KINDS]),
            Audit.status != AuditStatus.PLANNED,
            Audit.started_on > since,
            Audit.started_on <= on,
        )
        .group_by(Audit.lab_id)
    )
    return dict(db.session.execute(stmt).all())


def _weights(lab_ids: list[int] | None) -> dict[int, int]:
    """Weights by current grade of these labs (None: of every graded lab)."""
    stmt = select(RiskGrading.lab_id, RiskGrading.grade).where(RiskGrading.current.is_(True))
    if lab_ids is not None and len(lab_ids) < 1000:
        stmt = stmt.where(RiskGrading.lab_id.in_(lab_ids))
    return {lab_id: GRADE_WEIGHTS.get(grade, UNGRADED_WEIGHT) for lab_id, grade in _core(stmt)}


def stratum_population(
    plan: Any,
    stratum: Any,
    on: date,
    excluded: dict[int, date] | None = None,
    weights: dict[int, int] | None = None,
    labs: list[Any] | None = None,
) -> list[dict[str, Any]]:
    """A stratum's eligible labs on a day, by code: {code, region, weight} (the draw's input).

    `excluded` (labs recently inspected), `weights` (by current grade) and `labs` (every lab in
    the programme: id, code, region, kind) may be given when the caller reads them once for
    every stratum."""
    if labs is None:
        labs = programme_labs(on)
    region, kind = stratum.region, stratum.lab_kind  # read once, not per lab
    rows = [r for r in labs if (not region or r[2] == region) and (not kind or r[3] == kind)]
    if stratum.category_id:
        holders = set(
            db.session.scalars(
                select(ScopeEntry.lab_id)
                .join(TestItem, TestItem.id == ScopeEntry.item_id)
                .where(
                    TestItem.category_id == stratum.category_id,
                    held_on(on),
                    not_suspended(ScopeEntry.lab_id, ScopeEntry.item_id, on),
                )
                .distinct()
            )
        )
        rows = [r for r in rows if r[0] in holders]
    if excluded is None:
        excluded = recently_inspected(plan.exclude_months, on)
    rows = [r for r in rows if r[0] not in excluded]
    weighted = bool(plan.risk_weighted)
    if weights is None:
        weights = _weights([r[0] for r in rows]) if weighted else {}
    return [
        {
            "code": code,
            "region": lab_region,
            "weight": weights.get(lab_id, UNGRADED_WEIGHT) if weighted else 1,
        }
        for lab_id, code, lab_region, _kind in rows
    ]


def programme_labs(on: date) -> list[tuple]:
    """Every lab in the programme on the day (see `_eligible_labs`), by code: (id, code, region, kind)."""
    stmt = _eligible_labs(on).add_columns(Lab.kind).order_by(Lab.code)
    return [tuple(row) for row in _core(stmt)]


def _core(stmt: Any) -> Any:
    """Rows of a select of columns, without the ORM's row processing (10,000s of rows here)."""
    return db.session.connection().execute(stmt)


def last_inspected_by(user_ids: list[int], on: date) -> dict[int, set[str]]:
    """For each inspector, the labs whose last inspection (up to the day) they were on, as lead
    or as a member of a drawn team: lab codes by user id."""
    if not user_ids:
        return {}
    last_day = func.max(Audit.started_on).over(partition_by=Audit.lab_id)
    ranked = (
        select(Audit.id, Audit.lab_id, Audit.lead_id, Audit.started_on, last_day.label("last_day"))
        .where(
            Audit.kind.in_([k.value for k in INSPECTION_KINDS]),
            Audit.status != AuditStatus.PLANNED,
            Audit.started_on <= on,
        )
        .subquery()
    )
    last = (
        select(ranked.c.id, ranked.c.lab_id, ranked.c.lead_id)
        .where(ranked.c.started_on == ranked.c.last_day)
        .subquery()
    )
    found: dict[int, set[str]] = defaultdict(set)
    leads = (
        select(last.c.lead_id, Lab.code)
        .join(Lab, Lab.id == last.c.lab_id)
        .where(last.c.lead_id.in_(user_ids))
    )
    for user_id, code in _core(leads):
        found[user_id].add(code)
    members = (
        select(TeamMember.user_id, Lab.code)
        .join(DrawnLab, DrawnLab.id == TeamMember.drawn_lab_id)
        .join(last, last.c.id == DrawnLab.audit_id)
        .join(Lab, Lab.id == last.c.lab_id)
        .where(TeamMember.user_id.in_(user_ids), TeamMember.ended_at.is_(None))
    )
    for user_id, code in _core(members):
        found[user_id].add(code)
    return found


def inputs_for(plan: Plan, seed_text: str, on: date) -> tuple[dict[str, Any], dict[str, Any]]:
    """The draw's inputs as docs/draw.md defines them, and the context the plan page shows
    (labs left out as recently inspected, each stratum's name)."""
    users = [m.user for m in plan.pool]
    profiles = profiles_by_user([u.id for u in users])
    last = last_inspected_by([u.id for u in users], on)
    inspectors = []
    for user in sorted(users, key=lambda u: u.username):
        profile = profiles.get(user.id)
        inspectors.append(
            {
                "username": user.username,
                "region": profile.region if profile else None,
                "organisation": profile.organisation_lab.code
                if profile and profile.organisation_lab
                else None,
                "last_inspected": sorted(last.get(user.id, ())),
            }
        )
    recent = recently_inspected(plan.exclude_months, on)
    weights = _weights(None) if plan.risk_weighted else {}
    labs = programme_labs(on)
    by_region: dict[str, list[tuple]] = defaultdict(list)
    for lab in labs:
        by_region[lab[2]].append(lab)
    strata = []
    for stratum in plan.strata:
        strata.append(
            {
                "position": stratum.position,
                "quota": stratum.quota,
                "ratio_bp": stratum.ratio_bp,
                "population": stratum_population(
                    plan,
                    stratum,
                    on,
                    recent,
                    weights,
                    by_region.get(stratum.region, []) if stratum.region else labs,
                ),
            }
        )
    inputs = {
        "algorithm": draw.ALGORITHM,
        "seed": seed_text,
        "team_size": plan.team_size,
        "strata": strata,
        "inspectors": inspectors,
    }
    codes = (
        dict(db.session.execute(select(Lab.id, Lab.code).where(Lab.id.in_(list(recent)))).all())
        if recent
        else {}
    )
    context = {
        "drawn_on": on.isoformat(),
        "excluded": sorted(
            ({"code": codes[i], "last_inspected_on": d.isoformat()} for i, d in recent.items() if i in codes),
            key=lambda e: e["code"],
        ),
        "strata": {str(s.position): stratum_label(s) for s in plan.strata},
    }
    return inputs, context


# --- the draw --------------------------------------------------------------------------------------


def _refusal(plan: Plan, refused: draw.DrawRefused) -> InvalidInput:
    stratum = next((s for s in plan.strata if s.position == refused.stratum), None)
    name = stratum_label(stratum) if stratum is not None else str(refused.stratum)
    if refused.reason == "quota":
        message = _(
            "Stratum %(n)d (%(name)s): it draws %(needed)d laboratories but only %(available)d are eligible.",
            n=refused.stratum,
            name=name,
            needed=refused.needed,
            available=refused.available,
        )
        return InvalidInput(_("The draw is refused."), {"strata": [message]})
    message = _(
        "Stratum %(n)d (%(name)s): for %(lab)s only %(available)d inspectors of the pool are free of "
        "conflicts; a team needs %(needed)d.",
        n=refused.stratum,
        name=name,
        lab=refused.lab,
        available=refused.available,
        needed=refused.needed,
    )
    return InvalidInput(_("The draw is refused."), {"inspectors": [message]})


def _answer(
    seed_text: str, inputs: dict, outcome: draw.Outcome, context: dict, dry_run: bool
) -> dict[str, Any]:
    return {
        "seed": seed_text,
        "dry_run": dry_run,
        "algorithm": inputs["algorithm"],
        "digest": draw.digest(inputs),
        "drawn_on": context["drawn_on"],
        **outcome.as_dict(),
        "excluded": context["excluded"],
    }


def make_draw(actor: Any, plan: Plan, data: dict) -> dict[str, Any]:
    """Draw a plan's labs and teams from a seed. A dry run answers and records nothing; the real
    draw (once per plan) records the draw, the planned audits and their teams. Same seed, same
    plan, same data: same answer. On a drawn plan a dry run reruns the recorded inputs."""
    f = parsing.Fields(data)
    seed_text = f.get("seed", seed)
    dry_run = f.get("dry_run", parsing.boolean)
    f.raise_if_any(_("The draw is refused."))
    if not policy.may_manage_plans(actor):
        raise Forbidden(_("You may not draw plans."))
    if plan.status == PlanStatus.DRAWN:
        if not dry_run:
            raise Conflict(
                _("This plan was drawn on %(day)s; a plan is drawn once.", day=plan.draw.drawn_on.isoformat())
            )
        recorded = dict(plan.draw.inputs, seed=seed_text)
        outcome = _run(plan, recorded)
        context = {
            "drawn_on": plan.draw.drawn_on.isoformat(),
            "excluded": plan.draw.result.get("excluded", []),
        }
        return _answer(seed_text, recorded, outcome, context, True)
    on = today()
    inputs, context = inputs_for(plan, seed_text, on)
    outcome = _run(plan, inputs)
    answer = _answer(seed_text, inputs, outcome, context, bool(dry_run))
    if dry_run:
        return answer
    _record(actor, plan, inputs, outcome, answer, context, on)
    return answer


def _run(plan: Plan, inputs: dict) -> draw.Outcome:
    try:
        return draw.run(inputs)
    except draw.DrawRefused as refused:
        raise _refusal(plan, refused) from None


def _days(plan: Plan, count: int, on: date) -> list[date]:
    """The planned audits' days: spread evenly, in the order drawn, over what is left of the plan's
    window on the day of the draw (the whole window when it is over already)."""
    start = on if plan.starts_on < on <= plan.ends_on else plan.starts_on
    span = (plan.ends_on - start).days
    return [start + timedelta(days=(span * i) // max(count, 1)) for i in range(count)]


def _record(
    actor: Any, plan: Plan, inputs: dict, outcome: draw.Outcome, answer: dict, context: dict, on: date
) -> None:
    labs = {lab.code: lab for lab in db.session.scalars(select(Lab).where(Lab.code.in_(outcome.labs)))}
    usernames = {name for team in outcome.teams.values() for name in team}
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(usernames)))}
    days = _days(plan, len(outcome.labs), on)
    result = {k: answer[k] for k in ("labs", "teams", "drawn", "strata", "conflicts", "excluded")}
    result["strata_names"] = context.get("strata", {})
    with transaction(actor, _("draw of plan %(code)s", code=plan.code)):
        plan.status = PlanStatus.DRAWN
        record = Draw(
            plan_id=plan.id,
            seed=inputs["seed"],
            algorithm=inputs["algorithm"],
            drawn_on=on,
            inputs=inputs,
            result=result,
            digest=answer["digest"],
            drawn_by_id=getattr(actor, "id", None),
        )
        db.session.add(record)
        db.session.flush()  # a second draw of the plan is refused here (one draw per plan)
        draw_id = record.id
        summary = _("Drawn in plan %(code)s, seed “%(seed)s”.", code=plan.code, seed=inputs["seed"])
        for entry, day in zip(outcome.drawn, days, strict=True):
            team = [users[name] for name in outcome.teams[entry["code"]]]
            audit = audits_link.create_planned_audit(
                actor,
                lab_id=labs[entry["code"]].id,
                kind=plan.audit_kind,
                title=plan.title,
                day=day,
                leader=team[0],
                members=team,
                summary=summary,
            )
            drawn = DrawnLab(
                draw_id=draw_id,
                lab_id=labs[entry["code"]].id,
                stratum_position=entry["stratum"],
                rank=entry["rank"],
                key=entry["key"],
                audit_id=audit.id,
            )
            drawn.members = [TeamMember(user_id=u.id, position=n) for n, u in enumerate(team, start=1)]
            db.session.add(drawn)
        db.session.flush()


def link_audits(actor: Any, plan: Plan, audits_by_code: dict[str, Audit], seed_text: str, on: date) -> Draw:
    """Record a draw whose audits exist already (the 2010 flight checks of the demo predate
    the draw's record): the drawn labs are linked to those audits instead of new ones."""
    inputs, context = inputs_for(plan, seed_text, on)
    outcome = _run(plan, inputs)
    missing = [code for code in outcome.labs if code not in audits_by_code]
    if missing:
        raise Conflict(_("No audit to link for %(codes)s.", codes=", ".join(missing)))
    answer = _answer(seed_text, inputs, outcome, context, False)
    result = {k: answer[k] for k in ("labs", "teams", "drawn", "strata", "conflicts", "excluded")}
    result["strata_names"] = context.get("strata", {})
    users = {u.username: u for u in db.session.scalars(select(User))}
    with transaction(actor, _("draw of plan %(code)s", code=plan.code)):
        plan.status = PlanStatus.DRAWN
        record = Draw(
            plan_id=plan.id,
            seed=seed_text,
            algorithm=inputs["algorithm"],
            drawn_on=on,
            inputs=inputs,
            result=result,
            digest=answer["digest"],
            drawn_by_id=getattr(actor, "id", None),
        )
        db.session.add(record)
        db.session.flush()
        for entry in outcome.drawn:
            audit = audits_by_code[entry["code"]]
            drawn = DrawnLab(
                draw_id=record.id,
                lab_id=audit.lab_id,
                stratum_position=entry["stratum"],
                rank=entry["rank"],
                key=entry["key"],
                audit_id=audit.id,
            )
            team = [users[name] for name in outcome.teams[entry["code"]]]
            drawn.members = [TeamMember(user_id=u.id, position=n) for n, u in enumerate(team, start=1)]
            db.session.add(drawn)
    return record


# --- after the draw -------------------------------------------------------------------------------


def drawn_labs(plan: Plan) -> list[DrawnLab]:
    """A drawn plan's labs in the order drawn, with their audits and current teams."""
    if plan.draw is None:
        return []
    stmt = (
        select(DrawnLab)
        .where(DrawnLab.draw_id == plan.draw.id)
        .options(
            selectinload(DrawnLab.lab),
            selectinload(DrawnLab.audit).selectinload(Audit.findings),
            selectinload(DrawnLab.members).selectinload(TeamMember.user),
        )
        .order_by(DrawnLab.rank)
    )
    return list(db.session.scalars(stmt))


def current_team(drawn: DrawnLab) -> list[TeamMember]:
    """The team as it stands (swaps applied), leader first."""
    return sorted((m for m in drawn.members if m.ended_at is None), key=lambda m: m.position)


def swaps_of(plan: Plan) -> list[Swap]:
    """The swaps recorded on a plan's draw, oldest first."""
    if plan.draw is None:
        return []
    stmt = (
        select(Swap)
        .join(DrawnLab, DrawnLab.id == Swap.drawn_lab_id)
        .where(DrawnLab.draw_id == plan.draw.id)
        .options(
            selectinload(Swap.drawn_lab).selectinload(DrawnLab.lab),
            selectinload(Swap.out_user),
            selectinload(Swap.in_user),
            selectinload(Swap.swapped_by),
        )
        .order_by(Swap.swapped_at, Swap.id)
    )
    return list(db.session.scalars(stmt))


def swap(actor: Any, plan: Plan, data: dict) -> Swap:
    """Replace an inspector on a drawn lab's team by another free of conflicts, with a reason."""
    if not policy.may_swap(actor, plan):
        if policy.may_manage_plans(actor):
            raise Conflict(_("Only a drawn plan's teams can change."))
        raise Forbidden(_("You may not change drawn teams."))
    f = parsing.Fields(data)
    lab_code = f.get("lab_code", parsing.code)
    out_name = f.get("out", parsing.name, max_len=64)
    in_name = f.get("in", parsing.name, max_len=64)
    why = f.get("reason", reason)
    f.raise_if_any(_("The swap could not be recorded."))
    drawn = next((d for d in drawn_labs(plan) if d.lab.code == lab_code), None)
    if drawn is None:
        raise NotFound(_("No such laboratory in this draw."))
    team = current_team(drawn)
    leaving = next((m for m in team if m.user.username == out_name), None)
    if leaving is None:
        f.add("out", _("%(name)s is not on this team.", name=out_name))
    newcomer = db.session.scalar(select(User).where(User.username == in_name))
    if newcomer is None or not policy.may_be_drawn(newcomer):
        f.add("in", _("Not an active inspector."))
    elif any(m.user_id == newcomer.id for m in team):
        f.add("in", _("%(name)s is on this team already.", name=in_name))
    else:
        why_not = _conflict_of(newcomer, drawn.lab, today())
        if why_not:
            f.add("in", why_not)
    if drawn.audit is not None and drawn.audit.status == AuditStatus.COMPLETED:
        f.add("lab_code", _("This inspection is completed; its team can no longer change."))
    f.raise_if_any(_("The swap could not be recorded."))
    comment = _("Swap on plan %(code)s: %(reason)s", code=plan.code, reason=why)
    with transaction(actor, comment):
        leaving.ended_at = utcnow()
        joining = TeamMember(
            drawn_lab_id=drawn.id, user_id=newcomer.id, position=leaving.position, from_draw=False
        )
        db.session.add(joining)
        record = Swap(
            drawn_lab_id=drawn.id,
            out_user_id=leaving.user_id,
            in_user_id=newcomer.id,
            reason=why,
            swapped_by_id=getattr(actor, "id", None),
        )
        db.session.add(record)
        db.session.flush()
        members = [newcomer if m is leaving else m.user for m in team]
        if drawn.audit is not None:
            audits_link.set_team(actor, drawn.audit, members[0], members, comment)
    return record


def _conflict_of(user: User, lab: Lab, on: date) -> str | None:
    """Why an inspector may not inspect a lab today (the draw's rules), in words; None if free."""
    profile = profiles_by_user([user.id]).get(user.id)
    inspector = {
        "region": profile.region if profile else None,
        "organisation": profile.organisation_lab.code if profile and profile.organisation_lab else None,
        "last_inspected": sorted(last_inspected_by([user.id], on).get(user.id, ())),
    }
    why = draw.conflict(inspector, {"code": lab.code, "region": lab.region})
    return conflict_text(why, user.username, lab) if why else None


def conflict_text(why: str, username: str, lab: Any) -> str:
    """A conflict rule in words."""
    code = getattr(lab, "code", lab)
    if why == "region":
        return _("%(name)s belongs to the region of %(lab)s.", name=username, lab=code)
    if why == "organisation":
        return _("%(name)s belongs to %(lab)s.", name=username, lab=code)
    return _("%(name)s was on the last inspection of %(lab)s.", name=username, lab=code)


def conflict_label(why: str) -> str:
    """A conflict rule's short name."""
    return {
        "region": _("same region"),
        "organisation": _("own organisation"),
        "last_inspection": _("inspected it last time"),
    }.get(why, why)


def quota_rows(plan: Plan) -> list[dict[str, Any]]:
    """Per stratum: its name, quota or ratio, eligible labs and labs drawn (the plan page's table)."""
    drawn = {}
    if plan.draw is not None:
        drawn = {int(s["position"]): s for s in plan.draw.result.get("strata", [])}
    rows = []
    for stratum in plan.strata:
        got = drawn.get(stratum.position)
        rows.append(
            {
                "stratum": stratum,
                "name": stratum_label(stratum),
                "eligible": got["eligible"] if got else None,
                "quota": got["quota"] if got else stratum.quota,
                "drawn": sum(1 for e in plan.draw.result.get("drawn", []) if e["stratum"] == stratum.position)
                if plan.draw is not None
                else None,
            }
        )
    return rows


def stratum_of(plan: Plan, position: int) -> Stratum | None:
    """A plan's stratum by position."""
    return next((s for s in plan.strata if s.position == position), None)
