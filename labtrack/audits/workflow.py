"""The rectification state table (DESIGN "Audits, findings and rectification"): pure, no Flask, no database.

Every rule of who may move a finding from which state to which lives here; the service asks
`resolve()` and maps its refusals onto HTTP-shaped domain errors.
"""

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    """Where a finding's rectification stands."""

    OPEN = "open"
    PLAN_SUBMITTED = "plan_submitted"
    PLAN_ACCEPTED = "plan_accepted"
    EVIDENCE_SUBMITTED = "evidence_submitted"
    CLOSED = "closed"
    CANCELLED = "cancelled"


# States in which a finding still needs work (overdue is only ever counted among these).
ACTIVE_STATES: frozenset[State] = frozenset(
    {State.OPEN, State.PLAN_SUBMITTED, State.PLAN_ACCEPTED, State.EVIDENCE_SUBMITTED}
)
# States that wait for the regulator (inspector or quality department) to verify.
AWAITING_VERIFICATION: frozenset[State] = frozenset({State.PLAN_SUBMITTED, State.EVIDENCE_SUBMITTED})

ADMIN, QUALITY, INSPECTOR, LAB_MANAGER, VIEWER = "admin", "quality", "inspector", "lab_manager", "viewer"
ROLES = (ADMIN, QUALITY, INSPECTOR, LAB_MANAGER, VIEWER)

PLAN_FIELDS = (
    "root_cause",
    "root_cause_method",
    "correction",
    "occurs_elsewhere",
    "corrective_action",
    "action_owner",
    "action_target_on",
)


@dataclass(frozen=True)
class Transition:
    """One row of the state table: a named step, who may take it, and what it needs."""

    name: str
    source: State
    target: State
    roles: frozenset[str]
    required: tuple[str, ...] = ()
    needs_comment: bool = False  # a reason is required (rejections, cancellation, reopening)
    needs_files: bool = False  # at least one evidence file
    needs_password: bool = False  # electronic signature of the verifier


_VERIFIERS = frozenset({INSPECTOR, QUALITY, ADMIN})
_RECTIFIERS = frozenset({LAB_MANAGER, ADMIN})
_MANAGERS = frozenset({QUALITY, ADMIN})

TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit_plan", State.OPEN, State.PLAN_SUBMITTED, _RECTIFIERS, PLAN_FIELDS),
    Transition("accept_plan", State.PLAN_SUBMITTED, State.PLAN_ACCEPTED, _VERIFIERS),
    Transition("reject_plan", State.PLAN_SUBMITTED, State.OPEN, _VERIFIERS, needs_comment=True),
    Transition(
        "submit_evidence",
        State.PLAN_ACCEPTED,
        State.EVIDENCE_SUBMITTED,
        _RECTIFIERS,
        ("evidence_text",),
        needs_files=True,
    ),
    Transition(
        "close",
        State.EVIDENCE_SUBMITTED,
        State.CLOSED,
        _VERIFIERS,
        ("effectiveness_review",),
        needs_password=True,
    ),
    Transition(
        "reject_evidence", State.EVIDENCE_SUBMITTED, State.PLAN_ACCEPTED, _VERIFIERS, needs_comment=True
    ),
    *(
        Transition("cancel", source, State.CANCELLED, _MANAGERS, needs_comment=True)
        for source in (State.OPEN, State.PLAN_SUBMITTED, State.PLAN_ACCEPTED, State.EVIDENCE_SUBMITTED)
    ),
    Transition("reopen", State.CLOSED, State.OPEN, _MANAGERS, needs_comment=True),
)

_BY_EDGE: dict[tuple[State, State], Transition] = {(t.source, t.target): t for t in TRANSITIONS}

# Deadline extensions are not a change of state, but have their own rule.
EXTEND_ROLES = _MANAGERS


class Refused(Exception):
    """The state table refuses a step; `kind` is 'role' (403) or 'state' (409)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


def resolve(current: str, target: str, role: str, own_lab: bool = True) -> Transition:
    """The transition from `current` to `target` for `role`, or Refused('role' | 'state').

    A lab manager acting on another lab's finding is refused as 'role' (callers that must hide
    the finding's existence answer 404 before asking). A role that could never move a finding
    into `target` is refused as 'role'; a role that could, but not from `current`, as 'state'.
    """
    current_state, target_state = State(current), State(target)
    transition = _BY_EDGE.get((current_state, target_state))
    if role == LAB_MANAGER and not own_lab:
        raise Refused("role", "a lab manager acts only on their own laboratory's findings")
    if transition is not None:
        if role not in transition.roles:
            raise Refused("role", f"{role} may not take the step {transition.name}")
        return transition
    if any(t.target == target_state and role in t.roles for t in TRANSITIONS):
        raise Refused("state", f"a finding in state {current_state} cannot move to {target_state}")
    raise Refused("role", f"{role} may not move a finding to {target_state}")


def available(current: str, role: str, own_lab: bool = True) -> list[Transition]:
    """The steps this role may take from this state (what a page offers as buttons)."""
    if role == LAB_MANAGER and not own_lab:
        return []
    return [t for t in TRANSITIONS if t.source == State(current) and role in t.roles]


def can_extend(current: str, role: str) -> bool:
    """Whether this role may extend the deadline of a finding in this state."""
    return role in EXTEND_ROLES and State(current) in ACTIVE_STATES


def is_overdue(state: str, due_on, on) -> bool:
    """Past its due date and still active (DESIGN's definition of overdue)."""
    return State(state) in ACTIVE_STATES and due_on is not None and due_on < on


def step_for(current: str, target: str) -> Transition | None:
    """The row of the table from `current` to `target`, whoever takes it (None if there is none)."""
    try:
        return _BY_EDGE.get((State(current), State(target)))
    except ValueError:
        return None
