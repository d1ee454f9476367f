"""Quality-system records in the JSON API: controlled documents and their revisions, the documents
a finding's rectification revises, questionnaires and surveys with their answers and results,
complaints, and the records figures.

The shapes are `labtrack.records.schemas` (the pages and exports use them too); the rules are the
records services'. Refusals are their domain errors, answered once by `labtrack.errors`: 404 for
what the caller may not see (a lab manager asking for another lab's document or complaint), 403
for what their role may not do, 409 for a state or version that does not allow it, 422 naming the
fields.
"""

from typing import Any

from flask import Response, jsonify, request, url_for
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields, validate

from labtrack import parsing
from labtrack.api.common import PageArgs, list_schema, paginate
from labtrack.api.fields import Version
from labtrack.auth.permissions import Perm, require
from labtrack.records import complaints, documents, files, links, overview, survey_files, surveys
from labtrack.records import schemas as s
from labtrack.records.models import Audience, Channel, DocumentKind, DocumentSubject, Outcome
from labtrack.records.workflow import ComplaintStatus, DocumentStatus
from labtrack.services import InvalidInput
from labtrack.tabular import export_response

blp = Blueprint(
    "records_api",
    __name__,
    url_prefix="/api/v1",
    description="Quality-system records: controlled documents, surveys, complaints",
)

_UPLOAD = {"type": "string", "format": "binary"}


def _answer(data: Any, status: int = 200, headers: dict | None = None) -> Response:
    """A JSON answer already shaped for its reader (the declared schema documents it)."""
    response = jsonify(data)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _envelope(items: list, page: int, per_page: int) -> dict:
    """A list that is already in memory, one page of it, in the list envelope."""
    start = (page - 1) * per_page
    return {
        "items": items[start : start + per_page],
        "meta": {"page": page, "per_page": per_page, "total": len(items)},
    }


def _body() -> tuple[dict, list[tuple[str, bytes]]]:
    """Fields from a JSON object, or from a multipart form with its `file`."""
    if request.mimetype == "multipart/form-data":
        files = [(f.filename, f.read()) for f in request.files.getlist("file") if f and f.filename]
        return request.form.to_dict(), files
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput(
            "The request body is not a JSON object.", {"json": ["The body must be a JSON object."]}
        )
    return body, []


# --- documents -------------------------------------------------------------------------------


class DocumentArgs(PageArgs):
    """Filters of the register."""

    q = fields.String(metadata={"description": "search in codes, titles and lab names"})
    lab = fields.String(metadata={"description": "a lab code, or `bureau` for the bureau's own documents"})
    kind = fields.String(validate=validate.OneOf([k.value for k in DocumentKind]))
    subject = fields.String(validate=validate.OneOf([k.value for k in DocumentSubject]))
    status = fields.String(validate=validate.OneOf([k.value for k in DocumentStatus]))
    region = fields.String()
    due_within = fields.Integer(
        validate=validate.Range(min=0, max=3660),
        metadata={
            "description": "documents in force whose review is due within this many days (overdue too)"
        },
    )
    on = fields.Date(metadata={"description": "the day `due_within` counts from (today)"})


DocumentList = list_schema(s.DocumentSchema, "DocumentList")
RevisionList = list_schema(s.RevisionSchema, "RevisionList")
_REVISION_FORM = {
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "label": {"type": "string", "maxLength": 16},
                    "change_note": {"type": "string"},
                    "version": {"type": "integer", "minimum": 0, "maximum": parsing.COUNT_MAX},
                    "file": _UPLOAD,
                },
            }
        },
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "label": {"type": "string", "maxLength": 16},
                    "change_note": {"type": "string"},
                    "version": {"type": "integer", "minimum": 0, "maximum": parsing.COUNT_MAX},
                },
            }
        },
    }
}


@blp.route("/documents")
@require(Perm.RECORDS_VIEW)
@blp.arguments(DocumentArgs, location="query")
@blp.response(200, DocumentList)
def list_documents(args):
    """The register of controlled documents (a lab manager: their lab's and the bureau's issued ones)."""
    page, per_page = args.pop("page"), args.pop("per_page")
    envelope = paginate(documents.documents_query(current_user, **args), page, per_page)
    envelope["items"] = [s.dump_document(current_user, d) for d in envelope["items"]]
    return _answer(envelope)


