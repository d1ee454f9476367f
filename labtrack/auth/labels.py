"""Role names in the user's language."""

from flask_babel import lazy_gettext as _l

from labtrack.auth.permissions import Role

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.QUALITY: _l("Quality department"),
    Role.INSPECTOR: _l("Inspector"),
    Role.LAB_MANAGER: _l("Lab manager"),
    Role.VIEWER: _l("Viewer"),
}
