"""A round's PDF built by the real worker process (`flask labtrack worker`), not only eagerly: the web
side queues it, another process builds it, the file is in the shared store."""

import pytest

from config import TestingConfig
from labtrack import create_app
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.jobs import files
from labtrack.jobs.models import Job, JobStatus
from labtrack.proficiency import evaluation, paper, results, service
from tests import factories as f
from tests.jobs.conftest import Worker, subprocess_env, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def shared(tmp_path):
    """An app on a SQLite file and a file queue that a worker process opens too."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    settings = {"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(tmp_path / "up"),
                "JOBS_QUEUE_FILE": str(tmp_path / "queue.db")}  # fmt: skip
    app = create_app(type("Config", (TestingConfig,), settings))
    with app.app_context(), app.test_request_context():
        db.create_all()
        yield app, url
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def test_the_worker_builds_the_final_report(shared, tmp_path):
    _app, url = shared
    labs = [f.LabFactory(code=f"WK-{n}") for n in range(1, 6)]
    staff = f.UserFactory(role=Role.QUALITY)
    rnd = service.create_round(
        {"code": "WK-1", "title": "Lead", "kind": "blind_sample", "measurand": "Pb", "unit": "mg/L",
         "assigned_value_method": "reference", "x_pt": 1.0, "u_x_pt": 0.01, "sigma_pt_method": "fixed",
         "sigma_pt": 0.1, "participants": [lab.code for lab in labs]},
        staff,
    )  # fmt: skip
    service.transition(rnd, "open", staff)
    values = [1.0, 1.05, 0.95, 1.1, 1.4]
    results.submit_results(
        rnd, [{"lab_code": lab.code, "value": v} for lab, v in zip(labs, values, strict=True)], staff
    )
    service.transition(rnd, "closed", staff)
    evaluation.evaluate_round(rnd, staff)
    job = paper.start("report", rnd, staff, None, "en")
    assert job.status == JobStatus.QUEUED  # nothing ran it in this process
    env = subprocess_env(DATABASE_URL=url, LABTRACK_INSTANCE=str(tmp_path / "instance"),
                         UPLOAD_FOLDER=str(tmp_path / "up"), JOBS_QUEUE_FILE=str(tmp_path / "queue.db"))  # fmt: skip
    worker = Worker(env, tmp_path / "worker.log").start()
    try:

        def finished():
            db.session.rollback()
            db.session.expire_all()
            done = db.session.get(Job, job.id)
            return done if done.finished else None

        done = wait_for(finished, timeout=120)
    finally:
        worker.stop()
    assert done.status == JobStatus.DONE, (done.error, (tmp_path / "worker.log").read_text()[-2000:])
    assert done.worker and done.result["filename"] == "WK-1-report-en.pdf"
    assert files.store().get(done.result["file_key"]).startswith(b"%PDF")
