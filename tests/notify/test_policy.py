"""Who hears of what: the policy's predicates, role by role (pure: unsaved users)."""

import pytest

from labtrack.auth.models import User
from labtrack.auth.permissions import Role
from labtrack.notify import policy


def user(role, lab_id=None, active=True, uid=1):
    return User(id=uid, username="u", role=role, lab_id=lab_id, active=active)


@pytest.mark.parametrize(
    "role, lab_id, active, manages, verifies, escalated",
    [
        (Role.LAB_MANAGER, 7, True, True, False, False),
        (Role.LAB_MANAGER, 8, True, False, False, False),  # another lab's manager
        (Role.LAB_MANAGER, 7, False, False, False, False),  # disabled
        (Role.INSPECTOR, None, True, False, True, False),
        (Role.QUALITY, None, True, False, True, True),
        (Role.QUALITY, None, False, False, False, False),
        (Role.ADMIN, None, True, False, False, False),
        (Role.VIEWER, None, True, False, False, False),
    ],
)
def test_roles_and_the_lab_decide_who_hears(role, lab_id, active, manages, verifies, escalated):
    u = user(role, lab_id, active)
    assert policy.manages_lab(u, 7) is manages
    assert policy.verifies(u) is verifies
    assert policy.escalated_to(u) is escalated


def test_a_lab_manager_without_a_lab_manages_none():
    assert not policy.manages_lab(user(Role.LAB_MANAGER, None), None)


def test_the_lead_hears_only_while_active():
    assert policy.lead_verifies(user(Role.INSPECTOR))
    assert not policy.lead_verifies(user(Role.INSPECTOR, active=False))
    assert not policy.lead_verifies(None)


@pytest.mark.parametrize(
    "kind, to_self",
    [("job_done", True), ("job_failed", True), ("finding_raised", False), ("plan_submitted", False)],
)
def test_nobody_is_told_of_their_own_action_but_their_jobs(kind, to_self):
    assert policy.told_of_own_action(kind) is to_self


@pytest.mark.parametrize(
    "params, told",
    [
        (None, True),
        ({}, True),
        ({"dry_run": False}, True),
        ({"dry_run": True}, False),
        ({"fmt": "csv"}, True),
    ],
)
def test_only_real_imports_and_exports_tell_their_starter(params, told):
    assert policy.tells_of_job(params) is told


def test_a_notification_is_its_recipients_only():
    class Note:
        recipient_id = 1

    assert policy.sees(user(Role.VIEWER, uid=1), Note())
    assert not policy.sees(user(Role.ADMIN, uid=2), Note())
    assert not policy.sees(None, Note())


def test_every_kind_of_the_notify_area_has_a_text():
    from labtrack.notify.messages import TEXTS

    audiences = policy.TO_LAB_MANAGERS | policy.TO_VERIFIERS | policy.TO_QUALITY | policy.TO_STARTER
    assert audiences <= set(TEXTS)  # other areas may add their own kinds (planning: sanctions)


def test_the_factories_build_what_the_pages_read(app):
    """A notification built by its factory is the recipient's, unread, about a finding."""
    from tests.jobs.factories import JobFactory, StoredFileFactory
    from tests.notify.factories import NotificationFactory, PreferenceFactory

    note = NotificationFactory()
    assert not note.is_read and note.record_table == "findings" and note.recipient_id
    assert PreferenceFactory().delivery == "digest"
    assert JobFactory().finished
    stored = StoredFileFactory()
    assert stored.size == len(stored.content)
