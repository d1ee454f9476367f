"""Configuration classes; every setting can come from the environment."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("LABTRACK_INSTANCE", BASE_DIR / "instance"))


def _int(name: str, default: int) -> int:
    """Read an integer setting from the environment."""
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'labtrack.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 16 * 1024 * 1024)
    # Imports (scope, labs, results) may be larger than an evidence file.
    MAX_IMPORT_BYTES = _int("MAX_IMPORT_BYTES", 64 * 1024 * 1024)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = {"en": "English", "zh_Hans_CN": "简体中文"}
    # One catalogue per area (see scripts/i18n.py); Flask-Babel merges them.
    BABEL_TRANSLATION_DIRECTORIES = ";".join(
        str(BASE_DIR / "translations" / sub)
        for sub in (
            "",
            "scope",
            "audits",
            "proficiency",
            "reports",
            "notify",
            "personnel",
            "planning",
            "applications",
            "records",
        )
    )

    BOOTSTRAP_SERVE_LOCAL = True
    PASSWORD_HASH_METHOD = "scrypt"
    LOGIN_MAX_FAILURES = _int("LOGIN_MAX_FAILURES", 5)
    LOGIN_LOCKOUT_MINUTES = _int("LOGIN_LOCKOUT_MINUTES", 15)
    PER_PAGE = 25
    CERT_EXPIRY_WARNING_DAYS = 90

    # Rectification deadlines by severity, in days (DESIGN: major 30, minor 60).
    FINDING_DUE_DAYS = {"major": 30, "minor": 60, "observation": 90}
    # Proficiency coverage: a category without a comparison in this window is flagged.
    COVERAGE_WINDOW_MONTHS = _int("COVERAGE_WINDOW_MONTHS", 24)


class DevelopmentConfig(Config):
    """Local use: a fixed development key when none is given."""

    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret"


class TestingConfig(Config):
    """The test suite: in-memory database, cheap password hashes, no CSRF by default."""

    TESTING = True
    SECRET_KEY = "testing"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    SERVER_NAME = "localhost.localdomain"


class ProductionConfig(Config):
    """Production: secure cookies, and refuse to start without a key and a database."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def check(cls) -> None:
        """Raise if a setting production needs is missing."""
        missing = [n for n in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(n)]
        if missing:
            raise RuntimeError(f"ProductionConfig needs {', '.join(missing)} in the environment")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
