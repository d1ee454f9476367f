"""Rectification (整改): evidence files and every step of a finding's workflow, in one service.

Each function takes the acting user, asks the audits policy and the state table (`workflow.py`),
checks the fields a step needs and the version last read, and writes inside one unit of work that
also announces the change (`events.finding_changed`); a refused step changes nothing.
"""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from labtrack import events, parsing
from labtrack.audits import evidence, policy, workflow
from labtrack.audits.checks import check_version, version_required
from labtrack.audits.models import EvidenceFile, Finding, RootCauseMethod
from labtrack.audits.service import due_date
from labtrack.audits.workflow import ACTIVE_STATES, AWAITING_VERIFICATION, State
from labtrack.auth import security
from labtrack.auth.permissions import Perm
from labtrack.extensions import db
from labtrack.models_base import today, utcnow
from labtrack.parsing import Fields
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound, transaction


def _not_found() -> NotFound:
    return NotFound(_("No such %(what)s.", what=_("finding")))


# --- files -----------------------------------------------------------------------------------


def add_files(finding: Finding, files: Iterable[tuple[str, bytes]], actor: Any) -> list[EvidenceFile]:
    """Attach files to a finding outside a step (the lab while rectifying, the bureau any time)."""
    if not policy.sees(actor, finding):
        raise _not_found()
    side = policy.attaches_as(actor)
    if side is None:
        raise Forbidden(_("Your role may not attach files."))
    if finding.status not in ACTIVE_STATES:
        raise Conflict(_("Files cannot be attached to a closed or cancelled finding."))
    if side == "lab" and finding.status in AWAITING_VERIFICATION:
        raise Conflict(_("The finding is awaiting verification; attach files after the regulator's answer."))
    f = Fields()
    checked = evidence.check_files(files, f.errors)
    if not checked and not f.errors:
        f.add("files", _("Choose at least one file."))
    f.raise_if_any(_("The files could not be attached."))
    before = len(finding.files)
    with transaction(actor, _("files attached")):
        evidence.attach(finding, checked, actor, policy.upload_stage(actor, finding))
        db.session.flush()
    return finding.files[before:]


# --- the workflow ----------------------------------------------------------------------------

_NEEDS = {
    Perm.RECTIFY: lambda: _("Only the laboratory submits rectification plans and evidence."),
    Perm.VERIFY: lambda: _(
        "Only the bureau's inspectors and quality department accept plans and evidence and close "
        "findings; a laboratory never accepts its own rectification."
    ),
    Perm.FINDINGS_MANAGE: lambda: _("Only the quality department cancels and reopens findings."),
}


def check_step(finding: Finding, to: Any, actor: Any) -> workflow.Transition:
    """The state table's answer for this actor: NotFound, InvalidInput (unknown target),
    Forbidden (403) or Conflict (409)."""
    if not policy.sees(actor, finding):
        raise _not_found()
    if not isinstance(to, str) or to not in {s.value for s in State}:
        raise InvalidInput(
            _("Unknown target state."),
            {"to": [_("Must be one of: %(states)s.", states=", ".join(s.value for s in State))]},
        )
    try:
        return workflow.resolve(finding.status, to, policy.permissions(actor))
    except workflow.Refused as exc:
        if exc.kind == "permission":
            reason = _NEEDS.get(exc.needs)
            raise Forbidden(reason() if reason else _("Your role may not make this change.")) from exc
        raise Conflict(
            _("A finding that is %(state)s cannot move to %(to)s.", state=finding.status_label, to=to)
        ) from exc


