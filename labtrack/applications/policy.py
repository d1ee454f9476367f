"""Who may do and see what with qualification applications: small pure predicates on (actor,
record), and the narrowing of queries for lab managers. No Flask, no database session.

- Everyone who reads applications (APPLICATIONS_VIEW) sees every lab's, except a lab manager:
  their own lab's only (another lab's application is answered as not found).
- A lab manager drafts, edits and submits their own lab's applications (APPLICATIONS_SUBMIT);
  an administrator may do it for any lab (a paper application typed in for a new applicant).
  Items change only while the application is a draft or has been returned.
- The accreditation division (APPLICATIONS_DECIDE: the quality department and administrators)
  accepts an application as complete or returns it with reasons, reviews it, sends the assessment
  team, records the assessment's end, decides and issues the certificate.
- The decision is made by someone who was not on the assessment team (and signed with their
  password); findings are raised by the team's members who raise findings (inspectors).
- The working calendar is read by everyone who reads applications and edited by administrators.
- The system (actor None: the command line, the demo, the daily schedule) may do everything.
"""

from typing import Any

from labtrack.applications.values import DOCUMENT_ONLY_KINDS, EDITABLE, Status
from labtrack.auth import policy as auth
from labtrack.auth.permissions import Perm, Role

# The accreditation division's accounts, who hear of applications waiting for them.
DIVISION_ROLES = frozenset({Role.QUALITY})


def _holds(actor: Any, perm: Perm) -> bool:
    return auth.is_system(actor) or auth.holds(actor, perm)


def _lab_id(record: Any) -> int | None:
    return getattr(record, "lab_id", None) if record is not None else None


# --- seeing ----------------------------------------------------------------------------------


def sees_applications(actor: Any) -> bool:
    """Reach the applications area at all."""
    return _holds(actor, Perm.APPLICATIONS_VIEW)


def sees(actor: Any, application: Any) -> bool:
    """An application (its items, clocks, assessment and decision)."""
    return application is not None and sees_applications(actor) and auth.sees_lab(actor, _lab_id(application))


def sees_lab(actor: Any, lab: Any) -> bool:
    """A lab's applications (its page's panel)."""
    return lab is not None and sees_applications(actor) and auth.sees_lab(actor, lab.id)


def sees_every_lab(actor: Any) -> bool:
    """Lists across labs with region filters (everyone but a lab manager)."""
    return sees_applications(actor) and auth.confined_lab(actor) is None


def narrow(stmt: Any, lab_id_column: Any, actor: Any) -> Any:
    """Narrow a select of applications (or rows with a lab id) to the actor's own lab."""
    return auth.narrow(stmt, lab_id_column, actor)


def home_lab(actor: Any) -> int | None:
    """The lab a confined actor applies for (None: they choose one, or have none)."""
    scope = auth.confined_lab(actor)
    return scope if scope is not None and scope > 0 else None


def sees_reports(actor: Any) -> bool:
    """The applications report (a lab manager: their own lab's figures)."""
    return sees_applications(actor) and _holds(actor, Perm.REPORTS_VIEW)


# --- the laboratory's side -------------------------------------------------------------------


def may_apply(actor: Any) -> bool:
    """Draft applications at all (the "New application" button)."""
    return _holds(actor, Perm.APPLICATIONS_SUBMIT) and (not auth.is_lab_manager(actor) or home_lab(actor))


def may_apply_for(actor: Any, lab: Any) -> bool:
    """Draft an application for this lab: a lab manager for their own; an administrator for any."""
    return lab is not None and may_apply(actor) and auth.sees_lab(actor, lab.id)


def chooses_lab(actor: Any) -> bool:
    """Whether the new-application form asks which lab (not for a lab manager: their own)."""
    return may_apply(actor) and not auth.is_lab_manager(actor)


def may_edit(actor: Any, application: Any) -> bool:
    """Change the title, the note and the items: the applicant, while a draft or returned."""
    return (
        sees(actor, application)
        and may_apply_for(actor, application.lab)
        and Status(application.status) in EDITABLE
    )


def may_submit(actor: Any, application: Any) -> bool:
    """Submit (or submit again after a return): the applicant, while a draft or returned."""
    return may_edit(actor, application)


def may_delete(actor: Any, application: Any) -> bool:
    """Delete a draft never submitted."""
    return (
        may_edit(actor, application)
        and application.status == Status.DRAFT
        and application.first_submitted_on is None
    )


# --- the division's side -----------------------------------------------------------------------


