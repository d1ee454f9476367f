"""Correcting a complaint's details after it was registered, as the quality department does it:
only the fields given change, the day received never after the acknowledgement (nor in the
future), days to feedback follow the corrected day, a form read before someone else's change is
refused, lab managers and readers correct nothing; on the page, with its message in Chinese."""

from datetime import date

import pytest

from labtrack.extensions import db
from labtrack.records import complaints, figures
from labtrack.records.models import Complaint
from labtrack.services import Conflict, Forbidden, InvalidInput
from tests.factories import bearer
from tests.records.conftest import login
from tests.records.factories import ComplaintFactory

pytestmark = pytest.mark.usefixtures("frozen")


def reload(ident: int) -> Complaint:
    db.session.expire_all()
    return db.session.get(Complaint, ident)


def test_only_the_fields_given_change(world):
    complaint = ComplaintFactory(lab=world.home)
    complaints.update_complaint(world.quality, complaint, {"channel": "letter", "complainant_name": ""})
    again = reload(complaint.id)
    assert (again.channel, again.complainant_name) == ("letter", None)
    assert (again.subject, again.received_on, again.complainant_contact) == (
        "The report differs from a re-test",
        date(2010, 5, 4),
        "138 0000 0000",
    )


def test_the_day_received_never_after_the_acknowledgement(world):
    complaint = ComplaintFactory(lab=world.home, acknowledged=True)  # acknowledged 2010-05-05
    with pytest.raises(InvalidInput) as refused:
        complaints.update_complaint(world.quality, complaint, {"received_on": "2010-05-06"})
    assert set(refused.value.errors) == {"received_on"}
    complaints.update_complaint(world.quality, complaint, {"received_on": "2010-05-05"})
    assert reload(complaint.id).received_on == date(2010, 5, 5)


def test_an_unacknowledged_complaint_is_not_received_tomorrow(world):
    complaint = ComplaintFactory(lab=world.home)
    with pytest.raises(InvalidInput) as refused:
        complaints.update_complaint(world.quality, complaint, {"received_on": "2010-06-02"})
    assert set(refused.value.errors) == {"received_on"}
    assert reload(complaint.id).received_on == date(2010, 5, 4)


def test_days_to_feedback_follow_the_corrected_day(world):
    """Received 05-04, feedback 05-18: 14 days; corrected to received 05-05: 13 days."""
    complaint = ComplaintFactory(lab=world.home, answered=True)
    assert complaint.days_to_feedback == 14
    complaints.update_complaint(world.quality, complaint, {"received_on": "2010-05-05"})
    assert reload(complaint.id).days_to_feedback == 13
    total = figures.complaint_figures(date(2010, 1, 1), date(2010, 12, 31))["total"]
    assert (total["answered"], total["mean_days_to_feedback"], total["median_days_to_feedback"]) == (
        1,
        13.0,
        13.0,
    )


@pytest.mark.parametrize(
    "field, value",
    [("channel", "pigeon"), ("subject", " "), ("description", ""), ("received_on", "2010-02-30")],
)
def test_a_bad_correction_names_its_field_and_changes_nothing(world, field, value):
    complaint = ComplaintFactory(lab=world.home)
    with pytest.raises(InvalidInput) as refused:
        complaints.update_complaint(world.quality, complaint, {"channel": "online", field: value})
    assert set(refused.value.errors) == {field}
    assert reload(complaint.id).channel == "hotline"


def test_a_stale_version_is_refused(world):
    complaint = ComplaintFactory(lab=world.home)
    read = complaint.version
    complaints.update_complaint(world.inspector, complaint, {"subject": "报告批号错误"}, version=read)
    with pytest.raises(Conflict) as refused:
        complaints.update_complaint(world.quality, reload(complaint.id), {"subject": "另一个"}, version=read)
    assert "version" in refused.value.errors
    assert reload(complaint.id).subject == "报告批号错误"


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_lab_managers_and_readers_correct_nothing(world, who):
    complaint = ComplaintFactory(lab=world.home)
    with pytest.raises(Forbidden):
        complaints.update_complaint(getattr(world, who), complaint, {"subject": "x"})


def test_the_api_patch(world, client):
    complaint = ComplaintFactory(lab=world.home)
    url = f"/api/v1/complaints/{complaint.id}"
    quality = bearer(world.quality)[1]
    read = complaint.version
    body = client.patch(url, json={"subject": "报告迟发", "version": read}, headers=quality).get_json()
    assert (body["subject"], body["channel"], body["received_on"]) == ("报告迟发", "hotline", "2010-05-04")
    stale = client.patch(url, json={"subject": "x", "version": read}, headers=quality)
    assert stale.status_code == 409 and "version" in stale.get_json()["errors"]
    bad = client.patch(url, json={"received_on": "tomorrow"}, headers=quality)
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"received_on"}
    assert client.patch(url, json={"subject": "x"}, headers=bearer(world.manager)[1]).status_code == 403


def test_correcting_on_the_page_in_chinese(world, client):
    complaint = ComplaintFactory(lab=world.home)
    world.quality.locale = "zh_Hans_CN"
    db.session.commit()
    login(client, world.quality)
    form = {
        "edit-channel": "online",
        "edit-received_on": "2010-05-03",
        "edit-complainant_name": "李女士",
        "edit-complainant_contact": "",
        "edit-subject": "报告迟发",
        "edit-description": "两周后才收到报告。",
    }
    done = client.post(f"/records/complaints/{complaint.id}/edit", data=form, follow_redirects=True)
    again = reload(complaint.id)
    assert (again.channel, again.received_on, again.complainant_name) == (
        "online",
        date(2010, 5, 3),
        "李女士",
    )
    assert "投诉已保存。" in done.get_data(as_text=True)
    refused = client.post(f"/records/complaints/{complaint.id}/edit", data={**form, "edit-subject": ""})
    assert refused.status_code == 422 and reload(complaint.id).subject == "报告迟发"
