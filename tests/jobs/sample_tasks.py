"""Kinds of job the job tests run (registered on import; the worker app of the tests imports it)."""

import os
import time
from pathlib import Path

from labtrack.extensions import db
from labtrack.jobs import job_kind
from labtrack.labs.models import Lab, LabKind
from labtrack.services import InvalidInput


@job_kind("test_count", label="Counting")
def count(job, report_progress, n: int = 5):
    """Counts to n, reporting progress; its result is the sum."""
    for i in range(1, n + 1):
        report_progress(i, n)
    return {"summary": f"counted to {n}", "sum": n * (n + 1) // 2}


@job_kind("test_half_then_raise", label="Half then raise")
def half_then_raise(job, report_progress, code: str = "HALF-1"):
    """Adds a lab, writes it to the database, then fails: none of it may stay."""
    db.session.add(Lab(code=code, name="Half-made lab", region="Chengdu", kind=LabKind.REGIONAL_LAB))
    db.session.flush()
    report_progress(1, 2)
    raise ValueError("the input ran out half-way")


@job_kind("test_refused", label="Refused")
def refused(job, report_progress):
    """Fails with a domain refusal whose fields are kept."""
    raise InvalidInput(
        "The file has 1 errors; nothing was imported.",
        {"rows": [{"row": 3, "column": "code", "message": "Required."}]},
    )


@job_kind("test_slow_labs", label="Slow labs")
def slow_labs(job, report_progress, n: int = 6, pause: float = 0.5, marker: str | None = None):
    """Adds n labs slowly (one per pause), so that a test can kill its worker half-way."""
    for i in range(n):
        db.session.add(
            Lab(code=f"SLOW-{i}", name=f"Slow lab {i}", region="Chengdu", kind=LabKind.REGIONAL_LAB)
        )
        db.session.flush()
        report_progress(i + 1, n)
        if marker and i == 1:
            Path(marker).write_text(str(os.getpid()))
        time.sleep(pause)
    return {"labs": n}
