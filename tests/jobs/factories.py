"""Factories for jobs and stored files (see tests/factories.py for the conventions)."""

import hashlib

import factory

from labtrack.jobs.models import Job, JobStatus, StoredFile
from tests.factories import BaseFactory, UserFactory


class JobFactory(BaseFactory):
    """A finished export job started by a user."""

    class Meta:
        model = Job

    kind = "export"
    started_by = factory.SubFactory(UserFactory)
    status = JobStatus.DONE
    done = 10
    total = 10
    params = factory.LazyFunction(dict)
    result = factory.LazyFunction(lambda: {"rows": 10})


class StoredFileFactory(BaseFactory):
    """A file kept in the database, keyed by the SHA-256 of its content."""

    class Meta:
        model = StoredFile

    content = factory.Sequence(lambda n: f"code,name\nF-{n},file {n}\n".encode())
    key = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    size = factory.LazyAttribute(lambda o: len(o.content))
