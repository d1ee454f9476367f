"""Audits, their findings with the corrective action (整改) of each, and evidence files."""

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from labtrack.audits.clauses import CLAUSES, clause_label
from labtrack.audits.workflow import State, is_overdue
from labtrack.extensions import db
from labtrack.history.tracking import Tracked
from labtrack.models_base import today, utcnow


class AuditKind(StrEnum):
    """The six kinds of audit DESIGN names."""

    FLIGHT_CHECK = "flight_check"
    SELF_INSPECTION = "self_inspection"
    EXTERNAL_ASSESSMENT = "external_assessment"
    SUPERVISION_VISIT = "supervision_visit"
    UNDERCOVER_VISIT = "undercover_visit"
    INTERNAL_AUDIT = "internal_audit"


AUDIT_KIND_LABELS = {
    AuditKind.FLIGHT_CHECK: _l("Flight check"),
    AuditKind.SELF_INSPECTION: _l("Self-inspection"),
    AuditKind.EXTERNAL_ASSESSMENT: _l("External assessment"),
    AuditKind.SUPERVISION_VISIT: _l("Supervision visit"),
    AuditKind.UNDERCOVER_VISIT: _l("Undercover visit"),
    AuditKind.INTERNAL_AUDIT: _l("Internal audit"),
}
# Reference prefixes: FC-2010-003 and so on.
AUDIT_KIND_PREFIX = {
    AuditKind.FLIGHT_CHECK: "FC",
    AuditKind.SELF_INSPECTION: "SI",
    AuditKind.EXTERNAL_ASSESSMENT: "EA",
    AuditKind.SUPERVISION_VISIT: "SV",
    AuditKind.UNDERCOVER_VISIT: "UV",
    AuditKind.INTERNAL_AUDIT: "IA",
}


class AuditStatus(StrEnum):
    """Where an audit stands."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


AUDIT_STATUS_LABELS = {
    AuditStatus.PLANNED: _l("Planned"),
    AuditStatus.IN_PROGRESS: _l("In progress"),
    AuditStatus.COMPLETED: _l("Completed"),
}


class Severity(StrEnum):
    """How serious a finding is; decides its default deadline."""

    MAJOR = "major"
    MINOR = "minor"
    OBSERVATION = "observation"


SEVERITY_LABELS = {
    Severity.MAJOR: _l("Major"),
    Severity.MINOR: _l("Minor"),
    Severity.OBSERVATION: _l("Observation"),
}


class Area(StrEnum):
    """The ten areas of a laboratory's work a finding belongs to."""

    QMS_DOCUMENTATION = "qms_documentation"
    QMS_OPERATION = "qms_operation"
    PERSONNEL_TRAINING = "personnel_training"
    QUALITY_CONTROL = "quality_control"
    EQUIPMENT_TRACEABILITY = "equipment_traceability"
    RECORDS = "records"
    REPORTS_CERTIFICATES = "reports_certificates"
    FACILITIES_ENVIRONMENT = "facilities_environment"
    SAMPLING_HANDLING = "sampling_handling"
    IMPARTIALITY_CONDUCT = "impartiality_conduct"


AREA_LABELS = {
    Area.QMS_DOCUMENTATION: _l("QMS documentation"),
    Area.QMS_OPERATION: _l("QMS operation"),
    Area.PERSONNEL_TRAINING: _l("Personnel and training"),
    Area.QUALITY_CONTROL: _l("Quality control"),
    Area.EQUIPMENT_TRACEABILITY: _l("Equipment and traceability"),
    Area.RECORDS: _l("Records"),
    Area.REPORTS_CERTIFICATES: _l("Reports and certificates"),
    Area.FACILITIES_ENVIRONMENT: _l("Facilities and environment"),
    Area.SAMPLING_HANDLING: _l("Sampling and sample handling"),
    Area.IMPARTIALITY_CONDUCT: _l("Impartiality and conduct"),
}


class FindingSource(StrEnum):
    """Where a finding was raised: in an audit, or by a comparison round's results."""

    AUDIT = "audit"
    ROUND = "round"


class RootCauseMethod(StrEnum):
    """How the lab found the root cause."""

    FIVE_WHYS = "five_whys"
    FISHBONE = "fishbone"
    OTHER = "other"


ROOT_CAUSE_METHOD_LABELS = {
    RootCauseMethod.FIVE_WHYS: _l("5 whys"),
    RootCauseMethod.FISHBONE: _l("Fishbone (Ishikawa) diagram"),
    RootCauseMethod.OTHER: _l("Other"),
}

STATUS_LABELS = {
    State.OPEN: _l("Open"),
    State.PLAN_SUBMITTED: _l("Plan submitted"),
    State.PLAN_ACCEPTED: _l("Plan accepted"),
    State.EVIDENCE_SUBMITTED: _l("Evidence submitted"),
    State.CLOSED: _l("Closed"),
    State.CANCELLED: _l("Cancelled"),
}


