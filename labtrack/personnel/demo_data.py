"""The demo's people: named staff of every lab with their posts, authorisations covering most of
each lab's scope (with some gaps to find), the persons named in the personnel findings and the
analysts of the comparison results; then the training and exams (`demo_training`).

Deterministic (`random.Random(SEED)`); idempotent (nothing is added once people exist). The first
person, session and authorisation belong to the technical centre SC-TC.
"""

import random
from datetime import date

from sqlalchemy import func, select

from labtrack.audits.models import Finding
from labtrack.auth.models import User
from labtrack.extensions import db
from labtrack.labs.models import Lab, LabKind
from labtrack.models_base import today, utcnow
from labtrack.parsing import code_key
from labtrack.personnel import demo_training
from labtrack.personnel.demo_training import day_in as _day
from labtrack.personnel.demo_training import insert_rows
from labtrack.personnel.models import (
    Authorisation,
    FindingPerson,
    Person,
    PersonPost,
    Post,
    ResultAnalyst,
)
from labtrack.proficiency.models import Result, Round
from labtrack.scope.models import ScopeEntry, TestItem

SEED = 20100512
# Staff of a lab of each kind (people working there in 2010), as (fewest, most).
_SIZES = {
    LabKind.TECHNICAL_CENTRE: (150, 150),
    LabKind.REGIONAL_LAB: (30, 42),
    LabKind.PRODUCT_QUALITY: (34, 52),
    LabKind.METROLOGY: (20, 32),
    LabKind.FIBRE: (14, 22),
    LabKind.SPECIAL_EQUIPMENT: (18, 28),
    LabKind.ENTERPRISE: (9, 15),
    LabKind.THIRD_PARTY: (12, 24),
}
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
_GIVEN = "伟芳娜敏静强磊军洋勇艳杰涛明超霞平刚桂英华玉兰秀珍丽红建国志文斌辉鹏宇婷雪梅琳晓燕丹峰飞鑫浩然俊凯瑞欣怡佳颖晨阳海波林"
_TITLES = [("正高级工程师", 3), ("高级工程师", 22), ("工程师", 40), ("助理工程师", 25), ("技术员", 10)]


def _name(rng: random.Random) -> str:
    given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(_SURNAMES) + given


def _title(rng: random.Random) -> str:
    return rng.choices([t for t, _w in _TITLES], weights=[w for _t, w in _TITLES])[0]


def _posts_for(rng: random.Random, n: int) -> list[list[str]]:
    """Posts of a lab's n people: one head, technical director and quality manager, signatories,
    analysts, samplers, internal auditors (a second post) and others."""
    posts: list[list[str]] = [
        [Post.HEAD],
        [Post.TECHNICAL_DIRECTOR, Post.ANALYST],
        [Post.QUALITY_MANAGER, Post.INTERNAL_AUDITOR],
    ]
    signatories = max(1, round(n * 0.08))
    posts += [[Post.SIGNATORY, Post.ANALYST] for _ in range(signatories)]
    for _ in range(n - len(posts)):
        r = rng.random()
        if r < 0.70:
            posts.append([Post.ANALYST] + ([Post.INTERNAL_AUDITOR] if rng.random() < 0.06 else []))
        elif r < 0.82:
            posts.append([Post.SAMPLER])
        elif r < 0.88:
            posts.append([Post.ANALYST, Post.SAMPLER])
        else:
            posts.append([Post.OTHER])
    return [[p.value for p in row] for row in posts]


