"""Pages of a lab's people: the list, a lab's staff, a person's record, adding, editing, leaving,
importing; authorisations and the scope they cover; the persons of a finding and the analyst of a
comparison result."""

from types import SimpleNamespace

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from labtrack.auth.permissions import Perm, require
from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.labs.service import regions
from labtrack.models_base import today
from labtrack.personnel import authorisations, exams, importers, links, people, policy, schemas, training
from labtrack.personnel.blueprint import bp
from labtrack.personnel.forms import (
    AnalystForm,
    AuthorisationForm,
    AuthStatusForm,
    ConfirmForm,
    ImportForm,
    LeaveForm,
    PersonForm,
    PersonsForm,
)
from labtrack.personnel.models import POST_LABELS
from labtrack.services import Forbidden
from labtrack.tabular import export_response
from labtrack.web import form_status, page_arg, submit_form, uploads


def _filters() -> dict:
    args = {k: (request.args.get(k) or "").strip() or None for k in ("q", "lab", "region", "post", "status")}
    if args["status"] not in people.STATUSES:
        args["status"] = "current"
    if args["post"] not in POST_LABELS:
        args["post"] = None
    return args


@bp.get("/")
@require(Perm.PERSONNEL_VIEW)
def index():
    """People of every lab the user sees, searched and filtered; CSV / XLSX with ?format=."""
    filters = _filters()
    lab = people.get_lab(current_user, filters["lab"]) if filters["lab"] else None
    stmt = people.people_query(
        current_user,
        q=filters["q"],
        lab_id=lab.id if lab else None,
        region=filters["region"],
        post=filters["post"],
        status=filters["status"],
    )
    fmt = request.args.get("format")
    if fmt:
        rows = schemas.export_rows(current_user, db.session.scalars(stmt))
        return export_response(fmt, "people", schemas.export_header(current_user), rows)
    page = db.paginate(stmt, page=page_arg(), per_page=50, error_out=False)
    rows = schemas.person_schema(current_user, many=True).dump(page.items)
    own = policy.confined_lab(current_user)
    return render_template(
        "personnel/index.html",
        page=page,
        rows=rows,
        filters=filters,
        regions=regions() if own is None else [],
        own_lab=people.get_lab_by_id(own) if own not in (None, -1) else None,
    )


@bp.get("/labs/<code>")
@require(Perm.PERSONNEL_VIEW)
def lab_people(code: str):
    """A lab's staff today: posts, training hours this year, authorisations, and the scope gaps."""
    lab = people.get_lab(current_user, code)
    staff = people.staff_of(lab.id)
    year = training.current_year()
    return render_template(
        "personnel/lab.html",
        lab=lab,
        staff=staff,
        rows={r["id"]: r for r in schemas.person_schema(current_user, many=True).dump(staff)},
        year=year,
        hours=training.hours_in_year([p.id for p in staff], year),
        authorised=authorisations.counts_by_person([p.id for p in staff]),
        coverage=authorisations.coverage_summary(lab.id),
        sessions=training.lab_sessions(lab.id, limit=10),
        may_keep=policy.may_keep_people(current_user, lab.id),
    )


@bp.get("/labs/<code>/authorisations")
@require(Perm.PERSONNEL_VIEW)
def lab_coverage(code: str):
    """Every item the lab holds on a day (today) and who may perform it and sign for it."""
    lab = people.get_lab(current_user, code)
    on = _day_arg("on") or today()
    return render_template(
        "personnel/coverage.html", lab=lab, on=on, coverage=authorisations.coverage_summary(lab.id, on)
    )


def _day_arg(name: str):
    from labtrack import parsing

    try:
        return parsing.day(request.args.get(name), required=False)
    except parsing.ParseError:
        return None


@bp.get("/people/<int:person_id>")
@require(Perm.PERSONNEL_VIEW)
def person(person_id: int):
    """A person's record: posts, what they may do, training, exams, results, findings, history."""
    p = people.get_person(current_user, person_id)
    history = people.person_history(p)
    if not policy.sees_contacts(current_user):  # their history would show the contact details
        history = [_without_contacts(h) for h in history]
    return render_template(
        "personnel/person.html",
        p=p,
        row=schemas.person_schema(current_user).dump(p),
        authorisations=authorisations.of_person(p),
        today=today(),
        sessions=training.person_sessions(p),
        by_year=training.hours_by_year(p),
        exams=exams.person_exams(p),
        results=links.person_results(current_user, p),
        findings=links.person_findings(p),
        history=history,
        may_edit=policy.may_edit_person(current_user, p),
        may_delete=policy.may_delete_person(current_user, p, people.has_records(p)),
        confirm=ConfirmForm(),
    )


