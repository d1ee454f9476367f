"""The shared factories build valid, linked rows of every model, on SQLite and PostgreSQL."""

import importlib
import pkgutil
from pathlib import Path

import factory
import pytest
from sqlalchemy import func, select

from labtrack.audits.workflow import State
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from tests import factories as f

ONE_OF_EACH = [
    f.LabFactory,
    f.LabContactFactory,
    f.QualificationFactory,
    f.UserFactory,
    f.ApiTokenFactory,
    f.TestCategoryFactory,
    f.TestItemFactory,
    f.ScopeEntryFactory,
    f.AuditFactory,
    f.FindingFactory,
    f.EvidenceFileFactory,
    f.RoundFactory,
    f.ParticipantFactory,
    f.ResultFactory,
    f.EvaluationFactory,
    f.RoundFindingFactory,
    f.HistoryEntryFactory,
]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("factory_class", ONE_OF_EACH, ids=lambda c: c.__name__)
def test_each_factory_saves_a_row(app, factory_class):
    model = factory_class._meta.model
    before = _count(model)
    record = factory_class()
    db.session.expire_all()
    assert _count(model) == before + 1
    assert db.session.get(model, record.id) is not None


def _factory_modules():
    """tests/factories.py and every area's tests/<area>/factories.py."""
    yield f
    root = Path(__file__).resolve().parents[1]
    for info in pkgutil.iter_modules([str(root)]):
        if info.ispkg and (root / info.name / "factories.py").exists():
            yield importlib.import_module(f"tests.{info.name}.factories")


def test_every_model_has_a_factory(app):
    covered = {
        obj._meta.model
        for module in _factory_modules()
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, factory.Factory) and obj._meta.model is not None
    }
    models = {mapper.class_ for mapper in db.Model.registry.mappers}
    missing = sorted(m.__name__ for m in models - covered)
    assert not missing, f"models without a factory: {missing}"


def test_lab_manager_gets_a_lab_and_others_none(app):
    manager = f.UserFactory(role=Role.LAB_MANAGER)
    inspector = f.UserFactory(role=Role.INSPECTOR)
    assert manager.lab is not None and manager.lab.code.startswith("FL-")
    assert inspector.lab is None


def test_users_sign_in_with_the_shared_password(app, client):
    user = f.UserFactory(role=Role.VIEWER)
    assert user.check_password(f.PASSWORD)
    response = client.post("/login", data={"username": user.username, "password": f.PASSWORD})
    assert response.status_code in (302, 303)


def test_bearer_header_authenticates_the_api(app, client):
    user, headers = f.bearer(role=Role.INSPECTOR)
    assert client.get("/api/v1/labs", headers=headers).status_code == 200
    assert client.get("/api/v1/labs", headers={"Authorization": "Bearer lt_wrong"}).status_code == 401


def test_a_finding_belongs_to_its_audits_lab_and_numbers_follow_on(app):
    audit = f.AuditFactory()
    first, second = f.FindingFactory.create_batch(2, audit=audit)
    assert first.lab_id == second.lab_id == audit.lab_id
    assert (first.number, second.number) == (1, 2)
    assert audit.reference.startswith("FC-2010-")


@pytest.mark.parametrize(
    "trait, state",
    [
        ("plan_submitted", State.PLAN_SUBMITTED),
        ("plan_accepted", State.PLAN_ACCEPTED),
        ("evidence_submitted", State.EVIDENCE_SUBMITTED),
        ("closed", State.CLOSED),
        ("cancelled", State.CANCELLED),
    ],
)
def test_finding_traits_set_the_state_and_its_fields(app, trait, state):
    finding = f.FindingFactory(**{trait: True})
    assert finding.status == state
    if state != State.CANCELLED:
        assert finding.root_cause and finding.action_target_on
    else:
        assert finding.cancel_reason


def test_a_round_finding_links_result_finding_and_lab(app):
    link = f.RoundFindingFactory()
    assert link.finding.audit_id is None
    assert link.finding.source_ref == link.round.code
    assert link.finding.lab_id == link.result.lab_id == link.lab_id
    assert link.finding.source == "round"
    assert link.result.round_id == link.round_id


def test_results_of_one_round_come_from_different_labs(app):
    rnd = f.RoundFactory(status="open")
    results = f.ResultFactory.create_batch(3, participant__round=rnd)
    assert {r.round_id for r in results} == {rnd.id}
    assert len({r.lab_id for r in results}) == 3


def test_evidence_file_is_stored_by_its_digest(app):
    from labtrack.audits.evidence import path_for

    evidence = f.EvidenceFileFactory(content=b"%PDF-1.4 other bytes")
    assert path_for(evidence.sha256).read_bytes() == b"%PDF-1.4 other bytes"
    assert evidence.size == len(b"%PDF-1.4 other bytes")
    assert evidence.stage == State.EVIDENCE_SUBMITTED


def test_build_makes_no_rows(app):
    lab = f.LabFactory.build()
    assert lab.id is None and _count(lab.__class__) == 0
