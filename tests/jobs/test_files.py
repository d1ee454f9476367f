"""The file store: local folder, database and S3-compatible backends behave alike."""

import io

import pytest

from labtrack.extensions import db
from labtrack.jobs import files


class FakeS3:
    """What the store uses of boto3's S3 client, in memory."""

    class NoSuchKey(Exception):
        response = {"Error": {"Code": "NoSuchKey"}}

    def __init__(self):
        self.objects = {}

    def put_object(self, Bucket, Key, Body):
        self.objects[(Bucket, Key)] = bytes(Body)

    def get_object(self, Bucket, Key):
        if (Bucket, Key) not in self.objects:
            raise self.NoSuchKey()
        return {"Body": io.BytesIO(self.objects[(Bucket, Key)])}

    def head_object(self, Bucket, Key):
        if (Bucket, Key) not in self.objects:
            raise self.NoSuchKey()
        return {}


@pytest.fixture(params=["local", "database", "s3"])
def store(request, app, tmp_path):
    if request.param == "local":
        return files.LocalStore(tmp_path / "store")
    if request.param == "database":
        return files.DatabaseStore()
    return files.S3Store(FakeS3(), "labtrack-test", "uploads/")


def test_put_and_get_by_content_hash(store):
    content = "实验室, lab\n".encode() * 1000
    key = store.put(content)
    db.session.commit()
    assert key == files.key_of(content) and len(key) == 64
    assert store.get(key) == content
    assert store.exists(key)
    assert store.put(content) == key  # the same content is kept once


@pytest.mark.parametrize("key", ["0" * 64, "../../etc/passwd", "", "A" * 64, None])
def test_unknown_or_malformed_keys_are_not_found(store, key):
    with pytest.raises(KeyError):
        store.get(key)
    assert not store.exists(key)


def test_the_setting_chooses_the_backend(app, tmp_path):
    assert isinstance(
        files.make_store({"STORAGE": "local", "UPLOAD_FOLDER": str(tmp_path)}), files.LocalStore
    )
    assert isinstance(files.make_store({"STORAGE": "database"}), files.DatabaseStore)
    with pytest.raises(RuntimeError, match="STORAGE must be one of"):
        files.make_store({"STORAGE": "floppy"})
    assert isinstance(files.store(), files.LocalStore)  # the default


def test_local_files_are_written_whole(tmp_path):
    store = files.LocalStore(tmp_path)
    key = store.put(b"x" * 10)
    assert store.path(key).read_bytes() == b"x" * 10
    assert not list(store.path(key).parent.glob(".upload-*"))
