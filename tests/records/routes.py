"""URL arguments of the records pages, from the demo: the user's own lab's records first."""

from labtrack.records.models import Complaint, Document, DocumentRevision, Questionnaire, Survey
from tests.routes import _ids, own_first


def candidates(user, home: int | None) -> dict[str, list[str]]:
    return {
        "document_id": own_first(Document, Document.lab_id, home),
        "revision_id": own_first(DocumentRevision, Document.lab_id, home, join=Document),
        "complaint_id": own_first(Complaint, Complaint.lab_id, home),
        "questionnaire_id": _ids(Questionnaire, limit=1),
        "survey_id": _ids(Survey, limit=1),
    }
