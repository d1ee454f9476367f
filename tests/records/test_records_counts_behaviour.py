"""The records figures of a year built by the services themselves, day by day, and counted by hand:
documents written (first revision in force), revised (a later one in force) and withdrawn, by
region with the bureau apart; questionnaires issued and returned with response rates per audience;
complaints received, answered, feedback rate and days to feedback; and the campaign summary's
`records` block with them."""

from datetime import date

import pytest
from freezegun import freeze_time

from labtrack.records import campaign, complaints, documents, figures, surveys
from labtrack.records.models import Document
from tests.factories import PASSWORD, bearer
from tests.records.conftest import PDF

YEAR = (date(2010, 1, 1), date(2010, 12, 31))


def issue(author, approver, data: dict, day: str, label: str = "A/0", effective_on: str | None = None):
    """Register (unless `data` is a document), draft, submit and approve a revision on `day`."""
    with freeze_time(day):
        document = data if isinstance(data, Document) else documents.create_document(author, data)
        revision = documents.start_revision(author, document, {"label": label}, [("doc.pdf", PDF)])
        documents.transition(author, revision, "in_review", {})
        step = {"password": PASSWORD, **({"effective_on": effective_on} if effective_on else {})}
        documents.transition(approver, revision, "effective", step)
    return document


@pytest.fixture
def year(world):
    """HOME (Chengdu): QP-01 issued 2010-03-01, revised B/0 approved 2010-08-01 to take effect
    2010-09-01; QP-02 issued 2009-06-01 and withdrawn 2010-11-01; QP-03's draft discarded.
    OTHER (Mianyang): WI-01 (a sampling work instruction) issued 2010-05-10.
    The bureau: BQ-01 issued 2010-12-31."""
    qp1 = issue(
        world.manager,
        world.manager2,
        {"kind": "procedure", "code": "QP-01", "title": "文件控制"},
        "2010-03-01",
    )
    issue(world.manager, world.quality, qp1, "2010-08-01", label="B/0", effective_on="2010-09-01")
    qp2 = issue(
        world.manager, world.manager2, {"kind": "procedure", "code": "QP-02", "title": "旧程序"}, "2009-06-01"
    )
    with freeze_time("2010-11-01"):
        documents.withdraw_document(world.manager, qp2, {"reason": "合并至 QP-01"})
        qp3 = documents.create_document(world.manager, {"kind": "form", "code": "QP-03", "title": "表"})
        draft = documents.start_revision(world.manager, qp3, {"label": "A/0"}, [("f.pdf", PDF)])
        documents.transition(world.manager, draft, "obsolete", {"comment": "not needed"})
    issue(
        world.outsider,
        world.quality,
        {"kind": "work_instruction", "subject": "sampling", "code": "WI-01", "title": "抽样"},
        "2010-05-10",
    )
    issue(
        world.quality,
        world.admin,
        {"kind": "quality_manual", "code": "BQ-01", "title": "质量手册"},
        "2010-12-31",
    )
    return world


def test_documents_written_revised_withdrawn_by_region(year):
    data = figures.document_figures(*YEAR)
    total = data["total"]
    assert (total["written"], total["revised"], total["withdrawn"]) == (
        3,
        1,
        1,
    )  # QP-01, WI-01, BQ-01; B/0; QP-02
    rows = {r["group"]: (r["written"], r["revised"], r["withdrawn"]) for r in data["by_region"]}
    assert rows == {"": (1, 0, 0), "Chengdu": (1, 1, 1), "Mianyang": (1, 0, 0)}
    assert [r["group"] for r in data["by_region"]][0] == ""  # the bureau first


def test_counts_by_period(year):
    """Up to June: QP-01 and WI-01 written, nothing revised or withdrawn. 2009: QP-02 written."""
    half = figures.document_figures(date(2010, 1, 1), date(2010, 6, 30))["total"]
    assert (half["written"], half["revised"], half["withdrawn"]) == (2, 0, 0)
    earlier = figures.document_figures(date(2009, 1, 1), date(2009, 12, 31))["total"]
    assert (earlier["written"], earlier["revised"], earlier["withdrawn"]) == (1, 0, 0)
    autumn = figures.document_figures(date(2010, 9, 1), date(2010, 11, 30))["total"]
    assert (autumn["written"], autumn["revised"], autumn["withdrawn"]) == (0, 1, 1)


def test_a_region_and_a_lab_leave_the_bureau_out(year):
    chengdu = figures.document_figures(*YEAR, region="Chengdu")["total"]
    assert (chengdu["written"], chengdu["revised"], chengdu["withdrawn"]) == (1, 1, 1)
    other = figures.document_figures(*YEAR, scope=year.other.id)["total"]
    assert (other["written"], other["revised"], other["work_instructions_revised"]) == (1, 0, 0)


def test_a_revision_approved_to_take_effect_later_is_not_counted_before_that_day(world):
    """Approved on 2010-08-01 to take effect on 2010-09-01: the year's figures read on 2010-08-15
    count the document as written (March), not yet revised."""
    qp1 = issue(
        world.manager,
        world.manager2,
        {"kind": "procedure", "code": "QP-01", "title": "文件控制"},
        "2010-03-01",
    )
    issue(world.manager, world.quality, qp1, "2010-08-01", label="B/0", effective_on="2010-09-01")
    with freeze_time("2010-08-15"):
        early = figures.document_figures(*YEAR)["total"]
    assert (early["written"], early["revised"]) == (1, 0)
    with freeze_time("2010-09-01"):
        due = figures.document_figures(*YEAR)["total"]
    assert (due["written"], due["revised"]) == (1, 1)


