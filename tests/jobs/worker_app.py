"""The app the worker subprocesses of the tests run: labtrack's, plus the sample kinds of job.

`flask --app tests.jobs.worker_app labtrack worker` (settings from the environment)."""

from labtrack import create_app
from tests.jobs import sample_tasks  # noqa: F401  (registers the test kinds)

app = create_app()
