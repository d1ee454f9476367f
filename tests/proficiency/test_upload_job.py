"""Results files are imported by a background job (as the scope import is): the upload answers at
once, the round's page follows the job's progress and shows its outcome (every row error, nothing
stored half-way), and the job is at GET /api/v1/jobs/<id>. Jobs run eagerly here (Huey's immediate
mode), as in tests/jobs and tests/scope."""

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.proficiency.models import Result
from tests.conftest import fresh_app

HEADER = "lab_code,value,expanded_uncertainty,coverage_factor,method\n"


@pytest.fixture
def app(database_url, tmp_path):
    """A fresh app whose jobs run at once, inside the request that queues them."""
    with fresh_app(
        database_url, tmp_path, JOBS_IMMEDIATE=True, JOBS_QUEUE_FILE=str(tmp_path / "q.db")
    ) as application:
        yield application


def _csv(text: str):
    return {"file": (io.BytesIO(text.encode()), "results.csv")}


def _job_of(response):
    """The upload job a redirect names (`?job=N`), re-read from the database."""
    from labtrack.jobs.models import Job

    location = response.headers["Location"]
    assert "/rounds/" in location and "job=" in location, location
    job_id = int(location.split("job=")[1].split("#")[0].split("&")[0])
    db.session.expire_all()
    return db.session.get(Job, job_id), location


def test_upload_is_all_or_nothing_with_row_numbers(client, auth, labs, make_round):
    make_round(labs, status="open", code="UP-1")
    auth.login("inspector")
    body = HEADER + "A01,1.5,,,\nA02,abc,,,\nA09,1,,,\nA03,1,-2,,\nA01,2,,,\n"
    response = client.post("/rounds/UP-1/upload", data=_csv(body), content_type="multipart/form-data")
    assert response.status_code == 303  # answered at once: the file is imported by a job
    job, location = _job_of(response)
    assert job.kind == "round_results_upload" and job.status == "failed"
    rows = {(e["row"], e["column"]) for e in job.result["errors"]["rows"]}
    assert {(3, "value"), (4, "lab_code"), (5, "expanded_uncertainty"), (6, "lab_code")} <= rows
    assert db.session.scalar(select(func.count()).select_from(Result)) == 0
    page = client.get(location).get_data(as_text=True)
    assert 'id="upload-job"' in page and "nothing of it was applied" in page and "Row 3, value" in page
    api = client.get(f"/api/v1/jobs/{job.id}").get_json()
    assert api["status"] == "failed" and api["kind"] == "round_results_upload"
    wrong = client.post(
        "/rounds/UP-1/upload", data=_csv("lab,value\nA01,1\n"), content_type="multipart/form-data"
    )
    job, _location = _job_of(wrong)
    assert job.status == "failed" and "header must be exactly" in str(job.result["errors"]["rows"])
    ok = client.post("/rounds/UP-1/upload", data=_csv(HEADER + "A01,1.5,0.1,2,ICP-MS\nA02,1.6,,,\n"),
                     content_type="multipart/form-data")  # fmt: skip
    job, location = _job_of(ok)
    assert job.status == "done" and job.result["stored"] == 2 and (job.done, job.total) == (2, 2)
    stored = db.session.scalars(select(Result).order_by(Result.id)).all()
    assert [(r.value, r.expanded_uncertainty, r.coverage_factor, r.method) for r in stored] == [
        (1.5, 0.1, 2.0, "ICP-MS"),
        (1.6, None, None, None),
    ]
    page = client.get(location).get_data(as_text=True)
    assert "2 results imported into UP-1." in page


def test_an_upload_job_of_another_round_or_user_is_not_shown(client, auth, labs, make_round, make_user):
    make_round(labs, status="open", code="UP-3")
    make_round(labs, status="open", code="UP-4")
    auth.login("inspector")
    job, _location = _job_of(
        client.post(
            "/rounds/UP-3/upload", data=_csv(HEADER + "A01,1.5,,,\n"), content_type="multipart/form-data"
        )
    )
    assert client.get(f"/rounds/UP-4?job={job.id}").status_code == 404
    auth.logout()
    auth.login(make_user("inspector", username="inspector-2"))
    assert client.get(f"/rounds/UP-3?job={job.id}").status_code == 404


def test_upload_xlsx(client, auth, labs, make_round):
    make_round(labs, status="open", code="UP-2")
    auth.login("inspector")
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["A01", 1.25, 0.05, 2, "AAS"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    response = client.post(
        "/rounds/UP-2/upload", data={"file": (out, "r.xlsx")}, content_type="multipart/form-data"
    )
    job, _location = _job_of(response)
    assert job.status == "done"
    assert db.session.scalar(select(Result.value)) == 1.25
