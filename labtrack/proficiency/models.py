"""Comparison rounds, their participants and results, evaluations, and the findings they raised."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship, validates

from labtrack.extensions import db
from labtrack.history.tracking import Tracked
from labtrack.models_base import utcnow
from labtrack.parsing import code_key


class RoundKind(StrEnum):
    """What sort of comparison a round is."""

    BLIND_SAMPLE = "blind_sample"
    MEASUREMENT_COMPARISON = "measurement_comparison"
    PROFICIENCY_TEST = "proficiency_test"
    INTERLABORATORY_COMPARISON = "interlaboratory_comparison"


ROUND_KIND_LABELS = {
    RoundKind.BLIND_SAMPLE: _l("Blind-sample comparison"),
    RoundKind.MEASUREMENT_COMPARISON: _l("Measurement-value comparison"),
    RoundKind.PROFICIENCY_TEST: _l("Proficiency test (external)"),
    RoundKind.INTERLABORATORY_COMPARISON: _l("Interlaboratory comparison"),
}


class RoundStatus(StrEnum):
    """Where a round is in its life: planned -> open -> closed -> evaluated -> published."""

    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"
    EVALUATED = "evaluated"
    PUBLISHED = "published"


ROUND_STATUS_LABELS = {
    RoundStatus.PLANNED: _l("Planned"),
    RoundStatus.OPEN: _l("Open for results"),
    RoundStatus.CLOSED: _l("Results closed"),
    RoundStatus.EVALUATED: _l("Evaluated"),
    RoundStatus.PUBLISHED: _l("Published"),
}


class AssignedValueMethod(StrEnum):
    """How the assigned value x_pt is set."""

    REFERENCE = "reference"
    CERTIFIED = "certified"
    REFERENCE_LAB = "reference_lab"
    CONSENSUS = "consensus"


ASSIGNED_VALUE_LABELS = {
    AssignedValueMethod.REFERENCE: _l("Known or formulated reference value"),
    AssignedValueMethod.CERTIFIED: _l("Certified value of a reference material"),
    AssignedValueMethod.REFERENCE_LAB: _l("Value of a reference laboratory"),
    AssignedValueMethod.CONSENSUS: _l("Consensus of participants (Algorithm A)"),
}


class SigmaMethod(StrEnum):
    """How the standard deviation for proficiency assessment sigma_pt is set."""

    FIXED = "fixed"
    ROBUST_SD = "robust_sd"


SIGMA_METHOD_LABELS = {
    SigmaMethod.FIXED: _l("Fixed fitness-for-purpose value"),
    SigmaMethod.ROBUST_SD: _l("Robust SD of the round (Algorithm A s*)"),
}


class ScoreBasis(StrEnum):
    """Which score a round gives: z (z' automatically when needed), En or zeta."""

    Z = "z"
    EN = "en"
    ZETA = "zeta"


SCORE_BASIS_LABELS = {
    ScoreBasis.Z: _l("z score (z' when u(x_pt) > 0.3 sigma_pt)"),
    ScoreBasis.EN: _l("En number (expanded uncertainties)"),
    ScoreBasis.ZETA: _l("zeta score (standard uncertainties)"),
}


class ResultType(StrEnum):
    """What a participant reports: a value (scored by z, En, zeta) or an answer (scored by agreement)."""

    QUANTITATIVE = "quantitative"
    QUALITATIVE = "qualitative"


RESULT_TYPE_LABELS = {
    ResultType.QUANTITATIVE: _l("Quantitative (a value)"),
    ResultType.QUALITATIVE: _l("Qualitative (an answer)"),
}

SCORE_KIND_LABELS = {"z": "z", "z_prime": "z′", "zeta": "ζ", "en": "En"}

GRADE_LABELS = {
    "satisfactory": _l("satisfactory"),
    "questionable": _l("questionable"),
    "unsatisfactory": _l("unsatisfactory"),
}


def _code_key_default(context: Any) -> str:
    return code_key(context.get_current_parameters()["code"])


class Round(Tracked, db.Model):
    """A comparison round or proficiency test: what is measured, how it is scored, who takes part."""

    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    # The code as compared for uniqueness ('ÉX-1' and 'éx-1' are one code); set with the code
    # (by the validator below, and by the default for bulk inserts that bypass the ORM).
    code_key: Mapped[str] = mapped_column(String(40), unique=True, default=_code_key_default)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[RoundKind] = mapped_column(String(40), index=True)
    organiser: Mapped[str] = mapped_column(String(200), default="")
    item_id: Mapped[int | None] = mapped_column(ForeignKey("test_items.id"), index=True)
    measurand: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40), default="")
    opens_on: Mapped[date | None]
    closes_on: Mapped[date | None] = mapped_column(index=True)
    status: Mapped[RoundStatus] = mapped_column(String(20), default=RoundStatus.PLANNED, index=True)
    assigned_value_method: Mapped[AssignedValueMethod] = mapped_column(String(20))
    # Given by the organiser for reference / certified / reference_lab; computed for consensus.
    x_pt: Mapped[float | None]
    u_x_pt: Mapped[float | None]
    sigma_pt_method: Mapped[SigmaMethod] = mapped_column(String(20), default=SigmaMethod.FIXED)
    sigma_pt: Mapped[float | None]
    score_basis: Mapped[ScoreBasis] = mapped_column(String(10), default=ScoreBasis.Z)
    # Quantitative (a value scored by z, En, zeta) or qualitative (an answer scored by agreement).
    result_type: Mapped[ResultType] = mapped_column(
        String(20), default=ResultType.QUANTITATIVE, server_default=ResultType.QUANTITATIVE.value
    )
    # A qualitative round's answers: None for detected / not detected, else the named categories.
    categories: Mapped[list[str] | None] = mapped_column(JSON)
    assigned_answer: Mapped[str | None] = mapped_column(String(100))
    # A split-level round sends each participant two related items (levels A and B): Youden plot.
    split_level: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Level B's own assigned value, its uncertainty and sigma_pt (level A uses x_pt, u_x_pt, sigma_pt);
    # a blank sigma_pt_b or u_x_pt_b takes level A's; a consensus round computes x_pt_b itself.
    x_pt_b: Mapped[float | None]
    u_x_pt_b: Mapped[float | None]
    sigma_pt_b: Mapped[float | None]
    notes: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    item: Mapped["TestItem | None"] = relationship()  # noqa: F821
    participants: Mapped[list["Participant"]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="Participant.participant_code"
    )
    results: Mapped[list["Result"]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="Result.id"
    )
    evaluation: Mapped["Evaluation | None"] = relationship(
        back_populates="round", cascade="all, delete-orphan", uselist=False
    )

    @validates("code")
    def _keep_code_key(self, _key: str, code: str) -> str:
        self.code_key = code_key(code) if code is not None else None
        return code

    @property
    def kind_label(self) -> str:
        """The kind in the user's language."""
        return str(ROUND_KIND_LABELS.get(self.kind, self.kind))

    @property
    def status_label(self) -> str:
        """The status in the user's language."""
        return str(ROUND_STATUS_LABELS.get(self.status, self.status))

    @property
    def item_code(self) -> str | None:
        """The catalogue item's code, if the round is linked to one."""
        return self.item.code if self.item is not None else None

    @property
    def is_qualitative(self) -> bool:
        """Results are answers (detected / not detected, or named categories) scored by agreement."""
        return self.result_type == "qualitative"

    @property
    def is_measurement(self) -> bool:
        """Scored with uncertainties (En or zeta) rather than z."""
        return self.score_basis in (ScoreBasis.EN, ScoreBasis.ZETA)

    def __repr__(self) -> str:
        return f"<Round {self.code} {self.status}>"


