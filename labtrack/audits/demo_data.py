"""The demo's rectification work: the 2010 campaign as history, and this year's audits, dated from today.

The 2010 campaign reproduces the field notes: flight checks that together reviewed 1,000 system
documents and raw records, 800 instruments and 2,000 reports and certificates; self-inspections
finding 150+ deficiencies, mostly in QMS documentation, QMS operation, personnel training and
quality control; supervision visits by bureau leaders, and undercover visits by 3 groups of people's
congress deputies, CPPCC members and volunteer quality supervisors, early in the year and in June,
over 5 aspects, together reaching 43 institutions in 21 prefectures. A lab's self-inspection and
internal audit are its own work: each lab's manager (`manager-<code>`) records them, leads them and
raises their findings (the history names them); the bureau's inspector records the rest. The
campaign ended as a real one ends: every finding closed after check and acceptance by early 2011
(one reopened by a 2011 re-check and closed again), a few cancelled as duplicates.

The present is dated relative to the day the demo is loaded: this year's audits (one in progress,
one planned) with findings waiting at every step of the workflow, some due this week and some
overdue by days or weeks. Every history row is dated on the day the story says it happened.
Written against whatever labs it is given.
"""

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from labtrack.audits import demo_texts as T
from labtrack.audits import evidence, figures, rectification, service, workflow
from labtrack.audits.models import Audit, AuditKind, AuditStatus, EvidenceFile, Finding, FindingSource
from labtrack.audits.workflow import State
from labtrack.auth.models import User
from labtrack.extensions import db
from labtrack.history.tracking import set_comment, set_time
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.services import act_as

