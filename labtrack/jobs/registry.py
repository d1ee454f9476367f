"""The kinds of job the app knows: a name, the function that does the work, who may start it.

A job function has the signature `run(job, report_progress, **params) -> result`: it works in
`db.session` and never commits (the runner commits once when it returns, or rolls everything back
when it raises); it calls `report_progress(done, total)` now and then; it returns something JSON
can hold (shown on the job's page and in `GET /api/v1/jobs/<id>`). `params` are what `submit` was
given: JSON values only (a file goes in as the key of `labtrack.jobs.files.store().put(...)`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from labtrack.auth.permissions import Perm

Runner = Callable[..., Any]


@dataclass(frozen=True)
class JobKind:
    """One registered kind of job."""

    name: str
    run: Runner
    label: Any = None  # a lazy text naming the kind in the user's language
    perm: Perm | None = None  # what a user needs to start it through POST /api/v1/jobs (None: not there)
    takes_file: bool = False  # POST /api/v1/jobs stores the uploaded `file` and passes `file_key`

    @property
    def title(self) -> str:
        """The kind's name for people."""
        return str(self.label) if self.label is not None else self.name


_KINDS: dict[str, JobKind] = {}


def register(
    name: str, run: Runner, *, label: Any = None, perm: Perm | None = None, takes_file: bool = False
) -> JobKind:
    """Register (or replace) a kind of job."""
    kind = JobKind(name, run, label, perm, takes_file)
    _KINDS[name] = kind
    return kind


def job_kind(name: str, **options: Any) -> Callable[[Runner], Runner]:
    """Decorator form of `register`: `@job_kind("scope_import", label=_l("Scope import"))`."""

    def decorator(run: Runner) -> Runner:
        register(name, run, **options)
        return run

    return decorator


def get(name: str) -> JobKind | None:
    """The kind registered under this name, or None."""
    return _KINDS.get(name)


def kinds() -> dict[str, JobKind]:
    """Every registered kind, by name."""
    return dict(_KINDS)
