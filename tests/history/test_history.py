"""History: one append-only row per insert, update and delete, with the actor and old -> new."""

from datetime import date

import pytest
from sqlalchemy import func, select

from labtrack.auth import service as auth_service
from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.labs import service


def _rows(table: str) -> list[HistoryEntry]:
    return list(
        db.session.scalars(
            select(HistoryEntry).where(HistoryEntry.table_name == table).order_by(HistoryEntry.id)
        )
    )


@pytest.fixture
def actor(make_user):
    return make_user("quality", username="editor")


def test_lab_insert_update_delete(app, actor):
    lab = service.create_lab(
        {"code": "SC-TC", "name": "技术中心", "region": "Chengdu", "kind": "technical_centre"}, actor
    )
    service.update_lab(lab, {"name": "检验检疫技术中心", "region": "Chengdu"}, actor)
    service.deactivate_lab(lab, actor)
    lab_id = lab.id
    db.session.delete(lab)
    db.session.commit()
    rows = _rows("labs")
    assert [r.action for r in rows] == ["insert", "update", "update", "delete"]
    assert all(r.record_id == lab_id for r in rows)
    assert {(r.user_id, r.username) for r in rows[:3]} == {(actor.id, "editor")}
    assert rows[0].changes["code"] == [None, "SC-TC"]
    assert rows[1].changes == {"name": ["技术中心", "检验检疫技术中心"]}
    assert rows[2].changes["status"] == ["active", "closed"]
    assert rows[3].changes["code"] == ["SC-TC", None]


def test_an_update_that_changes_nothing_writes_nothing(app, actor, make_lab):
    lab = make_lab("SC-TC")
    before = len(_rows("labs"))
    service.update_lab(lab, {"name": lab.name}, actor)
    assert len(_rows("labs")) == before


def test_qualification_and_contact_history(app, actor, make_lab):
    lab = make_lab("SC-TC")
    q = service.add_qualification(
        lab,
        {
            "scheme": "CMA",
            "certificate_no": "2010510001",
            "status": "valid",
            "issued_on": date(2010, 1, 1),
            "expires_on": date(2013, 1, 1),
        },
        actor,
    )
    service.update_qualification(
        q,
        {
            "scheme": "CMA",
            "certificate_no": "2010510001",
            "status": "valid",
            "issued_on": date(2010, 1, 1),
            "expires_on": date(2016, 1, 1),
        },
        actor,
    )
    service.remove_qualification(q, actor)
    rows = _rows("qualifications")
    assert [r.action for r in rows] == ["insert", "update", "delete"]
    assert rows[1].changes == {"expires_on": ["2013-01-01", "2016-01-01"]}
    assert rows[0].changes["lab_id"] == [None, lab.id]
    assert {r.user_id for r in rows} == {actor.id}

    c = service.add_contact(lab, {"name": "王伟", "email": "w@example.cn"}, actor)
    service.update_contact(c, {"name": "王伟", "email": "wang@example.cn"}, actor)
    service.remove_contact(c, actor)
    rows = _rows("lab_contacts")
    assert [r.action for r in rows] == ["insert", "update", "delete"]
    assert rows[1].changes == {"email": ["w@example.cn", "wang@example.cn"]}


def test_user_history_leaves_out_secrets(app, make_user, make_lab):
    actor = make_user("admin", username="boss")  # only administrators manage users
    make_lab("SC-TC")
    user = auth_service.create_user("li.na", "first-password", "viewer", actor=actor)
    auth_service.update_user(user, actor, role="lab_manager", lab_code="SC-TC")
    auth_service.reset_password(user, "second-password", actor)
    auth_service.set_active(user, False, actor)
    rows = _rows("users")
    mine = [r for r in rows if r.record_id == user.id]
    assert mine[0].action == "insert" and mine[0].user_id == actor.id
    assert mine[1].changes["role"] == ["viewer", "lab_manager"]
    assert mine[-1].changes == {"active": [True, False]}
    for row in mine:
        assert "password_hash" not in row.changes


def test_history_rows_cannot_be_changed_or_deleted_through_the_orm(app, actor, make_lab):
    make_lab("SC-TC")
    count = db.session.scalar(select(func.count()).select_from(HistoryEntry))
    entry = db.session.scalar(select(HistoryEntry))
    entry.comment = "tampered"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    entry = db.session.scalar(select(HistoryEntry))
    db.session.delete(entry)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(HistoryEntry)) == count
    assert set(db.session.scalars(select(HistoryEntry.comment))) == {None}


def test_no_view_or_api_writes_history(app):
    """Nothing in the app's URL map edits history: no route names it."""
    assert not [
        r.rule
        for r in app.url_map.iter_rules()
        if "history" in r.rule and r.methods - {"GET", "HEAD", "OPTIONS"}
    ]


def test_lab_page_shows_the_history_of_the_lab_its_certificates_and_contacts(app, client, auth, make_lab):
    user = auth.login("quality", username="editor")
    lab = make_lab("SC-TC")
    other = make_lab("OTHER")
    service.update_lab(lab, {"name": "改名后的实验室"}, user)
    q = service.add_qualification(
        lab,
        {
            "scheme": "CNAS",
            "certificate_no": "CNAS L0042",
            "status": "valid",
            "issued_on": date(2010, 1, 1),
            "expires_on": date(2016, 1, 1),
        },
        user,
    )
    service.remove_qualification(q, user)
    service.add_contact(other, {"name": "不相干的人"}, user)
    html = client.get("/labs/SC-TC").get_data(as_text=True)
    history = html[html.index('card-header">History') :]
    assert "改名后的实验室" in history and "editor" in history
    assert history.count("CNAS L0042") == 2  # added, then deleted
    assert "不相干的人" not in history


def test_a_change_right_after_a_commit_still_records_the_old_value(app, actor, make_lab):
    """Committing expires every attribute; the old value must still be loaded before the set."""
    from labtrack.labs.models import Lab

    lab = make_lab("OLD-1", name="旧名称")
    db.session.commit()  # expires lab: no value of `name` in memory any more
    lab.name = "新名称"
    db.session.commit()
    last = db.session.scalars(
        select(HistoryEntry)
        .where(HistoryEntry.table_name == Lab.__tablename__)
        .order_by(HistoryEntry.id.desc())
    ).first()
    assert last.action == "update"
    assert last.changes == {"name": ["旧名称", "新名称"]}
