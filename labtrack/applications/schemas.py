"""One output shape for applications: the page, the CSV/XLSX export and the API dump through these
(an application is its lab's and the bureau's alike: whoever may see it sees all of it), and the
API's input shapes. The items' fields are parsed by the service, as the scope import parses them,
so a bad item answers the import's messages, by index and field."""

from datetime import date
from typing import Any

from marshmallow import Schema, fields, validate

from labtrack import parsing
from labtrack.api.fields import Code, Day, Name, Text, Timestamp, Version
from labtrack.applications.values import (
    DECISION_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    Decision,
    Kind,
    Outcome,
    Status,
    Step,
)

KIND_VALUES = [k.value for k in Kind]
STATUS_VALUES = [s.value for s in Status]


class ApplicationItemSchema(Schema):
    """An item asked for, in the scope import's columns, with the decision on it."""

    id = fields.Integer(required=True)
    category_code = fields.String(required=True)
    category_name = fields.String(allow_none=True, required=True)
    item_code = fields.String(required=True)
    item_name = fields.String(allow_none=True, required=True)
    method = fields.String(allow_none=True, required=True)
    parameters = fields.Integer(allow_none=True, required=True)
    in_catalogue = fields.Boolean(required=True, metadata={"description": "the catalogue has the item"})
    outcome = fields.String(
        allow_none=True, required=True, validate=validate.OneOf([o.value for o in Outcome])
    )
    reason = fields.String(allow_none=True, required=True, metadata={"description": "why refused"})
    basis = fields.String(allow_none=True, required=True, metadata={"description": "of the period granted"})
    scope_entry_id = fields.Integer(
        allow_none=True, required=True, metadata={"description": "the scope period granted (or withdrawn)"}
    )


class ApplicationClockSchema(Schema):
    """A step's clock in working days."""

    step = fields.String(required=True, validate=validate.OneOf([s.value for s in Step]))
    label = fields.String(required=True)
    started_on = fields.Date(required=True)
    stopped_on = fields.Date(allow_none=True, required=True)
    limit = fields.Integer(allow_none=True, required=True, metadata={"description": "working days allowed"})
    due_on = fields.Date(allow_none=True, required=True)
    taken = fields.Integer(allow_none=True, required=True, metadata={"description": "working days taken"})
    left = fields.Integer(allow_none=True, required=True, metadata={"description": "working days left"})
    overdue = fields.Boolean(required=True)
    running = fields.Boolean(required=True, metadata={"description": "not stopped yet"})
    running_out = fields.Boolean(
        required=True, metadata={"description": "running, not overdue, and few working days left"}
    )
    on_time = fields.Boolean(allow_none=True, required=True)
    missing_year = fields.Integer(
        allow_none=True, required=True, metadata={"description": "a year the working calendar lacks"}
    )


class AssessmentFindingSchema(Schema):
    """A finding of the assessment, with the items it concerns."""

    id = fields.Integer(required=True)
    label = fields.String(required=True)
    severity = fields.String(required=True)
    clause = fields.String(required=True)
    technical = fields.Boolean(required=True)
    status = fields.String(required=True)
    raised_on = fields.Date(required=True)
    due_on = fields.Date(required=True)
    items = fields.List(fields.String(), required=True, metadata={"description": "item codes it concerns"})


class ApplicationAssessmentSchema(Schema):
    """The on-site assessment: its audit, team and findings."""

    audit_id = fields.Integer(required=True)
    reference = fields.String(required=True)
    status = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(allow_none=True, required=True)
    lead = fields.String(allow_none=True, required=True)
    team = fields.List(fields.String(), required=True)
    findings = fields.List(fields.Nested(AssessmentFindingSchema), required=True)


class ApplicationStepSchema(Schema):
    """A step taken."""

    name = fields.String(required=True)
    from_status = fields.String(allow_none=True, required=True)
    to_status = fields.String(required=True)
    by = fields.String(allow_none=True, required=True)
    on = fields.Date(required=True)
    comment = fields.String(allow_none=True, required=True)