def _without_contacts(entry: HistoryEntry) -> SimpleNamespace:
    hidden = set(schemas.CONTACT_FIELDS) | {"user_id"}
    changes = {k: v for k, v in (entry.changes or {}).items() if k not in hidden}
    fields = ("at", "username", "action", "table_name", "comment")
    return SimpleNamespace(**{k: getattr(entry, k) for k in fields}, changes=changes)


def _person_data(form: PersonForm) -> dict:
    return {**form.data, "posts": form.posts.data or []}


@bp.route("/labs/<code>/people/new", methods=["GET", "POST"])
@require(Perm.PERSONNEL_EDIT)
def person_new(code: str):
    """Add a person to a lab."""
    lab = people.get_lab(current_user, code)
    if not policy.may_keep_people(current_user, lab.id):
        raise Forbidden(_("You may not keep the people of this laboratory."))
    form = PersonForm()
    done = submit_form(
        form,
        lambda: people.create_person(current_user, lab, _person_data(form)),
        success=lambda p: _("%(name)s added.", name=p.name),
        to=lambda p: url_for("personnel.person", person_id=p.id),
    )
    return done or (
        render_template("personnel/person_form.html", form=form, lab=lab, p=None),
        form_status(form),
    )


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@require(Perm.PERSONNEL_EDIT)
def person_edit(person_id: int):
    """Change a person's details and posts."""
    p = people.get_person(current_user, person_id)
    if not policy.may_edit_person(current_user, p):
        raise Forbidden(_("You may not keep the people of this laboratory."))
    form = PersonForm(obj=p, data={"posts": p.post_codes, "username": p.user.username if p.user else ""})
    done = submit_form(
        form,
        lambda: people.update_person(current_user, p, _person_data(form)),
        success=_("%(name)s saved.", name=p.name),
        to=url_for("personnel.person", person_id=p.id),
    )
    return done or (
        render_template("personnel/person_form.html", form=form, lab=p.lab, p=p),
        form_status(form),
    )


@bp.route("/people/<int:person_id>/leave", methods=["GET", "POST"])
@require(Perm.PERSONNEL_EDIT)
def person_leave(person_id: int):
    """Record the last day a person worked at the lab (their authorisations end that day)."""
    p = people.get_person(current_user, person_id)
    if not policy.may_edit_person(current_user, p):
        raise Forbidden(_("You may not keep the people of this laboratory."))
    form = LeaveForm()
    done = submit_form(
        form,
        lambda: people.record_leaving(current_user, p, form.data),
        success=_("The leaving of %(name)s is recorded.", name=p.name),
        to=url_for("personnel.person", person_id=p.id),
    )
    return done or (render_template("personnel/leave.html", form=form, p=p), form_status(form))


@bp.post("/people/<int:person_id>/delete")
@require(Perm.PERSONNEL_EDIT)
def person_delete(person_id: int):
    """Remove a person entered by mistake (refused once anything refers to them)."""
    p = people.get_person(current_user, person_id)
    lab_code, name = p.lab.code, p.name
    form = ConfirmForm()
    done = submit_form(
        form,
        lambda: people.delete_person(current_user, p),
        success=_("%(name)s removed.", name=name),
        to=url_for("personnel.lab_people", code=lab_code),
    )
    if done is not None:
        return done
    return render_template("errors/400.html"), 400


@bp.route("/import", methods=["GET", "POST"])
@require(Perm.PERSONNEL_EDIT)
def import_people():
    """Add or update people from a CSV or XLSX file (all or nothing, every error by row)."""
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        files = uploads("file")
        if not files:
            form.file.errors = [_("Choose a file.")]
        else:
            report = importers.import_people(current_user, files[0][1], dry_run=form.dry_run.data)
    status = 422 if (report is not None and not report.ok) or form.file.errors else 200
    return (
        render_template(
            "personnel/import.html", form=form, report=report, header=importers.PEOPLE_HEADER, what="people"
        ),
        status,
    )


