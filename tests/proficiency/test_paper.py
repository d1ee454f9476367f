"""Reports on paper: the final report, a participant's report and a certificate as PDF, built as a
job, in the reader's language, for who may have them (a lab manager: its own, once published)."""

import io
import os
import re

import pytest
from pypdf import PdfReader

from labtrack.auth.permissions import Role
from labtrack.proficiency import evaluation, paper, results, service
from tests.conftest import fresh_app


@pytest.fixture
def app(database_url, tmp_path):
    """The app with jobs run inside the caller (Huey's immediate mode), so the PDF is there at once."""
    with fresh_app(
        database_url, tmp_path, JOBS_IMMEDIATE=True, JOBS_QUEUE_FILE=str(tmp_path / "q.db")
    ) as application:
        yield application


@pytest.fixture
def world(app, make_lab, make_user):
    labs = [make_lab(f"QLAB{n}", name=f"Laboratory {n}") for n in range(1, 7)]
    staff = make_user(Role.QUALITY, username="paper-staff")
    rnd = service.create_round(
        {"code": "PAPER-1", "title": "Lead in ceramics", "kind": "blind_sample", "measurand": "Pb",
         "unit": "mg/L", "assigned_value_method": "reference", "x_pt": 10.0, "u_x_pt": 0.05,
         "sigma_pt_method": "fixed", "sigma_pt": 0.5, "participants": [lab.code for lab in labs]},
        staff,
    )  # fmt: skip
    service.transition(rnd, "open", staff)
    values = [10.2, 9.1, 11.4, 10.0, 8.3, 10.6]
    results.submit_results(
        rnd, [{"lab_code": lab.code, "value": v} for lab, v in zip(labs, values, strict=True)], staff
    )
    service.transition(rnd, "closed", staff)
    evaluation.evaluate_round(rnd, staff)
    return {"labs": labs, "staff": staff, "round": rnd}


def _publish(world):
    evaluation.publish_round(world["round"], world["staff"])


def _pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _build(client, kind: str, lab: str | None = None):
    response = client.post(f"/rounds/PAPER-1/paper/{kind}", data={"lab": lab} if lab else {})
    return response


def _download(client, response) -> bytes:
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    job_page = response.headers["Location"]
    job_id = re.search(r"/(\d+)", job_page).group(1)
    got = client.get(f"/jobs/{job_id}/download")
    assert got.status_code == 200, got.headers.get("Location")
    assert got.mimetype == "application/pdf"
    if os.environ.get("PAPER_DUMP"):  # to look at them: PAPER_DUMP=/tmp/papers pytest ...
        os.makedirs(os.environ["PAPER_DUMP"], exist_ok=True)
        name = re.search(r'filename="?([^";]+)', got.headers["Content-Disposition"]).group(1)
        with open(os.path.join(os.environ["PAPER_DUMP"], name), "wb") as handle:
            handle.write(got.data)
    return got.data


def test_a_lab_manager_gets_its_own_report_with_its_scores_and_no_other_lab(client, world, auth, make_user):
    _publish(world)
    own, other = world["labs"][2], world["labs"][1]
    auth.login(make_user(Role.LAB_MANAGER, lab=own))
    text = _pdf_text(_download(client, _build(client, "participant", own.code)))
    # QLAB3 reported 11.4: z = (11.4 - 10) / 0.5 = 2.80, questionable.
    assert "2.80" in text and "11.4" in text
    assert own.code in text and "Laboratory 3" in text
    assert other.code not in text and "Laboratory 2" not in text
    assert "questionable" in text.lower()
    participant_code = next(p.participant_code for p in world["round"].participants if p.lab_id == own.id)
    assert participant_code in text


def test_the_final_report_names_every_lab_with_its_score_and_the_design(client, world, auth):
    auth.login(world["staff"])
    text = _pdf_text(_download(client, _build(client, "report")))
    for lab in world["labs"]:
        assert lab.code in text
    assert "-3.40" in text  # QLAB5: (8.3 - 10) / 0.5
    assert "0.5" in text and "10" in text  # sigma_pt and x_pt
    assert "Final report" in text


def test_a_certificate_names_the_lab_and_round(client, world, auth, make_user):
    _publish(world)
    own = world["labs"][0]
    auth.login(make_user(Role.LAB_MANAGER, lab=own))
    text = _pdf_text(_download(client, _build(client, "certificate", own.code)))
    assert "Certificate of participation" in text and "Laboratory 1" in text and "PAPER-1" in text


def test_a_chinese_reader_gets_a_chinese_report(client, world, auth, make_user):
    _publish(world)
    own = world["labs"][0]
    user = make_user(Role.LAB_MANAGER, lab=own)
    user.locale = "zh_Hans_CN"
    from labtrack.extensions import db

    db.session.commit()
    auth.login(user)
    text = _pdf_text(_download(client, _build(client, "participant", own.code)))
    assert "参加者报告" in text or "能力验证" in text
    assert re.search(r"[\u4e00-\u9fff]", text)


