"""The records figures by period and region against numbers worked out by hand, and the campaign
summary's `records` block."""

from datetime import date

import pytest
from freezegun import freeze_time

from labtrack.records import campaign, figures
from tests.records.factories import (
    ComplaintFactory,
    DocumentFactory,
    ResponseFactory,
    RevisionFactory,
    SurveyFactory,
)

A, B = date(2010, 1, 1), date(2010, 12, 31)
REQUIRED = {
    "documents_written",
    "documents_revised",
    "questionnaires_issued",
    "questionnaires_returned",
    "complaints",
    "complaints_answered",
}


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time("2011-03-01"):
        yield


def revision(document, label, effective_on, first, status="superseded"):
    return RevisionFactory(
        document=document, label=label, effective_on=effective_on, first_issue=first, status=status
    )


@pytest.fixture
def documents(world):
    """Chengdu (HOME): A written 2010-03-01; B and C work instructions (sampling, test methods)
    revised in 2010; D withdrawn 2010-09-01. Mianyang (OTHER): E written on the last day, F in 2011.
    The bureau: G written 2010-04-01."""
    home, other = world.home, world.other
    revision(DocumentFactory(lab=home, code="A"), "A/0", date(2010, 3, 1), True, "effective")
    b = DocumentFactory(lab=home, code="B", kind="work_instruction", subject="sampling")
    revision(b, "A/0", date(2009, 5, 1), True)
    revision(b, "B/0", date(2010, 7, 1), False, "effective")
    c = DocumentFactory(lab=home, code="C", kind="work_instruction", subject="test_method")
    revision(c, "A/0", date(2008, 1, 1), True)
    revision(c, "B/0", date(2010, 2, 1), False, "effective")
    d = DocumentFactory(lab=home, code="D", status="obsolete", withdrawn_on=date(2010, 9, 1))
    revision(d, "A/0", date(2006, 1, 1), True, "obsolete")
    revision(DocumentFactory(lab=other, code="E"), "A/0", date(2010, 12, 31), True, "effective")
    revision(DocumentFactory(lab=other, code="F"), "A/0", date(2011, 1, 1), True, "effective")
    revision(DocumentFactory(lab=None, code="G"), "A/0", date(2010, 4, 1), True, "effective")
    # A draft and a discarded revision never count.
    RevisionFactory(document=DocumentFactory(lab=home, code="H"))
    return world


def test_documents_written_revised_withdrawn_by_region(documents):
    data = figures.document_figures(A, B)
    assert data["total"] == {
        "written": 3,  # A, E, G
        "revised": 2,  # B, C
        "withdrawn": 1,  # D
        "work_instructions_revised": 2,
        "work_instruction_kinds_revised": 2,
    }
    rows = {r["group"]: (r["written"], r["revised"], r["withdrawn"]) for r in data["by_region"]}
    assert rows == {"": (1, 0, 0), "Chengdu": (1, 2, 1), "Mianyang": (1, 0, 0)}
    assert [r["group"] for r in data["by_region"]] == ["", "Chengdu", "Mianyang"]  # the bureau first
    assert {r["kind"]: (r["written"], r["revised"]) for r in data["by_kind"]} == {
        "procedure": (3, 0),  # A, E and G
        "work_instruction": (0, 2),
    }


def test_a_region_or_a_lab_leaves_the_bureau_out(documents):
    chengdu = figures.document_figures(A, B, region="Chengdu")["total"]
    assert (chengdu["written"], chengdu["revised"], chengdu["withdrawn"]) == (1, 2, 1)
    lab = figures.document_figures(A, B, scope=documents.other.id)["total"]
    assert (lab["written"], lab["revised"], lab["withdrawn"]) == (1, 0, 0)
    # The first half of the year: A and G written, C revised.
    half = figures.document_figures(A, date(2010, 6, 30))["total"]
    assert (half["written"], half["revised"], half["withdrawn"]) == (2, 1, 0)


@pytest.fixture
def complaints(world):
    """Chengdu: answered in 10 and 20 days, one received 2010-12-20 and answered in 2011.
    Mianyang: answered in 4 days, one unanswered."""
    home, other = world.home, world.other

    def make(lab, channel, received, feedback=None, outcome="unsubstantiated"):
        status = "answered" if feedback else "investigated"
        return ComplaintFactory(
            lab=lab,
            channel=channel,
            received_on=received,
            status=status,
            acknowledged_on=received,
            investigated_on=received,
            outcome=outcome,
            feedback_on=feedback,
        )

    make(home, "hotline", date(2010, 2, 1), date(2010, 2, 11))
    make(home, "hotline", date(2010, 3, 1), date(2010, 3, 21), "substantiated")
    make(home, "letter", date(2010, 12, 20), date(2011, 1, 5))
    make(other, "online", date(2010, 5, 1), date(2010, 5, 5))
    make(other, "hotline", date(2010, 6, 1))
    make(other, "hotline", date(2011, 1, 2), date(2011, 1, 3))  # received after the period
    return world


