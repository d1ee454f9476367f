"""URL arguments of the planning and public pages, from the demo."""

from sqlalchemy import select

from labtrack.auth.policy import confined_lab
from labtrack.extensions import db
from tests.routes import own_first


def candidates(user, home: int | None) -> dict[str, list[str]]:
    from labtrack.planning.models import Plan, Sanction

    return {
        "plan_code": list(db.session.scalars(select(Plan.code).order_by(Plan.id).limit(2))),
        # a lab manager opens only their own lab's sanctions: offer another lab's only beside one
        "sanction_id": own_first(Sanction, Sanction.lab_id, home)
        if user is None or confined_lab(user) is None or _has(Sanction, home)
        else [],
    }


def _has(model, lab_id: int | None) -> bool:
    return db.session.scalar(select(model.id).where(model.lab_id == lab_id).limit(1)) is not None