def _people(rng: random.Random, labs: dict[str, Lab]) -> dict[int, list[dict]]:
    """Everyone of every lab (SC-TC first), inserted; lab id -> their rows (with ids and posts)."""
    now = today()
    by_lab: dict[int, list[dict]] = {}
    rows: list[dict] = []
    posts_of: list[list[str]] = []
    for code in ["SC-TC", *sorted(c for c in labs if c != "SC-TC")]:
        lab = labs[code]
        low, high = _SIZES.get(LabKind(lab.kind), (12, 24))
        n = rng.randint(low, high)
        prefix = "".join(ch for ch in code.split("-")[-1] if ch.isalpha())[:3] or "S"
        lab_posts = _posts_for(rng, n)
        newcomers = max(1, n // 10)
        for i, posts in enumerate(lab_posts + [[Post.ANALYST.value]] * newcomers):
            joined = (
                _day(rng, date(1982, 1, 1), date(2009, 6, 30)) if i < n else _day(rng, date(2011, 1, 1), now)
            )
            left = None
            if 3 <= i < n and rng.random() < 0.07:  # some left during or after the campaign
                left = _day(rng, date(2010, 7, 1), min(now, date(2015, 12, 31)))
            staff_no = f"{prefix}{i + 1:04d}"
            rows.append(
                {
                    "lab_id": lab.id,
                    "staff_no": staff_no,
                    "staff_key": code_key(staff_no),
                    "name": _name(rng),
                    "title": _title(rng) if posts != [Post.OTHER.value] else None,
                    "employed_from": joined,
                    "employed_to": left,
                    "leave_reason": "调离" if left else None,
                    "phone": f"139{rng.randrange(10**8):08d}",
                    "email": None,
                    "created_at": utcnow(),
                    "updated_at": utcnow(),
                }
            )
            posts_of.append(posts)
    ids = insert_rows(Person, rows)
    post_rows = [
        {"person_id": pid, "post": post} for pid, posts in zip(ids, posts_of, strict=True) for post in posts
    ]
    insert_rows(PersonPost, post_rows)
    for pid, row, posts in zip(ids, rows, posts_of, strict=True):
        by_lab.setdefault(row["lab_id"], []).append({**row, "id": pid, "posts": posts})
    return by_lab


def _link_accounts(labs: dict[str, Lab], by_lab: dict[int, list[dict]]) -> int:
    """manager-<code> is the account of the lab's quality manager."""
    linked = 0
    for code, lab in labs.items():
        user = db.session.scalar(select(User).where(User.username == f"manager-{code}"))
        qm = next((p for p in by_lab.get(lab.id, []) if Post.QUALITY_MANAGER.value in p["posts"]), None)
        if user is not None and qm is not None:
            person = db.session.get(Person, qm["id"])
            person.user_id = user.id
            linked += 1
    db.session.flush()
    return linked


def _employed(p: dict, day: date) -> bool:
    return demo_training.employed(p, day)


def _authorisations(rng: random.Random, labs: dict[str, Lab], by_lab: dict[int, list[dict]]) -> list[int]:
    """Perform (and sign) authorisations covering most of every lab's scope, with gaps."""
    now = today()
    rows: list[dict] = []
    for code in ["SC-TC", *sorted(c for c in labs if c != "SC-TC")]:
        lab = labs[code]
        held = db.session.execute(
            select(TestItem.id, TestItem.category_id, func.min(ScopeEntry.granted_on))
            .join(ScopeEntry, ScopeEntry.item_id == TestItem.id)
            .where(ScopeEntry.lab_id == lab.id, ScopeEntry.withdrawn_on.is_(None))
            .group_by(TestItem.id, TestItem.category_id)
            .order_by(TestItem.category_id, TestItem.id)
        ).all()
        staff = by_lab.get(lab.id, [])
        analysts = [p for p in staff if Post.ANALYST.value in p["posts"] and _employed(p, now)]
        signers = [p for p in staff if Post.SIGNATORY.value in p["posts"] and _employed(p, now)]
        if not analysts:
            continue
        categories: dict[int, list[tuple[int, date]]] = {}
        for item_id, category_id, granted in held:
            categories.setdefault(category_id, []).append((item_id, granted))
        gap_budget = rng.choice([0, 1, 1, 2, 3]) if code != "SC-TC" else 9
        for category_id, items in categories.items():
            start = min(g for _i, g in items)
            if rng.random() < 0.8 or len(items) == 1 and gap_budget == 0:
                for person in rng.sample(analysts, k=min(len(analysts), rng.randint(1, 3))):
                    rows.append(_auth(rng, person, None, category_id, "perform", start))
            else:
                for item_id, granted in items:
                    if gap_budget > 0 and rng.random() < 0.5:
                        gap_budget -= 1  # nobody authorised: a gap to find
                        continue
                    rows.append(_auth(rng, rng.choice(analysts), item_id, None, "perform", granted))
            for person in rng.sample(signers, k=min(len(signers), 1)):
                rows.append(_auth(rng, person, None, category_id, "sign", start))
        for person in [p for p in staff if p["employed_to"] is not None and Post.ANALYST.value in p["posts"]][
            :2
        ]:
            if categories:
                category_id = next(iter(categories))
                rows.append(_auth(rng, person, None, category_id, "perform", date(2009, 1, 1)))
    _states(rng, rows)
    return insert_rows(Authorisation, rows)


def _auth(
    rng: random.Random, person: dict, item_id: int | None, category_id: int | None, activity: str, start: date
) -> dict:
    valid_from = max(start, person["employed_from"], date(2008, 1, 1))
    basis = rng.choices(["training", "exam", "pt_result", "experience"], weights=[4, 3, 1, 2])[0]
    notes = {
        "training": "ISO/IEC 17025 方法培训合格",
        "exam": "2010年理论考核合格",
        "pt_result": "能力验证结果满意",
        "experience": "从事本项目检测五年以上",
    }
    return {
        "person_id": person["id"],
        "item_id": item_id,
        "category_id": category_id,
        "activity": activity,
        "valid_from": valid_from,
        "valid_to": person["employed_to"],
        "basis": basis,
        "basis_note": notes[basis],
        "status": "active",
        "status_on": None,
        "status_reason": None,
        "outside_scope": False,
        "created_at": utcnow(),
        "updated_at": utcnow(),
    }


def _states(rng: random.Random, rows: list[dict]) -> None:
    """A few authorisations suspended or withdrawn, with their reasons."""
    reasons = {
        "suspended": ["比对结果不满意，暂停授权待再培训", "长期未从事该项目检测"],
        "withdrawn": ["考核不合格", "调整岗位"],
    }
    for row in rows:
        if row["activity"] != "perform" or row["valid_to"] is not None or rng.random() > 0.02:
            continue
        status = rng.choice(["suspended", "withdrawn"])
        on = _day(rng, max(row["valid_from"], date(2011, 1, 1)), max(today(), row["valid_from"]))
        row.update(status=status, status_on=on, status_reason=rng.choice(reasons[status]))


def _links(rng: random.Random, by_lab: dict[int, list[dict]]) -> tuple[int, int]:
    """Persons named in the personnel findings; the analyst of each comparison result."""
    named: list[dict] = []
    for finding_id, lab_id, raised_on in db.session.execute(
        select(Finding.id, Finding.lab_id, Finding.raised_on)
        .where(Finding.area == "personnel_training")
        .order_by(Finding.id)
    ):
        staff = [p for p in by_lab.get(lab_id, []) if _employed(p, raised_on)]
        for person in rng.sample(staff, k=min(len(staff), rng.randint(1, 2))):
            named.append({"finding_id": finding_id, "person_id": person["id"]})
    analysts: list[dict] = []
    for result_id, lab_id, closes_on in db.session.execute(
        select(Result.id, Result.lab_id, Round.closes_on)
        .join(Round, Result.round_id == Round.id)
        .order_by(Result.id)
    ):
        day = closes_on or date(2010, 6, 30)
        staff = [p for p in by_lab.get(lab_id, []) if Post.ANALYST.value in p["posts"] and _employed(p, day)]
        if staff and rng.random() < 0.9:
            analysts.append({"result_id": result_id, "person_id": rng.choice(staff)["id"]})
    insert_rows(FindingPerson, named)
    insert_rows(ResultAnalyst, analysts)
    return len(named), len(analysts)


def load(labs: dict[str, Lab]) -> str:
    """Load the demo's people, training, exams and authorisations (nothing if people exist)."""
    if db.session.scalar(select(func.count()).select_from(Person)):
        return "personnel already loaded"
    if "SC-TC" not in labs:
        return "no demo labs"
    rng = random.Random(SEED)
    by_lab = _people(rng, labs)
    accounts = _link_accounts(labs, by_lab)
    training = demo_training.load(rng, labs, by_lab)
    auths = _authorisations(rng, labs, by_lab)
    findings, analysts = _links(rng, by_lab)
    people = sum(len(v) for v in by_lab.values())
    return (
        f"{people} people ({accounts} with an account), {training}, {len(auths)} authorisations, "
        f"{findings} persons named in findings, {analysts} analysts of results"
    )
