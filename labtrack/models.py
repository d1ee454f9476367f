"""Imports every area's models so the metadata (and Alembic) sees all tables."""

from labtrack.applications import models as applications_models  # noqa: F401
from labtrack.audits import models as audits_models  # noqa: F401
from labtrack.auth import models as auth_models  # noqa: F401
from labtrack.history import models as history_models  # noqa: F401
from labtrack.jobs import models as jobs_models  # noqa: F401
from labtrack.labs import models as labs_models  # noqa: F401
from labtrack.labs import regions as labs_regions  # noqa: F401
from labtrack.notify import models as notify_models  # noqa: F401
from labtrack.personnel import models as personnel_models  # noqa: F401
from labtrack.planning import models as planning_models  # noqa: F401
from labtrack.proficiency import models as proficiency_models  # noqa: F401
from labtrack.records import models as records_models  # noqa: F401
from labtrack.scope import models as scope_models  # noqa: F401
