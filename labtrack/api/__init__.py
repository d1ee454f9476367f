"""The JSON API under /api/v1: bearer tokens, one error shape, OpenAPI from the schemas.

The document says what the API answers: besides each operation's own success responses, every
operation declares the refusals `labtrack.errors` can give it (401 without a valid token, 403 for a
role that may not, 404 for a record the caller may not see or that does not exist, 409 when the
record's state or version forbids a change, 422 for bad fields, 400/413 for a body that cannot be
read), all in the one error shape; and every response carries `X-Request-ID`.
"""

import http

import marshmallow as ma
from apispec import BasePlugin
from flask import Blueprint as FlaskBlueprint
from flask import Flask, jsonify
from flask_smorest import Api as SmorestApi

from labtrack.auth.permissions import public
from labtrack.extensions import csrf


class ErrorSchema(ma.Schema):
    """The API's one error shape (`labtrack.errors.json_error`)."""

    code = ma.fields.Integer(required=True, metadata={"description": "the HTTP status"})
    status = ma.fields.String(required=True, metadata={"description": "the HTTP status's name"})
    message = ma.fields.String(required=True, metadata={"description": "what went wrong, for a person"})
    errors = ma.fields.Dict(
        required=True,
        metadata={"description": "messages by field name (nested for rows of a list); may be empty"},
    )
    request_id = ma.fields.String(metadata={"description": "on a server error: quote it to the support desk"})


_REQUEST_ID = {
    "description": "This request's id (the caller's X-Request-ID if well formed); in the log of a server error.",
    "schema": {"type": "string"},
}


def _has_body(operation: dict) -> bool:
    return "requestBody" in operation


def _is_upload(operation: dict) -> bool:
    return "multipart/form-data" in operation.get("requestBody", {}).get("content", {})


def _has_query(operation: dict) -> bool:
    return any(p.get("in") == "query" for p in operation.get("parameters", []) if isinstance(p, dict))


# The refusals an operation can meet: (status, component name, description, whether it applies
# to an operation given its OpenAPI object, path and method).
ERROR_RESPONSES = (
    (400, "BAD_REQUEST", "The body is not valid JSON or form data.", lambda op, path, m: _has_body(op)),
    (401, "UNAUTHORIZED", "No valid bearer token or session.", lambda op, path, m: True),
    (403, "FORBIDDEN", "The caller's role may not do this.", lambda op, path, m: True),
    (
        404,
        "NOT_FOUND",
        "No such record, or one the caller may not see.",
        lambda op, path, m: "{" in path or _has_query(op) or _has_body(op),
    ),
    (
        409,
        "CONFLICT",
        "The record's state or version does not allow this, or it would duplicate another.",
        lambda op, path, m: m != "get",
    ),
    (
        413,
        "REQUEST_ENTITY_TOO_LARGE",
        "The upload is larger than the server accepts.",
        lambda op, path, m: _is_upload(op),
    ),
    (
        422,
        "UNPROCESSABLE_ENTITY",
        "Missing or invalid fields, named in `errors`.",
        lambda op, path, m: _has_body(op) or _has_query(op) or "{" in path,
    ),
)


class ErrorResponsesPlugin(BasePlugin):
    """Declares on every operation the refusals it can meet, and X-Request-ID on every response."""

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        for method, operation in (operations or {}).items():
            if not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            for status, name, _description, applies in ERROR_RESPONSES:
                if applies(operation, path or "", method) and str(status) not in responses:
                    responses[str(status)] = name
            for response in responses.values():
                if isinstance(response, dict):
                    response.setdefault("headers", {})["X-Request-ID"] = "RequestId"


class Api(SmorestApi):
    """flask-smorest without its global error handler (ours answer HTML or JSON by path), with our
    error shape documented per status instead of a catch-all `default` response."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        return None

    def _register_responses(self) -> None:
        """Error responses in our shape, each with the X-Request-ID header (flask-smorest's
        name for every other status, in case a module declares one with `alt_response`)."""
        self.spec.components.header("RequestId", _REQUEST_ID)
        ours = {name for _status, name, _description, _applies in ERROR_RESPONSES}
        for status in http.HTTPStatus:
            if status.name not in ours and status >= 400:
                self.spec.components.response(
                    status.name,
                    {
                        "description": status.phrase,
                        "content": {"application/json": {"schema": self.ERROR_SCHEMA}},
                    },
                    lazy=True,
                )
        for _status, name, description, _applies in ERROR_RESPONSES:
            self.spec.components.response(
                name,
                {
                    "description": description,
                    "content": {"application/json": {"schema": self.ERROR_SCHEMA}},
                    "headers": {"X-Request-ID": "RequestId"},
                },
                lazy=True,
            )


api = Api()
spec_bp = FlaskBlueprint("openapi", __name__, url_prefix="/api/v1")


@spec_bp.get("/openapi.json")
@public
def openapi_json():
    """The OpenAPI document, generated from the marshmallow schemas."""
    return jsonify(api.spec.to_dict())


def init_api(app: Flask) -> None:
    """Configure the API and register every area's API blueprint."""
    from labtrack.areas import api_modules
    from labtrack.errors import bound_int_ids

    bound_int_ids(app)  # before the API's rules are documented: ids bounded in the document too
    app.config.setdefault("API_TITLE", "labtrack")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config["OPENAPI_URL_PREFIX"] = None  # served by spec_bp, with a declared permission
    api.init_app(
        app,
        spec_kwargs={
            "info": {
                "description": (
                    "labtrack's JSON API. Authenticate with `Authorization: Bearer <token>` "
                    "(`flask --app wsgi labtrack create-token USERNAME`). Lists answer "
                    '`{"items": [...], "meta": {"page", "per_page", "total"}}`; errors answer '
                    '`{"code", "status", "message", "errors"}`. Times are UTC.'
                )
            },
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
            "extra_plugins": [ErrorResponsesPlugin()],
        },
    )
    csrf.exempt(spec_bp)
    app.register_blueprint(spec_bp)
    for module in api_modules():
        csrf.exempt(module.blp)  # session-authenticated writes are checked in auth.session
        api.register_blueprint(module.blp)
