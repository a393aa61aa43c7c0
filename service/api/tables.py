"""The HTTP service's own tables (API tokens, idempotency keys), in the ledger's database.

They live beside the events (SQLite file, or the PostgreSQL schema of the deployment) and
use the read models' portable SQL (:class:`projections.base.Tx`: ``?`` placeholders,
schema-qualified names on PostgreSQL). Timestamps are ISO-8601 UTC text, as in the read
models, so they compare as text on both stores.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from eventsourcing.postgres import PostgresDatastore

from projections.base import Tx

TOKENS_TABLE = "api_tokens"
IDEMPOTENCY_TABLE = "api_idempotency_keys"


def dialect_of(ledger: Any) -> tuple[str, str | None]:
    datastore = ledger.recorder.datastore
    if isinstance(datastore, PostgresDatastore):
        return "postgres", datastore.schema
    return "sqlite", None


@contextlib.contextmanager
def transaction(ledger: Any, *, commit: bool = True) -> Iterator[Tx]:
    """One transaction on the ledger's database (a writer transaction when ``commit``)."""
    dialect, schema = dialect_of(ledger)
    with ledger.recorder.datastore.transaction(commit=commit) as cursor:
        yield Tx(cursor, dialect, schema)


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
