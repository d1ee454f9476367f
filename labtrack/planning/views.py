"""The planning area's pages (blueprint `planning`, /planning): risk grades, inspection plans and
draws, sanctions. The routes live in the modules imported here; the blueprint in `blueprint.py`."""

from labtrack.planning import plan_views, risk_views, sanction_views  # noqa: F401  (their routes)
from labtrack.planning.blueprint import bp

__all__ = ["bp"]
