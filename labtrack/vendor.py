"""Front-end libraries installed from npm (package.json, package-lock.json, `make` runs `npm ci`),
served by the app itself from node_modules: never a CDN, never library code copied into the repo.

Only the files named in ASSETS are reachable. URLs carry the installed version (`vendor_url(name)`
in templates), so the responses are cached for a year and a new version is a new URL.
"""

import json
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, send_file, url_for
from flask_babel import gettext as _

from labtrack.auth.permissions import public
from labtrack.services import NotFound

bp = Blueprint("vendor", __name__, url_prefix="/vendor")

# The name under /vendor/ -> (npm package, file inside it).
ASSETS: dict[str, tuple[str, str]] = {
    "echarts.min.js": ("echarts", "dist/echarts.min.js"),
    "tom-select.complete.min.js": ("tom-select", "dist/js/tom-select.complete.min.js"),
    "tom-select.min.css": ("tom-select", "dist/css/tom-select.min.css"),
    "tom-select.bootstrap5.min.css": ("tom-select", "dist/css/tom-select.bootstrap5.min.css"),
}
ONE_YEAR = 365 * 24 * 3600


def node_modules() -> Path:
    """Where `npm ci` installed the libraries (beside the package, at the project's root)."""
    configured = current_app.config.get("NODE_MODULES")
    return Path(configured) if configured else Path(current_app.root_path).parent / "node_modules"


@cache
def _version(root: str, package: str) -> str:
    try:
        return json.loads((Path(root) / package / "package.json").read_text("utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return "0"


@bp.app_template_global()
def vendor_url(name: str) -> str:
    """The URL of a vendored file, with its package's version (a new version is a new URL)."""
    package, _file = ASSETS[name]
    return url_for("vendor.asset", name=name, v=_version(str(node_modules()), package))


@public
def favicon():
    """The icon browsers ask for at the site's root (pages name /static/favicon.svg themselves)."""
    response = Response(_icon(current_app.static_folder), mimetype="image/svg+xml")
    response.cache_control.public = True
    response.cache_control.max_age = ONE_YEAR // 12
    return response


@cache
def _icon(folder: str) -> bytes:
    return (Path(folder) / "favicon.svg").read_bytes()


bp.record_once(lambda state: state.app.add_url_rule("/favicon.ico", "favicon", favicon))


@bp.get("/<path:name>")
@public
def asset(name: str):
    """One of the files listed in ASSETS, cached for a year (its URL changes with the version)."""
    if name not in ASSETS:
        raise NotFound(_("No such %(what)s.", what=name))
    package, file = ASSETS[name]
    path = node_modules() / package / file
    if not path.is_file():
        current_app.logger.error("%s is missing: run `make` (npm ci) to install it", path)
        raise NotFound(_("No such %(what)s.", what=name))
    response = send_file(path, max_age=ONE_YEAR, conditional=True)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response
