"""Risk gradings, inspection plans with their strata and inspector pools, draws and the teams they
gave, and sanctions with the items and findings they concern."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship, validates

from labtrack.extensions import db
from labtrack.history.tracking import Tracked
from labtrack.labs.models import key_default
from labtrack.models_base import utcnow
from labtrack.parsing import code_key
from labtrack.planning.values import (
    GRADE_LABELS,
    PLAN_STATUS_LABELS,
    SANCTION_END_LABELS,
    SANCTION_KIND_LABELS,
    PlanStatus,
    RiskGrade,
    SanctionEnd,
    SanctionKind,
    label,
    ratio_text,
)


class RiskGrading(db.Model):
    """One grading of one lab: the grade, its points and every input it was computed from.

    Append-only, and itself the record of who graded and when: a new row is written when a lab's
    grade, points or inputs change; recomputing with the same outcome only moves `checked_at`.
    Not Tracked (a history row per grading of 10,000 labs would double the work for nothing).
    """

    __tablename__ = "risk_gradings"
    __table_args__ = (Index("ix_risk_gradings_lab_as_of", "lab_id", "as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id"))
    grade: Mapped[RiskGrade] = mapped_column(String(1), index=True)
    score: Mapped[int]
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)  # counts, points per input, window
    weights_version: Mapped[str] = mapped_column(String(16))
    as_of: Mapped[date]  # the date the lab's data were read as of
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)  # last recomputation that agreed
    computed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The lab's latest grading (exactly one per graded lab).
    current: Mapped[bool] = mapped_column(default=True, index=True)

    lab: Mapped["Lab"] = relationship()  # noqa: F821

    @property
    def grade_label(self) -> str:
        """The grade in the reader's language."""
        return label(GRADE_LABELS, self.grade)


class InspectorProfile(Tracked, db.Model):
    """Where an inspector belongs (region, organisation): the draw never sends them there."""

    __tablename__ = "inspector_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    region: Mapped[str | None] = mapped_column(String(80))
    organisation_lab_id: Mapped[int | None] = mapped_column(ForeignKey("labs.id"))
    organisation: Mapped[str | None] = mapped_column(String(200))  # its name, when not a lab
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped["User"] = relationship()  # noqa: F821
    organisation_lab: Mapped["Lab | None"] = relationship()  # noqa: F821


