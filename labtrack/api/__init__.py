"""The JSON API under /api/v1: bearer tokens, one error shape, OpenAPI from the schemas."""

from flask import Blueprint as FlaskBlueprint
from flask import Flask, jsonify
from flask_smorest import Api as SmorestApi

from labtrack.auth.permissions import public
from labtrack.extensions import csrf


class Api(SmorestApi):
    """flask-smorest without its global error handler: ours answer HTML or JSON by path."""

    def _register_error_handlers(self) -> None:
        return None


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

    app.config.setdefault("API_TITLE", "labtrack")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config["OPENAPI_URL_PREFIX"] = None  # served by spec_bp, with a declared permission
    api.init_app(
        app,
        spec_kwargs={
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
        },
    )
    csrf.exempt(spec_bp)
    app.register_blueprint(spec_bp)
    for module in api_modules():
        csrf.exempt(module.blp)  # session-authenticated writes are checked in auth.session
        api.register_blueprint(module.blp)
