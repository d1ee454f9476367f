"""Start-up of the applications area: its receivers and its notifications.

- A finding raised on an application's assessment (on any page or through the API) gets the rules'
  deadline (2 months, 1 month for technical findings) unless one was given by hand.
- A finding of an assessment closed or cancelled: when it was the last one open, the application is
  ready for decision and its decision clock starts.
- Each step is told to whom it concerns, in their language (through the notify area's `notify`):
  a submission and a readiness for decision to the accreditation division; an acceptance, a return,
  the assessment, the decision and the certificate to the lab's managers; the assessment to its
  team; a clock overdue (the daily schedule) to the division.
Receivers work inside the sender's unit of work and never commit; a notification that cannot be
written is logged, never a reason for the step to fail.
"""

import logging
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from labtrack import events
from labtrack.applications import policy
from labtrack.applications.values import DECISION_LABELS, KIND_LABELS, STEP_LABELS
from labtrack.extensions import db

log = logging.getLogger("labtrack.applications")

# The step's name (events.application_changed) -> the notification kind and its audience.
KINDS = {
    "submit": ("application_submitted", "division"),
    "accept": ("application_accepted", "lab"),
    "return": ("application_returned", "lab"),
    "assess": ("application_assessment", "lab+team"),
    "ready": ("application_ready", "division"),
    "decide": ("application_decided", "lab"),
    "certify": ("application_certified", "lab"),
    "clock_overdue": ("application_clock_overdue", "division"),
}


def _kind(p: dict) -> str:
    return str(KIND_LABELS.get(p.get("kind"), p.get("kind") or ""))


def _text(p: dict, **extra: Any) -> dict:
    values = {k: ("" if v is None else v) for k, v in p.items()}
    values["kind"] = _kind(p)
    values.update(extra)
    return values


TEXTS = {
    "application_submitted": lambda p: _(
        "%(lab)s submitted application %(ref)s (%(kind)s) for acceptance.", **_text(p)
    ),
    "application_accepted": lambda p: _(
        "Application %(ref)s of %(lab)s was accepted as complete.", **_text(p)
    ),
    "application_returned": lambda p: _(
        "Application %(ref)s of %(lab)s was returned as incomplete: %(comment)s", **_text(p)
    ),
    "application_assessment": lambda p: _(
        "The on-site assessment for application %(ref)s of %(lab)s starts on %(starts_on)s (team: %(team)s).",
        **_text(p),
    ),
    "application_ready": lambda p: _(
        "Application %(ref)s of %(lab)s is ready for decision: its assessment is complete.", **_text(p)
    ),
    "application_decided": lambda p: _(
        "Application %(ref)s of %(lab)s was decided: %(decision)s.",
        **_text(p, decision=str(DECISION_LABELS.get(p.get("decision"), p.get("decision") or ""))),
    ),
    "application_certified": lambda p: _(
        "The certificate for application %(ref)s of %(lab)s was issued: %(certificate)s.", **_text(p)
    ),
    "application_clock_overdue": lambda p: _(
        "Application %(ref)s of %(lab)s is overdue: %(step)s was due on %(due_on)s.",
        **_text(p, step=str(STEP_LABELS.get(p.get("step"), p.get("step") or "")).lower()),
    ),
}


def _user_model():
    from labtrack.auth.models import User

    return User


def division() -> list[Any]:
    """The accreditation division's active accounts."""
    user = _user_model()
    return list(db.session.scalars(select(user).where(policy.division_where(user)).order_by(user.id)))


def params(application: Any, **extra: Any) -> dict:
    """What an application's notifications show."""
    lab = application.lab
    values = {
        "ref": application.reference,
        "lab": lab.code if lab is not None else None,
        "kind": str(application.kind),
    }
    values.update({k: v for k, v in extra.items() if v is not None})
    return values


def recipients(application: Any, audience: str) -> list[Any]:
    """Who hears of a step."""
    from labtrack.notify.events import lab_managers

    people: list[Any] = []
    if "division" in audience:
        people += division()
    if "lab" in audience:
        people += lab_managers(application.lab_id)
    if "team" in audience:
        people += [a.user for a in application.assessors]
    return people


def _extra(application: Any, step: str, comment: str | None) -> dict:
    if step == "return":
        return {"comment": (comment or application.return_reasons or "")[:300]}
    if step == "assess":
        audit = application.audit
        return {
            "starts_on": audit.started_on.isoformat() if audit is not None else None,
            "team": ", ".join(a.user.username for a in application.assessors),
        }
    if step == "decide":
        return {"decision": str(application.decision) if application.decision else None}
    if step == "certify":
        return {"certificate": application.certificate_no}
    return {}


def on_application_changed(
    application: Any, actor: Any = None, step: str | None = None, comment: str | None = None, **kw: Any
) -> None:
    """Tell whom a step concerns (inside the sender's unit of work; never commits)."""
    kind_audience = KINDS.get(step or "")
    if kind_audience is None:
        return
    try:
        from labtrack.notify.service import notify
    except ImportError:  # no notify area: nothing to tell
        return
    kind, audience = kind_audience
    extra = {**_extra(application, step, comment), **(kw.get("extra") or {})}
    try:
        with db.session.no_autoflush:
            notify(kind, recipients(application, audience), application, params(application, **extra), actor)
    except SQLAlchemyError:
        raise
    except Exception:  # noqa: BLE001 - a notification never makes the step fail
        log.exception("notification of application %s not recorded", application.reference)


def _safe(receiver):
    """A receiver never makes the finding's step fail: its own errors are logged."""

    def wrapped(sender: Any, **kwargs: Any) -> None:
        try:
            receiver(sender, **kwargs)
        except SQLAlchemyError:
            raise  # the database refused the unit of work itself: the sender's to answer
        except Exception:  # noqa: BLE001
            log.exception("applications: %s for %r not done", receiver.__name__, sender)

    wrapped.__name__ = f"safe_{receiver.__name__}"
    return wrapped


@_safe
def on_finding_raised(finding: Any, actor: Any = None, **_kw: Any) -> None:
    """An assessment's finding gets the rules' deadline (unless one was given by hand)."""
    from labtrack.applications.assessment import adjust_due_date

    with db.session.no_autoflush:
        adjust_due_date(finding)


@_safe
def on_finding_changed(finding: Any, actor: Any = None, step: str | None = None, **_kw: Any) -> None:
    """An assessment's finding closed or cancelled: the application may be ready for decision."""
    if step not in ("close", "cancel"):
        return
    from labtrack.applications.assessment import on_finding_settled

    on_finding_settled(finding, actor)


def _register_texts() -> None:
    try:
        from labtrack.notify import messages
    except ImportError:
        return
    for kind, render in TEXTS.items():
        messages.TEXTS.setdefault(kind, render)
    messages.LINKS.setdefault("applications", lambda rid, p: ("applications.detail", {"application_id": rid}))


def connect() -> None:
    """Connect the receivers and add the applications' kinds to the notify area's texts and links."""
    events.application_changed.connect(on_application_changed, weak=False)
    events.finding_raised.connect(on_finding_raised, weak=False)
    events.finding_changed.connect(on_finding_changed, weak=False)
    _register_texts()
