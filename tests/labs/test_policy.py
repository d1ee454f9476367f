"""The labs policy as a table: role x lab state x ownership -> what the actor may see and do."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from labtrack.extensions import db
from labtrack.labs import policy
from labtrack.labs.models import Lab, LabStatus

OWN, OTHER = 1, 2
ROLES = ("admin", "quality", "inspector", "viewer", "lab_manager")


def actor(role: str | None, lab_id: int | None = OWN):
    if role is None:
        return None  # the system: command line, demo
    return SimpleNamespace(id=10, role=role, lab_id=lab_id if role == "lab_manager" else None)


def lab(lab_id: int = OWN, status: LabStatus = LabStatus.ACTIVE):
    return SimpleNamespace(id=lab_id, status=status)


# role -> (sees own, sees other, edits, manages contacts of own, contacts of other, notes of own)
TABLE = {
    "admin": (True, True, True, True, True, True),
    "quality": (True, True, True, True, True, True),
    "inspector": (True, True, False, False, False, True),
    "viewer": (True, True, False, False, False, True),
    "lab_manager": (True, False, False, True, False, False),
    None: (True, True, True, True, True, True),
    "anonymous": (False, False, False, False, False, False),
}


@pytest.mark.parametrize("role", list(TABLE))
def test_who_sees_and_changes_a_lab(role):
    who = SimpleNamespace(id=None, role=None, lab_id=None) if role == "anonymous" else actor(role)
    sees_own, sees_other, edits, contacts_own, contacts_other, notes_own = TABLE[role]
    assert policy.sees_lab(who, lab(OWN)) is sees_own
    assert policy.sees_lab(who, lab(OTHER)) is sees_other
    assert policy.may_edit_lab(who, lab(OWN)) is edits
    assert policy.may_edit_lab(who, lab(OTHER)) is (edits and sees_other)
    assert policy.may_manage_certificates(who, lab(OWN)) is edits
    assert policy.may_create_lab(who) is edits
    assert policy.may_import(who) is edits
    assert policy.may_manage_contacts(who, lab(OWN)) is contacts_own
    assert policy.may_manage_contacts(who, lab(OTHER)) is contacts_other
    assert policy.sees_notes(who, lab(OWN)) is notes_own
    assert policy.sees_notes(who, lab(OTHER)) is (notes_own and sees_other)
    assert policy.sees_history(who, lab(OWN)) is sees_own
    assert policy.hidden_fields(who, lab(OWN)) == (frozenset() if notes_own else frozenset({"notes"}))


@pytest.mark.parametrize("status", list(LabStatus))
@pytest.mark.parametrize("role", ROLES)
def test_deactivation_depends_on_the_state(role, status):
    """Only those who edit a lab close it, and only while it is not closed already."""
    expected = TABLE[role][2] and status != LabStatus.CLOSED
    assert policy.may_deactivate_lab(actor(role), lab(OWN, status)) is expected
    # Every other state (suspended, revoked, closed) may still be edited: reopening is an edit.
    assert policy.may_edit_lab(actor(role), lab(OWN, status)) is TABLE[role][2]


def test_nothing_is_allowed_on_a_missing_lab():
    for role in (*ROLES, None):
        who = actor(role)
        assert not policy.sees_lab(who, None)
        assert not policy.may_edit_lab(who, None)
        assert not policy.may_manage_contacts(who, None)
        assert not policy.may_deactivate_lab(who, None)


def test_a_lab_manager_without_a_lab_sees_none():
    orphan = actor("lab_manager", lab_id=None)
    assert not policy.sees_lab(orphan, lab(OWN))
    assert not policy.may_manage_contacts(orphan, lab(OWN))
    assert policy.confined_lab(orphan) == -1 and not policy.sees_every_lab(orphan)


def test_narrowing_a_query(app, make_lab):
    a, b = make_lab("A"), make_lab("B")

    def codes(who):
        return list(db.session.scalars(policy.narrow(select(Lab.code), who)))

    assert sorted(codes(actor("viewer"))) == ["A", "B"]
    assert sorted(codes(None)) == ["A", "B"]
    assert codes(actor("lab_manager", lab_id=b.id)) == ["B"]
    assert codes(actor("lab_manager", lab_id=None)) == []
    assert a.id != b.id
