"""Regions (prefectures): reference data in both languages, keyed by the name labs are filed under."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from labtrack.extensions import db
from labtrack.history.tracking import Tracked


class Region(Tracked, db.Model):
    """A prefecture: `name` is what `Lab.region` holds (English), `name_zh` its Chinese name."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    name_zh: Mapped[str | None] = mapped_column(String(80))

    @property
    def name_en(self) -> str:
        """The English name (the key itself)."""
        return self.name

    def __repr__(self) -> str:
        return f"<Region {self.name}>"
