"""URLs for every rule of the app, with its arguments filled from real records (the demo data)."""

import importlib
import re

from sqlalchemy import select

from labtrack.areas import AREAS
from labtrack.extensions import db

STATIC = {"static", "bootstrap.static"}
MISSING = "999999"  # an id that matches nothing


def _ids(model, limit: int = 2, lab_column=None, lab_id: int | None = None, join=None) -> list[str]:
    """Ids of a model; with a lab column, that lab's records first (then another lab's)."""
    stmt = select(model.id)
    if join is not None:
        stmt = stmt.join(join)
    if lab_column is not None and lab_id is not None:
        own = db.session.scalars(stmt.where(lab_column == lab_id).order_by(model.id).limit(1)).all()
        other = db.session.scalars(stmt.where(lab_column != lab_id).order_by(model.id).limit(1)).all()
        return [str(i) for i in own + other]
    return [str(i) for i in db.session.scalars(stmt.order_by(model.id).limit(limit))]


def own_first(model, column, lab_id: int | None, join=None) -> list[str]:
    """Ids of a model, one of the given lab's records first, then one of another lab's."""
    return _ids(model, lab_column=column, lab_id=lab_id, join=join)


def area_candidates(user, home: int | None) -> dict[str, list[str]]:
    """Real values the later areas offer: `tests/<area>/routes.py` may define
    `candidates(user, home_lab_id) -> {argument: [values]}` (the user's own records first)."""
    pool: dict[str, list[str]] = {}
    for area in AREAS:
        try:
            module = importlib.import_module(f"tests.{area}.routes")
        except ModuleNotFoundError:
            continue
        for name, values in module.candidates(user, home).items():
            pool.setdefault(name, []).extend(str(v) for v in values)
    return pool


def real(pool: dict[str, list[str]], rule) -> bool:
    """Whether the pool holds a real record for every argument of the rule (not just misses)."""
    return all(pool.get(a) and pool[a][0] not in (MISSING, "NO-SUCH-CODE") for a in rule.arguments)


def candidates(user=None) -> dict[str, list[str]]:
    """Values for each URL argument name: real ones first, then one that matches nothing."""
    from labtrack.audits.models import Audit, EvidenceFile, Finding
    from labtrack.auth.models import ApiToken, User
    from labtrack.labs.models import Lab, LabContact, Qualification
    from labtrack.labs.regions import Region
    from labtrack.proficiency.models import Result, Round
    from labtrack.scope.models import ScopeEntry, TestCategory, TestItem

    def codes(model):
        return list(db.session.scalars(select(model.code).order_by(model.id).limit(2)))

    lab_codes = ["SC-TC", *[c for c in codes(Lab) if c != "SC-TC"]][:2]
    home = db.session.scalar(select(Lab.id).where(Lab.code == "SC-TC"))

    def own_first(model, column=None, join=None):
        return _ids(model, lab_column=column if column is not None else model.lab_id, lab_id=home, join=join)

    pool = {
        "code": lab_codes + codes(Round) + codes(TestItem) + codes(TestCategory) + ["NO-SUCH-CODE"],
        "lab_code": lab_codes + ["NO-SUCH-CODE"],
        "user_id": _ids(User) + ["999999"],
        "token_id": _ids(ApiToken) + ["999999"],
        "audit_id": own_first(Audit) + ["999999"],
        "finding_id": own_first(Finding) + ["999999"],
        "file_id": own_first(EvidenceFile, Finding.lab_id, join=Finding) + ["999999"],
        "entry_id": own_first(ScopeEntry) + ["999999"],
        "result_id": own_first(Result) + ["999999"],
        "qualification_id": own_first(Qualification) + ["999999"],
        "contact_id": own_first(LabContact) + ["999999"],
        "region_id": _ids(Region) + ["999999"],
        "fmt": ["csv", "xlsx", "pdf"],
        "format": ["csv", "xlsx", "pdf"],
    }
    for name, values in area_candidates(user, home).items():
        pool[name] = values + [MISSING if name.endswith("_id") else "NO-SUCH-CODE"]
    return pool


def urls(rule, pool: dict[str, list[str]], limit: int = 12) -> list[str]:
    """Concrete paths for a rule: each argument cycles through its candidates."""
    args = sorted(rule.arguments)
    if not args:
        return [rule.rule]
    width = max(len(pool.get(a, ["1"])) for a in args)
    paths = []
    for i in range(min(width, limit)):
        path = rule.rule
        for arg in args:
            values = pool.get(arg, ["1", "NO-SUCH"])
            value = values[i % len(values)]
            path = re.sub(rf"<(?:[^:>]+:)?{arg}>", lambda _m, v=value: v, path)
        paths.append(path)
    return sorted(set(paths))


def rules(app, methods: set[str]):
    """The app's rules that answer any of these methods (static files left out)."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in STATIC and rule.methods & methods:
            yield rule
