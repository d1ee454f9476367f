"""Bad input to the reports answers 4xx with the field named, never a 500 (SQLite and PostgreSQL)."""

import io

import pytest
from openpyxl import load_workbook

from labtrack.tabular import xlsx_bytes


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({"from": "0001-01-01", "to": "9999-12-31"}, {"from", "to"}),
        ({"from": "1899-12-31"}, {"from"}),
        ({"to": "2200-01-01"}, {"to"}),
        ({"from": "2010-02-30"}, {"from"}),
        ({"from": "2011-01-01", "to": "2010-01-01"}, {"to"}),
        ({"region": "Nowhere"}, {"region"}),
    ],
)
def test_campaign_api_names_the_bad_field(client, make_lab, api_token, query, fields):
    make_lab("SC-TC", region="Chengdu")
    _, headers = api_token("viewer")
    response = client.get("/api/v1/reports/campaign", query_string=query, headers=headers)
    assert response.status_code == 422
    assert set(response.json["errors"]) == fields


@pytest.mark.parametrize(
    "query", ["from=0001-01-01&to=9999-12-31", "from=2010-01-01&to=2199-12-31&format=csv"]
)
def test_campaign_page_refuses_or_answers(client, auth, make_lab, query):
    make_lab("SC-TC", region="Chengdu")
    auth.login("viewer")
    response = client.get(f"/reports/campaign?{query}")
    if "0001" in query:
        assert response.status_code == 422
        assert "The date must be between 1900-01-01 and 2199-12-31." in response.get_data(as_text=True)
    else:
        assert response.status_code == 200 and response.mimetype == "text/csv"


def test_a_lab_managers_region_is_ignored_not_refused(client, make_lab, api_token):
    lab = make_lab("SC-TC", region="Chengdu")
    _, headers = api_token("lab_manager", lab=lab)
    response = client.get(
        "/api/v1/reports/campaign", query_string={"region": "Nowhere", "from": "2010-01-01"}, headers=headers
    )
    assert response.status_code == 200
    assert (response.json["lab_code"], response.json["region"]) == ("SC-TC", None)


def test_xlsx_exports_drop_control_characters_and_formulas():
    """Older records may hold characters a spreadsheet cell cannot; the export still works."""
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["name"], [["a\x07b"], ["=HYPERLINK(1)"]]))).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["ab", "'=HYPERLINK(1)"]
