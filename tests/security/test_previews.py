"""Import previews that nobody confirms are deleted by the daily schedule and cannot be applied."""

import io
import re
from datetime import timedelta

from freezegun import freeze_time

from labtrack.auth.tasks import expire_previews
from labtrack.jobs import files, schedule
from labtrack.models_base import utcnow
from tests.scope.sample import ROWS, body


def _preview(client) -> str:
    data = {
        "file": (io.BytesIO(body("L2,C03,玩具,I020,邻苯二甲酸酯,GB 6675.1-2014,6,2010-05-01,")), "scope.csv")
    }
    response = client.post("/scope/import", data=data, content_type="multipart/form-data")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    return re.search(r'name="token" type="hidden" value="([0-9a-f]{64})"', html).group(1)


def test_an_unconfirmed_preview_is_deleted_after_its_hours(app, client, auth, make_lab):
    from labtrack.scope.importer import import_scope

    make_lab("L1"), make_lab("L2")
    assert import_scope(body(*ROWS)).applied
    auth.login("admin")
    key = _preview(client)
    assert files.store().exists(key)
    assert expire_previews() == 0  # young: kept
    later = utcnow() + timedelta(hours=app.config["SCOPE_PREVIEW_HOURS"], minutes=1)
    with freeze_time(later):
        assert expire_previews() == 1
    assert not files.store().exists(key)
    response = client.post("/scope/import/confirm", data={"token": key})
    assert response.headers["Location"].endswith("/scope/import")  # "this preview has expired"
    assert "daily" not in schedule.daily_tasks() and "expire-import-previews" in schedule.daily_tasks()


def test_a_confirmed_import_keeps_its_file(app, client, auth, make_lab):
    from labtrack.scope.importer import import_scope

    make_lab("L1"), make_lab("L2")
    assert import_scope(body(*ROWS)).applied
    auth.login("admin")
    key = _preview(client)
    client.post("/scope/import/confirm", data={"token": key})
    with freeze_time(utcnow() + timedelta(days=30)):
        assert expire_previews() == 0
    assert files.store().exists(key)
