"""What a read model is, and the transaction it writes in.

A read model (one module per model in ``projections/``) declares

- ``name`` and ``version`` (bump the version when its tables or its fold change: the
  runner then rebuilds it from position 0),
- ``topics``: the event classes it follows (empty: every event),
- ``tables``: its SQL tables in a portable dialect (see :class:`Tx`),

and implements ``apply(tx, events)``: fold a batch of ``(position, event)`` pairs into its
tables inside ``tx``. The runner (``projections.runner``) commits the model's rows and its
tracking position in the same transaction, so every event is applied exactly once.

The fold itself should be a pure function (``evolve(state, event) -> state``) that
time-travel queries can run in memory over a filtered history — the same code, never a
second implementation.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Self

sqlite3.register_adapter(Decimal, str)

#: Portable column types: ``{json}`` and ``{text}`` are TEXT, ``{int}`` a 64-bit integer,
#: ``{num}`` an exact decimal, ``{bytes}`` a byte string, ``{bool}`` a boolean (0/1 on
#: SQLite). Timestamps are ISO-8601 UTC text (``2026-10-08T01:00:00.000000Z``) on both
#: stores, so they sort and compare as text and BI tools can cast them.
TYPES = {
    "sqlite": {"json": "TEXT", "text": "TEXT", "int": "INTEGER", "num": "NUMERIC", "bytes": "BLOB", "bool": "INTEGER"},
    "postgres": {
        "json": "TEXT",
        "text": "TEXT",
        "int": "BIGINT",
        "num": "NUMERIC",
        "bytes": "BYTEA",
        "bool": "BOOLEAN",
    },
}

_TABLE_REF = re.compile(r"\{t:([a-z_][a-z0-9_]*)\}")


@dataclass(frozen=True)
class Table:
    """A table of a read model: ``columns`` is the body of CREATE TABLE, with type tokens."""

    name: str
    columns: str
    indexes: tuple[str, ...] = ()  # each: the column list, e.g. "staff_id, period"


class Tx:
    """A transaction on the projection store.

    SQL uses ``?`` placeholders and ``{t:name}`` for the model's tables on both stores; the
    transaction resolves them (schema, rebuild suffix, ``%s`` for PostgreSQL).
    """

    def __init__(
        self,
        cursor: Any,
        dialect: str,
        schema: str | None,
        suffix: str = "",
        emitter: Any = None,
        recorded: Any = None,
    ) -> None:
        self.cursor = cursor
        self.dialect = dialect
        self.schema = schema
        self.suffix = suffix
        self._emitter = emitter
        self._recorded = recorded
        self._cache: dict[str, str] = {}

    def emit(self, events: Sequence[Any]) -> list[Any]:
        """Append new domain events to the ledger in this transaction (for followers that
        decide, like automatic detection). Events whose stream already exists at their
        version are skipped, so a rebuilt follower never records a fact twice. Returns the
        events actually appended."""
        if self._emitter is None:
            raise RuntimeError("this transaction cannot append events")
        appended: list[Any] = self._emitter(self, list(events))
        return appended

    def recorded(self, keys: Sequence[tuple[Any, int]]) -> set[tuple[Any, int]]:
        """Which of ``(originator_id, originator_version)`` the ledger already holds (one look-up
        for the lot): a follower that decides can skip building events a replay would not append."""
        if self._recorded is None:
            raise RuntimeError("this transaction cannot read the ledger's events")
        found: set[tuple[Any, int]] = self._recorded(self, list(keys))
        return found

    def table(self, name: str) -> str:
        """A model table's name in this transaction (schema-qualified, rebuild suffix)."""
        return self.plain(f"{name}{self.suffix}")

    def plain(self, name: str) -> str:
        """A table's qualified name without the rebuild suffix (control tables)."""
        if self.schema:
            return f'"{self.schema}"."{name}"'
        return f'"{name}"'

    def sql(self, statement: str) -> str:
        cached = self._cache.get(statement)
        if cached is None:
            cached = _TABLE_REF.sub(lambda m: self.table(m.group(1)), statement)
            if self.dialect == "postgres":
                cached = cached.replace("?", "%s")
            self._cache[statement] = cached
        return cached

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(self.sql(statement), tuple(params))

    def executemany(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = [tuple(r) for r in rows]
        if rows:
            self.cursor.executemany(self.sql(statement), rows)

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows = self.cursor.fetchall()
        if self.dialect == "postgres":
            return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in rows]
        return [tuple(r) for r in rows]

    def fetchone(self) -> tuple[Any, ...] | None:
        row = self.cursor.fetchone()
        if row is None:
            return None
        if self.dialect == "postgres" and isinstance(row, dict):
            return tuple(row.values())
        return tuple(row)

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.execute(statement, params)
        return self.fetchall()

    def bool(self, value: bool) -> Any:
        return value if self.dialect == "postgres" else int(value)


class ReadModel:
    """Base of every read model. Subclasses set the class attributes and ``apply``."""

    name: ClassVar[str] = ""
    version: ClassVar[int] = 1
    #: a class attribute, or set per instance by a model that finds its classes at start-up
    #: (so not a ``ClassVar``)
    topics: tuple[type, ...] = ()
    tables: ClassVar[tuple[Table, ...]] = ()
    #: what replaying the log costs this model, in µs per event of a realistic log on top of
    #: reading it (measured by scripts/bench_rebuild.py); a rebuild over several processes
    #: shares the models out by it
    replay_cost: ClassVar[float] = 1.0

    def wants(self, event: Any) -> bool:
        return not self.topics or isinstance(event, self.topics)

    def relevant(self, events: Sequence[tuple[int, Any]]) -> Sequence[tuple[int, Any]]:
        """The ``(position, event)`` pairs of a batch this model follows, in order."""
        if not self.topics:
            return list(events)
        wants = self.wants
        return [pe for pe in events if wants(pe[1])]

    def reset(self) -> None:
        """Forget in-memory state (after a failed batch, a rebuild switch, a restart).

        A model may cache state between batches, but everything its fold needs must be
        readable back from its own tables: after ``reset`` (or in a fresh instance) it
        loads what it needs through the transaction it is given.
        """

    def fresh(self) -> Self:
        """A new instance with the same configuration (policies) and no cached state."""
        return type(self)()

    def apply(self, tx: Tx, events: Sequence[tuple[int, Any]]) -> None:
        raise NotImplementedError

    def begin_bulk(self) -> None:
        """A rebuild is about to replay the log from 0 into shadow tables that nobody reads
        until they are switched in. A model may then defer its writes to :meth:`flush`."""

    def flush(self, tx: Tx) -> None:
        """The replay of a rebuild is over: write whatever :meth:`apply` deferred."""


def create_statements(table: Table, dialect: str, tx: Tx, token: str) -> list[str]:
    """DDL for ``table`` (with its indexes, named uniquely so shadow copies never clash)."""
    columns = table.columns.format(**TYPES[dialect])
    statements = [f"CREATE TABLE {tx.table(table.name)} ({columns})"]
    for n, cols in enumerate(table.indexes):
        index = f"ix_{table.name}_{token}_{n}"
        statements.append(f'CREATE INDEX "{index}" ON {tx.table(table.name)} ({cols})')
    return statements
