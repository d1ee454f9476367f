"""Controlled documents and their revisions, questionnaires and survey campaigns with their
answers, complaints, and the documents a finding's rectification revised."""

from datetime import date, datetime
from enum import StrEnum

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from labtrack.extensions import db
from labtrack.history.tracking import Tracked
from labtrack.models_base import today, utcnow
from labtrack.records.workflow import ComplaintStatus, DocumentStatus, RevisionStatus


def _chinese() -> bool:
    try:
        return str(get_locale() or "en").startswith("zh")
    except (RuntimeError, AttributeError):  # outside a request (CLI): English
        return False


def in_locale(zh: str | None, en: str | None) -> str:
    """The text in the reader's language, falling back to the other one."""
    return (zh or en or "") if _chinese() else (en or zh or "")


# --- controlled documents --------------------------------------------------------------------


class DocumentKind(StrEnum):
    """What sort of controlled document (受控文件) it is."""

    QUALITY_MANUAL = "quality_manual"
    PROCEDURE = "procedure"
    WORK_INSTRUCTION = "work_instruction"
    FORM = "form"
    MANAGEMENT_RULE = "management_rule"


DOCUMENT_KIND_LABELS = {
    DocumentKind.QUALITY_MANUAL: _l("Quality manual"),
    DocumentKind.PROCEDURE: _l("Procedure"),
    DocumentKind.WORK_INSTRUCTION: _l("Work instruction"),
    DocumentKind.FORM: _l("Form"),
    DocumentKind.MANAGEMENT_RULE: _l("Management rule"),
}


class DocumentSubject(StrEnum):
    """What a document is about; work instructions of several subjects are "kinds" of them."""

    MANAGEMENT = "management"
    TEST_METHOD = "test_method"
    SAMPLING = "sampling"
    EQUIPMENT = "equipment"
    CALIBRATION = "calibration"
    SAMPLE_HANDLING = "sample_handling"
    QUALITY_CONTROL = "quality_control"
    REPORTING = "reporting"


DOCUMENT_SUBJECT_LABELS = {
    DocumentSubject.MANAGEMENT: _l("Management"),
    DocumentSubject.TEST_METHOD: _l("Test methods"),
    DocumentSubject.SAMPLING: _l("Sampling"),
    DocumentSubject.EQUIPMENT: _l("Equipment operation"),
    DocumentSubject.CALIBRATION: _l("Calibration"),
    DocumentSubject.SAMPLE_HANDLING: _l("Sample handling"),
    DocumentSubject.QUALITY_CONTROL: _l("Quality control"),
    DocumentSubject.REPORTING: _l("Reports and records"),
}

DOCUMENT_STATUS_LABELS = {
    DocumentStatus.DRAFT: _l("Not yet issued"),
    DocumentStatus.EFFECTIVE: _l("In force"),
    DocumentStatus.OBSOLETE: _l("No longer in force"),
}

REVISION_STATUS_LABELS = {
    RevisionStatus.DRAFT: _l("Draft"),
    RevisionStatus.IN_REVIEW: _l("In review"),
    RevisionStatus.EFFECTIVE: _l("Effective"),
    RevisionStatus.SUPERSEDED: _l("Superseded"),
    RevisionStatus.OBSOLETE: _l("Obsolete"),
}


