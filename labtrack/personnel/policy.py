"""Who may see and keep a lab's people, training sessions, exams and authorisations. Pure: no
Flask, no database session (the narrowing is a SQLAlchemy expression).

- Everyone who reads personnel (all roles) sees every lab's people, except a lab manager: their
  own lab's only (another lab's person is answered as not found).
- A lab's people and their authorisations are kept by the bureau (admin, quality department) and
  by the lab's own manager; inspectors and viewers read.
- Contact details (telephone, e-mail) and the linked user account: the bureau's staff and the
  person's own lab manager, not read-only viewers.
- Training sessions: the province's (organised by a bureau, CNAS, others) are kept by those who
  manage training (admin, quality); a session a lab runs itself by that lab's manager too. A lab
  manager sees the province's sessions and their own lab's, and among attendees only their own
  people (the others are counted). A lab manager may also record their own people's attendance
  at the province's sessions.
- Exams and contests are the province's: admin and quality set them up and record results;
  everyone reads them, a lab manager only their own lab's candidates.
- Naming the persons concerned by a finding: who edits findings, for findings of the area
  "personnel and training" of a lab they see. Naming the analyst of a comparison result: who
  enters results, for a lab they see. A lab manager sees a result's grade once the round is
  published.
- The system (actor None: the command line, the demo loader) may do everything.
"""

from typing import Any

from labtrack.auth import policy as auth
from labtrack.auth.permissions import Perm

PERSONNEL_AREA = "personnel_training"  # the finding area whose findings name persons
LAB_ORGANISER = "lab"


def is_system(actor: Any) -> bool:
    """The command line or the demo loader: no user is acting."""
    return actor is None


def confined_lab(actor: Any) -> int | None:
    """The one lab the actor sees (-1: a lab manager without a lab), or None for every lab."""
    return None if is_system(actor) else auth.confined_lab(actor)


def sees_every_lab(actor: Any) -> bool:
    """Whether the actor reads across labs (region and lab filters make sense for them)."""
    return confined_lab(actor) is None


# --- people ----------------------------------------------------------------------------------


def sees_lab(actor: Any, lab_id: int | None) -> bool:
    """Whether the actor may see the people of this lab."""
    if is_system(actor):
        return True
    return lab_id is not None and auth.holds(actor, Perm.PERSONNEL_VIEW) and auth.sees_lab(actor, lab_id)


def sees_person(actor: Any, person: Any) -> bool:
    """Whether the actor may see this person at all (a lab manager: their own lab's)."""
    return person is not None and sees_lab(actor, person.lab_id)


def narrow(stmt: Any, column: Any, actor: Any) -> Any:
    """Narrow a select to the actor's lab (by a lab id `column`) when they are confined to one."""
    return stmt if is_system(actor) else auth.narrow(stmt, column, actor)


def sees_contacts(actor: Any) -> bool:
    """Telephone, e-mail and user account of the people the actor sees: the bureau's staff and
    lab managers (their own people), not read-only viewers."""
    return is_system(actor) or auth.is_regulator(actor) or auth.is_lab_manager(actor)


def sees_contact(actor: Any, person: Any) -> bool:
    """One person's telephone, e-mail and user account."""
    return sees_person(actor, person) and sees_contacts(actor)


def may_keep_people(actor: Any, lab_id: int | None) -> bool:
    """Add, change, import people of this lab and record their leaving and authorisations."""
    if is_system(actor):
        return True
    return lab_id is not None and auth.holds(actor, Perm.PERSONNEL_EDIT) and auth.sees_lab(actor, lab_id)


def may_edit_person(actor: Any, person: Any) -> bool:
    """Change a person's details and posts."""
    return person is not None and may_keep_people(actor, person.lab_id)


def may_record_leaving(actor: Any, person: Any) -> bool:
    """Record that a person left (once: a person who has left is edited instead)."""
    return may_edit_person(actor, person) and person.employed_to is None


def may_delete_person(actor: Any, person: Any, has_records: bool) -> bool:
    """Remove a person entered by mistake: only while nothing (training, exams, authorisations,
    findings, results) refers to them; otherwise their leaving is recorded instead."""
    return may_edit_person(actor, person) and not has_records


def may_link_user(actor: Any, person: Any, user: Any) -> bool:
    """Say which user account belongs to a person: an account of the person's lab (or, for those
    who manage accounts, one without a lab)."""
    if not may_edit_person(actor, person):
        return False
    if user is None:
        return True
    lab_id = getattr(user, "lab_id", None)
    if lab_id is None:
        return is_system(actor) or auth.holds(actor, Perm.USERS_MANAGE)
    return lab_id == person.lab_id


# --- training sessions -----------------------------------------------------------------------


