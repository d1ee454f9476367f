"""Imports every area's models so the metadata (and Alembic) sees all tables."""

from labtrack.applications import models as applications_models  # noqa: F401
from labtrack.audits import models as audits_models  # noqa: F401
from labtrack.auth import models as auth_models  # noqa: F401
from labtrack.history import models as history_models  # noqa: F401
from labtrack.labs import models as labs_models  # noqa: F401
from labtrack.proficiency import models as proficiency_models  # noqa: F401
from labtrack.scope import models as scope_models  # noqa: F401
