"""Evidence files: recognise the type by content, name them safely, store them by SHA-256."""

import hashlib
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from labtrack.audits.models import EvidenceFile, Finding
from labtrack.jobs import files

# What each kind may be called, and what it is served as.
KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "pdf": ((".pdf",), "application/pdf"),
    "png": ((".png",), "image/png"),
    "jpeg": ((".jpg", ".jpeg"), "image/jpeg"),
    "gif": ((".gif",), "image/gif"),
    "webp": ((".webp",), "image/webp"),
    "docx": ((".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ((".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": ((".pptx",), "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "ole2": ((".doc", ".xls", ".ppt"), "application/x-ole-storage"),
    "odt": ((".odt",), "application/vnd.oasis.opendocument.text"),
    "ods": ((".ods",), "application/vnd.oasis.opendocument.spreadsheet"),
    "odp": ((".odp",), "application/vnd.oasis.opendocument.presentation"),
}
OLE2_TYPES = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
}
ALLOWED_EXTENSIONS = sorted({ext for exts, _mime in KINDS.values() for ext in exts})
# Every type a file is served as (the API document lists them).
CONTENT_TYPES = sorted(
    {mime for kind, (_exts, mime) in KINDS.items() if kind != "ole2"} | set(OLE2_TYPES.values())
)


class EvidenceRefused(Exception):
    """A file that may not be stored; the message is safe to show."""


@dataclass(frozen=True)
class CheckedFile:
    """A file whose content was checked, ready to store."""

    filename: str
    data: bytes
    sha256: str
    kind: str
    content_type: str

    @property
    def size(self) -> int:
        """Bytes."""
        return len(self.data)


def _zip_kind(data: bytes) -> str | None:
    """docx / xlsx / pptx (OOXML, with [Content_Types].xml) or odt / ods / odp (ODF), else None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
                    if any(n.startswith(prefix) for n in names):
                        return kind
                return None
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return {
                    "application/vnd.oasis.opendocument.text": "odt",
                    "application/vnd.oasis.opendocument.spreadsheet": "ods",
                    "application/vnd.oasis.opendocument.presentation": "odp",
                }.get(mimetype)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None
    return None


def sniff(data: bytes) -> str | None:
    """The kind of a file judged by its first bytes (and a zip's contents), or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole2"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return None


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*;]')


def safe_filename(name: str | None, fallback: str = "evidence") -> str:
    """The last path component of an uploaded name, without control characters or leading dots.

    Chinese names are kept (werkzeug's secure_filename would drop them); what is stored on disk
    is the SHA-256 anyway, so this name only labels the download.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    if len(name) > 150:
        stem, ext = os.path.splitext(name)
        name = stem[: 150 - len(ext[:20])] + ext[:20]
    return name or fallback


def check(filename: str | None, data: bytes) -> CheckedFile:
    """Accept a file whose content is an allowed type matching its extension, within the size limit."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    name = safe_filename(filename)
    if not data:
        raise EvidenceRefused(_("%(name)s is empty.", name=name))
    if limit and len(data) > limit:
        raise EvidenceRefused(
            _("%(name)s is larger than the limit of %(mb)s MB.", name=name, mb=round(limit / 1048576, 1))
        )
    kind = sniff(data)
    ext = os.path.splitext(name)[1].lower()
    if kind is None:
        raise EvidenceRefused(
            _(
                "%(name)s is not a PDF, an image (PNG, JPEG, GIF, WebP) or an office document.",
                name=name,
            )
        )
    extensions, content_type = KINDS[kind]
    if ext not in extensions:
        raise EvidenceRefused(
            _(
                "%(name)s does not hold what its name says: its content is %(kind)s.",
                name=name,
                kind=kind.upper(),
            )
        )
    if kind == "ole2":
        content_type = OLE2_TYPES[ext]
    return CheckedFile(name, data, hashlib.sha256(data).hexdigest(), kind, content_type)


def storage_root() -> Path:
    """UPLOAD_FOLDER, resolved."""
    return Path(current_app.config["UPLOAD_FOLDER"]).resolve()


def path_for(sha256: str) -> Path:
    """Where a blob lives: UPLOAD_FOLDER/ab/cd/abcd…; refuses anything that is not a hex digest."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256 or ""):
        raise ValueError("not a SHA-256 hex digest")
    return storage_root() / sha256[:2] / sha256[2:4] / sha256


def store(checked: CheckedFile) -> str:
    """Put the blob in the shared file store (`labtrack.jobs.files`, which every app server reads:
    the local folder, the database or S3 as configured); identical content is stored once.
    Returns its key, the SHA-256."""
    return files.store().put(checked.data)


def read(sha256: str) -> bytes:
    """A stored blob's content: from the shared store, else from the folder where blobs were kept
    before it (UPLOAD_FOLDER/ab/cd/<sha256>). KeyError when it is in neither."""
    try:
        return files.store().get(sha256)
    except KeyError:
        pass
    try:
        path = path_for(sha256)
    except ValueError:
        raise KeyError(sha256) from None
    if not path.is_file():
        raise KeyError(sha256)
    return path.read_bytes()


def check_files(files: Iterable[tuple[str, bytes]], errors: dict) -> list[CheckedFile]:
    """Check uploaded (name, bytes) pairs by content; refusals go into `errors`."""
    checked = []
    for name, data in files or ():
        if not name and not data:
            continue  # an empty file input
        try:
            checked.append(check(name, data))
        except EvidenceRefused as exc:
            errors.setdefault("files", []).append(str(exc))
    return checked


def attach(finding: Finding, checked: list[CheckedFile], actor: Any, stage: str) -> None:
    """Store checked files by SHA-256 and attach them to the finding at a stage."""
    for item in checked:
        store(item)
        finding.files.append(
            EvidenceFile(
                sha256=item.sha256,
                filename=item.filename,
                size=item.size,
                kind=item.kind,
                content_type=item.content_type,
                stage=stage,
                uploaded_by_id=getattr(actor, "id", None),
            )
        )