SEED = 2010
FLIGHT_TOTALS = {"documents_reviewed": 1000, "instruments_checked": 800, "reports_sampled": 2000}
SELF_INSPECTION_FINDINGS = 156
FOUR_AREAS = ["qms_documentation", "qms_operation", "personnel_training", "quality_control"]
OTHER_AREAS = [a for a in T.FINDINGS if a not in FOUR_AREAS]
VISITED = 43
UNDERCOVER_GROUPS = 3
# The two rounds of undercover visits: early in the year and in June.
UNDERCOVER_ROUNDS = [(date(2010, 3, 1), date(2010, 4, 16)), (date(2010, 6, 1), date(2010, 6, 30))]
CANCELLED = 3  # campaign findings cancelled as duplicates of a flight-check finding
STEPS = {t.name: t for t in workflow.TRANSITIONS}
CAMPAIGN_FROM, CAMPAIGN_TO = date(2010, 1, 1), date(2010, 12, 31)


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` split into `parts` positive-ish integers that add up exactly (largest remainder)."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    raw = [total * w / sum(weights) for w in weights]
    shares = [int(x) for x in raw]
    for i in sorted(range(parts), key=lambda i: raw[i] - shares[i], reverse=True)[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


class _Campaign:
    """Builds the campaign's audits and findings, then walks each finding to its outcome."""

    def __init__(self, labs: dict[str, Lab]):
        self.rng = random.Random(SEED)
        self.labs = [labs[c] for c in sorted(labs)]
        users = {u.username: u for u in db.session.scalars(select(User))}
        self.users = users
        self.inspector = users.get("inspector")
        self.quality = users.get("quality")
        self.sequence: dict[tuple[str, int], int] = {}
        self.findings: list[Finding] = []

    # --- audits and findings ---

    def audit(
        self,
        lab: Lab,
        kind: AuditKind,
        start: date,
        days: int,
        title: str,
        team: str,
        counts: dict | None = None,
        summary: str | None = None,
        lead=None,
    ) -> Audit:
        key = (kind.value, start.year)
        self.sequence[key] = self.sequence.get(key, 0) + 1
        prefix = {
            "flight_check": "FC",
            "self_inspection": "SI",
            "external_assessment": "EA",
            "supervision_visit": "SV",
            "undercover_visit": "UV",
            "internal_audit": "IA",
        }[kind.value]
        audit = Audit(
            reference=f"{prefix}-{start.year}-{self.sequence[key]:03d}",
            lab_id=lab.id,
            kind=kind,
            title=title,
            started_on=start,
            ended_on=start + timedelta(days=days),
            lead_id=getattr(lead or self.inspector, "id", None),
            team=team,
            status=AuditStatus.COMPLETED,
            summary=summary,
            **(counts or {}),
        )
        audit.lab = lab
        db.session.add(audit)
        return audit

    def finding(self, audit: Audit, area: str, severity: str | None = None, raised_by=None) -> Finding:
        rng = self.rng
        clause, zh, en = rng.choice(T.FINDINGS[area])
        severity = severity or rng.choices(["major", "minor", "observation"], [2, 6, 2])[0]
        raised = audit.ended_on or audit.started_on
        finding = Finding(
            audit=audit,
            lab_id=audit.lab_id,
            number=len(audit.findings) + 1,
            source=FindingSource.AUDIT,
            severity=severity,
            area=area,
            clause=clause,
            description=f"{zh}\n{en}",
            raised_by_id=getattr(raised_by or self.inspector, "id", None),
            raised_on=raised,
            due_on=service.due_date(severity, raised),
            status=State.OPEN,
        )
        finding.lab = audit.lab
        # `audit=audit` already put it in audit.findings: appending it again numbered them 1, 3, 5.
        db.session.add(finding)
        db.session.add(finding)  # a backref does not cascade into the session (SQLAlchemy 2.0)
        self.findings.append(finding)
        return finding

    def flush_as(self, actor, on: date | None = None) -> None:
        """Write what was added, with history rows naming `actor` (None: the demo loader itself),
        dated on `on` (the day the story says it was recorded)."""
        act_as(actor)
        set_comment(db.session, None)
        if on is not None:
            set_time(db.session, datetime.combine(on, time(17, 0)))
        db.session.flush()

    def build(self) -> None:
        rng, labs = self.rng, self.labs
        # Self-inspection and self-correction in every lab, spring 2010, recorded by its manager.
        shares = _split(SELF_INSPECTION_FINDINGS, len(labs), rng)
        for lab, share in zip(labs, shares, strict=True):
            manager = self.manager(lab)
            audit = self.audit(
                lab,
                AuditKind.SELF_INSPECTION,
                _day(rng, date(2010, 3, 15), date(2010, 5, 20)),
                10,
                "检测工作整顿自查自纠 / Testing-work rectification: self-inspection",
                "质量负责人、内审员 / quality manager, internal auditors",
                summary="从意识、制度建设、制度执行、人员管理、监督五个方面开展自查。\n"
                "Self-inspection in five aspects: awareness, system building, system implementation, "
                "personnel management, supervision.",
                lead=manager,
            )
            for _ in range(share):
                area = rng.choice(FOUR_AREAS) if rng.random() < 0.85 else rng.choice(OTHER_AREAS)
                self.finding(audit, area, raised_by=manager)
            self.flush_as(manager, audit.ended_on)
        # External assessment by CNAS experts, with the bureau's own inspection.
        for lab in labs[: min(4, len(labs))]:
            audit = self.audit(
                lab,
                AuditKind.EXTERNAL_ASSESSMENT,
                _day(rng, date(2010, 6, 1), date(2010, 6, 30)),
                2,
                "CNAS专家现场检查 / On-site check by CNAS experts",
                "CNAS评审员 2名 / two CNAS assessors",
            )
            for area in rng.sample(FOUR_AREAS, 2):
                self.finding(audit, area)
            self.flush_as(None, audit.ended_on)
        # Flight checks led by the accreditation division.
        flight_labs = self._spread(min(12, len(labs)))
        counts = {key: _split(total, len(flight_labs), rng) for key, total in FLIGHT_TOTALS.items()}
        starts = sorted(_day(rng, date(2010, 5, 10), date(2010, 12, 10)) for _ in flight_labs)
        for i, (lab, start) in enumerate(zip(flight_labs, starts, strict=True)):
            audit = self.audit(
                lab,
                AuditKind.FLIGHT_CHECK,
                start,
                1,
                "认评处飞行检查 / Unannounced flight check",
                "认评处 3人 / three staff of the accreditation division",
                counts={key: counts[key][i] for key in FLIGHT_TOTALS},
                summary="查阅体系文件和原始记录，核查仪器设备，抽查检测报告和证书。\n"
                "Read system documents and raw records, checked instruments, sampled reports and certificates.",
            )
            for area in rng.sample(
                [
                    "equipment_traceability",
                    "records",
                    "reports_certificates",
                    "quality_control",
                    "sampling_handling",
                ],
                rng.randint(2, 3),
            ):
                self.finding(audit, area)
            self.flush_as(None, audit.ended_on)
        # Internal audits, recorded by each lab's manager.
        for lab in labs[-min(3, len(labs)) :]:
            manager = self.manager(lab)
            audit = self.audit(
                lab,
                AuditKind.INTERNAL_AUDIT,
                _day(rng, date(2010, 9, 1), date(2010, 9, 30)),
                3,
                "年度内部审核 / Annual internal audit",
                "内审员 / internal auditors",
                lead=manager,
            )
            self.finding(audit, rng.choice(["qms_operation", "records"]), raised_by=manager)
            self.flush_as(manager, audit.ended_on)
        # Supervision visits (bureau leaders, one per prefecture) and undercover visits (3 groups).
        visited = self._visited()
        seen: set[str] = set()
        for lab in visited:
            if lab.region in seen:
                continue
            seen.add(lab.region)
            audit = self.audit(
                lab,
                AuditKind.SUPERVISION_VISIT,
                _day(rng, date(2010, 9, 6), date(2010, 10, 29)),
                1,
                "局领导督查督导 / Supervision visit by bureau leaders",
                "分管副局长、质量管理部 / deputy director, quality department",
            )
            if rng.random() < 0.3:
                self.finding(audit, rng.choice(["qms_operation", "facilities_environment"]))
            self.flush_as(None, audit.ended_on)
        # Undercover visits led by the discipline office: 3 groups, two rounds (early in the year and
        # in June); the first round reaches every prefecture, the second the remaining institutions.
        half = len({lab.region for lab in visited})
        for n, lab in enumerate(visited):
            group = n % UNDERCOVER_GROUPS + 1
            start, end = UNDERCOVER_ROUNDS[0 if n < half else 1]
            audit = self.audit(
                lab,
                AuditKind.UNDERCOVER_VISIT,
                _day(rng, start, end),
                0,
                f"暗查暗访第{group}组 / Undercover visit, group {group}",
                "监察室；人大代表、政协委员、义务质量监督员 / discipline office; people's congress "
                "deputies, CPPCC members, volunteer quality supervisors",
                summary="从五个方面暗访，其中包括政务服务、质量效率、纪律作风、检测工作；暗访录向被访单位公开播放。\n"
                "Five aspects, among them government service, quality and efficiency, discipline and "
                "conduct, and testing work; the filmed findings were shown to the institutions concerned.",
            )
            if rng.random() < 0.4:
                self.finding(
                    audit,
                    rng.choice(["impartiality_conduct", "impartiality_conduct", "facilities_environment"]),
                )
            self.flush_as(None, audit.ended_on)

    def _spread(self, n: int) -> list[Lab]:
        """n labs, one per region first, the technical centre among them."""
        ordered = sorted(self.labs, key=lambda lab: (lab.code != "SC-TC", lab.code))
        picked, regions = [], set()
        for lab in ordered:
            if lab.region not in regions:
                picked.append(lab)
                regions.add(lab.region)
        picked += [lab for lab in ordered if lab not in picked]
        return picked[:n]

    def _visited(self) -> list[Lab]:
        """The 43 institutions visited: every prefecture first, then the others."""
        return self._spread(min(VISITED, len(self.labs)))

    # --- rectification ---

    def manager(self, lab: Lab):
        return self.users.get(f"manager-{lab.code}")

    def step(self, finding: Finding, name: str, on: date, actor, values: dict | None = None) -> None:
        values = dict(values or {})
        act_as(actor)
        set_comment(db.session, values.get("comment"))  # this step's own comment, or none
        at = datetime.combine(on, time(16, 30))
        set_time(db.session, at)
        rectification.apply_step(
            finding, STEPS_BY_SOURCE[(name, State(finding.status))], values, actor, on, at
        )
        db.session.flush()

    def plan(self, finding: Finding, on: date) -> None:
        rng = self.rng
        method, zh, en = rng.choice(T.ROOT_CAUSES)
        self.step(
            finding,
            "submit_plan",
            on,
            self.manager(finding.lab),
            {
                "root_cause": f"{zh}\n{en}",
                "root_cause_method": method,
                "correction": T.both(rng.choice(T.CORRECTIONS)),
                "occurs_elsewhere": T.both(rng.choice(T.ELSEWHERE)),
                "corrective_action": T.both(rng.choice(T.ACTIONS)),
                "action_owner": rng.choice(T.OWNERS),
                "action_target_on": on + timedelta(days=rng.randint(20, 45)),
            },
        )

    def evidence(self, finding: Finding, on: date) -> None:
        manager = self.manager(finding.lab)
        self.step(
            finding, "submit_evidence", on, manager, {"evidence_text": T.both(self.rng.choice(T.EVIDENCE))}
        )
        checked = evidence.check(f"整改证据-{finding.label.replace(' #', '-')}.pdf", _pdf(finding.label))
        evidence.store(checked)
        db.session.add(
            EvidenceFile(
                finding=finding,
                sha256=checked.sha256,
                filename=checked.filename,
                size=checked.size,
                kind=checked.kind,
                content_type=checked.content_type,
                stage="evidence",
                uploaded_by_id=getattr(manager, "id", None),
            )
        )

    def walk(self, finding: Finding, outcome: str) -> None:
        """Take a finding through the workflow, with realistic gaps, to `outcome`."""
        rng, on = self.rng, finding.raised_on
        verifier = self.inspector if rng.random() < 0.7 else self.quality
        order = ["open", "plan_submitted", "plan_accepted", "evidence_submitted", "closed"]
        goal = order.index(outcome if outcome in order else "closed")
        if outcome == "cancelled":
            on += timedelta(days=rng.randint(5, 20))
            self.step(
                finding,
                "cancel",
                on,
                self.quality,
                {
                    "comment": "与飞行检查提出的问题重复，合并整改。\nDuplicate of a flight-check finding; rectified together."
                },
            )
            return
        if goal >= 1:
            on += timedelta(days=rng.randint(5, 18))
            self.plan(finding, on)
            if goal >= 2 and rng.random() < 0.12:
                on += timedelta(days=rng.randint(2, 6))
                self.step(finding, "reject_plan", on, verifier, {"comment": T.both(T.REJECTIONS[0])})
                on += timedelta(days=rng.randint(4, 10))
                self.plan(finding, on)
        if goal >= 2:
            on += timedelta(days=rng.randint(2, 7))
            self.step(
                finding, "accept_plan", on, verifier, {"comment": "整改计划可行。\nThe plan is adequate."}
            )
        if goal >= 3:
            on += timedelta(days=rng.randint(12, 35))
            self.evidence(finding, on)
            if goal >= 4 and rng.random() < 0.06:
                on += timedelta(days=rng.randint(3, 8))
                self.step(finding, "reject_evidence", on, verifier, {"comment": T.both(T.REJECTIONS[1])})
                on += timedelta(days=rng.randint(7, 14))
                self.step(
                    finding,
                    "submit_evidence",
                    on,
                    self.manager(finding.lab),
                    {"evidence_text": T.both(T.EVIDENCE[2])},
                )
        if goal >= 4:
            on += timedelta(days=rng.randint(3, 10))
            self.step(finding, "close", on, verifier, {"effectiveness_review": T.both(rng.choice(T.REVIEWS))})
        if outcome == "reopened":
            on = max(on + timedelta(days=rng.randint(60, 90)), date(2011, 3, 1))
            self.step(
                finding,
                "reopen",
                on,
                self.quality,
                {
                    "comment": "2011年复查发现同类问题再次出现，整改无效，重新整改。\n"
                    "A 2011 re-check found the same problem again: ineffective, reopened."
                },
            )
            # Rectified again, and this time it held.
            self.plan(finding, on + timedelta(days=10))
            self.step(
                finding,
                "accept_plan",
                on + timedelta(days=15),
                verifier,
                {"comment": "整改计划可行。\nThe plan is adequate."},
            )
            self.evidence(finding, on + timedelta(days=40))
            self.step(
                finding,
                "close",
                on + timedelta(days=50),
                self.quality,
                {"effectiveness_review": T.both(rng.choice(T.REVIEWS))},
            )

    def outcomes(self) -> None:
        """The campaign's end: every finding closed (one reopened in 2011 and closed again), a few
        cancelled as duplicates."""
        rng = self.rng
        findings = list(self.findings)
        plan: dict[int, str] = {}
        later = [f for f in findings if f.audit.kind != AuditKind.FLIGHT_CHECK]
        for finding in rng.sample(later, min(CANCELLED, max(len(later) - 1, 0))):
            plan[id(finding)] = "cancelled"
        rest = [f for f in findings if id(f) not in plan and f.raised_on < date(2010, 9, 1)]
        if rest:
            plan[id(rest[0])] = "reopened"
        for finding in findings:
            self.walk(finding, plan.get(id(finding), "closed"))

    # --- the present, dated from the day the demo is loaded ---

    # (kind, days before today the audit ended, days it lasted, status, findings as
    # (severity, area, state to reach)); due dates follow from the severity (major 30, minor 60 days).
    PRESENT = [
        (
            "flight_check",
            75,
            1,
            "completed",
            [
                ("major", "equipment_traceability", "closed"),
                ("minor", "records", "plan_accepted"),  # overdue by two weeks
                ("observation", "reports_certificates", "closed"),
            ],
        ),
        (
            "internal_audit",
            70,
            2,
            "completed",
            [
                ("minor", "qms_operation", "open"),  # overdue by ten days
                ("minor", "records", "closed"),
            ],
        ),
        (
            "flight_check",
            58,
            1,
            "completed",
            [
                ("minor", "quality_control", "plan_accepted"),  # due this week
                ("major", "reports_certificates", "open"),  # overdue by four weeks
            ],
        ),
        (
            "supervision_visit",
            40,
            1,
            "completed",
            [
                ("major", "qms_operation", "evidence_submitted"),  # overdue, waiting for verification
                ("observation", "facilities_environment", "cancelled"),
            ],
        ),
        (
            "self_inspection",
            33,
            5,
            "completed",
            [
                ("major", "qms_documentation", "plan_submitted"),  # overdue by three days
                ("minor", "personnel_training", "evidence_submitted"),
            ],
        ),
        (
            "external_assessment",
            27,
            2,
            "completed",
            [
                ("major", "quality_control", "open"),  # due this week
                ("minor", "sampling_handling", "plan_submitted"),
            ],
        ),
        (
            "flight_check",
            12,
            1,
            "completed",
            [
                ("minor", "equipment_traceability", "plan_submitted"),
                ("major", "records", "plan_accepted"),
            ],
        ),
        ("flight_check", 1, 2, "in_progress", [("observation", "records", "open")]),
        ("flight_check", -9, 1, "planned", []),
    ]
    PRESENT_LABS = [
        "SC-PQI-NC",
        "SC-RL-PZH",
        "SC-TC",
        "SC-MTI-DY",
        "SC-FIB-SN",
        "SC-3P-CDA",
        "SC-SEI",
        "SC-RL-YB",
        "SC-PQI",
    ]

    def present(self) -> None:
        """This year's audits and findings, every date counted back from today."""
        now = today()
        by_code = {lab.code: lab for lab in self.labs}
        for n, (kind, ago, days, status, findings) in enumerate(self.PRESENT):
            lab = by_code.get(self.PRESENT_LABS[n]) or self.labs[(7 * n) % len(self.labs)]
            kind = AuditKind(kind)
            own = kind in (AuditKind.SELF_INSPECTION, AuditKind.INTERNAL_AUDIT)
            recorder = self.manager(lab) if own else None
            # Never back into the campaign: on a day early in 2011 the present starts after it.
            ended = max(now - timedelta(days=ago), CAMPAIGN_TO + timedelta(days=days + 1))
            audit = self.audit(
                lab,
                kind,
                ended - timedelta(days=days),
                days,
                PRESENT_TITLES[kind.value],
                PRESENT_TEAMS[kind.value],
                counts=dict(zip(FLIGHT_TOTALS, (40 + 7 * n, 25 + 3 * n, 60 + 11 * n), strict=True))
                if kind == AuditKind.FLIGHT_CHECK and status != "planned"
                else None,
                lead=recorder,
            )
            audit.status = status
            if status != "completed":
                audit.ended_on = None
            raised_on = min(ended, now)
            made = []
            for severity, area, _goal in findings:
                finding = self.finding(audit, area, severity, raised_by=recorder)
                finding.raised_on = raised_on
                finding.due_on = service.due_date(severity, raised_on)
                made.append(finding)
            self.flush_as(recorder, min(audit.started_on, now))
            for finding, (_s, _a, goal) in zip(made, findings, strict=True):
                self.advance(finding, goal, now)

    def advance(self, finding: Finding, goal: str, now: date) -> None:
        """Take a present finding to `goal`, its steps spread between its raising and yesterday."""
        order = ["open", "plan_submitted", "plan_accepted", "evidence_submitted", "closed"]
        names = ["submit_plan", "accept_plan", "submit_evidence", "close"]
        if goal == "cancelled":
            self.step(finding, "cancel", finding.raised_on + timedelta(days=4), self.quality,
                      {"comment": "与自查发现的问题重复，合并整改。\nDuplicate of a self-inspection finding; rectified together."})  # fmt: skip
            return
        count = order.index(goal)
        span = max((now - finding.raised_on).days - 1, count)
        verifier = self.inspector
        for i, name in enumerate(names[:count]):
            on = finding.raised_on + timedelta(days=max(1, span * (i + 1) // (count + 1)))
            if name == "submit_plan":
                self.plan(finding, on)
            elif name == "accept_plan":
                self.step(finding, name, on, verifier, {"comment": "整改计划可行。\nThe plan is adequate."})
            elif name == "submit_evidence":
                self.evidence(finding, on)
            else:
                self.step(
                    finding, name, on, verifier, {"effectiveness_review": T.both(self.rng.choice(T.REVIEWS))}
                )


PRESENT_TITLES = {
    "flight_check": "认评处飞行检查 / Unannounced flight check",
    "internal_audit": "年度内部审核 / Annual internal audit",
    "supervision_visit": "局领导督查督导 / Supervision visit by bureau leaders",
    "self_inspection": "年度自查自纠 / Annual self-inspection",
    "external_assessment": "CNAS监督评审 / CNAS surveillance assessment",
}
PRESENT_TEAMS = {
    "flight_check": "认评处 3人 / three staff of the accreditation division",
    "internal_audit": "内审员 / internal auditors",
    "supervision_visit": "分管副局长、质量管理部 / deputy director in charge, quality department",
    "self_inspection": "质量负责人、内审员 / quality manager, internal auditors",
    "external_assessment": "CNAS评审员 2名 / two CNAS assessors",
}


# Steps by name and the state they start from (cancel has one row per state).
STEPS_BY_SOURCE = {(t.name, t.source): t for t in workflow.TRANSITIONS}


def _pdf(label: str) -> bytes:
    """A small, valid one-page PDF naming the finding (deterministic bytes)."""
    text = f"Rectification evidence for finding {label}".encode("ascii", "replace")
    stream = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def load(labs: dict[str, Lab]) -> str:
    """Load the campaign (once: nothing happens if audits exist) and summarise its figures."""
    if db.session.scalar(select(Audit.id).limit(1)) is not None:
        return "audits already present; nothing added"
    if not labs:
        return "no laboratories; nothing added"
    campaign = _Campaign(labs)
    try:
        campaign.build()
        campaign.outcomes()
        campaign.present()
        db.session.flush()
    finally:
        set_time(db.session, None)
    return summary()


def summary() -> str:
    """One line: the 2010 campaign's audits and what they reviewed, then this year's work and the
    rectification figures of today (the dashboard's own computation)."""
    in_2010 = Audit.started_on.between(CAMPAIGN_FROM, CAMPAIGN_TO)
    audits = db.session.scalar(select(func.count()).select_from(Audit).where(in_2010))
    reviewed = db.session.execute(
        select(
            func.sum(Audit.documents_reviewed),
            func.sum(Audit.instruments_checked),
            func.sum(Audit.reports_sampled),
        ).where(Audit.kind == AuditKind.FLIGHT_CHECK, in_2010)
    ).one()
    visited = db.session.execute(
        select(func.count(func.distinct(Audit.lab_id)), func.count(func.distinct(Lab.region)))
        .join(Lab, Audit.lab_id == Lab.id)
        .where(Audit.kind.in_([AuditKind.SUPERVISION_VISIT, AuditKind.UNDERCOVER_VISIT]), in_2010)
    ).one()
    now = today()
    raised = db.session.scalar(select(func.count()).select_from(Finding).where(Finding.audit_id.isnot(None)))
    this_year = db.session.scalar(
        select(func.count()).select_from(Audit).where(Audit.started_on >= date(now.year, 1, 1))
    )
    return (
        f"2010 campaign: {audits} audits (flight checks reviewed {reviewed[0] or 0:,} documents and records, "
        f"{reviewed[1] or 0:,} instruments, {reviewed[2] or 0:,} reports; visits to {visited[0]} institutions "
        f"in {visited[1]} prefectures); this year: {this_year} audits; {raised} findings raised in audits "
        "(rectification figures: the last line, as the dashboard shows them)"
    )


def rectification_line(on: date | None = None) -> str:
    """Findings, closure rate and overdue as the dashboard shows them (figures.totals, same day)."""
    totals = figures.totals(on or today())
    rate = f"{100 * totals['closure_rate']:.1f}%" if totals["closure_rate"] is not None else "-"
    return (
        f"{totals['total']} findings, {totals['closed']} closed (closure rate {rate}), "
        f"{totals['overdue']} overdue today, {totals['cancelled']} cancelled"
    )