class Plan(Tracked, db.Model):
    """An inspection plan: which labs to draw (strata, quotas, weighting, exclusions) and who may
    inspect them (the pool, team size)."""

    __tablename__ = "inspection_plans"
    __history_exclude__ = ("code_key", "version")
    __table_args__ = (
        CheckConstraint("team_size >= 1", name="team_size_positive"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    code_key: Mapped[str] = mapped_column(String, unique=True, default=key_default("code"))
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(index=True)
    audit_kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[PlanStatus] = mapped_column(String(10), default=PlanStatus.DRAFT, index=True)
    risk_weighted: Mapped[bool] = mapped_column(default=False)
    exclude_months: Mapped[int | None]  # labs inspected within this many months are left out
    team_size: Mapped[int] = mapped_column(default=2)
    starts_on: Mapped[date]  # the planned audits fall in this window
    ends_on: Mapped[date]
    notes: Mapped[str | None] = mapped_column(Text)
    published_on: Mapped[date | None]  # the plan itself is public from this day
    draw_published_on: Mapped[date | None]  # the draw and its outcomes are public from this day
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    strata: Mapped[list["Stratum"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Stratum.position"
    )
    pool: Mapped[list["PlanInspector"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanInspector.id"
    )
    draw: Mapped["Draw | None"] = relationship(back_populates="plan", uselist=False)

    __mapper_args__ = {"version_id_col": version}

    @validates("code")
    def _keep_code_key(self, _key: str, value: str) -> str:
        self.code_key = code_key(value) if value is not None else None
        return value

    @property
    def status_label(self) -> str:
        """The status in the reader's language."""
        return label(PLAN_STATUS_LABELS, self.status)

    @property
    def is_published(self) -> bool:
        """The plan is public."""
        return self.published_on is not None

    @property
    def is_draw_published(self) -> bool:
        """The plan's draw and its outcomes are public."""
        return self.draw_published_on is not None

    def __repr__(self) -> str:
        return f"<Plan {self.code} {self.status}>"


class Stratum(Tracked, db.Model):
    """One stratum of a plan: the labs matching its filters (kind, region, test field), of which a
    quota (a number) or a ratio (a share) is drawn. Empty filters match every lab."""

    __tablename__ = "plan_strata"
    __table_args__ = (
        UniqueConstraint("plan_id", "position", name="uq_plan_strata_plan_position"),
        CheckConstraint("(quota IS NULL) <> (ratio_bp IS NULL)", name="quota_or_ratio"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plans.id"), index=True)
    position: Mapped[int]  # 1, 2, ...: strata are drawn in this order
    lab_kind: Mapped[str | None] = mapped_column(String(40))
    region: Mapped[str | None] = mapped_column(String(80))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("test_categories.id"))
    quota: Mapped[int | None]
    ratio_bp: Mapped[int | None]  # basis points: 2,500 = 25 %

    plan: Mapped[Plan] = relationship(back_populates="strata")
    category: Mapped["TestCategory | None"] = relationship()  # noqa: F821

    @property
    def ratio_label(self) -> str:
        """The ratio as a percentage."""
        return ratio_text(self.ratio_bp)


class PlanInspector(Tracked, db.Model):
    """An inspector in a plan's pool."""

    __tablename__ = "plan_inspectors"
    __table_args__ = (UniqueConstraint("plan_id", "user_id", name="uq_plan_inspectors_plan_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plans.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    plan: Mapped[Plan] = relationship(back_populates="pool")
    user: Mapped["User"] = relationship()  # noqa: F821


class Draw(Tracked, db.Model):
    """A plan's draw: its seed, everything it was computed from (`inputs`) and what it gave
    (`result`). One per plan; never changed once made (swaps are recorded beside it)."""

    __story_day__ = "drawn_on"

    __tablename__ = "plan_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plans.id"), unique=True)
    seed: Mapped[str] = mapped_column(String(200))
    algorithm: Mapped[str] = mapped_column(String(16))
    drawn_on: Mapped[date]  # the population was read as of this day
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the inputs as documented
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    plan: Mapped[Plan] = relationship(back_populates="draw")
    drawn_by: Mapped["User | None"] = relationship()  # noqa: F821
    labs: Mapped[list["DrawnLab"]] = relationship(back_populates="draw", order_by="DrawnLab.rank")


class DrawnLab(Tracked, db.Model):
    """A lab a draw picked, in the order it was drawn, and the planned audit made for it."""

    __story_day__ = "draw.drawn_on"

    __tablename__ = "drawn_labs"
    __table_args__ = (
        UniqueConstraint("draw_id", "lab_id", name="uq_drawn_labs_draw_lab"),
        UniqueConstraint("draw_id", "rank", name="uq_drawn_labs_draw_rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("plan_draws.id"), index=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id"), index=True)
    stratum_position: Mapped[int]
    rank: Mapped[int]  # 1, 2, ... over the whole draw
    key: Mapped[str] = mapped_column(String(64))  # the lab's drawing key (hex), as documented
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audits.id"), index=True)

    draw: Mapped[Draw] = relationship(back_populates="labs")
    lab: Mapped["Lab"] = relationship()  # noqa: F821
    audit: Mapped["Audit | None"] = relationship()  # noqa: F821
    members: Mapped[list["TeamMember"]] = relationship(
        back_populates="drawn_lab", order_by="TeamMember.position"
    )


class TeamMember(Tracked, db.Model):
    """An inspector on a drawn lab's team: from the draw, or brought in by a swap (`ended_at` is
    set on the one swapped out)."""

    __tablename__ = "team_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    drawn_lab_id: Mapped[int] = mapped_column(ForeignKey("drawn_labs.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    position: Mapped[int]  # 1 is the leader
    from_draw: Mapped[bool] = mapped_column(default=True)
    ended_at: Mapped[datetime | None]

    drawn_lab: Mapped[DrawnLab] = relationship(back_populates="members")
    user: Mapped["User"] = relationship()  # noqa: F821

    @property
    def is_leader(self) -> bool:
        """The team's leader."""
        return self.position == 1


class Swap(Tracked, db.Model):
    """An inspector replaced on a drawn team after the draw, and why."""

    __tablename__ = "team_swaps"

    id: Mapped[int] = mapped_column(primary_key=True)
    drawn_lab_id: Mapped[int] = mapped_column(ForeignKey("drawn_labs.id"), index=True)
    out_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    in_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    swapped_at: Mapped[datetime] = mapped_column(default=utcnow)
    swapped_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    drawn_lab: Mapped[DrawnLab] = relationship()
    out_user: Mapped["User"] = relationship(foreign_keys=[out_user_id])  # noqa: F821
    in_user: Mapped["User"] = relationship(foreign_keys=[in_user_id])  # noqa: F821
    swapped_by: Mapped["User | None"] = relationship(foreign_keys=[swapped_by_id])  # noqa: F821


class Sanction(Tracked, db.Model):
    """A measure against a lab: deadline rectification, suspension (of listed items or the whole
    qualification), revocation or cancellation; in force from `starts_on` until `ended_on`."""

    __story_day__ = "starts_on"

    __tablename__ = "sanctions"
    __history_exclude__ = ("version",)
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("ended_on IS NULL OR ended_on >= starts_on", name="ended_after_start"),
        Index("ix_sanctions_lab_in_force", "lab_id", "starts_on", "ended_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id"))
    kind: Mapped[SanctionKind] = mapped_column(String(32), index=True)
    whole: Mapped[bool] = mapped_column(default=False)  # the whole qualification, not listed items
    basis: Mapped[str] = mapped_column(Text)  # the legal basis
    starts_on: Mapped[date] = mapped_column(index=True)
    ends_on: Mapped[date | None]  # the deadline or the end of the suspension period
    ended_on: Mapped[date | None]  # no longer in force from this day (lifted or superseded)
    end_kind: Mapped[SanctionEnd | None] = mapped_column(String(12))
    end_comment: Mapped[str | None] = mapped_column(Text)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    lab: Mapped["Lab"] = relationship()  # noqa: F821
    items: Mapped[list["SanctionItem"]] = relationship(
        back_populates="sanction", cascade="all, delete-orphan", order_by="SanctionItem.id"
    )
    findings: Mapped[list["SanctionFinding"]] = relationship(
        back_populates="sanction", cascade="all, delete-orphan", order_by="SanctionFinding.finding_id"
    )
    imposed_by: Mapped["User | None"] = relationship(foreign_keys=[imposed_by_id])  # noqa: F821
    ended_by: Mapped["User | None"] = relationship(foreign_keys=[ended_by_id])  # noqa: F821

    __mapper_args__ = {"version_id_col": version}

    @property
    def kind_label(self) -> str:
        """The kind in the reader's language."""
        return label(SANCTION_KIND_LABELS, self.kind)

    @property
    def end_label(self) -> str:
        """How it ended, in the reader's language."""
        return label(SANCTION_END_LABELS, self.end_kind)

    @property
    def suspends(self) -> bool:
        """Whether the lab does not hold some items while it is in force."""
        return self.whole or bool(self.items)

    def in_force(self, on: date) -> bool:
        """In force on a day: started, and not lifted or superseded yet."""
        return self.starts_on <= on and (self.ended_on is None or self.ended_on > on)

    def __repr__(self) -> str:
        return f"<Sanction {self.reference} {self.kind}>"


class SanctionItem(Tracked, db.Model):
    """An item a sanction suspends."""

    __story_day__ = "sanction.starts_on"

    __tablename__ = "sanction_items"
    __table_args__ = (
        UniqueConstraint("sanction_id", "item_id", name="uq_sanction_items_sanction_item"),
        Index("ix_sanction_items_item", "item_id", "sanction_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sanction_id: Mapped[int] = mapped_column(ForeignKey("sanctions.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("test_items.id"))

    sanction: Mapped[Sanction] = relationship(back_populates="items")
    item: Mapped["TestItem"] = relationship()  # noqa: F821


class SanctionFinding(Tracked, db.Model):
    """A finding behind a sanction: it must be closed (check and acceptance) before lifting."""

    __story_day__ = "sanction.starts_on"

    __tablename__ = "sanction_findings"
    __table_args__ = (
        UniqueConstraint("sanction_id", "finding_id", name="uq_sanction_findings_sanction_finding"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sanction_id: Mapped[int] = mapped_column(ForeignKey("sanctions.id"), index=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)

    sanction: Mapped[Sanction] = relationship(back_populates="findings")
    finding: Mapped["Finding"] = relationship()  # noqa: F821


class DrawChanged(Exception):
    """A draw, or a lab it drew, was about to be changed or deleted: draws are never changed."""


@event.listens_for(Draw, "before_update")
@event.listens_for(DrawnLab, "before_update")
def _refuse_update(_mapper: Any, _connection: Any, target: Any) -> None:
    session = object_session(target)
    if session is not None and session.is_modified(target, include_collections=False):
        raise DrawChanged(f"{target!r} belongs to a draw, which is never changed once made")


@event.listens_for(Draw, "before_delete")
@event.listens_for(DrawnLab, "before_delete")
def _refuse_delete(_mapper: Any, _connection: Any, target: Any) -> None:
    raise DrawChanged(f"{target!r} belongs to a draw, which is never deleted")
