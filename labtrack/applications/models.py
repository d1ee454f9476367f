"""Applications with their items, assessment team, clocks and steps; the working calendar."""

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from labtrack.applications.values import (
    DAY_KIND_LABELS,
    DECISION_LABELS,
    KIND_LABELS,
    OUTCOME_LABELS,
    STATUS_LABELS,
    STEP_LABELS,
    DayKind,
    Decision,
    Kind,
    Outcome,
    Status,
    Step,
)
from labtrack.extensions import db
from labtrack.history.tracking import Tracked
from labtrack.models_base import utcnow


class Application(Tracked, db.Model):
    """A laboratory's application for qualification (资质认定申请) and what became of it."""

    __tablename__ = "applications"
    __history_exclude__ = ("version", "updated_at")

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id"), index=True)
    kind: Mapped[Kind] = mapped_column(String(16), index=True)
    status: Mapped[Status] = mapped_column(String(16), default=Status.DRAFT, index=True)
    title: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Submission and acceptance (a returned application may be submitted again).
    first_submitted_on: Mapped[date | None] = mapped_column(index=True)
    submitted_on: Mapped[date | None]
    accepted_on: Mapped[date | None]
    returned_on: Mapped[date | None]
    return_reasons: Mapped[str | None] = mapped_column(Text)
    returns: Mapped[int] = mapped_column(default=0)
    # Review and assessment (an audit of kind external_assessment of the audits area).
    review_started_on: Mapped[date | None]
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audits.id"), unique=True)
    assessed_on: Mapped[date | None]  # the assessment's report is in
    ready_on: Mapped[date | None]  # assessment complete and its findings closed: ready for decision
    # Decision, signed with the decider's password.
    decided_on: Mapped[date | None] = mapped_column(index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[Decision | None] = mapped_column(String(16))
    decision_note: Mapped[str | None] = mapped_column(Text)
    signed_at: Mapped[datetime | None]
    # Certificate issued, renewed or its annex re-issued.
    certified_on: Mapped[date | None]
    qualification_id: Mapped[int | None] = mapped_column(ForeignKey("qualifications.id"), index=True)
    certificate_no: Mapped[str | None] = mapped_column(String(64))
    certificate_expires_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)

    lab: Mapped["Lab"] = relationship()  # noqa: F821
    audit: Mapped["Audit | None"] = relationship()  # noqa: F821
    qualification: Mapped["Qualification | None"] = relationship()  # noqa: F821
    created_by: Mapped["User | None"] = relationship(foreign_keys=[created_by_id])  # noqa: F821
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])  # noqa: F821
    items: Mapped[list["ApplicationItem"]] = relationship(
        back_populates="application", order_by="ApplicationItem.position", cascade="all, delete-orphan"
    )
    assessors: Mapped[list["Assessor"]] = relationship(
        back_populates="application", order_by="Assessor.id", cascade="all, delete-orphan"
    )
    clocks: Mapped[list["Clock"]] = relationship(
        back_populates="application", order_by="Clock.id", cascade="all, delete-orphan"
    )
    steps: Mapped[list["ApplicationStep"]] = relationship(
        back_populates="application", order_by="ApplicationStep.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def kind_label(self) -> str:
        """The kind in the reader's language."""
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def status_label(self) -> str:
        """The status in the reader's language."""
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def decision_label(self) -> str:
        """The decision in the reader's language (empty before it)."""
        return str(DECISION_LABELS.get(self.decision, self.decision or ""))

    def __repr__(self) -> str:
        return f"<Application {self.reference} {self.status}>"


class ApplicationItem(Tracked, db.Model):
    """One item asked for, in the scope import's columns, with the decision on it."""

    __tablename__ = "application_items"
    __table_args__ = (
        UniqueConstraint("application_id", "item_key", name="uq_application_items_application_id_item_key"),
        CheckConstraint("parameters IS NULL OR parameters >= 0", name="parameters_non_negative"),
    )
    __history_exclude__ = ("item_key",)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    category_code: Mapped[str] = mapped_column(String(32))
    category_name: Mapped[str | None] = mapped_column(String(200))
    item_code: Mapped[str] = mapped_column(String(32))
    item_key: Mapped[str] = mapped_column(String(64))  # the code as codes compare (parsing.code_key)
    item_name: Mapped[str | None] = mapped_column(String(300))
    method: Mapped[str | None] = mapped_column(String(500))
    parameters: Mapped[int | None]
    # The catalogue's item (known when asked for, or added to the catalogue by the decision).
    item_id: Mapped[int | None] = mapped_column(ForeignKey("test_items.id"), index=True)
    outcome: Mapped[Outcome | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)  # why refused (or a note on the grant)
    # The scope period the decision granted (or, for a reduction, withdrew; for a renewal or a
    # change of an item held, re-confirmed): which application granted each item.
    scope_entry_id: Mapped[int | None] = mapped_column(ForeignKey("scope_entries.id"), index=True)
    basis: Mapped[str | None] = mapped_column(String(20))

    application: Mapped[Application] = relationship(back_populates="items")
    item: Mapped["TestItem | None"] = relationship()  # noqa: F821
    scope_entry: Mapped["ScopeEntry | None"] = relationship()  # noqa: F821

    @property
    def outcome_label(self) -> str:
        """The outcome in the reader's language (empty while undecided)."""
        return str(OUTCOME_LABELS.get(self.outcome, self.outcome or ""))


class FindingItem(Tracked, db.Model):
    """An assessment finding concerns an item asked for (so the application may be decided in part,
    without it, while the finding is open)."""

    __tablename__ = "application_finding_items"
    __table_args__ = (
        UniqueConstraint(
            "finding_id",
            "application_item_id",
            name="uq_application_finding_items_finding_id_application_item_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    application_item_id: Mapped[int] = mapped_column(ForeignKey("application_items.id"), index=True)

    item: Mapped[ApplicationItem] = relationship()
    finding: Mapped["Finding"] = relationship()  # noqa: F821


class Assessor(Tracked, db.Model):
    """A member of an application's assessment team (one of them leads it)."""

    __tablename__ = "application_assessors"
    __table_args__ = (
        UniqueConstraint("application_id", "user_id", name="uq_application_assessors_application_id_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    lead: Mapped[bool] = mapped_column(Boolean, default=False)

    application: Mapped[Application] = relationship(back_populates="assessors")
    user: Mapped["User"] = relationship()  # noqa: F821


class Clock(Tracked, db.Model):
    """A step's clock in working days: started, due (when the calendar covers it), stopped."""

    __tablename__ = "application_clocks"
    __table_args__ = (
        Index("ix_application_clocks_running", "stopped_on", "due_on"),
        Index("ix_application_clocks_step_stopped", "step", "stopped_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    step: Mapped[Step] = mapped_column(String(16))
    started_on: Mapped[date]
    limit_days: Mapped[int | None]  # None: measured, not limited (the lab's rectification)
    due_on: Mapped[date | None]  # None while the working calendar does not reach it
    stopped_on: Mapped[date | None]
    working_days: Mapped[int | None]  # taken, counted when it stopped
    on_time: Mapped[bool | None]
    overdue_notified_on: Mapped[date | None]

    application: Mapped[Application] = relationship(back_populates="clocks")

    @property
    def step_label(self) -> str:
        """The step in the reader's language."""
        return str(STEP_LABELS.get(self.step, self.step))

    @property
    def running(self) -> bool:
        """Started and not stopped."""
        return self.stopped_on is None


class ApplicationStep(Tracked, db.Model):
    """One step taken on an application: who, when, from which status to which, and why."""

    __tablename__ = "application_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    name: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    on: Mapped[date]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    comment: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship(back_populates="steps")
    actor: Mapped["User | None"] = relationship()  # noqa: F821


class CalendarYear(Tracked, db.Model):
    """A year whose public holidays and make-up working days are set: clocks may count in it."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def id(self) -> int:
        """The year (history rows name records by id)."""
        return self.year


class CalendarDay(Tracked, db.Model):
    """A public holiday or a make-up working day of the working calendar."""

    __tablename__ = "calendar_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    kind: Mapped[DayKind] = mapped_column(String(10))
    name: Mapped[str | None] = mapped_column(String(120))  # 春节, as the State Council's notice says
    name_en: Mapped[str | None] = mapped_column(String(120))

    @property
    def kind_label(self) -> str:
        """The kind of day in the reader's language."""
        return str(DAY_KIND_LABELS.get(self.kind, self.kind))
