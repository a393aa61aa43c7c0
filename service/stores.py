"""The event store on SQLite (embedded default) and PostgreSQL (production).

- One function turns :class:`~service.settings.Settings` into eventsourcing's ``env``.
- The application recorders are the library's, extended so that the stored events table is
  immutable *in the database itself*: triggers refuse UPDATE and DELETE (and TRUNCATE on
  PostgreSQL) with a clear error. Corrections are new events, never edits.
- Schema creation is idempotent and, on PostgreSQL, serialised by an advisory lock so that
  several processes starting at once cannot trip over each other.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any

import psycopg
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore
from eventsourcing.utils import get_topic
from psycopg.sql import SQL, Identifier

from service.settings import Settings

#: name of the eventsourcing application; PostgreSQL tables are prefixed with it lowercased
APPLICATION_NAME = "HallLedger"
PG_EVENTS_TABLE = APPLICATION_NAME.lower() + "_events"
SQLITE_EVENTS_TABLE = "stored_events"

IMMUTABLE_MESSAGE = "stored events are immutable (hall-ledger): corrections are new events"

# Advisory-lock keys (PostgreSQL). Projection runners use their own keys (see projections).
SCHEMA_LOCK_KEY = 0x4A11_0001

#: ``write(cursor, stored_events)``: runs inside the transaction that inserts events, just
#: before they are inserted; raising refuses the insert (service/api/idempotency.py's marker).
EventsTransactionHook = Callable[[Any, Sequence[Any]], None]

# The hook of the block now running ``with in_events_transaction(recorder, write)``, and the
# recorder it is for. Set only by that context manager — the application's
# ``LedgerApplicationBase.in_events_transaction`` — so unset everywhere else and in every
# other thread (each request of the HTTP service runs its command in its own context).
_IN_EVENTS_TRANSACTION: ContextVar[tuple[object, EventsTransactionHook] | None] = ContextVar(
    "hall_ledger_in_events_transaction", default=None
)


@contextlib.contextmanager
def in_events_transaction(recorder: object, write: EventsTransactionHook) -> Iterator[None]:
    """While the block runs, ``recorder`` calls ``write`` in every transaction that inserts events."""
    token = _IN_EVENTS_TRANSACTION.set((recorder, write))
    try:
        yield
    finally:
        _IN_EVENTS_TRANSACTION.reset(token)


def _run_in_transaction_hook(recorder: object, cursor: Any, stored_events: Sequence[Any]) -> None:
    found = _IN_EVENTS_TRANSACTION.get()
    if found is not None and found[0] is recorder and stored_events:
        found[1](cursor, stored_events)


class LedgerSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """SQLite recorder whose events table refuses UPDATE, DELETE and silent REPLACE."""

    def _insert_events(self, c: Any, stored_events: Sequence[Any], **kwargs: Any) -> Sequence[int] | None:
        _run_in_transaction_hook(self, c, stored_events)  # every path that inserts events comes here
        return super()._insert_events(c, stored_events, **kwargs)

    def construct_create_table_statements(self) -> list[str]:
        table = self.events_table_name
        return [
            *super().construct_create_table_statements(),
            f"CREATE TRIGGER IF NOT EXISTS {table}_refuse_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE_MESSAGE}: UPDATE refused'); END",
            f"CREATE TRIGGER IF NOT EXISTS {table}_refuse_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE_MESSAGE}: DELETE refused'); END",
            # INSERT OR REPLACE would delete the old row without firing DELETE triggers
            # (recursive_triggers is off by default); refuse any insert that would clash.
            f"CREATE TRIGGER IF NOT EXISTS {table}_refuse_replace BEFORE INSERT ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM {table} WHERE originator_id = NEW.originator_id "
            f"AND originator_version = NEW.originator_version) "
            f"BEGIN SELECT RAISE(ABORT, 'UNIQUE constraint failed: {table}.originator_id, "
            f"{table}.originator_version'); END",
        ]


class LedgerPostgresApplicationRecorder(PostgresApplicationRecorder):
    """PostgreSQL recorder whose events table refuses UPDATE, DELETE and TRUNCATE."""

    def _insert_stored_events(self, curs: Any, stored_events: Sequence[Any], **kwargs: Any) -> None:
        _run_in_transaction_hook(self, curs, stored_events)  # every path that inserts events comes here
        super()._insert_stored_events(curs, stored_events, **kwargs)

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        schema = Identifier(self.datastore.schema)
        table = Identifier(self.events_table_name)
        function = Identifier(f"{self.events_table_name}_refuse_change")
        self.sql_create_statements.extend(
            [
                SQL(
                    "CREATE OR REPLACE FUNCTION {schema}.{function}() RETURNS trigger "
                    "LANGUAGE plpgsql AS $$ BEGIN "
                    "RAISE EXCEPTION '{message}: % refused on %.%', TG_OP, TG_TABLE_SCHEMA, "
                    "TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation'; "
                    "END $$"
                ).format(schema=schema, function=function, message=SQL(IMMUTABLE_MESSAGE)),
                SQL(
                    "CREATE OR REPLACE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON "
                    "{schema}.{table} FOR EACH ROW EXECUTE FUNCTION {schema}.{function}()"
                ).format(
                    trigger=Identifier(f"{self.events_table_name}_refuse_change"),
                    schema=schema,
                    table=table,
                    function=function,
                ),
                SQL(
                    "CREATE OR REPLACE TRIGGER {trigger} BEFORE TRUNCATE ON "
                    "{schema}.{table} FOR EACH STATEMENT EXECUTE FUNCTION {schema}.{function}()"
                ).format(
                    trigger=Identifier(f"{self.events_table_name}_refuse_truncate"),
                    schema=schema,
                    table=table,
                    function=function,
                ),
            ]
        )
        # Positions are gap-free. The library takes notification ids from the bigserial
        # sequence, and a sequence value is spent even when the insert then fails (an
        # optimistic-concurrency clash, a duplicate creation): the log would show a gap.
        # The insert runs under the library's EXCLUSIVE table lock, so the next position
        # is simply the current maximum + 1 — a rolled-back insert spends nothing.
        self.insert_events_statement = SQL(
            "INSERT INTO {schema}.{table} AS t "
            "(originator_id, originator_version, topic, state, notification_id) "
            "SELECT e.originator_id, e.originator_version, e.topic, e.state, "
            "(SELECT COALESCE(MAX(notification_id), 0) FROM {schema}.{table}) + e.n "
            "FROM unnest(%s::{schema}.{stored_event_type}[]) WITH ORDINALITY "
            "AS e(originator_id, originator_version, topic, state, n) "
            "ORDER BY e.n "
            "RETURNING notification_id"
        ).format(
            schema=schema,
            table=table,
            stored_event_type=Identifier(self.stored_event_type_name),
        )


def eventsourcing_env(settings: Settings, *, create_table: bool = True) -> dict[str, str]:
    """The library's environment for these settings (the only place that knows its keys)."""
    env: dict[str, str] = {
        "IS_SNAPSHOTTING_ENABLED": "y",
        "CREATE_TABLE": "y" if create_table else "n",
        # Commands read aggregates through the repository; the cache is a per-process
        # optimisation that never serves a stale version (fast-forward from the store).
        "AGGREGATE_CACHE_MAXSIZE": "5000",
    }
    if settings.uses_postgres:
        env.update(settings.postgres_parts())
        env.update(
            {
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_SCHEMA": settings.postgres_schema,
                "POSTGRES_POOL_SIZE": str(settings.postgres_pool_size),
                "POSTGRES_MAX_OVERFLOW": str(settings.postgres_max_overflow),
                "POSTGRES_LOCK_TIMEOUT": "10",
                "POSTGRES_CONNECT_TIMEOUT": "10",
                "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "30",
                "POSTGRES_PRE_PING": "y",
                "APPLICATION_RECORDER_TOPIC": get_topic(LedgerPostgresApplicationRecorder),
            }
        )
    else:
        env.update(
            {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(settings.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": "30",
                "APPLICATION_RECORDER_TOPIC": get_topic(LedgerSQLiteApplicationRecorder),
            }
        )
    return env


def postgres_conninfo(settings: Settings) -> dict[str, Any]:
    parts = settings.postgres_parts()
    return {
        "dbname": parts["POSTGRES_DBNAME"],
        "host": parts["POSTGRES_HOST"],
        "port": parts["POSTGRES_PORT"],
        "user": parts["POSTGRES_USER"],
        "password": parts["POSTGRES_PASSWORD"],
        "connect_timeout": 10,
    }


def connect_postgres(settings: Settings, *, autocommit: bool = True) -> psycopg.Connection[Any]:
    return psycopg.connect(**postgres_conninfo(settings), autocommit=autocommit)


@contextlib.contextmanager
def schema_lock(settings: Settings) -> Iterator[None]:
    """Serialise schema creation across processes (PostgreSQL); SQLite needs nothing."""
    if not settings.uses_postgres:
        settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        yield
        return
    with connect_postgres(settings) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
        try:
            conn.execute(SQL("CREATE SCHEMA IF NOT EXISTS {}").format(Identifier(settings.postgres_schema)))
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK_KEY,))