class ApplicationSchema(Schema):
    """A qualification application (GET /applications/<id>)."""

    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    lab_code = fields.String(required=True)
    lab_name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KIND_VALUES))
    kind_label = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUS_VALUES))
    status_label = fields.String(required=True)
    title = fields.String(required=True)
    note = fields.String(allow_none=True, required=True)
    created_at = Timestamp(required=True)
    first_submitted_on = fields.Date(allow_none=True, required=True)
    submitted_on = fields.Date(allow_none=True, required=True)
    accepted_on = fields.Date(allow_none=True, required=True)
    returned_on = fields.Date(allow_none=True, required=True)
    return_reasons = fields.String(allow_none=True, required=True)
    review_started_on = fields.Date(allow_none=True, required=True)
    assessed_on = fields.Date(allow_none=True, required=True)
    ready_on = fields.Date(allow_none=True, required=True, metadata={"description": "ready for decision"})
    decided_on = fields.Date(allow_none=True, required=True)
    decided_by = fields.String(allow_none=True, required=True)
    decision = fields.String(
        allow_none=True, required=True, validate=validate.OneOf([d.value for d in Decision])
    )
    decision_note = fields.String(allow_none=True, required=True)
    signed_at = Timestamp(allow_none=True, required=True)
    certified_on = fields.Date(allow_none=True, required=True)
    certificate_no = fields.String(allow_none=True, required=True)
    certificate_expires_on = fields.Date(allow_none=True, required=True)
    version = fields.Integer(required=True, metadata={"description": "send it back with a step"})
    items = fields.List(fields.Nested(ApplicationItemSchema), required=True)
    clocks = fields.List(fields.Nested(ApplicationClockSchema), required=True)
    overdue = fields.Boolean(required=True, metadata={"description": "a running clock is past its due date"})
    assessment = fields.Nested(ApplicationAssessmentSchema, allow_none=True, required=True)
    steps = fields.List(fields.Nested(ApplicationStepSchema), required=True)
    next = fields.List(
        fields.String(), required=True, metadata={"description": "statuses the caller may move it to now"}
    )


def _item(i: Any) -> dict:
    return {
        "id": i.id,
        "category_code": i.category_code,
        "category_name": i.category_name,
        "item_code": i.item_code,
        "item_name": i.item_name,
        "method": i.method,
        "parameters": i.parameters,
        "in_catalogue": i.item_id is not None,
        "outcome": str(i.outcome) if i.outcome else None,
        "reason": i.reason,
        "basis": i.basis,
        "scope_entry_id": i.scope_entry_id,
    }


def _clock(state: dict) -> dict:
    keys = (
        "label",
        "started_on",
        "stopped_on",
        "limit",
        "due_on",
        "taken",
        "left",
        "overdue",
        "running",
        "running_out",
        "on_time",
        "missing_year",
    )
    return {"step": str(state["step"]), **{k: state[k] for k in keys}}


def view(actor: Any, application: Any, calendar: Any, on: date) -> dict:
    """Everything the page and the API show of an application, computed once."""
    from labtrack.applications import assessment, clocks, steps

    states = clocks.states(calendar, application, on)
    found = assessment.findings(application) if application.audit_id else []
    links = assessment.finding_items(application) if found else {}
    codes = {i.id: i.item_code for i in application.items}
    audit = application.audit
    data = {
        "application": application,
        "clocks": states,
        "overdue": any(s["overdue"] for s in states if s["running"]),
        "findings": found,
        "finding_items": {fid: [codes[i] for i in ids if i in codes] for fid, ids in links.items()},
        "team": [a.user for a in application.assessors],
        "lead": next((a.user for a in application.assessors if a.lead), None),
        "audit": audit,
        "next": steps.available_steps(actor, application),
    }
    return data


