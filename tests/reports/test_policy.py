"""The reports policy as a table (role x section x ownership), and what a section a role may not
read looks like in the campaign summary's page, export and API: absent, never leaked."""

from datetime import date
from types import SimpleNamespace

import pytest

from labtrack.auth.permissions import Perm
from labtrack.reports import policy
from labtrack.reports.campaign import campaign_summary, export_rows

ROLES = ("admin", "quality", "inspector", "viewer", "lab_manager")
SECTIONS = ("audits", "findings", "comparisons", "growth", "training", "records", "anything-else")


def actor(role, lab_id=3):
    return (
        None
        if role is None
        else SimpleNamespace(id=1, role=role, lab_id=lab_id if role == "lab_manager" else None)
    )


@pytest.mark.parametrize("section", SECTIONS)
@pytest.mark.parametrize("role", [*ROLES, None])
def test_every_reader_of_reports_reads_each_section_of_an_area_they_read(role, section):
    assert policy.reads_reports(actor(role)) is True
    assert policy.reads_section(actor(role), section) is True


@pytest.mark.parametrize(
    ("role", "lab", "chooses_region"),
    [
        ("admin", None, True),
        ("quality", None, True),
        ("inspector", None, True),
        ("viewer", None, True),
        ("lab_manager", 3, False),
        (None, None, True),
    ],
)
def test_whose_figures(role, lab, chooses_region):
    assert policy.figures_lab(actor(role)) == lab
    assert policy.may_choose_region(actor(role)) is chooses_region


def test_a_lab_manager_without_a_lab_reads_no_lab():
    assert policy.figures_lab(actor("lab_manager", lab_id=None)) == -1


def test_anonymous_reads_nothing():
    nobody = SimpleNamespace(id=None, role=None, lab_id=None)
    assert not policy.reads_reports(nobody)
    assert not any(policy.reads_section(nobody, s) for s in SECTIONS)


def test_a_section_the_reader_may_not_read_is_left_out_everywhere(app, client, auth, api_token, monkeypatch):
    """Were audits closed to viewers, the campaign summary would say nothing of them."""
    monkeypatch.setitem(policy.SECTION_PERMS, "audits", Perm.USERS_MANAGE)
    viewer = auth.login("viewer")
    with app.test_request_context():
        summary = campaign_summary(viewer, date(2010, 1, 1), date(2010, 12, 31))
    assert summary["audits"] is None and summary["findings"] is not None
    assert "audit" not in summary["headline"]
    assert not [row for row in export_rows(summary) if row[0] == "audits"]
    page = client.get("/reports/campaign?from=2010-01-01&to=2010-12-31").get_data(as_text=True)
    assert 'id="audits"' not in page and 'id="findings"' in page
    _, headers = api_token(user=viewer)
    body = client.get("/api/v1/reports/campaign?from=2010-01-01&to=2010-12-31", headers=headers).json
    assert body["audits"] is None and body["findings"]["total"]["total"] == 0
    admin = auth.login("admin")
    with app.test_request_context():
        assert campaign_summary(admin, date(2010, 1, 1), date(2010, 12, 31))["audits"] is not None
