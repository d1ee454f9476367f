"""Models of the proficiency area."""
