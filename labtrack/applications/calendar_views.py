"""The working calendar's page: the years set up, a year's public holidays and make-up working days
with its count of working days; administrators add and remove years and days."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from labtrack.applications import calendar, policy
from labtrack.applications.blueprint import bp
from labtrack.applications.forms import DaysForm, YearForm
from labtrack.auth.permissions import Perm, require
from labtrack.models_base import today
from labtrack.parsing import digits
from labtrack.web import form_status, submit_form


def _year_arg(years: list[int]) -> int | None:
    value = digits(request.args.get("year", ""))
    if value in years:
        return value
    this = today().year
    return this if this in years else (years[0] if years else None)


def _render(year_form=None, days_form=None, year: int | None = None, status: int = 200):
    years = [y.year for y in calendar.years()]
    shown = year if year in years else _year_arg(years)
    editable = policy.may_edit_calendar(current_user)
    return (
        render_template(
            "applications/calendar.html",
            years=calendar.years(),
            year=shown,
            days=calendar.days_of(shown) if shown else [],
            summary=calendar.year_summary(shown) if shown else None,
            editable=editable,
            year_form=(year_form or YearForm(formdata=None)) if editable else None,
            days_form=(days_form or DaysForm(formdata=None)) if editable else None,
        ),
        status,
    )


@bp.get("/calendar")
@require(Perm.APPLICATIONS_VIEW)
def working_calendar():
    """The working calendar: years, public holidays, make-up working days (?year=)."""
    return _render()


@bp.post("/calendar/years")
@require(Perm.CATALOGUE_EDIT)
def add_year():
    """Set a year up (administrators)."""
    form = YearForm()
    done = submit_form(
        form,
        lambda: calendar.add_year({"year": form.year.data, "note": form.note.data}, current_user),
        success=lambda y: _(
            "%(year)s added: now enter its public holidays and make-up working days.", year=y.year
        ),
        to=lambda y: url_for("applications.working_calendar", year=y.year),
    )
    return done or _render(year_form=form, status=form_status(form))


@bp.post("/calendar/years/<int:year>/remove")
@require(Perm.CATALOGUE_EDIT)
def remove_year(year):
    """Take a year out of the calendar (administrators)."""
    calendar.remove_year(year, current_user)
    flash(_("%(year)s removed from the working calendar.", year=year), "success")
    return redirect(url_for("applications.working_calendar"), code=303)


@bp.post("/calendar/days")
@require(Perm.CATALOGUE_EDIT)
def add_days():
    """Add a public holiday (a span of days) or a make-up working day (administrators)."""
    form = DaysForm()
    done = submit_form(
        form,
        lambda: calendar.add_days(
            {
                "kind": form.kind.data,
                "first": form.first.data,
                "last": form.last.data,
                "name": form.name.data,
                "name_en": form.name_en.data,
            },
            current_user,
        ),
        success=lambda days: _("%(n)d days added; the clocks running were recounted.", n=len(days)),
        to=lambda days: url_for("applications.working_calendar", year=days[0].day.year),
    )
    year = form.first.data.year if form.first.data else None
    return done or _render(days_form=form, year=year, status=form_status(form))


@bp.post("/calendar/days/<int:day_id>/remove")
@require(Perm.CATALOGUE_EDIT)
def remove_day(day_id):
    """Remove a day entered by mistake (administrators)."""
    year = request.form.get("year", "")
    calendar.remove_day(day_id, current_user)
    flash(_("Day removed; the clocks running were recounted."), "success")
    return redirect(url_for("applications.working_calendar", year=year if year.isdigit() else None), code=303)
