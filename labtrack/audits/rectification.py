"""Rectification (整改): evidence files and every step of a finding's workflow, in one service.

Each function takes the acting user, checks the state table (`workflow.py`), the fields a step
needs and the version last read, and commits once; a refused step changes nothing.
"""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from labtrack.audits import evidence, workflow
from labtrack.audits.checks import (
    check_version,
    choice_field,
    date_field,
    may_see,
    own_lab,
    role_of,
    save,
    text_field,
)
from labtrack.audits.models import EvidenceFile, Finding, RootCauseMethod
from labtrack.audits.service import COMMENT_MAX, due_date
from labtrack.audits.workflow import ACTIVE_STATES, State
from labtrack.extensions import db
from labtrack.models_base import today, utcnow
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound, act_as, commit

# --- files -----------------------------------------------------------------------------------


def upload_stage(finding: Finding, role: str) -> str:
    """Which stage a file attached now belongs to (plan, evidence, verification, finding)."""
    if role == workflow.LAB_MANAGER:
        return "evidence" if finding.status == State.PLAN_ACCEPTED else "plan"
    return "verification" if finding.status in workflow.AWAITING_VERIFICATION else "finding"


def add_files(finding: Finding, files: Iterable[tuple[str, bytes]], actor: Any) -> list[EvidenceFile]:
    """Attach files to a finding outside a step (the lab while rectifying, the regulator any time)."""
    role = role_of(actor)
    if not may_see(actor, finding):
        raise NotFound(_("No such finding."))
    if role not in (workflow.LAB_MANAGER, workflow.INSPECTOR, workflow.QUALITY, workflow.ADMIN):
        raise Forbidden(_("Your role may not attach files."))
    if finding.status not in ACTIVE_STATES:
        raise Conflict(_("Files cannot be attached to a closed or cancelled finding."))
    if role == workflow.LAB_MANAGER and finding.status in workflow.AWAITING_VERIFICATION:
        raise Conflict(_("The finding is awaiting verification; attach files after the regulator's answer."))
    errors: dict[str, list[str]] = {}
    checked = evidence.check_files(files, errors)
    if not checked and not errors:
        errors["files"] = [_("Choose at least one file.")]
    if errors:
        raise InvalidInput(_("The files could not be attached."), errors)
    before = len(finding.files)
    act_as(actor, _("files attached"))
    evidence.attach(finding, checked, actor, upload_stage(finding, role))
    commit()
    return finding.files[before:]


# --- the workflow ----------------------------------------------------------------------------


def check_step(finding: Finding, to: str, actor: Any) -> workflow.Transition:
    """The state table's answer for this actor: NotFound, Forbidden (403) or Conflict (409)."""
    if not may_see(actor, finding):
        raise NotFound(_("No such finding."))
    if to not in {s.value for s in State}:
        raise InvalidInput(_("Unknown target state."), {"to": [_("Not one of the allowed values.")]})
    try:
        return workflow.resolve(finding.status, to, role_of(actor), own_lab(actor, finding.lab_id))
    except workflow.Refused as exc:
        if exc.kind == "role":
            raise Forbidden(_("Your role may not make this change.")) from exc
        raise Conflict(
            _("A finding that is %(state)s cannot move to %(to)s.", state=finding.status_label, to=to)
        ) from exc


def transition(
    finding: Finding,
    to: str,
    data: dict,
    actor: Any,
    *,
    version: Any,
    files: Iterable[tuple[str, bytes]] = (),
) -> Finding:
    """Take one step of the state table, with its required fields; refuses stale versions.

    Order of refusals: 404 (may not see) → 422 (unknown target) → 403 (role) / 409 (state)
    → 409 (stale version) → 422 (missing or bad fields). A refused step changes nothing.
    """
    step = check_step(finding, to, actor)
    check_version(finding, version)
    errors: dict[str, list[str]] = {}
    if version in (None, ""):
        errors["version"] = [_("The version you last read is required.")]
    values = _step_values(step, finding, data, errors)
    checked = evidence.check_files(files, errors)
    if step.needs_files and not checked and not any(f.stage == "evidence" for f in finding.files):
        errors.setdefault("files", []).append(_("Attach at least one evidence file."))
    password = data.get("password")
    if (
        step.needs_password
        and "password" not in errors
        and not (isinstance(password, str) and actor.check_password(password))
    ):
        errors["password"] = [_("The password is not correct; the finding was not closed.")]
    if errors:
        raise InvalidInput(_("The step could not be taken; see the fields marked."), errors)
    stage = "evidence" if step.name == "submit_evidence" else upload_stage(finding, role_of(actor))
    act_as(actor, _history_comment(step, values.get("comment")))

    def change() -> None:
        apply_step(finding, step, values, actor, today())
        db.session.flush()  # the step's history row carries the comment
        evidence.attach(finding, checked, actor, stage)

    save(change)
    return finding


def _history_comment(step: workflow.Transition, comment: str | None) -> str:
    return f"{step.name}: {comment}" if comment else step.name


def _step_values(step: workflow.Transition, finding: Finding, data: dict, errors: dict) -> dict:
    values: dict[str, Any] = {"comment": text_field(data, "comment", errors, step.needs_comment, COMMENT_MAX)}
    for key in step.required:
        if key == "action_target_on":
            values[key] = date_field(data, key, errors)
            if values[key] and values[key] < finding.raised_on:
                errors.setdefault(key, []).append(
                    _("The target date cannot be before the finding was raised.")
                )
        elif key == "root_cause_method":
            values[key] = choice_field(data, key, [m.value for m in RootCauseMethod], errors)
        elif key == "action_owner":
            values[key] = text_field(data, key, errors, limit=120)
        else:
            values[key] = text_field(data, key, errors)
    if step.needs_password and not data.get("password"):
        errors["password"] = [_("Confirm with your password to sign the closure.")]
    return values


def apply_step(
    finding: Finding,
    step: workflow.Transition,
    values: dict,
    actor: Any,
    on: date,
    at: datetime | None = None,
) -> None:
    """Set the fields a step changes (no checks: `transition` and the demo loader call this).

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
    if not may_see(actor, finding):
        raise NotFound(_("No such finding."))
    if role_of(actor) not in workflow.EXTEND_ROLES:
        raise Forbidden(_("Only the quality department extends deadlines."))
    if not workflow.can_extend(finding.status, role_of(actor)):
        raise Conflict(_("The deadline of a closed or cancelled finding cannot change."))
    check_version(finding, version)
    errors: dict[str, list[str]] = {}
    data = {"due_on": new_due, "comment": reason}
    due = date_field(data, "due_on", errors)
    comment = text_field(data, "comment", errors, limit=COMMENT_MAX)
    if version in (None, ""):
        errors["version"] = [_("The version you last read is required.")]
    if due is not None and due <= finding.due_on:
        errors.setdefault("due_on", []).append(
            _("The new due date must be later than %(due)s.", due=finding.due_on.isoformat())
        )
    if errors:
        raise InvalidInput(_("The deadline could not be extended."), errors)
    act_as(actor, f"extend: {comment}")

    def change() -> None:
        finding.due_on = due
        finding.last_comment = comment

    save(change)
    return finding
