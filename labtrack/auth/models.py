"""Users and API tokens."""

import hashlib
import secrets
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from labtrack.auth.permissions import Perm, Role, role_can
from labtrack.extensions import db
from labtrack.history.tracking import Tracked
from labtrack.models_base import utcnow


class User(Tracked, UserMixin, db.Model):
    """A person who signs in: regulator staff, inspectors, lab managers, viewers."""

    __tablename__ = "users"
    __history_exclude__ = (
        "password_hash",
        "last_login_at",
        "session_version",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(String(20))
    lab_id: Mapped[int | None] = mapped_column(ForeignKey("labs.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Raised at sign-out, password change or reset, disabling: every session and remember-me
    # cookie made before carries the old number and no longer signs anyone in.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    lab: Mapped["Lab | None"] = relationship()  # noqa: F821
    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:
        """Disabled users cannot sign in (Flask-Login reads this)."""
        return bool(self.active)

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password, never the password."""
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        """Whether the password matches the stored hash."""
        return bool(password) and check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """What the session and the remember-me cookie hold: the id and the session version."""
        return f"{self.id}:{self.session_version or 0}"

    def can(self, perm: Perm) -> bool:
        """Whether this user's role holds the permission."""
        return role_can(self.role, perm)

    @property
    def is_lab_manager(self) -> bool:
        """Lab managers see only their own lab."""
        return self.role == Role.LAB_MANAGER

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


def hash_token(token: str) -> str:
    """SHA-256 of an API token: the only form in which tokens are stored."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(Tracked, db.Model):
    """A bearer token for the JSON API, stored as a hash."""

    __tablename__ = "api_tokens"
    __history_exclude__ = ("token_hash", "last_used_at")

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")

    @staticmethod
    def new_secret() -> str:
        """A fresh random token to show the user once."""
        return "lt_" + secrets.token_urlsafe(32)


class SecurityEvent(db.Model):
    """One entry of the security log (ASVS V7): append-only, apart from the domain history.

    Who (the account, or the name typed when no account matched), what (`kind`, `outcome`), when,
    from where (client address, user agent), and on which request.
    """

    __tablename__ = "security_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    outcome: Mapped[str] = mapped_column(String(20), default="success")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    username: Mapped[str] = mapped_column(String(64), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    method: Mapped[str] = mapped_column(String(10), default="")
    path: Mapped[str] = mapped_column(String(200), default="")
    request_id: Mapped[str] = mapped_column(String(40), default="")
    detail: Mapped[str] = mapped_column(String(500), default="")

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
