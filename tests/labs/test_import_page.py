"""The laboratory import page: upload, a preview (a dry run job: nothing written, nobody notified),
row errors, then apply (all or nothing); administrators only; both languages."""

import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import event, func, select

from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.jobs.models import Job, JobStatus
from labtrack.labs.models import Lab, LabKind
from labtrack.notify.models import Notification
from tests import factories as f
from tests.conftest import fresh_app

GOOD = (
    "code,name,region,kind\n"
    "ZG-PQI,自贡市产品质量监督检验所,Zigong,Product quality inspection institute\n"
    "LS-MTI,乐山市计量测试所,Leshan,计量测试所\n"
    "OLD-1,Renamed lab,Chengdu,regional_lab\n"
)


@pytest.fixture
def app(database_url, tmp_path):
    """The app with jobs run inside the request (as the worker would, at once)."""
    with fresh_app(
        database_url, tmp_path, JOBS_IMMEDIATE=True, JOBS_QUEUE_FILE=str(tmp_path / "q.db")
    ) as application:
        yield application


def _upload(client, content: bytes, name: str = "labs.csv"):
    return client.post(
        "/labs/import", data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    )


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Lab))


def _token(page: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)


def test_preview_then_apply_creates_and_updates_and_tells_only_of_the_real_import(app, client, auth):
    f.LabFactory(code="OLD-1", name="Old name", region="Chengdu")
    db.session.commit()
    admin = auth.login(Role.ADMIN)
    response = _upload(client, GOOD.encode("utf-8"))
    assert response.status_code == 303
    preview = client.get(response.headers["Location"])
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'id="preview-summary"' in page
    assert "2 to create, 1 to update, 0 unchanged" in page
    assert "<code>ZG-PQI</code>" in page and "<code>OLD-1</code>" in page
    assert _count() == 1  # a preview writes nothing
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0  # nor tells anyone

    applied = client.post("/labs/import/confirm", data={"token": _token(page)})
    assert applied.status_code == 303
    done = client.get(applied.headers["Location"]).get_data(as_text=True)
    assert 'id="import-applied"' in done and "2 created, 1 updated" in done
    db.session.expire_all()
    labs = {lab.code: lab for lab in db.session.scalars(select(Lab))}
    assert set(labs) == {"OLD-1", "ZG-PQI", "LS-MTI"}
    assert labs["OLD-1"].name == "Renamed lab" and labs["LS-MTI"].kind == LabKind.METROLOGY
    notes = db.session.scalars(select(Notification)).all()
    assert [(n.recipient_id, n.kind) for n in notes] == [(admin.id, "job_done")]


def test_row_errors_are_listed_by_row_and_column_and_nothing_is_written(app, client, auth):
    auth.login(Role.ADMIN)
    bad = GOOD + "BAD CODE!,,Chengdu,spaceship\nZG-PQI,Twice,Zigong,regional_lab\n"
    response = _upload(client, bad.encode("utf-8"))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="import-errors"' in page and 'id="confirm-import"' not in page
    rows = re.findall(r"<tr><td>(\d+)</td><td>(\w*)</td>", page)
    assert ("5", "code") in rows and ("5", "name") in rows and ("5", "kind") in rows and ("6", "code") in rows
    assert _count() == 0
    job = db.session.scalar(select(Job))
    assert job.status == JobStatus.FAILED


def test_an_xlsx_file_previews_too(app, client, auth):
    auth.login(Role.ADMIN)
    workbook = Workbook()
    for row in (["code", "name", "region", "kind"], ["XL-1", "Excel lab", "Leshan", "metrology_institute"]):
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = _upload(client, buffer.getvalue(), "labs.xlsx")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 to create" in page and "<code>XL-1</code>" in page


def test_apply_is_all_or_nothing_when_writing_fails_half_way(app, client, auth, request):
    auth.login(Role.ADMIN)
    page = client.get(_upload(client, GOOD.encode("utf-8")).headers["Location"]).get_data(as_text=True)
    made = []

    def second_fails(_mapper, _connection, lab):
        made.append(lab.code)
        if len(made) == 2:
            raise RuntimeError("disk full")  # the first new lab is already written

    event.listen(Lab, "before_insert", second_fails)
    request.addfinalizer(lambda: event.remove(Lab, "before_insert", second_fails))
    response = client.post("/labs/import/confirm", data={"token": _token(page)})
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="import-failed"' in done and len(made) == 2
    assert _count() == 0


def test_a_forged_or_stale_token_applies_nothing(app, client, auth):
    auth.login(Role.ADMIN)
    response = client.post("/labs/import/confirm", data={"token": "a" * 64})
    assert response.headers["Location"].endswith("/labs/import")
    assert db.session.scalar(select(Job).limit(1)) is None


@pytest.mark.parametrize("role", [Role.VIEWER, Role.INSPECTOR, Role.LAB_MANAGER])
def test_other_roles_may_not_import(app, client, auth, role):
    auth.login(role)
    before = _count()
    assert client.get("/labs/import").status_code == 403
    assert _upload(client, GOOD.encode("utf-8")).status_code == 403
    assert client.post("/labs/import/confirm", data={"token": "a" * 64}).status_code == 403
    assert client.get("/labs/").get_data(as_text=True).count('href="/labs/import"') == 0
    assert _count() == before and db.session.scalar(select(Job).limit(1)) is None


def test_another_users_job_is_not_shown(app, client, auth):
    auth.login(Role.ADMIN)
    location = _upload(client, GOOD.encode("utf-8")).headers["Location"]
    auth.logout()
    auth.login(Role.QUALITY)
    assert client.get(location).status_code == 404
    assert client.get("/labs/import?job=abc").status_code == 200


def test_the_page_in_chinese_and_linked_from_the_list(app, client, auth):
    auth.login(Role.ADMIN)
    assert 'href="/labs/import"' in client.get("/labs/").get_data(as_text=True)
    page = client.get("/labs/import", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "导入实验室" in page