def decides(actor: Any) -> bool:
    """Whether the actor works the division's steps at all."""
    return _holds(actor, Perm.APPLICATIONS_DECIDE)


def _division(actor: Any, application: Any, *statuses: Status) -> bool:
    return sees(actor, application) and decides(actor) and Status(application.status) in statuses


def may_accept(actor: Any, application: Any) -> bool:
    """Accept a submitted application as complete (受理)."""
    return _division(actor, application, Status.SUBMITTED)


def may_return(actor: Any, application: Any) -> bool:
    """Return a submitted application as incomplete, with the reasons."""
    return _division(actor, application, Status.SUBMITTED)


def may_review(actor: Any, application: Any) -> bool:
    """Start the document review of an accepted application."""
    return _division(actor, application, Status.ACCEPTED)


def needs_assessment(application: Any) -> bool:
    """Whether the kind is decided after an on-site assessment (not a change or a reduction)."""
    return application.kind not in DOCUMENT_ONLY_KINDS


def may_assess(actor: Any, application: Any) -> bool:
    """Send the assessment team (creates the audit of kind external_assessment)."""
    return _division(actor, application, Status.REVIEW) and needs_assessment(application)


def may_complete_assessment(actor: Any, application: Any) -> bool:
    """Record that the assessment is over (its report in); its findings go to rectification."""
    return _division(actor, application, Status.ASSESSMENT)


def on_team(actor: Any, team_ids: Any) -> bool:
    """Whether the actor was on the assessment team (the ids of its members)."""
    return getattr(actor, "id", None) is not None and actor.id in set(team_ids or ())


def decidable(application: Any) -> bool:
    """Whether the application's status lets it be decided (after the assessment, or after the
    document review for a change or a reduction)."""
    status = Status(application.status)
    if status == Status.RECTIFICATION:
        return True
    return status == Status.REVIEW and not needs_assessment(application)


def may_decide(actor: Any, application: Any, team_ids: Any = ()) -> bool:
    """Decide: the division, when the application is ready, someone not on the assessment team."""
    return (
        sees(actor, application)
        and decides(actor)
        and decidable(application)
        and not on_team(actor, team_ids)
    )


def may_certify(actor: Any, application: Any) -> bool:
    """Issue (or renew, or re-issue the annex of) the certificate after a decision that granted."""
    return (
        _division(actor, application, Status.DECIDED)
        and application.decision is not None
        and application.decision != "refused"
    )


def may_raise_finding(actor: Any, application: Any, team_ids: Any = ()) -> bool:
    """Raise a finding of the assessment: a team member who raises findings, while the assessment
    or its rectification is on."""
    return (
        sees(actor, application)
        and Status(application.status) in (Status.ASSESSMENT, Status.RECTIFICATION)
        and on_team(actor, team_ids)
        and auth.holds(actor, Perm.FINDINGS_EDIT)
    )


def may_be_assessor(user: Any) -> bool:
    """Whether an account may be on an assessment team: the bureau's active staff."""
    return auth.is_regulator(user) and bool(getattr(user, "active", False))


def is_division(user: Any) -> bool:
    """Whether a user hears of the division's work (applications waiting, clocks overdue)."""
    return auth.role_of(user) in DIVISION_ROLES and bool(getattr(user, "active", False))


def division_where(user_model: Any) -> Any:
    """SQL: the division's active accounts."""
    return user_model.role.in_([r.value for r in DIVISION_ROLES]) & user_model.active.is_(True)


def assessor_where(user_model: Any) -> Any:
    """SQL: the accounts an assessment form offers (the bureau's active staff)."""
    return user_model.role.in_([r.value for r in auth.REGULATOR_ROLES]) & user_model.active.is_(True)


# --- the working calendar --------------------------------------------------------------------


def sees_calendar(actor: Any) -> bool:
    """Read the working calendar."""
    return sees_applications(actor)


def may_edit_calendar(actor: Any) -> bool:
    """Add years, public holidays and make-up working days: administrators."""
    return auth.is_system(actor) or auth.is_admin(actor)


def waits_for(actor: Any, application: Any) -> bool:
    """Whether the application waits for the actor's side (the lab's drafts and returns for its
    manager; the division's steps for the division)."""
    status = Status(application.status)
    if may_edit(actor, application):
        return True
    if not decides(actor):
        return False
    if status == Status.RECTIFICATION:
        return application.ready_on is not None
    return status in (Status.SUBMITTED, Status.ACCEPTED, Status.REVIEW) or may_certify(actor, application)
