"""What the history records, and for whom: the actor (set on the session, else the signed-in user),
a comment that belongs to one flush only, rows dated in the past for a demo's story, excluded
columns, JSON-safe values, and bulk rows (executemany and PostgreSQL's COPY) equal to the ORM's."""

import enum
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.history import tracking
from labtrack.history.models import HistoryEntry
from labtrack.history.service import history_for, history_of
from labtrack.labs.models import Lab
from labtrack.scope.models import TestCategory
from tests import factories as f


def rows(table: str, record_id: int | None = None) -> list[HistoryEntry]:
    stmt = select(HistoryEntry).where(HistoryEntry.table_name == table).order_by(HistoryEntry.id)
    if record_id is not None:
        stmt = stmt.where(HistoryEntry.record_id == record_id)
    return list(db.session.scalars(stmt))


class Colour(enum.Enum):
    RED = "red"


@pytest.mark.parametrize(
    "value, stored",
    [
        (Colour.RED, "red"),
        (date(2010, 3, 1), "2010-03-01"),
        (datetime(2010, 3, 1, 8, 30, 5), "2010-03-01T08:30:05"),
        (Decimal("1.10"), "1.10"),
        (b"\x00\x01\x02", "<3 bytes>"),
        (None, None),
        (42, 42),
        ("铅", "铅"),
    ],
)
def test_values_are_stored_in_a_json_safe_form(value, stored):
    assert tracking.to_json(value) == stored


def test_the_actor_set_on_the_session_is_recorded(app):
    editor = f.UserFactory(username="editor", role=Role.QUALITY)
    tracking.set_actor(db.session, editor)
    lab = f.LabFactory(code="H-1")
    [insert] = rows("labs", lab.id)
    assert (insert.user_id, insert.username, insert.action) == (editor.id, "editor", "insert")
    tracking.set_actor(db.session, None)


def test_without_an_actor_the_system_is_recorded_as_nobody(app):
    tracking.set_actor(db.session, None)
    lab = f.LabFactory(code="H-1")
    [insert] = rows("labs", lab.id)
    assert (insert.user_id, insert.username) == (None, None)


