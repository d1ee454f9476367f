"""Laboratories (technical institutions), their contacts and their qualifications."""

from datetime import date, datetime, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from labtrack.extensions import db
from labtrack.history.tracking import Tracked
from labtrack.models_base import today, utcnow
from labtrack.parsing import code_key


def key_default(column: str):
    """A column default computing the code key for inserts that bypass the ORM (Core, bulk)."""

    def default(context) -> str | None:
        value = context.get_current_parameters().get(column)
        return code_key(value) if value is not None else None

    return default


class LabKind(StrEnum):
    """What sort of institution a lab is."""

    TECHNICAL_CENTRE = "technical_centre"
    REGIONAL_LAB = "regional_lab"
    PRODUCT_QUALITY = "product_quality_institute"
    METROLOGY = "metrology_institute"
    FIBRE = "fibre_inspection_institute"
    SPECIAL_EQUIPMENT = "special_equipment_institute"
    ENTERPRISE = "enterprise_lab"
    THIRD_PARTY = "third_party_lab"


LAB_KIND_LABELS = {
    LabKind.TECHNICAL_CENTRE: _l("Technical centre"),
    LabKind.REGIONAL_LAB: _l("Regional laboratory"),
    LabKind.PRODUCT_QUALITY: _l("Product quality inspection institute"),
    LabKind.METROLOGY: _l("Metrology institute"),
    LabKind.FIBRE: _l("Fibre inspection institute"),
    LabKind.SPECIAL_EQUIPMENT: _l("Special-equipment inspection institute"),
    LabKind.ENTERPRISE: _l("Enterprise laboratory"),
    LabKind.THIRD_PARTY: _l("Third-party laboratory"),
}


class LabStatus(StrEnum):
    """Whether a lab is operating."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    CLOSED = "closed"


LAB_STATUS_LABELS = {
    LabStatus.ACTIVE: _l("Active"),
    LabStatus.SUSPENDED: _l("Suspended"),
    LabStatus.REVOKED: _l("Revoked"),
    LabStatus.CLOSED: _l("Closed"),
}


class Scheme(StrEnum):
    """Kinds of qualification."""

    CMA = "CMA"
    CNAS = "CNAS"
    OTHER = "other"


SCHEME_LABELS = {
    Scheme.CMA: _l("CMA (qualification recognition)"),
    Scheme.CNAS: _l("CNAS (accreditation)"),
    Scheme.OTHER: _l("Other"),
}


class QualificationStatus(StrEnum):
    """State of a certificate as issued (expiry is computed from the dates)."""

    VALID = "valid"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"


QUALIFICATION_STATUS_LABELS = {
    QualificationStatus.VALID: _l("Valid"),
    QualificationStatus.SUSPENDED: _l("Suspended"),
    QualificationStatus.WITHDRAWN: _l("Withdrawn"),
}


class Lab(Tracked, db.Model):
    """A testing or calibration laboratory under oversight."""

    __tablename__ = "labs"

    __history_exclude__ = ("code_key",)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    # The code as compared for uniqueness (NFKC, case-folded in every script): 'ÉX-1' and 'éx-1'
    # are one code on SQLite and PostgreSQL alike. Written from `code`, never by hand.
    code_key: Mapped[str] = mapped_column(String, unique=True, default=key_default("code"))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(80), index=True)
    kind: Mapped[LabKind] = mapped_column(String(40))
    status: Mapped[LabStatus] = mapped_column(String(20), default=LabStatus.ACTIVE, index=True)
    is_model_lab: Mapped[bool] = mapped_column(default=False)
    address: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    contacts: Mapped[list["LabContact"]] = relationship(
        back_populates="lab", cascade="all, delete-orphan", order_by="LabContact.id"
    )
    qualifications: Mapped[list["Qualification"]] = relationship(
        back_populates="lab", cascade="all, delete-orphan", order_by="Qualification.expires_on"
    )

    @validates("code")
    def _keep_code_key(self, _key: str, value: str) -> str:
        self.code_key = code_key(value) if value is not None else None
        return value

    @property
    def kind_label(self) -> str:
        """The kind in the user's language."""
        return str(LAB_KIND_LABELS.get(self.kind, self.kind))

    @property
    def status_label(self) -> str:
        """The status in the user's language."""
        return str(LAB_STATUS_LABELS.get(self.status, self.status))

    def __repr__(self) -> str:
        return f"<Lab {self.code}>"


class LabContact(Tracked, db.Model):
    """A person to reach at a lab."""

    __tablename__ = "lab_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))

    lab: Mapped[Lab] = relationship(back_populates="contacts")


class Qualification(Tracked, db.Model):
    """A CMA or CNAS certificate held by a lab."""

    __tablename__ = "qualifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id"), index=True)
    scheme: Mapped[Scheme] = mapped_column(String(10))
    certificate_no: Mapped[str] = mapped_column(String(64), unique=True)
    issued_on: Mapped[date]
    expires_on: Mapped[date] = mapped_column(index=True)
    status: Mapped[QualificationStatus] = mapped_column(String(20), default=QualificationStatus.VALID)

    lab: Mapped[Lab] = relationship(back_populates="qualifications")

    @property
    def is_expired(self) -> bool:
        """The certificate's validity has ended."""
        return self.expires_on < today()

    def expires_soon(self, days: int = 90) -> bool:
        """Valid now but ending within the warning window."""
        return not self.is_expired and self.expires_on <= today() + timedelta(days=days)

    @property
    def scheme_label(self) -> str:
        """The scheme in the user's language."""
        return str(SCHEME_LABELS.get(self.scheme, self.scheme))

    @property
    def status_label(self) -> str:
        """The certificate's status in the user's language."""
        return str(QUALIFICATION_STATUS_LABELS.get(self.status, self.status))
