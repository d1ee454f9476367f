"""The file of a document revision: the same upload rules as evidence files, stored by SHA-256.

The rules (type recognised by content and matching the file's name, size limit, safe names) are
the audits area's `evidence.check`, called here so that both areas refuse exactly the same files.
Files are kept in the shared file store (`labtrack.jobs.files`: the local folder, the database or
S3, as configured, so every app server reads them), by SHA-256; identical content is stored once.
"""

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from flask import current_app
from flask_babel import gettext as _

from labtrack.audits.evidence import CheckedFile, EvidenceRefused, check
from labtrack.jobs import files as shared

_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def check_one(files: Iterable[tuple[str, bytes]], errors: dict, field: str = "file") -> CheckedFile | None:
    """The one file uploaded (refusals and a second file noted in `errors[field]`), or None."""
    given = [(name, data) for name, data in files or () if name or data]
    if len(given) > 1:
        errors.setdefault(field, []).append(_("A revision has one file; upload only one."))
        return None
    if not given:
        return None
    try:
        return check(*given[0])
    except EvidenceRefused as exc:
        errors.setdefault(field, []).append(str(exc))
        return None


def path_for(sha256: str) -> Path:
    """Where a stored file lives; refuses anything that is not a hex SHA-256 digest."""
    if not _DIGEST.match(sha256 or ""):
        raise ValueError("not a SHA-256 hex digest")
    root = Path(current_app.config["UPLOAD_FOLDER"]).resolve()
    return root / sha256[:2] / sha256[2:4] / sha256


def store(checked: CheckedFile) -> None:
    """Put the file in the shared store (`labtrack.jobs.files`, which every app server reads);
    identical content is stored once."""
    shared.store().put(checked.data)


def read(sha256: str) -> bytes:
    """A stored file's content: from the shared store, else from the folder files were kept in
    before it (UPLOAD_FOLDER/ab/cd/<sha256>); FileNotFoundError when it is in neither."""
    try:
        return shared.store().get(sha256)
    except KeyError:
        pass
    try:
        return path_for(sha256).read_bytes()
    except ValueError:
        raise FileNotFoundError(sha256) from None


def attachment_header(filename: str) -> str:
    """A Content-Disposition naming the file in ASCII and in UTF-8 (RFC 6266)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
