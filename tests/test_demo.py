"""The demo data set: the province of the field notes, loaded idempotently."""

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from labtrack.auth.models import User
from labtrack.auth.permissions import Role
from labtrack.demo import DEMO_PASSWORD
from labtrack.demo_labs import PREFECTURES
from labtrack.extensions import db
from labtrack.labs.models import Lab, LabContact, LabKind, Qualification, Scheme
from labtrack.models_base import today


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _counts() -> tuple[int, ...]:
    return tuple(_count(m) for m in (Lab, User, Qualification, LabContact))


def test_demo_command_twice_adds_nothing_the_second_time(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["labtrack", "demo"])
    assert first.exit_code == 0, first.output
    assert "labs: 47" in first.output
    counts = _counts()
    second = runner.invoke(args=["labtrack", "demo"])
    assert second.exit_code == 0, second.output
    assert _counts() == counts


def test_demo_province(app):
    assert app.test_cli_runner().invoke(args=["labtrack", "demo"]).exit_code == 0
    assert _count(Lab) == 47
    regions = set(db.session.scalars(select(Lab.region).distinct()))
    assert regions == {en for en, _zh, _code in PREFECTURES}
    assert len(regions) == 21
    tc = db.session.scalar(select(Lab).where(Lab.code == "SC-TC"))
    assert tc.kind == LabKind.TECHNICAL_CENTRE
    # The 4 model laboratories of the Suining and Nanchong pilots, one of each kind.
    models = db.session.scalars(select(Lab).where(Lab.is_model_lab.is_(True))).all()
    assert {lab.region for lab in models} == {"Suining", "Nanchong"}
    assert sorted(lab.kind for lab in models) == sorted(
        [LabKind.PRODUCT_QUALITY, LabKind.METROLOGY, LabKind.FIBRE, LabKind.SPECIAL_EQUIPMENT]
    )
    kinds = set(db.session.scalars(select(Lab.kind).distinct()))
    assert kinds == {k.value for k in LabKind}
    pqi = db.session.scalar(select(Lab).where(Lab.code == "SC-PQI"))
    assert pqi.name == "四川省产品质量监督检验检测院" and pqi.name_en
    # Every lab holds a CMA certificate, and has someone to call.
    assert (
        db.session.scalar(
            select(func.count(func.distinct(Qualification.lab_id))).where(Qualification.scheme == Scheme.CMA)
        )
        == 47
    )
    assert db.session.scalar(select(func.count()).where(Qualification.scheme == Scheme.CNAS)) > 10
    assert db.session.scalar(select(func.count(func.distinct(LabContact.lab_id)))) == 47


def test_demo_certificates_expire_relative_to_today(app):
    assert app.test_cli_runner().invoke(args=["labtrack", "demo"]).exit_code == 0
    now = today()
    expired = db.session.scalars(select(Qualification).where(Qualification.expires_on < now)).all()
    assert [q.lab.code for q in expired] == ["SC-3P-MS"]
    soon = db.session.scalars(
        select(Qualification).where(
            Qualification.expires_on >= now, Qualification.expires_on <= now + timedelta(days=90)
        )
    ).all()
    assert len(soon) == 4
    for q in db.session.scalars(select(Qualification)):
        assert q.expires_on > q.issued_on


def test_demo_accounts_sign_in(app, client):
    assert app.test_cli_runner().invoke(args=["labtrack", "demo"]).exit_code == 0
    staff = {u.username: u.role for u in db.session.scalars(select(User).where(User.lab_id.is_(None)))}
    # DESIGN's four accounts (other areas' demos may add staff of their own, e.g. more inspectors).
    assert {name: staff.get(name) for name in ("admin", "quality", "inspector", "viewer")} == {
        "admin": Role.ADMIN,
        "quality": Role.QUALITY,
        "inspector": Role.INSPECTOR,
        "viewer": Role.VIEWER,
    }
    managers = db.session.scalars(select(User).where(User.role == Role.LAB_MANAGER)).all()
    assert len(managers) == 47
    assert all(m.username == f"manager-{m.lab.code}" for m in managers)
    for username in ("admin", "manager-SC-TC"):
        response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code in (302, 303)
        assert response.headers["Location"] == "/"
        client.post("/logout")


def test_demo_refuses_a_database_with_other_data_unless_forced(app, make_lab):
    make_lab("OTHER-1")
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["labtrack", "demo"])
    assert refused.exit_code != 0
    assert "--force" in refused.output
    assert _count(Lab) == 1
    forced = runner.invoke(args=["labtrack", "demo", "--force"])
    assert forced.exit_code == 0, forced.output
    assert _count(Lab) == 48


def test_demo_if_empty_skips_a_loaded_database(app, make_lab):
    make_lab("OTHER-1")
    result = app.test_cli_runner().invoke(args=["labtrack", "demo", "--if-empty"])
    assert result.exit_code == 0
    assert _count(Lab) == 1


@pytest.mark.parametrize("day", ["2011-03-01", "2030-06-15"])
def test_demo_flags_stay_true_on_any_day_and_data_are_deterministic(app, day):
    with freeze_time(day):
        assert app.test_cli_runner().invoke(args=["labtrack", "demo"]).exit_code == 0
        now = today()
        expired = db.session.scalar(select(func.count()).where(Qualification.expires_on < now))
        soon = db.session.scalar(
            select(func.count()).where(
                Qualification.expires_on >= now, Qualification.expires_on <= now + timedelta(days=90)
            )
        )
    assert (expired, soon) == (1, 4)
    names = db.session.scalars(select(LabContact.name).order_by(LabContact.id)).all()
    assert names[:2] == ["高娜平", "张杰"]  # seeded per lab: the same on every run
