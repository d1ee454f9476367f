"""What the records area announces (blinker signals, sent inside the unit of work).

Receivers (notifications, the risk grade) may add rows to the same session and never commit.
Every signal is sent with `sender=<the record>` and an `actor` keyword (None for the system).
"""

from blinker import Namespace

_events = Namespace()

# A revision took a step (sender: the DocumentRevision). step: submit, return, approve, discard;
# comment.
revision_changed = _events.signal("records-revision-changed")
# A document was withdrawn, or its periodic review recorded (sender: the Document).
document_withdrawn = _events.signal("records-document-withdrawn")
document_reviewed = _events.signal("records-document-reviewed")
# A complaint was registered or took a step (sender: the Complaint). step: register, acknowledge,
# investigate, answer, finding.
complaint_changed = _events.signal("records-complaint-changed")
