"""The steps of an application from submission to certificate, one entry point: `transition`.

Order of refusals (as the findings' transitions answer): 404 (may not see) -> 422 (unknown target)
-> 403 (not the actor's side, or the decider was on the assessment team) -> 409 (the status, the
kind or a stale `version` does not allow it; the working calendar lacks a year the step counts in)
-> 422 (missing or bad fields, a wrong password). A refused step changes nothing; a step taken is
written with its clocks, its log row and history in one unit of work that also sends
`events.application_changed`.
"""

from datetime import date
from typing import Any

from flask_babel import gettext as _

from labtrack import events, parsing
from labtrack.applications import clocks, policy, service, workflow
from labtrack.applications.calendar import working_calendar
from labtrack.applications.models import Application, ApplicationStep
from labtrack.applications.values import REASON_MAX, STATUS_LABELS, Kind, Status, Step
from labtrack.auth import policy as auth
from labtrack.auth.permissions import ROLE_PERMISSIONS, Perm
from labtrack.extensions import db
from labtrack.models_base import today
from labtrack.parsing import Fields
from labtrack.services import Conflict, Forbidden, InvalidInput, transaction


def permissions(actor: Any) -> frozenset[Perm]:
    """The permissions the actor's side holds (the system: both sides)."""
    if auth.is_system(actor):
        return frozenset({workflow.LAB, workflow.DIVISION})
    role = auth.role_of(actor)
    return ROLE_PERMISSIONS[role] if role is not None else frozenset()


_SIDE_REFUSAL = {
    workflow.LAB: lambda: _("Only the laboratory submits its application."),
    workflow.DIVISION: lambda: _(
        "Only the accreditation division accepts, reviews, assesses, decides and certifies."
    ),
}


def check_step(application: Application, to: Any, actor: Any) -> workflow.Transition:
    """The state table's answer for this actor and application (NotFound, InvalidInput, Forbidden
    or Conflict)."""
    if not policy.sees(actor, application):
        raise service.load_refusal()
    if not isinstance(to, str) or to not in {s.value for s in Status}:
        raise InvalidInput(
            _("Unknown target status."),
            {"to": [_("Must be one of: %(states)s.", states=", ".join(s.value for s in Status))]},
        )
    try:
        step = workflow.resolve(application.status, to, application.kind, permissions(actor))
    except workflow.Refused as exc:
        if exc.kind == "permission":
            needs = exc.step.permission if exc.step is not None else None
            reason = _SIDE_REFUSAL.get(needs)
            raise Forbidden(reason() if reason else _("Your role may not make this change.")) from exc
        raise Conflict(
            _(
                "An application that is %(status)s cannot move to %(to)s.",
                status=application.status_label.lower(),
                to=str(STATUS_LABELS[Status(to)]).lower(),
            )
        ) from exc
    if step.permission == workflow.LAB and not policy.may_apply_for(actor, application.lab):
        raise Forbidden(_("Only the laboratory submits its application."))
    return step


def transition(
    application: Application,
    to: Any,
    data: dict[str, Any],
    actor: Any,
    *,
    version: Any = None,
    on: date | None = None,
) -> Application:
    """Take one step (`to` the status it leads to) with the fields it needs (see each step)."""
    step = check_step(application, to, actor)
    service.check_version(application, version)
    on = on or today()
    from labtrack.applications import assessment, decision

    handlers = {
        "submit": _submit,
        "accept": _accept,
        "return": _return,
        "review": _review,
        "assess": assessment.assess,
        "complete_assessment": assessment.complete,
        "decide": decision.decide,
        "certify": decision.certify,
    }
    return handlers[step.name](application, data or {}, actor, on)


def record(
    application: Application, name: str, to: Status, actor: Any, on: date, comment: str | None = None
) -> None:
    """Move the application to `to`, log the step and announce it (inside the caller's unit of work)."""
    before = application.status
    application.status = to
    application.steps.append(
        ApplicationStep(
            name=name,
            from_status=str(before) if before else None,
            to_status=str(to),
            actor_id=getattr(actor, "id", None),
            on=on,
            comment=comment,
        )
    )
    db.session.flush()
    events.application_changed.send(application, actor=actor, step=name, comment=comment)


