"""The demo data set: the province of the field notes (one entry point, idempotent)."""

from datetime import datetime

from sqlalchemy import func, select

from labtrack.areas import area_modules
from labtrack.auth.models import User
from labtrack.extensions import db
from labtrack.history.tracking import set_time
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.services import act_as, commit, transaction

DEMO_PASSWORD = "labtrack-demo"
REGISTERED_AT = datetime(2010, 1, 4, 9, 0)


class DemoRefused(Exception):
    """The database holds data that is not the demo's."""


def demo_present() -> bool:
    """Whether the demo set has been loaded into this database."""
    return db.session.scalar(select(Lab.id).where(Lab.code == "SC-TC")) is not None


def database_is_empty() -> bool:
    """No users and no labs yet."""
    users = db.session.scalar(select(func.count()).select_from(User)) or 0
    labs = db.session.scalar(select(func.count()).select_from(Lab)) or 0
    return not (users or labs)


def load_demo(force: bool = False) -> str:
    """Load the demo (labs, accounts, then each area's data); running it again adds nothing."""
    if not database_is_empty() and not demo_present() and not force:
        raise DemoRefused("The database holds other data; use --force to add the demo to it.")
    from labtrack.auth.demo import load_accounts
    from labtrack.demo_labs import load_labs

    with transaction(None, "demo data"):
        # The register as the bureau took it over at the start of the 2010 campaign.
        set_time(db.session, REGISTERED_AT)
        lab_by_code = load_labs()
        load_accounts(lab_by_code, DEMO_PASSWORD)
    set_time(db.session, None)
    lines = [f"labs: {len(lab_by_code)}"]
    for module in area_modules("demo_data"):
        # Each area's loader runs in a unit of work of its own (its services commit as they go).
        area = module.__name__.split(".")[1]
        act_as(None, comment="demo data")
        db.session.info["story_days"] = True  # records dated by their story (history.tracking)
        try:
            lines.append(f"{area}: {module.load(lab_by_code)}")
        finally:
            set_time(db.session, None)  # a loader that dated its history leaves the clock as it was
            db.session.info.pop("story_days", None)
        commit()
    return "Demo data loaded. " + "; ".join(lines) + "\n" + today_line()


def today_line() -> str:
    """What the dashboard shows today, computed by the dashboard's own functions."""
    from labtrack.audits.demo_data import rectification_line

    return f"Today ({today().isoformat()}), as the dashboard shows: {rectification_line()}."
