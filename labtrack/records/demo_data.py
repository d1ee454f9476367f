"""The records demo: the field notes' 2010 figures from data, and today's work.

- Controlled documents: every lab's quality manual; in 2010, 35 management-system documents
  written (11 rules of the bureau, 4 procedures and 2 forms in each of the 4 model laboratories)
  and 38 work instructions of 5 kinds revised (first issued in 2008); 4 old rules withdrawn; today,
  a draft, a revision in review, and documents due for review (some overdue), relative to today.
- Surveys: in 2010, 3,300 questionnaires issued inside the system and 1,300 outside, with the
  answers of those returned; a survey of this year under way.
- Complaints: 26 received in 2010 through the four channels, all investigated, 25 answered by the
  end of the year; four recent ones at every step, one substantiated with a finding raised.

Deterministic (seeded), written against whatever labs it is given, and loaded once.
"""

import random
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy import select

from labtrack.auth.models import User
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.parsing import code_key
from labtrack.records import complaints as complaint_service
from labtrack.records import demo_texts as T
from labtrack.records import files, surveys
from labtrack.records.models import (
    Audience,
    Choice,
    Complaint,
    Document,
    DocumentKind,
    DocumentRevision,
    Question,
    Questionnaire,
    ResponseSource,
    Survey,
)
from labtrack.records.values import add_months
from labtrack.records.workflow import ComplaintStatus, DocumentStatus, RevisionStatus
from labtrack.services import act_as

SEED = 16
WRITTEN_2010 = 35
WI_REVISED_2010 = 38
WI_KINDS = ("test_method", "sampling", "equipment", "calibration", "sample_handling")
ISSUED = {"inside": 3300, "outside": 1300}
RETURNED = {"inside": 3162, "outside": 1074}
COMPLAINTS_2010 = 26
CHANNELS_2010 = ["hotline"] * 14 + ["letter"] * 5 + ["online"] * 4 + ["referral"] * 3
OUTCOMES_2010 = (
    ["substantiated"] * 6 + ["partly_substantiated"] * 5 + ["unsubstantiated"] * 12 + ["outside_remit"] * 3
)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour))


