"""The API keeps its OpenAPI document: Schemathesis over every operation, as admin and as a lab manager.

For each operation of /api/v1/openapi.json and each of the two callers, Hypothesis draws a bounded
number of requests from the document (valid ones, and a few deliberately invalid ones), half of them
aimed at records that exist (factory data the caller may or may not see), sends them to the WSGI
app and checks every answer: never a server error, a status the document declares, the declared
content type and headers, and a body of the declared shape. Every failure of an operation is
collected (one example each) and the test fails listing them. LABTRACK_CONTRACT_EXAMPLES sets the
examples per operation, caller and mode (default 10 valid, and half as many invalid where a query or a body can be invalid).
"""

import os
from collections import Counter, defaultdict
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config import TestingConfig
from labtrack import create_app
from labtrack.audits.models import AuditKind
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.proficiency.models import RoundStatus
from tests import factories as f
from tests.conftest import SUMMARY_LINES, fresh_app

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("LABTRACK_CONTRACT_EXAMPLES", "10"))
CHECKS = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
ROLES = ("admin", "lab_manager")
TOTALS: Counter = Counter()


def _operations() -> list[tuple[str, str]]:
    """(METHOD, path) of every operation in the document, read from an app without a database."""
    app = create_app(TestingConfig)
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    return [
        (method.upper(), path)
        for path, item in sorted(document["paths"].items())
        for method in item
        if method in {"get", "put", "post", "patch", "delete"}
    ]


OPERATIONS = _operations()


def seed() -> dict:
    """A small world: two labs (the manager's own and another), their catalogue, scope, audits,
    findings in several states with an evidence file, and rounds in every state."""
    home = f.LabFactory(code="HOME-1", region="Chengdu")
    other = f.LabFactory(code="OTHER-1", region="Mianyang")
    admin = f.UserFactory(role=Role.ADMIN, username="admin")
    manager = f.UserFactory(role=Role.LAB_MANAGER, username="manager-HOME-1", lab=home)
    inspector = f.UserFactory(role=Role.INSPECTOR, username="inspector")
    for lab in (home, other):
        f.QualificationFactory(lab=lab)
        f.LabContactFactory(lab=lab)
    items = f.TestItemFactory.create_batch(2)
    for lab in (home, other):
        for item in items:
            f.ScopeEntryFactory(lab=lab, item=item, granted_on=date(2009, 6, 1))
    audits = [
        f.AuditFactory(lab=home, lead=inspector),
        f.AuditFactory(lab=home, kind=AuditKind.SELF_INSPECTION, lead=manager),
        f.AuditFactory(lab=other, lead=inspector),
    ]
    findings = [
        f.FindingFactory(audit=audits[0]),
        f.FindingFactory(audit=audits[0], plan_submitted=True),
        f.FindingFactory(audit=audits[1], plan_accepted=True),
        f.FindingFactory(audit=audits[2]),
        f.FindingFactory(audit=audits[2], closed=True),
    ]
    files = [f.EvidenceFileFactory(finding=f.FindingFactory(audit=audits[0], evidence_submitted=True))]
    rounds = []
    for status in RoundStatus:
        rnd = f.RoundFactory(status=status, item=items[0], code=f"RT-{status.value}")
        rounds.append(rnd)
        if status == RoundStatus.PLANNED:
            continue
        for n, lab in enumerate((home, other), start=1):
            participant = f.ParticipantFactory(round=rnd, lab=lab, participant_code=f"P{n:02d}")
            if status != RoundStatus.OPEN or n == 2:
                scored = status in (RoundStatus.EVALUATED, RoundStatus.PUBLISHED)
                f.ResultFactory(
                    participant=participant,
                    value=10.0 + n / 10,
                    score=n / 5 if scored else None,
                    score_kind="z" if scored else None,
                    grade="satisfactory" if scored else None,
                )
        if status in (RoundStatus.EVALUATED, RoundStatus.PUBLISHED):
            f.EvaluationFactory(round=rnd, n=2)
    _, admin_headers = f.bearer(admin)
    _, manager_headers = f.bearer(manager)
    return {
        "headers": {"admin": admin_headers, "lab_manager": manager_headers},
        "labs": [home.code, other.code],
        "items": [item.code for item in items],
        "rounds": [rnd.code for rnd in rounds],
        "audits": [a.id for a in audits],
        "findings": [x.id for x in findings] + [files[0].finding_id],
        "files": [(files[0].finding_id, files[0].id)],
    }


def known_parameters(path: str, world: dict) -> list[dict]:
    """Path parameters naming records that exist, for the operation's path."""
    if "{file_id}" in path:
        return [{"finding_id": fid, "file_id": file_id} for fid, file_id in world["files"]]
    for marker, key, name in (
        ("/labs/{code}", "labs", "code"),
        ("/rounds/{code}", "rounds", "code"),
        ("/items/{code}", "items", "code"),
        ("{audit_id}", "audits", "audit_id"),
        ("{finding_id}", "findings", "finding_id"),
    ):
        if marker in path:
            return [{name: value} for value in world[key]]
    return []