# --- surveys ---------------------------------------------------------------------------------


def test_questionnaires_issued_and_returned_per_audience(world):
    """Inside: 10 issued, 6 returned (0.6). Outside: 4 issued, 3 returned (0.75). Together 9 of 14."""
    with freeze_time("2010-06-01"):
        q = surveys.create_questionnaire(
            world.quality, {"code": "SAT", "title": "满意度", "title_en": "Satisfaction"}
        )
        surveys.add_question(
            world.quality,
            q,
            {
                "key": "Q1",
                "kind": "scale",
                "text_zh": "满意吗",
                "text_en": "Satisfied?",
                "scale_min": 1,
                "scale_max": 5,
            },
        )
        plan = {"questionnaire_code": "SAT", "issued_on": "2010-05-20"}
        inside = surveys.create_survey(
            world.quality, {**plan, "code": "IN", "title": "内", "audience": "inside", "copies_issued": 10}
        )
        outside = surveys.create_survey(
            world.quality, {**plan, "code": "OUT", "title": "外", "audience": "outside", "copies_issued": 4}
        )
        for survey, n in ((inside, 6), (outside, 3)):
            for i in range(n):
                surveys.enter_response(
                    world.quality, survey, {"sheet": f"{i:03d}", "answers": {"Q1": 1 + i % 5}}
                )
    data = figures.survey_figures(*YEAR)
    by_audience = {
        r["audience"]: (r["issued"], r["returned"], r["response_rate"]) for r in data["by_audience"]
    }
    assert by_audience == {"inside": (10, 6, 0.6), "outside": (4, 3, 0.75)}
    assert (data["total"]["issued"], data["total"]["returned"]) == (14, 9)
    assert data["total"]["response_rate"] == pytest.approx(9 / 14)
    assert figures.survey_figures(date(2009, 1, 1), date(2009, 12, 31))["total"]["response_rate"] is None


# --- complaints ------------------------------------------------------------------------------


def handle(actor, lab_code: str, received: str, answered: str | None):
    complaint = complaints.register_complaint(
        actor,
        {
            "channel": "hotline",
            "lab_code": lab_code,
            "received_on": received,
            "subject": "报告有误",
            "description": "...",
        },
    )
    if answered:
        steps = (
            ("acknowledged", {"acknowledged_on": received}),
            (
                "investigated",
                {"investigated_on": answered, "investigation": "核实", "outcome": "unsubstantiated"},
            ),
            ("answered", {"feedback_on": answered, "feedback": "电话告知"}),
        )
        for to, data in steps:
            complaints.transition(actor, complaint, to, data)
    return complaint


@pytest.fixture
def complaints_2010(world):
    """HOME: received 05-04 answered 05-14 (10 days), received 06-01 answered 06-21 (20 days),
    received 07-01 not answered. OTHER: received 08-01 answered 08-04 (3 days)."""
    with freeze_time("2010-12-31"):
        handle(world.quality, "HOME", "2010-05-04", "2010-05-14")
        handle(world.quality, "HOME", "2010-06-01", "2010-06-21")
        handle(world.quality, "HOME", "2010-07-01", None)
        handle(world.inspector, "OTHER", "2010-08-01", "2010-08-04")
    return world


@freeze_time("2011-01-15")
def test_feedback_rate_and_days_to_feedback(complaints_2010):
    data = figures.complaint_figures(*YEAR)
    total = data["total"]
    assert (total["received"], total["answered"], total["feedback_rate"]) == (4, 3, 0.75)
    assert total["mean_days_to_feedback"] == pytest.approx((10 + 20 + 3) / 3)
    assert total["median_days_to_feedback"] == 10.0
    regions = {
        r["group"]: (r["received"], r["answered"], r["mean_days_to_feedback"]) for r in data["by_region"]
    }
    assert regions == {"Chengdu": (3, 2, 15.0), "Mianyang": (1, 1, 3.0)}


@freeze_time("2011-01-15")
def test_feedback_as_of_a_day(complaints_2010):
    """As of 2010-06-15: received 05-04 and 06-01; only the first answered by then."""
    total = figures.complaint_figures(*YEAR, as_of=date(2010, 6, 15))["total"]
    assert (total["received"], total["answered"], total["feedback_rate"]) == (2, 1, 0.5)
    assert total["median_days_to_feedback"] == 10.0


@freeze_time("2011-01-15")
def test_the_campaign_block_and_the_figures_api(complaints_2010, client):
    block = campaign.block(*YEAR, None, None)
    assert (block["complaints"], block["complaints_answered"], block["feedback_rate"]) == (4, 3, 0.75)
    own = campaign.block(*YEAR, None, complaints_2010.home.id)
    assert (own["complaints"], own["complaints_answered"]) == (3, 2)
    assert own["feedback_rate"] == pytest.approx(2 / 3) and own["surveys_of_the_bureau"] is False
    headers = bearer(complaints_2010.manager)[1]
    body = client.get(
        "/api/v1/records/figures?from=2010-01-01&to=2010-12-31&region=Mianyang", headers=headers
    ).get_json()
    assert body["region"] is None  # a lab manager's figures are their own lab's, whatever region they ask
    assert body["complaints"]["total"]["received"] == 3
