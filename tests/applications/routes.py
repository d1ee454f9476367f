"""URL arguments of the applications pages, from the demo (the user's own lab's first)."""

from labtrack.applications.models import Application
from tests.routes import own_first


def candidates(user, home: int | None) -> dict[str, list[str]]:
    return {"application_id": own_first(Application, Application.lab_id, home) + ["999999"]}
