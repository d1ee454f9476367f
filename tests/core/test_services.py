"""labtrack.services: the domain errors, load-or-404 and the unit of work (commit once, roll back)."""

import pytest
from sqlalchemy import event, func, select, update

from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.labs.models import Lab
from labtrack.services import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    commit,
    load,
    load_by,
    transaction,
    transactional,
)
from tests import factories as f


@pytest.fixture
def commits(app):
    """How many times the session has committed since the test started."""
    seen = []
    listener = lambda session: seen.append(1)  # noqa: E731
    session = db.session()
    event.listen(session, "after_commit", listener)
    yield seen
    event.remove(session, "after_commit", listener)


def lab_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Lab))


# --- domain errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error, status",
    [(InvalidInput, 422), (Conflict, 409), (Forbidden, 403), (NotFound, 404), (DomainError, 400)],
)
def test_each_domain_error_carries_its_status(error, status):
    exc = error("Refused.")
    assert exc.status == exc.code == status
    assert exc.message == str(exc) == "Refused."
    assert exc.errors == {}


def test_field_errors_become_lists_of_text_and_rows_stay_nested(app):
    from flask_babel import lazy_gettext as _l

    exc = InvalidInput(
        _l("Not saved."),
        {"title": "Required.", "tags": ("a", _l("b")), "rows": {"3": {"code": ["Taken."]}}},
    )
    assert exc.message == "Not saved."
    assert exc.errors == {"title": ["Required."], "tags": ["a", "b"], "rows": {"3": {"code": ["Taken."]}}}


# --- load / load_by ------------------------------------------------------------------------------


def test_load_returns_a_visible_record(app):
    lab = f.LabFactory()
    assert load(Lab, lab.id) is lab
    assert load(Lab, lab.id, visible=lambda r: r.code == lab.code) is lab
    assert load(Lab, str(lab.id)) is lab  # an id read from a URL or a form


@pytest.mark.parametrize("ident", [999_999, 0, -1, 2**31, 2**63 - 1, 2**63, 10**30, None, True, 1.0])
def test_load_answers_404_for_absent_and_impossible_keys(app, ident):
    f.LabFactory()
    with pytest.raises(NotFound) as caught:
        load(Lab, ident, what="laboratory")
    assert caught.value.message == "No such laboratory."
    db.session.execute(select(1))  # the session is still usable (no database error was raised)


@pytest.mark.parametrize("ident", ["abc", "1; drop table labs", "", "１", " 1", "-1", "9" * 30])
def test_load_answers_404_for_keys_that_are_not_numbers(app, ident):
    f.LabFactory()
    with pytest.raises(NotFound):
        load(Lab, ident)
    db.session.execute(select(1))


def test_an_invisible_record_is_answered_like_an_absent_one(app):
    lab = f.LabFactory()
    with pytest.raises(NotFound) as hidden:
        load(Lab, lab.id, visible=lambda r: False, what="laboratory")
    with pytest.raises(NotFound) as absent:
        load(Lab, lab.id + 1000, what="laboratory")
    assert hidden.value.message == absent.value.message
    assert hidden.value.errors == absent.value.errors == {}


def test_load_names_a_record_by_default(app):
    with pytest.raises(NotFound, match="No such record."):
        load(Lab, 1)


def test_load_by_finds_by_a_column(app):
    lab = f.LabFactory(code="SC-TC")
    assert load_by(Lab, Lab.code, "SC-TC") is lab
    for value in ("sc-tc", "SC-TC ", "", None, "x" * 500, "\u4e00" * 40):
        with pytest.raises(NotFound):
            load_by(Lab, Lab.code, value, what="laboratory")
    with pytest.raises(NotFound):
        load_by(Lab, Lab.code, "SC-TC", visible=lambda r: False)


# --- transaction ---------------------------------------------------------------------------------


def test_transaction_commits_once_at_the_end(app, commits):
    with transaction():
        db.session.add(Lab(code="A", name="A", region="R", kind="regional_lab"))
        db.session.flush()
        db.session.add(Lab(code="B", name="B", region="R", kind="regional_lab"))
    assert len(commits) == 1
    db.session.rollback()  # nothing pending: both were committed
    assert lab_count() == 2


def test_nested_transactions_join_the_outer_one(app, commits):
    with transaction():
        db.session.add(f.LabFactory.build(code="OUTER"))
        with transaction():
            db.session.add(f.LabFactory.build(code="INNER"))
        assert commits == []  # the inner block did not commit
    assert len(commits) == 1
    assert lab_count() == 2


