"""A national-scale export runs as a job: the request answers at once with the job's page (its
progress bar), the worker writes the file into the shared store, the starter downloads it there."""

import re

import pytest

from labtrack.extensions import db
from tests import factories as f
from tests.conftest import fresh_app


@pytest.fixture
def app(database_url, tmp_path):
    """Jobs run eagerly; any export of more than 2 rows is "large"."""
    with fresh_app(
        database_url,
        tmp_path,
        JOBS_IMMEDIATE=True,
        JOBS_QUEUE_FILE=str(tmp_path / "q.db"),
        EXPORT_INLINE_ROWS=2,
    ) as application:
        yield application


@pytest.fixture
def periods():
    lab = f.LabFactory(code="SC-X")
    for code in ("I1", "I2", "I3"):
        f.ScopeEntryFactory(lab=lab, item=f.TestItemFactory(code=code))
    db.session.commit()
    return lab


def test_a_large_scope_export_is_a_job_whose_file_its_starter_downloads(client, auth, periods):
    auth.login("quality")
    started = client.get("/scope/export.csv")
    assert started.status_code == 303 and re.fullmatch(r"/jobs/\d+", started.headers["Location"])
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert 'id="job-progress"' in page and "scope-all.csv is ready to download (3 rows)" in page
    link = re.search(r'id="job-download" href="([^"]+)"', page).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "filename=scope-all.csv" in download.headers["Content-Disposition"]
    lines = download.get_data().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("lab_code,") and sorted(line.split(",")[3] for line in lines[1:]) == [
        "I1",
        "I2",
        "I3",
    ]
    xlsx = client.get("/scope/export.xlsx")
    assert xlsx.status_code == 303
    auth.logout()
    auth.login("inspector")  # another user: not their job, not their file
    assert client.get(link).status_code == 404


def test_a_small_export_or_a_lab_managers_own_lab_is_answered_at_once(client, auth, periods, make_user):
    auth.login(make_user("lab_manager", lab=periods))
    response = client.get("/scope/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"


def test_a_large_findings_export_is_a_job_narrowed_for_its_starter(client, auth, make_user):
    own, other = f.LabFactory(code="SC-OWN"), f.LabFactory(code="SC-OTHER")
    for lab in (own, own, own, other):
        f.FindingFactory(audit__lab=lab, lab=lab)
    db.session.commit()
    auth.login(make_user("lab_manager", lab=own))
    started = client.get("/audits/findings/export.csv")
    assert started.status_code == 303 and started.headers["Location"].startswith("/jobs/")
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    link = re.search(r'id="job-download" href="([^"]+)"', page).group(1)
    lines = client.get(link).get_data().decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 3 and not any("SC-OTHER" in line for line in lines[1:])
    auth.logout()
    auth.login("quality")
    assert client.get("/audits/findings/export.csv?lab=SC-OTHER").status_code == 200  # one row: inline


def test_a_job_without_a_file_sends_its_starter_to_its_page(client, auth, make_user):
    from labtrack import jobs
    from tests.jobs import sample_tasks  # noqa: F401  (the test kinds)

    user = make_user("quality")
    job = jobs.submit("test_count", user, n=2)
    auth.login(user)
    response = client.get(f"/jobs/{job.id}/download")
    assert response.status_code == 303 and response.headers["Location"] == f"/jobs/{job.id}"
