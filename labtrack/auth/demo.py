"""The demo's accounts: the bureau's staff, and one lab manager per lab (`manager-<lab code>`)."""

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from labtrack.auth.models import User
from labtrack.auth.permissions import Role

# (username, role, full name): the accounts DESIGN names, besides the lab managers.
STAFF = [
    ("admin", Role.ADMIN, "System administrator"),
    ("quality", Role.QUALITY, "Quality department"),
    ("inspector", Role.INSPECTOR, "Lead inspector"),
    ("viewer", Role.VIEWER, "Bureau reader"),
]


def load_accounts(labs: dict, password: str, staff: list[tuple[str, str, str]] | None = None) -> int:
    """Create the missing demo accounts (`staff`, by default STAFF, and `manager-<code>` per lab);
    how many were added."""
    from labtrack.extensions import db

    taken = set(db.session.scalars(select(User.username)))
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    # One hash for every demo account: 51 scrypt hashes would make the demo load for seconds.
    password_hash = generate_password_hash(password, method=method)
    wanted = [(username, Role(role), full_name, None) for username, role, full_name in staff or STAFF]
    wanted += [(f"manager-{code}", Role.LAB_MANAGER, f"Manager of {code}", lab) for code, lab in labs.items()]
    added = 0
    for username, role, full_name, lab in wanted:
        if username in taken:
            continue
        db.session.add(
            User(username=username, role=role, full_name=full_name, lab=lab, password_hash=password_hash)
        )
        added += 1
    db.session.flush()
    return added
