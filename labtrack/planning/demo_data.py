"""The planning demo: the inspectors and where they belong; the 2010 flight-check plan whose draw
produced the campaign's flight checks (the existing audits are linked to it, not duplicated);
sanctions from the campaign (deadline rectification with suspension of items, lifted after check
and acceptance) and one in force now; risk grades of the 47 institutions as their data give them
at the end of 2010 and today; this year's plan with its draw (dates relative to today).

Deterministic: the same database gives the same records. The 2010 seed is one for which the
documented draw picks exactly the labs the campaign's flight checks visited (the campaign data
predate the draw's record); if those audits ever change, the loader finds such a seed again.
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from labtrack.audits.models import Audit, AuditKind, Finding, Severity
from labtrack.audits.workflow import ACTIVE_STATES, State
from labtrack.auth.models import User
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.planning import audits_link, draw, drawing, grading, plans, policy, sanctions
from labtrack.planning.models import InspectorProfile, Plan, RiskGrading, Sanction
from labtrack.planning.sanctions import held_items
from labtrack.scope.models import TestItem

BUREAU = "四川省质量技术监督局认评处 / Accreditation division of the provincial bureau"
# The pool: the bureau's lead inspector (no prefecture) and technical experts, each an account of
# the institution they work for (never sent to its region or to it): (username, name, lab code).
EXPERTS = [
    ("expert-zhao", "赵磊", "SC-PQI"),
    ("expert-huang", "黄丽", "SC-MTI"),
    ("expert-zhou", "周强", "SC-MTI-MY"),
    ("expert-wu", "吴娟", "SC-PQI-NC"),
    ("expert-sun", "孙涛", "SC-RL-YB"),
    ("expert-ma", "马兰", "SC-MTI-DY"),
    ("expert-he", "何平", "SC-SEI-PZH"),
    ("expert-luo", "罗静", "SC-PQI-LSZ"),
]
POOL_2010 = ["inspector", "expert-zhao", "expert-huang", "expert-zhou", "expert-wu", "expert-sun"]

PLAN_2010 = "FC-2010"
SEED_2010 = "FC-2010/2215"  # see the module's docstring
DRAWN_2010_ON = date(2010, 5, 1)
# The campaign's flight checks by kind of lab: (kind, how many were checked).
STRATA_2010 = [
    ("technical_centre", 1),
    ("third_party_lab", 2),
    ("enterprise_lab", 3),
    ("fibre_inspection_institute", 3),
    ("metrology_institute", 3),
]
LEGAL_BASIS = (
    "《实验室和检查机构资质认定管理办法》（国家质检总局令第86号）\n"
    "Measures for the Qualification Recognition of Laboratories and Inspection Bodies (AQSIQ Order No. 86)"
)


def _admin() -> User | None:
    return db.session.scalar(select(User).where(User.username == "admin"))


def _user(name: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == name))


def _inspectors(labs: dict[str, Lab]) -> None:
    """The experts' accounts (of their institutions) and every pool member's profile."""
    from flask import current_app
    from werkzeug.security import generate_password_hash

    from labtrack.demo import DEMO_PASSWORD

    taken = set(db.session.scalars(select(User.username)))
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    password_hash = generate_password_hash(DEMO_PASSWORD, method=method)
    for name, full_name, code in EXPERTS:
        if name not in taken and code in labs:
            db.session.add(
                User(
                    username=name,
                    full_name=full_name,
                    role=policy.drawn_role(),
                    lab=labs[code],
                    password_hash=password_hash,
                )
            )
    db.session.flush()
    wanted = [("inspector", None)] + [(name, labs.get(code)) for name, _full, code in EXPERTS]
    for name, lab in wanted:
        user = _user(name)
        if user is None or db.session.scalar(
            select(InspectorProfile.id).where(InspectorProfile.user_id == user.id)
        ):
            continue
        db.session.add(
            InspectorProfile(
                user_id=user.id,
                region=lab.region if lab else None,
                organisation_lab_id=lab.id if lab else None,
                organisation=lab.name if lab else BUREAU,
            )
        )
    db.session.flush()


def _flight_checks() -> dict[str, Audit]:
    stmt = (
        select(Audit)
        .where(
            Audit.kind == AuditKind.FLIGHT_CHECK,
            Audit.started_on >= date(2010, 1, 1),
            Audit.started_on <= date(2010, 12, 31),
        )
        .order_by(Audit.started_on, Audit.id)
    )
    found: dict[str, Audit] = {}
    for audit in db.session.scalars(stmt):
        found.setdefault(audit.lab.code, audit)
    return found


def _seed_2010(plan: Plan, wanted: set[str]) -> str:
    """SEED_2010 if its draw picks exactly the flight-checked labs, else the first such seed."""
    inputs, _context = drawing.inputs_for(plan, SEED_2010, DRAWN_2010_ON)
    for n in range(200_000):
        seed = SEED_2010 if n == 0 else f"FC-2010/{n}"
        inputs["seed"] = seed
        labs = draw.draw_labs(inputs, draw.Outcome())
        if {lab["code"] for lab, _position in labs} == wanted:
            return seed
    raise RuntimeError("no seed reproduces the 2010 flight checks")


def _plan_2010(actor: Any, labs: dict[str, Lab]) -> str:
    checks = _flight_checks()
    if not checks:
        return "no 2010 flight checks to link"
    kinds = {kind for kind, _n in STRATA_2010}
    counts = {kind: sum(1 for code in checks if labs[code].kind == kind) for kind in kinds}
    strata = [{"lab_kind": kind, "quota": counts[kind]} for kind, _n in STRATA_2010 if counts[kind]]
    plan = plans.create_plan(
        actor,
        {
            "code": PLAN_2010,
            "title": "2010年检测工作整顿飞行检查 / Flight checks of the 2010 testing-work rectification",
            "year": 2010,
            "audit_kind": AuditKind.FLIGHT_CHECK.value,
            "team_size": 3,
            "risk_weighted": False,
            "starts_on": date(2010, 5, 10),
            "ends_on": date(2010, 12, 10),
            "notes": "认评处飞行检查，被检机构和检查组均随机抽取。\nUnannounced checks by the accreditation division; "
            "institutions and teams drawn at random.",
            "strata": strata,
            "inspectors": POOL_2010,
        },
    )
    seed = _seed_2010(plan, set(checks))
    record = drawing.link_audits(actor, plan, checks, seed, DRAWN_2010_ON)
    # The flight checks' teams are the drawn ones.
    for entry in record.result["drawn"]:
        audit = checks[entry["code"]]
        team = [_user(name) for name in record.result["teams"][entry["code"]]]
        audits_link.set_team(actor, audit, team[0], team, f"Drawn in plan {PLAN_2010}")
    plans.publish(actor, plan, "plan", date(2010, 4, 20))
    plans.publish(actor, plan, "draw", date(2011, 1, 15))
    return f"plan {PLAN_2010} drawn with seed {seed}: {len(checks)} flight checks linked"


def _closed_findings(audit: Audit) -> list[Finding]:
    return [f for f in audit.findings if f.status == State.CLOSED and f.closed_on is not None]


def _campaign_sanctions(actor: Any, labs: dict[str, Lab]) -> int:
    """Deadline rectification with suspension of items at the two flight-checked labs whose
    findings were most serious, lifted after check and acceptance of those findings."""
    candidates = []
    for code, audit in _flight_checks().items():
        closed = _closed_findings(audit)
        if closed and len(closed) == len([f for f in audit.findings if f.status != State.CANCELLED]):
            majors = sum(1 for f in closed if f.severity == Severity.MAJOR)
            candidates.append((-majors, -len(closed), code, audit, closed))
    candidates.sort(key=lambda c: c[:3])
    made = 0
    for _m, _n, code, audit, closed in candidates[:2]:
        lab = labs[code]
        starts_on = (audit.ended_on or audit.started_on) + timedelta(days=5)
        held = sorted(held_items(lab.id, starts_on))[:4]
        if not held:
            continue
        item_codes = list(
            db.session.scalars(select(TestItem.code).where(TestItem.id.in_(held)).order_by(TestItem.code))
        )
        sanction = sanctions.impose(
            actor,
            lab,
            {
                "kind": "deadline_rectification",
                "item_codes": item_codes,
                "finding_ids": [f.id for f in closed],
                "basis": LEGAL_BASIS,
                "starts_on": starts_on,
                "ends_on": starts_on + timedelta(days=90),
            },
        )
        last_closed = max(f.closed_on for f in closed)
        sanctions.lift(
            actor,
            sanction,
            {
                "lifted_on": max(last_closed, starts_on) + timedelta(days=3),
                "comment": "整改经检查验收合格，恢复相关项目。\nRectification checked and accepted; the items are restored.",
            },
        )
        made += 1
    return made


def _sanction_in_force(actor: Any, labs: dict[str, Lab]) -> int:
    """A suspension in force now, at the lab with the most overdue findings."""
    on = today()
    row = db.session.execute(
        select(Finding.lab_id, func.count())
        .where(Finding.status.in_([s.value for s in ACTIVE_STATES]), Finding.due_on < on)
        .group_by(Finding.lab_id)
        .order_by(func.count().desc(), Finding.lab_id)
        .limit(1)
    ).first()
    if row is None:
        return 0
    lab = db.session.get(Lab, row[0])
    overdue = list(
        db.session.scalars(
            select(Finding).where(
                Finding.lab_id == lab.id,
                Finding.status.in_([s.value for s in ACTIVE_STATES]),
                Finding.due_on < on,
            )
        )
    )
    starts_on = on - timedelta(days=30)
    held = sorted(held_items(lab.id, starts_on))[:3]
    item_codes = list(
        db.session.scalars(select(TestItem.code).where(TestItem.id.in_(held)).order_by(TestItem.code))
    )
    sanctions.impose(
        actor,
        lab,
        {
            "kind": "suspension",
            "item_codes": item_codes,
            "finding_ids": [f.id for f in overdue],
            "basis": LEGAL_BASIS,
            "starts_on": starts_on,
            "ends_on": on + timedelta(days=90),
        },
    )
    return 1


def _plan_this_year(actor: Any) -> str:
    on = today()
    code = f"FC-{on.year}"
    plan = plans.create_plan(
        actor,
        {
            "code": code,
            "title": f"{on.year}年双随机飞行检查 / {on.year} random flight checks",
            "year": on.year,
            "audit_kind": AuditKind.FLIGHT_CHECK.value,
            "team_size": 2,
            "risk_weighted": True,
            "exclude_months": 12,
            "starts_on": on,
            "ends_on": date(on.year, 12, 31),
            # Ratios, so that the plan holds on any day whatever was inspected within 12 months.
            "strata": [
                {"lab_kind": "product_quality_institute", "ratio": "20%"},
                {"lab_kind": "metrology_institute", "ratio": "25%"},
                {"lab_kind": "regional_lab", "ratio": "20%"},
                {"lab_kind": "special_equipment_institute", "ratio": "20%"},
                {"region": "Chengdu", "ratio": "15%"},
            ],
            "inspectors": ["inspector"] + [name for name, *_ in EXPERTS],
        },
    )
    plans.publish(actor, plan, "plan", on)
    answer = drawing.make_draw(actor, plan, {"seed": f"{code}/双随机/01", "dry_run": False})
    return f"plan {code} drawn: {len(answer['labs'])} planned flight checks"


def load(labs: dict[str, Lab]) -> str:
    """Load the planning demo (once: nothing happens if plans exist)."""
    if db.session.scalar(select(Plan.id).limit(1)) is not None:
        return "plans already present; nothing added"
    if not labs:
        return "no laboratories; nothing added"
    actor = _user("quality") or _admin()
    _inspectors(labs)
    lines = [_plan_2010(actor, labs)]
    lines.append(f"{_campaign_sanctions(actor, labs)} campaign sanctions lifted")
    lines.append(f"{_sanction_in_force(actor, labs)} sanction in force")
    for on in (date(2010, 12, 31), today()):
        grading.grade_and_commit(actor, on)
    tally = dict(
        db.session.execute(
            select(RiskGrading.grade, func.count())
            .where(RiskGrading.current.is_(True))
            .group_by(RiskGrading.grade)
        ).all()
    )
    lines.append("risk grades " + ", ".join(f"{g} {tally.get(g, 0)}" for g in "ABCD"))
    lines.append(_plan_this_year(actor))
    in_force = db.session.scalar(
        select(func.count()).select_from(Sanction).where(sanctions.in_force_on(today()))
    )
    lines.append(f"{in_force} sanctions in force today")
    return "; ".join(lines)
