"""The risk pages in English and Chinese: every lab's grade and its filters, one lab's grade
explained, the distribution and movement report, the warning list, recomputing a grade from the
page; a lab manager is shown their own lab's grade and nothing of another lab's."""

from datetime import date

import pytest
from freezegun import freeze_time

from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.planning.models import RiskGrading
from tests import factories as f
from tests.planning import factories as pf

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-GB"}
JUNE, DEC = date(2010, 6, 30), date(2010, 12, 31)


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def graded(app):
    """CD-1 (Chengdu) B in June then D in December (16 points, two major findings and more); MY-1
    (Mianyang) A then A; NEW-1 never graded."""
    cd1 = f.LabFactory(code="CD-1", region="Chengdu")
    my1 = f.LabFactory(code="MY-1", region="Mianyang")
    f.LabFactory(code="NEW-1", region="Chengdu")
    pf.RiskGradingFactory(lab=cd1, grade="B", score=4, as_of=JUNE, current=False)
    pf.RiskGradingFactory(
        lab=cd1,
        grade="D",
        score=16,
        as_of=DEC,
        inputs={
            "major_findings": 2,
            "overdue_findings": 2,
            "complaints": 3,
            "months_since_inspection": 30,
            "points": {
                "major_findings": 6,
                "overdue_findings": 4,
                "complaints": 3,
                "months_since_inspection": 2,
            },
            "as_of": "2010-12-31",
        },
    )
    pf.RiskGradingFactory(lab=my1, grade="A", score=1, as_of=JUNE, current=False)
    pf.RiskGradingFactory(lab=my1, grade="A", score=1, as_of=DEC)
    return {"cd1": cd1, "my1": my1}


def test_every_labs_grade_in_chinese_with_filters(graded, client, auth):
    auth.login(Role.VIEWER)
    page = html(client.get("/planning/risk", headers=ZH))
    assert "风险等级" in page and "CD-1" in page and "MY-1" in page
    only_d = html(client.get("/planning/risk?grade=D"))
    assert "CD-1" in only_d and "MY-1" not in only_d
    by_region = html(client.get("/planning/risk?region=Mianyang"))
    assert "MY-1" in by_region and "CD-1" not in by_region
    unknown = html(client.get("/planning/risk?grade=E"))  # not a grade: no filter
    assert "CD-1" in unknown and "MY-1" in unknown


def test_one_labs_grade_is_explained_by_its_inputs(graded, client, auth):
    auth.login(Role.VIEWER)
    page = html(client.get("/planning/labs/CD-1", headers=ZH))
    assert "距上次检查的月数" in page and "等级如何计算" in page
    assert page.index("2010-12-31") < page.index("2010-06-30")  # newest grading first
    english = html(client.get("/planning/labs/CD-1", headers=EN))
    assert "Months since the last inspection" in english


def test_a_lab_never_graded_says_so(graded, client, auth):
    auth.login(Role.VIEWER)
    assert "该实验室尚未评定。" in html(client.get("/planning/labs/NEW-1", headers=ZH))
    assert client.get("/planning/labs/NOPE").status_code == 404


def test_a_lab_manager_lands_on_their_own_labs_grade(graded, client, auth):
    auth.login(Role.LAB_MANAGER, lab=graded["my1"])
    home = html(client.get("/planning/"))
    assert "MY-1" in home and "CD-1" not in home
    assert client.get("/planning/labs/CD-1").status_code == 404
    listed = html(client.get("/planning/risk"))
    assert "MY-1" in listed and "CD-1" not in listed
    assert "CD-1" not in html(client.get("/planning/risk/warnings"))


def test_the_warning_list_in_both_languages(graded, client, auth):
    auth.login(Role.QUALITY)
    english = html(client.get("/planning/risk/warnings", headers=EN))
    assert "Risk warnings" in english and "CD-1" in english and "MY-1" not in english
    graded_d = db.session.scalar(
        db.select(RiskGrading).where(RiskGrading.current.is_(True), RiskGrading.grade == "D")
    )
    graded_d.grade = "B"
    db.session.commit()
    assert "风险预警名单中没有实验室。" in html(client.get("/planning/risk/warnings", headers=ZH))


def test_the_report_shows_distribution_and_movement(graded, client, auth):
    auth.login(Role.VIEWER)
    page = html(client.get("/planning/risk/report?from=2010-06-30&to=2010-12-31", headers=ZH))
    assert "风险等级：分布与变化" in page and "恶化" in page
    by_kind = client.get("/planning/risk/report?by=kind&from=2010-06-30&to=2010-12-31")
    assert by_kind.status_code == 200
    assert client.get("/planning/risk/report?by=colour").status_code == 422


def test_a_report_whose_dates_are_reversed_shows_the_distribution_only(graded, client, auth):
    auth.login(Role.VIEWER)
    response = client.get("/planning/risk/report?from=2010-12-31&to=2010-06-30", headers=EN)
    assert response.status_code == 200
    assert "Worsened" not in html(response)


@freeze_time("2010-10-01 09:00:00")
def test_recomputing_a_grade_from_the_page(graded, client, auth):
    """NEW-1 has nothing against it but was never inspected: 3 points, grade B."""
    auth.login(Role.QUALITY)
    response = client.post("/planning/labs/NEW-1/grade", headers=ZH)
    assert response.status_code == 303 and response.headers["Location"].endswith("/planning/labs/NEW-1")
    assert "已重新评定风险等级：B。" in html(client.get(response.headers["Location"], headers=ZH))
    stored = db.session.scalar(
        db.select(RiskGrading)
        .join(RiskGrading.lab)
        .where(RiskGrading.current.is_(True), RiskGrading.lab.has(code="NEW-1"))
    )
    assert (stored.grade, stored.score, stored.as_of) == ("B", 3, date(2010, 10, 1))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.INSPECTOR])
def test_readers_may_not_recompute(graded, client, auth, role):
    auth.login(role)
    assert client.post("/planning/labs/NEW-1/grade").status_code == 403
    assert client.post("/planning/risk/grade").status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(RiskGrading)) == 4
