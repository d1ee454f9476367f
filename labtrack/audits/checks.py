"""What the audits services share: the limits of the area and the version check of optimistic locking."""

from typing import Any

from flask_babel import gettext as _

from labtrack import parsing
from labtrack.audits.models import Finding
from labtrack.services import Conflict, InvalidInput

# Limits of the audits area (the others are parsing's: NAME_MAX, SHORT_MAX, COMMENT_MAX, TEXT_MAX).
TEAM_MAX = 500  # audits.team
REVIEWED_MAX = 1_000_000  # documents, instruments or reports counted in one audit


def stale() -> Conflict:
    """The refusal of a save based on a version of the finding that is no longer the current one."""
    return Conflict(
        _("Someone else saved this finding meanwhile. Reload it to see their change, then try again."),
        {"version": [_("The finding has changed since you read it.")]},
    )


def version_of(version: Any) -> int | None:
    """The version a client says it last read (None if not given); 422 if it is not a number."""
    try:
        return parsing.integer(version, required=False, minimum=0, maximum=parsing.INT_MAX)
    except parsing.ParseError as exc:
        raise InvalidInput(_("The request has invalid fields."), {"version": [exc.message]}) from None


def check_version(finding: Finding, version: Any) -> None:
    """Refuse (409) a save based on a version other than the finding's current one; 422 for a
    version that is not a number. A missing version is the caller's to refuse with the fields."""
    read = version_of(version)
    if read is not None and read != finding.version:
        raise stale()


def version_required(version: Any, fields: parsing.Fields) -> None:
    """Note a missing version among the field errors."""
    if parsing.is_blank(version):
        fields.add("version", _("The version you last read is required."))
