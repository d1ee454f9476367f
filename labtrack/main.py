"""The home dashboard."""

from flask import Blueprint, render_template
from flask_login import current_user

from labtrack.auth.permissions import Perm, require
from labtrack.reports.dashboard import dashboard_figures

bp = Blueprint("main", __name__)


@bp.get("/")
@require(Perm.LOGIN)
def index():
    """The home page: figures for the signed-in user's role."""
    return render_template("main/index.html", figures=dashboard_figures(current_user))
