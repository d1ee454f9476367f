"""The personnel policy as tables of role x ownership (x state): pure predicates, no database."""

from datetime import date
from types import SimpleNamespace as NS

import pytest

from labtrack.personnel import policy

OWN, OTHER = 1, 2
ROLES = {
    "admin": NS(role="admin", lab_id=None, id=1),
    "quality": NS(role="quality", lab_id=None, id=2),
    "inspector": NS(role="inspector", lab_id=None, id=3),
    "viewer": NS(role="viewer", lab_id=None, id=4),
    "manager": NS(role="lab_manager", lab_id=OWN, id=5),
    "lost_manager": NS(role="lab_manager", lab_id=None, id=6),
    "system": None,
}


def person(lab_id=OWN, left=None):
    return NS(lab_id=lab_id, employed_to=left)


@pytest.mark.parametrize(
    "role, lab, sees, keeps",
    [
        ("admin", OWN, True, True),
        ("admin", OTHER, True, True),
        ("quality", OTHER, True, True),
        ("inspector", OTHER, True, False),
        ("viewer", OTHER, True, False),
        ("manager", OWN, True, True),
        ("manager", OTHER, False, False),
        ("lost_manager", OWN, False, False),
        ("system", OTHER, True, True),
    ],
)
def test_who_sees_and_keeps_a_labs_people(role, lab, sees, keeps):
    actor = ROLES[role]
    assert policy.sees_person(actor, person(lab)) is sees
    assert policy.may_keep_people(actor, lab) is keeps
    assert policy.may_edit_person(actor, person(lab)) is keeps
    assert policy.may_authorise(actor, person(lab)) is keeps


@pytest.mark.parametrize(
    "role, contact",
    [
        ("admin", True),
        ("quality", True),
        ("inspector", True),
        ("viewer", False),
        ("manager", True),
        ("system", True),
    ],
)
def test_contact_details_are_not_for_read_only_viewers(role, contact):
    assert policy.sees_contact(ROLES[role], person(OWN)) is contact
    assert policy.sees_contact(ROLES["manager"], person(OTHER)) is False


@pytest.mark.parametrize(
    "left, records, may_leave, may_delete",
    [(None, False, True, True), (None, True, True, False), (date(2010, 6, 30), False, False, True)],
)
def test_leaving_once_and_removing_only_mistakes(left, records, may_leave, may_delete):
    actor = ROLES["manager"]
    assert policy.may_record_leaving(actor, person(OWN, left)) is may_leave
    assert policy.may_delete_person(actor, person(OWN, left), records) is may_delete
    assert policy.may_delete_person(ROLES["viewer"], person(OWN, left), False) is False


@pytest.mark.parametrize(
    "role, user_lab, allowed",
    [
        ("manager", OWN, True),
        ("manager", OTHER, False),
        ("manager", None, False),
        ("admin", None, True),
        ("quality", None, False),
        ("quality", OWN, True),
        ("inspector", OWN, False),
    ],
)
def test_which_account_may_belong_to_a_person(role, user_lab, allowed):
    assert policy.may_link_user(ROLES[role], person(OWN), NS(lab_id=user_lab)) is allowed


def session(organiser="provincial_bureau", lab_id=None):
    return NS(organiser=organiser, organiser_lab_id=lab_id)


@pytest.mark.parametrize(
    "role, organiser, lab, sees, edits",
    [
        ("admin", "provincial_bureau", None, True, True),
        ("quality", "lab", OTHER, True, True),
        ("inspector", "provincial_bureau", None, True, False),
        ("viewer", "lab", OTHER, True, False),
        ("manager", "provincial_bureau", None, True, False),
        ("manager", "lab", OWN, True, True),
        ("manager", "lab", OTHER, False, False),
        ("system", "cnas", None, True, True),
    ],
)
def test_sessions_the_province_keeps_and_a_lab_keeps(role, organiser, lab, sees, edits):
    actor = ROLES[role]
    s = session(organiser, lab)
    assert policy.sees_session(actor, s) is sees
    assert policy.may_edit_session(actor, s) is edits


