"""Surveys: questionnaires in both languages, answers entered and imported (all or nothing, with
row numbers), results worked out by hand, exports that import again."""

import csv
import io

import pytest
from freezegun import freeze_time
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.records import survey_files, surveys
from labtrack.records.models import SurveyAnswer, SurveyResponse
from labtrack.services import Conflict, Forbidden, InvalidInput
from tests.records.factories import QuestionnaireFactory, ResponseFactory, SurveyFactory


@pytest.fixture(autouse=True)
def frozen():
    """Today is 2010-08-01: the surveys were issued on 2010-06-15."""
    with freeze_time("2010-08-01"):
        yield


def xlsx(rows: list[list]) -> io.BytesIO:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- questionnaires --------------------------------------------------------------------------


def test_a_questionnaire_with_scale_and_choice_questions_in_both_languages(world):
    questionnaire = surveys.create_questionnaire(
        world.quality, {"code": "SQ-1", "title": "满意度问卷", "title_en": "Satisfaction"}
    )
    surveys.add_question(
        world.quality,
        questionnaire,
        {
            "key": "Q1",
            "kind": "scale",
            "text_zh": "总体满意度",
            "text_en": "Overall",
            "scale_min": "1",
            "scale_max": "5",
        },
    )
    q2 = surveys.add_question(
        world.quality,
        questionnaire,
        {
            "key": "Q2",
            "kind": "choice",
            "text_zh": "是否知道热线",
            "text_en": "Hotline known?",
            "choices": "y | 是 | Yes\nn | 否 | No",
        },
    )
    assert [(c.value, c.label_zh, c.label_en) for c in q2.choices] == [("y", "是", "Yes"), ("n", "否", "No")]
    assert [q.key for q in questionnaire.questions] == ["Q1", "Q2"]


@pytest.mark.parametrize(
    "data, fields",
    [
        ({"key": "Q1", "kind": "scale", "text_zh": "中", "scale_min": 1, "scale_max": 5}, {"text_en"}),
        (
            {"key": "Q1", "kind": "scale", "text_zh": "中", "text_en": "en", "scale_min": 5, "scale_max": 1},
            {"scale_max"},
        ),
        (
            {"key": "Q1", "kind": "scale", "text_zh": "中", "text_en": "en", "scale_min": 0, "scale_max": 50},
            {"scale_max"},
        ),
        (
            {"key": "Q1", "kind": "choice", "text_zh": "中", "text_en": "en", "choices": "a | 是 | Yes"},
            {"choices"},
        ),
        (
            {"key": "Q1", "kind": "choice", "text_zh": "中", "text_en": "en", "choices": "a|是|Yes\nA|否|No"},
            {"choices"},
        ),
        (
            {
                "key": "sheet",
                "kind": "scale",
                "text_zh": "中",
                "text_en": "en",
                "scale_min": 1,
                "scale_max": 5,
            },
            {"key"},
        ),
        ({"key": "Q 1", "kind": "rank", "text_zh": "中", "text_en": "en"}, {"key", "kind"}),
    ],
)
def test_questions_refuse_bad_fields(world, data, fields):
    questionnaire = QuestionnaireFactory()
    with pytest.raises(InvalidInput) as refused:
        surveys.add_question(world.quality, questionnaire, data)
    assert set(refused.value.errors) == fields


def test_questions_stop_changing_once_answers_come_back(world):
    survey = SurveyFactory()
    surveys.enter_response(world.quality, survey, {"answers": {"Q1": 3}})
    with pytest.raises(Conflict):
        surveys.add_question(
            world.quality,
            survey.questionnaire,
            {"key": "Q3", "kind": "scale", "text_zh": "中", "text_en": "en", "scale_min": 1, "scale_max": 5},
        )
    with pytest.raises(Conflict):
        surveys.remove_question(world.quality, survey.questionnaire, survey.questionnaire.questions[0].id)


def test_only_the_quality_department_runs_surveys(world):
    with pytest.raises(Forbidden):
        surveys.create_questionnaire(world.inspector, {"code": "X", "title": "x", "title_en": "x"})
    with pytest.raises(Forbidden):
        surveys.enter_response(world.manager, SurveyFactory(), {"answers": {"Q1": 3}})


def test_a_survey_names_a_known_questionnaire_and_region(world):
    questionnaire = SurveyFactory().questionnaire
    with pytest.raises(InvalidInput) as refused:
        surveys.create_survey(
            world.quality,
            {
                "code": "SV-9",
                "title": "t",
                "questionnaire_code": "NOPE",
                "audience": "everyone",
                "region": "Atlantis",
                "issued_on": "2010-07-01",
                "closes_on": "2010-06-01",
                "copies_issued": -1,
            },
        )
    assert set(refused.value.errors) == {
        "questionnaire_code",
        "audience",
        "region",
        "closes_on",
        "copies_issued",
    }
    survey = surveys.create_survey(
        world.quality,
        {
            "code": "SV-9",
            "title": "t",
            "questionnaire_code": questionnaire.code,
            "audience": "outside",
            "region": "Chengdu",
            "issued_on": "2010-05-01",
            "copies_issued": "1300",
        },
    )
    assert (survey.copies_issued, survey.region, survey.audience) == (1300, "Chengdu", "outside")


