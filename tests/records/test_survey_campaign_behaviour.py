"""A questionnaire campaign as the quality department runs it: questions in both languages (a
scale, or choices given one per line as "value | 中文 | English"), each refusal naming its field;
campaigns with their audience, region and copies; answers counted per question with blanks left
out of the shares, results read in the reader's language; a questionnaire entered by mistake taken
out; who may read and who may run surveys (403), and 404 for what does not exist."""

import pytest

from labtrack.extensions import db
from labtrack.records import surveys
from labtrack.records.models import SurveyResponse
from labtrack.services import Conflict, InvalidInput, NotFound
from tests.factories import bearer
from tests.records.factories import QuestionnaireFactory, SurveyFactory

pytestmark = pytest.mark.usefixtures("frozen")

SCALE = {
    "key": "Q1",
    "kind": "scale",
    "text_zh": "满意度",
    "text_en": "Satisfaction",
    "scale_min": 1,
    "scale_max": 5,
}
CHOICE = {
    "key": "Q2",
    "kind": "choice",
    "text_zh": "从哪里得知热线",
    "text_en": "Where did you hear of the hotline?",
    "choices": "tv | 电视 | Television\nweb | 网站 | Website\nfriend | 朋友 | A friend",
}


@pytest.fixture
def h(world):
    names = ("quality", "admin", "inspector", "viewer", "manager")
    return {name: bearer(getattr(world, name))[1] for name in names}


def questionnaire(world):
    q = surveys.create_questionnaire(
        world.quality, {"code": "HOT", "title": "热线问卷", "title_en": "Hotline"}
    )
    surveys.add_question(world.quality, q, SCALE)
    surveys.add_question(world.quality, q, CHOICE)
    return q


def campaign(world, **change):
    questionnaire(world)
    data = {
        "code": "SV-1",
        "title": "2010 热线调查",
        "questionnaire_code": "HOT",
        "audience": "outside",
        "issued_on": "2010-05-01",
        "copies_issued": 10,
        **change,
    }
    return surveys.create_survey(world.quality, data)


# --- questions -------------------------------------------------------------------------------


def test_choices_from_lines_keep_their_order_and_both_languages(world):
    q = questionnaire(world)
    db.session.expire_all()
    q2 = surveys.get_questionnaire(world.viewer, q.id).questions[1]
    assert [(c.value, c.label_zh, c.label_en) for c in q2.choices] == [
        ("tv", "电视", "Television"),
        ("web", "网站", "Website"),
        ("friend", "朋友", "A friend"),
    ]
    assert [q.key for q in surveys.get_questionnaire(world.viewer, q.id).questions] == ["Q1", "Q2"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"key": "sheet"}, "key"),  # a fixed column of the answers file
        ({"key": "q1"}, "key"),  # Q1 exists already, whatever the case
        ({"scale_min": 5, "scale_max": 1}, "scale_max"),  # downwards
        ({"scale_min": 0, "scale_max": 21}, "scale_max"),  # more than 20 steps
        ({"text_en": ""}, "text_en"),
        ({"text_zh": "line one\nline two"}, "text_zh"),
        ({"kind": "essay"}, "kind"),
    ],
)
def test_a_bad_scale_question_names_its_field(world, change, field):
    q = questionnaire(world)
    with pytest.raises(InvalidInput) as refused:
        surveys.add_question(world.quality, q, {**SCALE, "key": "Q3", **change})
    assert field in refused.value.errors
    db.session.expire_all()
    assert len(surveys.get_questionnaire(world.quality, q.id).questions) == 2


@pytest.mark.parametrize(
    "choices, message",
    [
        ("tv | 电视 | Television", "at least two choices"),
        ("tv | 电视 | Television\nTV | 电视台 | TV station", "used twice"),
        ("tv | 电视\nweb | 网站 | Website", "Choice 1"),  # the English label is missing
        ("\n".join(f"c{n} | 选项{n} | Option {n}" for n in range(21)), "At most 20 choices"),
    ],
)
def test_bad_choices_are_refused_with_their_number(world, choices, message):
    q = questionnaire(world)
    with pytest.raises(InvalidInput) as refused:
        surveys.add_question(world.quality, q, {**CHOICE, "key": "Q3", "choices": choices})
    assert any(message in m for m in refused.value.errors["choices"])


