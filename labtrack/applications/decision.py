"""The decision on an application and the certificate that follows.

The decision is taken by someone who was not on the assessment team and signed with their
password. It is refused while a finding of the assessment is open, unless every open finding
concerns named items and the decider decides in part (`exclude_open`): those items are refused
with the finding named. Granted items become scope periods from the decision date through the scope
service (basis initial, extension or re-assessment); a reduction withdraws its items; refused
items stay on the application with the reason. The certificate is issued (initial), renewed
(renewal, valid 6 years: config APPLICATION_CMA_VALID_YEARS) or its annex re-issued, through the
labs service.
"""

import calendar as month_calendar
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from labtrack import parsing
from labtrack.applications import assessment, clocks, service
from labtrack.applications.calendar import working_calendar
from labtrack.applications.models import Application, ApplicationItem
from labtrack.applications.steps import comment_of, record
from labtrack.applications.values import (
    DEFAULT_CMA_VALID_YEARS,
    REASON_MAX,
    Decision,
    Kind,
    Outcome,
    Status,
    Step,
)
from labtrack.auth import policy as auth
from labtrack.auth import security
from labtrack.extensions import db
from labtrack.labs import service as labs_service
from labtrack.labs.models import Scheme
from labtrack.models_base import utcnow
from labtrack.parsing import Fields, code_key
from labtrack.scope import service as scope_service
from labtrack.scope.models import Basis, ScopeEntry, WithdrawalReason
from labtrack.services import Conflict, InvalidInput, transaction


def add_years(day: date, years: int) -> date:
    """The same day `years` later (28 February for a 29 February)."""
    year = day.year + years
    return date(year, day.month, min(day.day, month_calendar.monthrange(year, day.month)[1]))


def valid_years() -> int:
    """How long a CMA certificate is valid (years)."""
    return int(current_app.config.get("APPLICATION_CMA_VALID_YEARS", DEFAULT_CMA_VALID_YEARS))


def _open_entry(lab_id: int, item_id: int | None) -> ScopeEntry | None:
    return scope_service.open_entry(lab_id, item_id) if item_id is not None else None


def _held_before(lab_id: int, item_id: int | None) -> bool:
    if item_id is None:
        return False
    return (
        db.session.scalar(
            select(ScopeEntry.id).where(ScopeEntry.lab_id == lab_id, ScopeEntry.item_id == item_id).limit(1)
        )
        is not None
    )


def basis_for(kind: str, held_before: bool) -> Basis:
    """The basis of a period a decision grants: initial for an initial qualification,
    re-assessment for a renewal or an item the lab held before, extension otherwise."""
    if kind == Kind.INITIAL:
        return Basis.INITIAL
    if kind == Kind.RENEWAL or held_before:
        return Basis.REASSESSMENT
    return Basis.EXTENSION


def _refusals(f: Fields, application: Application, given: Any) -> dict[int, str]:
    """{application item id: reason} from `refused`: a list of {item_code or item_id, reason} or a
    mapping of item code or id to reason."""
    if given in (None, "", [], {}):
        return {}
    pairs: list[tuple[Any, Any]] = []
    if isinstance(given, dict):
        pairs = list(given.items())
    elif isinstance(given, list):
        for entry in given:
            if isinstance(entry, dict):
                pairs.append((entry.get("item_code") or entry.get("item_id"), entry.get("reason")))
            else:
                f.add("refused", _("Each refusal names an item and the reason."))
    else:
        f.add("refused", _("Each refusal names an item and the reason."))
    by_id = {i.id: i for i in application.items}
    by_key = {i.item_key: i for i in application.items}
    out: dict[int, str] = {}
    for ref, reason in pairs:
        item = None
        if isinstance(ref, int) and not isinstance(ref, bool):
            item = by_id.get(ref)
        elif isinstance(ref, str):
            item = by_id.get(parsing.digits(ref)) or by_key.get(code_key(ref))
        if item is None:
            f.add("refused", _("%(value)s is not an item of this application.", value=ref))
            continue
        try:
            out[item.id] = parsing.text(reason, max_len=REASON_MAX)
        except parsing.ParseError:
            f.add("refused", _("%(code)s: give the reason for refusing it.", code=item.item_code))
    return out


