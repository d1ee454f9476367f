"""factory_boy factories for every model: one call builds a valid record and what it needs.

Use them inside the function-scoped `app` fixture (they need its application context):

    from tests import factories as f

    lab = f.LabFactory(code="SC-TC")                        # a lab, committed
    manager = f.UserFactory(role=Role.LAB_MANAGER, lab=lab)  # password: tests.factories.PASSWORD
    finding = f.FindingFactory(audit__lab=lab, plan_accepted=True)  # a finding in that state
    user, headers = f.bearer(role=Role.INSPECTOR)           # a user and an Authorization header
    f.ResultFactory.create_batch(5, participant__round=rnd)  # five labs' results in one round

Every factory commits (sqlalchemy_session_persistence="commit"), so what it builds is visible to
requests made with the test client and survives a service's rollback, on SQLite and PostgreSQL
alike. SubFactory links build the parents a record needs (a finding builds its audit, which builds
its lab and lead inspector) unless you pass your own (`audit=...`, or `audit__lab=...` to reach
one level down). `.build()` makes an unsaved object for pure code (policies, schemas).
"""

import hashlib
from datetime import date, timedelta
from functools import lru_cache

import factory
from factory.alchemy import SQLAlchemyModelFactory
from flask import current_app
from werkzeug.security import generate_password_hash

from labtrack.audits.models import (
    AUDIT_KIND_PREFIX,
    Area,
    Audit,
    AuditKind,
    AuditStatus,
    EvidenceFile,
    Finding,
    FindingSource,
    Severity,
)
from labtrack.audits.workflow import State
from labtrack.auth.models import ApiToken, User, hash_token
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.labs.models import Lab, LabContact, LabKind, LabStatus, Qualification, Scheme
from labtrack.proficiency.models import (
    AssignedValueMethod,
    Evaluation,
    Participant,
    Result,
    Round,
    RoundFinding,
    RoundKind,
    RoundStatus,
    SigmaMethod,
)
from labtrack.scope.models import Basis, ScopeEntry, ScopeImport, TestCategory, TestItem

PASSWORD = "correct-horse-battery"  # every factory user's password (same as tests.conftest)


@lru_cache(maxsize=8)
def _password_hash(password: str, method: str) -> str:
    """Hash each test password once per run: hashing is deliberately slow."""
    return generate_password_hash(password, method=method)


