"""The applications' state table (DESIGN "Qualification applications"): pure, no database.

Each row names a step, the statuses it joins, and whose side takes it: the laboratory's
(APPLICATIONS_SUBMIT) or the accreditation division's (APPLICATIONS_DECIDE). Which roles hold
those is `ROLE_PERMISSIONS`; which application an actor may act on is `applications.policy`.
"""

from collections.abc import Collection
from dataclasses import dataclass

from labtrack.applications.values import DOCUMENT_ONLY_KINDS, Kind, Status
from labtrack.auth.permissions import Perm


@dataclass(frozen=True)
class Transition:
    """One row: a named step from one status to another, and the permission its side holds."""

    name: str
    source: Status
    target: Status
    permission: Perm
    kinds: frozenset[Kind] | None = None  # only for these kinds (None: every kind)


LAB = Perm.APPLICATIONS_SUBMIT
DIVISION = Perm.APPLICATIONS_DECIDE
ASSESSED_KINDS = frozenset(k for k in Kind if k not in DOCUMENT_ONLY_KINDS)

TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", Status.DRAFT, Status.SUBMITTED, LAB),
    Transition("submit", Status.RETURNED, Status.SUBMITTED, LAB),
    Transition("accept", Status.SUBMITTED, Status.ACCEPTED, DIVISION),
    Transition("return", Status.SUBMITTED, Status.RETURNED, DIVISION),
    Transition("review", Status.ACCEPTED, Status.REVIEW, DIVISION),
    Transition("assess", Status.REVIEW, Status.ASSESSMENT, DIVISION, ASSESSED_KINDS),
    Transition("complete_assessment", Status.ASSESSMENT, Status.RECTIFICATION, DIVISION),
    Transition("decide", Status.RECTIFICATION, Status.DECIDED, DIVISION),
    Transition("decide", Status.REVIEW, Status.DECIDED, DIVISION, DOCUMENT_ONLY_KINDS),
    Transition("certify", Status.DECIDED, Status.CERTIFIED, DIVISION),
)


class Refused(Exception):
    """The table refuses a step: `kind` is 'permission' (403) or 'state' (409)."""

    def __init__(self, kind: str, step: Transition | None = None):
        super().__init__(kind)
        self.kind = kind
        self.step = step


def resolve(current: str, target: str, kind: str, perms: Collection[Perm]) -> Transition:
    """The step from `current` to `target` for an application of `kind`, for someone holding
    `perms`; Refused('permission') if no step to `target` is theirs to take, Refused('state') if
    it is, only not from here (or not for this kind)."""
    current_status, target_status, kind = Status(current), Status(target), Kind(kind)
    for t in TRANSITIONS:
        if t.source == current_status and t.target == target_status and (t.kinds is None or kind in t.kinds):
            if t.permission not in perms:
                raise Refused("permission", t)
            return t
    if any(t.target == target_status and t.permission in perms for t in TRANSITIONS):
        raise Refused("state")
    raise Refused("permission")


def available(current: str, kind: str, perms: Collection[Perm]) -> list[Transition]:
    """The steps open from this status to someone holding `perms` (what a page offers)."""
    return [
        t
        for t in TRANSITIONS
        if t.source == Status(current)
        and t.permission in perms
        and (t.kinds is None or Kind(kind) in t.kinds)
    ]


def next_statuses(current: str, kind: str) -> list[Status]:
    """Where an application of this kind may go from here, whoever takes the step."""
    return [
        t.target
        for t in TRANSITIONS
        if t.source == Status(current) and (t.kinds is None or Kind(kind) in t.kinds)
    ]
