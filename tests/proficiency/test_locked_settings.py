"""Once results exist, the settings that say how to read them (split-level, unit, catalogue item, the
kind of results and categories) are fixed: the service, the API and the pages refuse, naming the field."""

import pytest

from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.proficiency import qualitative, results, service
from labtrack.proficiency.models import Round
from labtrack.services import InvalidInput


@pytest.fixture
def reported(labs, make_round, staff):
    rnd = make_round(labs, status="open", code="LOCK-1")
    results.submit_results(rnd, [{"lab_code": labs[0].code, "value": 10.1}], staff)
    return rnd


@pytest.mark.parametrize(
    ("data", "field"),
    [({"split_level": True}, "split_level"), ({"unit": "μg/L"}, "unit")],
)
def test_the_service_refuses_a_change_that_would_reinterpret_results(reported, staff, data, field):
    with pytest.raises(InvalidInput) as refused:
        service.update_round(reported, data, staff)
    assert list(refused.value.errors) == [field]
    assert "Withdraw every result first" in refused.value.errors[field][0]
    db.session.expire_all()
    assert db.session.get(Round, reported.id).split_level is False
    assert db.session.get(Round, reported.id).unit == "mg/L"


def test_the_same_value_and_other_fields_still_save(reported, staff):
    service.update_round(reported, {"split_level": False, "unit": "mg/L", "title": "Renamed"}, staff)
    assert db.session.get(Round, reported.id).title == "Renamed"


def test_before_any_result_the_setting_can_change(labs, make_round, staff):
    rnd = make_round(labs, status="open", code="LOCK-2")
    service.update_round(rnd, {"split_level": True, "x_pt_b": 20.0}, staff)
    assert rnd.split_level is True


def test_the_api_answers_422_naming_the_field(client, reported, api_token):
    _user, headers = api_token(Role.QUALITY)
    answer = client.patch("/api/v1/rounds/LOCK-1", json={"split_level": True}, headers=headers)
    assert answer.status_code == 422
    body = answer.get_json()
    assert "split_level" in body["errors"] and "split-level" in body["errors"]["split_level"][0]


def test_the_edit_page_disables_the_locked_fields_and_says_why(client, auth, reported, staff):
    auth.login(staff)
    page = client.get("/rounds/LOCK-1/edit").get_data(as_text=True)
    assert 'id="locked-split_level"' in page
    assert '<input class="form-check-input" disabled id="split_level"' in page
    assert 'disabled id="unit"' in page and 'disabled id="item_code"' in page
    # Saving the form (the disabled fields are not sent) keeps the settings and changes the rest.
    form = {"title": "Lead, renamed", "kind": "blind_sample", "measurand": "Pb",
            "assigned_value_method": "reference", "x_pt": "10", "u_x_pt": "0.1", "sigma_pt_method": "fixed",
            "sigma_pt": "0.5", "score_basis": "z", "participants": [p.lab.code for p in reported.participants]}  # fmt: skip
    answer = client.post("/rounds/LOCK-1/edit", data=form)
    assert answer.status_code == 303, answer.get_data(as_text=True)[:2000]
    db.session.expire_all()
    again = db.session.get(Round, reported.id)
    assert again.title == "Lead, renamed" and again.unit == "mg/L" and again.split_level is False


def test_the_design_page_disables_the_kind_of_results_once_open(client, auth, reported, staff):
    auth.login(staff)
    page = client.get("/rounds/LOCK-1/design").get_data(as_text=True)
    select = page.split('name="result_type"')[0][-120:] + page.split('name="result_type"')[1][:60]
    assert "disabled" in select
    with pytest.raises(InvalidInput) as refused:
        qualitative.set_design(reported, {"result_type": "qualitative"}, staff)
    assert "result_type" in refused.value.errors
