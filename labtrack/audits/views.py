"""Pages of the audits area."""

from flask import Blueprint, render_template

from labtrack.auth.permissions import Perm, require

bp = Blueprint("audits", __name__, url_prefix="/audits")


@bp.get("/")
@require(Perm.LOGIN)
def index():
    """The area's start page."""
    return render_template("audits/index.html")
