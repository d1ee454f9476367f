"""Scope of accreditation and capability growth."""