def dump(view_data: dict) -> dict:
    """An application's view in the API's shape."""
    a = view_data["application"]
    audit = view_data["audit"]
    assessment = None
    if audit is not None:
        assessment = {
            "audit_id": audit.id,
            "reference": audit.reference,
            "status": str(audit.status),
            "starts_on": audit.started_on,
            "ends_on": audit.ended_on,
            "lead": view_data["lead"].username if view_data["lead"] else None,
            "team": [u.username for u in view_data["team"]],
            "findings": [
                {
                    "id": f.id,
                    "label": f.label,
                    "severity": str(f.severity),
                    "clause": f.clause,
                    "technical": _technical(f.clause),
                    "status": str(f.status),
                    "raised_on": f.raised_on,
                    "due_on": f.due_on,
                    "items": view_data["finding_items"].get(f.id, []),
                }
                for f in view_data["findings"]
            ],
        }
    return ApplicationSchema().dump(
        {
            "id": a.id,
            "reference": a.reference,
            "lab_code": a.lab.code,
            "lab_name": a.lab.name,
            "kind": str(a.kind),
            "kind_label": str(KIND_LABELS[Kind(a.kind)]),
            "status": str(a.status),
            "status_label": str(STATUS_LABELS[Status(a.status)]),
            "title": a.title,
            "note": a.note,
            "created_at": a.created_at,
            "first_submitted_on": a.first_submitted_on,
            "submitted_on": a.submitted_on,
            "accepted_on": a.accepted_on,
            "returned_on": a.returned_on,
            "return_reasons": a.return_reasons,
            "review_started_on": a.review_started_on,
            "assessed_on": a.assessed_on,
            "ready_on": a.ready_on,
            "decided_on": a.decided_on,
            "decided_by": a.decided_by.username if a.decided_by else None,
            "decision": str(a.decision) if a.decision else None,
            "decision_note": a.decision_note,
            "signed_at": a.signed_at,
            "certified_on": a.certified_on,
            "certificate_no": a.certificate_no,
            "certificate_expires_on": a.certificate_expires_on,
            "version": a.version,
            "items": [_item(i) for i in a.items],
            "clocks": [_clock(s) for s in view_data["clocks"]],
            "overdue": view_data["overdue"],
            "assessment": assessment,
            "steps": [
                {
                    "name": s.name,
                    "from_status": s.from_status,
                    "to_status": s.to_status,
                    "by": s.actor.username if s.actor else None,
                    "on": s.on,
                    "comment": s.comment,
                }
                for s in a.steps
            ],
            "next": view_data["next"],
        }
    )


def _technical(clause: str | None) -> bool:
    from labtrack.applications.assessment import is_technical

    return is_technical(clause)


# --- the list and its export -------------------------------------------------------------------


class ApplicationSummarySchema(Schema):
    """An application in a list: what it is, where it stands, what came of it."""

    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    lab_code = fields.String(required=True)
    lab_name = fields.String(required=True)
    region = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KIND_VALUES))
    status = fields.String(required=True, validate=validate.OneOf(STATUS_VALUES))
    title = fields.String(required=True)
    first_submitted_on = fields.Date(allow_none=True, required=True)
    accepted_on = fields.Date(allow_none=True, required=True)
    decided_on = fields.Date(allow_none=True, required=True)
    decision = fields.String(allow_none=True, required=True)
    certified_on = fields.Date(allow_none=True, required=True)
    items = fields.Integer(required=True)
    granted = fields.Integer(required=True)
    refused = fields.Integer(required=True)
    overdue = fields.Boolean(required=True)
    running_step = fields.String(
        allow_none=True, required=True, metadata={"description": "the clock running"}
    )
    due_on = fields.Date(allow_none=True, required=True, metadata={"description": "of the clock running"})


EXPORT_HEADER = list(ApplicationSummarySchema().fields)


