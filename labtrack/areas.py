"""The areas of labtrack, in the order their hooks run, and the optional modules each may have.

Each area is a sub-package `labtrack.<area>`; where it has one of these modules, the app uses it:
- `views.py` with a Flask blueprint `bp` (registered by create_app);
- `commands.py` with `register(group)` (adds `flask labtrack ...` commands);
- `demo_data.py` with `load(labs: dict[str, Lab]) -> str` (called by `flask labtrack demo`, in
  this order: an area's demo may use the records of the areas before it);
- `events.py` with `connect()` (connects receivers to `labtrack.events`' signals at start-up);
- `labtrack/api/<name>.py` with a flask-smorest blueprint `blp` (API_MODULES, registered under /api/v1);
- `templates/<area>/_lab_panel.html` (included on a lab's page), `templates/<area>/_dashboard.html`
  (a card on the home dashboard), `templates/<area>/_campaign.html` (a block of the campaign report).
"""

import importlib
from types import ModuleType

AREAS: tuple[str, ...] = (
    "main",
    "auth",
    "labs",
    "scope",
    "audits",
    "proficiency",
    "personnel",
    "records",
    "applications",
    "planning",
    "public",
    "notify",
    "jobs",
    "reports",
)
API_MODULES: tuple[str, ...] = (
    "labs",
    "scope",
    "audits",
    "rounds",
    "reports",
    "notifications",
    "jobs",
    "personnel",
    "records",
    "applications",
    "planning",
)


def optional(name: str) -> ModuleType | None:
    """Import a module if it exists (None if it does not; errors inside it still raise)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and name.startswith(exc.name):
            return None
        raise


def area_modules(suffix: str) -> list[ModuleType]:
    """`labtrack.<area>.<suffix>` for every area that has one, in AREAS order."""
    found = (optional(f"labtrack.{area}.{suffix}") for area in AREAS)
    return [m for m in found if m is not None]


def api_modules() -> list[ModuleType]:
    """Every `labtrack.api.<name>` module that exists."""
    found = (optional(f"labtrack.api.{name}") for name in API_MODULES)
    return [m for m in found if m is not None]
