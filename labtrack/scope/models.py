"""The catalogue (test categories and items) and each lab's scope: periods of holding an item."""

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from labtrack.extensions import db
from labtrack.history.tracking import Tracked
from labtrack.labs.models import key_default
from labtrack.models_base import utcnow
from labtrack.parsing import code_key


class Basis(StrEnum):
    """Why a lab was granted an item."""

    INITIAL = "initial"
    EXTENSION = "extension"
    REASSESSMENT = "reassessment"


BASIS_LABELS = {
    Basis.INITIAL: _l("Initial grant"),
    Basis.EXTENSION: _l("Extension"),
    Basis.REASSESSMENT: _l("Re-assessment"),
}


class WithdrawalReason(StrEnum):
    """Why a lab stopped holding an item."""

    REDUCTION = "reduction"
    SUSPENSION = "suspension"
    REVOCATION = "revocation"


WITHDRAWAL_LABELS = {
    WithdrawalReason.REDUCTION: _l("Reduction"),
    WithdrawalReason.SUSPENSION: _l("Suspension"),
    WithdrawalReason.REVOCATION: _l("Revocation"),
}


class TestCategory(Tracked, db.Model):
    """A broad field of testing (检测大类), such as food or textiles."""

    __tablename__ = "test_categories"
    __test__ = False  # not a pytest class
    __history_exclude__ = ("code_key",)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    # The code as compared for uniqueness (NFKC, case-folded): written from `code`, never by hand.
    code_key: Mapped[str] = mapped_column(String, unique=True, default=key_default("code"))
    name: Mapped[str] = mapped_column(String(200))  # as in the certificate (usually Chinese)
    name_en: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list["TestItem"]] = relationship(back_populates="category", order_by="TestItem.code")

    @validates("code")
    def _keep_code_key(self, _key: str, value: str) -> str:
        self.code_key = code_key(value) if value is not None else None
        return value

    def __repr__(self) -> str:
        return f"<TestCategory {self.code}>"


class TestItem(Tracked, db.Model):
    """A test item (检测项目) with its standard method(s) and number of parameters."""

    __tablename__ = "test_items"
    __test__ = False
    __history_exclude__ = ("code_key",)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    code_key: Mapped[str] = mapped_column(String, unique=True, default=key_default("code"))
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    category_id: Mapped[int] = mapped_column(ForeignKey("test_categories.id"), index=True)
    method: Mapped[str | None] = mapped_column(String(500))  # standard methods, "; " separated
    parameters: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    category: Mapped[TestCategory] = relationship(back_populates="items")

    __table_args__ = (
        CheckConstraint("parameters IS NULL OR parameters >= 0", name="parameters_non_negative"),
    )

    @validates("code")
    def _keep_code_key(self, _key: str, value: str) -> str:
        self.code_key = code_key(value) if value is not None else None
        return value

    def __repr__(self) -> str:
        return f"<TestItem {self.code}>"


class ScopeImport(Tracked, db.Model):
    """One applied scope import: the file (its SHA-256, the key it is stored under), who, when and
    what it did. Its history row is the import's history; each period it granted names it and its
    row (`ScopeEntry.import_id`, `import_row`) instead of a history row per period."""

    __tablename__ = "scope_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str | None] = mapped_column(String(200))
    rows: Mapped[int]
    new_periods: Mapped[int] = mapped_column(default=0)
    withdrawals: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    new_categories: Mapped[int] = mapped_column(default=0)
    new_items: Mapped[int] = mapped_column(default=0)
    comment: Mapped[str | None] = mapped_column(String(2000))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<ScopeImport {self.id} {self.sha256[:12]} rows={self.rows}>"


class ScopeEntry(Tracked, db.Model):
    """A lab holds an item from granted_on up to, not including, withdrawn_on (NULL: still held)."""

    __tablename__ = "scope_entries"
    __table_args__ = (
        CheckConstraint("withdrawn_on IS NULL OR withdrawn_on > granted_on", name="withdrawn_after_granted"),
        # As-of queries per lab read only this index (covering: lab, dates, item).
        Index("ix_scope_entries_lab_asof", "lab_id", "granted_on", "withdrawn_on", "item_id"),
        # Growth groups by item over this one (covering: no table lookups); overlap checks and
        # "which labs hold this item" read it too.
        Index("ix_scope_entries_item_lab", "item_id", "lab_id", "granted_on", "withdrawn_on"),
        # Growth for everyone scans by date and reads the item from the index.
        Index("ix_scope_entries_asof", "granted_on", "withdrawn_on", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("test_items.id"))
    granted_on: Mapped[date]
    withdrawn_on: Mapped[date | None]
    basis: Mapped[Basis] = mapped_column(String(20), default=Basis.INITIAL)
    withdrawal_reason: Mapped[WithdrawalReason | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The import that granted this period and the file's row it came from (None: granted by hand).
    import_id: Mapped[int | None] = mapped_column(ForeignKey("scope_imports.id"))
    import_row: Mapped[int | None]

    lab: Mapped["Lab"] = relationship()  # noqa: F821
    item: Mapped[TestItem] = relationship()
    source: Mapped[ScopeImport | None] = relationship()

    @property
    def basis_label(self) -> str:
        """The basis in the user's language."""
        return str(BASIS_LABELS.get(self.basis, self.basis))

    @property
    def reason_label(self) -> str:
        """The withdrawal reason in the user's language."""
        return str(WITHDRAWAL_LABELS.get(self.withdrawal_reason, self.withdrawal_reason or ""))

    def __repr__(self) -> str:
        return f"<ScopeEntry lab={self.lab_id} item={self.item_id} {self.granted_on}..{self.withdrawn_on}>"
