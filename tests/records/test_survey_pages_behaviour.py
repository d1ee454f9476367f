"""The survey pages as the quality department works through them: a questionnaire and its questions
written on the page, a campaign opened, returned questionnaires entered one by one (a bad answer
shown beside its question, nothing written), one taken out again, the copies corrected, a file
checked and imported; the exports' columns; what readers and lab managers may open; the messages
in Chinese for a Chinese reader."""

import io

import pytest
from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.records.models import Question, Questionnaire, Survey, SurveyResponse
from tests.records.conftest import login
from tests.records.factories import SurveyFactory

pytestmark = pytest.mark.usefixtures("frozen")


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def html(response) -> str:
    return response.get_data(as_text=True)


def chinese(user) -> None:
    user.locale = "zh_Hans_CN"
    db.session.commit()


def test_a_questionnaire_and_its_questions_written_on_the_page(world, client):
    login(client, world.quality)
    made = client.post(
        "/records/questionnaires/new", data={"code": "HOT-1", "title": "热线问卷", "title_en": "Hotline"}
    )
    assert made.status_code == 303
    questionnaire = db.session.scalar(select(Questionnaire))
    url = f"/records/questionnaires/{questionnaire.id}"
    assert made.headers["Location"].endswith(url)
    question = {
        "key": "Q1",
        "kind": "scale",
        "text_zh": "满意度",
        "text_en": "Satisfaction",
        "scale_min": "1",
        "scale_max": "5",
    }
    added = client.post(f"{url}/questions", data=question)
    assert added.status_code == 303 and added.headers["Location"].endswith(url)
    refused = client.post(f"{url}/questions", data={**question, "key": "sheet"})
    assert refused.status_code == 422 and "names a fixed column of the answers file" in html(refused)
    page = html(client.get(url))
    assert "满意度" in page and "Satisfaction" in page  # both languages shown
    assert count(Question) == 1


def test_a_question_is_removed_on_the_page_until_answers_come_back(world, client):
    survey = SurveyFactory()
    questionnaire = survey.questionnaire
    q1, q2 = questionnaire.questions
    login(client, world.quality)
    removed = client.post(f"/records/questionnaires/{questionnaire.id}/questions/{q2.id}/remove")
    assert removed.status_code == 303 and count(Question) == 1
    client.post(f"/records/surveys/{survey.id}/responses/new", data={f"q_{q1.id}": "3"})
    refused = client.post(f"/records/questionnaires/{questionnaire.id}/questions/{q1.id}/remove")
    assert refused.status_code in (303, 409) and count(Question) == 1


def test_opening_a_campaign_on_the_page(world, client):
    questionnaire = SurveyFactory().questionnaire
    login(client, world.quality)
    data = {
        "code": "SV-OUT",
        "title": "窗口满意度",
        "questionnaire_code": questionnaire.code,
        "audience": "outside",
        "region": "Chengdu",
        "issued_on": "2010-05-20",
        "copies_issued": "40",
    }
    made = client.post("/records/surveys/new", data=data)
    assert made.status_code == 303
    survey = db.session.scalar(select(Survey).where(Survey.code == "SV-OUT"))
    assert (survey.region, survey.copies_issued, survey.audience) == ("Chengdu", 40, "outside")
    again = client.post("/records/surveys/new", data={**data, "region": "Atlantis", "code": "SV-2"})
    assert again.status_code == 422 and "No laboratory in region Atlantis." in html(again)


def test_entering_questionnaires_one_by_one(world, client):
    survey = SurveyFactory(copies_issued=3)
    q1, q2 = survey.questionnaire.questions
    login(client, world.quality)
    url = f"/records/surveys/{survey.id}/responses/new"
    refused = client.post(url, data={"sheet": "001", f"q_{q1.id}": "7", f"q_{q2.id}": "y"})
    assert refused.status_code == 422 and "7 is outside the scale of Q1 (1 to 5)." in html(refused)
    assert count(SurveyResponse) == 0
    done = client.post(url, data={"sheet": "001", f"q_{q1.id}": "4", f"q_{q2.id}": "y"})
    assert done.status_code == 303 and done.headers["Location"].endswith(url)  # the next one
    twice = client.post(url, data={"sheet": "001", f"q_{q1.id}": "2"})
    assert twice.status_code == 422 and "Questionnaire 001 was entered already." in html(twice)
    assert count(SurveyResponse) == 1


def test_a_questionnaire_taken_out_on_the_page(world, client):
    survey = SurveyFactory()
    q1 = survey.questionnaire.questions[0]
    login(client, world.quality)
    client.post(f"/records/surveys/{survey.id}/responses/new", data={"sheet": "009", f"q_{q1.id}": "5"})
    response_id = db.session.scalar(select(SurveyResponse.id))
    removed = client.post(f"/records/surveys/{survey.id}/responses/{response_id}/delete")
    assert removed.status_code == 303 and removed.headers["Location"].endswith(
        f"/records/surveys/{survey.id}"
    )
    assert count(SurveyResponse) == 0
    other = SurveyFactory()
    assert client.post(f"/records/surveys/{other.id}/responses/{response_id}/delete").status_code == 404


