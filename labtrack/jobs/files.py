"""The file store every app server reads: uploaded and imported files, named by their SHA-256.

`STORAGE` chooses where files live: `local` (UPLOAD_FOLDER, the single-machine default),
`database` (the `stored_files` table, so every app server on one database reads them) or `s3`
(an S3-compatible bucket: S3_BUCKET, S3_ENDPOINT_URL, S3_REGION, S3_ACCESS_KEY_ID,
S3_SECRET_ACCESS_KEY, S3_PREFIX; needs the boto3 package).

    from labtrack.jobs.files import store
    key = store().put(content)          # the SHA-256 of the content (same content, same key)
    content = store().get(key)          # raises KeyError when there is no such file

Storing the same content twice keeps one copy. The database store adds its row to the current
unit of work: it is committed with the record that refers to it (or not at all).
"""

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Protocol

from flask import current_app

from labtrack.extensions import db

_KEY = re.compile(r"^[0-9a-f]{64}$")


def key_of(content: bytes) -> str:
    """The key a content is stored under: its SHA-256 in hex."""
    return hashlib.sha256(content).hexdigest()


def valid_key(key: str) -> bool:
    """Whether a text is a well-formed key (so it can never name a path outside the store)."""
    return isinstance(key, str) and bool(_KEY.match(key))


def _check(key: str) -> str:
    if not valid_key(key):
        raise KeyError(key)
    return key


class FileStore(Protocol):
    """What every backend offers."""

    def put(self, content: bytes) -> str: ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...


class LocalStore:
    """Files in a folder of this machine, fanned out by the key's first two characters."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        """Where a key's file is (or would be)."""
        key = _check(key)
        return self.folder / key[:2] / key

    def put(self, content: bytes) -> str:
        """Write the file (atomically: a reader never sees half of it)."""
        key = key_of(content)
        path = self.path(key)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            os.replace(tmp, path)
        return key

    def get(self, key: str) -> bytes:
        """The file's content."""
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None

    def exists(self, key: str) -> bool:
        """Whether the file is there."""
        return valid_key(key) and self.path(key).is_file()


class DatabaseStore:
    """Files as rows of `stored_files`, in the app's own database."""

    def put(self, content: bytes) -> str:
        """Add the file to the current unit of work (once per content)."""
        from labtrack.jobs.models import StoredFile

        key = key_of(content)
        if db.session.get(StoredFile, key) is None:
            db.session.add(StoredFile(key=key, size=len(content), content=content))
            db.session.flush()
        return key

    def get(self, key: str) -> bytes:
        """The file's content."""
        from labtrack.jobs.models import StoredFile

        row = db.session.get(StoredFile, _check(key))
        if row is None:
            raise KeyError(key)
        return bytes(row.content)

    def exists(self, key: str) -> bool:
        """Whether the file is there."""
        from labtrack.jobs.models import StoredFile

        return valid_key(key) and db.session.get(StoredFile, key) is not None


class S3Store:
    """Files as objects of an S3-compatible bucket (AWS, MinIO, Ceph...)."""

    def __init__(self, client: Any, bucket: str, prefix: str = ""):
        self.client, self.bucket, self.prefix = client, bucket, prefix

    @classmethod
    def from_config(cls, config: Any) -> "S3Store":
        """A store on the bucket the settings name."""
        import boto3  # optional: only STORAGE=s3 needs it

        client = boto3.client(
            "s3",
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            region_name=config.get("S3_REGION"),
            aws_access_key_id=config.get("S3_ACCESS_KEY_ID"),
            aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
        )
        return cls(client, config["S3_BUCKET"], config.get("S3_PREFIX") or "")

    def _name(self, key: str) -> str:
        return f"{self.prefix}{_check(key)}"

    def put(self, content: bytes) -> str:
        """Upload the object (S3 writes are atomic)."""
        key = key_of(content)
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=content)
        return key

    def get(self, key: str) -> bytes:
        """The object's content."""
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except Exception as exc:  # botocore's NoSuchKey / ClientError 404
            if _is_missing(exc):
                raise KeyError(key) from None
            raise
        return response["Body"].read()

    def exists(self, key: str) -> bool:
        """Whether the object is there."""
        if not valid_key(key):
            return False
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except Exception as exc:
            if _is_missing(exc):
                return False
            raise
        return True


def _is_missing(exc: Exception) -> bool:
    code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound") or type(exc).__name__ == "NoSuchKey"


BACKENDS = ("local", "database", "s3")


def make_store(config: Any) -> FileStore:
    """The store the settings choose."""
    kind = (config.get("STORAGE") or "local").lower()
    if kind == "local":
        return LocalStore(Path(config["UPLOAD_FOLDER"]) / "store")
    if kind == "database":
        return DatabaseStore()
    if kind == "s3":
        return S3Store.from_config(config)
    raise RuntimeError(f"STORAGE must be one of {', '.join(BACKENDS)}, not {kind!r}")


def store() -> FileStore:
    """This app's file store (made once per app)."""
    app = current_app._get_current_object()
    found = app.extensions.get("labtrack_file_store")
    if found is None:
        found = app.extensions["labtrack_file_store"] = make_store(app.config)
    return found
