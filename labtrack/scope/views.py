"""Pages of the scope area."""

from flask import Blueprint, render_template

from labtrack.auth.permissions import Perm, require

bp = Blueprint("scope", __name__, url_prefix="/scope")


@bp.get("/")
@require(Perm.LOGIN)
def index():
    """The area's start page."""
    return render_template("scope/index.html")
