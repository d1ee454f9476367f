"""Tests of the cross-area reports."""