# --- entering answers ------------------------------------------------------------------------


def test_an_answer_outside_the_scale_is_refused_naming_the_question(world):
    survey = SurveyFactory()
    with pytest.raises(InvalidInput) as refused:
        surveys.enter_response(world.quality, survey, {"answers": {"Q1": 7, "Q2": "maybe", "Q9": 1}})
    errors = refused.value.errors
    assert "7 is outside the scale of Q1 (1 to 5)" in errors["Q1"][0]
    assert "not one of the choices of Q2" in errors["Q2"][0]
    assert "No question Q9" in errors["answers"][0]
    assert count(SurveyResponse) == 0 and count(SurveyAnswer) == 0


def test_a_choice_is_given_by_its_value_or_its_label_in_either_language(world):
    survey = SurveyFactory()
    for answer in ("y", "是", "YES"):
        surveys.enter_response(world.quality, survey, {"answers": {"Q2": answer}})
    assert surveys.results(survey)["questions"][1]["rows"][0]["count"] == 3


def test_never_more_returned_than_issued(world):
    survey = SurveyFactory(copies_issued=1)
    surveys.enter_response(world.quality, survey, {"sheet": "001", "answers": {"Q1": 2}})
    with pytest.raises(InvalidInput) as refused:
        surveys.enter_response(world.quality, survey, {"sheet": "002", "answers": {"Q1": 2}})
    assert "issued 1 copies" in refused.value.errors["answers"][0]
    with pytest.raises(InvalidInput):
        surveys.update_survey(world.quality, survey, {"copies_issued": 0})


def test_each_returned_questionnaire_has_one_history_row_with_its_answers(world):
    survey = SurveyFactory()
    response_id = surveys.enter_response(
        world.quality,
        survey,
        {"sheet": "A-7", "returned_on": "2010-07-01", "answers": {"Q1": "4", "Q2": "n"}},
    )
    entry = db.session.scalar(
        select(HistoryEntry).where(
            HistoryEntry.table_name == "survey_responses", HistoryEntry.record_id == response_id
        )
    )
    assert entry.username == "quality"
    assert entry.changes["answers"][1] == {"Q1": 4, "Q2": "n"}
    with pytest.raises(InvalidInput) as refused:
        surveys.enter_response(world.quality, survey, {"sheet": "a-7", "answers": {"Q1": 1}})
    assert "sheet" in refused.value.errors


# --- results, by hand ------------------------------------------------------------------------


def test_results_per_question_worked_by_hand(world):
    survey = SurveyFactory(copies_issued=8)
    for q1, q2 in [(5, "y"), (4, "y"), (4, "n"), (2, None), (None, "y")]:
        answers = {k: v for k, v in (("Q1", q1), ("Q2", q2)) if v is not None}
        surveys.enter_response(world.quality, survey, {"answers": answers})
    results = surveys.results(survey)
    # 5 of 8 returned: 62.5%. Q1: answered by 4, values 5, 4, 4, 2: mean 15/4 = 3.75.
    assert (results["issued"], results["returned"], results["response_rate"]) == (8, 5, 0.625)
    q1, q2 = results["questions"]
    assert q1["answered"] == 4 and q1["mean"] == 3.75
    assert [(r["answer"], r["count"], r["share"]) for r in q1["rows"]] == [
        ("1", 0, 0.0),
        ("2", 1, 0.25),
        ("3", 0, 0.0),
        ("4", 2, 0.5),
        ("5", 1, 0.25),
    ]
    # Q2: answered by 4: y 3 (75%), n 1 (25%).
    assert [(r["answer"], r["count"], r["share"]) for r in q2["rows"]] == [("y", 3, 0.75), ("n", 1, 0.25)]
    assert q2["mean"] is None


# --- importing -------------------------------------------------------------------------------


def test_an_import_with_an_unknown_question_is_refused_on_row_1(world):
    survey = SurveyFactory()
    stream = xlsx([["sheet", "returned_on", "Q1", "Q7"], ["001", "2010-06-20", 4, 1]])
    with pytest.raises(InvalidInput) as refused:
        survey_files.import_responses(world.quality, survey, stream)
    (message,) = refused.value.errors["file"]
    assert message.startswith("Row 1, column Q7: No question Q7 in questionnaire")
    assert count(SurveyResponse) == 0


