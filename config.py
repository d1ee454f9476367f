"""Configuration classes; every setting can come from the environment."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("LABTRACK_INSTANCE", BASE_DIR / "instance"))


def _int(name: str, default: int) -> int:
    """Read an integer setting from the environment."""
    value = os.environ.get(name)
    return int(value) if value else default


def _ints(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    """Read a comma-separated list of integers (day offsets) from the environment."""
    value = os.environ.get(name)
    return tuple(int(v) for v in value.split(",") if v.strip()) if value else default


def _flag(name: str, default: bool = False) -> bool:
    """Read a yes/no setting (1, true, yes, on) from the environment."""
    value = os.environ.get(name)
    return value.strip().lower() in ("1", "true", "yes", "on") if value else default


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'labtrack.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 16 * 1024 * 1024)
    # Imports (scope, labs, results) may be larger than an evidence file.
    MAX_IMPORT_BYTES = _int("MAX_IMPORT_BYTES", 64 * 1024 * 1024)
    # PostgreSQL: a scope import granting at least this many periods (and at least an eighth of
    # those recorded) checks its foreign keys once, set-based, instead of once per row (docs/areas/scope.md).
    SCOPE_IMPORT_BULK_CHECK_ROWS = _int("SCOPE_IMPORT_BULK_CHECK_ROWS", 50_000)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = {"en": "English", "zh_Hans_CN": "简体中文"}
    # One catalogue per area (see scripts/i18n.py); Flask-Babel merges them. Only the catalogues
    # that exist: Flask-Babel takes the plural rule of the last directory, and a missing one gives
    # English's (n != 1), which turned every Chinese ngettext back into English.
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
        if (BASE_DIR / "translations" / sub / "zh_Hans_CN" / "LC_MESSAGES").is_dir()
    )

    BOOTSTRAP_SERVE_LOCAL = True
    PASSWORD_HASH_METHOD = "scrypt"
    # Security (issue 9). Failed password checks are throttled, never locking an account: per
    # account and client address, and per client address (growing windows; limits syntax).
    LOGIN_LIMITS_ACCOUNT = os.environ.get("LOGIN_LIMITS_ACCOUNT", "5/minute;20/hour;60/day")
    LOGIN_LIMITS_ADDRESS = os.environ.get("LOGIN_LIMITS_ADDRESS", "30/minute;200/hour;1000/day")
    # Throttling counts live here (shared by every app server): REDIS_URL when set.
    RATELIMIT_STORAGE_URI = (
        os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL") or "memory://"
    )
    # How many proxies in front of the app set X-Forwarded-For / -Proto (0: none, trust no header).
    PROXY_COUNT = _int("PROXY_COUNT", 0)
    REMEMBER_COOKIE_DAYS = _int("REMEMBER_COOKIE_DAYS", 30)  # at most 30
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 120)  # 0: no idle timeout
    # Uploaded tables: limits checked while reading (decompression bombs).
    TABLE_MAX_ROWS = _int("TABLE_MAX_ROWS", 100_000)
    TABLE_MAX_COLUMNS = _int("TABLE_MAX_COLUMNS", 200)
    TABLE_MAX_UNCOMPRESSED_BYTES = _int("TABLE_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)
    SCOPE_PREVIEW_HOURS = _int("SCOPE_PREVIEW_HOURS", 24)  # an unconfirmed import preview is deleted
    SECURITY_LOG_PER_PAGE = 50
    PER_PAGE = 25
    CERT_EXPIRY_WARNING_DAYS = 90

    # Rectification deadlines by severity, in days (DESIGN: major 30, minor 60).
    FINDING_DUE_DAYS = {"major": 30, "minor": 60, "observation": 90}
    # Proficiency coverage: a category without a comparison in this window is flagged.
    COVERAGE_WINDOW_MONTHS = _int("COVERAGE_WINDOW_MONTHS", 24)

    # Notifications and e-mail (issue 11). No MAIL_SERVER: notifications stay in-app only.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _flag("MAIL_USE_TLS")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "labtrack <labtrack@localhost>")
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 10)
    MAIL_CONNECTIONS = _int("MAIL_CONNECTIONS", 4)  # SMTP sessions a run sends over at once
    # A refused e-mail is retried after 1, 2, 4, ... minutes, at most this far apart.
    MAIL_RETRY_MAX_MINUTES = _int("MAIL_RETRY_MAX_MINUTES", 360)
    # Notifications older than this are no longer e-mailed (they stay in the in-app list).
    MAIL_MAX_AGE_DAYS = _int("MAIL_MAX_AGE_DAYS", 7)
    # Links in e-mails point here (the address people open labtrack at).
    LABTRACK_BASE_URL = os.environ.get("LABTRACK_BASE_URL", "http://127.0.0.1:5000")
    # Reminder tiers, in days before (due) or after (overdue) a finding's due date.
    REMINDER_DUE_DAYS = _ints("REMINDER_DUE_DAYS", (10, 3, 0))
    REMINDER_ESCALATE_DAYS = _int("REMINDER_ESCALATE_DAYS", 7)  # overdue this long: quality too, weekly
    REMINDER_ROUND_CLOSING_DAYS = _int("REMINDER_ROUND_CLOSING_DAYS", 3)
    REMINDER_CERT_EXPIRY_DAYS = _ints("REMINDER_CERT_EXPIRY_DAYS", (90, 30))
    # The daily schedule (reminders, digests, other areas' daily work) runs at this hour (UTC).
    DAILY_HOUR = _int("DAILY_HOUR", 6)

    # Background jobs: Redis when REDIS_URL is set, else a SQLite file in the instance folder.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    JOBS_QUEUE_FILE = os.environ.get("JOBS_QUEUE_FILE", str(INSTANCE_DIR / "jobs-queue.db"))
    JOBS_QUEUE_NAME = os.environ.get("JOBS_QUEUE_NAME", "labtrack")
    JOBS_WORKERS = _int("JOBS_WORKERS", 2)
    JOBS_IMMEDIATE = _flag("JOBS_IMMEDIATE")  # run jobs inside the caller (tests, one-off scripts)
    JOB_MAX_ATTEMPTS = _int("JOB_MAX_ATTEMPTS", 2)  # a job whose worker died is re-run this often
    JOB_STALE_SECONDS = _int("JOB_STALE_SECONDS", 300)  # no heartbeat this long: its worker died

    # Where uploaded files are kept: local (UPLOAD_FOLDER), database, or s3 (S3_* below).
    STORAGE = os.environ.get("STORAGE", "local")
    S3_BUCKET = os.environ.get("S3_BUCKET")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL")
    S3_REGION = os.environ.get("S3_REGION")
    S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID")
    S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY")
    S3_PREFIX = os.environ.get("S3_PREFIX", "labtrack/")


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
