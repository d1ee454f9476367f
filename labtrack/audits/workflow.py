"""The rectification state table (DESIGN "Audits, findings and rectification"): pure, no database.

Each row names a step, the states it joins and the permission (`labtrack.auth.permissions.Perm`)
whoever takes it must hold: RECTIFY for the laboratory's plan and evidence, VERIFY for the
bureau's check and acceptance, FINDINGS_MANAGE for the quality department's cancellation and
reopening. Which roles hold those is written once, in `ROLE_PERMISSIONS`; which findings an actor
may act on (their own lab's) is the audits policy's (`labtrack/audits/policy.py`).
"""

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from labtrack.auth.permissions import Perm


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
    """One row of the state table: a named step, the permission it needs, and what it needs."""

    name: str
    source: State
    target: State
    permission: Perm
    required: tuple[str, ...] = ()
    needs_comment: bool = False  # a reason is required (rejections, cancellation, reopening)
    needs_files: bool = False  # at least one evidence file
    needs_password: bool = False  # electronic signature of the verifier


TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit_plan", State.OPEN, State.PLAN_SUBMITTED, Perm.RECTIFY, PLAN_FIELDS),
    Transition("accept_plan", State.PLAN_SUBMITTED, State.PLAN_ACCEPTED, Perm.VERIFY),
    Transition("reject_plan", State.PLAN_SUBMITTED, State.OPEN, Perm.VERIFY, needs_comment=True),
    Transition(
        "submit_evidence",
        State.PLAN_ACCEPTED,
        State.EVIDENCE_SUBMITTED,
        Perm.RECTIFY,
        ("evidence_text",),
        needs_files=True,
    ),
    Transition(
        "close",
        State.EVIDENCE_SUBMITTED,
        State.CLOSED,
        Perm.VERIFY,
        ("effectiveness_review",),
        needs_password=True,
    ),
    Transition(
        "reject_evidence", State.EVIDENCE_SUBMITTED, State.PLAN_ACCEPTED, Perm.VERIFY, needs_comment=True
    ),
    *(
        Transition("cancel", source, State.CANCELLED, Perm.FINDINGS_MANAGE, needs_comment=True)
        for source in (State.OPEN, State.PLAN_SUBMITTED, State.PLAN_ACCEPTED, State.EVIDENCE_SUBMITTED)
    ),
    Transition("reopen", State.CLOSED, State.OPEN, Perm.FINDINGS_MANAGE, needs_comment=True),
)

_BY_EDGE: dict[tuple[State, State], Transition] = {(t.source, t.target): t for t in TRANSITIONS}

# Deadline extensions are not a change of state, but have their own permission.
EXTEND_PERMISSION = Perm.FINDINGS_MANAGE
# The steps each permission opens (the step routes declare these).
STEP_PERMISSIONS: frozenset[Perm] = frozenset(t.permission for t in TRANSITIONS)


class Refused(Exception):
    """The state table refuses a step; `kind` is 'permission' (403) or 'state' (409)."""

    def __init__(self, kind: str, message: str, needs: Perm | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.needs = needs  # the permission the step needs, when the step exists


def resolve(current: str, target: str, perms: Collection[Perm]) -> Transition:
    """The step from `current` to `target` for someone holding `perms`, or Refused.

    Refused('permission') when the step exists but needs a permission not held, or when no step
    the holder could ever take leads to `target`; Refused('state') when the holder could move a
    finding to `target`, only not from `current`.
    """
    current_state, target_state = State(current), State(target)
    transition = _BY_EDGE.get((current_state, target_state))
    if transition is not None:
        if transition.permission not in perms:
            raise Refused(
                "permission",
                f"the step {transition.name} needs {transition.permission}",
                transition.permission,
            )
        return transition
    if any(t.target == target_state and t.permission in perms for t in TRANSITIONS):
        raise Refused("state", f"a finding in state {current_state} cannot move to {target_state}")
    raise Refused("permission", f"no step open to these permissions leads to {target_state}")


def available(current: str, perms: Collection[Perm]) -> list[Transition]:
    """The steps open from this state to someone holding `perms` (what a page offers as buttons)."""
    return [t for t in TRANSITIONS if t.source == State(current) and t.permission in perms]


def step_named(name: str, current: str) -> Transition | None:
    """The step of this name that starts from `current` (None if there is none)."""
    try:
        state = State(current)
    except ValueError:
        return None
    return next((t for t in TRANSITIONS if t.name == name and t.source == state), None)


def extendable(current: str) -> bool:
    """Whether a finding in this state may have its deadline moved (only while it is active)."""
    return State(current) in ACTIVE_STATES


def is_overdue(state: str, due_on, on) -> bool:
    """Past its due date and still active (DESIGN's definition of overdue)."""
    return State(state) in ACTIVE_STATES and due_on is not None and due_on < on


def step_for(current: str, target: str) -> Transition | None:
    """The row of the table from `current` to `target`, whoever takes it (None if there is none)."""
    try:
        return _BY_EDGE.get((State(current), State(target)))
    except ValueError:
        return None