def test_questions_are_removed_only_before_answers_come_back(world):
    survey = campaign(world)
    q = survey.questionnaire
    extra = surveys.add_question(world.quality, q, {**SCALE, "key": "Q3"})
    surveys.remove_question(world.quality, q, extra.id)
    assert [x.key for x in q.questions] == ["Q1", "Q2"]
    surveys.enter_response(world.quality, survey, {"answers": {"Q1": 3}})
    with pytest.raises(Conflict):
        surveys.remove_question(world.quality, q, q.questions[0].id)
    with pytest.raises(Conflict):
        surveys.add_question(world.quality, q, {**SCALE, "key": "Q4"})
    with pytest.raises(NotFound):
        surveys.remove_question(world.quality, q, 999_999)


# --- campaigns -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, field",
    [
        ({"questionnaire_code": "EMPTY"}, "questionnaire_code"),  # no questions yet
        ({"questionnaire_code": "NOPE"}, "questionnaire_code"),
        ({"region": "Atlantis"}, "region"),
        ({"closes_on": "2010-04-30"}, "closes_on"),  # before it was issued
        ({"issued_on": "2010-06-02"}, "issued_on"),  # in the future
        ({"audience": "everyone"}, "audience"),
        ({"copies_issued": -1}, "copies_issued"),
    ],
)
def test_a_bad_campaign_names_its_field(world, change, field):
    QuestionnaireFactory(code="EMPTY", code_key="empty")
    with pytest.raises(InvalidInput) as refused:
        campaign(world, **change)
    assert field in refused.value.errors


def test_codes_are_unique_whatever_their_case(world):
    campaign(world)
    with pytest.raises(InvalidInput) as refused:
        surveys.create_survey(
            world.quality,
            {
                "code": "sv-1",
                "title": "t",
                "questionnaire_code": "hot",
                "audience": "inside",
                "issued_on": "2010-05-02",
                "copies_issued": 1,
            },
        )
    assert set(refused.value.errors) == {"code"}


def test_the_list_filters_by_audience_year_region_and_text(world):
    campaign(world, region="Chengdu")
    for code, audience, issued in (("SV-2", "inside", "2010-03-01"), ("SV-3", "outside", "2009-11-01")):
        surveys.create_survey(
            world.quality,
            {
                "code": code,
                "title": f"调查 {code}",
                "questionnaire_code": "HOT",
                "audience": audience,
                "issued_on": issued,
                "copies_issued": 5,
            },
        )

    def codes(**filters):
        return [s.code for s in db.session.scalars(surveys.surveys_query(world.viewer, **filters))]

    assert codes() == ["SV-1", "SV-2", "SV-3"]  # newest first
    assert codes(audience="outside") == ["SV-1", "SV-3"]
    assert codes(year=2010) == ["SV-1", "SV-2"]
    assert codes(region="Chengdu") == ["SV-1"]
    assert codes(q="sv-3") == ["SV-3"]


# --- answers and results ---------------------------------------------------------------------


def test_results_per_question_leave_blank_answers_out_of_the_shares(world):
    """Six returned of 10: Q1 answered by 5 (5, 4, 4, 3, 1: mean 17/5 = 3.4); Q2 by 4 (tv 2,
    web 1, friend 1). The questionnaire answering nothing but Q2 and the one answering Q1 only
    count for their own question."""
    survey = campaign(world)
    for q1, q2 in [(5, "tv"), (4, "电视"), (4, "Website"), (3, None), (1, None), (None, "friend")]:
        surveys.enter_response(world.quality, survey, {"answers": {"Q1": q1, "Q2": q2}})
    results = surveys.results(survey)
    assert (results["returned"], results["response_rate"]) == (6, 0.6)
    q1, q2 = results["questions"]
    assert (q1["answered"], q1["mean"]) == (5, pytest.approx(3.4))
    assert [r["count"] for r in q1["rows"]] == [1, 0, 1, 2, 1]
    assert [(r["answer"], r["count"], r["share"]) for r in q2["rows"]] == [
        ("tv", 2, 0.5),
        ("web", 1, 0.25),
        ("friend", 1, 0.25),
    ]