def comment_of(f: Fields, required: bool = False) -> str | None:
    """The step's comment (a reason where the step needs one)."""
    return f.get("comment", parsing.text, required=required, max_len=REASON_MAX)


# --- the laboratory's step -------------------------------------------------------------------


def _submit(application: Application, data: dict, actor: Any, on: date) -> Application:
    """Submit the application (again, after a return): it asks for at least one item and is
    allowed by the lab's certificate; the acceptance clock starts."""
    f = Fields(data)
    comment = comment_of(f)
    if not application.items:
        f.add("items", _("Add at least one item before submitting."))
    f.raise_if_any(_("The application could not be submitted."))
    service.check_kind(application.lab, application.kind, on)
    calendar = working_calendar()
    clocks.check_start(calendar, on)
    with transaction(actor, _("submitted")):
        application.first_submitted_on = application.first_submitted_on or on
        application.submitted_on = on
        clocks.start(calendar, application, Step.ACCEPTANCE, on)
        record(application, "submit", Status.SUBMITTED, actor, on, comment)
    return application


# --- the division's first steps --------------------------------------------------------------


def _accept(application: Application, data: dict, actor: Any, on: date) -> Application:
    """Accept the application as complete (受理): acceptance clock stops; the review and
    assessment clock starts (a change or reduction: the decision clock)."""
    f = Fields(data)
    comment = comment_of(f)
    f.raise_if_any(_("The application could not be accepted."))
    calendar = working_calendar()
    clocks.check_stop(calendar, application, Step.ACCEPTANCE, on)
    with transaction(actor, _("accepted")):
        application.accepted_on = on
        clocks.stop(calendar, application, Step.ACCEPTANCE, on)
        if policy.needs_assessment(application):
            clocks.start(calendar, application, Step.ASSESSMENT, on)
        else:
            application.ready_on = on
            clocks.start(calendar, application, Step.DECISION, on)
        record(application, "accept", Status.ACCEPTED, actor, on, comment)
    return application


def _return(application: Application, data: dict, actor: Any, on: date) -> Application:
    """Return the application as incomplete, with the reasons (`reasons`, or `comment`)."""
    f = Fields({"comment": data.get("reasons") or data.get("comment")})
    reasons = f.get("comment", parsing.text, max_len=REASON_MAX)
    if "comment" in f.errors:
        f.errors["reasons"] = [_("Say what is missing or wrong, so the laboratory can complete it.")]
        del f.errors["comment"]
    f.raise_if_any(_("The application could not be returned."))
    calendar = working_calendar()
    clocks.check_stop(calendar, application, Step.ACCEPTANCE, on)
    with transaction(actor, _("returned")):
        application.returned_on = on
        application.return_reasons = reasons
        application.returns = (application.returns or 0) + 1
        clocks.stop(calendar, application, Step.ACCEPTANCE, on)
        record(application, "return", Status.RETURNED, actor, on, reasons)
    return application


def _review(application: Application, data: dict, actor: Any, on: date) -> Application:
    """Start the document review."""
    f = Fields(data)
    comment = comment_of(f)
    f.raise_if_any(_("The review could not start."))
    clocks.check_start(working_calendar(), on)
    with transaction(actor, _("review")):
        application.review_started_on = on
        record(application, "review", Status.REVIEW, actor, on, comment)
    return application


def available_steps(actor: Any, application: Application) -> list[str]:
    """The targets of the steps the actor may take on this application now (the page's forms)."""
    if not policy.sees(actor, application):
        return []
    out = []
    for t in workflow.available(application.status, application.kind, permissions(actor)):
        if t.permission == workflow.LAB and not policy.may_apply_for(actor, application.lab):
            continue
        if t.name == "certify" and not policy.may_certify(actor, application):
            continue
        out.append(t.target.value)
    return out


def kind_needs_certificate_no(application: Application) -> bool:
    """An initial qualification issues a new certificate: its number is required."""
    return application.kind == Kind.INITIAL
