"""History comments the system wrote read in the reader's language, whichever language they were
written in; a person's own words are shown as written."""

import pytest
from flask_babel import force_locale

from labtrack.history.display import system_text

ZH = "zh_Hans_CN"


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize(
    "stored, english, chinese",
    [
        ("Scope import (job)", "Scope import (job)", "能力范围导入（后台任务）"),
        (
            "Evaluated: 8 results scored with z.",
            "Evaluated: 8 results scored with z.",
            "已评价：8 个结果以 z 评分。",
        ),
        ("已评价：8 个结果以 z 评分。", "Evaluated: 8 results scored with z.", "已评价：8 个结果以 z 评分。"),
        ("Job 12: Scope import", "Job 12: Scope import", "任务 12：能力范围导入"),
        ("复核通过 (by i-2)", "复核通过 (by i-2)", "复核通过（由i-2）"),
    ],
)
def test_a_system_message_reads_in_either_language(ctx, stored, english, chinese):
    with force_locale("en"):
        assert system_text(stored) == english
    with force_locale(ZH):
        assert system_text(stored) == chinese


@pytest.mark.parametrize(
    "words", ["天平未经检定，已要求整改。", "Evaluated twice by mistake", "", None, "50% done"]
)
def test_a_persons_words_stay_as_written(ctx, words):
    with force_locale(ZH):
        assert system_text(words) == words


def test_a_round_evaluated_in_english_reads_in_chinese_on_its_page(client, auth, app, make_lab, make_user):
    from labtrack.proficiency import evaluation, results, service

    labs = [make_lab(f"ST{n}") for n in range(1, 6)]
    staff = make_user("quality", username="st-staff")
    rnd = service.create_round(
        {"code": "ST-1", "title": "Lead", "kind": "blind_sample", "measurand": "Pb", "unit": "mg/L",
         "assigned_value_method": "reference", "x_pt": 1.0, "u_x_pt": 0.001, "sigma_pt_method": "fixed",
         "sigma_pt": 0.1, "participants": [lab.code for lab in labs]},
        staff,
    )  # fmt: skip
    service.transition(rnd, "open", staff)
    results.submit_results(
        rnd, [{"lab_code": lab.code, "value": 1.0 + n / 100} for n, lab in enumerate(labs)], staff
    )
    service.transition(rnd, "closed", staff)
    evaluation.evaluate_round(rnd, staff)  # outside a request: the comment is written in English
    reader = make_user("quality", username="st-zh")
    reader.locale = ZH
    from labtrack.extensions import db

    db.session.commit()
    auth.login(reader)
    page = client.get("/rounds/ST-1").get_data(as_text=True)
    assert "已评价：5 个结果以 z 评分。" in page and "Evaluated: 5 results" not in page