def test_results_are_read_in_the_readers_language(world, client, h):
    survey = campaign(world)
    surveys.enter_response(world.quality, survey, {"answers": {"Q2": "web"}})
    url = f"/api/v1/surveys/{survey.id}/results"
    english = client.get(url, headers=h["viewer"]).get_json()["questions"][1]["rows"]
    assert [r["label"] for r in english] == ["Television", "Website", "A friend"]
    world.viewer.locale = "zh_Hans_CN"
    db.session.commit()
    chinese = client.get(url, headers=h["viewer"]).get_json()["questions"][1]
    assert [r["label"] for r in chinese["rows"]] == ["电视", "网站", "朋友"]
    assert (chinese["text_zh"], chinese["text_en"]) == (
        "从哪里得知热线",
        "Where did you hear of the hotline?",
    )


def test_an_answer_outside_the_scale_names_the_question_and_writes_nothing(world, client, h):
    survey = campaign(world)
    url = f"/api/v1/surveys/{survey.id}/responses"
    refused = client.post(url, json={"answers": {"Q1": "6", "Q2": "radio", "Q9": 1}}, headers=h["quality"])
    assert refused.status_code == 422
    errors = refused.get_json()["errors"]
    assert set(errors) == {"Q1", "Q2", "answers"}
    assert (
        "1 to 5" in errors["Q1"][0] and "tv, web, friend" in errors["Q2"][0] and "Q9" in errors["answers"][0]
    )
    assert (
        "a whole number"
        in client.post(url, json={"answers": {"Q1": "4.5"}}, headers=h["quality"]).get_json()["errors"]["Q1"][
            0
        ]
    )
    assert db.session.query(SurveyResponse).count() == 0


def test_a_questionnaire_entered_by_mistake_is_taken_out(world):
    survey = campaign(world, copies_issued=1)
    response_id = surveys.enter_response(world.quality, survey, {"sheet": "001", "answers": {"Q1": 2}})
    other = SurveyFactory()
    with pytest.raises(NotFound):
        surveys.delete_response(world.quality, other, response_id)
    surveys.delete_response(world.quality, survey, response_id)
    assert surveys.returned(survey) == 0
    # The copy is free again, and its sheet number too.
    surveys.enter_response(world.quality, survey, {"sheet": "001", "answers": {"Q1": 4}})
    assert surveys.results(survey)["questions"][0]["mean"] == 4.0


def test_copies_issued_never_below_those_returned(world, client, h):
    survey = campaign(world)
    for n in range(3):
        surveys.enter_response(world.quality, survey, {"answers": {"Q1": 1 + n}})
    url = f"/api/v1/surveys/{survey.id}"
    refused = client.patch(url, json={"copies_issued": 2}, headers=h["quality"])
    assert (
        refused.status_code == 422
        and "3 questionnaires have come back" in refused.get_json()["errors"]["copies_issued"][0]
    )
    done = client.patch(url, json={"copies_issued": 3, "title": "改名"}, headers=h["quality"]).get_json()
    assert (done["copies_issued"], done["returned"], done["response_rate"], done["title"]) == (
        3,
        3,
        1.0,
        "改名",
    )


@pytest.mark.parametrize("who", ["manager", "inspector", "viewer"])
def test_readers_read_results_but_run_nothing(world, client, h, who):
    survey = campaign(world)
    assert client.get(f"/api/v1/surveys/{survey.id}/results", headers=h[who]).status_code == 200
    assert (
        client.post(
            f"/api/v1/surveys/{survey.id}/responses", json={"answers": {"Q1": 3}}, headers=h[who]
        ).status_code
        == 403
    )
    assert (
        client.patch(f"/api/v1/surveys/{survey.id}", json={"title": "x"}, headers=h[who]).status_code == 403
    )
    assert (
        client.post(
            "/api/v1/questionnaires", json={"code": "X", "title": "x", "title_en": "x"}, headers=h[who]
        ).status_code
        == 403
    )


def test_what_does_not_exist_is_not_found(world, client, h):
    assert client.get("/api/v1/surveys/999999", headers=h["quality"]).status_code == 404
    assert client.get("/api/v1/questionnaires/999999", headers=h["quality"]).status_code == 404
    with pytest.raises(NotFound):
        surveys.questionnaire_by_code(world.quality, "NOPE")


def test_a_returned_date_before_the_issue_or_in_the_future_is_refused(world):
    survey = campaign(world)
    for day in ("2010-04-30", "2010-06-02"):
        with pytest.raises(InvalidInput) as refused:
            surveys.enter_response(world.quality, survey, {"returned_on": day, "answers": {"Q1": 3}})
        assert set(refused.value.errors) == {"returned_on"}