def events_table(settings: Settings) -> str:
    """The qualified name of the stored events table (for documentation and BI tools)."""
    if settings.uses_postgres:
        return f"{settings.postgres_schema}.{PG_EVENTS_TABLE}"
    return SQLITE_EVENTS_TABLE


def sqlite_connect(settings: Settings) -> sqlite3.Connection:
    conn = sqlite3.connect(str(settings.sqlite_path), timeout=30, isolation_level=None)
    conn.row_factory = sqlite3.Row
    return conn


def datastore_of(recorder: Any) -> SQLiteDatastore | PostgresDatastore:
    datastore = recorder.datastore
    assert isinstance(datastore, SQLiteDatastore | PostgresDatastore)
    return datastore


def select_count(settings: Settings, table: str, where: str = "", params: Sequence[Any] = ()) -> int:
    """Count rows of one of the ledger's tables (used by health checks and tests)."""
    if settings.uses_postgres:
        with connect_postgres(settings) as conn:
            row = conn.execute(
                SQL("SELECT count(*) FROM {}.{} " + where).format(  # type: ignore[arg-type]
                    Identifier(settings.postgres_schema), Identifier(table)
                ),
                params,
            ).fetchone()
            assert row is not None
            return int(row[0])
    with contextlib.closing(sqlite_connect(settings)) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table} {where}", params).fetchone()
        return int(row[0])
