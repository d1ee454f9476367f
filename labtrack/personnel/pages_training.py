"""Pages of training sessions: the list, a session with its attendees, recording and changing a
session, adding, removing and importing attendees."""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from labtrack import parsing
from labtrack.auth.permissions import Perm, require
from labtrack.personnel import importers, people, policy, training
from labtrack.personnel.blueprint import bp
from labtrack.personnel.forms import AttendeesForm, ConfirmForm, ImportForm, SessionForm
from labtrack.personnel.models import ORGANISER_LABELS, Organiser
from labtrack.personnel.paging import paginate_rows
from labtrack.services import Forbidden
from labtrack.web import form_status, submit_form, uploads


def _year_arg() -> int | None:
    try:
        return parsing.year(request.args.get("year"), required=False)
    except parsing.ParseError:
        return None


@bp.get("/sessions")
@require(Perm.PERSONNEL_VIEW)
def sessions():
    """Training sessions the user sees, newest first, with their attendances."""
    organiser = request.args.get("organiser") if request.args.get("organiser") in ORGANISER_LABELS else None
    filters = {
        "q": (request.args.get("q") or "").strip() or None,
        "year": _year_arg(),
        "organiser": organiser,
    }
    page = paginate_rows(training.sessions_query(current_user, **filters), per_page=50)
    return render_template(
        "personnel/sessions.html",
        page=page,
        filters=filters,
        may_record=policy.may_record_session(
            current_user, Organiser.LAB.value, policy.confined_lab(current_user)
        ),
    )


def _session_data(form: SessionForm) -> dict:
    return dict(form.data)


@bp.route("/sessions/new", methods=["GET", "POST"])
@require(Perm.PERSONNEL_EDIT)
def session_new():
    """Record a training session (a lab manager: one their lab ran itself)."""
    own = policy.confined_lab(current_user)
    defaults = {}
    if own not in (None, -1) and request.method == "GET":
        defaults = {"organiser": Organiser.LAB.value, "organiser_lab": people.get_lab_by_id(own).code}
    form = SessionForm(data=defaults or None)
    done = submit_form(
        form,
        lambda: training.create_session(current_user, _session_data(form)),
        success=_("Training session recorded; now add its attendees."),
        to=lambda s: url_for("personnel.session", session_id=s.id),
    )
    return done or (render_template("personnel/session_form.html", form=form, s=None), form_status(form))


@bp.get("/sessions/<int:session_id>")
@require(Perm.PERSONNEL_VIEW)
def session(session_id: int):
    """A session: its details, attendances and the attendees the user may see."""
    s = training.get_session(current_user, session_id)
    own = policy.confined_lab(current_user)
    form = AttendeesForm(data={"lab": people.get_lab_by_id(own).code} if own not in (None, -1) else None)
    return _session_page(s, form)


def _session_page(s, form: AttendeesForm, status: int = 200):
    page = paginate_rows(training.attendees_query(current_user, s), per_page=100)
    return render_template(
        "personnel/session.html",
        s=s,
        counts=training.attendance_counts(s),
        page=page,
        form=form,
        upload=ImportForm(),
        confirm=ConfirmForm(),
        may_edit=policy.may_edit_session(current_user, s),
        may_attend=policy.may_record_any_attendance(current_user, s),
        header=importers.ATTENDANCE_HEADER,
    ), status


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@require(Perm.PERSONNEL_EDIT)
def session_edit(session_id: int):
    """Change a session's details (its attendees must still fit)."""
    s = training.get_session(current_user, session_id)
    if not policy.may_edit_session(current_user, s):
        raise Forbidden(_("You may not change this training session."))
    form = SessionForm(obj=s, data={"organiser_lab": s.organiser_lab.code if s.organiser_lab else ""})
    if request.method == "GET":
        form.starts_on.data, form.ends_on.data = s.starts_on.isoformat(), s.ends_on.isoformat()
        form.hours.data, form.external_attendees.data = f"{s.hours:g}", str(s.external_attendees)
    done = submit_form(
        form,
        lambda: training.update_session(current_user, s, _session_data(form)),
        success=_("Training session saved."),
        to=url_for("personnel.session", session_id=s.id),
    )
    return done or (render_template("personnel/session_form.html", form=form, s=s), form_status(form))


@bp.post("/sessions/<int:session_id>/delete")
@require(Perm.PERSONNEL_EDIT)
def session_delete(session_id: int):
    """Remove a session recorded by mistake, with its attendances."""
    s = training.get_session(current_user, session_id)
    done = submit_form(
        ConfirmForm(),
        lambda: training.delete_session(current_user, s),
        success=_("Training session removed."),
        to=url_for("personnel.sessions"),
    )
    if done is not None:
        return done
    return render_template("errors/400.html"), 400


@bp.post("/sessions/<int:session_id>/attendees")
@require(Perm.PERSONNEL_EDIT)
def attendees(session_id: int):
    """Record that people of one lab attended (by staff number)."""
    s = training.get_session(current_user, session_id)
    form = AttendeesForm()
    done = submit_form(
        form,
        lambda: training.add_attendees(current_user, s, form.data),
        success=lambda n: _("%(n)d attendee(s) added.", n=n),
        to=url_for("personnel.session", session_id=s.id),
    )
    return done or _session_page(s, form, 422)


@bp.post("/sessions/<int:session_id>/attendees/<int:person_id>/remove")
@require(Perm.PERSONNEL_EDIT)
def attendee_remove(session_id: int, person_id: int):
    """Remove one attendance recorded by mistake."""
    s = training.get_session(current_user, session_id)
    p = people.get_person(current_user, person_id)
    done = submit_form(
        ConfirmForm(),
        lambda: training.remove_attendance(current_user, s, p),
        success=_("Attendance of %(name)s removed.", name=p.name),
        to=url_for("personnel.session", session_id=s.id),
    )
    if done is not None:
        return done
    return render_template("errors/400.html"), 400


@bp.post("/sessions/<int:session_id>/import")
@require(Perm.PERSONNEL_EDIT)
def attendance_import(session_id: int):
    """Record the session's attendance list from a CSV or XLSX file (all or nothing)."""
    s = training.get_session(current_user, session_id)
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        files = uploads("file")
        if not files:
            form.file.errors = [_("Choose a file.")]
        else:
            report = importers.import_attendance(current_user, s, files[0][1], dry_run=form.dry_run.data)
    status = 422 if (report is not None and not report.ok) or form.file.errors else 200
    return (
        render_template(
            "personnel/import.html",
            form=form,
            report=report,
            header=importers.ATTENDANCE_HEADER,
            what="attendance",
            s=s,
            action=url_for("personnel.attendance_import", session_id=s.id),
            back=url_for("personnel.session", session_id=s.id),
        ),
        status,
    )
