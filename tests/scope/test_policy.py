"""The scope policy as a table: role x period state x ownership -> what the actor may see and do."""

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from labtrack.extensions import db
from labtrack.scope import policy
from labtrack.scope.models import ScopeEntry

OWN, OTHER = 1, 2


def actor(role: str | None, lab_id: int | None = OWN):
    if role is None:
        return None  # the system
    return SimpleNamespace(id=7, role=role, lab_id=lab_id if role == "lab_manager" else None)


def lab(lab_id: int):
    return SimpleNamespace(id=lab_id, status="active")


def entry(lab_id: int, withdrawn_on: date | None = None):
    return SimpleNamespace(lab=lab(lab_id), lab_id=lab_id, withdrawn_on=withdrawn_on)


# role: (catalogue read, catalogue edit, scope of own lab, of another lab, edit own, edit other,
#        import, growth, choose a region)
TABLE = {
    "admin": (True, True, True, True, True, True, True, True, True),
    "quality": (True, True, True, True, True, True, True, True, True),
    "inspector": (True, False, True, True, False, False, False, True, True),
    "viewer": (True, False, True, True, False, False, False, True, True),
    "lab_manager": (True, False, True, False, False, False, False, True, False),
    None: (True, True, True, True, True, True, True, True, True),
}


@pytest.mark.parametrize("role", list(TABLE))
def test_the_table(role):
    who = actor(role)
    cat_read, cat_edit, own, other, edit_own, edit_other, imports, growth, region = TABLE[role]
    assert policy.sees_catalogue(who) is cat_read
    assert policy.may_edit_catalogue(who) is cat_edit
    assert policy.sees_scope(who, lab(OWN)) is own
    assert policy.sees_scope(who, lab(OTHER)) is other
    assert policy.sees_entry(who, entry(OTHER)) is other
    assert policy.may_edit_scope(who, lab(OWN)) is edit_own
    assert policy.may_edit_scope(who, lab(OTHER)) is edit_other
    assert policy.may_import(who) is imports
    assert policy.sees_growth(who) is growth
    assert policy.may_choose_region(who) is region
    assert policy.growth_lab(who) == (None if region else OWN)


@pytest.mark.parametrize("withdrawn", [None, date(2010, 9, 1)])
@pytest.mark.parametrize("role", list(TABLE))
def test_a_period_is_withdrawn_once(role, withdrawn):
    """Those who edit a lab's scope withdraw a period it still holds, never an ended one."""
    expected = TABLE[role][4] and withdrawn is None
    assert policy.may_withdraw(actor(role), entry(OWN, withdrawn)) is expected
    assert policy.may_withdraw(actor(role), None) is False


def test_anonymous_visitors_see_nothing():
    nobody = SimpleNamespace(id=None, role=None, lab_id=None)
    assert not policy.sees_catalogue(nobody)
    assert not policy.sees_scope(nobody, lab(OWN))
    assert not policy.may_import(nobody)


def test_narrowing_periods(app, make_lab):
    from labtrack.scope.models import TestCategory, TestItem

    a, b = make_lab("A"), make_lab("B")
    item = TestItem(code="I1", name="i", category=TestCategory(code="C1", name="c"))
    db.session.add_all([item, *(ScopeEntry(lab=x, item=item, granted_on=date(2010, 1, 1)) for x in (a, b))])
    db.session.commit()

    def labs_seen(who):
        return sorted(db.session.scalars(policy.narrow(select(ScopeEntry.lab_id), who)))

    assert labs_seen(actor("inspector")) == sorted([a.id, b.id])
    assert labs_seen(actor("lab_manager", lab_id=a.id)) == [a.id]
    assert labs_seen(actor("lab_manager", lab_id=None)) == []
