"""Jobs run in the background: done with a result, a refusal or a crash half-way commits nothing
and is shown to whoever started it, and the API and page show one's own jobs only."""

import pytest
from sqlalchemy import func, select

from labtrack import jobs
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.jobs import runner
from labtrack.jobs.models import Job, JobStatus
from labtrack.labs.models import Lab
from labtrack.notify.models import Notification
from labtrack.services import InvalidInput
from tests import factories as f


def test_a_job_runs_to_done_with_its_result_and_progress(app):
    user = f.UserFactory(role=Role.QUALITY)
    job = jobs.submit("test_count", user, n=4)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.DONE
    assert job.result == {"summary": "counted to 4", "sum": 10}
    assert (job.done, job.total) == (4, 4)
    assert job.attempts == 1 and job.started_at and job.finished_at
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == user.id))
    assert (note.kind, note.record_table, note.record_id) == ("job_done", "jobs", job.id)


def test_a_job_that_raises_half_way_commits_nothing_and_tells_its_starter(app):
    user = f.UserFactory(role=Role.QUALITY)
    job = jobs.submit("test_half_then_raise", user, code="HALF-9")
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.FAILED
    assert "ValueError" in job.error and "half-way" in job.error
    assert db.session.scalar(select(func.count()).select_from(Lab).where(Lab.code == "HALF-9")) == 0
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == user.id))
    assert note.kind == "job_failed" and "half-way" in note.params["error"]


def test_a_refused_job_keeps_the_refusal_and_its_row_errors(app, client, auth):
    user = auth.login(Role.QUALITY)
    job = jobs.submit("test_refused", user)
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "nothing of it was applied" in page
    assert "The file has 1 errors" in page and "Row 3" in page and "Required." in page
    body = client.get(f"/api/v1/jobs/{job.id}").get_json()
    assert body["status"] == "failed"
    assert body["result"] == {"errors": {"rows": [{"row": 3, "column": "code", "message": "Required."}]}}


def test_the_api_answers_designs_shape_exactly(app, client, auth):
    user = auth.login(Role.VIEWER)
    job = jobs.submit("test_count", user, n=3)
    response = client.get(f"/api/v1/jobs/{job.id}")
    assert response.status_code == 200
    assert response.get_json() == {
        "id": job.id,
        "kind": "test_count",
        "status": "done",
        "progress": {"done": 3, "total": 3},
        "result": {"summary": "counted to 3", "sum": 6},
        "error": None,
    }


@pytest.mark.parametrize("role", [Role.VIEWER, Role.LAB_MANAGER, Role.INSPECTOR, Role.QUALITY])
def test_another_users_job_is_404_to_everyone_but_admins(app, client, auth, role):
    owner = f.UserFactory(role=Role.QUALITY)
    job = jobs.submit("test_count", owner, n=1)
    auth.login(role)
    assert client.get(f"/api/v1/jobs/{job.id}").status_code == 404
    assert client.get(f"/jobs/{job.id}").status_code == 404
    assert client.get("/api/v1/jobs").get_json()["meta"]["total"] == 0


def test_admins_see_every_job(app, client, auth):
    job = jobs.submit("test_count", f.UserFactory(role=Role.QUALITY), n=1)
    auth.login(Role.ADMIN)
    assert client.get(f"/api/v1/jobs/{job.id}").status_code == 200
    assert "Counting" in client.get("/jobs/").get_data(as_text=True)


def test_jobs_need_a_sign_in(app, client):
    assert client.get("/api/v1/jobs/1").status_code == 401
    assert client.get("/jobs/1").status_code in (302, 303)


def test_an_unknown_kind_is_refused(app):
    with pytest.raises(InvalidInput):
        jobs.submit("no_such_kind", None)


def test_the_job_page_polls_with_a_static_script_not_an_inline_one(app, client, auth):
    user = auth.login(Role.QUALITY)
    job = Job(kind="test_count", started_by_id=user.id, status=JobStatus.RUNNING, total=10, done=4)
    db.session.add(job)
    db.session.commit()
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert 'src="/static/jobs.js"' in page
    assert f'data-url="/api/v1/jobs/{job.id}"' in page
    assert 'aria-valuenow="40"' in page and "4 of 10" in page
    assert "<script>" not in page.replace(" ", "")
    script = client.get("/static/jobs.js")
    assert script.status_code == 200 and b"dataset.url" in script.data  # the URL comes from the page
    script.close()


def test_a_job_submitted_inside_a_unit_of_work_that_rolls_back_is_never_queued(app, monkeypatch):
    queued = []
    monkeypatch.setattr(runner.queue, "enqueue", lambda _app, job_id: queued.append(job_id))
    from labtrack.services import transaction

    with pytest.raises(RuntimeError), transaction():
        jobs.submit("test_count", None, n=1)
        raise RuntimeError("the outer work failed")
    assert queued == []
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_an_unreachable_queue_leaves_the_job_queued_for_the_sweep(app, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("queue down")

    huey = runner.queue.huey_of(app)
    monkeypatch.setattr(huey, "labtrack_run_job", down)
    job = jobs.submit("test_count", None, n=1)
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == JobStatus.QUEUED
