"""The demo's training and exams: 2010's 1,270 sessions with exactly 27,000 attendances (the week-
long course for 500+ heads of laboratories among them), the theory exams of May and November 2010
(95%+ sat them, a few labs below), the 2010 skills contest (written test, bench work, quiz), this
year's sessions so far and an exam coming up a month from the day the demo is loaded."""

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.history.tracking import current_actor, history_row, set_time, to_json
from labtrack.labs.models import Lab
from labtrack.models_base import today, utcnow
from labtrack.personnel import exams
from labtrack.personnel.models import (
    TECHNICAL_POSTS,
    Attendance,
    Exam,
    ExamResult,
    Person,
    Post,
    TrainingSession,
)

SESSIONS_2010 = 1270
ATTENDANCES_2010 = 27_000
COURSE_EXTERNAL = 470  # heads of labs outside the system at the week-long course
_NAMED_TARGET = 25_000
_MONTH_WEIGHTS = [6, 3, 10, 11, 10, 10, 8, 5, 10, 8, 11, 8]
_PROVINCIAL = [
    ("ISO/IEC 17025:2005《检测和校准实验室能力的通用要求》培训", "ISO/IEC 17025", 12),
    ("检测工作整顿动员及质量管理体系培训", "检测工作整顿", 6),
    ("测量不确定度评定与表示培训", "测量不确定度", 12),
    ("资质认定评审准则宣贯", "资质认定", 6),
    ("原始记录与检测报告规范化培训", "记录与报告", 6),
    ("实验室安全与危险化学品管理培训", "实验室安全", 4),
    ("能力验证与实验室间比对组织实施培训", "能力验证", 8),
]
_IN_HOUSE = [
    ("检测方法标准宣贯", "标准方法"),
    ("仪器设备操作规程培训", "仪器设备"),
    ("质量手册与程序文件学习", "质量管理体系"),
    ("作业指导书修订学习", "作业指导书"),
    ("内部质量控制与盲样考核", "质量控制"),
    ("样品管理与抽样规范培训", "抽样"),
    ("检测报告审核要点", "检测报告"),
    ("安全生产与应急演练", "实验室安全"),
]
_PREFECTURE = [("市（州）局检验检测业务培训", "检验检测业务"), ("检测工作整顿专题学习", "检测工作整顿")]
_CNAS = [("CNAS认可准则及应用说明培训", "CNAS-CL01"), ("CNAS能力验证规则培训", "CNAS-RL02")]


def day_in(rng: random.Random, start: date, end: date) -> date:
    """A random day from start to end (both included)."""
    return start + timedelta(days=rng.randrange(max((end - start).days, 0) + 1))


def employed(p: dict, start: date, end: date | None = None) -> bool:
    """Whether a person (a demo row) worked at the lab at some time from start to end."""
    end = end or start
    return p["employed_from"] <= end and (p["employed_to"] is None or p["employed_to"] >= start)


def insert_rows(model: Any, rows: list[dict], day: Callable[[dict], Any] | None = None) -> list[int]:
    """Insert rows with one executemany and write their history rows; returns their ids in order.

    Each history row is dated on its row's story day: `day(row)`, else the row's value of the
    model's `__story_day__` column (see `labtrack.history.tracking.Tracked`), else now.

    The ids are read back as those above the table's largest id before the insert: the demo is the
    only writer, and an executemany numbers its rows in order (RETURNING with the rows' order kept
    makes SQLite insert one row at a time, 36,000 statements for the demo).
    """
    if not rows:
        return []
    table = model.__table__
    before = db.session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    db.session.execute(insert(table), rows)
    ids = list(db.session.scalars(select(table.c.id).where(table.c.id > before).order_by(table.c.id)))
    if len(ids) != len(rows):
        raise RuntimeError(f"{table.name}: expected {len(rows)} new rows, found {len(ids)}")
    skip = ("created_at", "updated_at", "staff_key")
    story = model.__story_day__
    column = story if story and story in table.c else None
    day = day or (lambda row: row.get(column) if column else None)
    history(
        table.name,
        [
            (i, "insert", {k: [None, to_json(v)] for k, v in r.items() if v is not None and k not in skip})
            for i, r in zip(ids, rows, strict=True)
        ],
        [day(r) for r in rows],
    )
    return ids


