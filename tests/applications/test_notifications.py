"""Whom each step tells: the division of a submission and of a clock overdue (once), the lab's
managers of an acceptance and a return; texts in the reader's language."""

from datetime import date

from sqlalchemy import select

from labtrack.applications import service, steps, tasks
from labtrack.extensions import db
from labtrack.notify.models import Notification


def _notes(user):
    return list(db.session.scalars(select(Notification).where(Notification.recipient_id == user.id)))


def test_steps_tell_whom_they_concern(world):
    application = service.create(
        {"kind": "extension", "items": [{"item_code": "F-2"}]}, world.users["manager"]
    )
    steps.transition(application, "submitted", {}, world.users["manager"], on=date(2010, 9, 1))
    assert [n.kind for n in _notes(world.users["quality"])] == ["application_submitted"]
    assert [n.kind for n in _notes(world.users["quality2"])] == ["application_submitted"]
    assert _notes(world.users["manager"]) == []  # not told of their own step
    steps.transition(
        application, "returned", {"reasons": "缺少附表"}, world.users["quality"], on=date(2010, 9, 2)
    )
    (note,) = _notes(world.users["manager"])
    assert note.kind == "application_returned" and note.params["comment"] == "缺少附表"
    assert _notes(world.users["other-manager"]) == []


def test_an_overdue_clock_is_told_to_the_division_once(world):
    application = service.create(
        {"kind": "extension", "items": [{"item_code": "F-2"}]}, world.users["manager"]
    )
    steps.transition(application, "submitted", {}, world.users["manager"], on=date(2010, 9, 1))
    assert tasks.notify_overdue(date(2010, 9, 8)) == {"overdue_clocks_told": 0}  # due that day
    assert tasks.notify_overdue(date(2010, 9, 9)) == {"overdue_clocks_told": 1}
    assert tasks.notify_overdue(date(2010, 9, 10)) == {"overdue_clocks_told": 0}
    kinds = [n.kind for n in _notes(world.users["quality"])]
    assert kinds.count("application_clock_overdue") == 1


def test_the_commands(app, world):
    runner = app.test_cli_runner()
    application = service.create(
        {"kind": "extension", "items": [{"item_code": "F-2"}]}, world.users["manager"]
    )
    steps.transition(application, "submitted", {}, world.users["manager"], on=date(2010, 9, 1))
    result = runner.invoke(args=["labtrack", "application-clocks", "--on", "2010-09-09"])
    assert result.exit_code == 0 and "1 overdue steps" in result.output
    result = runner.invoke(args=["labtrack", "working-calendar", "2026"])
    assert result.exit_code == 0 and "days added" in result.output
    result = runner.invoke(args=["labtrack", "working-calendar", "2031"])
    assert result.exit_code == 1 and "No notice for 2031" in result.output
