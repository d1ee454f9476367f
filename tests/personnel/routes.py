"""URL arguments of the personnel pages, from the demo: the user's own lab's records first."""

from sqlalchemy import select

from labtrack.extensions import db
from tests.routes import _ids, own_first


def candidates(user, home: int | None) -> dict[str, list[str]]:
    from labtrack.personnel.models import Authorisation, Exam, Person, TrainingSession

    return {
        "person_id": own_first(Person, Person.lab_id, home),
        "authorisation_id": own_first(Authorisation, Person.lab_id, home, join=Person),
        "session_id": _ids(TrainingSession, limit=1),
        "exam_id": [str(i) for i in db.session.scalars(select(Exam.id).order_by(Exam.id).limit(1))],
    }
