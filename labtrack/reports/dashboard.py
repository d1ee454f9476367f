"""Figures for the home dashboard, computed in SQL, narrowed to what the user may see."""

from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from labtrack.extensions import db
from labtrack.labs.models import Lab, LabStatus, Qualification, QualificationStatus
from labtrack.models_base import today
from labtrack.reports import policy


def dashboard_figures(actor: Any) -> dict:
    """Labs by status, kinds and model labs, and certificates expired or expiring within the window.

    A lab manager gets their own lab (`own_lab`) and its certificates only.
    """
    scope = policy.figures_lab(actor)
    window = current_app.config["CERT_EXPIRY_WARNING_DAYS"]
    horizon = today() + timedelta(days=window)
    by_status = select(Lab.status, func.count()).group_by(Lab.status).order_by(Lab.status)
    # Certificates still in force whose date has passed or comes within the window, of labs in operation.
    expiring = (
        select(Qualification)
        .join(Lab)
        .options(joinedload(Qualification.lab))
        .where(
            Qualification.expires_on <= horizon,
            Qualification.status == QualificationStatus.VALID,
            Lab.status.in_((LabStatus.ACTIVE, LabStatus.SUSPENDED)),
        )
        .order_by(Qualification.expires_on, Lab.code)
    )
    figures: dict = {"window": window, "own_lab": None}
    if scope is not None:
        by_status = by_status.where(Lab.id == scope)
        expiring = expiring.where(Lab.id == scope)
        figures["own_lab"] = db.session.get(Lab, scope)
        figures["own_certificates"] = list(
            db.session.scalars(
                select(Qualification).where(Qualification.lab_id == scope).order_by(Qualification.expires_on)
            )
        )
    else:
        figures["model_labs"] = db.session.scalar(select(func.count()).where(Lab.is_model_lab.is_(True))) or 0
        figures["regions"] = db.session.scalar(select(func.count(func.distinct(Lab.region)))) or 0
    figures["labs_by_status"] = db.session.execute(by_status).all()
    figures["labs_total"] = sum(count for _status, count in figures["labs_by_status"])
    figures["expiring"] = db.session.scalars(expiring.limit(50)).all()
    return figures
