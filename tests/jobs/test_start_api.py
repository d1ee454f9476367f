"""Starting a registered kind of job through the API: 202 with Location, the file in the store,
the import run as a job; refusals."""

from sqlalchemy import select

from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.labs.models import Lab

LABS_CSV = (
    "code,name,region,kind\nJOB-1,作业实验室,Chengdu,regional_lab\nJOB-2,Second lab,Mianyang,regional_lab\n"
)


def test_a_lab_import_as_a_job(app, client, api_token):
    _user, headers = api_token(Role.ADMIN)
    response = client.post(
        "/api/v1/jobs", headers=headers, data={"kind": "lab_import", "file": (_file(LABS_CSV), "labs.csv")}
    )
    assert response.status_code == 202
    location = response.headers["Location"]
    body = client.get(location, headers=headers).get_json()
    assert body["status"] == "done" and body["kind"] == "lab_import"
    assert body["result"]["created"] == 2 and "2 created" in body["result"]["summary"]
    assert sorted(db.session.scalars(select(Lab.code))) == ["JOB-1", "JOB-2"]
    download = client.get(location + "/file", headers=headers)
    assert download.data.decode() == LABS_CSV
    download.close()


def test_a_bad_file_fails_the_job_with_its_row_errors_and_imports_nothing(app, client, api_token):
    _user, headers = api_token(Role.ADMIN)
    bad = "code,name,region,kind\nJOB-1,,Chengdu,regional_lab\n"
    response = client.post(
        "/api/v1/jobs", headers=headers, data={"kind": "lab_import", "file": (_file(bad), "l.csv")}
    )
    body = client.get(response.headers["Location"], headers=headers).get_json()
    assert body["status"] == "failed" and "nothing was imported" in body["error"]
    assert body["result"]["errors"]["rows"][0]["row"] == 2
    assert db.session.scalar(select(Lab).where(Lab.code == "JOB-1")) is None


def test_refusals(app, client, api_token):
    _viewer, viewer = api_token(Role.VIEWER)
    response = client.post(
        "/api/v1/jobs", headers=viewer, data={"kind": "lab_import", "file": (_file(LABS_CSV), "l.csv")}
    )
    assert response.status_code == 403
    _admin, admin = api_token(Role.ADMIN)
    assert client.post("/api/v1/jobs", headers=admin, data={"kind": "lab_import"}).status_code == 422
    response = client.post("/api/v1/jobs", headers=admin, data={"kind": "rm -rf"})
    assert response.status_code == 422 and "kind" in response.get_json()["errors"]
    assert client.post("/api/v1/jobs", headers=admin, data={}).status_code == 422
    assert (
        client.post("/api/v1/jobs", headers=admin, data={"kind": "test_count"}).status_code == 422
    )  # not startable here


def _file(text: str):
    import io

    return io.BytesIO(text.encode())
