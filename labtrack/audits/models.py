"""Models of the audits area."""
