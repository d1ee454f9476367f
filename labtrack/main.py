"""The home dashboard.

The page is the sum of a block of laboratory figures and one card per area
(`templates/<area>/_dashboard.html`), each a few queries. Each block is rendered once per *audience*
(the reader's role and confined lab, the language and the day) and reused until the data changes
(`labtrack.cache`: every committed write starts a new data version), so a card never shows a figure
older than the last write.
"""

from collections.abc import Hashable

from flask import Blueprint, render_template
from flask_babel import get_locale
from flask_login import current_user

from labtrack.auth import policy as auth_policy
from labtrack.auth.permissions import Perm, require
from labtrack.i18n_names import finding_other_text, finding_text
from labtrack.labs import regions_admin
from labtrack.models_base import today
from labtrack.reports.dashboard import dashboard_figures

bp = Blueprint("main", __name__)
regions_admin.register(bp)  # /admin/regions: regions as reference data in both languages
# A round's finding is written in both languages: pages show the reader's line (the other on request).
bp.add_app_template_global(finding_text, "finding_text")
bp.add_app_template_global(finding_other_text, "finding_other_text")

# Cards whose figures depend on who the reader is, not only on their role and lab: the audits card
# counts the findings awaiting verification "in audits I lead".
PERSONAL_CARDS = frozenset({"audits"})


@bp.app_template_global()
def dashboard_key(block: str) -> tuple[Hashable, ...]:
    """What a dashboard block depends on besides the data: the audience (role and confined lab),
    the reader's language and the day (overdue counts move at midnight); the user too for
    PERSONAL_CARDS. `block` is an area's name for its card, "_figures" for the laboratory figures
    (no area's name starts with "_": the two must never share a key)."""
    key: tuple[Hashable, ...] = (
        block,
        str(auth_policy.role_of(current_user)),
        auth_policy.confined_lab(current_user),
        str(get_locale()),
        today(),
    )
    return (*key, current_user.id) if block in PERSONAL_CARDS else key


@bp.app_template_global()
def lab_panel_key(area: str, lab_id: int) -> tuple[Hashable, ...]:
    """What an area's panel on a lab's page depends on besides the data: the lab and the audience
    (role, confined lab), the language and the day. No panel holds a form or anything per user."""
    return (
        area,
        lab_id,
        str(auth_policy.role_of(current_user)),
        auth_policy.confined_lab(current_user),
        str(get_locale()),
        today(),
    )


@bp.app_template_global()
def home_figures() -> dict:
    """The laboratory figures of the dashboard's first row (computed only when not cached)."""
    return dashboard_figures(current_user)


@bp.get("/")
@require(Perm.LOGIN)
def index():
    """The home page: figures for the signed-in user's role."""
    return render_template("main/index.html")
