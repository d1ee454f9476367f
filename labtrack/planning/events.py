"""Start-up of the planning area: a sanction imposed, lifted or superseded is told to the lab's
managers (in-app and e-mail, through the notify area's `notify`), in the reader's language.

The notify area shows a notification by its kind's text (`labtrack.notify.messages.TEXTS`) and
links it to its record (`LINKS`); the planning area adds its own kinds to those registries here.
"""

import logging
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from labtrack import events
from labtrack.extensions import db
from labtrack.planning.values import SANCTION_KIND_LABELS

log = logging.getLogger("labtrack.planning")

KINDS = {"imposed": "sanction_imposed", "lifted": "sanction_lifted", "superseded": "sanction_superseded"}


def _kind(p: dict) -> str:
    return str(SANCTION_KIND_LABELS.get(p.get("kind"), p.get("kind") or ""))


TEXTS = {
    "sanction_imposed": lambda p: _(
        "%(kind)s %(ref)s imposed on %(lab)s from %(starts_on)s.",
        kind=_kind(p),
        ref=p.get("ref", ""),
        lab=p.get("lab", ""),
        starts_on=p.get("starts_on", ""),
    ),
    "sanction_lifted": lambda p: _(
        "%(kind)s %(ref)s of %(lab)s was lifted on %(ended_on)s after check and acceptance.",
        kind=_kind(p),
        ref=p.get("ref", ""),
        lab=p.get("lab", ""),
        ended_on=p.get("ended_on", ""),
    ),
    "sanction_superseded": lambda p: _(
        "%(kind)s %(ref)s of %(lab)s was superseded on %(ended_on)s.",
        kind=_kind(p),
        ref=p.get("ref", ""),
        lab=p.get("lab", ""),
        ended_on=p.get("ended_on", ""),
    ),
}


def on_sanction_changed(sanction: Any, actor: Any = None, step: str | None = None, **_kw: Any) -> None:
    """Tell the lab's managers (inside the sender's unit of work; never commits)."""
    kind = KINDS.get(step or "")
    if kind is None:
        return
    try:
        from labtrack.notify.events import lab_managers
        from labtrack.notify.service import notify
    except ImportError:  # no notify area: nothing to tell
        return
    params = {
        "ref": sanction.reference,
        "lab": sanction.lab.code if sanction.lab is not None else None,
        "kind": str(sanction.kind),
        "starts_on": sanction.starts_on.isoformat(),
        "ended_on": sanction.ended_on.isoformat() if sanction.ended_on else None,
    }
    try:
        with db.session.no_autoflush:
            notify(kind, lab_managers(sanction.lab_id), sanction, params, actor)
    except SQLAlchemyError:
        raise
    except Exception:  # noqa: BLE001 - a notification never makes the sanction fail
        log.exception("notification of sanction %s not recorded", sanction.reference)


def _register_texts() -> None:
    try:
        from labtrack.notify import messages
    except ImportError:
        return
    for kind, render in TEXTS.items():
        messages.TEXTS.setdefault(kind, render)
    messages.LINKS.setdefault("sanctions", lambda rid, p: ("planning.sanction_detail", {"sanction_id": rid}))


def connect() -> None:
    """Connect the receiver and add the planning kinds to the notify area's texts and links."""
    events.sanction_changed.connect(on_sanction_changed, weak=False)
    _register_texts()
