"""A finding raised by a round is written by the system in both languages (Chinese line, English
line): pages show the reader's line, the other on request; a finding people wrote is shown as written."""

import pytest

from labtrack.extensions import db
from labtrack.i18n_names import bilingual_lines, finding_text, other_text, reader_text
from tests import factories as f

ZH = "比对轮次 PT-1（陶瓷餐具铅溶出量）结果不满意：报告值 12.5 mg/L，指定值 10 mg/L，z = 5.00。请调查原因并采取纠正措施。"
EN = (
    "Unsatisfactory result in comparison round PT-1 (陶瓷餐具铅溶出量): reported 12.5 mg/L against "
    "10 mg/L, z = 5.00. Investigate the cause and take corrective action (ISO/IEC 17025:2017 7.7.2, 8.7)."
)


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        (f"{ZH}\n{EN}", (ZH, EN)),  # the English line quotes a Chinese title: still the English line
        ("只有中文。", None),
        ("One line only.", None),
        ("First English line.\nSecond English line.", None),
        (f"{EN}\n{ZH}", None),  # not the system's order
        (f"{ZH}\n{EN}\n{EN}", None),
        (None, None),
    ],
)
def test_which_texts_are_the_systems_bilingual_ones(app, text, pair):
    assert bilingual_lines(text) == pair


def test_the_readers_line(app):
    text = f"{ZH}\n{EN}"
    assert reader_text(text, "en") == EN and other_text(text, "en") == ZH
    assert reader_text(text, "zh_Hans_CN") == ZH and other_text(text, "zh_Hans_CN") == EN
    people = f.FindingFactory(description=f"{ZH}\n{EN}")  # written by people in an audit: as written
    assert finding_text(people, "en") == f"{ZH}\n{EN}"


@pytest.fixture
def round_finding(app):
    finding = f.FindingFactory(audit=None, source_ref="PT-1", description=f"{ZH}\n{EN}")
    db.session.commit()
    return finding


def test_the_finding_page_and_lists_show_the_readers_language(client, auth, round_finding):
    auth.login("quality")
    page = client.get(f"/audits/findings/{round_finding.id}").get_data(as_text=True)
    shown = page[page.index('id="description"') : page.index("</p>", page.index('id="description"'))]
    assert "Unsatisfactory result" in shown and "比对轮次" not in shown
    assert 'id="description-other"' in page and "比对轮次" in page  # on request
    listing = client.get("/audits/findings?status=active").get_data(as_text=True)
    row = listing[listing.index(round_finding.label) :]
    cell = row[
        row.index('class="small min-w-12rem"') : row.index("</td>", row.index('class="small min-w-12rem"'))
    ]
    assert "Unsatisfactory result" in cell and 'title="比对轮次' in cell
    client.post("/language/zh_Hans_CN")
    page = client.get(f"/audits/findings/{round_finding.id}").get_data(as_text=True)
    shown = page[page.index('id="description"') : page.index("</p>", page.index('id="description"'))]
    assert "比对轮次" in shown and "Unsatisfactory" not in shown
    lab_page = client.get(f"/labs/{round_finding.lab.code}").get_data(as_text=True)
    assert "比对轮次" in lab_page and ">Unsatisfactory result" not in lab_page


def test_the_api_keeps_the_stored_text(client, api_token, round_finding):
    _user, headers = api_token("quality")
    body = client.get(f"/api/v1/findings/{round_finding.id}", headers=headers).get_json()
    assert body["description"] == f"{ZH}\n{EN}"