# --- authorisations --------------------------------------------------------------------------


@bp.route("/people/<int:person_id>/authorisations/new", methods=["GET", "POST"])
@require(Perm.PERSONNEL_EDIT)
def authorisation_new(person_id: int):
    """Authorise a person to perform tests of (or sign reports for) an item or category."""
    p = people.get_person(current_user, person_id)
    if not policy.may_authorise(current_user, p):
        raise Forbidden(_("You may not keep the people of this laboratory."))
    form = AuthorisationForm(data={"valid_from": today().isoformat()} if request.method == "GET" else None)
    done = submit_form(
        form,
        lambda: authorisations.grant(current_user, p, form.data),
        success=_("Authorisation recorded."),
        to=url_for("personnel.person", person_id=p.id),
    )
    warn = "confirm_outside_scope" in form.errors if form.errors else False
    return done or (
        render_template("personnel/authorisation_form.html", form=form, p=p, warn=warn),
        form_status(form),
    )


@bp.route("/authorisations/<int:authorisation_id>/status", methods=["GET", "POST"])
@require(Perm.PERSONNEL_EDIT)
def authorisation_status(authorisation_id: int):
    """Suspend, withdraw or reinstate an authorisation."""
    a = authorisations.get_authorisation(current_user, authorisation_id)
    if not policy.may_edit_person(current_user, a.person):
        raise Forbidden(_("You may not keep the people of this laboratory."))
    form = AuthStatusForm()
    done = submit_form(
        form,
        lambda: authorisations.change_status(current_user, a, form.data),
        success=_("Authorisation changed."),
        to=url_for("personnel.person", person_id=a.person_id),
    )
    return done or (render_template("personnel/authorisation_status.html", form=form, a=a), form_status(form))


# --- links to findings and comparison results ------------------------------------------------


@bp.route("/findings/<int:finding_id>/persons", methods=["GET", "POST"])
@require(Perm.PERSONNEL_VIEW)
def finding_persons(finding_id: int):
    """The persons concerned by a finding; who edits findings names them."""
    finding = links.get_finding(current_user, finding_id)
    may_name = policy.may_name_persons(current_user, finding)
    form = PersonsForm()
    named = links.persons_of_finding(finding.id)
    choices = {p.id: p for p in [*people.staff_of(finding.lab_id, finding.raised_on), *named]}
    form.person_ids.choices = [(str(p.id), f"{p.name} ({p.staff_no})") for p in choices.values()]
    if request.method == "GET":
        form.person_ids.data = [str(p.id) for p in named]
    elif not may_name:
        raise Forbidden(_("You may not name the persons concerned by this finding."))
    done = submit_form(
        form,
        lambda: links.set_finding_persons(current_user, finding, form.person_ids.data or []),
        success=_("Persons concerned saved."),
        to=url_for("personnel.finding_persons", finding_id=finding.id),
    )
    return done or (
        render_template(
            "personnel/finding_persons.html", form=form, finding=finding, named=named, may_name=may_name
        ),
        form_status(form),
    )


@bp.route("/results/<int:result_id>/analyst", methods=["GET", "POST"])
@require(Perm.PERSONNEL_VIEW)
def result_analyst(result_id: int):
    """The analyst who produced a comparison result; who enters results names them."""
    result = links.get_result(current_user, result_id)
    may_name = policy.may_name_analyst(current_user, result)
    analyst = links.analyst_of(result.id)
    form = AnalystForm()
    form.person_id.choices = [("", _("Nobody named"))] + [
        (str(p.id), f"{p.name} ({p.staff_no})") for p in links.candidate_analysts(result)
    ]
    if request.method == "GET":
        form.person_id.data = str(analyst.id) if analyst else ""
    elif not may_name:
        raise Forbidden(_("You may not name the analyst of this result."))
    done = submit_form(
        form,
        lambda: links.set_analyst(current_user, result, form.person_id.data or None),
        success=_("Analyst saved."),
        to=url_for("personnel.result_analyst", result_id=result.id),
    )
    return done or (
        render_template(
            "personnel/result_analyst.html", form=form, result=result, analyst=analyst, may_name=may_name
        ),
        form_status(form),
    )
