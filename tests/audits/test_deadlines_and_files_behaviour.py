"""Extending a finding's deadline and attaching files outside a step, through the service: who may,
in which state, what each refusal names, and the history row that keeps the old date."""

from datetime import date

import pytest
from sqlalchemy import select

from labtrack.audits import rectification
from labtrack.audits.models import Finding
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound
from tests import factories as f
from tests.factories import PDF


@pytest.fixture
def quality(app):
    return f.UserFactory(role=Role.QUALITY, username="qd")


@pytest.fixture
def finding(app):
    """An open major finding of CD-1, raised 2010-05-10, due 2010-06-09."""
    return f.FindingFactory(audit__lab=f.LabFactory(code="CD-1"))


def reload(finding: Finding) -> Finding:
    db.session.expire_all()
    return db.session.get(Finding, finding.id)


# --- deadlines --------------------------------------------------------------------------------


def test_a_deadline_moves_later_and_the_history_keeps_the_old_date(quality, finding):
    rectification.extend_deadline(
        finding, "2010-07-09", "Waiting for the new instrument.", quality, version=finding.version
    )
    assert reload(finding).due_on == date(2010, 7, 9)
    row = db.session.scalars(
        select(HistoryEntry).where(
            HistoryEntry.table_name == "findings",
            HistoryEntry.record_id == finding.id,
            HistoryEntry.action == "update",
        )
    ).first()
    assert row.changes["due_on"] == ["2010-06-09", "2010-07-09"]
    assert row.username == "qd" and row.comment == "extend: Waiting for the new instrument."


@pytest.mark.parametrize(
    "new_due, reason, fields",
    [
        ("2010-06-09", "same day", {"due_on"}),
        ("2010-06-01", "earlier", {"due_on"}),
        ("2010-07-09", "", {"comment"}),
        ("someday", "x", {"due_on"}),
    ],
)
def test_a_bad_extension_names_its_field_and_changes_nothing(quality, finding, new_due, reason, fields):
    with pytest.raises(InvalidInput) as refused:
        rectification.extend_deadline(finding, new_due, reason, quality, version=finding.version)
    assert set(refused.value.errors) == fields
    assert reload(finding).due_on == date(2010, 6, 9)


def test_the_new_date_must_be_later_than_the_one_due(quality, finding):
    with pytest.raises(InvalidInput) as refused:
        rectification.extend_deadline(finding, "2010-06-09", "x", quality, version=finding.version)
    assert refused.value.errors == {"due_on": ["The new due date must be later than 2010-06-09."]}


def test_an_extension_needs_the_version_read_and_refuses_a_stale_one(quality, finding):
    with pytest.raises(InvalidInput) as refused:
        rectification.extend_deadline(finding, "2010-07-09", "x", quality, version=None)
    assert set(refused.value.errors) == {"version"}
    with pytest.raises(Conflict):
        rectification.extend_deadline(finding, "2010-07-09", "x", quality, version=finding.version + 1)
    assert reload(finding).due_on == date(2010, 6, 9)


def test_a_closed_findings_deadline_does_not_move(quality):
    closed = f.FindingFactory(closed=True)
    with pytest.raises(Conflict):
        rectification.extend_deadline(closed, "2011-01-01", "x", quality, version=closed.version)


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.VIEWER])
def test_only_the_quality_department_extends(finding, role):
    with pytest.raises(Forbidden):
        rectification.extend_deadline(
            finding, "2010-07-09", "x", f.UserFactory(role=role), version=finding.version
        )


def test_another_labs_manager_does_not_even_find_it(finding):
    stranger = f.UserFactory(role=Role.LAB_MANAGER)
    with pytest.raises(NotFound):
        rectification.extend_deadline(finding, "2010-07-09", "x", stranger, version=finding.version)


# --- files outside a step ---------------------------------------------------------------------


def test_the_labs_manager_attaches_a_file_while_rectifying(finding):
    manager = f.UserFactory(role=Role.LAB_MANAGER, lab=finding.lab)
    added = rectification.add_files(finding, [("plan.pdf", PDF)], manager)
    assert [(x.filename, x.kind) for x in added] == [("plan.pdf", "pdf")]
    assert len(reload(finding).files) == 1


def test_no_file_at_all_is_refused_naming_files(finding):
    manager = f.UserFactory(role=Role.LAB_MANAGER, lab=finding.lab)
    with pytest.raises(InvalidInput) as refused:
        rectification.add_files(finding, [], manager)
    assert refused.value.errors == {"files": ["Choose at least one file."]}


def test_the_lab_waits_while_the_regulator_verifies(app):
    waiting = f.FindingFactory(plan_submitted=True)
    manager = f.UserFactory(role=Role.LAB_MANAGER, lab=waiting.lab)
    with pytest.raises(Conflict, match="awaiting verification"):
        rectification.add_files(waiting, [("more.pdf", PDF)], manager)
    quality = f.UserFactory(role=Role.QUALITY)
    assert len(rectification.add_files(waiting, [("note.pdf", PDF)], quality)) == 1  # the bureau any time


def test_a_closed_finding_takes_no_more_files(quality):
    closed = f.FindingFactory(closed=True)
    with pytest.raises(Conflict, match="closed or cancelled"):
        rectification.add_files(closed, [("late.pdf", PDF)], quality)


def test_readers_attach_nothing_and_strangers_find_nothing(finding):
    with pytest.raises(Forbidden):
        rectification.add_files(finding, [("x.pdf", PDF)], f.UserFactory(role=Role.VIEWER))
    with pytest.raises(NotFound):
        rectification.add_files(finding, [("x.pdf", PDF)], f.UserFactory(role=Role.LAB_MANAGER))
    assert reload(finding).files == []
