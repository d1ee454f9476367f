"""The personnel area's blueprint (its pages are in the `pages_*` modules, loaded by views.py)."""

from flask import Blueprint

bp = Blueprint("personnel", __name__, url_prefix="/personnel")