class Document(Tracked, db.Model):
    """A controlled document of a laboratory (or of the bureau when `lab_id` is empty)."""

    __tablename__ = "controlled_documents"
    __history_exclude__ = ("code_key",)

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int | None] = mapped_column(ForeignKey("labs.id"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(String(32), index=True)
    subject: Mapped[DocumentSubject | None] = mapped_column(String(32))
    code: Mapped[str] = mapped_column(String(32))
    # "<owner>/<code as compared>": codes are unique within a lab (or the bureau), in every script.
    code_key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[DocumentStatus] = mapped_column(String(16), default=DocumentStatus.DRAFT, index=True)
    review_interval_months: Mapped[int] = mapped_column(default=12)
    issued_on: Mapped[date | None] = mapped_column(index=True)  # its first revision took effect
    last_reviewed_on: Mapped[date | None]
    review_due_on: Mapped[date | None] = mapped_column(index=True)
    withdrawn_on: Mapped[date | None] = mapped_column(index=True)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lab: Mapped["Lab | None"] = relationship()  # noqa: F821
    created_by: Mapped["User | None"] = relationship()  # noqa: F821
    revisions: Mapped[list["DocumentRevision"]] = relationship(
        back_populates="document", order_by="DocumentRevision.number"
    )

    @property
    def effective_revision(self) -> "DocumentRevision | None":
        """The one effective revision: the one shown wherever the document is shown."""
        return next((r for r in self.revisions if r.status == RevisionStatus.EFFECTIVE), None)

    @property
    def pending_revision(self) -> "DocumentRevision | None":
        """The draft or the revision in review, if one is being prepared."""
        return next(
            (r for r in self.revisions if r.status in (RevisionStatus.DRAFT, RevisionStatus.IN_REVIEW)), None
        )

    def in_force_on(self, on: date) -> "DocumentRevision | None":
        """The revision that applied on a day (an approved revision may take effect later)."""
        for r in reversed(self.revisions):
            if (
                r.effective_on is not None
                and r.effective_on <= on
                and r.status in (RevisionStatus.EFFECTIVE, RevisionStatus.SUPERSEDED, RevisionStatus.OBSOLETE)
                and (r.ended_on is None or r.ended_on > on)
            ):
                return r
        return None

    @property
    def display_title(self) -> str:
        """The title in the reader's language."""
        return in_locale(self.title, self.title_en)

    @property
    def owner_code(self) -> str | None:
        """The lab's code, or None for the bureau's own documents."""
        return self.lab.code if self.lab is not None else None

    @property
    def kind_label(self) -> str:
        """The kind in the user's language."""
        return str(DOCUMENT_KIND_LABELS.get(self.kind, self.kind))

    @property
    def subject_label(self) -> str:
        """The subject in the user's language."""
        return str(DOCUMENT_SUBJECT_LABELS.get(self.subject, self.subject or ""))

    @property
    def status_label(self) -> str:
        """The status in the user's language."""
        return str(DOCUMENT_STATUS_LABELS.get(self.status, self.status))

    @property
    def review_overdue(self) -> bool:
        """In force and past its review date."""
        return (
            self.status == DocumentStatus.EFFECTIVE
            and self.review_due_on is not None
            and self.review_due_on < today()
        )

    def __repr__(self) -> str:
        return f"<Document {self.code}>"


class DocumentRevision(Tracked, db.Model):
    """One revision (edition) of a controlled document, with its file; every revision is kept."""

    __story_day__ = "effective_on"

    __tablename__ = "document_revisions"
    __table_args__ = (
        UniqueConstraint("document_id", "number", name="uq_document_revisions_document_id_number"),
        UniqueConstraint("document_id", "label", name="uq_document_revisions_document_id_label"),
        # At most one effective revision per document, whatever the application does.
        Index(
            "uq_document_revisions_one_effective",
            "document_id",
            unique=True,
            sqlite_where=text("status = 'effective'"),
            postgresql_where=text("status = 'effective'"),
        ),
    )
    __history_exclude__ = ("version",)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("controlled_documents.id"), index=True)
    number: Mapped[int]  # 1, 2, 3 … in the order the revisions were started
    label: Mapped[str] = mapped_column(String(16))  # what the lab calls it: "A/0", "第2版"
    status: Mapped[RevisionStatus] = mapped_column(String(16), default=RevisionStatus.DRAFT, index=True)
    change_note: Mapped[str | None] = mapped_column(Text)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(200))
    file_size: Mapped[int | None]
    file_kind: Mapped[str | None] = mapped_column(String(16))
    content_type: Mapped[str | None] = mapped_column(String(120))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]  # signed with the approver's password
    effective_on: Mapped[date | None] = mapped_column(index=True)
    first_issue: Mapped[bool] = mapped_column(default=False)  # the document's first effective revision
    ended_on: Mapped[date | None]  # superseded or withdrawn from this day
    last_comment: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    document: Mapped[Document] = relationship(back_populates="revisions")
    author: Mapped["User | None"] = relationship(foreign_keys=[author_id])  # noqa: F821
    approved_by: Mapped["User | None"] = relationship(foreign_keys=[approved_by_id])  # noqa: F821

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        """The status in the user's language."""
        return str(REVISION_STATUS_LABELS.get(self.status, self.status))

    @property
    def has_file(self) -> bool:
        """Whether a file is attached."""
        return bool(self.file_sha256)

    def __repr__(self) -> str:
        return f"<DocumentRevision {self.document_id} {self.label} {self.status}>"


