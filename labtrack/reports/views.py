"""Cross-area reports."""

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from labtrack.auth.permissions import Perm, require

bp = Blueprint("reports", __name__, url_prefix="/reports")

# Each area's report page; a link shows once its endpoint exists.
REPORT_LINKS = [
    ("scope.growth", _l("Capability growth")),
    ("audits.figures", _l("Rectification figures")),
    ("proficiency.index", _l("Comparison rounds and proficiency tests")),
    ("proficiency.coverage", _l("Comparison coverage by laboratory")),
    ("reports.campaign", _l("Campaign summary")),
]


@bp.get("/")
@require(Perm.REPORTS_VIEW)
def index():
    """The list of reports."""
    return render_template("reports/index.html", report_links=REPORT_LINKS)