def _check_password(f: Fields, actor: Any, password: Any) -> None:
    if auth.is_system(actor):
        return
    if parsing.is_blank(password):
        f.add("password", _("Confirm with your password to sign the decision."))
    elif not security.verify_password(actor, password):
        f.add("password", _("The password is not correct; the application was not decided."))


def _open_finding_refusals(application: Application, exclude_open: bool) -> dict[int, str]:
    """Items refused because a finding concerning them is still open (Conflict if the decision
    cannot be made in part)."""
    still_open = assessment.active_findings(application)
    if not still_open:
        return {}
    links = assessment.finding_items(application)
    general = [f for f in still_open if not links.get(f.id)]
    labels = ", ".join(f.label for f in (general or still_open))
    if general:
        raise Conflict(
            _(
                "Findings %(labels)s of the assessment are still open and concern the whole application: "
                "it cannot be decided until they are closed or cancelled.",
                labels=labels,
            )
        )
    if not exclude_open:
        raise Conflict(
            _(
                "Findings %(labels)s of the assessment are still open: close them first, or decide in part "
                "and refuse the items they concern.",
                labels=labels,
            )
        )
    refused: dict[int, str] = {}
    for finding in still_open:
        for item_id in links[finding.id]:
            refused.setdefault(
                item_id,
                _("Not granted: finding %(label)s was still open at the decision.", label=finding.label),
            )
    return refused


def _check_scope(application: Application, granted: list[ApplicationItem]) -> None:
    """Refuse a decision that would grant an item the lab now holds (initial, extension) or give up
    one it no longer holds (change, reduction)."""
    clashes = []
    for item in granted:
        entry = _open_entry(application.lab_id, item.item_id)
        if application.kind in (Kind.INITIAL, Kind.EXTENSION) and entry is not None:
            clashes.append(
                _("%(code)s (held since %(date)s)", code=item.item_code, date=entry.granted_on.isoformat())
            )
        if application.kind in (Kind.CHANGE, Kind.REDUCTION) and entry is None:
            clashes.append(_("%(code)s (not held)", code=item.item_code))
    if clashes:
        raise Conflict(
            _(
                "The laboratory's scope has changed since the application was made: %(items)s. Refuse "
                "those items with the reason, then decide.",
                items="; ".join(clashes),
            )
        )


def decide(application: Application, data: dict, actor: Any, on: date) -> Application:
    """Decide: `password` (the signature), `refused` (items and reasons), `exclude_open` (decide in
    part without the items of open findings), `comment`."""
    assessment.check_team_free(application, actor)
    try:
        exclude_open = parsing.boolean(data.get("exclude_open"))
    except parsing.ParseError as exc:
        raise InvalidInput(_("The request has invalid fields."), {"exclude_open": [exc.message]}) from None
    automatic = _open_finding_refusals(application, exclude_open)
    f = Fields(data)
    comment = comment_of(f)
    refused = {**_refusals(f, application, data.get("refused")), **automatic}
    _check_password(f, actor, data.get("password"))
    f.raise_if_any(_("The application could not be decided; see the fields marked."))
    granted = [i for i in application.items if i.id not in refused]
    _check_scope(application, granted)
    calendar = working_calendar()
    clocks.check_stop(calendar, application, Step.RECTIFICATION, on)
    clocks.check_stop(calendar, application, Step.DECISION, on)
    outcome = Decision.REFUSED if not granted else (Decision.PARTIAL if refused else Decision.GRANTED)
    if outcome != Decision.REFUSED:
        clocks.check_start(calendar, on)
    with transaction(actor, _("decision %(ref)s", ref=application.reference)):
        for item in application.items:
            if item.id in refused:
                _refuse(application, item, refused[item.id], actor, on)
            else:
                _grant(application, item, actor, on)
        application.decided_on = on
        application.decided_by_id = getattr(actor, "id", None)
        application.decision = outcome
        application.decision_note = comment
        application.signed_at = utcnow()
        clocks.stop(calendar, application, Step.RECTIFICATION, on)
        clocks.stop(calendar, application, Step.DECISION, on)
        if outcome != Decision.REFUSED:
            clocks.start(calendar, application, Step.CERTIFICATE, on)
        record(application, "decide", Status.DECIDED, actor, on, comment)
    return application