def _describe(exc: BaseException) -> str:
    """A failure in a few lines: what was violated, where in the document, by which value."""
    if isinstance(exc, FailureGroup):
        return "; ".join(_describe(e) for e in exc.exceptions)
    if isinstance(exc, Failure):
        lines = [line.strip() for line in exc.message.splitlines() if line.strip()]
        where = next((line for line in lines if line.startswith("Schema at")), "")
        return " ".join(x for x in (f"{exc.title}:", lines[0] if lines else "", where) if x)[:400]
    return f"{type(exc).__name__}: {exc}"[:400]


@pytest.fixture(scope="module", autouse=True)
def _summary(request):
    """Print the counts once the module has run."""
    yield
    if TOTALS["operations"]:
        request.config.stash.setdefault(SUMMARY_LINES, []).append(
            f"API contract: {TOTALS['operations']} of {len(OPERATIONS)} operations run as {' and '.join(ROLES)}, "
            f"{TOTALS['examples']} examples, {TOTALS['failed_examples']} failing "
            f"({TOTALS['failed_operations']} operations)"
        )


class ClosingWSGI:
    """The app as a WSGI callable that reads each answer whole and closes it (a file sent with
    send_file would otherwise stay open: Schemathesis's WSGI transport never closes responses)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        iterable = self.app.wsgi_app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            if hasattr(iterable, "close"):
                iterable.close()


@pytest.fixture(scope="module")
def contract(database_url, tmp_path_factory):
    """One app, its factory data and its document for the whole module (building them takes
    seconds; what the examples write along the way is part of the world the next ones see)."""
    with fresh_app(database_url, tmp_path_factory.mktemp("contract")) as application:
        world = seed()
        wsgi = ClosingWSGI(application)
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi)
        yield world, wsgi, schema


@pytest.mark.parametrize("method, path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_keeps_the_contract(contract, method, path):
    world, wsgi, schema = contract
    operation = schema[path][method]
    known = known_parameters(path, world)
    failures: dict[str, str] = {}
    counts: Counter = Counter()
    statuses: dict[int, int] = defaultdict(int)

    def strategy(mode: GenerationMode, headers: dict):
        drawn = operation.as_strategy(generation_mode=mode, headers=headers)
        if not known:
            return drawn
        aimed = st.sampled_from(known).flatmap(
            lambda values: operation.as_strategy(
                generation_mode=mode, headers=headers, path_parameters=values
            )
        )
        return st.one_of(drawn, aimed)

    def checker(role: str, headers: dict):
        def check(case) -> None:
            counts["examples"] += 1
            try:
                response = case.call(headers=headers, app=wsgi)
            except Exception as exc:  # the app raised: a server error, with its cause
                counts["failed"] += 1
                failures.setdefault(
                    f"{role}: server error {type(exc).__name__}", f"{_describe(exc)}\n  {_curl(case)}"
                )
                db.session.rollback()
                return
            statuses[response.status_code] += 1
            problems = [f"server error {response.status_code}"] if response.status_code >= 500 else []
            try:
                case.validate_response(response, checks=CHECKS)
            except (Failure, FailureGroup) as exc:
                problems.append(_describe(exc))
            if problems:
                counts["failed"] += 1
                key = f"{role}: {response.status_code} " + problems[0].split(":")[0]
                failures.setdefault(key, f"{' | '.join(problems)}\n  {_curl(case)}")

        return check

    # Invalid requests only where something can be invalid: a query or a body (a path's text
    # stays text; drawing "invalid" ones there only spins Hypothesis's filters).
    definition = operation.definition.raw
    negatable = "requestBody" in definition or any(
        p.get("in") == "query" for p in definition.get("parameters", []) if isinstance(p, dict)
    )
    modes = [(GenerationMode.POSITIVE, EXAMPLES)]
    if negatable:
        modes.append((GenerationMode.NEGATIVE, max(1, EXAMPLES // 2)))
    for role in ROLES:
        headers = world["headers"][role]
        for mode, examples in modes:
            run = settings(
                max_examples=examples,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )(given(case=strategy(mode, headers))(checker(role, headers)))
            try:
                run()
            except Unsatisfiable:
                assert mode == GenerationMode.NEGATIVE, "no valid request can be drawn from the document"
                # nothing in this operation can be made invalid (no parameters, no body)

    TOTALS["operations"] += 1
    TOTALS["examples"] += counts["examples"]
    TOTALS["failed_examples"] += counts["failed"]
    TOTALS["failed_operations"] += bool(failures)
    assert not failures, (
        f"{method} {path}: {counts['failed']} of {counts['examples']} examples broke the contract "
        f"(statuses seen {dict(statuses)}):\n" + "\n".join(f"- {k}: {v}" for k, v in failures.items())
    )


def _curl(case) -> str:
    return case.as_curl_command(headers={"Authorization": "Bearer <token>"})[:600]
