"""Dispatch and receipt of the participants' items; results refused from a lab whose item did not arrive."""

from datetime import date

import pytest
from sqlalchemy import select

from labtrack.extensions import db
from labtrack.proficiency import dispatch, results
from labtrack.proficiency.models import Participant, Result
from labtrack.services import Conflict, InvalidInput


def _participant(lab_code: str) -> Participant:
    db.session.expire_all()
    return db.session.scalars(
        select(Participant).join(Participant.lab).where(Participant.lab.has(code=lab_code))
    ).one()


def test_results_wait_for_the_item_once_dispatch_is_recorded(labs, make_round, staff):
    rnd = make_round(labs, status="open", code="D-1")
    results.submit_results(rnd, [{"lab_code": "A01", "value": 10.0}], staff)  # nothing recorded: accepted
    dispatch.record_dispatch(rnd, None, "2010-04-01", staff)
    assert all(p.sent_on == date(2010, 4, 1) for p in rnd.participants)
    with pytest.raises(InvalidInput) as refused:
        results.submit_results(rnd, [{"lab_code": "A02", "value": 10.1}], staff)
    assert "has not been recorded as received" in str(refused.value.errors)
    dispatch.record_receipt(rnd, "A02", {"received_on": "2010-04-03", "condition": "good"}, staff)
    assert results.submit_results(rnd, [{"lab_code": "A02", "value": 10.1}], staff)[0].value == 10.1
    dispatch.record_receipt(
        rnd,
        "A03",
        {"received_on": "2010-04-03", "condition": "unusable", "condition_note": "Bottle broken"},
        staff,
    )
    with pytest.raises(InvalidInput) as unusable:
        results.submit_results(rnd, [{"lab_code": "A03", "value": 9.9}], staff)
    assert "arrived unusable" in str(unusable.value.errors)
    assert db.session.scalar(select(Result.id).where(Result.lab_id == labs[2].id)) is None


def test_receipt_refusals(labs, make_round, staff):
    rnd = make_round(labs, status="open", code="D-2")
    with pytest.raises(InvalidInput) as not_sent:
        dispatch.record_receipt(rnd, "A01", {"received_on": "2010-04-03", "condition": "good"}, staff)
    assert "received_on" in not_sent.value.errors
    dispatch.record_dispatch(rnd, ["A01"], "2010-04-05", staff)
    with pytest.raises(InvalidInput) as refused:
        dispatch.record_receipt(rnd, "A01", {"received_on": "2010-04-03", "condition": "damaged"}, staff)
    assert set(refused.value.errors) == {"received_on", "condition_note"}  # before it was sent; say what
    assert _participant("A01").received_on is None


def test_lab_manager_records_only_its_own_receipt(client, auth, labs, make_round, make_user, staff):
    rnd = make_round(labs, status="open", code="D-3")
    dispatch.record_dispatch(rnd, None, "2010-04-01", staff)
    auth.login(make_user("lab_manager", lab=labs[0]))
    page = client.get("/rounds/D-3/dispatch").get_data(as_text=True)
    assert 'id="dispatch-A01"' in page and "A02" not in page and 'id="dispatch-form"' not in page
    other = client.post(
        "/rounds/D-3/dispatch/A02/receipt", data={"A02-received_on": "2010-04-02", "A02-condition": "good"}
    )
    assert other.status_code == 404
    own = client.post(
        "/rounds/D-3/dispatch/A01/receipt", data={"A01-received_on": "2010-04-02", "A01-condition": "good"}
    )
    assert own.status_code == 303 and own.headers["Location"].endswith("/rounds/D-3/dispatch")
    assert _participant("A01").received_on == date(2010, 4, 2)
    assert client.post("/rounds/D-3/dispatch", data={"sent_on": "2010-04-01"}).status_code == 403


def test_quality_records_dispatch_on_the_page_in_chinese(client, auth, labs, make_round):
    make_round(labs, status="open", code="D-4")
    auth.login("quality")
    client.post("/language/zh_Hans_CN")
    response = client.post(
        "/rounds/D-4/dispatch", data={"sent_on": "2010-04-01", "lab_codes": ["A01", "A02"]}
    )
    assert response.status_code == 303
    assert _participant("A01").sent_on == date(2010, 4, 1) and _participant("A03").sent_on is None
    page = client.get("/rounds/D-4/dispatch").get_data(as_text=True)
    assert "寄送" in page


def test_dispatch_closes_with_the_round(labs, make_round, staff):
    from labtrack.proficiency import service

    rnd = make_round(labs, status="open", code="D-5")
    service.transition(rnd, "closed", staff)
    with pytest.raises(Conflict):
        dispatch.record_dispatch(rnd, None, "2010-04-01", staff)


def test_api_dispatch_and_receipt(client, api_token, labs, make_round):
    make_round(labs, status="open", code="D-API")
    _, quality = api_token("quality")
    sent = client.post("/api/v1/rounds/D-API/dispatch", json={"sent_on": "2010-04-01"}, headers=quality)
    assert sent.status_code == 200 and all(r["sent_on"] == "2010-04-01" for r in sent.json)
    assert all(r["blocked"] for r in sent.json)
    _, manager = api_token("lab_manager", lab=labs[0])
    bad = client.post(
        "/api/v1/rounds/D-API/participants/A01/receipt",
        json={"received_on": "2010-04-02", "condition": "lost"},
        headers=manager,
    )
    assert bad.status_code == 422 and "condition" in bad.json["errors"]
    other = client.post(
        "/api/v1/rounds/D-API/participants/A02/receipt",
        json={"received_on": "2010-04-02", "condition": "good"},
        headers=manager,
    )
    assert other.status_code == 404
    own = client.post(
        "/api/v1/rounds/D-API/participants/A01/receipt",
        json={"received_on": "2010-04-02", "condition": "good"},
        headers=manager,
    )
    assert own.status_code == 200 and own.json["blocked"] is None
    mine = client.get("/api/v1/rounds/D-API/dispatch", headers=manager).json
    assert [r["lab_code"] for r in mine] == ["A01"]
    refused = client.post(
        "/api/v1/rounds/D-API/results", json=[{"lab_code": "A02", "value": 1.0}], headers=quality
    )
    assert refused.status_code == 422
