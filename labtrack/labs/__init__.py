"""Laboratories and their qualifications."""