def test_an_import_with_answers_outside_the_scale_writes_nothing_and_names_every_row(world):
    survey = SurveyFactory()
    stream = xlsx(
        [
            ["sheet", "returned_on", "Q1", "Q2"],
            ["001", "2010-06-20", 4, "y"],
            ["002", "2010-06-20", 6, "y"],
            ["003", "2010-06-20", 3, "perhaps"],
            ["004", "2010-06-21", 0, "n"],
            ["002", "2010-06-22", 2, "n"],
            ["006", "2010-06-10", 2, "n"],  # before the survey was issued
            ["007", "", "", ""],
        ]
    )
    with pytest.raises(InvalidInput) as refused:
        survey_files.import_responses(world.quality, survey, stream)
    messages = refused.value.errors["file"]
    assert [m.split(":")[0] for m in messages] == [
        "Row 3, column Q1",
        "Row 4, column Q2",
        "Row 5, column Q1",
        "Row 6, column sheet",
        "Row 7, column returned_on",
        "Row 8",  # a sheet number without any answer
    ]
    assert "6 is outside the scale of Q1 (1 to 5)" in messages[0]
    assert "also on row 3" in messages[3]
    assert count(SurveyResponse) == 0 and count(SurveyAnswer) == 0


def test_a_good_file_is_imported_whole_and_a_dry_run_writes_nothing(world):
    survey = SurveyFactory()
    rows = [
        ["Q2", "Q1", "returned_on", "sheet"],
        ["y", 5, "2010-06-20", "001"],
        ["否", "", "", "002"],
        ["", 1, "", ""],
    ]
    checked = survey_files.import_responses(world.quality, survey, xlsx(rows), dry_run=True)
    assert checked == {"rows": 3, "created": 0, "returned": 0, "dry_run": True}
    assert count(SurveyResponse) == 0
    done = survey_files.import_responses(world.quality, survey, xlsx(rows))
    assert (done["created"], done["returned"]) == (3, 3)
    assert count(SurveyAnswer) == 4
    # The same sheet numbers again: refused, nothing added.
    with pytest.raises(InvalidInput):
        survey_files.import_responses(world.quality, survey, xlsx(rows))
    assert count(SurveyResponse) == 3


def test_csv_imports_too_and_formulas_or_strangers_are_refused(world):
    survey = SurveyFactory()
    data = "\ufeffsheet,returned_on,Q1\n001,2010-06-20,3\n".encode()
    assert survey_files.import_responses(world.quality, survey, io.BytesIO(data))["created"] == 1
    with pytest.raises(InvalidInput) as refused:
        survey_files.import_responses(world.quality, survey, xlsx([["sheet", "Q1"], ["009", "=1+4"]]))
    assert "Formulas" in refused.value.errors["file"][0]
    with pytest.raises(InvalidInput):
        survey_files.import_responses(world.quality, survey, io.BytesIO(b"%PDF-1.4 nothing"))
    with pytest.raises(InvalidInput) as refused:
        survey_files.import_responses(world.quality, survey, xlsx([["sheet", "returned_on"]]))
    assert "no question columns" in refused.value.errors["file"][0]


def test_an_import_beyond_the_copies_issued_is_refused(world):
    survey = SurveyFactory(copies_issued=2)
    ResponseFactory(survey_id=survey.id)
    with pytest.raises(InvalidInput) as refused:
        survey_files.import_responses(world.quality, survey, xlsx([["Q1"], [1], [2]]))
    assert "at most 1 more (2 given)" in refused.value.errors["file"][0]


def test_the_answers_export_imports_again(world):
    survey = SurveyFactory()
    surveys.enter_response(
        world.quality, survey, {"sheet": "001", "returned_on": "2010-06-20", "answers": {"Q1": 4, "Q2": "y"}}
    )
    surveys.enter_response(world.quality, survey, {"sheet": "002", "answers": {"Q2": "n"}})
    header, rows = survey_files.response_rows(survey)
    assert header == ["sheet", "returned_on", "Q1", "Q2"]
    assert [[str(v) if v not in (None, "") else "" for v in row] for row in rows] == [
        ["001", "2010-06-20", "4", "y"],
        ["002", "", "", "n"],
    ]
    other = SurveyFactory(questionnaire=survey.questionnaire)
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    assert (
        survey_files.import_responses(world.quality, other, io.BytesIO(out.getvalue().encode()))["created"]
        == 2
    )
    assert surveys.results(other)["questions"][0]["mean"] == 4.0


def test_the_results_export(world, app):
    from labtrack.tabular import xlsx_bytes

    survey = SurveyFactory()
    surveys.enter_response(world.quality, survey, {"answers": {"Q1": 5}})
    header, rows = survey_files.result_rows(survey)
    sheet = load_workbook(io.BytesIO(xlsx_bytes(header, rows))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["question", "text", "kind", "answer", "label", "count", "share", "answered", "mean"]
    assert ["Q1", "How satisfied are you?", "scale", "5", "5", 1, 1, 1, 5] in values
