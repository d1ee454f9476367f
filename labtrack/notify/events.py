"""Receivers that turn the domain events into notifications (inside the sender's unit of work:
they add rows and never commit, so a notification exists exactly when its change does)."""

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from labtrack import events
from labtrack.extensions import db
from labtrack.notify import policy
from labtrack.notify.service import notify

log = logging.getLogger("labtrack.notify")

# The workflow's step names (labtrack.events.finding_changed) and the notification each gives.
STEP_KINDS = {
    "submit_plan": "plan_submitted",
    "submit_evidence": "evidence_submitted",
    "accept_plan": "plan_accepted",
    "reject_plan": "plan_rejected",
    "reject_evidence": "evidence_rejected",
    "close": "finding_closed",
    "reopen": "finding_reopened",
    "extend": "deadline_extended",
    "cancel": "finding_cancelled",
}
COMMENT_MAX = 300


def _users():
    from labtrack.auth.models import User

    return User


def lab_managers(lab_id: int | None) -> list[Any]:
    """The active managers of a laboratory."""
    user = _users()
    if lab_id is None:
        return []
    return list(
        db.session.scalars(select(user).where(policy.lab_managers_where(user), user.lab_id == lab_id))
    )


def verifiers_of(finding: Any) -> list[Any]:
    """Who checks a finding's plan and evidence: the audit's lead, else inspectors and quality."""
    audit = getattr(finding, "audit", None)
    lead = getattr(audit, "lead", None) if audit is not None else None
    if policy.lead_verifies(lead):
        return [lead]
    user = _users()
    return list(db.session.scalars(select(user).where(policy.verifiers_where(user)).order_by(user.id)))


def finding_params(finding: Any, comment: str | None = None) -> dict:
    """What a finding's notifications show: label, lab, severity, due date (and a reason)."""
    lab = getattr(finding, "lab", None)
    params = {
        "label": getattr(finding, "label", f"#{finding.id}"),
        "lab": getattr(lab, "code", None),
        "severity": str(finding.severity) if finding.severity is not None else None,
        "due_on": finding.due_on.isoformat() if finding.due_on else None,
    }
    if comment:
        params["comment"] = comment.strip()[:COMMENT_MAX]
    return params


def on_finding_raised(finding: Any, actor: Any = None, **_kw: Any) -> None:
    """A finding raised: the lab's managers."""
    notify("finding_raised", lab_managers(finding.lab_id), finding, finding_params(finding), actor)


def on_finding_changed(
    finding: Any, actor: Any = None, step: str | None = None, comment: str | None = None, **_kw: Any
) -> None:
    """A rectification step: submissions to the verifiers, the rest to the lab's managers."""
    kind = STEP_KINDS.get(step or "")
    if kind is None:
        return
    recipients = verifiers_of(finding) if kind in policy.TO_VERIFIERS else lab_managers(finding.lab_id)
    notify(kind, recipients, finding, finding_params(finding, comment), actor)


def on_round_changed(rnd: Any, actor: Any = None, to: str | None = None, **_kw: Any) -> None:
    """A round opened or published: the managers of every invited lab."""
    kind = {"open": "round_opened", "published": "round_published"}.get(str(to))
    if kind is None:
        return
    params = {
        "round": rnd.code,
        "title": rnd.title,
        "closes_on": rnd.closes_on.isoformat() if getattr(rnd, "closes_on", None) else None,
    }
    recipients = [m for p in getattr(rnd, "participants", []) for m in lab_managers(p.lab_id)]
    notify(kind, recipients, rnd, params, actor)


def on_job_finished(job: Any, status: str | None = None, **_kw: Any) -> None:
    """A background job done or failed: whoever started it."""
    if job.started_by_id is None or not policy.tells_of_job(job.params):
        return
    kind = "job_done" if str(status) == "done" else "job_failed"
    params = {"job": job.id, "kind": job.kind}
    if kind == "job_failed":
        params["error"] = (job.error or "")[:COMMENT_MAX]
    notify(kind, [db.session.get(_users(), job.started_by_id)], job, params)


def _safe(receiver):
    """A receiver never makes the user's change fail: its own errors are logged."""

    def wrapped(sender: Any, **kwargs: Any) -> None:
        try:
            with db.session.no_autoflush:  # the sender's own pending changes flush at its commit
                receiver(sender, **kwargs)
        except SQLAlchemyError:
            raise  # the database refused the unit of work itself: the sender's to answer
        except Exception:
            log.exception("notification for %r not recorded", sender)

    wrapped.__name__ = f"safe_{receiver.__name__}"
    return wrapped


_RECEIVERS = {
    events.finding_raised: _safe(on_finding_raised),
    events.finding_changed: _safe(on_finding_changed),
    events.round_changed: _safe(on_round_changed),
    events.job_finished: _safe(on_job_finished),
}


def connect() -> None:
    """Connect the receivers (blinker keeps strong references: they live as long as the module)."""
    for signal, receiver in _RECEIVERS.items():
        signal.connect(receiver, weak=False)