class _Documents:
    """Builds the documents and their revisions (the ids in a fixed order)."""

    def __init__(self, labs: list[Lab], users: dict[str, User], rng: random.Random):
        self.labs, self.users, self.rng = labs, users, rng
        self.today = today()
        self.plans: list[dict] = []
        self.count = 0

    def user(self, name: str) -> User | None:
        return self.users.get(name)

    def manager(self, lab: Lab | None) -> User | None:
        return self.user(f"manager-{lab.code}") if lab is not None else self.user("quality")

    def plan(
        self, lab: Lab | None, kind: str, code: str, title: tuple[str, str], revisions: list, **extra
    ) -> dict:
        entry = {"lab": lab, "kind": kind, "code": code, "title": title, "revisions": revisions, **extra}
        self.plans.append(entry)
        return entry

    def build(self) -> list[dict]:
        labs = self.labs
        home = labs[0]
        models = [lab for lab in labs if lab.is_model_lab][:4] or labs[:4]
        t = self.today
        # Every lab's quality manual; the home lab's revised twice since, some others once.
        for n, lab in enumerate(labs):
            issued = date(2008, 3, 1) + timedelta(days=n * 3)
            revisions = [("A/0", issued)]
            if lab is home:
                revisions += [("B/0", date(2013, 6, 1)), ("C/0", t - timedelta(days=200))]
            elif n % 5 == 2:
                revisions.append(("B/0", date(2014 + n % 3, 9, 1)))
            name_en = lab.name_en or lab.code
            self.plan(
                lab,
                "quality_manual",
                f"{lab.code}-QM",
                (f"{lab.name}质量手册", f"Quality manual of {name_en}"),
                revisions,
            )
        # Today's work at the home lab: a new procedure being drafted.
        self.plan(
            home,
            "procedure",
            f"{home.code}-QP-22",
            ("检测结果质量控制程序", "Procedure for the quality control of results"),
            [("A/0", None)],
            draft=True,
            first=True,
        )
        # 2010: the bureau's rules and the model labs' procedures and forms (35 written).
        for n, (zh, en) in enumerate(T.BUREAU_RULES, start=1):
            self.plan(
                None,
                "management_rule",
                f"BR-2010-{n:02d}",
                (zh, en),
                [("A/0", date(2010, 3, 1) + timedelta(days=23 * n))],
                subject="management",
            )
        for m, lab in enumerate(models):
            texts = [("procedure", t_) for t_ in T.LAB_PROCEDURES] + [("form", t_) for t_ in T.LAB_FORMS]
            for n, (kind, (zh, en)) in enumerate(texts, start=1):
                prefix = "QP" if kind == "procedure" else "QF"
                revisions = [("A/0", date(2010, 4, 1) + timedelta(days=31 * n + 5 * m))]
                if m == 0 and n == 1:  # a model lab's first procedure waits for review
                    revisions.append(("B/0", None, "in_review"))
                self.plan(
                    lab, kind, f"{lab.code}-{prefix}-{10 + n}", (zh, en), revisions, subject="management"
                )
        # 2008 work instructions, 38 of them revised in 2010 (5 kinds).
        for n in range(WI_REVISED_2010):
            lab = labs[n % len(labs)]
            subject = WI_KINDS[n % len(WI_KINDS)]
            zh_t, en_t = T.WORK_INSTRUCTIONS[subject][0]
            topic_zh, topic_en = T.WI_TOPICS[n % len(T.WI_TOPICS)]
            revisions = [
                ("A/0", date(2008, 5, 1) + timedelta(days=7 * n)),
                ("B/0", date(2010, 2, 1) + timedelta(days=8 * n)),
            ]
            self.plan(
                lab,
                "work_instruction",
                f"{lab.code}-WI-{n + 1:03d}",
                (zh_t.format(topic_zh), en_t.format(topic_en)),
                revisions,
                subject=subject,
            )
        # Old rules withdrawn in 2010, replaced by the new procedures.
        for n, (zh, en) in enumerate(T.OLD_DOCUMENTS):
            lab = models[n % len(models)]
            self.plan(
                lab,
                "procedure",
                f"{lab.code}-OLD-{n + 1:02d}",
                (zh, en),
                [("A/0", date(2006, 6, 1) + timedelta(days=40 * n))],
                withdrawn_on=date(2010, 9, 30) + timedelta(days=n),
                subject="management",
            )
        self._save()
        self._schedule_reviews(home)
        return self.plans

    def _save(self) -> None:
        for entry in self.plans:
            lab = entry["lab"]
            entry["document"] = Document(
                lab_id=lab.id if lab else None,
                kind=DocumentKind(entry["kind"]),
                subject=entry.get("subject"),
                code=entry["code"],
                code_key=f"{lab.id if lab else 'bureau'}/{code_key(entry['code'])}",
                title=entry["title"][0],
                title_en=entry["title"][1],
                review_interval_months=12,
                status=DocumentStatus.DRAFT,
                created_by_id=getattr(self.manager(lab), "id", None),
            )
            db.session.add(entry["document"])
        db.session.flush()
        # The draft's revision first: revision 1 is the home lab's draft (pages open it for everyone).
        order = sorted(self.plans, key=lambda e: not e.get("first"))
        for entry in order:
            self._revisions(entry)
        db.session.flush()

    def _revisions(self, entry: dict) -> None:
        document: Document = entry["document"]
        lab = entry["lab"]
        author = self.manager(lab)
        approver = self.user("quality") if lab is not None else self.user("admin")
        specs = entry["revisions"]
        issued = [s for s in specs if s[1] is not None]
        for number, spec in enumerate(specs, start=1):
            label, effective_on = spec[0], spec[1]
            pending = spec[2] if len(spec) > 2 else ("draft" if effective_on is None else None)
            revision = DocumentRevision(
                document=document,
                number=number,
                label=label,
                author_id=getattr(author, "id", None),
                change_note=None if number == 1 else "按整改要求修订。/ Revised as rectification required.",
                created_at=_at(effective_on - timedelta(days=20))
                if effective_on
                else _at(self.today - timedelta(days=3)),
            )
            self._file(revision, entry["code"], label)
            if pending:
                revision.status = RevisionStatus(pending)
                if pending == "in_review":
                    revision.submitted_at = _at(self.today - timedelta(days=1))
            else:
                later = [s[1] for s in issued if s[1] > effective_on]
                revision.effective_on = effective_on
                revision.approved_by_id = getattr(approver, "id", None)
                revision.approved_at = _at(effective_on - timedelta(days=5), 15)
                revision.submitted_at = _at(effective_on - timedelta(days=10))
                revision.first_issue = number == 1
                if later:
                    revision.status, revision.ended_on = RevisionStatus.SUPERSEDED, min(later)
                elif entry.get("withdrawn_on"):
                    revision.status, revision.ended_on = RevisionStatus.OBSOLETE, entry["withdrawn_on"]
                else:
                    revision.status = RevisionStatus.EFFECTIVE
            db.session.add(revision)
            self.count += 1
        if issued:
            document.issued_on = issued[0][1]
            if entry.get("withdrawn_on"):
                document.status = DocumentStatus.OBSOLETE
                document.withdrawn_on = entry["withdrawn_on"]
                document.withdrawal_reason = "被新程序文件替代。/ Replaced by the new procedures."
            else:
                document.status = DocumentStatus.EFFECTIVE
                document.review_due_on = add_months(issued[-1][1], 12)
                entry["in_force_from"] = issued[-1][1]

    def _file(self, revision: DocumentRevision, code: str, label: str) -> None:
        content = f"%PDF-1.4\n% labtrack demo: {code} revision {label}\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
        checked = files.check(f"{code}-{label.replace('/', '-')}.pdf", content.encode())
        files.store(checked)
        revision.file_sha256 = checked.sha256
        revision.filename = checked.filename
        revision.file_size = checked.size
        revision.file_kind = checked.kind
        revision.content_type = checked.content_type

    def _schedule_reviews(self, home: Lab) -> None:
        """Spread the next reviews over the coming year; a few overdue and a few due soon."""
        t = self.today
        in_force = [e for e in self.plans if e["document"].status == DocumentStatus.EFFECTIVE]
        special = {
            f"{home.code}-WI-001": -12,
            f"{home.code}-QP-12": 9,
            "BR-2010-02": -5,
            "BR-2010-05": 3,
        }
        extra_overdue, extra_soon = [-30], [15, 21, 28]
        for n, entry in enumerate(in_force):
            document = entry["document"]
            if entry["in_force_from"] > t - timedelta(days=365):
                continue  # a recent revision: its review falls due a year after it took effect
            if document.code in special:
                offset = special[document.code]
            elif n % 17 == 5 and extra_overdue:
                offset = extra_overdue.pop()
            elif n % 13 == 7 and extra_soon:
                offset = extra_soon.pop()
            else:
                offset = 35 + (n * 37) % 325
            due = t + timedelta(days=offset)
            document.last_reviewed_on = add_months(due, -12)
            document.review_due_on = due


