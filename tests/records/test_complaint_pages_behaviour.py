"""Complaint pages as the people handling them use them, in English and Chinese (today is
2010-06-01): the list's labels and filters, a step taken from the page (303, flash, history), a
step refused beside its date (422, nothing changed), a stale form, registration, and the export's
columns with formula-like text defused."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.records.models import Complaint
from tests.records.conftest import login
from tests.records.factories import ComplaintFactory

pytestmark = pytest.mark.usefixtures("frozen")
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-GB"}


def html(response) -> str:
    return response.get_data(as_text=True)


def reload(complaint: Complaint) -> Complaint:
    db.session.expire_all()
    return db.session.get(Complaint, complaint.id)


@pytest.fixture
def complaints(world):
    """HOME: a hotline complaint received 2010-05-04 (open) and a letter answered in 2009;
    OTHER: an online complaint received 2010-05-20."""
    return {
        "open": ComplaintFactory(lab=world.home, subject="报告与复检结果不一致"),
        "old": ComplaintFactory(
            lab=world.home,
            channel="letter",
            received_on=date(2009, 11, 2),
            answered=True,
            acknowledged_on=date(2009, 11, 3),
            investigated_on=date(2009, 11, 10),
            feedback_on=date(2009, 11, 20),
            subject="Late report",
        ),
        "theirs": ComplaintFactory(lab=world.other, channel="online", received_on=date(2010, 5, 20)),
    }


# --- the list ---------------------------------------------------------------------------------


def test_the_list_names_channels_and_states_in_chinese(world, client, complaints):
    login(client, world.quality)
    page = html(client.get("/records/complaints", headers=ZH))
    assert "热线电话" in page and "来信" in page and "收到" in page and "已反馈" in page
    english = html(client.get("/records/complaints", headers=EN))
    assert "Hotline" in english and "Answered" in english and "热线电话" not in english


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ("channel=letter", ["old"], ["open", "theirs"]),
        ("year=2009", ["old"], ["open", "theirs"]),
        ("awaiting_feedback=1", ["open", "theirs"], ["old"]),
        ("status=answered", ["old"], ["open", "theirs"]),
        ("lab=other", ["theirs"], ["open", "old"]),
        ("q=复检", ["open"], ["old", "theirs"]),
    ],
)
def test_the_list_filters(world, client, complaints, query, shown, hidden):
    login(client, world.quality)
    page = html(client.get(f"/records/complaints?{query}"))
    for name in shown:
        assert complaints[name].reference in page, (query, name)
    for name in hidden:
        assert complaints[name].reference not in page, (query, name)


@pytest.mark.parametrize(
    "query", ["year=-1", "year=10000", "year=abc", "page=99999999999999999999", "status=%00"]
)
def test_odd_filters_never_give_a_server_error(world, client, complaints, query):
    login(client, world.quality)
    assert client.get(f"/records/complaints?{query}").status_code in (200, 404, 422)


def test_a_lab_manager_lists_their_own_labs_complaints(world, client, complaints):
    login(client, world.manager)
    page = html(client.get("/records/complaints"))
    assert complaints["open"].reference in page and complaints["theirs"].reference not in page


# --- taking a step from the page --------------------------------------------------------------


def test_acknowledging_redirects_flashes_in_chinese_and_writes_history(world, client, complaints):
    complaint = complaints["open"]
    login(client, world.quality)
    response = client.post(
        f"/records/complaints/{complaint.id}/acknowledged",
        data={"acknowledged-acknowledged_on": "2010-05-05", "acknowledged-version": complaint.version},
        headers=ZH,
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/records/complaints/{complaint.id}")
    assert "已确认受理。" in html(client.get(response.headers["Location"], headers=ZH))
    saved = reload(complaint)
    assert (saved.status, saved.acknowledged_on) == ("acknowledged", date(2010, 5, 5))
    rows = db.session.scalars(
        select(HistoryEntry).where(
            HistoryEntry.table_name == "complaints",
            HistoryEntry.record_id == complaint.id,
            HistoryEntry.action == "update",
        )
    ).all()
    assert rows and rows[-1].username == "quality"


def test_a_step_dated_before_receipt_is_refused_beside_its_date(world, client, complaints):
    complaint = complaints["open"]
    login(client, world.quality)
    response = client.post(
        f"/records/complaints/{complaint.id}/acknowledged",
        data={"acknowledged-acknowledged_on": "2010-05-01", "acknowledged-version": complaint.version},
    )
    assert response.status_code == 422
    assert "This cannot come before the step before it (2010-05-04)." in html(response)
    assert reload(complaint).status == "received"


def test_a_step_dated_in_the_future_is_refused(world, client, complaints):
    complaint = complaints["open"]
    login(client, world.quality)
    response = client.post(
        f"/records/complaints/{complaint.id}/acknowledged",
        data={"acknowledged-acknowledged_on": "2010-06-02", "acknowledged-version": complaint.version},
    )
    assert response.status_code == 422
    assert reload(complaint).acknowledged_on is None


def test_a_form_read_before_someone_elses_change_is_refused(world, client, complaints):
    complaint = complaints["open"]
    login(client, world.quality)
    response = client.post(
        f"/records/complaints/{complaint.id}/acknowledged",
        data={"acknowledged-acknowledged_on": "2010-05-05", "acknowledged-version": complaint.version + 1},
        follow_redirects=True,
    )
    assert "Someone else changed this complaint meanwhile" in html(response)
    assert reload(complaint).status == "received"


def test_the_investigation_needs_its_text_and_outcome(world, client, complaints):
    complaint = ComplaintFactory(lab=world.home, acknowledged=True)
    login(client, world.inspector)
    response = client.post(
        f"/records/complaints/{complaint.id}/investigated",
        data={"investigated-investigated_on": "2010-05-20", "investigated-version": complaint.version},
    )
    assert response.status_code == 422
    assert reload(complaint).status == "acknowledged"


@pytest.mark.parametrize("who", ["viewer", "manager"])
def test_readers_and_lab_managers_take_no_step(world, client, complaints, who):
    complaint = complaints["open"]
    login(client, getattr(world, who))
    response = client.post(
        f"/records/complaints/{complaint.id}/acknowledged", data={"acknowledged-version": complaint.version}
    )
    assert response.status_code == 403
    assert reload(complaint).status == "received"


def test_registering_from_the_page_says_so_in_chinese(world, client):
    login(client, world.quality)
    response = client.post(
        "/records/complaints/new",
        data={
            "lab_code": "HOME",
            "channel": "hotline",
            "received_on": "2010-05-30",
            "complainant_name": "李女士",
            "subject": "检测报告盖章不全",
            "description": "报告缺少资质认定标志。",
        },
        headers=ZH,
    )
    assert response.status_code == 303
    made = db.session.scalar(select(Complaint))
    assert made.reference == "CP-2010-001" and made.lab_id == world.home.id
    assert "投诉 CP-2010-001 已登记。" in html(client.get(response.headers["Location"], headers=ZH))


def test_a_complaint_received_tomorrow_is_refused(world, client):
    login(client, world.quality)
    response = client.post(
        "/records/complaints/new",
        data={
            "lab_code": "HOME",
            "channel": "hotline",
            "received_on": "2010-06-02",
            "subject": "x",
            "description": "y",
        },
    )
    assert response.status_code == 422
    assert db.session.scalar(select(Complaint)) is None


# --- the export -------------------------------------------------------------------------------


def test_the_export_has_the_handlers_columns_and_defuses_formulas(world, client):
    ComplaintFactory(
        lab=world.home, subject='=HYPERLINK("http://evil.example","click")', complainant_name="@me"
    )
    login(client, world.quality)
    csv = html(client.get("/records/complaints/export?format=csv")).lstrip("\ufeff")
    header, row = csv.splitlines()[:2]
    assert header.split(",")[-2:] == ["complainant_name", "complainant_contact"]
    assert "'=HYPERLINK" in row and ",'@me," in row
    book = load_workbook(io.BytesIO(client.get("/records/complaints/export?format=xlsx").data))
    values = [c.value for r in book.active.iter_rows(min_row=2) for c in r]
    assert not any(isinstance(v, str) and v[:1] in "=@" for v in values)


def test_an_unknown_export_format_is_refused(world, client, complaints):
    login(client, world.quality)
    assert client.get("/records/complaints/export?format=pdf").status_code == 400