class FindingDocument(Tracked, db.Model):
    """A document revision that a finding's rectification plan revises (shown at its closure)."""

    __tablename__ = "finding_documents"
    __table_args__ = (
        UniqueConstraint("finding_id", "revision_id", name="uq_finding_documents_finding_id_revision_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("document_revisions.id"), index=True)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)

    revision: Mapped[DocumentRevision] = relationship()


# --- surveys ---------------------------------------------------------------------------------


class QuestionKind(StrEnum):
    """A question answered on a numeric scale, or by picking one of its choices."""

    SCALE = "scale"
    CHOICE = "choice"


QUESTION_KIND_LABELS = {QuestionKind.SCALE: _l("Scale"), QuestionKind.CHOICE: _l("Choice")}


class Audience(StrEnum):
    """Who a survey asks: people inside the inspection system, or outside it (customers, firms)."""

    INSIDE = "inside"
    OUTSIDE = "outside"


AUDIENCE_LABELS = {Audience.INSIDE: _l("Inside the system"), Audience.OUTSIDE: _l("Outside the system")}


class ResponseSource(StrEnum):
    """How a returned questionnaire reached labtrack."""

    ENTERED = "entered"
    IMPORTED = "imported"


class Questionnaire(Tracked, db.Model):
    """A questionnaire (问卷): its questions, in Chinese and English."""

    __tablename__ = "questionnaires"
    __history_exclude__ = ("code_key",)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    code_key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    introduction: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    questions: Mapped[list["Question"]] = relationship(
        back_populates="questionnaire", order_by="Question.position"
    )
    surveys: Mapped[list["Survey"]] = relationship(back_populates="questionnaire")

    @property
    def display_title(self) -> str:
        """The title in the reader's language."""
        return in_locale(self.title, self.title_en)


class Question(Tracked, db.Model):
    """One question: on a scale from `scale_min` to `scale_max`, or with choices."""

    __tablename__ = "survey_questions"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "key", name="uq_survey_questions_questionnaire_id_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"), index=True)
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(16))  # the column of the import file: Q1, Q2 …
    kind: Mapped[QuestionKind] = mapped_column(String(16))
    text_zh: Mapped[str] = mapped_column(String(500))
    text_en: Mapped[str] = mapped_column(String(500))
    scale_min: Mapped[int | None]
    scale_max: Mapped[int | None]
    low_label_zh: Mapped[str | None] = mapped_column(String(60))
    low_label_en: Mapped[str | None] = mapped_column(String(60))
    high_label_zh: Mapped[str | None] = mapped_column(String(60))
    high_label_en: Mapped[str | None] = mapped_column(String(60))

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="questions")
    choices: Mapped[list["Choice"]] = relationship(back_populates="question", order_by="Choice.position")

    @property
    def text(self) -> str:
        """The question in the reader's language."""
        return in_locale(self.text_zh, self.text_en)

    @property
    def low_label(self) -> str:
        """What the lowest point of the scale means, in the reader's language."""
        return in_locale(self.low_label_zh, self.low_label_en)

    @property
    def high_label(self) -> str:
        """What the highest point of the scale means, in the reader's language."""
        return in_locale(self.high_label_zh, self.high_label_en)

    @property
    def kind_label(self) -> str:
        """The kind in the user's language."""
        return str(QUESTION_KIND_LABELS.get(self.kind, self.kind))


class Choice(Tracked, db.Model):
    """One of a choice question's answers; `value` is what the import file holds."""

    __tablename__ = "survey_choices"
    __table_args__ = (UniqueConstraint("question_id", "value", name="uq_survey_choices_question_id_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id"), index=True)
    position: Mapped[int]
    value: Mapped[str] = mapped_column(String(16))
    label_zh: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))

    question: Mapped[Question] = relationship(back_populates="choices")

    @property
    def label(self) -> str:
        """The answer in the reader's language."""
        return in_locale(self.label_zh, self.label_en)


class Survey(Tracked, db.Model):
    """A questionnaire campaign: who was asked, how many copies were issued, what came back."""

    __story_day__ = "issued_on"

    __tablename__ = "surveys"
    __history_exclude__ = ("code_key",)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    code_key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"), index=True)
    audience: Mapped[Audience] = mapped_column(String(16), index=True)
    audience_note: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(String(80), index=True)  # None: the whole province
    issued_on: Mapped[date] = mapped_column(index=True)
    closes_on: Mapped[date | None]
    copies_issued: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="surveys")

    @property
    def audience_label(self) -> str:
        """The audience in the user's language."""
        return str(AUDIENCE_LABELS.get(self.audience, self.audience))