@blp.route("/documents", methods=["POST"])
@require(Perm.DOCUMENTS_EDIT)
@blp.arguments(s.DocumentInSchema)
@blp.response(201, s.DocumentDetailSchema)
def create_document(data):
    """Register a controlled document (201 with its Location); no `lab_code`: the bureau's."""
    document = documents.create_document(current_user, data)
    location = url_for("records_api.get_document", document_id=document.id)
    return _answer(s.dump_document(current_user, document, detail=True), 201, {"Location": location})


@blp.route("/documents/<int:document_id>")
@require(Perm.RECORDS_VIEW)
@blp.response(200, s.DocumentDetailSchema)
def get_document(document_id):
    """One document: the revision in force, and every revision the caller may see."""
    document = documents.get_document(current_user, document_id)
    return _answer(s.dump_document(current_user, document, detail=True))


@blp.route("/documents/<int:document_id>", methods=["PATCH"])
@require(Perm.DOCUMENTS_EDIT)
@blp.arguments(s.DocumentPatchSchema)
@blp.response(200, s.DocumentDetailSchema)
def update_document(data, document_id):
    """Change a document's title, subject or review interval (its next review follows)."""
    document = documents.update_document(
        current_user, documents.get_document(current_user, document_id), data
    )
    return _answer(s.dump_document(current_user, document, detail=True))


@blp.route("/documents/<int:document_id>/revisions")
@require(Perm.RECORDS_VIEW)
@blp.arguments(PageArgs, location="query")
@blp.response(200, RevisionList)
def list_revisions(args, document_id):
    """The document's revisions the caller may see, newest first."""
    document = documents.get_document(current_user, document_id)
    items = s.RevisionSchema(many=True).dump(documents.visible_revisions(current_user, document))
    return _answer(_envelope(items, args["page"], args["per_page"]))


@blp.route("/documents/<int:document_id>/revisions", methods=["POST"])
@require(Perm.DOCUMENTS_EDIT)
@blp.doc(requestBody=_REVISION_FORM)
@blp.response(201, s.RevisionSchema)
def create_revision(document_id):
    """Start a revision (a draft): `label`, `change_note`, and its `file` (multipart) if at hand."""
    document = documents.get_document(current_user, document_id)
    data, upload = _body()
    revision = documents.start_revision(current_user, document, data, upload)
    location = url_for("records_api.get_revision", revision_id=revision.id)
    return _answer(s.RevisionSchema().dump(revision), 201, {"Location": location})


@blp.route("/revisions/<int:revision_id>")
@require(Perm.RECORDS_VIEW)
@blp.response(200, s.RevisionSchema)
def get_revision(revision_id):
    """One revision."""
    return _answer(s.RevisionSchema().dump(documents.get_revision(current_user, revision_id)))


@blp.route("/revisions/<int:revision_id>", methods=["PATCH"])
@require(Perm.DOCUMENTS_EDIT)
@blp.doc(requestBody=_REVISION_FORM)
@blp.response(200, s.RevisionSchema)
def update_revision(revision_id):
    """Change a draft: `label`, `change_note`, its `file` (multipart); `version` last read."""
    revision = documents.get_revision(current_user, revision_id)
    data, upload = _body()
    version = data.get("version")
    revision = documents.update_revision(current_user, revision, data, upload, version=version)
    return _answer(s.RevisionSchema().dump(revision))


@blp.route("/revisions/<int:revision_id>/file")
@require(Perm.RECORDS_VIEW)
@blp.response(200, description="The revision's file.", content_type="application/octet-stream")
def revision_file(revision_id):
    """The revision's file (404 unless the caller may see the revision)."""
    revision, content = documents.revision_file(current_user, revision_id)
    response = Response(content, mimetype=revision.content_type or "application/octet-stream")
    response.headers["Content-Disposition"] = files.attachment_header(revision.filename or "document")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blp.route("/revisions/<int:revision_id>/transitions", methods=["POST"])
