"""Who hears of what (DESIGN "Notifications, reminders and background work"). Pure predicates on
users, plus the SQL conditions that pick the same users in bulk for reminders.

- a finding raised; plan accepted or rejected, evidence rejected, closed, reopened, deadline
  extended, cancelled; due in 10 / 3 days, due today, overdue: the lab's managers;
- plan or evidence submitted: the audit's lead inspector, else every inspector and the quality
  department;
- overdue by 7 days or more: the lab's managers (weekly while it stays overdue), and the quality
  department once, on the day it is escalated;
- a round opened, closing without the lab's result, published: the invited labs' managers;
- a certificate expiring in 90 / 30 days: the lab's managers;
- a background job finished or failed: whoever started it.
Nobody is told of what they did themselves, and disabled accounts hear nothing.
"""

from typing import Any

from sqlalchemy import and_

from labtrack.auth.permissions import Role
from labtrack.auth.policy import role_of

# The kinds of notification, by audience.
TO_LAB_MANAGERS = frozenset(
    {
        "finding_raised",
        "plan_accepted",
        "plan_rejected",
        "evidence_rejected",
        "finding_closed",
        "finding_reopened",
        "deadline_extended",
        "finding_cancelled",
        "finding_due",
        "finding_overdue",
        "finding_escalated",
        "round_opened",
        "round_closing",
        "round_published",
        "certificate_expiring",
        "document_review_due",
    }
)
TO_VERIFIERS = frozenset({"plan_submitted", "evidence_submitted"})
TO_QUALITY = frozenset({"finding_escalated", "document_review_due"})
TO_STARTER = frozenset({"job_done", "job_failed"})


def reachable(user: Any) -> bool:
    """An active account with a role: someone a notification can reach."""
    return user is not None and bool(getattr(user, "active", False)) and role_of(user) is not None


def manages_lab(user: Any, lab_id: int | None) -> bool:
    """A manager of this laboratory."""
    return (
        reachable(user) and role_of(user) is Role.LAB_MANAGER and lab_id is not None and user.lab_id == lab_id
    )


def verifies(user: Any) -> bool:
    """Checks plans and evidence when the audit names no lead: inspectors and the quality department."""
    return reachable(user) and role_of(user) in (Role.INSPECTOR, Role.QUALITY)


def escalated_to(user: Any) -> bool:
    """Hears of findings overdue by a week or more: the quality department."""
    return reachable(user) and role_of(user) is Role.QUALITY


def lead_verifies(lead: Any) -> bool:
    """Whether an audit's lead inspector is the one to hear of plans and evidence."""
    return reachable(lead)


def told_of_own_action(kind: str) -> bool:
    """Whether the user who did something is told of it too (only of their own jobs)."""
    return kind in TO_STARTER


def tells_of_job(params: dict | None) -> bool:
    """Whether a finished job is worth a notification: a real import or an export the starter
    waits for, never a preview (dry run), whose outcome its own page shows at once."""
    return not bool((params or {}).get("dry_run"))


def sees(actor: Any, notification: Any) -> bool:
    """A notification is its recipient's only."""
    return actor is not None and notification.recipient_id == getattr(actor, "id", None)


# --- the same rules as SQL conditions on the users table (reminders in bulk) ---


def lab_managers_where(user_model: Any) -> Any:
    """Lab managers (with a lab), active."""
    return and_(
        user_model.role == Role.LAB_MANAGER.value, user_model.lab_id.is_not(None), user_model.active.is_(True)
    )


def verifiers_where(user_model: Any) -> Any:
    """Inspectors and the quality department, active."""
    return and_(user_model.role.in_([Role.INSPECTOR.value, Role.QUALITY.value]), user_model.active.is_(True))


def escalation_where(user_model: Any) -> Any:
    """The quality department, active."""
    return and_(user_model.role == Role.QUALITY.value, user_model.active.is_(True))
