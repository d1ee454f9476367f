"""Regions as reference data (administrators): the list of regions with both names and how many
laboratories each holds, and a form to correct a region's English and Chinese names.

A region's English name is the key laboratories are filed under (`Lab.region`), so renaming it
renames it on its laboratories in the same unit of work; every change is written to history.
`register(bp)` adds the two pages (`main.regions`, `main.region_edit`) to the main blueprint.
"""

from typing import Any

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField, SubmitField

from labtrack import parsing
from labtrack.auth.permissions import Perm, require
from labtrack.extensions import db
from labtrack.forms import Parse
from labtrack.history.service import history_for
from labtrack.labs import policy
from labtrack.labs.models import Lab
from labtrack.labs.regions import Region
from labtrack.services import Forbidden, load, transaction
from labtrack.web import form_status, submit_form

REGION_NAME_MAX = 80  # regions.name and regions.name_zh


class RegionForm(FlaskForm):
    """A region's two names."""

    name = StringField(_l("English name"), validators=[Parse(parsing.name, max_len=REGION_NAME_MAX)])
    name_zh = StringField(_l("Chinese name"), validators=[Parse(parsing.name, max_len=REGION_NAME_MAX)])
    submit = SubmitField(_l("Save"))


# --- service -------------------------------------------------------------------------------------


def _require_editor(actor: Any) -> None:
    if not policy.may_edit_regions(actor):
        raise Forbidden(_("You may not change the regions."))


def regions_with_labs(actor: Any) -> list[tuple[Region, int]]:
    """Every region with the number of laboratories filed under it, by English name."""
    _require_editor(actor)
    counts = select(Lab.region, func.count().label("n")).group_by(Lab.region).subquery()
    stmt = (
        select(Region, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.region == Region.name)
        .order_by(Region.name)
    )
    return [(region, n) for region, n in db.session.execute(stmt).all()]


def load_region(region_id: int, actor: Any) -> Region:
    """The region to edit (404 when there is none)."""
    _require_editor(actor)
    return load(Region, region_id, what=_("region"))


def update_region(region: Region, data: dict[str, Any], actor: Any) -> Region:
    """Set a region's English and Chinese names; an English rename follows onto its laboratories."""
    _require_editor(actor)
    fields = parsing.Fields(data)
    name = fields.get("name", parsing.name, max_len=REGION_NAME_MAX)
    name_zh = fields.get("name_zh", parsing.name, max_len=REGION_NAME_MAX)
    if name and name != region.name:
        taken = db.session.scalar(
            select(Region.id).where(func.lower(Region.name) == name.lower(), Region.id != region.id)
        )
        if taken is not None:
            fields.add("name", _("Another region already has this name."))
    fields.raise_if_any(_("The region was not saved."))
    with transaction(actor):
        if name != region.name:
            labs = db.session.scalars(select(Lab).where(Lab.region == region.name)).all()
            for lab in labs:  # through the ORM, so each laboratory's history records the move
                lab.region = name
            region.name = name
        region.name_zh = name_zh
    return region


# --- pages ---------------------------------------------------------------------------------------


def regions():
    """The regions with both names and their laboratories."""
    return render_template("labs/regions.html", rows=regions_with_labs(current_user))


def region_edit(region_id: int):
    """Correct a region's English and Chinese names."""
    region = load_region(region_id, current_user)
    form = RegionForm(obj=region)
    done = submit_form(
        form,
        lambda: update_region(region, {"name": form.name.data, "name_zh": form.name_zh.data}, current_user),
        success=lambda r: _("Region %(name)s saved.", name=r.name),
        to=lambda r: url_for("main.regions") + f"#region-{r.id}",
    )
    page = render_template("labs/region_form.html", form=form, region=region, history=history_for(region))
    return done or (page, form_status(form))


def register(bp) -> None:
    """Add the regions pages to the main blueprint (`/admin/regions`, `/admin/regions/<id>/edit`)."""
    bp.add_url_rule("/admin/regions", "regions", require(Perm.LABS_EDIT)(regions), methods=["GET"])
    bp.add_url_rule(
        "/admin/regions/<int:region_id>/edit",
        "region_edit",
        require(Perm.LABS_EDIT)(region_edit),
        methods=["GET", "POST"],
    )
