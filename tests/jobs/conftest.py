"""Fixtures of the job tests: an app that runs jobs at once, a Redis server, worker processes."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import fresh_app, require_or_skip
from tests.jobs import sample_tasks  # noqa: F401  (registers the test kinds)
from tests.jobs.redis_server import TempRedis

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(database_url, tmp_path):
    """The app with jobs run inside the caller (Huey's immediate mode, in memory)."""
    with fresh_app(
        database_url, tmp_path, JOBS_IMMEDIATE=True, JOBS_QUEUE_FILE=str(tmp_path / "q.db")
    ) as application:
        yield application


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A Redis server of our own for the session (skipped, or failed under LABTRACK_REQUIRE_REDIS=1)."""
    try:
        server = TempRedis()
        url = server.start()
    except (FileNotFoundError, OSError, RuntimeError) as exc:
        require_or_skip("LABTRACK_REQUIRE_REDIS", f"Redis not available: {exc}")
    yield url
    server.stop()


def subprocess_env(**settings: str) -> dict[str, str]:
    """The environment of an app subprocess: this one's, plus settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "LABTRACK_CONFIG"))}
    env.update({"LABTRACK_CONFIG": "development", "PYTHONPATH": str(ROOT)})
    env.update({k: str(v) for k, v in settings.items()})
    return env


class Worker:
    """`flask labtrack worker` in a subprocess (the tests' app, with the sample kinds)."""

    def __init__(self, env: dict[str, str], log: Path):
        self.env, self.log = env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        with open(self.log, "ab") as handle:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "flask",
                    "--app",
                    "tests.jobs.worker_app",
                    "labtrack",
                    "worker",
                    "--workers",
                    "1",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
        return self

    def kill(self) -> None:
        """SIGKILL: the worker dies mid-job, as in a crash or an OOM kill."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        """Stop it the polite way (SIGINT), or kill it."""
        if self.process is not None:
            self.process.send_signal(2)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
            self.process = None


def wait_for(predicate, timeout: float = 30.0, every: float = 0.1):
    """Poll until predicate() is truthy; its value, or AssertionError at the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not true within {timeout} s: {predicate}")