def _catalogue_item(item: ApplicationItem, actor: Any):
    """The catalogue's item for an application item, added (with its category) if it is new."""
    if item.item_id is not None:
        return item.item
    known = scope_service.item_by_code(item.item_code)
    if known is None:
        if scope_service.category_by_code(item.category_code) is None:
            scope_service.save_category({"code": item.category_code, "name": item.category_name}, actor)
        data = {"code": item.item_code, "name": item.item_name, "category_code": item.category_code}
        if item.method:
            data["method"] = item.method
        if item.parameters is not None:
            data["parameters"] = item.parameters
        known = scope_service.save_item(data, actor)
    item.item_id = known.id
    item.item = known
    return known


def _grant(application: Application, item: ApplicationItem, actor: Any, on: date) -> None:
    lab = application.lab
    item.outcome = Outcome.GRANTED
    note = _("%(kind)s %(ref)s", kind=application.kind_label, ref=application.reference)
    if application.kind == Kind.REDUCTION:
        entry = _open_entry(lab.id, item.item_id)
        scope_service.withdraw_entry(entry, on, WithdrawalReason.REDUCTION.value, actor, note=note)
        item.scope_entry_id = entry.id
        return
    catalogue_item = _catalogue_item(item, actor)
    entry = _open_entry(lab.id, catalogue_item.id)
    if entry is not None:  # a renewal or a change of an item held: re-confirmed, its period goes on
        item.scope_entry_id = entry.id
        return
    basis = basis_for(application.kind, _held_before(lab.id, catalogue_item.id))
    created = scope_service.grant_item(lab, catalogue_item, on, actor, basis=basis.value, note=note)
    db.session.flush()
    item.scope_entry_id = created.id
    item.basis = basis.value


def _refuse(application: Application, item: ApplicationItem, reason: str, actor: Any, on: date) -> None:
    item.outcome = Outcome.REFUSED
    item.reason = reason
    if application.kind == Kind.RENEWAL:  # not renewed: the lab stops holding it
        entry = _open_entry(application.lab_id, item.item_id)
        if entry is not None and entry.granted_on < on:
            note = _("Not renewed by %(ref)s: %(reason)s", ref=application.reference, reason=reason)
            scope_service.withdraw_entry(
                entry, on, WithdrawalReason.REDUCTION.value, actor, note=note[:REASON_MAX]
            )
            item.scope_entry_id = entry.id


def certify(application: Application, data: dict, actor: Any, on: date) -> Application:
    """Issue the certificate: a new CMA certificate (initial: `certificate_no` required), the CMA
    certificate renewed for another period (renewal: a new `certificate_no` or the same), or the
    certificate's annex re-issued (extension, change, reduction)."""
    if application.decision == Decision.REFUSED:
        raise Conflict(_("A refused application gets no certificate: its decision is the end of it."))
    f = Fields(data)
    comment = comment_of(f)
    number = f.get(
        "certificate_no", parsing.text, required=application.kind == Kind.INITIAL, max_len=64, multiline=False
    )
    f.raise_if_any(_("The certificate could not be issued."))
    current = service.cma_certificate(application.lab_id)
    if application.kind != Kind.INITIAL and current is None:
        raise Conflict(_("%(lab)s holds no CMA certificate to renew or re-issue.", lab=application.lab.code))
    calendar = working_calendar()
    clocks.check_stop(calendar, application, Step.CERTIFICATE, on)
    expires = add_years(on, valid_years())
    with transaction(actor, _("certificate %(ref)s", ref=application.reference)):
        if application.kind == Kind.INITIAL:
            qualification = labs_service.add_qualification(
                application.lab,
                {
                    "scheme": Scheme.CMA.value,
                    "certificate_no": number,
                    "issued_on": on,
                    "expires_on": expires,
                },
                actor,
            )
        elif application.kind == Kind.RENEWAL:
            qualification = labs_service.update_qualification(
                current,
                {
                    "scheme": Scheme.CMA.value,
                    "certificate_no": number or current.certificate_no,
                    "issued_on": on,
                    "expires_on": expires,
                    "status": "valid",
                },
                actor,
            )
        else:
            qualification = current
        db.session.flush()
        application.certified_on = on
        application.qualification_id = qualification.id
        application.certificate_no = qualification.certificate_no
        application.certificate_expires_on = qualification.expires_on
        clocks.stop(calendar, application, Step.CERTIFICATE, on)
        record(application, "certify", Status.CERTIFIED, actor, on, comment)
    return application
