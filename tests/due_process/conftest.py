"""The HTTP fixtures of ``tests/api`` (the app on the test's ledger, a token per role, a client)
for the due-process scenarios that go through HTTP; a module may still define its own."""

from tests.api.conftest import app, client, tokens  # noqa: F401 - fixtures, found by pytest by name