@require(Perm.DOCUMENTS_EDIT)
@blp.arguments(s.RevisionStepSchema)
@blp.response(200, s.RevisionSchema)
def revision_transition(data, revision_id):
    """Take a step: submit (`in_review`), return (`draft`, comment), approve (`effective`:
    `password`, `effective_on`; never by the author), discard (`obsolete`, comment)."""
    revision = documents.get_revision(current_user, revision_id)
    revision = documents.transition(current_user, revision, data["to"], data, version=data.get("version"))
    return _answer(s.RevisionSchema().dump(revision))


@blp.route("/documents/<int:document_id>/reviews", methods=["POST"])
@require(Perm.DOCUMENTS_EDIT)
@blp.arguments(s.ReviewInSchema)
@blp.response(200, s.DocumentDetailSchema)
def record_review(data, document_id):
    """Record the periodic review of a document in force; its next review is due an interval later."""
    document = documents.record_review(current_user, documents.get_document(current_user, document_id), data)
    return _answer(s.dump_document(current_user, document, detail=True))


@blp.route("/documents/<int:document_id>/withdrawal", methods=["POST"])
@require(Perm.DOCUMENTS_APPROVE)
@blp.arguments(s.WithdrawInSchema)
@blp.response(200, s.DocumentDetailSchema)
def withdraw_document(data, document_id):
    """Withdraw a document in force (`reason`; `withdrawn_on` default today)."""
    document = documents.withdraw_document(
        current_user, documents.get_document(current_user, document_id), data
    )
    return _answer(s.dump_document(current_user, document, detail=True))


# --- the documents of a finding's rectification -------------------------------------------------


def _finding_documents(finding_id: int, revisions: list) -> Response:
    return _answer({"finding_id": finding_id, "revisions": s.LinkedRevisionSchema(many=True).dump(revisions)})


@blp.route("/findings/<int:finding_id>/documents")
@require(Perm.RECORDS_VIEW)
@blp.response(200, s.FindingDocumentsSchema)
def get_finding_documents(finding_id):
    """The document revisions the finding's rectification revises."""
    return _finding_documents(finding_id, links.finding_documents(current_user, finding_id))


@blp.route("/findings/<int:finding_id>/documents", methods=["PUT"])
@require(Perm.RECORDS_VIEW)
@blp.arguments(s.FindingDocumentsInSchema)
@blp.response(200, s.FindingDocumentsSchema)
def set_finding_documents(data, finding_id):
    """Name the revisions the rectification revises (the lab rectifying it, or a verifier; the
    list replaces the one before; not once the finding is closed or cancelled)."""
    revisions = links.set_finding_documents(current_user, finding_id, data["revision_ids"])
    return _finding_documents(finding_id, revisions)


# --- surveys ---------------------------------------------------------------------------------

QuestionnaireList = list_schema(s.QuestionnaireSchema, "QuestionnaireList")
SurveyList = list_schema(s.SurveySchema, "SurveyList")


@blp.route("/questionnaires")
@require(Perm.RECORDS_VIEW)
@blp.arguments(PageArgs, location="query")
@blp.response(200, QuestionnaireList)
def list_questionnaires(args):
    """Questionnaires with their questions, newest first."""
    envelope = paginate(surveys.questionnaires_query(current_user), args["page"], args["per_page"])
    envelope["items"] = s.QuestionnaireSchema(many=True).dump(envelope["items"])
    return _answer(envelope)


@blp.route("/questionnaires", methods=["POST"])
@require(Perm.SURVEYS_MANAGE)
@blp.arguments(s.QuestionnaireInSchema)
@blp.response(201, s.QuestionnaireSchema)
def create_questionnaire(data):
    """A new questionnaire (201 with its Location); add its questions next."""
    questionnaire = surveys.create_questionnaire(current_user, data)
    location = url_for("records_api.get_questionnaire", questionnaire_id=questionnaire.id)
    return _answer(s.QuestionnaireSchema().dump(questionnaire), 201, {"Location": location})


