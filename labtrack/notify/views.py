"""The notification list (mark one or all read, open the record) and the preferences page."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from labtrack.auth.permissions import Perm, require
from labtrack.extensions import db
from labtrack.jobs import models as _job_models  # noqa: F401  (the jobs tables, for notifications' links)
from labtrack.notify import mail, service
from labtrack.notify.forms import PreferencesForm
from labtrack.web import form_status, page_arg, submit_form

bp = Blueprint("notify", __name__, url_prefix="/notify")


@bp.app_template_global()
def unread_count() -> int:
    """The signed-in user's unread notifications (the navigation bar's badge)."""
    if not current_user or not current_user.is_authenticated:
        return 0
    return service.unread_count(current_user)


@bp.get("/")
@require(Perm.JOBS_VIEW)
def index():
    """The user's notifications, newest first (`?unread=1`: only the unread)."""
    unread = request.args.get("unread") == "1"
    page = db.paginate(
        service.notifications_query(current_user, unread=unread),
        page=page_arg(),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    items = [service.shown(n) for n in page.items]
    return render_template(
        "notify/index.html",
        page=page,
        items=items,
        unread=unread,
        unread_total=service.unread_count(current_user),
    )


@bp.get("/<int:notification_id>/open")
@require(Perm.JOBS_VIEW)
def open_record(notification_id: int):
    """Mark a notification read and go to its record (or back to the list if it has no page)."""
    note = service.mark_read(current_user, notification_id)
    return redirect(service.shown(note).url or url_for("notify.index"), code=303)


@bp.post("/<int:notification_id>/read")
@require(Perm.JOBS_VIEW)
def read(notification_id: int):
    """Mark one notification read."""
    service.mark_read(current_user, notification_id)
    return redirect(_back(), code=303)


@bp.post("/read-all")
@require(Perm.JOBS_VIEW)
def read_all():
    """Mark every notification read."""
    service.mark_all_read(current_user)
    return redirect(_back(), code=303)


def _back() -> str:
    target = request.form.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else url_for("notify.index")


@bp.route("/preferences", methods=["GET", "POST"])
@require(Perm.JOBS_VIEW)
def preferences():
    """E-mail on or off, immediately or as one daily digest."""
    pref = service.preference_of(current_user)
    form = PreferencesForm(obj=pref if request.method == "GET" else None)
    if request.method == "GET":
        form.delivery.data = str(pref.delivery)
    done = submit_form(
        form,
        lambda: service.save_preference(current_user, form.delivery.data, form.email_enabled.data),
        success=_("Your notification preferences are saved."),
        to=url_for("notify.preferences"),
    )
    if done:
        return done
    return render_template(
        "notify/preferences.html",
        form=form,
        has_email=bool(current_user.email),
        mail_on=mail.configured(current_app.config),
    ), form_status(form)