class ItemCondition(StrEnum):
    """The state a participant's item arrived in."""

    GOOD = "good"
    DAMAGED = "damaged"  # usable, with a note (a cracked cap, a warm cool-box)
    UNUSABLE = "unusable"  # a replacement is needed: no result until it arrives


ITEM_CONDITION_LABELS = {
    ItemCondition.GOOD: _l("Good"),
    ItemCondition.DAMAGED: _l("Damaged but usable"),
    ItemCondition.UNUSABLE: _l("Unusable (replacement needed)"),
}


class Participant(Tracked, db.Model):
    """A lab invited to a round, known to the other participants only by its anonymous code."""

    __tablename__ = "round_participants"
    __table_args__ = (
        UniqueConstraint("round_id", "lab_id", name="uq_round_participants_round_lab"),
        UniqueConstraint("round_id", "participant_code", name="uq_round_participants_round_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id"), index=True)
    participant_code: Mapped[str] = mapped_column(String(16))
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Dispatch and receipt of the participant's item (ISO/IEC 17043 7.3): once a round records a
    # dispatch, results are accepted only from labs whose item arrived in a usable condition.
    sent_on: Mapped[date | None]
    received_on: Mapped[date | None]
    condition: Mapped[ItemCondition | None] = mapped_column(String(20))
    condition_note: Mapped[str | None] = mapped_column(String(500))

    round: Mapped[Round] = relationship(back_populates="participants")
    lab: Mapped["Lab"] = relationship()  # noqa: F821
    result: Mapped["Result | None"] = relationship(back_populates="participant", uselist=False)


