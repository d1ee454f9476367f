"""Figures for the home dashboard, computed in SQL."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from labtrack.auth.permissions import lab_scope_id
from labtrack.extensions import db
from labtrack.labs.models import Lab, Qualification
from labtrack.models_base import today


def dashboard_figures() -> dict:
    """Labs by status and certificates expiring soon, for what the user may see."""
    scope = lab_scope_id()
    by_status = select(Lab.status, func.count()).group_by(Lab.status).order_by(Lab.status)
    if scope is not None:
        by_status = by_status.where(Lab.id == scope)
    horizon = today() + timedelta(days=current_app.config["CERT_EXPIRY_WARNING_DAYS"])
    expiring = (
        select(Qualification)
        .join(Lab)
        .where(Qualification.expires_on <= horizon)
        .order_by(Qualification.expires_on)
    )
    if scope is not None:
        expiring = expiring.where(Lab.id == scope)
    return {
        "labs_by_status": db.session.execute(by_status).all(),
        "expiring": db.session.scalars(expiring.limit(50)).all(),
    }