def _surveys(users: dict[str, User], rng: random.Random) -> dict:
    quality = users.get("quality")
    made = {}
    for audience, spec in (("inside", T.INSIDE), ("outside", T.OUTSIDE)):
        questionnaire = Questionnaire(
            code=spec["code"],
            code_key=code_key(spec["code"]),
            title=spec["title"][0],
            title_en=spec["title"][1],
            created_by_id=getattr(quality, "id", None),
        )
        db.session.add(questionnaire)
        weights: dict[str, list] = {}
        for position, (key, kind, zh, en, low, high, extra) in enumerate(spec["questions"], start=1):
            question = Question(
                questionnaire=questionnaire, position=position, key=key, kind=kind, text_zh=zh, text_en=en
            )
            if kind == "scale":
                question.scale_min, question.scale_max = 1, 5
                question.low_label_zh, question.low_label_en = low
                question.high_label_zh, question.high_label_en = high
                weights[key] = extra
            else:
                for n, (value, label_zh, label_en, _weight) in enumerate(extra, start=1):
                    db.session.add(
                        Choice(
                            question=question, position=n, value=value, label_zh=label_zh, label_en=label_en
                        )
                    )
                weights[key] = [w for *_rest, w in extra]
            db.session.add(question)
        made[audience] = (questionnaire, weights)
    db.session.flush()
    issued_on = {"inside": date(2010, 6, 15), "outside": date(2010, 7, 1)}
    titles = {
        "inside": "2010年检测工作整顿问卷调查（系统内）",
        "outside": "2010年检测服务满意度调查（系统外）",
    }
    notes = {"inside": "各技术机构检测人员和管理人员。", "outside": "委托检测的企业和消费者。"}
    counts = {}
    for audience in ("inside", "outside"):
        questionnaire, weights = made[audience]
        survey = Survey(
            code=f"SV-2010-{audience.upper()[:3]}",
            code_key=code_key(f"SV-2010-{audience.upper()[:3]}"),
            title=titles[audience],
            questionnaire=questionnaire,
            audience=Audience(audience),
            audience_note=notes[audience],
            issued_on=issued_on[audience],
            closes_on=issued_on[audience] + timedelta(days=45),
            copies_issued=ISSUED[audience],
            created_by_id=getattr(quality, "id", None),
        )
        db.session.add(survey)
        db.session.flush()
        counts[audience] = _answers(survey, weights, RETURNED[audience], rng, quality)
    # This year's survey, under way.
    t = today()
    questionnaire, weights = made["outside"]
    survey = Survey(
        code=f"SV-{t.year}-OUT",
        code_key=code_key(f"SV-{t.year}-OUT"),
        title=f"{t.year}年检测服务满意度调查（系统外）",
        questionnaire=questionnaire,
        audience=Audience.OUTSIDE,
        audience_note=notes["outside"],
        issued_on=t - timedelta(days=20),
        closes_on=t + timedelta(days=25),
        copies_issued=200,
        created_by_id=getattr(quality, "id", None),
    )
    db.session.add(survey)
    db.session.flush()
    counts["current"] = _answers(survey, weights, 57, rng, quality, span=19)
    return counts


