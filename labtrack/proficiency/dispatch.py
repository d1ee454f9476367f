"""Dispatch and receipt of the participants' items: sent, received, the condition on arrival.

Once a round records that its items were sent, a result is accepted only from a lab whose item was
received in a usable condition (`refusal`, asked by `results` for every row).
"""

from datetime import date
from typing import Any

from flask_babel import gettext as _

from labtrack import parsing
from labtrack.proficiency import policy
from labtrack.proficiency.models import ItemCondition, Participant, Round
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound, transaction

NOTE_MAX = 500


def tracks_receipt(rnd: Round) -> bool:
    """Whether the round records its items' dispatch (then results wait for their receipt)."""
    return any(p.sent_on is not None for p in rnd.participants)


def refusal(participant: Participant, tracking: bool) -> str | None:
    """Why this participant's result cannot be accepted yet (None: it can); `tracking` is
    `tracks_receipt(round)`, asked once per submission."""
    if not tracking:
        return None
    code = participant.lab.code
    if participant.received_on is None:
        return _(
            "The item sent to %(code)s has not been recorded as received: record its receipt first.",
            code=code,
        )
    if participant.condition == ItemCondition.UNUSABLE:
        return _(
            "The item of %(code)s arrived unusable: record the receipt of its replacement first.", code=code
        )
    return None


def _participant(rnd: Round, lab_code: str, actor: Any) -> Participant:
    for p in rnd.participants:
        if p.lab.code == lab_code and policy.sees_dispatch(actor, p):
            return p
    raise NotFound(_("%(code)s is not a participant of this round.", code=lab_code))


def record_dispatch(rnd: Round, lab_codes: list[str] | None, sent_on: Any, actor: Any) -> list[Participant]:
    """Record that the items of these labs (all invited labs when None) were sent on a day."""
    if not policy.may_manage(actor):
        raise Forbidden(_("Only the quality department records the dispatch of items."))
    if not policy.may_record_dispatch(actor, rnd):
        raise Conflict(_("Items are recorded as sent until the round closes."))
    fields = parsing.Fields({"sent_on": sent_on})
    day = fields.get("sent_on", parsing.day)
    fields.raise_if_any(_("The dispatch was not recorded."))
    chosen = list(rnd.participants) if not lab_codes else [_participant(rnd, c, actor) for c in lab_codes]
    late = [p.lab.code for p in chosen if p.received_on is not None and p.received_on < day]
    if late:
        message = _("Sent after it was received: %(codes)s.", codes=", ".join(late))
        raise InvalidInput(message, {"sent_on": [message]})
    with transaction(actor, _("Items sent on %(day)s.", day=day.isoformat())):
        for p in chosen:
            p.sent_on = day
    return chosen


def record_receipt(rnd: Round, lab_code: str, data: dict[str, Any], actor: Any) -> Participant:
    """Record when a lab's item arrived and its condition (a lab manager for its own lab)."""
    participant = _participant(rnd, lab_code, actor)
    if not policy.may_record_receipt(actor, rnd, participant.lab_id):
        if rnd.status not in policy.DISPATCH_OPEN:
            raise Conflict(_("Receipt is recorded until the round closes."))
        raise Forbidden(_("You may record the receipt only of your own laboratory's item."))
    fields = parsing.Fields(data)
    received_on: date | None = fields.get("received_on", parsing.day)
    condition = fields.get("condition", parsing.choice, [c.value for c in ItemCondition])
    note = fields.get("condition_note", parsing.text, required=False, max_len=NOTE_MAX)
    if participant.sent_on is None:
        fields.add("received_on", _("The item has not been recorded as sent."))
    elif received_on is not None and received_on < participant.sent_on:
        fields.add(
            "received_on", _("Before the item was sent (%(day)s).", day=participant.sent_on.isoformat())
        )
    if condition in (ItemCondition.DAMAGED, ItemCondition.UNUSABLE) and not note:
        fields.add("condition_note", _("Say what was wrong with the item."))
    fields.raise_if_any(_("The receipt was not recorded."))
    with transaction(actor, _("Item of %(code)s received.", code=lab_code)):
        participant.received_on, participant.condition, participant.condition_note = (
            received_on,
            condition,
            note,
        )
    return participant


def rows(rnd: Round, actor: Any) -> list[dict[str, Any]]:
    """Each participant's dispatch as the actor may see it, with what the actor may record."""
    tracking = tracks_receipt(rnd)
    return [
        {
            "participant": p,
            "lab_code": p.lab.code,
            "participant_code": p.participant_code,
            "sent_on": p.sent_on,
            "received_on": p.received_on,
            "condition": p.condition,
            "condition_note": p.condition_note,
            "may_receive": p.sent_on is not None and policy.may_record_receipt(actor, rnd, p.lab_id),
            "blocked": refusal(p, tracking),
        }
        for p in rnd.participants
        if policy.sees_dispatch(actor, p)
    ]