def test_refused_before_publication_and_for_another_lab(client, world, auth, make_user):
    own, other = world["labs"][0], world["labs"][1]
    auth.login(make_user(Role.LAB_MANAGER, lab=own))
    # evaluated, not published: nothing for the lab yet
    assert _build(client, "participant", own.code).status_code == 404
    assert _build(client, "certificate", own.code).status_code == 404
    _publish(world)
    assert _build(client, "participant", other.code).status_code == 404
    assert _build(client, "certificate", other.code).status_code == 404
    assert _build(client, "report").status_code == 404  # the final report names every lab
    assert _build(client, "participant").status_code == 404  # no lab said
    assert _build(client, "nonsense", own.code).status_code == 404


def test_the_page_offers_the_papers_the_reader_may_have(client, world, auth, make_user):
    own = world["labs"][0]
    auth.login(make_user(Role.LAB_MANAGER, lab=own))
    page = client.get("/rounds/PAPER-1").get_data(as_text=True)
    assert 'id="papers"' not in page
    _publish(world)
    page = client.get("/rounds/PAPER-1").get_data(as_text=True)
    assert 'id="papers"' in page and "/paper/participant" in page and "/paper/report" not in page
    assert world["labs"][1].code not in page.split('id="papers"')[1].split("</div>\n</div>")[0]


def test_the_policy_table(world, make_user):
    rnd, own, other = world["round"], world["labs"][0], world["labs"][1]
    manager = make_user(Role.LAB_MANAGER, lab=own)
    viewer = make_user(Role.VIEWER)
    assert paper.allowed("report", rnd, world["staff"], None)
    assert paper.allowed("participant", rnd, world["staff"], other.id)
    assert not paper.allowed("participant", rnd, manager, own.id)  # not yet published
    assert not paper.allowed("report", rnd, viewer, None)  # a viewer sees scores once published
    evaluation.publish_round(rnd, world["staff"])
    assert paper.allowed("participant", rnd, manager, own.id)
    assert not paper.allowed("participant", rnd, manager, other.id)
    assert not paper.allowed("report", rnd, manager, None)
    assert paper.allowed("report", rnd, viewer, None)


def test_asking_again_for_the_same_paper_reopens_its_job(client, world, auth):
    auth.login(world["staff"])
    first = _build(client, "report").headers["Location"]
    assert _build(client, "report").headers["Location"] == first
    evaluation.publish_round(world["round"], world["staff"])  # a new version of the round: a new PDF
    assert _build(client, "report").headers["Location"] != first


def test_a_qualitative_rounds_report_gives_the_answers(app, make_lab, make_user):
    from labtrack.proficiency import qualitative

    labs = [make_lab(f"QL{n}", name=f"Micro lab {n}") for n in range(1, 5)]
    staff = make_user(Role.QUALITY, username="qual-staff")
    rnd = service.create_round(
        {"code": "QUAL-1", "title": "Salmonella in milk powder", "kind": "blind_sample", "measurand": "Salmonella",
         "assigned_value_method": "reference", "participants": [lab.code for lab in labs]},
        staff,
    )  # fmt: skip
    qualitative.set_design(rnd, {"result_type": "qualitative", "assigned_answer": "detected"}, staff)
    service.transition(rnd, "open", staff)
    answers = ["detected", "detected", "detected", "not_detected"]
    results.submit_results(
        rnd, [{"lab_code": lab.code, "answer": a} for lab, a in zip(labs, answers, strict=True)], staff
    )
    service.transition(rnd, "closed", staff)
    evaluation.evaluate_round(rnd, staff)
    evaluation.publish_round(rnd, staff)
    manager = make_user(Role.LAB_MANAGER, lab=labs[3])
    text = _pdf_text(paper.pdf("participant", rnd, manager, labs[3]))
    assert "Not detected" in text or "not detected" in text.lower()
    assert "unsatisfactory" in text.lower() and "Micro lab 4" in text and "Micro lab 1" not in text


def test_the_report_shows_a_failed_homogeneity_check_and_the_widening(world):
    from tests.proficiency.factories import HomogeneityStudyFactory

    rnd = world["round"]
    HomogeneityStudyFactory(round=rnd, s_s=0.3, passed=False, passed_expanded=False)
    html = paper.html("report", rnd, world["staff"])
    assert "Homogeneity" in html and "s_s = 0.3" in html and "failed" in html
    # sigma_pt 0.5 widened to sqrt(0.5^2 + 0.3^2) = 0.5831
    assert "0.5831" in html