@pytest.mark.parametrize(
    "role, organiser, lab, who, allowed",
    [
        ("manager", "provincial_bureau", None, OWN, True),  # reports their people went
        ("manager", "provincial_bureau", None, OTHER, False),
        ("manager", "lab", OWN, OWN, True),
        ("quality", "provincial_bureau", None, OTHER, True),
        ("inspector", "provincial_bureau", None, OWN, False),
        ("viewer", "lab", OWN, OWN, False),
    ],
)
def test_who_records_attendance(role, organiser, lab, who, allowed):
    assert policy.may_record_attendance(ROLES[role], session(organiser, lab), person(who)) is allowed


@pytest.mark.parametrize(
    "role, sees, manages",
    [
        ("admin", True, True),
        ("quality", True, True),
        ("inspector", True, False),
        ("viewer", True, False),
        ("manager", True, False),
        ("system", True, True),
    ],
)
def test_exams_are_the_provinces(role, sees, manages):
    assert policy.sees_exams(ROLES[role]) is sees
    assert policy.may_manage_exams(ROLES[role]) is manages


@pytest.mark.parametrize(
    "status, to, allowed",
    [
        ("active", "suspended", True),
        ("active", "withdrawn", True),
        ("active", "active", False),
        ("suspended", "active", True),
        ("suspended", "withdrawn", True),
        ("suspended", "suspended", False),
        ("withdrawn", "active", False),
        ("withdrawn", "suspended", False),
    ],
)
def test_authorisation_status_changes(status, to, allowed):
    a = NS(status=status, person=person(OWN))
    assert policy.may_change_authorisation(ROLES["manager"], a, to) is allowed
    assert policy.may_change_authorisation(ROLES["inspector"], a, to) is False
    assert (
        policy.may_change_authorisation(ROLES["manager"], NS(status=status, person=person(OTHER)), to)
        is False
    )


@pytest.mark.parametrize(
    "role, area, lab, allowed",
    [
        ("inspector", "personnel_training", OTHER, True),
        ("admin", "personnel_training", OWN, True),
        ("inspector", "quality_control", OWN, False),
        ("viewer", "personnel_training", OWN, False),
        ("quality", "personnel_training", OWN, False),  # verifies findings, does not edit them
        ("system", "personnel_training", OTHER, True),
    ],
)
def test_naming_persons_in_a_finding(role, area, lab, allowed):
    assert policy.may_name_persons(ROLES[role], NS(area=area, lab_id=lab)) is allowed


def test_a_lab_manager_names_persons_only_in_own_findings_when_they_edit_findings():
    from labtrack.auth.permissions import Perm, role_can

    finding = NS(area="personnel_training", lab_id=OTHER)
    assert policy.may_name_persons(ROLES["manager"], finding) is False
    own = NS(area="personnel_training", lab_id=OWN)
    assert policy.may_name_persons(ROLES["manager"], own) is role_can("lab_manager", Perm.FINDINGS_EDIT)


@pytest.mark.parametrize(
    "role, lab, sees, names",
    [
        ("inspector", OTHER, True, True),
        ("quality", OTHER, True, True),
        ("viewer", OTHER, True, False),
        ("manager", OWN, True, True),
        ("manager", OTHER, False, False),
    ],
)
def test_the_analyst_of_a_result(role, lab, sees, names):
    result = NS(lab_id=lab)
    assert policy.sees_result_analyst(ROLES[role], result) is sees
    assert policy.may_name_analyst(ROLES[role], result) is names


@pytest.mark.parametrize(
    "role, status, sees",
    [("manager", "evaluated", False), ("manager", "published", True), ("inspector", "evaluated", True)],
)
def test_grades_on_a_persons_record(role, status, sees):
    assert policy.sees_grade(ROLES[role], status) is sees


def test_narrowing_confines_a_lab_manager_only():
    from sqlalchemy import select

    from labtrack.personnel.models import Person

    stmt = select(Person)
    assert policy.narrow(stmt, Person.lab_id, ROLES["quality"]) is stmt
    assert policy.narrow(stmt, Person.lab_id, None) is stmt
    narrowed = policy.narrow(stmt, Person.lab_id, ROLES["manager"])
    assert "persons.lab_id = " in str(narrowed)
    assert policy.confined_lab(ROLES["lost_manager"]) == -1