class SurveyResponse(Tracked, db.Model):
    """One returned questionnaire."""

    __story_day__ = "returned_on"

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("survey_id", "sheet", name="uq_survey_responses_survey_id_sheet"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    sheet: Mapped[str | None] = mapped_column(String(32))  # the number printed on the paper copy
    returned_on: Mapped[date | None]
    source: Mapped[ResponseSource] = mapped_column(String(16))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SurveyAnswer(Tracked, db.Model):
    """One question's answer on one returned questionnaire (a scale value, or a choice)."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id", name="uq_survey_answers_response_id_question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id"), index=True)
    value: Mapped[int | None]
    choice_id: Mapped[int | None] = mapped_column(ForeignKey("survey_choices.id"))


# --- complaints ------------------------------------------------------------------------------


class Channel(StrEnum):
    """How a complaint (投诉) reached the bureau."""

    HOTLINE = "hotline"
    LETTER = "letter"
    ONLINE = "online"
    REFERRAL = "referral"


CHANNEL_LABELS = {
    Channel.HOTLINE: _l("Hotline"),
    Channel.LETTER: _l("Letter"),
    Channel.ONLINE: _l("Online"),
    Channel.REFERRAL: _l("Referral"),
}


class Outcome(StrEnum):
    """What the investigation concluded."""

    SUBSTANTIATED = "substantiated"
    PARTLY_SUBSTANTIATED = "partly_substantiated"
    UNSUBSTANTIATED = "unsubstantiated"
    OUTSIDE_REMIT = "outside_remit"


OUTCOME_LABELS = {
    Outcome.SUBSTANTIATED: _l("Substantiated"),
    Outcome.PARTLY_SUBSTANTIATED: _l("Partly substantiated"),
    Outcome.UNSUBSTANTIATED: _l("Not substantiated"),
    Outcome.OUTSIDE_REMIT: _l("Outside the bureau's remit"),
}
# Outcomes that may warrant a finding against the lab.
WARRANTING = frozenset({Outcome.SUBSTANTIATED, Outcome.PARTLY_SUBSTANTIATED})

COMPLAINT_STATUS_LABELS = {
    ComplaintStatus.RECEIVED: _l("Received"),
    ComplaintStatus.ACKNOWLEDGED: _l("Acknowledged"),
    ComplaintStatus.INVESTIGATED: _l("Investigated"),
    ComplaintStatus.ANSWERED: _l("Answered"),
}


class Complaint(Tracked, db.Model):
    """A complaint about a laboratory, from its receipt to the feedback given to the complainant."""

    __story_day__ = "received_on"

    __tablename__ = "complaints"
    __history_exclude__ = ("version",)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    channel: Mapped[Channel] = mapped_column(String(16), index=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id"), index=True)
    received_on: Mapped[date] = mapped_column(index=True)
    complainant_name: Mapped[str | None] = mapped_column(String(120))
    complainant_contact: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[ComplaintStatus] = mapped_column(String(16), default=ComplaintStatus.RECEIVED, index=True)
    acknowledged_on: Mapped[date | None]
    investigated_on: Mapped[date | None]
    investigation: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[Outcome | None] = mapped_column(String(24), index=True)
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audits.id"), index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"), index=True)
    feedback_on: Mapped[date | None] = mapped_column(index=True)
    feedback: Mapped[str | None] = mapped_column(Text)
    last_comment: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    lab: Mapped["Lab"] = relationship()  # noqa: F821
    audit: Mapped["Audit | None"] = relationship()  # noqa: F821
    finding: Mapped["Finding | None"] = relationship()  # noqa: F821

    __mapper_args__ = {"version_id_col": version}

    @property
    def channel_label(self) -> str:
        """The channel in the user's language."""
        return str(CHANNEL_LABELS.get(self.channel, self.channel))

    @property
    def status_label(self) -> str:
        """The status in the user's language."""
        return str(COMPLAINT_STATUS_LABELS.get(self.status, self.status))

    @property
    def outcome_label(self) -> str:
        """The outcome in the user's language."""
        return str(OUTCOME_LABELS.get(self.outcome, self.outcome or ""))

    @property
    def days_to_feedback(self) -> int | None:
        """Days from receipt to the feedback given (None until answered)."""
        return (self.feedback_on - self.received_on).days if self.feedback_on else None

    def __repr__(self) -> str:
        return f"<Complaint {self.reference} {self.status}>"