def _answers(survey: Survey, weights: dict, n: int, rng: random.Random, actor: Any, span: int = 40) -> int:
    """`n` returned questionnaires with answers drawn from the weights (a few questions skipped)."""
    draws = []  # (question id, scale points or None, choice ids or None, cumulative weights)
    for q in survey.questionnaire.questions:
        if q.kind == "scale":
            draws.append(
                (q.id, list(range(q.scale_min, q.scale_max + 1)), None, list(accumulate(weights[q.key])))
            )
        else:
            draws.append((q.id, None, [c.id for c in q.choices], list(accumulate(weights[q.key]))))
    rows = []
    for number in range(1, n + 1):
        answers = {}
        for question_id, points, choices, w in draws:
            if rng.random() < 0.02:
                continue  # not answered
            if points is not None:
                answers[question_id] = (rng.choices(points, cum_weights=w)[0], None)
            else:
                answers[question_id] = (None, rng.choices(choices, cum_weights=w)[0])
        returned_on = min(survey.issued_on + timedelta(days=rng.randint(2, span)), today())
        rows.append({"sheet": f"{survey.code}-{number:04d}", "returned_on": returned_on, "answers": answers})
    surveys.write_responses(survey, rows, ResponseSource.IMPORTED, actor)
    return n


def _complaints(labs: list[Lab], users: dict[str, User], rng: random.Random) -> dict:
    quality = users.get("quality")
    channels = list(CHANNELS_2010)
    outcomes = list(OUTCOMES_2010)
    rng.shuffle(channels)
    rng.shuffle(outcomes)
    days = sorted(date(2010, 1, 4) + timedelta(days=rng.randint(0, 350)) for _ in range(COMPLAINTS_2010 - 1))
    days.append(date(2010, 12, 27))  # answered in the new year
    others = labs[1:] or labs
    made = []
    for n, received in enumerate(days, start=1):
        lab = labs[0] if n == 1 else others[rng.randrange(len(others))]
        subject = T.COMPLAINT_SUBJECTS[(n - 1) % len(T.COMPLAINT_SUBJECTS)]
        channel = channels[n - 1]
        acknowledged = received if channel == "hotline" else received + timedelta(days=rng.randint(1, 3))
        investigated = acknowledged + timedelta(days=rng.randint(4, 18))
        outcome = outcomes[n - 1]
        feedback_on = investigated + timedelta(days=rng.randint(1, 9))
        if received == date(2010, 12, 27):
            investigated, feedback_on = date(2011, 1, 7), date(2011, 1, 14)
        made.append(
            Complaint(
                reference=f"CP-2010-{n:03d}",
                channel=channel,
                lab_id=lab.id,
                received_on=received,
                complainant_name=None if n % 4 == 0 else f"{'王李张刘陈'[n % 5]}先生",
                complainant_contact=None if n % 4 == 0 else f"138{n:04d}{n * 7 % 10000:04d}",
                subject=subject[0],
                description=subject[2],
                status=ComplaintStatus.ANSWERED,
                acknowledged_on=acknowledged,
                investigated_on=investigated,
                investigation=T.INVESTIGATIONS[outcome][0],
                outcome=outcome,
                feedback_on=feedback_on,
                feedback=T.FEEDBACK[0],
                created_by_id=getattr(quality, "id", None),
            )
        )
    db.session.add_all(made)
    db.session.flush()
    return {
        "received_2010": len(made),
        "answered_2010": sum(1 for c in made if c.feedback_on <= date(2010, 12, 31)),
    }