@blp.route("/questionnaires/<int:questionnaire_id>")
@require(Perm.RECORDS_VIEW)
@blp.response(200, s.QuestionnaireSchema)
def get_questionnaire(questionnaire_id):
    """One questionnaire with its questions in both languages."""
    return _answer(s.QuestionnaireSchema().dump(surveys.get_questionnaire(current_user, questionnaire_id)))


@blp.route("/questionnaires/<int:questionnaire_id>/questions", methods=["POST"])
@require(Perm.SURVEYS_MANAGE)
@blp.arguments(s.SurveyQuestionInSchema)
@blp.response(201, s.SurveyQuestionSchema)
def add_question(data, questionnaire_id):
    """Add a question (scale or choice, both languages); refused once the questionnaire has answers."""
    questionnaire = surveys.get_questionnaire(current_user, questionnaire_id)
    question = surveys.add_question(current_user, questionnaire, data)
    location = url_for("records_api.get_questionnaire", questionnaire_id=questionnaire.id)
    return _answer(s.SurveyQuestionSchema().dump(question), 201, {"Location": location})


class SurveyArgs(PageArgs):
    """Filters of the survey list."""

    q = fields.String()
    audience = fields.String(validate=validate.OneOf([a.value for a in Audience]))
    year = fields.Integer(validate=validate.Range(min=parsing.YEAR_MIN, max=parsing.YEAR_MAX))
    region = fields.String()


@blp.route("/surveys")
@require(Perm.RECORDS_VIEW)
@blp.arguments(SurveyArgs, location="query")
@blp.response(200, SurveyList)
def list_surveys(args):
    """Survey campaigns with their returned count and response rate, newest first."""
    page, per_page = args.pop("page"), args.pop("per_page")
    envelope = paginate(surveys.surveys_query(current_user, **args), page, per_page)
    counts = surveys.returned_by(envelope["items"])
    envelope["items"] = [s.dump_survey(survey, counts[survey.id]) for survey in envelope["items"]]
    return _answer(envelope)


@blp.route("/surveys", methods=["POST"])
@require(Perm.SURVEYS_MANAGE)
@blp.arguments(s.SurveyInSchema)
@blp.response(201, s.SurveySchema)
def create_survey(data):
    """Open a survey campaign of a questionnaire: audience, issue date, copies issued (201)."""
    survey = surveys.create_survey(current_user, data)
    location = url_for("records_api.get_survey", survey_id=survey.id)
    return _answer(s.dump_survey(survey, 0), 201, {"Location": location})


@blp.route("/surveys/<int:survey_id>")
@require(Perm.RECORDS_VIEW)
@blp.response(200, s.SurveySchema)
def get_survey(survey_id):
    """One survey with its returned count and response rate."""
    survey = surveys.get_survey(current_user, survey_id)
    return _answer(s.dump_survey(survey, surveys.returned(survey)))


class SurveyPatchSchema(Schema):
    """A survey's changeable fields."""

    class Meta:
        unknown = EXCLUDE

    title = fields.String(validate=validate.Length(min=1, max=200))
    audience_note = fields.String(allow_none=True)
    closes_on = fields.String(allow_none=True)
    copies_issued = fields.Integer(strict=False, validate=validate.Range(min=0, max=parsing.COUNT_MAX))


@blp.route("/surveys/<int:survey_id>", methods=["PATCH"])
@require(Perm.SURVEYS_MANAGE)
@blp.arguments(SurveyPatchSchema)
@blp.response(200, s.SurveySchema)
def update_survey(data, survey_id):
    """Change a survey's title, note, closing date or copies issued (never below those returned)."""
    survey = surveys.update_survey(current_user, surveys.get_survey(current_user, survey_id), data)
    return _answer(s.dump_survey(survey, surveys.returned(survey)))


@blp.route("/surveys/<int:survey_id>/responses", methods=["POST"])
@require(Perm.SURVEYS_MANAGE)
@blp.arguments(s.ResponseInSchema)
@blp.response(201, s.ResponseCreatedSchema)
def enter_response(data, survey_id):
    """Record one returned questionnaire; answers outside a scale or not among the choices are
    refused naming the question (422)."""
    survey = surveys.get_survey(current_user, survey_id)
    response_id = surveys.enter_response(current_user, survey, data)
    location = url_for("records_api.get_survey", survey_id=survey.id)
    return _answer({"id": response_id, "returned": surveys.returned(survey)}, 201, {"Location": location})


