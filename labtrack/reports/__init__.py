"""Dashboards and reports that read across areas."""
