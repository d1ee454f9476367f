"""The state tables of controlled-document revisions and of complaints: pure, no Flask, no database.

Who may take a step is the policy's question (`labtrack.records.policy`); these tables say only
which step leads from which state to which, and what it needs.
"""

from dataclasses import dataclass
from enum import StrEnum


class RevisionStatus(StrEnum):
    """Where a revision of a controlled document stands (DESIGN: draft -> in_review -> effective
    -> superseded | obsolete)."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    EFFECTIVE = "effective"
    SUPERSEDED = "superseded"
    OBSOLETE = "obsolete"


class DocumentStatus(StrEnum):
    """A document as a whole: not issued yet, in force (one effective revision), withdrawn."""

    DRAFT = "draft"
    EFFECTIVE = "effective"
    OBSOLETE = "obsolete"


class ComplaintStatus(StrEnum):
    """Where a complaint stands: received, acknowledged, investigated (with an outcome), answered
    (feedback given to the complainant)."""

    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    INVESTIGATED = "investigated"
    ANSWERED = "answered"


@dataclass(frozen=True)
class Step:
    """One row of a state table: a named step from one state to another, and what it needs."""

    name: str
    sources: frozenset[str]
    target: str
    required: tuple[str, ...] = ()
    needs_password: bool = False


R = RevisionStatus
REVISION_STEPS: tuple[Step, ...] = (
    Step("submit", frozenset({R.DRAFT}), R.IN_REVIEW),
    Step("return", frozenset({R.IN_REVIEW}), R.DRAFT, ("comment",)),
    # Approval is an electronic signature: the approver's password; the effective date (today
    # unless given) may not come before the day of approval.
    Step("approve", frozenset({R.IN_REVIEW}), R.EFFECTIVE, needs_password=True),
    Step("discard", frozenset({R.DRAFT, R.IN_REVIEW}), R.OBSOLETE, ("comment",)),
)
# Superseded is never asked for: the next revision's approval makes the effective one superseded.
REVISION_TARGETS = frozenset({R.DRAFT, R.IN_REVIEW, R.EFFECTIVE, R.OBSOLETE})

C = ComplaintStatus
COMPLAINT_STEPS: tuple[Step, ...] = (
    Step("acknowledge", frozenset({C.RECEIVED}), C.ACKNOWLEDGED, ("acknowledged_on",)),
    Step(
        "investigate",
        frozenset({C.ACKNOWLEDGED}),
        C.INVESTIGATED,
        ("investigated_on", "investigation", "outcome"),
    ),
    Step("answer", frozenset({C.INVESTIGATED}), C.ANSWERED, ("feedback_on", "feedback")),
)


def revision_step(status: str, to: str) -> Step | None:
    """The step that takes a revision from `status` to `to`, or None if the table has none."""
    return _find(REVISION_STEPS, status, to)


def complaint_step(status: str, to: str) -> Step | None:
    """The step that takes a complaint from `status` to `to`, or None if the table has none."""
    return _find(COMPLAINT_STEPS, status, to)


def revision_steps_from(status: str) -> list[Step]:
    """Every step a revision in `status` may take (for the buttons of its page)."""
    return [s for s in REVISION_STEPS if status in s.sources]


def complaint_steps_from(status: str) -> list[Step]:
    """Every step a complaint in `status` may take."""
    return [s for s in COMPLAINT_STEPS if status in s.sources]


def _find(steps: tuple[Step, ...], status: str, to: str) -> Step | None:
    for step in steps:
        if status in step.sources and step.target == to:
            return step
    return None
