"""Every upload route refuses a decompression bomb with a clear answer, reading next to nothing."""

import io

from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.proficiency.models import Result
from tests.proficiency.conftest import labs, make_round, staff  # noqa: F401  (fixtures)
from tests.security.test_tabular import _bomb, _sheet

BOMB_ROWS = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 1_500_000


def test_results_upload_refuses_a_bomb_beside_the_file_field(client, auth, labs, make_round):  # noqa: F811
    make_round(labs, status="open", code="BOMB-1")
    auth.login("inspector")
    data = {"file": (io.BytesIO(_bomb(_sheet(BOMB_ROWS))), "results.xlsx")}
    response = client.post("/rounds/BOMB-1/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "compressed bomb" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Result)) == 0


def test_scope_import_refuses_a_bomb_before_queuing_it(client, api_token, auth):
    from labtrack.jobs.models import Job

    _, headers = api_token("quality")
    response = client.post("/api/v1/scope/import", headers=headers, data=_bomb(_sheet(BOMB_ROWS)))
    assert response.status_code == 422 and "compressed bomb" in response.json["errors"]["file"][0]
    auth.login("admin")
    data = {"file": (io.BytesIO(_bomb(_sheet(BOMB_ROWS))), "scope.xlsx")}
    page = client.post("/scope/import", data=data, content_type="multipart/form-data")
    assert page.status_code == 422 and "compressed bomb" in page.get_data(as_text=True)  # beside the field
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0
    from labtrack.auth.models import SecurityEvent

    refused = db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "upload_refused")).all()
    assert len(refused) == 2 and all(e.user_id is not None for e in refused)


def test_lab_import_command_refuses_a_bomb(app, tmp_path):
    path = tmp_path / "labs.xlsx"
    path.write_bytes(_bomb(_sheet(BOMB_ROWS)))
    result = app.test_cli_runner().invoke(args=["labtrack", "import-labs", str(path)])
    assert result.exit_code != 0
    assert "compressed bomb" in result.output
