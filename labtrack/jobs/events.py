"""Start-up of the jobs area: every area's `tasks.py` (job kinds, schedule entries) is imported."""

from labtrack.areas import area_modules


def connect() -> None:
    """Import `labtrack.<area>.tasks` of every area, so their kinds and schedule are registered."""
    area_modules("tasks")
