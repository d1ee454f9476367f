"""labtrack: oversight of testing laboratories: scope, comparisons, findings, growth."""

import os
from pathlib import Path

from flask import Flask

from config import CONFIGS, INSTANCE_DIR, Config, ProductionConfig


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build the application: extensions, blueprints, error handlers, commands."""
    if config_class is None:
        config_class = CONFIGS[os.environ.get("LABTRACK_CONFIG", "development")]
    if config_class is ProductionConfig:
        ProductionConfig.check()
    app = Flask(
        __name__,
        template_folder="../templates",
        instance_path=str(INSTANCE_DIR),
        instance_relative_config=True,
    )
    app.config.from_object(config_class)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    """Initialise the extensions and the hooks they need."""
    from labtrack import cache, templating
    from labtrack.auth import headers as auth_headers
    from labtrack.auth import security as auth_security
    from labtrack.auth import session as auth_session
    from labtrack.extensions import babel, bootstrap, csrf, db, migrate
    from labtrack.history import tracking

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(Path(app.root_path).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=templating.select_locale)
    bootstrap.init_app(app)
    auth_session.init_login(app)
    tracking.install()
    templating.init_app(app)
    cache.init_app(app)  # every committed write bumps the data version; cached_fragment for templates
    auth_headers.init_app(app)
    auth_security.init_app(app)
    import labtrack.models  # noqa: F401  (every model registered on the metadata)


def register_blueprints(app: Flask) -> None:
    """Mount the web areas (every `labtrack.<area>.views.bp`) and the JSON API."""
    from labtrack.api import init_api
    from labtrack.areas import area_modules
    from labtrack.auth.admin import bp as admin_bp
    from labtrack.main import bp as main_bp
    from labtrack.vendor import bp as vendor_bp

    for bp in (main_bp, admin_bp, vendor_bp, *(module.bp for module in area_modules("views"))):
        if bp.name not in app.blueprints:
            app.register_blueprint(bp)
    init_api(app)
    for module in area_modules("events"):
        module.connect()


def register_error_handlers(app: Flask) -> None:
    """Answer errors as HTML pages, or as JSON under /api."""
    from labtrack.errors import init_errors

    init_errors(app)


def register_cli(app: Flask) -> None:
    """Add the `flask labtrack ...` commands."""
    from labtrack.cli import labtrack_cli, register_area_commands

    register_area_commands()
    app.cli.add_command(labtrack_cli)
