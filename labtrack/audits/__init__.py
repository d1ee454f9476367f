"""Audits, findings and rectification."""
