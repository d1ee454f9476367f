"""The public pages' tests use the planning tests' small province (today is 2010-10-01)."""

from tests.planning.conftest import frozen, world  # noqa: F401  (fixtures)
