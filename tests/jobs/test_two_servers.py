"""Several app servers on one PostgreSQL (and Redis when present): a file stored through one
downloads through the other, and a job started on one is seen finished on the other."""

import io
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest

from config import TestingConfig
from labtrack import create_app
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from tests import factories as f
from tests.jobs.conftest import ROOT, Worker, subprocess_env, wait_for
from tests.notify.smtp import free_port

pytestmark = pytest.mark.slow

LABS_CSV = "code,name,region,kind\nTWO-1,双服务器实验室,Chengdu,regional_lab\nTWO-2,Second lab,Mianyang,regional_lab\n"


class Server:
    """gunicorn serving wsgi:app on a loopback port."""

    def __init__(self, env: dict, log):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        with open(log, "ab") as handle:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{self.port}", "wsgi:app"],
                cwd=ROOT,
                env=env,
                stdout=handle,
                stderr=subprocess.STDOUT,
            )

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/login", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def call(url: str, token: str, data: bytes | None = None, content_type: str | None = None):
    request = urllib.request.Request(url, data=data, headers={"Authorization": f"Bearer {token}"})
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def multipart(fields: dict, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    for name, value in fields.items():
        body.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    body.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
    )
    body.write(content + f"\r\n--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def queue(request, tmp_path):
    """Redis when it is installed (required in CI), else a queue file both servers share."""
    try:
        return {"REDIS_URL": request.getfixturevalue("redis_url"), "JOBS_QUEUE_NAME": f"two{tmp_path.name}"}
    except pytest.skip.Exception:
        return {"JOBS_QUEUE_FILE": str(tmp_path / "queue.db")}


def test_two_app_servers_share_files_and_jobs(postgres_server, tmp_path, queue):
    url = postgres_server.create_database("labtrack_two_servers")
    app = create_app(type("Config", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        db.create_all()
        _admin, headers = f.bearer(role=Role.ADMIN)
        db.session.remove()
        db.engine.dispose()
    token = headers["Authorization"].split(" ", 1)[1]
    servers, worker = [], None
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
        worker = Worker(
            {**env, "LABTRACK_INSTANCE": str(tmp_path / "instance-w")}, tmp_path / "worker.log"
        ).start()
        for server in servers:
            wait_for(server.ready, timeout=60, every=0.3)
        a, b = servers
        body, content_type = multipart({"kind": "lab_import"}, "labs.csv", LABS_CSV.encode())
        status, answer_headers, _ = call(f"{a.url}/api/v1/jobs", token, body, content_type)
        assert status == 202
        location = answer_headers["Location"]

        def finished_on_b():
            status, _h, data = call(b.url + location, token)
            import json

            job = json.loads(data)
            return job if job["status"] in ("done", "failed") else None

        job = wait_for(finished_on_b, timeout=90, every=0.3)
        assert job["status"] == "done", job
        assert job["result"]["created"] == 2
        status, _h, content = call(f"{b.url}{location}/file", token)  # stored through A, read through B
        assert status == 200 and content.decode() == LABS_CSV
        status, _h, _body = call(f"{b.url}/api/v1/labs/TWO-1", token)
        assert status == 200
    finally:
        for server in servers:
            server.stop()
        if worker is not None:
            worker.stop()
    time.sleep(0.1)
