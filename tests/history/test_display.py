"""History pages read in human terms: labels, names instead of ids, both languages; the API stays raw."""

import re
from datetime import datetime

from flask_babel import force_locale
from sqlalchemy import select

from labtrack.extensions import db
from labtrack.history import display
from labtrack.history.models import HistoryEntry
from labtrack.labs import service
from tests import factories as f


def _lab_history(lab):
    return list(
        db.session.scalars(
            select(HistoryEntry).where(HistoryEntry.table_name == "labs", HistoryEntry.record_id == lab.id)
        )
    )


def test_lab_page_shows_labels_not_columns_in_english_and_chinese(app, client, auth):
    admin = auth.login("admin", username="boss", full_name="Wang Fang")
    lab = service.create_lab(
        {"code": "SC-TC", "name": "技术中心", "region": "Chengdu", "kind": "technical_centre"}, admin
    )
    service.update_lab(lab, {"is_model_lab": True}, admin)
    html = client.get("/labs/SC-TC").get_data(as_text=True)
    history = re.sub(r'data-field="[^"]*"', "", html[html.index("history") :])
    assert "Model laboratory" in history and "Yes" in history
    assert "Technical centre" in history and "technical_centre" not in history
    assert "is_model_lab" not in history and "code_key" not in history and "created_at" not in history
    assert "Wang Fang (boss)" in history
    client.post("/language/zh_Hans_CN")
    html = client.get("/labs/SC-TC").get_data(as_text=True)
    history = re.sub(r'data-field="[^"]*"', "", html[html.index("history") :])
    assert "精品实验室" in history or "示范实验室" in history
    assert "是" in history and "技术中心" in history
    assert "is_model_lab" not in history


def test_ids_become_names_and_states_labels(app):
    inspector = f.UserFactory(role="inspector", username="insp", full_name="Li Wei")
    finding = f.FindingFactory(raised_by=inspector)
    entry = HistoryEntry(
        at=datetime(2026, 11, 2, 9, 30),
        table_name="findings",
        record_id=finding.id,
        action="update",
        changes={
            "lab_id": [None, finding.lab_id],
            "raised_by_id": [None, inspector.id],
            "status": ["open", "plan_submitted"],
            "version": [1, 2],
            "due_on": ["2026-11-20", "2026-12-20"],
        },
    )
    with app.test_request_context(), force_locale("en"):
        (row,) = display.display_rows([entry])
        by_key = {c.key: c for c in row.changes}
        assert set(by_key) == {"lab_id", "raised_by_id", "status", "due_on"}  # version is internal
        assert (
            by_key["lab_id"].label == "Laboratory"
            and by_key["lab_id"].new == f"{finding.lab.code} {finding.lab.name_en}"
        )
        assert by_key["raised_by_id"].label == "Raised by" and by_key["raised_by_id"].new == "Li Wei (insp)"
        assert by_key["status"].old == "Open" and by_key["status"].new == "Plan submitted"
        assert by_key["due_on"].new == "Dec 20, 2026"
        assert row.at.startswith("Nov 2, 2026")
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        (row,) = display.display_rows([entry])
        by_key = {c.key: c for c in row.changes}
        assert by_key["raised_by_id"].label == "提出人"
        assert by_key["status"].new not in ("plan_submitted", "Plan submitted")
        assert by_key["due_on"].new == "2026年12月20日"


def test_a_deleted_reference_shows_its_id(app):
    entry = HistoryEntry(
        at=datetime(2026, 1, 1),
        table_name="findings",
        record_id=1,
        action="update",
        changes={"lab_id": [None, 999999]},
    )
    with app.test_request_context(), force_locale("en"):
        (row,) = display.display_rows([entry])
    assert row.changes[0].new == "#999999"


def test_an_area_registers_labels_formatters_and_hidden_columns(app):
    display.register(
        "widgets_test", labels={"size": "Width"}, formatters={"size": lambda v: f"{v} mm"}, hidden={"secret"}
    )
    entry = HistoryEntry(
        at=datetime(2026, 1, 1),
        table_name="widgets_test",
        record_id=1,
        action="insert",
        changes={"size": [None, 5], "secret": [None, "x"]},
    )
    with app.test_request_context(), force_locale("en"):
        (row,) = display.display_rows([entry])
    assert [(c.label, c.new) for c in row.changes] == [("Width", "5 mm")]


def test_stored_rows_keep_raw_values(app, client, auth):
    admin = auth.login("admin")
    lab = service.create_lab(
        {"code": "SC-TC", "name": "技术中心", "region": "Chengdu", "kind": "technical_centre"}, admin
    )
    assert _lab_history(lab)[0].changes["kind"] == [None, "technical_centre"]


def test_other_areas_columns_read_like_their_forms(app):
    """A column no one registered takes the label its area's form gives the field of that name."""
    labels = display.form_labels("proficiency")
    assert "x_pt" in labels
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        label = display.field_label("rounds", "x_pt")
        assert label == str(labels["x_pt"]) and label != "X pt"
