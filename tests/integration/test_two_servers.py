"""Two app servers on one PostgreSQL (and Redis when installed), files in the database store:
evidence uploaded through one downloads through the other, and a scope import started through
one (202, a job) is seen finished through the other, its periods written."""

import json
import uuid

import pytest

from config import TestingConfig
from labtrack import create_app
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from tests import factories as f
from tests.jobs.conftest import Worker, subprocess_env, wait_for
from tests.jobs.test_two_servers import Server, call, queue  # noqa: F401  (the queue fixture)

pytestmark = pytest.mark.slow

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SCOPE_CSV = (
    "lab_code,category_code,category_name,item_code,item_name,method,parameters,granted_on,withdrawn_on\n"
    "TWO-L,C01,食品,I001,铅,GB 5009.12,3,2010-01-05,\n"
)


def _evidence_body(content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="plan.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    body += content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_evidence_and_a_scope_import_across_two_servers(postgres_server, tmp_path, queue):  # noqa: F811
    url = postgres_server.create_database("labtrack_two_servers_integration")
    app = create_app(type("Config", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        db.create_all()
        _admin, headers = f.bearer(role=Role.ADMIN)
        lab = f.LabFactory(code="TWO-L")
        inspector = f.UserFactory(role=Role.INSPECTOR)
        finding_id = f.FindingFactory(audit__lab=lab, audit__lead=inspector, lab=lab).id
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    token = headers["Authorization"].split(" ", 1)[1]
    servers, worker, env = [], None, {}
    try:
        for name in ("a", "b"):
            env = subprocess_env(
                DATABASE_URL=url,
                STORAGE="database",
                SECRET_KEY="two-servers",
                LABTRACK_INSTANCE=str(tmp_path / f"instance-{name}"),  # nothing shared on disk
                UPLOAD_FOLDER=str(tmp_path / f"uploads-{name}"),
                **queue,
            )
            servers.append(Server(env, tmp_path / f"server-{name}.log"))
        worker = Worker({**env, "LABTRACK_INSTANCE": str(tmp_path / "instance-w")}, tmp_path / "worker.log")
        worker.start()
        for server in servers:
            wait_for(server.ready, timeout=60, every=0.3)
        a, b = servers

        body, content_type = _evidence_body(PDF)
        status, _h, data = call(f"{a.url}/api/v1/findings/{finding_id}/evidence", token, body, content_type)
        assert status == 201, data[:500]
        (uploaded,) = json.loads(data)
        status, _h, content = call(f"{b.url}/api/v1/findings/{finding_id}/evidence/{uploaded['id']}", token)
        assert status == 200 and content == PDF
        assert not list((tmp_path / "uploads-a").rglob("*.pdf"))  # nothing on A's disk for B to miss

        status, answer, data = call(f"{a.url}/api/v1/scope/import", token, SCOPE_CSV.encode(), "text/csv")
        assert status == 202, data[:500]
        location = answer["Location"]

        def finished_on_b():
            job = json.loads(call(b.url + location, token)[2])
            return job if job["status"] in ("done", "failed") else None

        job = wait_for(finished_on_b, timeout=90, every=0.3)
        assert job["status"] == "done" and job["result"]["applied"] is True, job
        status, _h, data = call(f"{b.url}/api/v1/labs/TWO-L/scope?on=2010-02-01", token)
        assert status == 200 and json.loads(data)["items_count"] == 1
    finally:
        for server in servers:
            server.stop()
        if worker is not None:
            worker.stop()
