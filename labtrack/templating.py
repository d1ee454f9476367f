"""Locale choice, Jinja filters and the values every template can use."""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import flask_babel
from flask import Flask, current_app, has_request_context, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from labtrack.auth.permissions import Perm


def select_locale() -> str:
    """The user's saved language, else the session's, else the browser's best match."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    best = request.accept_languages.best_match(["en", "zh"]) if request else None
    return "zh_Hans_CN" if best == "zh" else "en"


def isodate(value) -> str:
    """ISO 8601 date (or date and minutes) for display; empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def number(value, digits: int | None = None) -> str:
    """A number with thousands separators, or a fixed number of decimals."""
    if value is None:
        return ""
    if digits is not None:
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.4g}"


def history_action_label(action: str) -> str:
    """A history row's action in the user's language."""
    from flask_babel import gettext as _

    labels = {"insert": _("created"), "update": _("changed"), "delete": _("deleted")}
    return labels.get(action, action)


HISTORY_TABLE_LABELS = {
    "labs": _l("laboratory"),
    "lab_contacts": _l("contact"),
    "qualifications": _l("certificate"),
    "users": _l("user"),
    "api_tokens": _l("API token"),
    "test_categories": _l("test category"),
    "test_items": _l("test item"),
    "scope_entries": _l("scope period"),
    "scope_imports": _l("scope import"),
    "audits": _l("audit"),
    "findings": _l("finding"),
    "evidence_files": _l("evidence file"),
    "rounds": _l("comparison round"),
    "round_participants": _l("participant"),
    "round_results": _l("result"),
    "round_evaluations": _l("evaluation"),
    "round_findings": _l("finding raised by a round"),
}


def history_table_label(table: str) -> str:
    """What kind of record a history row is about, in the user's language."""
    return str(HISTORY_TABLE_LABELS.get(table, table))


def url_with(endpoint: str, args: Mapping[str, Any] | None = None, **values: Any) -> str:
    """A link to `endpoint` keeping the page's filters (`args`, else the query string) and setting
    `values` over them (an export's `format`, a page number): a filter named like one of `values`
    in the query string cannot clash with it."""
    kept = dict(request.args.to_dict() if args is None else args)
    return url_for(endpoint, **{**kept, **values})


def init_app(app: Flask) -> None:
    """Register filters and the template context."""
    app.jinja_env.filters["isodate"] = isodate
    app.jinja_env.filters["number"] = number
    app.jinja_env.add_extension("jinja2.ext.do")
    # The locale is decided afresh for every request (Flask-Babel caches it on the app context).
    app.before_request(flask_babel.refresh)

    from labtrack.areas import AREAS
    from labtrack.auth.labels import ROLE_LABELS
    from labtrack.history.display import display_rows, system_text
    from labtrack.i18n_names import localized_name, other_name, region_label
    from labtrack.labs.models import LAB_STATUS_LABELS

    app.jinja_env.filters["region"] = region_label
    app.jinja_env.filters["localized"] = localized_name
    app.jinja_env.filters["system_text"] = system_text

    # Globals, not context values, so that imported macros see them too.
    app.jinja_env.globals.update(
        Perm=Perm,
        url_endpoints=app.view_functions.keys(),
        role_label=lambda r: str(ROLE_LABELS.get(r, r)),
        lab_status_label=lambda s: str(LAB_STATUS_LABELS.get(s, s)),
        history_action_label=history_action_label,
        history_table_label=history_table_label,
        history_rows=display_rows,
        url_with=url_with,
        localized_name=localized_name,
        other_name=other_name,
        region_label=region_label,
        lab_panel_areas=AREAS,
        dashboard_areas=AREAS,
    )

    @app.context_processor
    def inject() -> dict:
        from flask_babel import get_locale

        return {"LANGUAGES": app.config["LANGUAGES"], "current_locale": str(get_locale())}
