"""What the applications area's fields may hold: kinds, statuses, outcomes, clock steps, the limits
and the defaults of the rules (configurable through the app's config). Pure: no Flask app needed."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from labtrack import parsing


class Kind(StrEnum):
    """What a laboratory asks for."""

    INITIAL = "initial"  # 首次申请: a first CMA qualification
    EXTENSION = "extension"  # 扩项: more items
    CHANGE = "change"  # 变更: a change to items held (methods, names)
    RENEWAL = "renewal"  # 复查换证: the certificate renewed after re-assessment
    REDUCTION = "reduction"  # 缩项: items given up


KIND_LABELS = {
    Kind.INITIAL: _l("Initial qualification"),
    Kind.EXTENSION: _l("Extension"),
    Kind.CHANGE: _l("Change of items"),
    Kind.RENEWAL: _l("Renewal"),
    Kind.REDUCTION: _l("Reduction of scope"),
}


class Status(StrEnum):
    """Where an application stands (DESIGN: draft -> submitted -> accepted | returned -> review ->
    assessment -> rectification -> decided -> certified)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    REVIEW = "review"
    ASSESSMENT = "assessment"
    RECTIFICATION = "rectification"
    DECIDED = "decided"
    CERTIFIED = "certified"


STATUS_LABELS = {
    Status.DRAFT: _l("Draft"),
    Status.SUBMITTED: _l("Submitted"),
    Status.ACCEPTED: _l("Accepted"),
    Status.RETURNED: _l("Returned as incomplete"),
    Status.REVIEW: _l("Document review"),
    Status.ASSESSMENT: _l("On-site assessment"),
    Status.RECTIFICATION: _l("Rectification"),
    Status.DECIDED: _l("Decided"),
    Status.CERTIFIED: _l("Certified"),
}
STATUS_STYLES = {
    Status.DRAFT: "secondary",
    Status.SUBMITTED: "primary",
    Status.ACCEPTED: "info",
    Status.RETURNED: "warning",
    Status.REVIEW: "info",
    Status.ASSESSMENT: "info",
    Status.RECTIFICATION: "warning",
    Status.DECIDED: "success",
    Status.CERTIFIED: "success",
}
# Statuses in which the bureau has the application (the lab waits).
WITH_DIVISION = frozenset(
    {
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.REVIEW,
        Status.ASSESSMENT,
        Status.RECTIFICATION,
        Status.DECIDED,
    }
)
# Statuses in which the lab may change the items.
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})
# Kinds decided on the documents alone (no on-site assessment).
DOCUMENT_ONLY_KINDS = frozenset({Kind.CHANGE, Kind.REDUCTION})


class Decision(StrEnum):
    """The decision on an application as a whole."""

    GRANTED = "granted"
    PARTIAL = "partial"
    REFUSED = "refused"


DECISION_LABELS = {
    Decision.GRANTED: _l("Granted in full"),
    Decision.PARTIAL: _l("Granted in part"),
    Decision.REFUSED: _l("Refused"),
}


class Outcome(StrEnum):
    """The decision on one item."""

    GRANTED = "granted"
    REFUSED = "refused"


OUTCOME_LABELS = {Outcome.GRANTED: _l("Granted"), Outcome.REFUSED: _l("Refused")}


class Step(StrEnum):
    """The timed steps of an application (each has a clock in working days)."""

    ACCEPTANCE = "acceptance"  # submitted -> accepted or returned
    ASSESSMENT = "assessment"  # accepted -> assessment complete (document review and on-site)
    RECTIFICATION = "rectification"  # the lab's rectification of the findings (measured, no limit)
    DECISION = "decision"  # assessment complete (findings closed) -> decided
    CERTIFICATE = "certificate"  # decided -> certificate issued


STEP_LABELS = {
    Step.ACCEPTANCE: _l("Acceptance"),
    Step.ASSESSMENT: _l("Review and assessment"),
    Step.RECTIFICATION: _l("Rectification by the laboratory"),
    Step.DECISION: _l("Decision"),
    Step.CERTIFICATE: _l("Certificate"),
}
STEP_ORDER = list(Step)

# Statutory limits in working days (config APPLICATION_CLOCK_LIMITS overrides them one by one).
# Acceptance within 5, the technical review within 45, the decision within 20 after the assessment
# is complete, the certificate within 10 after the decision; rectification is the lab's time and
# is measured, not limited.
DEFAULT_CLOCK_LIMITS: dict[str, int | None] = {
    Step.ACCEPTANCE.value: 5,
    Step.ASSESSMENT.value: 45,
    Step.RECTIFICATION.value: None,
    Step.DECISION.value: 20,
    Step.CERTIFICATE.value: 10,
}
DEFAULT_CMA_VALID_YEARS = 6  # config APPLICATION_CMA_VALID_YEARS
# Rectification deadlines of an assessment's findings, in months (config APPLICATION_FINDING_MONTHS):
# technical findings (ISO/IEC 17025:2017 clauses 6 and 7) 1 month, the others 2.
DEFAULT_FINDING_MONTHS = {"technical": 1, "other": 2}
TECHNICAL_CLAUSE_PREFIXES = ("6", "7")
# A clock is "running out" this many working days before its due date (the dashboard's warning).
RUNNING_OUT_DAYS = 2


class DayKind(StrEnum):
    """A day the working calendar sets apart from the usual Monday-to-Friday week."""

    HOLIDAY = "holiday"  # a public holiday (or a day off moved into the holiday)
    WORKDAY = "workday"  # a make-up working day (调休上班), usually a weekend day


DAY_KIND_LABELS = {DayKind.HOLIDAY: _l("Public holiday"), DayKind.WORKDAY: _l("Make-up working day")}

REFERENCE_PREFIX = "QA"  # QA-2010-001: qualification application
TITLE_MAX = parsing.NAME_MAX
REASON_MAX = parsing.COMMENT_MAX
NOTE_MAX = parsing.TEXT_MAX
ITEMS_MAX = 2000  # items of one application
TEAM_MAX = 10  # people on an assessment team
CERTIFICATE_NO_MAX = 64
DAY_NAME_MAX = 120
SPAN_MAX_DAYS = 31  # days one calendar entry (a holiday) may cover
SEARCH_MAX = 100
LOOKUP_LIMIT = 20  # catalogue suggestions per lookup
