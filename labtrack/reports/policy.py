"""Which figures a role reads in the reports that cross areas (the home dashboard, the campaign
summary), and whose. Pure: no Flask, no database session.

- Reports are read by every role holding `REPORTS_VIEW`; each section of the campaign summary also
  needs the permission to read its area (audits, findings, comparison rounds, growth, and the later
  areas' blocks), so a role never reads in a report what it may not read in the area itself.
- A lab manager's figures are their own lab's, whatever region they ask for; everyone else reads
  every lab's, or a region's.
- Comparison grades count in a report only once their round is published (the SQL counts
  `grade` of published rounds only), for every reader: a report never shows a grade before the
  round's results are published.
"""

from typing import Any

from labtrack.auth import policy as auth
from labtrack.auth.permissions import Perm

# The campaign summary's sections (and the later areas' block keys) and the permission each needs.
SECTION_PERMS: dict[str, Perm] = {
    "audits": Perm.AUDITS_VIEW,
    "findings": Perm.FINDINGS_VIEW,
    "comparisons": Perm.ROUNDS_VIEW,
    "growth": Perm.GROWTH_VIEW,
    "training": Perm.PERSONNEL_VIEW,
    "records": Perm.RECORDS_VIEW,
}


def reads_reports(actor: Any) -> bool:
    """Read the reports at all."""
    return auth.is_system(actor) or auth.holds(actor, Perm.REPORTS_VIEW)


def reads_section(actor: Any, key: str) -> bool:
    """Read one section of a cross-area report (unknown sections: whoever reads reports)."""
    perm = SECTION_PERMS.get(key)
    return reads_reports(actor) and (perm is None or auth.is_system(actor) or auth.holds(actor, perm))


def figures_lab(actor: Any) -> int | None:
    """The one lab whose figures the actor reads (-1: a lab manager without a lab), None: all."""
    return auth.confined_lab(actor)


def may_choose_region(actor: Any) -> bool:
    """Ask for one region's figures (a lab manager's are their own lab's)."""
    return figures_lab(actor) is None


def narrow(stmt: Any, lab_id_column: Any, actor: Any) -> Any:
    """Narrow a report's select to the actor's lab when they read only their own."""
    return auth.narrow(stmt, lab_id_column, actor)