def history(table: str, entries: list[tuple[int, str, dict]], days: list[Any] | None = None) -> None:
    """History rows for rows written in bulk, in one Core executemany (the ORM's bulk path is
    several times slower for the demo's tens of thousands of rows), each dated on its story day
    (`days`, a date or a moment per entry; 09:00 for a date, never later than now)."""
    base = history_row(current_actor(db.session), table, 0, "insert", {}, "demo data")
    now = base["at"]
    days = days or [None] * len(entries)
    rows = [
        {**base, "at": _moment(when, now), "record_id": rid, "action": action, "changes": changes}
        for (rid, action, changes), when in zip(entries, days, strict=True)
    ]
    if rows:
        db.session.execute(insert(HistoryEntry.__table__), rows)


def _moment(when: Any, now: datetime) -> datetime:
    if isinstance(when, datetime):
        return min(when, now)
    if isinstance(when, date):
        return min(datetime.combine(when, time(9, 0)), now)
    return now


def _weekday(rng: random.Random, year: int) -> date:
    month = rng.choices(range(1, 13), weights=_MONTH_WEIGHTS)[0]
    day = date(year, month, rng.randint(1, 28))
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day if day.year == year else date(year, 1, 4)


def _session(
    title: str,
    topic: str,
    organiser: str,
    lab_id: int | None,
    start: date,
    days: int,
    hours: float,
    place: str,
) -> dict:
    return {
        "title": title,
        "topic": topic,
        "organiser": organiser,
        "organiser_lab_id": lab_id,
        "starts_on": start,
        "ends_on": start + timedelta(days=days - 1),
        "hours": float(hours),
        "place": place,
        "external_attendees": 0,
        "notes": None,
        "created_at": utcnow(),
        "updated_at": utcnow(),
    }


def _sessions_2010(
    rng: random.Random, labs: dict[str, Lab], by_lab: dict[int, list[dict]]
) -> tuple[list[dict], list[list[int]]]:
    """The year's sessions and, for each, the ids of its named attendees."""
    everyone = [p for staff in by_lab.values() for p in staff]
    specs: list[tuple[dict, list[int]]] = []

    def add(session: dict, pool: list[dict], k: int) -> None:
        fit = [p for p in pool if employed(p, session["starts_on"], session["ends_on"])]
        specs.append((session, [p["id"] for p in rng.sample(fit, k=min(k, len(fit)))]))

    tc = labs["SC-TC"]
    add(
        _session("检测方法标准宣贯", "标准方法", "lab", tc.id, date(2010, 1, 8), 1, 3, "技术中心会议室"),
        by_lab[tc.id],
        60,
    )
    heads = [p for p in everyone if Post.HEAD.value in p["posts"]]
    add(
        _session(
            "全省实验室负责人培训班",
            "ISO/IEC 17025:2005",
            "provincial_bureau",
            None,
            date(2010, 4, 12),
            5,
            40,
            "成都",
        ),
        heads,
        len(heads),
    )
    course = specs[-1][0]
    for n in range(40):
        title, topic, hours = _PROVINCIAL[n % len(_PROVINCIAL)]
        add(
            _session(
                title,
                topic,
                "provincial_bureau",
                None,
                _weekday(rng, 2010),
                2 if hours > 8 else 1,
                hours,
                "成都",
            ),
            everyone,
            rng.randint(25, 55),
        )
    for n in range(4):  # internal-auditor training
        auditors = [
            p for p in everyone if {Post.INTERNAL_AUDITOR.value, Post.QUALITY_MANAGER.value} & set(p["posts"])
        ]
        add(
            _session(
                "内审员培训班", "内部审核", "provincial_bureau", None, date(2010, 3 + 2 * n, 8), 3, 24, "成都"
            ),
            auditors,
            30,
        )
    regions: dict[str, list[dict]] = {}
    for lab in labs.values():
        regions.setdefault(lab.region, []).extend(by_lab.get(lab.id, []))
    names = sorted(regions)
    for n in range(120):
        region = names[n % len(names)]
        title, topic = _PREFECTURE[n % len(_PREFECTURE)]
        add(
            _session(
                title, topic, "prefecture_bureau", None, _weekday(rng, 2010), 1, rng.choice([4, 6, 8]), region
            ),
            regions[region],
            rng.randint(8, 25),
        )
    for n in range(15):
        title, topic = _CNAS[n % len(_CNAS)]
        add(
            _session(title, topic, "cnas", None, _weekday(rng, 2010), 2, 16, "成都"),
            everyone,
            rng.randint(10, 25),
        )
    named_so_far = sum(len(ids) for _s, ids in specs)
    in_house = SESSIONS_2010 - len(specs)
    total_staff = sum(len(s) for s in by_lab.values())
    budget = _NAMED_TARGET - named_so_far
    codes = sorted(labs, key=lambda c: (c != "SC-TC", c))
    counts = {c: max(4, round(in_house * len(by_lab.get(labs[c].id, [])) / total_staff)) for c in codes}
    counts["SC-TC"] += in_house - sum(counts.values())
    for code in codes:
        lab, staff = labs[code], by_lab.get(labs[code].id, [])
        share = budget * len(staff) / total_staff / max(counts[code], 1)
        for _n in range(counts[code]):
            title, topic = rng.choice(_IN_HOUSE)
            size = max(2, round(share * rng.uniform(0.7, 1.3)))
            add(
                _session(
                    title, topic, "lab", lab.id, _weekday(rng, 2010), 1, rng.choice([2, 3, 4]), "本单位"
                ),
                staff,
                size,
            )
    named = sum(len(ids) for _s, ids in specs)
    course["external_attendees"] = COURSE_EXTERNAL
    rest = ATTENDANCES_2010 - named - COURSE_EXTERNAL
    outside = [
        s
        for s, _ids in specs
        if s["organiser"] in ("provincial_bureau", "prefecture_bureau", "cnas") and s is not course
    ]
    for i, session in enumerate(outside):
        session["external_attendees"] = rest // len(outside) + (1 if i < rest % len(outside) else 0)
    first, others = specs[0], sorted(specs[1:], key=lambda s: s[0]["starts_on"])
    ordered = [first, *others]
    return [s for s, _ids in ordered], [ids for _s, ids in ordered]