class Audit(Tracked, db.Model):
    """One audit of one lab: a flight check, a self-inspection, a visit…"""

    __tablename__ = "audits"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id"), index=True)
    kind: Mapped[AuditKind] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(200))
    started_on: Mapped[date] = mapped_column(index=True)
    ended_on: Mapped[date | None]
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    team: Mapped[str | None] = mapped_column(String(500))
    documents_reviewed: Mapped[int] = mapped_column(default=0)  # system documents and raw records
    instruments_checked: Mapped[int] = mapped_column(default=0)
    reports_sampled: Mapped[int] = mapped_column(default=0)  # reports and certificates
    status: Mapped[AuditStatus] = mapped_column(String(20), default=AuditStatus.PLANNED, index=True)
    summary: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lab: Mapped["Lab"] = relationship()  # noqa: F821
    lead: Mapped["User | None"] = relationship()  # noqa: F821
    findings: Mapped[list["Finding"]] = relationship(back_populates="audit", order_by="Finding.number")

    @property
    def kind_label(self) -> str:
        """The kind in the user's language."""
        return str(AUDIT_KIND_LABELS.get(self.kind, self.kind))

    @property
    def status_label(self) -> str:
        """The status in the user's language."""
        return str(AUDIT_STATUS_LABELS.get(self.status, self.status))

    @property
    def findings_count(self) -> int:
        """How many findings the audit raised."""
        return len(self.findings)

    def __repr__(self) -> str:
        return f"<Audit {self.reference}>"


class Finding(Tracked, db.Model):
    """A nonconformity (不符合项) and its corrective action (整改), one per finding."""

    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("audit_id", "number", name="uq_findings_audit_id_number"),
        UniqueConstraint("source_ref", "number", name="uq_findings_source_ref_number"),
    )
    # The version is bumped by every save; history shows the fields that matter instead.
    __history_exclude__ = ("version",)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audits.id"), index=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id"), index=True)
    number: Mapped[int]
    source: Mapped[FindingSource] = mapped_column(String(10), default=FindingSource.AUDIT)
    source_ref: Mapped[str | None] = mapped_column(String(64), index=True)  # round code
    severity: Mapped[Severity] = mapped_column(String(16), index=True)
    area: Mapped[Area] = mapped_column(String(32), index=True)
    clause: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    raised_on: Mapped[date] = mapped_column(default=today, index=True)
    due_on: Mapped[date] = mapped_column(index=True)
    status: Mapped[State] = mapped_column(String(24), default=State.OPEN, index=True)
    version: Mapped[int] = mapped_column(default=1)

    # The corrective action (ISO/IEC 17025:2017 clause 8.7).
    correction: Mapped[str | None] = mapped_column(Text)
    root_cause: Mapped[str | None] = mapped_column(Text)
    root_cause_method: Mapped[str | None] = mapped_column(String(16))
    occurs_elsewhere: Mapped[str | None] = mapped_column(Text)
    corrective_action: Mapped[str | None] = mapped_column(Text)
    action_owner: Mapped[str | None] = mapped_column(String(120))
    action_target_on: Mapped[date | None]
    plan_submitted_on: Mapped[date | None]
    plan_accepted_on: Mapped[date | None]
    evidence_text: Mapped[str | None] = mapped_column(Text)
    evidence_submitted_on: Mapped[date | None]
    effectiveness_review: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(index=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime | None]  # when the verifier confirmed closure with their password
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_on: Mapped[date | None]
    reopened_count: Mapped[int] = mapped_column(default=0)
    last_comment: Mapped[str | None] = mapped_column(Text)

    audit: Mapped[Audit | None] = relationship(back_populates="findings")
    lab: Mapped["Lab"] = relationship()  # noqa: F821
    raised_by: Mapped["User | None"] = relationship(foreign_keys=[raised_by_id])  # noqa: F821
    closed_by: Mapped["User | None"] = relationship(foreign_keys=[closed_by_id])  # noqa: F821
    files: Mapped[list["EvidenceFile"]] = relationship(
        back_populates="finding", order_by="EvidenceFile.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def label(self) -> str:
        """'FC-2010-003 #2' or 'PT-2010-01 #1': how people name a finding."""
        prefix = self.audit.reference if self.audit is not None else (self.source_ref or "")
        return f"{prefix} #{self.number}"

    @property
    def is_overdue(self) -> bool:
        """Past its due date and neither closed nor cancelled."""
        return is_overdue(self.status, self.due_on, today())

    @property
    def days_overdue(self) -> int:
        """Days past the due date (0 when not overdue)."""
        return (today() - self.due_on).days if self.is_overdue else 0

    @property
    def status_label(self) -> str:
        """The status in the user's language."""
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def severity_label(self) -> str:
        """The severity in the user's language."""
        return str(SEVERITY_LABELS.get(self.severity, self.severity))

    @property
    def area_label(self) -> str:
        """The area in the user's language."""
        return str(AREA_LABELS.get(self.area, self.area))

    @property
    def clause_label(self) -> str:
        """The clause number and title."""
        return clause_label(self.clause)

    @property
    def clause_title(self) -> str:
        """The clause's title in the user's language (empty for an unknown clause)."""
        return str(CLAUSES.get(self.clause, ""))

    @property
    def root_cause_method_label(self) -> str:
        """The root-cause method in the user's language."""
        if not self.root_cause_method:
            return ""
        return str(ROOT_CAUSE_METHOD_LABELS.get(self.root_cause_method, self.root_cause_method))

    def __repr__(self) -> str:
        return f"<Finding {self.id} {self.status}>"


class EvidenceFile(Tracked, db.Model):
    """A file attached to a finding, stored under UPLOAD_FOLDER by its SHA-256."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))  # pdf, png, jpeg, gif, webp, docx, xlsx, ...
    content_type: Mapped[str] = mapped_column(String(120))
    stage: Mapped[str] = mapped_column(String(24))  # the finding's status when it was attached
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    finding: Mapped[Finding] = relationship(back_populates="files")
    uploaded_by: Mapped["User | None"] = relationship()  # noqa: F821
