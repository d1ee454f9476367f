"""The public pages under /public (no sign-in, both languages, cacheable): the directory of
qualified laboratories, a laboratory's current scope, published plans with their draws and
outcomes, sanctions in force, and the directory's JSON (`/public/api/labs`).

Nothing here reads the session or the signed-in user, so a response carries no cookie and the
same URL gives the same page to everyone: each answer has `Cache-Control: public` and an ETag
(a repeated request with `If-None-Match` gets 304). The language comes from `?lang=en|zh`, else
the browser's Accept-Language (then the answer varies on it).
"""

import hashlib

from flask import Blueprint, Response, jsonify, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _

from labtrack import parsing
from labtrack.audits.models import AUDIT_KIND_LABELS, AUDIT_STATUS_LABELS
from labtrack.auth.permissions import public
from labtrack.labs.models import LAB_KIND_LABELS
from labtrack.models_base import today
from labtrack.planning.plans import stratum_label, stratum_size
from labtrack.planning.values import SANCTION_KIND_LABELS
from labtrack.public import directory
from labtrack.public.schemas import dump_labs
from labtrack.services import NotFound

bp = Blueprint("public", __name__, url_prefix="/public")

MAX_AGE = 300  # seconds a browser or a proxy may keep a public page
LOCALES = {"en": "en", "zh": "zh_Hans_CN", "zh_Hans_CN": "zh_Hans_CN"}


def _locale() -> tuple[str, bool]:
    """The page's language, and whether it came from Accept-Language (the answer then varies)."""
    asked = request.args.get("lang", "")
    if asked in LOCALES:
        return LOCALES[asked], False
    best = request.accept_languages.best_match(["en", "zh"])
    return ("zh_Hans_CN" if best == "zh" else "en"), True


def _cacheable(response: Response, varies: bool) -> Response:
    """Public caching: Cache-Control, an ETag of the body, 304 for a matching If-None-Match."""
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    if varies:
        response.vary.add("Accept-Language")
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    return response.make_conditional(request)


def _page(template: str, **context) -> Response:
    locale, varies = _locale()
    with force_locale(locale):
        body = render_template(
            template,
            lang="zh" if locale.startswith("zh") else "en",
            kind_label=lambda kind: str(LAB_KIND_LABELS.get(kind, kind)),
            audit_kind_label=lambda kind: str(AUDIT_KIND_LABELS.get(kind, kind)),
            audit_status_label=lambda status: str(AUDIT_STATUS_LABELS.get(status, status or "")),
            sanction_label=lambda kind: str(SANCTION_KIND_LABELS.get(kind, kind)),
            today_iso=today().isoformat(),
            **context,
        )
    return _cacheable(Response(body, mimetype="text/html"), varies)


def _int_arg(name: str, default: int, top: int) -> int:
    number = parsing.digits(request.args.get(name, ""), 1)
    return default if number is None else min(number, top)


def _search() -> directory.Search:
    return directory.search(
        today(),
        item=request.args.get("item"),
        category=request.args.get("category"),
        region=request.args.get("region"),
        q=request.args.get("q"),
        page=_int_arg("page", 1, 2**31 - 1),
        per_page=_int_arg("per_page", directory.PER_PAGE, directory.PER_PAGE_MAX),
    )


@bp.get("/")
@public
def index():
    """The directory of qualified laboratories, searchable by item, category and region."""
    on = today()
    found = _search()
    return _page(
        "public/index.html",
        found=found,
        labs=dump_labs(found.labs),
        regions=directory.regions(on),
        on=on,
        in_force=len(directory.sanctions_in_force(on)),
    )


@bp.get("/api/labs")
@public
def api_labs():
    """The directory as JSON: `{"items": [...], "meta": {"page", "per_page", "total"}}`."""
    found = _search()
    response = jsonify(
        {
            "items": dump_labs(found.labs),
            "meta": {"page": found.page, "per_page": found.per_page, "total": found.total},
        }
    )
    return _cacheable(response, False)


@bp.get("/labs/<code>")
@public
def lab(code):
    """A qualified laboratory: certificates, what it holds today, sanctions in force."""
    on = today()
    found = directory.load_lab(code, on)
    if found is None:
        raise NotFound(_("No such %(what)s.", what=_("laboratory")))
    return _page(
        "public/lab.html",
        lab=directory.describe([found.id], on)[0],
        scope=directory.scope_of(found, on),
        sanctions=directory.sanctions_in_force(on, found.id),
        on=on,
    )


@bp.get("/plans")
@public
def plans():
    """Published inspection plans."""
    return _page(
        "public/plans.html", plans=directory.published_plans(), label=stratum_label, size=stratum_size
    )


@bp.get("/plans/<plan_code>")
@public
def plan(plan_code):
    """A published plan: its strata and quotas; once its draw is published, the draw (seed, day,
    digest, laboratories) and each inspection's outcome."""
    found = directory.published_plan(plan_code)
    if found is None:
        raise NotFound(_("No such %(what)s.", what=_("plan")))
    return _page(
        "public/plan.html",
        plan=found,
        outcomes=directory.outcomes(found),
        label=stratum_label,
        size=stratum_size,
    )


@bp.get("/sanctions")
@public
def sanctions():
    """Sanctions in force today."""
    on = today()
    return _page("public/sanctions.html", sanctions=directory.sanctions_in_force(on), on=on)