class SurveyImportArgs(Schema):
    """Options of an import."""

    dry_run = fields.Boolean(load_default=False, metadata={"description": "check the file, write nothing"})


@blp.route("/surveys/<int:survey_id>/imports", methods=["POST"])
@require(Perm.SURVEYS_MANAGE)
@blp.arguments(SurveyImportArgs, location="query")
@blp.doc(
    requestBody={
        "required": True,
        "content": {"multipart/form-data": {"schema": {"type": "object", "properties": {"file": _UPLOAD}}}},
    }
)
@blp.response(200, s.AnswersImportSchema)
def import_responses(args, survey_id):
    """Import returned questionnaires from an XLSX (or CSV) `file`: all or nothing, every problem
    listed by row and column under `errors.file` (422)."""
    survey = surveys.get_survey(current_user, survey_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("No file was sent.", {"file": ["Choose an XLSX or CSV file."]})
    result = survey_files.import_responses(current_user, survey, upload.stream, dry_run=args["dry_run"])
    return _answer(result)


@blp.route("/surveys/<int:survey_id>/results")
@require(Perm.RECORDS_VIEW)
@blp.response(200, s.SurveyResultsSchema)
def survey_results(survey_id):
    """Returned count, response rate and each question's answers (aggregated in SQL)."""
    survey = surveys.get_survey(current_user, survey_id)
    return _answer(s.SurveyResultsSchema().dump(surveys.results(survey)))


class SurveyExportArgs(Schema):
    """What to export, and as what."""

    what = fields.String(load_default="results", validate=validate.OneOf(["results", "responses"]))
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "xlsx"]))


@blp.route("/surveys/<int:survey_id>/export")
@require(Perm.RECORDS_VIEW)
@blp.arguments(SurveyExportArgs, location="query")
@blp.response(200, description="CSV or XLSX.", content_type="application/octet-stream")
def export_survey(args, survey_id):
    """The results, or every returned questionnaire in the import file's format, as CSV or XLSX."""
    survey = surveys.get_survey(current_user, survey_id)
    rows = survey_files.result_rows if args["what"] == "results" else survey_files.response_rows
    header, data = rows(survey)
    return export_response(args["format"], f"survey-{survey.code}-{args['what']}", header, data)


# --- complaints ------------------------------------------------------------------------------

ComplaintList = list_schema(s.ComplaintSchema, "ComplaintList")


class ComplaintArgs(PageArgs):
    """Filters of the complaint list."""

    q = fields.String()
    lab = fields.String()
    channel = fields.String(validate=validate.OneOf([c.value for c in Channel]))
    status = fields.String(validate=validate.OneOf([c.value for c in ComplaintStatus]))
    outcome = fields.String(validate=validate.OneOf([o.value for o in Outcome]))
    region = fields.String()
    year = fields.Integer(validate=validate.Range(min=parsing.YEAR_MIN, max=parsing.YEAR_MAX))
    awaiting_feedback = fields.Boolean(load_default=False)


@blp.route("/complaints")
@require(Perm.RECORDS_VIEW)
@blp.arguments(ComplaintArgs, location="query")
@blp.response(200, ComplaintList)
def list_complaints(args):
    """Complaints, newest first (a lab manager: those about their own lab, without the complainant)."""
    page, per_page = args.pop("page"), args.pop("per_page")
    envelope = paginate(complaints.complaints_query(current_user, **args), page, per_page)
    envelope["items"] = [s.dump_complaint(current_user, c) for c in envelope["items"]]
    return _answer(envelope)


@blp.route("/complaints", methods=["POST"])
@require(Perm.COMPLAINTS_MANAGE)
@blp.arguments(s.ComplaintInSchema)
@blp.response(201, s.ComplaintSchema)
def register_complaint(data):
    """Register a complaint about a lab (an unknown `lab_code` is refused, 422); 201 with its Location."""
    complaint = complaints.register_complaint(current_user, data)
    location = url_for("records_api.get_complaint", complaint_id=complaint.id)
    return _answer(s.dump_complaint(current_user, complaint), 201, {"Location": location})