def test_feedback_rate_and_days_to_feedback_by_region_and_channel(complaints):
    data = figures.complaint_figures(A, B)
    total = data["total"]
    assert (total["received"], total["answered"], total["substantiated"]) == (5, 3, 1)
    assert total["feedback_rate"] == pytest.approx(0.6)
    assert total["mean_days_to_feedback"] == pytest.approx(34 / 3)  # (10 + 20 + 4) / 3
    assert total["median_days_to_feedback"] == 10
    regions = {r["group"]: r for r in data["by_region"]}
    assert (regions["Chengdu"]["received"], regions["Chengdu"]["answered"]) == (3, 2)
    assert regions["Chengdu"]["feedback_rate"] == pytest.approx(2 / 3)
    assert (regions["Chengdu"]["mean_days_to_feedback"], regions["Chengdu"]["median_days_to_feedback"]) == (
        15,
        15,
    )
    assert (regions["Mianyang"]["feedback_rate"], regions["Mianyang"]["median_days_to_feedback"]) == (0.5, 4)
    channels = {
        r["group"]: (r["received"], r["answered"], r["median_days_to_feedback"]) for r in data["by_channel"]
    }
    assert channels == {"hotline": (3, 2, 15), "letter": (1, 0, None), "online": (1, 1, 4)}
    # As of today (2011-03-01), the December complaint has been answered too: 16 days.
    later = figures.complaint_figures(A, B, as_of=date(2011, 3, 1))["total"]
    assert later["answered"] == 4 and later["median_days_to_feedback"] == 13  # of 4, 10, 16, 20


@pytest.fixture
def questionnaires(world):
    inside = SurveyFactory(audience="inside", copies_issued=100, issued_on=date(2010, 6, 15))
    outside = SurveyFactory(
        audience="outside", copies_issued=50, issued_on=date(2010, 7, 1), region="Chengdu"
    )
    SurveyFactory(audience="outside", copies_issued=10, issued_on=date(2011, 1, 5))
    for _ in range(3):
        ResponseFactory(survey_id=inside.id, sheet=None)
    ResponseFactory(survey_id=outside.id)
    return world


def test_questionnaires_issued_and_returned(questionnaires):
    data = figures.survey_figures(A, B)
    assert data["total"] == {
        "surveys": 2,
        "issued": 150,
        "returned": 4,
        "response_rate": pytest.approx(4 / 150),
    }
    by = {r["audience"]: (r["issued"], r["returned"]) for r in data["by_audience"]}
    assert by == {"inside": (100, 3), "outside": (50, 1)}
    assert figures.survey_figures(A, B, region="Chengdu")["total"]["issued"] == 50
    assert figures.survey_figures(A, B, scope=questionnaires.home.id)["total"]["issued"] == 0


def test_the_campaign_block(documents, complaints, questionnaires):
    block = campaign.block(A, B, None, None)
    assert set(block) >= REQUIRED
    assert {k: block[k] for k in REQUIRED} == {
        "documents_written": 3,
        "documents_revised": 2,
        "questionnaires_issued": 150,
        "questionnaires_returned": 4,
        "complaints": 5,
        "complaints_answered": 3,
    }
    assert campaign.headline_parts(block) == [
        "3 system documents written, 2 revised",
        "150 questionnaires issued, 4 returned",
        "5 complaints, 60% answered",
    ]
    rows = campaign.export_rows(block)
    assert ["records", "total", "documents_written", 3] in rows and [
        "records",
        "total",
        "feedback_rate",
        0.6,
    ] in rows
    dumped = campaign.BlockSchema().dump(block)
    assert dumped["complaints_answered"] == 3 and dumped["surveys_of_the_bureau"] is True
    one_lab = campaign.block(A, B, None, complaints.home.id)
    assert (one_lab["documents_written"], one_lab["complaints"], one_lab["questionnaires_issued"]) == (
        1,
        3,
        0,
    )
    assert one_lab["surveys_of_the_bureau"] is False


def test_the_campaign_summary_page_export_and_api_carry_the_block(
    documents, complaints, questionnaires, client
):
    from tests.factories import bearer
    from tests.records.conftest import login

    _, headers = bearer(documents.viewer)
    api = client.get("/api/v1/reports/campaign?from=2010-01-01&to=2010-12-31", headers=headers).get_json()
    assert api["records"]["documents_written"] == 3 and api["records"]["complaints_answered"] == 3
    login(client, documents.viewer)
    page = client.get("/reports/campaign?from=2010-01-01&to=2010-12-31").get_data(as_text=True)
    assert 'id="records-documents-written">3<' in page and "5 complaints, 60% answered" in page
    export = client.get("/reports/campaign?from=2010-01-01&to=2010-12-31&format=csv").get_data(as_text=True)
    assert "records,total,questionnaires_issued,150" in export
