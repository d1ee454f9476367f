"""The record an applied scope import leaves: its page, the list, the stored file, each period's row."""

import hashlib
import io
import re

import pytest
from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.jobs import files
from labtrack.scope.importer import import_scope
from labtrack.scope.models import ScopeEntry, ScopeImport
from tests.scope.sample import ROWS, body


@pytest.fixture
def labs(app, make_lab):
    return make_lab("L1", region="North"), make_lab("L2", region="South")


def upload(client, content: bytes, name: str = "全省 2010.csv"):
    """Preview then apply through the pages (the jobs run at once here); the applied job's page."""
    r = client.post(
        "/scope/import", data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    )
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]{64})"', html).group(1)
    r = client.post("/scope/import/confirm", data={"token": token})
    return client.get(r.headers["Location"]).get_data(as_text=True)


def test_an_import_through_the_page_is_recorded_with_its_file(client, auth, labs):
    admin = auth.login("admin", username="管理员")
    content = body(*ROWS)
    html = upload(client, content)
    record = db.session.scalar(select(ScopeImport))
    assert f'href="/scope/imports/{record.id}"' in html  # the applied job links to the record
    assert record.sha256 == hashlib.sha256(content).hexdigest()
    assert (record.filename, record.username, record.user_id, record.rows, record.new_periods) == (
        "全省 2010.csv",
        "管理员",
        admin.id,
        4,
        4,
    )
    listing = client.get("/scope/imports").get_data(as_text=True)
    assert "全省 2010.csv" in listing and record.sha256[:12] in listing
    page = client.get(f"/scope/imports/{record.id}").get_data(as_text=True)
    assert record.sha256 in page and 'id="import-file"' in page
    # The file downloads again byte for byte, named as it was uploaded.
    r = client.get(f"/scope/imports/{record.id}/file")
    assert r.status_code == 200 and r.data == content
    assert "attachment" in r.headers["Content-Disposition"] and r.mimetype == "text/csv"


def test_each_period_names_its_import_and_row(client, auth, labs, make_user):
    content = body(*ROWS)
    report = import_scope(io.BytesIO(content), filename="scope.csv")
    entry = db.session.scalar(select(ScopeEntry).where(ScopeEntry.import_row == 5))  # L2's I001
    auth.login("quality")
    page = client.get(f"/scope/labs/L2/entries/{entry.id}").get_data(as_text=True)
    source = re.search(r'id="entry-source">(.*?)</dd>', page, re.S).group(1)
    assert f'href="/scope/imports/{report.import_id}"' in source and ", row 5" in source
    # L2's manager reads where the period came from, without a link to a record of every lab's file.
    auth.logout()
    auth.login(make_user("lab_manager", lab=labs[1]))
    page = client.get(f"/scope/labs/L2/entries/{entry.id}").get_data(as_text=True)
    source = re.search(r'id="entry-source">(.*?)</dd>', page, re.S).group(1)
    assert "row 5" in source and "href" not in source
    for path in (
        "/scope/imports",
        f"/scope/imports/{report.import_id}",
        f"/scope/imports/{report.import_id}/file",
    ):
        assert client.get(path).status_code in (403, 404), path


def test_a_file_no_longer_stored_is_said_so(client, auth, labs):
    report = import_scope(body(*ROWS), filename="old.csv")  # from the command line: not in the store
    assert not files.store().exists(report.sha256)
    auth.login("admin")
    page = client.get(f"/scope/imports/{report.import_id}").get_data(as_text=True)
    assert 'id="import-file"' not in page
    r = client.get(f"/scope/imports/{report.import_id}/file")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/scope/imports/{report.import_id}")
    assert client.get("/scope/imports/999999").status_code == 404


def test_a_refused_or_previewed_import_leaves_no_record(client, auth, labs):
    assert not import_scope(body("XX,C01,食品,I001,铅,,3,2009-01-05,")).ok
    assert import_scope(body(*ROWS), dry_run=True).ok
    assert db.session.scalar(select(func.count()).select_from(ScopeImport)) == 0
    auth.login("admin")
    assert "No scope import has been applied yet." in client.get("/scope/imports").get_data(as_text=True)


def test_import_scope_command_records_and_stores_the_file(app, labs, tmp_path):
    path = tmp_path / "省局范围.csv"
    path.write_bytes(body(*ROWS))
    result = app.test_cli_runner().invoke(args=["labtrack", "import-scope", str(path)])
    assert result.exit_code == 0, result.output
    record = db.session.scalar(select(ScopeImport))
    assert record.filename == "省局范围.csv" and record.username is None and record.rows == 4
    assert files.store().get(record.sha256) == path.read_bytes()