def transition(
    finding: Finding,
    to: Any,
    data: dict,
    actor: Any,
    *,
    version: Any,
    files: Iterable[tuple[str, bytes]] = (),
) -> Finding:
    """Take one step of the state table, with its required fields; refuses stale versions.

    Order of refusals: 404 (may not see) → 422 (unknown target) → 403 (permission) / 409 (state)
    → 422 (version not a number) → 409 (stale version) → 422 (missing or bad fields). A refused
    step changes nothing; a step taken sends `finding_changed` once.
    """
    step = check_step(finding, to, actor)
    check_version(finding, version)
    f = Fields(data)
    version_required(version, f)
    values = _step_values(step, finding, f)
    checked = evidence.check_files(files, f.errors)
    if step.needs_files and not checked and not any(x.stage == "evidence" for x in finding.files):
        f.add("files", _("Attach at least one evidence file."))
    password = data.get("password")
    if step.needs_password and "password" not in f.errors and not security.verify_password(actor, password):
        f.add("password", _("The password is not correct; the finding was not closed."))
    f.raise_if_any(_("The step could not be taken; see the fields marked."))
    stage = "evidence" if step.name == "submit_evidence" else policy.upload_stage(actor, finding)
    comment = values.get("comment")
    with transaction(actor, _history_comment(step, comment)):
        apply_step(finding, step, values, actor, today())
        db.session.flush()  # the step's history row carries the comment
        evidence.attach(finding, checked, actor, stage)
        db.session.flush()
        events.finding_changed.send(finding, actor=actor, step=step.name, comment=comment)
    return finding


def _history_comment(step: workflow.Transition, comment: str | None) -> str:
    return f"{step.name}: {comment}" if comment else step.name


def _step_values(step: workflow.Transition, finding: Finding, f: Fields) -> dict:
    values: dict[str, Any] = {
        "comment": f.get("comment", parsing.text, required=step.needs_comment, max_len=parsing.COMMENT_MAX)
    }
    for key in step.required:
        if key == "action_target_on":
            values[key] = f.get(key, parsing.day)
            if values[key] and values[key] < finding.raised_on:
                f.add(key, _("The target date cannot be before the finding was raised."))
        elif key == "root_cause_method":
            values[key] = f.get(key, parsing.choice, [m.value for m in RootCauseMethod])
        elif key == "action_owner":
            values[key] = f.get(key, parsing.name, max_len=parsing.SHORT_MAX)
        else:
            values[key] = f.get(key, parsing.text)
    if step.needs_password and parsing.is_blank(f.data.get("password")):
        f.add("password", _("Confirm with your password to sign the closure."))
    return values


def apply_step(
    finding: Finding,
    step: workflow.Transition,
    values: dict,
    actor: Any,
    on: date,
    at: datetime | None = None,
) -> None:
    """Set the fields a step changes (no checks: `transition` and the demo loaders call this).

    `on` is the day of the step; `at` the moment of the closing signature (now unless given).
    """
    for key in step.required:
        setattr(finding, key, values.get(key))
    comment = values.get("comment")
    finding.last_comment = comment
    if step.name == "submit_plan":
        finding.plan_submitted_on = on
    elif step.name == "accept_plan":
        finding.plan_accepted_on = on
    elif step.name == "submit_evidence":
        finding.evidence_submitted_on = on
    elif step.name == "close":
        finding.closed_on = on
        finding.closed_by_id = getattr(actor, "id", None)
        finding.signed_at = at or utcnow()
    elif step.name == "cancel":
        finding.cancel_reason = comment
        finding.cancelled_on = on
    elif step.name == "reopen":
        finding.reopened_count = (finding.reopened_count or 0) + 1
        finding.closed_on = None
        finding.closed_by_id = None
        finding.signed_at = None
        finding.plan_accepted_on = None
        finding.due_on = due_date(finding.severity, on)
    finding.status = step.target


def extend_deadline(finding: Finding, new_due: Any, reason: Any, actor: Any, *, version: Any) -> Finding:
    """Move the due date later (quality department); the old date stays in the history."""
    if not policy.sees(actor, finding):
        raise _not_found()
    if not policy.may_extend_deadlines(actor):
        raise Forbidden(_("Only the quality department extends deadlines."))
    if not workflow.extendable(finding.status):
        raise Conflict(_("The deadline of a closed or cancelled finding cannot change."))
    check_version(finding, version)
    f = Fields({"due_on": new_due, "comment": reason})
    due = f.get("due_on", parsing.day)
    comment = f.get("comment", parsing.text, max_len=parsing.COMMENT_MAX)
    version_required(version, f)
    if due is not None and due <= finding.due_on:
        f.add("due_on", _("The new due date must be later than %(due)s.", due=finding.due_on.isoformat()))
    f.raise_if_any(_("The deadline could not be extended."))
    with transaction(actor, f"extend: {comment}"):
        finding.due_on = due
        finding.last_comment = comment
        db.session.flush()
        events.finding_changed.send(finding, actor=actor, step="extend", comment=comment)
    return finding