def _this_year(
    rng: random.Random, labs: dict[str, Lab], by_lab: dict[int, list[dict]]
) -> tuple[list[dict], list[list[int]]]:
    """Sessions of the current year up to today."""
    now = today()
    start = date(now.year, 1, 1)
    sessions, attendees = [], []
    everyone = [p for staff in by_lab.values() for p in staff]
    for n in range(60):
        on = day_in(rng, start, now)
        if n % 10 == 0:
            title, topic, hours = _PROVINCIAL[n // 10 % len(_PROVINCIAL)]
            session, pool, k = (
                _session(title, topic, "provincial_bureau", None, on, 1, min(hours, 8), "成都"),
                everyone,
                40,
            )
        else:
            lab = labs[rng.choice(sorted(labs))]
            title, topic = rng.choice(_IN_HOUSE)
            session, pool, k = (
                _session(title, topic, "lab", lab.id, on, 1, 3, "本单位"),
                by_lab.get(lab.id, []),
                15,
            )
        fit = [p for p in pool if employed(p, on)]
        sessions.append(session)
        attendees.append([p["id"] for p in rng.sample(fit, k=min(k, len(fit)))])
    return sessions, attendees


def _store(sessions: list[dict], attendees: list[list[int]]) -> int:
    ids = insert_rows(TrainingSession, sessions)
    starts = {sid: s["starts_on"] for sid, s in zip(ids, sessions, strict=True)}
    rows = [
        {"session_id": sid, "person_id": pid, "hours": None, "created_at": utcnow()}
        for sid, people in zip(ids, attendees, strict=True)
        for pid in people
    ]
    insert_rows(Attendance, rows, day=lambda row: starts[row["session_id"]])
    return len(rows)


def _theory_exam(rng: random.Random, title: str, held_on: date, low_labs: set[int]) -> Exam:
    """An exam of every lab's technical staff, with its results (most sat; the low labs fewer)."""
    set_time(db.session, _moment(held_on, utcnow()))  # the list of who must sit, made that day
    exam = exams.create_exam(
        None,
        {"title": title, "kind": "theory", "held_on": held_on, "pass_mark": 60, "all_labs": True,
         "posts": [p.value for p in TECHNICAL_POSTS]},
    )  # fmt: skip
    set_time(db.session, None)
    if held_on > today():
        return exam
    rows = db.session.execute(
        select(ExamResult.id, Lab.id)
        .join(Person, ExamResult.person_id == Person.id)
        .join(Lab, Person.lab_id == Lab.id)
        .where(ExamResult.exam_id == exam.id)
        .order_by(ExamResult.id)
    ).all()
    recorded = datetime.combine(held_on + timedelta(days=7), datetime.min.time())
    values = []
    for result_id, lab_id in rows:
        absent = rng.random() < (0.12 if lab_id in low_labs else 0.008)
        score = None if absent else float(min(100, max(20, round(rng.gauss(78, 9) * 2) / 2)))
        values.append(
            {"rid": result_id, "status": "absent" if absent else "sat", "score": score, "at": recorded}
        )
    _write_results(values)
    return exam


def _write_results(values: list[dict]) -> None:
    table = ExamResult.__table__
    stmt = (
        update(table)
        .where(table.c.id == bindparam("rid"))
        .values(status=bindparam("status"), score=bindparam("score"), recorded_at=bindparam("at"))
    )
    db.session.execute(stmt, values)
    history(
        "exam_results",
        [
            (v["rid"], "update", {"status": ["pending", v["status"]], "score": [None, v["score"]]})
            for v in values
        ],
        [v["at"] for v in values],  # when the result was recorded
    )


def _contest(rng: random.Random, labs: dict[str, Lab], by_lab: dict[int, list[dict]]) -> int:
    """The 2010 skills contest: two analysts from each of 30 labs, three parts."""
    held_on = date(2010, 9, 15)
    set_time(db.session, _moment(held_on, utcnow()))
    contest = exams.create_exam(
        None,
        {
            "title": "2010年全省检验检测技能比武",
            "kind": "skills_contest",
            "held_on": held_on,
            "all_labs": True,
            "part_titles": ["理论笔试", "实际操作", "知识竞赛"],
        },
    )
    set_time(db.session, None)
    entrants: list[int] = []
    for code in sorted(labs)[:30]:
        analysts = [
            p
            for p in by_lab.get(labs[code].id, [])
            if Post.ANALYST.value in p["posts"] and employed(p, held_on)
        ]
        entrants += [p["id"] for p in rng.sample(analysts, k=min(2, len(analysts)))]
    means = {"theory": (80, 8), "practical": (75, 10), "quiz": (70, 15)}
    recorded = datetime.combine(held_on + timedelta(days=3), datetime.min.time())
    for part in contest.parts:
        ids = insert_rows(
            ExamResult,
            [
                {"exam_id": part.id, "person_id": pid, "named": True, "status": "pending", "score": None}
                for pid in entrants
            ],
            day=lambda _row: held_on,
        )
        mean, sd = means[str(part.kind)]
        values = []
        for rid in ids:
            absent = part.kind == "quiz" and rng.random() < 0.04
            score = None if absent else float(min(100, max(0, round(rng.gauss(mean, sd)))))
            values.append(
                {"rid": rid, "status": "absent" if absent else "sat", "score": score, "at": recorded}
            )
        _write_results(values)
    return len(entrants)


def load(rng: random.Random, labs: dict[str, Lab], by_lab: dict[int, list[dict]]) -> str:
    """Sessions, attendances, exams and the contest; a summary line."""
    sessions, attendees = _sessions_2010(rng, labs, by_lab)
    attended = _store(sessions, attendees)
    now_sessions, now_attendees = _this_year(rng, labs, by_lab)
    attended_now = _store(now_sessions, now_attendees)
    codes = [c for c in sorted(labs) if c != "SC-TC"]
    low = [labs[c].id for c in rng.sample(codes, k=4)]  # the labs where fewer sat
    may_low, nov_low = set(low[:3]), set(low[1:])
    _theory_exam(rng, "2010年上半年技术人员理论考核", date(2010, 5, 22), may_low)
    _theory_exam(rng, "2010年下半年技术人员理论考核", date(2010, 11, 20), nov_low)
    entrants = _contest(rng, labs, by_lab)
    coming = today() + timedelta(days=30)
    _theory_exam(rng, f"{coming.year}年技术人员理论考核", coming, set())
    external = sum(s["external_attendees"] for s in sessions)
    return (
        f"{len(sessions)} sessions in 2010 with {attended + external} attendances, "
        f"{len(now_sessions)} this year ({attended_now} attendances), 3 theory exams, "
        f"a skills contest of {entrants}"
    )