def summaries(rows: list[Any], counts: dict[int, dict[str, int]], on: date) -> list[dict]:
    """Applications in the list's shape (counts from `service.item_counts`)."""
    out = []
    for a in rows:
        running = [c for c in a.clocks if c.stopped_on is None and c.limit_days is not None]
        clock = running[-1] if running else None
        n = counts.get(a.id, {"items": 0, "granted": 0, "refused": 0})
        out.append(
            ApplicationSummarySchema().dump(
                {
                    "id": a.id,
                    "reference": a.reference,
                    "lab_code": a.lab.code,
                    "lab_name": a.lab.name,
                    "region": a.lab.region,
                    "kind": str(a.kind),
                    "status": str(a.status),
                    "title": a.title,
                    "first_submitted_on": a.first_submitted_on,
                    "accepted_on": a.accepted_on,
                    "decided_on": a.decided_on,
                    "decision": str(a.decision) if a.decision else None,
                    "certified_on": a.certified_on,
                    "items": n["items"],
                    "granted": n["granted"],
                    "refused": n["refused"],
                    "overdue": any(c.due_on is not None and c.due_on < on for c in running),
                    "running_step": str(clock.step) if clock else None,
                    "due_on": clock.due_on if clock else None,
                }
            )
        )
    return out


def export_rows(dumped: list[dict]) -> list[list]:
    """The list's rows for CSV/XLSX (the same fields as the API's list)."""
    return [[d[k] for k in EXPORT_HEADER] for d in dumped]


# --- input ---------------------------------------------------------------------------------------


class ApplicationItemInSchema(Schema):
    """An item asked for, in the scope import's columns (for a catalogue item its code is enough);
    parsed as the import parses its rows."""

    category_code = fields.Raw(allow_none=True, metadata={"type": "string", "maxLength": 32})
    category_name = fields.Raw(allow_none=True, metadata={"type": "string", "maxLength": 200})
    item_code = fields.Raw(required=True, metadata={"type": "string", "maxLength": 32})
    item_name = fields.Raw(allow_none=True, metadata={"type": "string", "maxLength": 300})
    method = fields.Raw(allow_none=True, metadata={"type": "string", "maxLength": 500})
    parameters = fields.Raw(
        allow_none=True, metadata={"type": "integer", "minimum": 0, "maximum": parsing.COUNT_MAX}
    )


class ApplicationInSchema(Schema):
    """A new application (a draft): its lab (a lab manager's own when left out), kind and items."""

    lab_code = Code()
    kind = fields.String(required=True, validate=validate.OneOf(KIND_VALUES))
    title = Name()
    note = Text(allow_none=True)
    items = fields.List(fields.Nested(ApplicationItemInSchema), load_default=list)


class ApplicationItemsInSchema(Schema):
    """Items to add to a draft (all or nothing)."""

    items = fields.List(
        fields.Nested(ApplicationItemInSchema), required=True, validate=validate.Length(min=1)
    )


class ApplicationRefusalInSchema(Schema):
    """An item refused, with the reason."""

    item_code = fields.String(required=True)
    reason = fields.String(required=True)


class ApplicationTransitionInSchema(Schema):
    """A step: `to` (the status it leads to) and what that step needs: `comment`; `reasons`
    (returned); `lead`, `members`, `starts_on`, `ends_on` (assessment); `ended_on`, `summary`
    (rectification: the assessment is over); `password`, `refused`, `exclude_open` (decided);
    `certificate_no` (certified: required for an initial qualification); `version` last read."""

    to = fields.String(required=True, validate=validate.OneOf(STATUS_VALUES))
    comment = fields.String()
    reasons = fields.String()
    lead = fields.String()
    members = fields.List(fields.String())
    starts_on = Day()
    ends_on = Day()
    ended_on = Day()
    summary = fields.String()
    password = fields.String(metadata={"format": "password"})
    refused = fields.List(fields.Nested(ApplicationRefusalInSchema))
    exclude_open = fields.Boolean()
    certificate_no = fields.String()
    version = Version()


class AssessmentFindingInSchema(Schema):
    """A finding of the assessment (a team member), with the items it concerns."""

    severity = fields.String(required=True)
    area = fields.String(required=True)
    clause = fields.String(required=True)
    description = fields.String(required=True)
    item_codes = fields.List(fields.String(), load_default=list)


class ApplicationArgs(Schema):
    """Filters of the list."""

    status = fields.String(validate=validate.OneOf([*STATUS_VALUES, "open", "waiting"]))
    kind = fields.String(validate=validate.OneOf(KIND_VALUES))
    lab = fields.String()
    region = fields.String()
    overdue = fields.Boolean()


DECISION_VALUES = list(DECISION_LABELS)