class Result(Tracked, db.Model):
    """One participant's reported value, its uncertainty, and the score and grade it earned."""

    __tablename__ = "round_results"
    __table_args__ = (UniqueConstraint("round_id", "lab_id", name="uq_round_results_round_lab"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("round_participants.id"), unique=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id"), index=True)
    value: Mapped[float | None]  # None in a qualitative round
    value_b: Mapped[float | None]  # level B of a split-level round (value is level A)
    answer: Mapped[str | None] = mapped_column(String(100))  # a qualitative round's answer
    expanded_uncertainty: Mapped[float | None]
    coverage_factor: Mapped[float | None]
    method: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    score: Mapped[float | None]
    score_kind: Mapped[str | None] = mapped_column(String(10))
    grade: Mapped[str | None] = mapped_column(String(20))
    # Level B of a split-level round, scored on its own (score, score_kind and grade are level A).
    score_b: Mapped[float | None]
    score_kind_b: Mapped[str | None] = mapped_column(String(10))
    grade_b: Mapped[str | None] = mapped_column(String(20))

    round: Mapped[Round] = relationship(back_populates="results")
    participant: Mapped[Participant] = relationship(back_populates="result")
    lab: Mapped["Lab"] = relationship()  # noqa: F821

    @property
    def participant_code(self) -> str:
        """The anonymous code other participants see."""
        return self.participant.participant_code

    @property
    def grade_label(self) -> str:
        """The grade in the user's language."""
        return str(GRADE_LABELS.get(self.grade, self.grade or ""))

    @property
    def grade_b_label(self) -> str:
        """Level B's grade in the user's language."""
        return str(GRADE_LABELS.get(self.grade_b, self.grade_b or ""))


class Evaluation(Tracked, db.Model):
    """What a round's evaluation used and found, kept so that the published report can be reproduced."""

    __tablename__ = "round_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), unique=True)
    assigned_value_method: Mapped[str] = mapped_column(String(20))
    sigma_pt_method: Mapped[str | None] = mapped_column(String(20))
    score_kind: Mapped[str] = mapped_column(String(10))
    x_pt: Mapped[float]
    u_x_pt: Mapped[float]
    sigma_pt: Mapped[float | None]
    n: Mapped[int]
    iterations: Mapped[int] = mapped_column(default=0)
    converged: Mapped[bool] = mapped_column(default=True)
    x_star: Mapped[float | None]
    s_star: Mapped[float | None]
    z_prime_reason: Mapped[str | None] = mapped_column(String(300))
    reliability: Mapped[str] = mapped_column(String(20), default="n/a")
    constants: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A split-level round's level B, evaluated on its own: x_pt, u_x_pt, sigma_pt, score_kind, n,
    # iterations, converged, x_star, s_star, z_prime_reason, reliability, constants, summary.
    level_b: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    evaluated_at: Mapped[datetime] = mapped_column(default=utcnow)
    evaluated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    round: Mapped[Round] = relationship(back_populates="evaluation")

    @property
    def unreliable(self) -> bool:
        """A consensus value from fewer than 12 results."""
        return self.reliability == "unreliable"


class RoundFinding(Tracked, db.Model):
    """A finding raised when a round was published, and the result that caused it (raised once)."""

    __tablename__ = "round_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("round_results.id"), unique=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id"), index=True)
    reason: Mapped[str] = mapped_column(String(30))  # unsatisfactory | second_questionable
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    round: Mapped[Round] = relationship()
    result: Mapped[Result] = relationship()
    finding: Mapped["Finding"] = relationship()  # noqa: F821


class HomogeneityStudy(Tracked, db.Model):
    """The homogeneity study of a round's items (ISO 13528 B.3): the replicates and what they showed."""

    __tablename__ = "round_homogeneity_studies"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), unique=True)
    # One list of replicate results per item, in the order the items were drawn.
    replicates: Mapped[list[list[float]]] = mapped_column(JSON)
    sigma_pt: Mapped[float]
    g: Mapped[int]
    m: Mapped[int]
    mean: Mapped[float]
    s_x: Mapped[float]
    s_w: Mapped[float]
    s_s: Mapped[float]
    criterion: Mapped[float]
    expanded_criterion: Mapped[float]
    passed: Mapped[bool]
    passed_expanded: Mapped[bool]
    notes: Mapped[str | None] = mapped_column(Text)
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    round: Mapped[Round] = relationship(
        backref=backref("homogeneity", uselist=False, cascade="all, delete-orphan")
    )


class StabilityStudy(Tracked, db.Model):
    """The stability study of a round's items (ISO 13528 B.5): results before and after, compared."""

    __tablename__ = "round_stability_studies"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), unique=True)
    before: Mapped[list[float]] = mapped_column(JSON)
    after: Mapped[list[float]] = mapped_column(JSON)
    sigma_pt: Mapped[float]
    mean_before: Mapped[float]
    mean_after: Mapped[float]
    difference: Mapped[float]
    criterion: Mapped[float]
    u_difference: Mapped[float]
    expanded_criterion: Mapped[float]
    passed: Mapped[bool]
    passed_expanded: Mapped[bool]
    notes: Mapped[str | None] = mapped_column(Text)
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    round: Mapped[Round] = relationship(
        backref=backref("stability", uselist=False, cascade="all, delete-orphan")
    )
