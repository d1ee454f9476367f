"""Models of the scope area."""
