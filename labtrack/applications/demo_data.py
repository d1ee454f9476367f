"""Demo applications: the working calendar of 2010 and of the current year; every 2010 extension in
the demo scope traced to the certified application whose decision granted it (SC-TC's growth from 63
categories / 469 items to 93 / 706 came through its extension applications); and applications of
other labs at every step today (a draft, submitted, one overdue, one returned as incomplete,
accepted, in review, in assessment, in rectification with an open finding, one decided in part, one
certified, a renewal due before the certificate expires)."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from labtrack.applications import assessment, calendar, clocks, holidays, service, steps
from labtrack.applications.models import Application, ApplicationItem, ApplicationStep, CalendarYear
from labtrack.applications.values import Decision, Kind, Outcome, Status, Step
from labtrack.applications.workdays import MissingYear, WorkingCalendar
from labtrack.auth.models import User
from labtrack.extensions import db
from labtrack.history.tracking import set_time
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.scope.models import ScopeEntry, TestItem
from labtrack.services import transaction

PASSWORD = "labtrack-demo"
FIRST_2010 = date(2010, 1, 4)
# SC-TC's 2010 extension on 2010-08-30 was decided in part: these many items asked for were refused.
REFUSED_IN_PART = (date(2010, 8, 30), 3)


def _setup_calendar() -> list[int]:
    years = [2010, today().year]
    for year in sorted(set(years)):
        if db.session.get(CalendarYear, year) is None:
            calendar.load_days(year, holidays.rows(year), None, note=holidays.NOTES.get(year))
    return years


def _back(cal: WorkingCalendar, day: date, n: int) -> date:
    """The n-th working day before `day` (clamped to the first working day of the calendar)."""
    left = n
    while left:
        day -= timedelta(days=1)
        try:
            if cal.is_working(day):
                left -= 1
        except MissingYear:
            # the year before is not set up: start on its first day set up (2010: Monday 4 January)
            return FIRST_2010 if day < FIRST_2010 else day + timedelta(days=1)
    return day


def _user(name: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == name))


# --- 2010: the decisions behind the growth ------------------------------------------------------


def _history_application(
    cal, lab: Lab, decided: date, entries: list[ScopeEntry], refused: list[TestItem], n: int = 0
):
    """A certified extension whose decision granted these scope periods (dates worked back from
    the decision with the working calendar; the n-th varies how long each step took, a few
    acceptances and decisions over their limits)."""
    ready = _back(cal, decided, 5 + (n * 7) % 18)
    assessed = _back(cal, ready, 4 + (n * 5) % 15)
    assess_start = _back(cal, assessed, 2)
    accepted = _back(cal, assess_start, 10 + (n * 3) % 11)
    submitted = _back(cal, accepted, 1 + (n * 2) % 7)
    certified = cal.add(decided, 2 + n % 6)
    quality, manager = _user("quality"), _user(f"manager-{lab.code}")
    kind_name = "扩项"
    application = Application(
        reference=service._next_reference(decided.year),
        lab_id=lab.id,
        kind=Kind.EXTENSION,
        status=Status.CERTIFIED,
        title=f"{lab.code} {decided.year}年{kind_name}申请 ({decided.isoformat()})",
        created_by_id=manager.id if manager else None,
        created_at=datetime.combine(submitted, time(9)),
        first_submitted_on=submitted,
        submitted_on=submitted,
        accepted_on=accepted,
        review_started_on=accepted,
        assessed_on=assessed,
        ready_on=ready,
        decided_on=decided,
        decided_by_id=quality.id if quality else None,
        decision=Decision.PARTIAL if refused else Decision.GRANTED,
        signed_at=datetime.combine(decided, time(16)),
        certified_on=certified,
    )
    asked = [
        (entry.item, {"outcome": Outcome.GRANTED, "scope_entry_id": entry.id, "basis": str(entry.basis)})
        for entry in sorted(entries, key=lambda e: e.item.code)
    ]
    refusal = "现场试验未通过：能力验证结果不满意 / the on-site test failed (unsatisfactory PT result)"
    asked += [(item, {"outcome": Outcome.REFUSED, "reason": refusal}) for item in refused]
    for position, (item, outcome) in enumerate(asked, start=1):
        application.items.append(_asked_for(item, position, **outcome))
    for step, start, stop in (
        (Step.ACCEPTANCE, submitted, accepted),
        (Step.ASSESSMENT, accepted, assessed),
        (Step.RECTIFICATION, assessed, ready),
        (Step.DECISION, ready, decided),
        (Step.CERTIFICATE, decided, certified),
    ):
        clocks.start(cal, application, step, start, tolerant=True)
        clocks.stop(cal, application, step, stop, tolerant=True)
    who = {"submit": manager, "assess": None}
    for name, before, after, on in (
        ("submit", Status.DRAFT, Status.SUBMITTED, submitted),
        ("accept", Status.SUBMITTED, Status.ACCEPTED, accepted),
        ("review", Status.ACCEPTED, Status.REVIEW, accepted),
        ("assess", Status.REVIEW, Status.ASSESSMENT, assess_start),
        ("complete_assessment", Status.ASSESSMENT, Status.RECTIFICATION, assessed),
        ("decide", Status.RECTIFICATION, Status.DECIDED, decided),
        ("certify", Status.DECIDED, Status.CERTIFIED, certified),
    ):
        actor = who.get(name, quality)
        application.steps.append(
            ApplicationStep(
                name=name,
                from_status=before.value,
                to_status=after.value,
                actor_id=actor.id if actor else None,
                on=on,
                at=datetime.combine(on, time(10)),
            )
        )
    db.session.add(application)
    return application


def _history(cal) -> int:
    """One certified application per lab and decision day of the 2010 extensions (and the
    re-grant after re-assessment) in the demo scope."""
    stmt = (
        select(ScopeEntry)
        .where(
            ScopeEntry.granted_on >= FIRST_2010,
            ScopeEntry.granted_on <= date(2010, 12, 31),
            ScopeEntry.basis.in_(["extension", "reassessment"]),
        )
        .order_by(ScopeEntry.granted_on, ScopeEntry.lab_id, ScopeEntry.id)
    )
    groups: dict[tuple[date, int], list[ScopeEntry]] = defaultdict(list)
    for entry in db.session.scalars(stmt):
        groups[(entry.granted_on, entry.lab_id)].append(entry)
    made = 0
    for (decided, lab_id), entries in groups.items():
        lab = db.session.get(Lab, lab_id)
        refused: list[TestItem] = []
        if lab.code == "SC-TC" and decided == REFUSED_IN_PART[0]:
            held = select(ScopeEntry.item_id).where(ScopeEntry.lab_id == lab_id)
            refused = list(
                db.session.scalars(
                    select(TestItem)
                    .where(TestItem.id.not_in(held))
                    .order_by(TestItem.code)
                    .limit(REFUSED_IN_PART[1])
                )
            )
        set_time(db.session, datetime.combine(decided, time(17)))
        _history_application(cal, lab, decided, entries, refused, made)
        made += 1
    db.session.flush()
    set_time(db.session, None)
    return made


# --- today: applications at every step -----------------------------------------------------------


def _new_items(lab: Lab, n: int, skip: int) -> list[dict]:
    """Catalogue items the lab does not hold (codes alone: picked from the catalogue)."""
    held = select(ScopeEntry.item_id).where(ScopeEntry.lab_id == lab.id, ScopeEntry.withdrawn_on.is_(None))
    stmt = select(TestItem.code).where(TestItem.id.not_in(held)).order_by(TestItem.code).offset(skip).limit(n)
    return [{"item_code": code} for code in db.session.scalars(stmt)]


def _held_items(lab: Lab, n: int) -> list[dict]:
    stmt = (
        select(TestItem.code)
        .join(ScopeEntry, ScopeEntry.item_id == TestItem.id)
        .where(ScopeEntry.lab_id == lab.id, ScopeEntry.withdrawn_on.is_(None))
        .order_by(TestItem.code)
        .limit(n)
    )
    return [{"item_code": code} for code in db.session.scalars(stmt)]


def _today(cal, labs: dict[str, Lab]) -> int:
    t = today()
    admin, quality = _user("admin"), _user("quality")
    if admin is None or quality is None or _user("inspector") is None:
        return 0
    from labtrack.demo_labs import EXPIRED, EXPIRING_SOON

    special = {"SC-TC", EXPIRED, *EXPIRING_SOON}
    codes = [c for c in sorted(labs) if c not in special and service.cma_certificate(labs[c].id) is not None]
    if len(codes) < 12:
        return 0
    pick = iter(codes[1 :: max(1, len(codes) // 12)])
    made = 0

    def new(kind: str, lab: Lab, items: list[dict], title: str, on: date) -> Application:
        nonlocal made
        made += 1
        manager = _user(f"manager-{lab.code}") or admin
        data = {"kind": kind, "items": items, "title": title}
        if manager is admin:
            data["lab_code"] = lab.code
        return service.create(data, manager, on=on)

    def go(application: Application, to: str, on: date, who: User | None = quality, **data) -> None:
        if who is None:
            who = _user(f"manager-{application.lab.code}") or admin
        steps.transition(application, to, data, who, on=on)

    def lab_manager(application):
        return _user(f"manager-{application.lab.code}") or admin

    def through(application: Application, target: str, start: date) -> None:
        """Take the application from draft to `target`, one step every few working days from `start`."""
        order = ["submitted", "accepted", "review", "assessment", "rectification", "decided", "certified"]
        gaps = {
            "submitted": 0,
            "accepted": 3,
            "review": 1,
            "assessment": 10,
            "rectification": 2,
            "decided": 6,
            "certified": 2,
        }
        on = start
        for to in order[: order.index(target) + 1]:
            on = cal.add(on, gaps[to])
            if to == "submitted":
                go(application, to, on, lab_manager(application))
            elif to == "assessment":
                go(application, to, on, lead="inspector", starts_on=on.isoformat())
            elif to == "decided":
                refused = (
                    {application.items[-1].item_code: "人员能力不足，未通过现场试验"}
                    if len(application.items) > 3
                    else {}
                )
                go(application, to, on, password=PASSWORD, refused=refused)
            else:
                go(application, to, on)

    # a draft being written
    new("extension", (lab := labs[next(pick)]), _new_items(lab, 4, 10), "2026年扩项申请（草稿）", t)
    # submitted two working days ago; another eight (its acceptance is overdue)
    a = new("extension", (lab := labs[next(pick)]), _new_items(lab, 3, 40), "新增食品检测项目", t)
    through(a, "submitted", _back(cal, t, 2))
    a = new("change", (lab := labs[next(pick)]), _held_items(lab, 2), "检测方法标准变更", t)
    through(a, "submitted", _back(cal, t, 8))
    # returned as incomplete
    a = new("extension", (lab := labs[next(pick)]), _new_items(lab, 3, 70), "扩项申请", t)
    through(a, "submitted", _back(cal, t, 6))
    go(
        a,
        "returned",
        _back(cal, t, 4),
        reasons="缺少授权签字人资格证明和附表3的方法验证记录 / missing proof of the signatories' qualifications and the method validation records of annex 3",
    )
    # accepted; in review
    a = new("extension", (lab := labs[next(pick)]), _new_items(lab, 5, 100), "扩项申请（环境检测）", t)
    through(a, "accepted", _back(cal, t, 5))
    a = new("extension", (lab := labs[next(pick)]), _new_items(lab, 4, 130), "扩项申请", t)
    through(a, "review", _back(cal, t, 8))
    # in assessment; in rectification with an open finding concerning one item
    a = new("extension", (lab := labs[next(pick)]), _new_items(lab, 4, 160), "扩项申请", t)
    through(a, "assessment", _back(cal, t, 16))
    a = new("extension", (lab := labs[next(pick)]), _new_items(lab, 5, 190), "扩项申请（纺织品）", t)
    through(a, "assessment", _back(cal, t, 30))
    finding = assessment.raise_finding(
        a,
        {
            "severity": "minor",
            "area": "equipment_traceability",
            "clause": "6.4",
            "description": "用于该项目的分光光度计检定证书已过期。\nThe spectrophotometer used for this item was past its calibration date.",
            "raised_on": _back(cal, t, 14).isoformat(),
            "item_ids": [a.items[0].item_code],
        },
        _user("inspector"),
    )
    go(a, "rectification", _back(cal, t, 12))
    # decided in part (its certificate not issued yet); certified
    a = new("extension", (lab := labs[next(pick)]), _new_items(lab, 5, 220), "扩项申请", t)
    through(a, "decided", _back(cal, t, 30))
    a = new("extension", (lab := labs[next(pick)]), _new_items(lab, 3, 250), "扩项申请", t)
    through(a, "certified", _back(cal, t, 40))
    # a renewal due: the certificate expires in three weeks
    lab = labs.get("SC-RL-LZ")
    if lab is not None and service.cma_certificate(lab.id) is not None:
        a = new("renewal", lab, _held_items(lab, 6), "复查换证申请", t)
        through(a, "accepted", _back(cal, t, 6))
    del finding
    return made


def load(labs: dict[str, Lab]) -> str:
    """The calendar, the 2010 decisions behind the growth, today's applications (once)."""
    if db.session.scalar(select(func.count()).select_from(Application)):
        return "applications already loaded"
    years = _setup_calendar()
    cal = calendar.working_calendar()
    with transaction(None, "demo data"):
        history = _history(cal)
    current = _today(cal, labs)
    return f"working calendar {', '.join(map(str, sorted(set(years))))}; {history} decisions of 2010; {current} applications today"


def _asked_for(item: Any, position: int, **decided: Any) -> ApplicationItem:
    """An application's line for a catalogue item, in the import's columns, with its decision."""
    return ApplicationItem(
        position=position,
        category_code=item.category.code,
        category_name=item.category.name,
        item_code=item.code,
        item_key=item.code_key,
        item_name=item.name,
        method=item.method,
        parameters=item.parameters,
        item_id=item.id,
        **decided,
    )