def test_the_copies_are_never_corrected_below_those_returned(world, client):
    survey = SurveyFactory(copies_issued=2)
    q1 = survey.questionnaire.questions[0]
    login(client, world.quality)
    for sheet in ("1", "2"):
        client.post(f"/records/surveys/{survey.id}/responses/new", data={"sheet": sheet, f"q_{q1.id}": "3"})
    refused = client.post(f"/records/surveys/{survey.id}/copies", data={"copies-copies_issued": "1"})
    assert refused.status_code == 422 and "2 questionnaires have come back already" in html(refused)
    saved = client.post(f"/records/surveys/{survey.id}/copies", data={"copies-copies_issued": "5"})
    assert saved.status_code == 303
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).copies_issued == 5


def test_a_file_checked_then_imported_on_the_page(world, client):
    survey = SurveyFactory()
    login(client, world.quality)
    url = f"/records/surveys/{survey.id}/import"
    checked = client.post(
        url,
        data={
            "import-file": (io.BytesIO(b"sheet,Q1,Q2\n001,5,y\n002,3,n\n"), "a.csv"),
            "import-dry_run": "y",
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "The file is fine: 2 questionnaires would be imported." in html(checked)
    assert count(SurveyResponse) == 0
    done = client.post(
        url,
        data={"import-file": (io.BytesIO(b"sheet,Q1,Q2\n001,5,y\n002,3,n\n"), "a.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "2 questionnaires imported; 2 returned in all." in html(done) and count(SurveyResponse) == 2
    bad = client.post(
        url,
        data={"import-file": (io.BytesIO(b"sheet,Q1\n003,9\n"), "b.csv")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "Row 2, column Q1" in html(bad) and count(SurveyResponse) == 2
    nothing = client.post(url, data={}, content_type="multipart/form-data")
    assert nothing.status_code == 422 and count(SurveyResponse) == 2


def test_the_exports_and_the_empty_answers_file(world, client):
    survey = SurveyFactory()
    q1 = survey.questionnaire.questions[0]
    login(client, world.viewer)
    template = client.get(f"/records/surveys/{survey.id}/template?format=csv")
    assert html(template).splitlines()[0].lstrip("\ufeff") == "sheet,returned_on,Q1,Q2"
    assert client.get(f"/records/surveys/{survey.id}/template").data[:2] == b"PK"  # XLSX by default
    login(client, world.quality)
    client.post(f"/records/surveys/{survey.id}/responses/new", data={"sheet": "1", f"q_{q1.id}": "4"})
    results = html(client.get(f"/records/surveys/{survey.id}/export?what=results&format=csv")).splitlines()
    assert results[0].lstrip("\ufeff") == "question,text,kind,answer,label,count,share,answered,mean"
    assert results[1] == ",returned / issued,,,,1,0.01,100,"  # 1 of 100 copies came back
    assert len(results) == 2 + 5 + 2  # then five scale points and two choices
    responses = html(
        client.get(f"/records/surveys/{survey.id}/export?what=responses&format=csv")
    ).splitlines()
    assert responses[1].split(",")[:1] + responses[1].split(",")[2:] == ["1", "4", ""]


@pytest.mark.parametrize("who", ["manager", "viewer", "inspector"])
def test_readers_open_the_survey_but_not_its_forms(world, client, who):
    survey = SurveyFactory()
    login(client, getattr(world, who))
    assert client.get(f"/records/surveys/{survey.id}").status_code == 200
    assert client.get(f"/records/surveys/{survey.id}/responses/new").status_code == 403
    assert client.get("/records/surveys/new").status_code == 403
    assert (
        client.post(f"/records/surveys/{survey.id}/copies", data={"copies-copies_issued": "1"}).status_code
        == 403
    )
    assert client.get("/records/surveys/999999").status_code == 404


def test_the_messages_in_chinese(world, client):
    survey = SurveyFactory(copies_issued=1)
    q1 = survey.questionnaire.questions[0]
    chinese(world.quality)
    login(client, world.quality)
    url = f"/records/surveys/{survey.id}/responses/new"
    refused = client.post(url, data={f"q_{q1.id}": "9"})
    assert refused.status_code == 422 and "9 超出 Q1 的量表范围（1 至 5）。" in html(refused)
    done = client.post(url, data={f"q_{q1.id}": "2"}, follow_redirects=True)
    assert "问卷已录入，请录入下一份。" in html(done) and count(SurveyResponse) == 1
