"""Two submissions of one lab's result at the same moment, in two sessions on two threads.

Both read the round before either writes (a barrier holds them there), so both pass the "has
already reported" check; the database's unique constraint lets one in and the other answers 409
Conflict with a message, nothing of it saved. On SQLite (a file, so the threads have connections
of their own) and, with --db=postgresql, on PostgreSQL.
"""

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from labtrack.auth.models import User
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.proficiency import results, service
from labtrack.proficiency.models import Result
from labtrack.services import Conflict
from tests import factories as f
from tests.conftest import fresh_app


@pytest.fixture
def shared_app(database_url, tmp_path):
    """An app whose database two threads reach through connections of their own."""
    url = f"sqlite:///{tmp_path / 'race.db'}" if database_url.startswith("sqlite") else database_url
    with fresh_app(url, tmp_path) as application:
        yield application


def _open_round(code: str) -> tuple[int, int]:
    lab = f.LabFactory(code="RACE-LAB")
    other = f.LabFactory(code="RACE-OTHER")
    quality = f.UserFactory(role=Role.QUALITY)
    inspector = f.UserFactory(role=Role.INSPECTOR)
    rnd = service.create_round(
        {"code": code, "title": "Lead in ceramics", "kind": "blind_sample", "measurand": "Pb",
         "assigned_value_method": "reference", "x_pt": 10.0, "sigma_pt": 0.5,
         "participants": [lab.code, other.code]},
        quality,
    )  # fmt: skip
    service.transition(rnd, "open", quality)
    return quality.id, inspector.id


def _race(app, monkeypatch, submit) -> list:
    """Run `submit(actor)` in two threads (as two users) that both validate before either stores."""
    barrier = threading.Barrier(2, timeout=20)
    validate = results._validate

    def validate_then_wait(*args, **kwargs):
        clean = validate(*args, **kwargs)
        barrier.wait()
        return clean

    monkeypatch.setattr(results, "_validate", validate_then_wait)
    user_ids = list(db.session.scalars(select(User.id).order_by(User.id)))
    outcomes: list = []

    def run(user_id: int) -> None:
        with app.app_context():
            actor = db.session.get(User, user_id)
            try:
                submit(actor)
                outcomes.append("stored")
            except Conflict as exc:
                outcomes.append(exc)
            except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
                outcomes.append(exc)
                barrier.abort()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(uid,)) for uid in user_ids[:2]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_api_submissions_for_one_lab_store_one_and_refuse_the_other_with_409(shared_app, monkeypatch):
    _open_round("RACE-1")

    def submit(actor):
        rnd = service.get_round("RACE-1", actor, with_results=True)
        results.submit_results(rnd, [{"lab_code": "RACE-LAB", "value": 10.1 + actor.id}], actor)

    outcomes = _race(shared_app, monkeypatch, submit)
    assert outcomes.count("stored") == 1, outcomes
    (refused,) = [o for o in outcomes if o != "stored"]
    assert isinstance(refused, Conflict) and refused.status == 409
    assert isinstance(refused.__cause__, IntegrityError)  # the database refused it: a real race
    assert "a moment ago" in refused.message and "nothing of this one was saved" in refused.message
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Result)) == 1


def test_two_forms_for_one_lab_at_once_keep_one_result(shared_app, monkeypatch):
    _open_round("RACE-2")

    def submit(actor):
        rnd = service.get_round("RACE-2", actor, with_results=True)
        results.submit_result(rnd, {"lab_code": "RACE-LAB", "value": "9.9"}, actor)

    outcomes = _race(shared_app, monkeypatch, submit)
    assert sorted(o if o == "stored" else type(o).__name__ for o in outcomes) == ["Conflict", "stored"]
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Result)) == 1


def test_the_conflict_is_409_json_through_the_api(app, client, labs, make_round, api_token, monkeypatch):
    """What the losing request answers: the unique violation surfaces as a 409 in the error shape."""
    rnd = make_round(labs, status="open", code="RACE-3")
    _, headers = api_token("inspector")
    stored = results._store

    def store_after_a_rival(rnd_, clean, actor):
        # a rival submission for the same lab commits between this one's check and its insert
        other = results.Result(
            round_id=rnd_.id, participant_id=clean[0]["participant"].id, lab_id=clean[0]["participant"].lab_id,
            value=1.0,
        )  # fmt: skip
        db.session.add(other)
        db.session.commit()
        return stored(rnd_, clean, actor)

    monkeypatch.setattr(results, "_store", store_after_a_rival)
    response = client.post(
        f"/api/v1/rounds/{rnd.code}/results", json=[{"lab_code": "A01", "value": 2}], headers=headers
    )
    assert response.status_code == 409
    assert response.json["code"] == 409 and "a moment ago" in response.json["message"]
    assert db.session.scalar(select(Result.value).where(Result.round_id == rnd.id)) == 1.0
