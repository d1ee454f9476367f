"""Pages of the proficiency area."""

from flask import Blueprint, render_template

from labtrack.auth.permissions import Perm, require

bp = Blueprint("proficiency", __name__, url_prefix="/rounds")


@bp.get("/")
@require(Perm.LOGIN)
def index():
    """The area's start page."""
    return render_template("proficiency/index.html")
