"""The demo's 2010 rectification campaign: audits of every kind, findings, and their rectification.

Reproduces the field notes: flight checks that together reviewed 1,000 system documents and raw
records, 800 instruments and 2,000 reports and certificates; self-inspections finding 150+
deficiencies, mostly in QMS documentation, QMS operation, personnel training and quality control;
supervision and undercover visits to 43 institutions in 21 prefectures. A lab's self-inspection and
internal audit are its own work: each lab's manager (`manager-<code>`) records them, leads them and
raises their findings (the history names them); the bureau's inspector records the rest. Most findings were closed
after check and acceptance; some wait at every intermediate step, some are overdue, one was
cancelled and one reopened. Written against whatever labs it is given.
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
from labtrack.labs.models import Lab
from labtrack.services import act_as

SEED = 2010
FLIGHT_TOTALS = {"documents_reviewed": 1000, "instruments_checked": 800, "reports_sampled": 2000}
SELF_INSPECTION_FINDINGS = 156
FOUR_AREAS = ["qms_documentation", "qms_operation", "personnel_training", "quality_control"]
OTHER_AREAS = [a for a in T.FINDINGS if a not in FOUR_AREAS]
VISITED = 43
STEPS = {t.name: t for t in workflow.TRANSITIONS}
LATE = date(2010, 11, 1)  # findings raised from here on are still being rectified


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
        audit.findings.append(finding)
        self.findings.append(finding)
        return finding

    def flush_as(self, actor) -> None:
        """Write what was added, with history rows naming `actor` (None: the demo loader itself)."""
        act_as(actor, "demo data")
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
            self.flush_as(manager)
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
        self.flush_as(None)
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
            self.flush_as(manager)
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
        for n, lab in enumerate(visited):
            audit = self.audit(
                lab,
                AuditKind.UNDERCOVER_VISIT,
                _day(rng, date(2010, 10, 8), date(2010, 11, 26)),
                0,
                f"暗查暗访第{n % 3 + 1}组 / Undercover visit, group {n % 3 + 1}",
                "副局长、义务质量监督员 / deputy director, volunteer quality supervisors",
                summary="政务服务、质量效率、纪律作风、检测工作四个方面；结果向被访单位公开通报。\n"
                "Government service, quality and efficiency, discipline and conduct, testing work; "
                "results shown to the institution.",
            )
            if rng.random() < 0.4:
                self.finding(
                    audit,
                    rng.choice(["impartiality_conduct", "impartiality_conduct", "facilities_environment"]),
                )
        self.flush_as(None)

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
        act_as(actor, f"{name}: {values['comment']}" if values.get("comment") else name)
        at = datetime.combine(on, time(16, 30))
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
            on += timedelta(days=rng.randint(60, 90))
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

    def outcomes(self) -> None:
        rng = self.rng
        early = [f for f in self.findings if f.raised_on < LATE]
        late = [f for f in self.findings if f.raised_on >= LATE]
        plan: dict[int, str] = {}
        cycle = ["open", "plan_submitted", "plan_accepted", "evidence_submitted", "closed", "closed"]
        for i, finding in enumerate(late):
            plan[id(finding)] = cycle[i % len(cycle)]
        # A few spring findings still stuck (overdue) at each intermediate step.
        stuck = rng.sample(early, min(len(early), 8)) if len(early) > 10 else []
        for i, finding in enumerate(stuck):
            plan[id(finding)] = ["open", "plan_submitted", "plan_accepted", "evidence_submitted"][i % 4]
        rest = [f for f in early if id(f) not in plan]
        if len(rest) >= 2:
            plan[id(rest[0])] = "cancelled"
            plan[id(rest[1])] = "reopened"
        for finding in self.findings:
            self.walk(finding, plan.get(id(finding), "closed"))


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
    campaign.build()
    campaign.outcomes()
    db.session.flush()
    return summary()


def summary() -> str:
    """One line: audits, what flight checks reviewed, findings, closure rate, overdue today."""
    audits = db.session.scalar(select(func.count()).select_from(Audit))
    reviewed = db.session.execute(
        select(
            func.sum(Audit.documents_reviewed),
            func.sum(Audit.instruments_checked),
            func.sum(Audit.reports_sampled),
        ).where(Audit.kind == AuditKind.FLIGHT_CHECK)
    ).one()
    visited = db.session.execute(
        select(func.count(func.distinct(Audit.lab_id)), func.count(func.distinct(Lab.region)))
        .join(Lab, Audit.lab_id == Lab.id)
        .where(Audit.kind.in_([AuditKind.SUPERVISION_VISIT, AuditKind.UNDERCOVER_VISIT]))
    ).one()
    totals = figures.totals()
    rate = f"{100 * totals['closure_rate']:.1f}%" if totals["closure_rate"] is not None else "-"
    return (
        f"{audits} audits (flight checks reviewed {reviewed[0] or 0:,} documents and records, "
        f"{reviewed[1] or 0:,} instruments, {reviewed[2] or 0:,} reports; visits to {visited[0]} institutions "
        f"in {visited[1]} prefectures); {totals['total']} findings, {totals['closed']} closed "
        f"(closure rate {rate}), {totals['overdue']} overdue today, {totals['cancelled']} cancelled"
    )