def test_the_signed_in_user_is_recorded_for_changes_made_in_a_request(client, auth):
    user = auth.login(Role.ADMIN)
    response = client.post(
        "/labs/new",
        data={
            "code": "H-9",
            "name": "新实验室",
            "region": "Chengdu",
            "kind": "regional_lab",
            "status": "active",
        },
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    lab = db.session.scalar(select(Lab).where(Lab.code == "H-9"))
    [insert] = rows("labs", lab.id)
    assert (insert.user_id, insert.username) == (user.id, user.username)


def test_a_comment_belongs_to_the_next_flush_only(app):
    lab = f.LabFactory(code="H-1", name="甲")
    tracking.set_comment(db.session, "renamed on request")
    lab.name = "乙"
    db.session.commit()
    lab.name = "丙"
    db.session.commit()
    updates = [r for r in rows("labs", lab.id) if r.action == "update"]
    assert [(r.changes["name"], r.comment) for r in updates] == [
        (["甲", "乙"], "renamed on request"),
        (["乙", "丙"], None),
    ]


def test_rows_are_dated_as_the_story_says_until_the_clock_is_reset(app):
    story = datetime(2010, 3, 1, 9, 0)
    tracking.set_time(db.session, story)
    old = f.LabFactory(code="H-1")
    tracking.set_time(db.session, None)
    new = f.LabFactory(code="H-2")
    assert rows("labs", old.id)[0].at == story
    assert rows("labs", new.id)[0].at > datetime(2020, 1, 1)


def test_an_insert_records_the_values_set_but_not_the_id_or_empty_ones(app):
    category = f.TestCategoryFactory(code="FOOD", name="食品", name_en=None)
    [insert] = rows("test_categories", category.id)
    assert insert.changes["code"] == [None, "FOOD"]
    assert insert.changes["name"] == [None, "食品"]
    assert "id" not in insert.changes and "name_en" not in insert.changes
    assert "code_key" not in insert.changes  # excluded by the model


def test_an_update_records_only_what_changed_old_to_new(app):
    category = f.TestCategoryFactory(code="FOOD", name="食品", name_en="Food")
    category.name_en = "Foodstuffs"
    category.code = "food-1"  # its code_key changes too, but is excluded
    db.session.commit()
    [update] = [r for r in rows("test_categories", category.id) if r.action == "update"]
    assert update.changes == {"name_en": ["Food", "Foodstuffs"], "code": ["FOOD", "food-1"]}


def test_setting_a_value_to_what_it_was_writes_no_row(app):
    category = f.TestCategoryFactory(code="FOOD", name="食品")
    category.name = "食品"
    db.session.commit()
    assert [r.action for r in rows("test_categories", category.id)] == ["insert"]


def test_a_delete_records_the_values_the_record_had(app):
    category = f.TestCategoryFactory(code="GONE", name="旧", name_en=None)
    category_id = category.id
    db.session.delete(category)
    db.session.commit()
    delete = rows("test_categories", category_id)[-1]
    assert delete.action == "delete"
    assert delete.changes["code"] == ["GONE", None] and delete.changes["name"] == ["旧", None]
    assert "name_en" not in delete.changes


def test_user_secrets_never_reach_the_history(app):
    user = f.UserFactory(username="someone")
    user.password_hash = "changed"
    db.session.commit()
    for row in rows("users", user.id):
        assert "password_hash" not in row.changes


def test_history_is_read_newest_first_and_limited(app):
    lab = f.LabFactory(code="H-1", name="a")
    for name in ("b", "c", "d"):
        lab.name = name
        db.session.commit()
    newest = history_for(lab)
    assert [r.action for r in newest] == ["update", "update", "update", "insert"]
    assert newest[0].changes["name"] == ["c", "d"]
    assert [r.changes["name"] for r in history_of("labs", lab.id, limit=2)] == [["c", "d"], ["b", "c"]]
    assert history_of("labs", lab.id + 1000) == []


def test_bulk_rows_carry_the_actor_the_comment_and_the_storys_date(app):
    editor = f.UserFactory(username="importer")
    tracking.set_actor(db.session, editor)
    tracking.set_time(db.session, datetime(2010, 5, 5, 17, 0))
    tracking.record_bulk(
        db.session,
        "test_categories",
        [(1, "insert", {"code": [None, "A"]}), (2, "update", {"name": ["x", "y"]})],
        comment="import of scope.csv",
    )
    db.session.commit()
    tracking.set_time(db.session, None)
    tracking.set_actor(db.session, None)
    written = rows("test_categories")
    assert [(r.record_id, r.action, r.changes, r.username, r.comment, r.at) for r in written] == [
        (1, "insert", {"code": [None, "A"]}, "importer", "import of scope.csv", datetime(2010, 5, 5, 17, 0)),
        (2, "update", {"name": ["x", "y"]}, "importer", "import of scope.csv", datetime(2010, 5, 5, 17, 0)),
    ]


def test_bulk_of_nothing_writes_nothing(app):
    tracking.record_bulk(db.session, "labs", [])
    db.session.commit()
    assert rows("labs") == []


def test_copy_is_refused_outside_postgresql(app):
    if db.engine.dialect.name == "postgresql":
        pytest.skip("on PostgreSQL COPY is what is tested below")
    with pytest.raises(RuntimeError, match="PostgreSQL through psycopg 3"):
        tracking.record_bulk_copy(db.session, "labs", [(1, "insert", {})])


def test_copy_writes_what_executemany_writes_dates_included(app):
    """On PostgreSQL (`--db=postgresql`): the COPY path stores the same rows as record_bulk,
    including the story's date a demo sets (`set_time`)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("COPY needs PostgreSQL (--db=postgresql)")
    editor = f.UserFactory(username="质量员")
    tracking.set_actor(db.session, editor)
    tracking.set_time(db.session, datetime(2010, 5, 5, 17, 0))
    entries = [(7, "insert", {"name": [None, '铅\t\\ "quoted"\n']})]
    tracking.record_bulk(db.session, "core", entries, comment="c")
    tracking.record_bulk_copy(db.session, "copy", entries, comment="c")
    db.session.commit()
    tracking.set_time(db.session, None)
    tracking.set_actor(db.session, None)

    def shape(r):
        return (r.record_id, r.action, r.changes, r.user_id, r.username, r.comment, r.at)

    assert shape(rows("core")[0]) == shape(rows("copy")[0])
    assert rows("copy")[0].at == datetime(2010, 5, 5, 17, 0)


def test_categories_changed_through_the_service_name_their_editor(app):
    from labtrack.scope import service

    quality = f.UserFactory(username="qd", role=Role.QUALITY)
    saved = service.save_category({"code": "NEW", "name": "新"}, quality)
    service.save_category({"name_en": "New"}, quality, saved)
    history = rows("test_categories", saved.id)
    assert [(r.action, r.username) for r in history] == [("insert", "qd"), ("update", "qd")]
    assert history[1].changes == {"name_en": [None, "New"]}
    assert db.session.get(TestCategory, saved.id).name_en == "New"


# --- the demo's story days ----------------------------------------------------------------------


def _story(on: bool) -> None:
    if on:
        db.session.info["story_days"] = True
    else:
        db.session.info.pop("story_days", None)


def test_while_the_demo_loads_a_record_is_dated_by_its_story_day(app):
    from tests.personnel.factories import AttendanceFactory, TrainingSessionFactory

    _story(True)
    try:
        course = TrainingSessionFactory(starts_on=date(2010, 3, 15))
        seat = AttendanceFactory(session=course)  # dated by its session's first day
        db.session.flush()
    finally:
        _story(False)
    assert rows("training_sessions", course.id)[0].at == datetime(2010, 3, 15, 9, 0)
    assert rows("training_attendances", seat.id)[0].at == datetime(2010, 3, 15, 9, 0)


def test_a_story_day_to_come_is_dated_now_and_later_changes_are_dated_when_they_happen(app):
    from tests.personnel.factories import TrainingSessionFactory

    before = datetime.now(UTC).replace(tzinfo=None)
    _story(True)
    try:
        planned = TrainingSessionFactory(starts_on=date(2199, 1, 1))
        past = TrainingSessionFactory(starts_on=date(2010, 3, 15))
        db.session.flush()
        past.hours = 6.0  # an update is dated when it is made, story or not
        db.session.flush()
    finally:
        _story(False)
    assert rows("training_sessions", planned.id)[0].at >= before  # never in the future
    inserted, updated = rows("training_sessions", past.id)
    assert inserted.at == datetime(2010, 3, 15, 9, 0)
    assert updated.at >= before


def test_outside_the_demo_a_record_is_dated_when_it_is_written(app):
    from tests.personnel.factories import TrainingSessionFactory

    before = datetime.now(UTC).replace(tzinfo=None)
    course = TrainingSessionFactory(starts_on=date(2010, 3, 15))
    db.session.flush()
    assert rows("training_sessions", course.id)[0].at >= before