def sees_session(actor: Any, session: Any) -> bool:
    """The province's sessions: everyone who reads personnel; a lab's own: those who see the lab."""
    if session is None:
        return False
    if is_system(actor):
        return True
    if not auth.holds(actor, Perm.PERSONNEL_VIEW):
        return False
    return session.organiser_lab_id is None or auth.sees_lab(actor, session.organiser_lab_id)


def narrow_sessions(stmt: Any, organiser_lab_column: Any, actor: Any) -> Any:
    """Sessions the actor sees: the province's and, for a lab manager, their own lab's."""
    scope = confined_lab(actor)
    if scope is None:
        return stmt
    return stmt.where((organiser_lab_column.is_(None)) | (organiser_lab_column == scope))


def may_record_session(actor: Any, organiser: Any, organiser_lab_id: int | None) -> bool:
    """Record (or change) a session: those who manage training; a lab's own session, its manager."""
    if is_system(actor) or auth.holds(actor, Perm.TRAINING_MANAGE):
        return True
    return str(organiser) == LAB_ORGANISER and may_keep_people(actor, organiser_lab_id)


def may_edit_session(actor: Any, session: Any) -> bool:
    """Change a session, its attendees and its count of external attendees."""
    return sees_session(actor, session) and may_record_session(
        actor, session.organiser, session.organiser_lab_id
    )


def may_record_attendance(actor: Any, session: Any, person: Any) -> bool:
    """Add or remove one person's attendance: who keeps the session, or who keeps the person
    (a lab manager reporting which of their people attended the province's session)."""
    if not (sees_session(actor, session) and sees_person(actor, person)):
        return False
    return may_edit_session(actor, session) or may_keep_people(actor, person.lab_id)


def may_record_any_attendance(actor: Any, session: Any) -> bool:
    """Whether the session's page offers to add attendees at all."""
    if not sees_session(actor, session):
        return False
    return may_edit_session(actor, session) or (
        confined_lab(actor) is not None and may_keep_people(actor, confined_lab(actor))
    )


# --- exams -----------------------------------------------------------------------------------


def sees_exams(actor: Any) -> bool:
    """Exams and contests are the province's: everyone who reads personnel sees them."""
    return is_system(actor) or auth.holds(actor, Perm.PERSONNEL_VIEW)


def may_manage_exams(actor: Any) -> bool:
    """Set up exams and contests, say who must sit, and record their results."""
    return is_system(actor) or auth.holds(actor, Perm.TRAINING_MANAGE)


# --- authorisations --------------------------------------------------------------------------


def may_authorise(actor: Any, person: Any) -> bool:
    """Grant a person an authorisation (perform tests of, or sign reports for, an item)."""
    return may_edit_person(actor, person)


def may_change_authorisation(actor: Any, authorisation: Any, to: str) -> bool:
    """Suspend (while in force), withdraw (unless withdrawn) or reinstate (while suspended)."""
    if authorisation is None or not may_edit_person(actor, authorisation.person):
        return False
    status = str(authorisation.status)
    allowed = {"suspended": ("active",), "withdrawn": ("active", "suspended"), "active": ("suspended",)}
    return status in allowed.get(str(to), ())


# --- links to findings and comparison results ------------------------------------------------


def sees_finding_persons(actor: Any, finding: Any) -> bool:
    """The persons named in a finding: those who see both the finding's lab and personnel."""
    if finding is None:
        return False
    return is_system(actor) or (auth.holds(actor, Perm.FINDINGS_VIEW) and sees_lab(actor, finding.lab_id))


def may_name_persons(actor: Any, finding: Any) -> bool:
    """Name the persons concerned by a finding of the area "personnel and training"."""
    if finding is None or str(finding.area) != PERSONNEL_AREA:
        return False
    if is_system(actor):
        return True
    return auth.holds(actor, Perm.FINDINGS_EDIT) and sees_lab(actor, finding.lab_id)


def sees_result_analyst(actor: Any, result: Any) -> bool:
    """A result's analyst: those who see the result's lab (other labs' results are anonymous)."""
    return result is not None and (
        is_system(actor) or (auth.holds(actor, Perm.ROUNDS_VIEW) and sees_lab(actor, result.lab_id))
    )


def may_name_analyst(actor: Any, result: Any) -> bool:
    """Say which of the lab's people produced a comparison result: who enters results."""
    if result is None:
        return False
    return is_system(actor) or (auth.holds(actor, Perm.RESULTS_ENTER) and sees_lab(actor, result.lab_id))


def sees_grade(actor: Any, round_status: str) -> bool:
    """A result's score and grade on a person's record: staff as soon as it is scored, a lab
    manager once the round is published (as on the round's own pages)."""
    return is_system(actor) or not auth.is_lab_manager(actor) or str(round_status) == "published"


# --- reports ---------------------------------------------------------------------------------


def sees_reports(actor: Any) -> bool:
    """The training and exam report (a lab manager: their own lab's figures)."""
    return is_system(actor) or auth.holds(actor, Perm.PERSONNEL_VIEW)