def _recent_complaints(labs: list[Lab], users: dict[str, User]) -> int:
    """Four complaints of the last weeks, one at each step; the home lab's substantiated, with a finding."""
    t = today()
    quality, inspector = users.get("quality"), users.get("inspector")
    home, others = labs[0], (labs[1:] or labs)
    specs = [
        (home, "hotline", 40, 39, 20, "substantiated", 15),
        (others[min(2, len(others) - 1)], "referral", 12, 11, 5, "unsubstantiated", None),
        (others[0], "online", 10, 9, None, None, None),
        (others[min(1, len(others) - 1)], "letter", 2, None, None, None, None),
    ]  # in the order they were received, so that their references follow the dates
    made = []
    for n, (lab, channel, received, acknowledged, investigated, outcome, feedback) in enumerate(specs):
        received_on = t - timedelta(days=received)
        subject = T.COMPLAINT_SUBJECTS[(n + 2) % len(T.COMPLAINT_SUBJECTS)]
        complaint = Complaint(
            reference=complaint_service.next_reference(received_on.year),
            channel=channel,
            lab_id=lab.id,
            received_on=received_on,
            complainant_name="赵女士",
            complainant_contact="028-8888 0000",
            subject=subject[0],
            description=subject[2],
            status=ComplaintStatus.RECEIVED,
            created_by_id=getattr(quality, "id", None),
        )
        if acknowledged is not None:
            complaint.status, complaint.acknowledged_on = (
                ComplaintStatus.ACKNOWLEDGED,
                t - timedelta(days=acknowledged),
            )
        if investigated is not None:
            complaint.status = ComplaintStatus.INVESTIGATED
            complaint.investigated_on = t - timedelta(days=investigated)
            complaint.investigation, complaint.outcome = T.INVESTIGATIONS[outcome][0], outcome
        if feedback is not None:
            complaint.status, complaint.feedback_on, complaint.feedback = (
                ComplaintStatus.ANSWERED,
                t - timedelta(days=feedback),
                T.FEEDBACK[0],
            )
        db.session.add(complaint)
        db.session.flush()
        made.append(complaint)
    if inspector is not None:
        complaint_service.raise_finding(
            inspector,
            made[0],
            {
                "severity": "minor",
                "area": "reports_certificates",
                "clause": "7.8.2",
                "description": f"投诉{made[0].reference}经核查属实：{made[0].subject}。",
            },
        )
        act_as(None, "demo data")
    return len(made)


def load(labs: dict[str, Lab]) -> str:
    """Load the records demo once; answers a line for the demo command's report."""
    if db.session.scalar(select(Document.id).limit(1)) is not None:
        return "already loaded"
    ordered = sorted(labs.values(), key=lambda lab: (lab.code != "SC-TC", lab.code))
    if not ordered:
        return "no laboratories"
    users = {u.username: u for u in db.session.scalars(select(User))}
    rng = random.Random(SEED)
    builder = _Documents(ordered, users, rng)
    plans = builder.build()
    surveys_made = _surveys(users, rng)
    complaints_made = _complaints(ordered, users, rng)
    db.session.flush()
    recent = _recent_complaints(ordered, users)
    due = sum(
        1
        for e in plans
        if e["document"].status == DocumentStatus.EFFECTIVE
        and e["document"].review_due_on <= today() + timedelta(days=30)
    )
    return (
        f"{len(plans)} controlled documents, {builder.count} revisions "
        f"({WRITTEN_2010} written and {WI_REVISED_2010} work instructions revised in 2010; {due} due for review "
        f"within 30 days); questionnaires in 2010: {ISSUED['inside']:,} issued inside the system "
        f"({surveys_made['inside']:,} returned), {ISSUED['outside']:,} outside ({surveys_made['outside']:,} returned); "
        f"{complaints_made['received_2010']} complaints in 2010 ({complaints_made['answered_2010']} answered in the year), "
        f"{recent} recent"
    )