def test_an_error_in_a_nested_block_rolls_back_the_whole_unit(app, commits):
    with pytest.raises(InvalidInput), transaction():
        db.session.add(f.LabFactory.build(code="OUTER"))
        with transaction():
            db.session.add(f.LabFactory.build(code="INNER"))
            raise InvalidInput("No.")
    assert commits == [] and lab_count() == 0


@pytest.mark.parametrize("error", [RuntimeError("boom"), Forbidden("no"), KeyboardInterrupt()])
def test_any_error_rolls_back_and_propagates_unchanged(app, commits, error):
    with pytest.raises(type(error)) as caught, transaction():
        db.session.add(f.LabFactory.build())
        db.session.flush()
        raise error
    assert caught.value is error
    assert commits == [] and lab_count() == 0


def test_after_a_failed_unit_the_next_one_commits(app, commits):
    with pytest.raises(RuntimeError), transaction(), transaction():
        raise RuntimeError
    with transaction():
        db.session.add(f.LabFactory.build())
    assert len(commits) == 1 and lab_count() == 1


def test_a_unique_violation_becomes_a_conflict(app):
    f.LabFactory(code="SC-TC")
    with pytest.raises(Conflict) as caught, transaction():
        db.session.add(f.LabFactory.build(code="SC-TC"))
    assert caught.value.status == 409
    assert lab_count() == 1  # the session was rolled back and is usable


def test_a_stale_version_becomes_a_conflict_naming_the_version(app):
    finding = f.FindingFactory()
    # Someone else saves the finding first: its version moves on behind this session's back.
    db.session.execute(
        update(type(finding))
        .where(type(finding).id == finding.id)
        .values(version=finding.version + 1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(Conflict) as caught, transaction():
        finding.description = "My change, made on the old version."
    assert "version" in caught.value.errors
    db.session.expire_all()
    assert db.session.get(type(finding), finding.id).description != "My change, made on the old version."


def test_history_rows_name_the_actor_and_the_comment(app):
    actor = f.UserFactory(username="quality-zhang")
    with transaction(actor, "Renamed after the merger."):
        lab = f.LabFactory.build(code="NEW-1")
        db.session.add(lab)
    row = db.session.scalar(
        select(HistoryEntry).where(HistoryEntry.table_name == "labs", HistoryEntry.record_id == lab.id)
    )
    assert row.username == "quality-zhang" and row.user_id == actor.id
    assert row.comment == "Renamed after the merger."


def test_transactional_makes_a_function_one_unit_of_work(app, commits):
    @transactional
    def create(code: str, fail: bool = False) -> Lab:
        """Create a lab."""
        lab = f.LabFactory.build(code=code)
        db.session.add(lab)
        db.session.flush()
        if fail:
            raise Conflict("Refused after the flush.")
        return lab

    assert create("OK-1").code == "OK-1"
    with pytest.raises(Conflict):
        create("NO-1", fail=True)
    assert len(commits) == 1
    assert db.session.scalars(select(Lab.code)).all() == ["OK-1"]
    assert create.__name__ == "create" and create.__doc__ == "Create a lab."


def test_commit_rolls_back_when_the_database_refuses(app):
    from sqlalchemy.exc import IntegrityError

    f.LabFactory(code="DUP")
    db.session.add(f.LabFactory.build(code="DUP"))
    with pytest.raises(IntegrityError):
        commit()
    assert lab_count() == 1


# --- domain events inside the unit of work -----------------------------------------------------


@pytest.fixture
def contact_on_audit():
    """A receiver of audit_recorded that adds a row (as receivers do) and never commits."""
    from labtrack import events
    from labtrack.labs.models import LabContact

    def receiver(audit, actor=None, **_kw):
        db.session.add(LabContact(lab_id=audit.lab_id, name=f"told about {audit.reference}"))

    events.audit_recorded.connect(receiver)
    yield events.audit_recorded
    events.audit_recorded.disconnect(receiver)


def _contacts() -> list[str]:
    from labtrack.labs.models import LabContact

    db.session.rollback()
    return db.session.scalars(select(LabContact.name)).all()


def test_what_a_receiver_adds_is_committed_with_the_change(app, contact_on_audit, commits):
    audit = f.AuditFactory(reference="FC-2010-001")
    commits.clear()
    with transaction():
        audit.title = "Renamed"
        contact_on_audit.send(audit, actor=None)
    assert len(commits) == 1
    assert _contacts() == ["told about FC-2010-001"]


def test_what_a_receiver_adds_is_dropped_when_the_unit_fails(app, contact_on_audit):
    audit = f.AuditFactory(reference="FC-2010-002")
    with pytest.raises(Conflict), transaction():
        contact_on_audit.send(audit, actor=None)
        raise Conflict("Refused after the event.")
    assert _contacts() == []
