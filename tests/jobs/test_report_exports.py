"""National-scale report exports run as jobs: above REPORT_INLINE_LABS the page starts a job whose
file is the one the request would have answered; a region or lab under the limit stays inline."""

from datetime import date

import pytest
from sqlalchemy import select

from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.jobs import files, report_exports
from labtrack.jobs.models import Job, JobStatus
from labtrack.notify.models import Notification
from tests import factories as f
from tests.personnel import factories as pf

CAMPAIGN = "/reports/campaign?from=2010-01-01&to=2010-12-31&format={fmt}"
TRAINING = "/personnel/reports?from=2010-01-01&to=2010-12-31&format={fmt}"


@pytest.fixture
def data(app):
    """Three labs in two regions, findings, a training session with attendances."""
    a = f.LabFactory(code="EX-A", region="Chengdu")
    b = f.LabFactory(code="EX-B", region="Chengdu")
    c = f.LabFactory(code="EX-C", region="Mianyang")
    for lab in (a, b, c):
        f.FindingFactory(audit__lab=lab, lab=lab)
    f.ScopeEntryFactory(lab=a, granted_on=date(2010, 4, 1))
    f.ScopeEntryFactory(lab=c, granted_on=date(2009, 1, 1), withdrawn_on=date(2010, 6, 1))
    session = pf.TrainingSessionFactory(starts_on=date(2010, 3, 15), hours=4)
    for lab in (a, c):
        pf.AttendanceFactory(session=session, person=pf.PersonFactory(lab=lab))
    db.session.commit()
    return {"a": a, "b": b, "c": c}


def _cells(content: bytes) -> list[tuple]:
    import io

    from openpyxl import load_workbook

    return list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))


def _job_file(client, url: str, user) -> tuple[Job, bytes]:
    response = client.get(url)
    assert response.status_code == 303, response.data[:300]
    job = db.session.scalar(select(Job).where(Job.started_by_id == user.id).order_by(Job.id.desc()))
    assert response.headers["Location"].endswith(f"/jobs/{job.id}")
    assert job.status == JobStatus.DONE, job.error
    return job, files.store().get(job.result["file_key"])


@pytest.mark.parametrize("url, kind", [(CAMPAIGN, "campaign"), (TRAINING, "training")])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_national_export_is_a_job_whose_file_is_the_inline_one(app, client, auth, data, url, kind, fmt):
    user = auth.login(Role.QUALITY)
    inline = client.get(url.format(fmt=fmt))
    assert inline.status_code == 200 and len(inline.data) > 100
    app.config["REPORT_INLINE_LABS"] = 2  # three labs: more than the limit
    job, content = _job_file(client, url.format(fmt=fmt), user)
    assert job.params["export"] == kind and job.params["fmt"] == fmt
    assert "format" not in job.params["args"] and job.params["args"]["from"] == "2010-01-01"
    if fmt == "csv":
        assert content == inline.data
    else:  # an XLSX carries its time of writing: compare the cells
        assert _cells(content) == _cells(inline.data)
    disposition = inline.headers["Content-Disposition"]
    assert job.result["filename"] in disposition and job.result["rows"] > 5
    # the export the user waited for tells them it is ready
    note = db.session.scalar(select(Notification).where(Notification.record_id == job.id))
    assert note.kind == "job_done" and note.recipient_id == user.id


@pytest.mark.parametrize("url", [CAMPAIGN, TRAINING])
def test_a_region_under_the_limit_or_a_labs_own_export_stays_inline(app, client, auth, data, url):
    app.config["REPORT_INLINE_LABS"] = 1
    auth.login(Role.QUALITY)
    assert client.get(url.format(fmt="csv") + "&region=Mianyang").status_code == 200  # one lab there
    assert client.get(url.format(fmt="csv") + "&region=Chengdu").status_code == 303  # two labs
    auth.logout()
    auth.login(Role.LAB_MANAGER, lab=data["a"])
    assert client.get(url.format(fmt="csv")).status_code == 200
    assert len(db.session.scalars(select(Job)).all()) == 1


def test_the_page_itself_never_becomes_a_job(app, client, auth, data):
    app.config["REPORT_INLINE_LABS"] = 0
    auth.login(Role.QUALITY)
    assert client.get(CAMPAIGN.replace("&format={fmt}", "")).status_code == 200
    assert client.get(TRAINING.replace("&format={fmt}", "")).status_code == 200
    assert db.session.scalar(select(Job).limit(1)) is None


GROWTH = "/scope/growth/export.{fmt}?from=2009-12-31&to=2010-12-31"


def test_the_growth_exporter_writes_the_inline_file(app, client, auth, data):
    from labtrack.jobs import exports

    user = auth.login(Role.QUALITY)
    inline = client.get(GROWTH.format(fmt="csv"))
    assert inline.status_code == 200 and "removed,item" in inline.get_data(as_text=True)
    job = exports.start(user, "growth", "csv", {"from": "2009-12-31", "to": "2010-12-31"})
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.DONE, job.error
    assert files.store().get(job.result["file_key"]) == inline.data
    assert job.result["filename"] == "growth-all-2009-12-31-2010-12-31.csv"


def test_a_national_growth_export_from_the_page_is_a_job(app, client, auth, data):
    user = auth.login(Role.QUALITY)
    inline = client.get(GROWTH.format(fmt="csv"))
    app.config["REPORT_INLINE_LABS"] = 2
    job, content = _job_file(client, GROWTH.format(fmt="csv"), user)
    assert job.params["export"] == "growth" and content == inline.data
    assert client.get(GROWTH.format(fmt="csv") + "&lab=EX-A").status_code == 200  # one lab: inline


RISK = "/planning/risk?format={fmt}&region=Chengdu"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_risk_grades_export_inline_and_as_a_job_above_the_row_limit(app, client, auth, data, fmt):
    from tests.planning.factories import RiskGradingFactory

    for lab, grade, score in ((data["a"], "C", 9), (data["b"], "B", 3), (data["c"], "D", 16)):
        RiskGradingFactory(lab=lab, grade=grade, score=score)
    db.session.commit()
    user = auth.login(Role.QUALITY)
    inline = client.get(RISK.format(fmt=fmt))
    assert inline.status_code == 200
    if fmt == "csv":  # the region's two labs, highest points first, the API's fields
        lines = inline.get_data(as_text=True).lstrip("\ufeff").splitlines()
        assert lines[0].startswith("lab_code,lab_name,region,grade,score,explanation")
        assert [line.split(",")[:5] for line in lines[1:]] == [
            ["EX-A", data["a"].name, "Chengdu", "C", "9"],
            ["EX-B", data["b"].name, "Chengdu", "B", "3"],
        ]
    app.config["EXPORT_INLINE_ROWS"] = 1
    job, content = _job_file(client, RISK.format(fmt=fmt), user)
    assert job.params["export"] == "risk" and job.params["args"] == {"region": "Chengdu"}
    assert content == inline.data if fmt == "csv" else _cells(content) == _cells(inline.data)
    assert client.get("/planning/risk?format=pdf").status_code == 404


def test_covers_many_labs_counts_the_region_or_everyone(app, data):
    app.config["REPORT_INLINE_LABS"] = 2
    quality = f.UserFactory(role=Role.QUALITY)
    assert report_exports.covers_many_labs(quality)
    assert not report_exports.covers_many_labs(quality, region="Chengdu")
    assert not report_exports.covers_many_labs(quality, lab_id=data["a"].id)
    manager = f.UserFactory(role=Role.LAB_MANAGER, lab=data["a"])
    assert not report_exports.covers_many_labs(manager)
