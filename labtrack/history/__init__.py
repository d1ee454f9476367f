"""The append-only change log of every domain record."""
