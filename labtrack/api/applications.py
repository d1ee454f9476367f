"""Qualification applications in the JSON API (DESIGN "Interfaces"): `POST /applications` (201),
`GET /applications[/<id>]`, `POST /applications/<id>/transitions` with `{"to", ...}`, items added
to a draft, and findings of the assessment raised by its team. The shapes are
`labtrack.applications.schemas`; the rules are the services'; refusals are their domain errors.

`POST /applications/<id>/transitions` answers, in this order: 404 when the caller may not see the
application; 422 when the body is not an object or `to` is not a status; 403 when the step is not
the caller's side's (the laboratory submits, the division does the rest) or the decider was on the
assessment team; 409 when the status, the kind, a stale `version`, an open finding or a year
missing from the working calendar forbids it; 422 naming the missing or bad fields (a wrong
password included); 200 with the application otherwise. A refused step changes nothing.
"""

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from labtrack.api.common import PageArgs, list_schema, paginate
from labtrack.applications import assessment, schemas, service, steps
from labtrack.applications.calendar import working_calendar
from labtrack.auth.permissions import Perm, require, require_any
from labtrack.models_base import today
from labtrack.services import InvalidInput

blp = Blueprint(
    "applications_api",
    __name__,
    url_prefix="/api/v1",
    description="Qualification applications: items, steps, assessment, decision, certificate",
)

SummaryListSchema = list_schema(schemas.ApplicationSummarySchema, "ApplicationList")


class ListArgs(schemas.ApplicationArgs, PageArgs):
    """Filters and page of the list."""


def _answer(data, status: int = 200, headers: dict | None = None):
    response = jsonify(data)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _dump(application):
    return schemas.dump(schemas.view(current_user, application, working_calendar(), today()))


def _json_object() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput(
            _("The request body is not a JSON object."), {"json": [_("The body must be a JSON object.")]}
        )
    return body


@blp.route("/applications")
@require(Perm.APPLICATIONS_VIEW)
@blp.arguments(ListArgs, location="query")
@blp.response(200, SummaryListSchema)
def list_applications(args):
    """Applications the caller may see (a lab manager: their own lab's), most recently changed first."""
    page, per_page = args.pop("page"), args.pop("per_page")
    envelope = paginate(service.applications_query(current_user, **args), page, per_page)
    rows = envelope["items"]
    envelope["items"] = schemas.summaries(rows, service.item_counts([a.id for a in rows]), today())
    return _answer(envelope)


@blp.route("/applications", methods=["POST"])
@require(Perm.APPLICATIONS_SUBMIT)
@blp.arguments(schemas.ApplicationInSchema)
@blp.response(201, schemas.ApplicationSchema)
def create_application(data):
    """Draft an application with its items (201 with its Location): refused items are named by
    index and field, with the scope import's messages; nothing is saved then."""
    application = service.create(data, current_user)
    location = url_for("applications_api.get_application", application_id=application.id)
    return _answer(_dump(application), 201, {"Location": location})


@blp.route("/applications/<int:application_id>")
@require(Perm.APPLICATIONS_VIEW)
@blp.response(200, schemas.ApplicationSchema)
def get_application(application_id):
    """One application: its items, clocks, assessment, decision and the steps taken."""
    return _answer(_dump(service.get(current_user, application_id)))


@blp.route("/applications/<int:application_id>/items", methods=["POST"])
@require(Perm.APPLICATIONS_SUBMIT)
@blp.arguments(schemas.ApplicationItemsInSchema)
@blp.response(200, schemas.ApplicationSchema)
def add_items(data, application_id):
    """Add items to a draft (or returned) application: all or nothing."""
    application = service.get(current_user, application_id)
    service.add_items(application, data["items"], current_user)
    return _answer(_dump(application))


@blp.route("/applications/<int:application_id>/transitions", methods=["POST"])
@require_any(Perm.APPLICATIONS_SUBMIT, Perm.APPLICATIONS_DECIDE)
@blp.doc(requestBody={"content": {"application/json": {"schema": schemas.ApplicationTransitionInSchema}}})
@blp.response(200, schemas.ApplicationSchema)
def transition(application_id):
    """Take a step: submitted, accepted, returned, review, assessment, rectification (the
    assessment is over), decided (signed with `password`), certified."""
    application = service.get(current_user, application_id)
    data = _json_object()
    steps.transition(application, data.get("to"), data, current_user, version=data.get("version"))
    return _answer(_dump(application))


@blp.route("/applications/<int:application_id>/findings", methods=["POST"])
@require(Perm.FINDINGS_EDIT)
@blp.arguments(schemas.AssessmentFindingInSchema)
@blp.response(201, schemas.AssessmentFindingSchema)
def raise_finding(data, application_id):
    """Raise a finding of the assessment (a member of its team), due in 2 months (1 month for a
    technical finding), naming the items it concerns (`item_codes`)."""
    application = service.get(current_user, application_id)
    data["item_ids"] = data.pop("item_codes", [])
    finding = assessment.raise_finding(application, data, current_user)
    codes = {i.id: i.item_code for i in application.items}
    body = schemas.AssessmentFindingSchema().dump(
        {
            "id": finding.id,
            "label": finding.label,
            "severity": str(finding.severity),
            "clause": finding.clause,
            "technical": assessment.is_technical(finding.clause),
            "status": str(finding.status),
            "raised_on": finding.raised_on,
            "due_on": finding.due_on,
            "items": [
                codes[i] for i in assessment.finding_items(application).get(finding.id, []) if i in codes
            ],
        }
    )
    return _answer(body, 201, {"Location": url_for("audits_api.get_finding", finding_id=finding.id)})
