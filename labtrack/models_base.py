"""Small helpers shared by the models of every area."""

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """The current time in UTC, as a naive datetime (what the database columns store)."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    """Today's date in UTC (freezegun-friendly)."""
    return utcnow().date()