@blp.route("/complaints/<int:complaint_id>")
@require(Perm.RECORDS_VIEW)
@blp.response(200, s.ComplaintSchema)
def get_complaint(complaint_id):
    """One complaint (404 for a lab manager when it is about another lab)."""
    return _answer(s.dump_complaint(current_user, complaints.get_complaint(current_user, complaint_id)))


class ComplaintPatchSchema(Schema):
    """A complaint's details that may be corrected."""

    class Meta:
        unknown = EXCLUDE

    channel = fields.String(validate=validate.OneOf([c.value for c in Channel]))
    complainant_name = fields.String(allow_none=True)
    complainant_contact = fields.String(allow_none=True)
    subject = fields.String(validate=validate.Length(min=1, max=200))
    description = fields.String()
    received_on = fields.String()
    comment = fields.String(allow_none=True)
    version = Version(allow_none=True)


@blp.route("/complaints/<int:complaint_id>", methods=["PATCH"])
@require(Perm.COMPLAINTS_MANAGE)
@blp.arguments(ComplaintPatchSchema)
@blp.response(200, s.ComplaintSchema)
def update_complaint(data, complaint_id):
    """Correct a complaint's details (those given)."""
    complaint = complaints.get_complaint(current_user, complaint_id)
    complaint = complaints.update_complaint(current_user, complaint, data, version=data.pop("version", None))
    return _answer(s.dump_complaint(current_user, complaint))


@blp.route("/complaints/<int:complaint_id>/transitions", methods=["POST"])
@require(Perm.COMPLAINTS_MANAGE)
@blp.arguments(s.ComplaintStepSchema)
@blp.response(200, s.ComplaintSchema)
def complaint_transition(data, complaint_id):
    """Acknowledge, record the investigation and outcome, or record the feedback given."""
    complaint = complaints.get_complaint(current_user, complaint_id)
    complaint = complaints.transition(current_user, complaint, data["to"], data, version=data.get("version"))
    return _answer(s.dump_complaint(current_user, complaint))


@blp.route("/complaints/<int:complaint_id>/finding", methods=["POST"])
@require(Perm.COMPLAINTS_MANAGE)
@blp.arguments(s.ComplaintFindingInSchema)
@blp.response(201, s.ComplaintFindingSchema)
def raise_finding(data, complaint_id):
    """Raise a finding from a substantiated complaint into the usual rectification (201, Location:
    the finding); the investigation is recorded as a flight check of the lab unless
    `audit_reference` names the audit that recorded it."""
    complaint = complaints.get_complaint(current_user, complaint_id)
    finding = complaints.raise_finding(current_user, complaint, data)
    body = {
        "finding_id": finding.id,
        "audit_reference": complaint.audit.reference,
        "complaint": s.dump_complaint(current_user, complaint),
    }
    return _answer(body, 201, {"Location": f"/api/v1/findings/{finding.id}"})


# --- figures ---------------------------------------------------------------------------------


class RecordsFiguresArgs(Schema):
    """The period and region of the records figures (default: this year so far)."""

    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")
    region = fields.String()


class RecordsFiguresSchema(Schema):
    """Documents written, revised and withdrawn; questionnaires issued and returned; complaints
    received and answered, feedback rate and days to feedback; each by region and in all."""

    date_from = fields.Date(data_key="from", required=True)
    date_to = fields.Date(data_key="to", required=True)
    region = fields.String(allow_none=True)
    documents = fields.Dict(required=True)
    surveys = fields.Dict(required=True)
    complaints = fields.Dict(required=True)


@blp.route("/records/figures")
@require(Perm.RECORDS_VIEW)
@blp.arguments(RecordsFiguresArgs, location="query")
@blp.response(200, RecordsFiguresSchema)
def records_figures(args):
    """The records figures of a period (a lab manager: their own lab's)."""
    data = overview.figures_for(current_user, args.get("date_from"), args.get("date_to"), args.get("region"))
    return _answer(RecordsFiguresSchema().dump(data))
