"""What happens next to a finding or an audit, and who acts: said on their pages and in the message
after each step, so no one is left wondering whose turn it is (pure: no Flask, no database)."""

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from labtrack.audits.models import AuditStatus
from labtrack.audits.workflow import State

# state -> (who acts next, what they do)
FINDING_NEXT: dict[str, tuple[Any, Any]] = {
    State.OPEN: (
        _l("The laboratory"),
        _l("submits its rectification plan: root cause, correction, corrective action, owner and target date."),
    ),
    State.PLAN_SUBMITTED: (
        _l("An inspector or the quality department"),
        _l("reviews the plan: accepts it, or returns it to the laboratory with a reason."),
    ),
    State.PLAN_ACCEPTED: (
        _l("The laboratory"),
        _l("carries out the corrective action and submits its evidence (a text and files)."),
    ),
    State.EVIDENCE_SUBMITTED: (
        _l("An inspector or the quality department"),
        _l("checks the evidence and closes the finding, or returns the evidence to the laboratory."),
    ),
    State.CLOSED: (
        _l("Nobody"),
        _l("has more to do, unless a later effectiveness check finds the action ineffective (the quality "
           "department then reopens it)."),
    ),
    State.CANCELLED: (_l("Nobody"), _l("has more to do: the finding was cancelled.")),
}  # fmt: skip

AUDIT_NEXT: dict[str, Any] = {
    AuditStatus.PLANNED: _l("The team carries out the audit; its lead sets it in progress and records what it reviewed."),
    AuditStatus.IN_PROGRESS: _l("The team raises a finding for each problem it sees and marks the audit completed when it leaves."),
}  # fmt: skip


def finding_next(finding: Any, on: date | None = None) -> dict[str, Any]:
    """Who acts next on a finding, what they do, and by when (the due date while it is active)."""
    who, what = FINDING_NEXT.get(finding.status, (None, None))
    active = finding.status not in (State.CLOSED, State.CANCELLED)
    return {"who": who, "what": what, "due_on": finding.due_on if active else None}


def audit_next(audit: Any, active_findings: int) -> Any:
    """What happens next to an audit: the team's work, then the laboratory's rectification."""
    if audit.status in AUDIT_NEXT:
        return AUDIT_NEXT[audit.status]
    if active_findings:
        return _l(
            "The laboratory rectifies its %(n)s active finding(s); an inspector or the quality department "
            "verifies each plan and its evidence.",
            n=active_findings,
        )
    return _l("Nothing more to do: no finding of this audit is active.")
