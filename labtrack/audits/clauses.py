"""The clauses of ISO/IEC 17025:2017 a finding can cite, with their titles in both languages."""

from flask_babel import lazy_gettext as _l

CLAUSES: dict[str, object] = {
    "4.1": _l("Impartiality"),
    "4.2": _l("Confidentiality"),
    "5": _l("Structural requirements"),
    "6.1": _l("Resource requirements: general"),
    "6.2": _l("Personnel"),
    "6.3": _l("Facilities and environmental conditions"),
    "6.4": _l("Equipment"),
    "6.5": _l("Metrological traceability"),
    "6.6": _l("Externally provided products and services"),
    "7.1": _l("Review of requests, tenders and contracts"),
    "7.2.1": _l("Selection and verification of methods"),
    "7.2.2": _l("Validation of methods"),
    "7.3": _l("Sampling"),
    "7.4": _l("Handling of test or calibration items"),
    "7.5": _l("Technical records"),
    "7.6": _l("Evaluation of measurement uncertainty"),
    "7.7.1": _l("Ensuring the validity of results: internal monitoring"),
    "7.7.2": _l("Ensuring the validity of results: proficiency testing and interlaboratory comparisons"),
    "7.7.3": _l("Ensuring the validity of results: analysis of monitoring data"),
    "7.8.1": _l("Reporting of results: general"),
    "7.8.2": _l("Common requirements for reports"),
    "7.8.3": _l("Specific requirements for test reports"),
    "7.8.4": _l("Specific requirements for calibration certificates"),
    "7.8.5": _l("Reporting sampling"),
    "7.8.6": _l("Reporting statements of conformity"),
    "7.8.7": _l("Reporting opinions and interpretations"),
    "7.8.8": _l("Amendments to reports"),
    "7.9": _l("Complaints"),
    "7.10": _l("Nonconforming work"),
    "7.11": _l("Control of data and information management"),
    "8.1": _l("Management system requirements: options"),
    "8.2": _l("Management system documentation"),
    "8.3": _l("Control of management system documents"),
    "8.4": _l("Control of records"),
    "8.5": _l("Actions to address risks and opportunities"),
    "8.6": _l("Improvement"),
    "8.7": _l("Corrective actions"),
    "8.8": _l("Internal audits"),
    "8.9": _l("Management reviews"),
}


def clause_label(number: str | None) -> str:
    """'7.7.2 Ensuring the validity…' in the user's language (the number alone if unknown)."""
    if not number:
        return ""
    title = CLAUSES.get(number)
    return f"{number} {title}" if title is not None else number


def clause_choices() -> list[tuple[str, str]]:
    """(number, 'number title') pairs for a select field."""
    return [(number, clause_label(number)) for number in CLAUSES]


# The clauses a finding of each area may cite (the finding form offers only these once an area is
# chosen, and the service refuses another): an area names where in the laboratory's work the
# problem lies, the clause what requirement it breaks.
AREA_CLAUSES: dict[str, tuple[str, ...]] = {
    "qms_documentation": ("5", "8.1", "8.2", "8.3", "8.4"),
    "qms_operation": (
        "4.2",
        "5",
        "6.6",
        "7.1",
        "7.9",
        "7.10",
        "7.11",
        "8.1",
        "8.3",
        "8.5",
        "8.6",
        "8.7",
        "8.8",
        "8.9",
    ),
    "personnel_training": ("6.1", "6.2"),
    "quality_control": ("7.2.1", "7.2.2", "7.6", "7.7.1", "7.7.2", "7.7.3", "7.10"),
    "equipment_traceability": ("6.1", "6.4", "6.5", "6.6"),
    "records": ("7.5", "7.11", "8.4"),
    "reports_certificates": ("7.8.1", "7.8.2", "7.8.3", "7.8.4", "7.8.5", "7.8.6", "7.8.7", "7.8.8"),
    "facilities_environment": ("6.1", "6.3"),
    "sampling_handling": ("7.3", "7.4", "7.8.5"),
    "impartiality_conduct": ("4.1", "4.2", "5", "7.1", "7.9"),
}


def clause_fits(area: str | None, clause: str | None) -> bool:
    """Whether a finding of this area may cite this clause (unknown areas are the parser's to refuse)."""
    allowed = AREA_CLAUSES.get(area or "")
    return allowed is None or clause in allowed
