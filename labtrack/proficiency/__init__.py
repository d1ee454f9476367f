"""Comparison rounds and proficiency testing."""