def password_hash(password: str = PASSWORD) -> str:
    """The stored form of `password` under the app's configured hash method."""
    return _password_hash(password, current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


class BaseFactory(SQLAlchemyModelFactory):
    """Saves through the app's session (resolved when a record is built) and commits."""

    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 (the app context's session)
        sqlalchemy_session_persistence = "commit"


# --- labs -------------------------------------------------------------------------------------


class LabFactory(BaseFactory):
    """An active regional lab in Chengdu."""

    class Meta:
        model = Lab

    code = factory.Sequence(lambda n: f"FL-{n:04d}")
    name = factory.Sequence(lambda n: f"检测实验室 {n}")
    name_en = factory.Sequence(lambda n: f"Testing Laboratory {n}")
    region = "Chengdu"
    kind = LabKind.REGIONAL_LAB
    status = LabStatus.ACTIVE


class LabContactFactory(BaseFactory):
    """A person to reach at a lab."""

    class Meta:
        model = LabContact

    lab = factory.SubFactory(LabFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    position = "Quality manager"
    phone = "028-8888-0000"
    email = factory.Sequence(lambda n: f"contact{n}@lab.example.cn")


class QualificationFactory(BaseFactory):
    """A valid CMA certificate, six years long."""

    class Meta:
        model = Qualification

    lab = factory.SubFactory(LabFactory)
    scheme = Scheme.CMA
    certificate_no = factory.Sequence(lambda n: f"CMA-{n:06d}")
    issued_on = date(2008, 3, 1)
    expires_on = factory.LazyAttribute(lambda o: o.issued_on.replace(year=o.issued_on.year + 6))


# --- users and tokens -------------------------------------------------------------------------


class UserFactory(BaseFactory):
    """A user of a role (admin unless told) with password PASSWORD; a lab manager gets a lab."""

    class Meta:
        model = User

    class Params:
        password = PASSWORD

    username = factory.Sequence(lambda n: f"user-{n:04d}")
    full_name = factory.Sequence(lambda n: f"Test User {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.cn")
    role = Role.ADMIN
    lab = factory.Maybe(
        factory.LazyAttribute(lambda o: Role(o.role) == Role.LAB_MANAGER),
        yes_declaration=factory.SubFactory(LabFactory),
        no_declaration=None,
    )
    password_hash = factory.LazyAttribute(lambda o: password_hash(o.password))
    active = True


class ApiTokenFactory(BaseFactory):
    """An API token; its secret (to send as `Bearer <secret>`) is the `secret` parameter."""

    class Meta:
        model = ApiToken

    class Params:
        secret = factory.Sequence(lambda n: f"lt_factory-token-{n:06d}")

    user = factory.SubFactory(UserFactory)
    name = "tests"
    token_hash = factory.LazyAttribute(lambda o: hash_token(o.secret))


def bearer(user: User | None = None, *, secret: str | None = None, **user_fields) -> tuple[User, dict]:
    """A user (new unless given, e.g. `role=Role.QUALITY`) and an Authorization header for them."""
    user = user or UserFactory(**user_fields)
    secret = secret or f"lt_factory-{user.id}-{ApiToken.new_secret()[3:19]}"
    ApiTokenFactory(user=user, secret=secret)
    return user, {"Authorization": f"Bearer {secret}"}


# --- scope ------------------------------------------------------------------------------------


class TestCategoryFactory(BaseFactory):
    """A test category (检测大类) with both names."""

    class Meta:
        model = TestCategory

    code = factory.Sequence(lambda n: f"C{n:03d}")
    name = factory.Sequence(lambda n: f"食品 {n}")
    name_en = factory.Sequence(lambda n: f"Food {n}")


class TestItemFactory(BaseFactory):
    """A test item (检测项目) of a category, with one standard method and three parameters."""

    class Meta:
        model = TestItem

    category = factory.SubFactory(TestCategoryFactory)
    code = factory.Sequence(lambda n: f"I{n:04d}")
    name = factory.Sequence(lambda n: f"铅 {n}")
    name_en = factory.Sequence(lambda n: f"Lead {n}")
    method = "GB 5009.12-2017"
    parameters = 3


class ScopeEntryFactory(BaseFactory):
    """A lab holds an item from 2009-01-01 on (still held unless `withdrawn_on` is given)."""

    class Meta:
        model = ScopeEntry

    lab = factory.SubFactory(LabFactory)
    item = factory.SubFactory(TestItemFactory)
    granted_on = date(2009, 1, 1)
    withdrawn_on = None
    basis = Basis.INITIAL


class ScopeImportFactory(BaseFactory):
    """The record of an applied scope import of a four-row file by the command line."""

    class Meta:
        model = ScopeImport

    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    filename = factory.Sequence(lambda n: f"scope-{n}.csv")
    rows = 4
    new_periods = 4


# --- audits, findings, evidence ---------------------------------------------------------------


class AuditFactory(BaseFactory):
    """A completed flight check of a new lab, led by an inspector, on 2010-05-10."""

    class Meta:
        model = Audit

    lab = factory.SubFactory(LabFactory)
    kind = AuditKind.FLIGHT_CHECK
    reference = factory.LazyAttributeSequence(
        lambda o, n: f"{AUDIT_KIND_PREFIX[AuditKind(o.kind)]}-{o.started_on.year}-{n:03d}"
    )
    title = factory.Sequence(lambda n: f"Audit {n}")
    started_on = date(2010, 5, 10)
    ended_on = factory.LazyAttribute(lambda o: o.started_on + timedelta(days=1))
    lead = factory.SubFactory(UserFactory, role=Role.INSPECTOR)
    documents_reviewed = 12
    instruments_checked = 5
    reports_sampled = 8
    status = AuditStatus.COMPLETED


def _next_finding_number(o) -> int:
    """One more than the audit's (or the round's) highest finding number."""
    from sqlalchemy import func, select

    if o.audit is not None and o.audit.id is not None:
        where = Finding.audit_id == o.audit.id
    elif o.source_ref:
        where = Finding.source_ref == o.source_ref
    else:
        return 1
    return (db.session.scalar(select(func.max(Finding.number)).where(where)) or 0) + 1


_PLAN = {
    "root_cause": "Staff were not trained on the revised procedure.",
    "root_cause_method": "five_whys",
    "correction": "Withdrew the affected reports and re-tested the samples.",
    "occurs_elsewhere": "Checked the other two sections: not found there.",
    "corrective_action": "Training on the procedure and a monthly check by the quality supervisor.",
    "action_owner": "Zhang Wei, quality supervisor",
    "action_target_on": date(2010, 6, 30),
    "plan_submitted_on": date(2010, 5, 20),
}


class FindingFactory(BaseFactory):
    """An open major finding of an audit (its lab is the audit's), due 30 days after it was raised.

    Traits put it straight into a later state with the fields that state has:
    `FindingFactory(plan_submitted=True)`, `plan_accepted`, `evidence_submitted`, `closed`,
    `cancelled`. A finding raised by a round: `FindingFactory(audit=None, source_ref="PT-1", lab=lab)`.
    """

    class Meta:
        model = Finding

    class Params:
        plan_submitted = factory.Trait(status=State.PLAN_SUBMITTED, **_PLAN)
        plan_accepted = factory.Trait(status=State.PLAN_ACCEPTED, plan_accepted_on=date(2010, 5, 25), **_PLAN)
        evidence_submitted = factory.Trait(
            status=State.EVIDENCE_SUBMITTED,
            plan_accepted_on=date(2010, 5, 25),
            evidence_text="Training records of 12 staff and the first monthly check.",
            evidence_submitted_on=date(2010, 6, 20),
            **_PLAN,
        )
        closed = factory.Trait(
            status=State.CLOSED,
            plan_accepted_on=date(2010, 5, 25),
            evidence_text="Training records of 12 staff and the first monthly check.",
            evidence_submitted_on=date(2010, 6, 20),
            effectiveness_review="Re-checked in July: effective.",
            closed_on=date(2010, 6, 28),
            **_PLAN,
        )
        cancelled = factory.Trait(
            status=State.CANCELLED, cancel_reason="Raised twice by mistake.", cancelled_on=date(2010, 5, 12)
        )

    audit = factory.SubFactory(AuditFactory)
    lab = factory.Maybe(
        "audit",
        yes_declaration=factory.SelfAttribute("audit.lab"),
        no_declaration=factory.SubFactory(LabFactory),
    )
    source = factory.LazyAttribute(
        lambda o: FindingSource.AUDIT if o.audit is not None else FindingSource.ROUND
    )
    source_ref = None
    number = factory.LazyAttribute(_next_finding_number)
    severity = Severity.MAJOR
    area = Area.QUALITY_CONTROL
    clause = "7.7.1"
    description = "No internal quality control for lead in ceramics."
    raised_on = date(2010, 5, 10)
    due_on = factory.LazyAttribute(
        lambda o: o.raised_on + timedelta(days=30 if Severity(o.severity) == Severity.MAJOR else 60)
    )
    status = State.OPEN


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class EvidenceFileFactory(BaseFactory):
    """A PDF attached to a finding, stored under UPLOAD_FOLDER by its SHA-256 (so it can be served).

    `EvidenceFileFactory(content=b"...")` attaches other bytes (kind and type are yours to match).
    """

    class Meta:
        model = EvidenceFile

    content = PDF  # not a column: written to the storage on create
    finding = factory.SubFactory(FindingFactory, evidence_submitted=True)
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    filename = factory.Sequence(lambda n: f"evidence-{n}.pdf")
    size = factory.LazyAttribute(lambda o: len(o.content))
    kind = "pdf"
    content_type = "application/pdf"
    stage = factory.LazyAttribute(lambda o: str(o.finding.status))
    uploaded_by = None

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        kwargs.pop("content", None)
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from labtrack.audits.evidence import path_for

        content = kwargs.pop("content")
        path = path_for(kwargs["sha256"])
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        return super()._create(model_class, *args, **kwargs)


# --- proficiency ------------------------------------------------------------------------------


class RoundFactory(BaseFactory):
    """A planned blind-sample round: Pb in mg/L, reference value 10 with u 0.1, fixed sigma_pt 0.5."""

    class Meta:
        model = Round

    code = factory.Sequence(lambda n: f"RF-{n:03d}")
    title = "Lead in ceramic tableware"
    kind = RoundKind.BLIND_SAMPLE
    organiser = "Provincial bureau"
    item = None
    measurand = "Pb"
    unit = "mg/L"
    opens_on = date(2010, 4, 1)
    closes_on = date(2010, 4, 30)
    status = RoundStatus.PLANNED
    assigned_value_method = AssignedValueMethod.REFERENCE
    x_pt = 10.0
    u_x_pt = 0.1
    sigma_pt_method = SigmaMethod.FIXED
    sigma_pt = 0.5


class ParticipantFactory(BaseFactory):
    """A lab invited to a round under an anonymous participant code."""

    class Meta:
        model = Participant

    round = factory.SubFactory(RoundFactory, status=RoundStatus.OPEN)
    lab = factory.SubFactory(LabFactory)
    participant_code = factory.Sequence(lambda n: f"P{n:03d}")


class ResultFactory(BaseFactory):
    """A participant's result (10.2 mg/L, U 0.4, k 2), in the participant's round and lab."""

    class Meta:
        model = Result

    participant = factory.SubFactory(ParticipantFactory)
    round = factory.SelfAttribute("participant.round")
    lab = factory.SelfAttribute("participant.lab")
    value = 10.2
    expanded_uncertainty = 0.4
    coverage_factor = 2.0
    method = "GB/T 3534"


class EvaluationFactory(BaseFactory):
    """What an evaluation of a round against its reference value used (z scores, n = 5)."""

    class Meta:
        model = Evaluation

    round = factory.SubFactory(RoundFactory, status=RoundStatus.EVALUATED)
    assigned_value_method = factory.LazyAttribute(lambda o: str(o.round.assigned_value_method))
    sigma_pt_method = factory.LazyAttribute(lambda o: str(o.round.sigma_pt_method))
    score_kind = "z"
    x_pt = factory.LazyAttribute(lambda o: o.round.x_pt)
    u_x_pt = factory.LazyAttribute(lambda o: o.round.u_x_pt or 0.0)
    sigma_pt = factory.LazyAttribute(lambda o: o.round.sigma_pt)
    n = 5
    reliability = "n/a"
    constants = factory.LazyFunction(dict)
    summary = factory.LazyFunction(dict)


class RoundFindingFactory(BaseFactory):
    """An unsatisfactory result of a round and the finding its publication raised."""

    class Meta:
        model = RoundFinding

    result = factory.SubFactory(ResultFactory, value=12.0, score=4.0, score_kind="z", grade="unsatisfactory")
    round = factory.SelfAttribute("result.round")
    lab_id = factory.SelfAttribute("result.lab_id")
    finding = factory.SubFactory(
        FindingFactory,
        audit=None,
        lab=factory.SelfAttribute("..result.lab"),
        source_ref=factory.SelfAttribute("..result.round.code"),
    )
    reason = "unsatisfactory"


# --- history ----------------------------------------------------------------------------------


class HistoryEntryFactory(BaseFactory):
    """A history row (normally written by the tracking hooks; this is for reading tests)."""

    class Meta:
        model = HistoryEntry

    table_name = "labs"
    record_id = 1
    action = "update"
    changes = factory.LazyFunction(lambda: {"name": ["Old name", "New name"]})
    username = "admin"
