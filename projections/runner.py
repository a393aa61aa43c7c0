"""Running read models over the log: exactly once, one writer at a time, rebuildable.

This is the only module that knows about tracking, locks and following the log.

Exactly once
    A batch of events is folded into a model's tables and the model's tracking position is
    advanced *in the same transaction* (eventsourcing's ``TrackingRecorder._insert_tracking``,
    whose single-row upsert refuses to move a position backwards or sideways). A crash at
    any point leaves either the whole batch or none of it.

One writer
    A runner holds a lock per model while it runs: a PostgreSQL session advisory lock, or an
    exclusive ``flock`` on a file beside the SQLite database. A second runner for the same
    model waits and takes over when the first dies (its session, or its process, ends).

Batches
    Events are read in pages from the notification log (``select_notifications`` with the
    models' topics), decoded once and offered to every model. The stock one-event-per-
    transaction runner of eventsourcing is ~7× slower on rebuilds (EVENTSOURCING-9.5.md).
    When a page is the last one, the position advances to the log's head as read *before*
    the page, so models that follow few topics still report no lag (every id up to the head
    is committed: the library's insert lock serialises commits in id order).

Rebuild
    ``rebuild()`` replays the log from position 0 into shadow tables (suffix ``__rb``) while
    the live tables keep serving reads, then whoever holds the model's lock — a live runner
    or the rebuild itself — catches the shadow up to the head and swaps it in, with the
    tracking position, in ONE transaction.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore, SQLiteTrackingRecorder
from eventsourcing.utils import get_topic

from projections.base import ReadModel, Tx, create_statements

log = logging.getLogger(__name__)

SHADOW = "__rb"
PG_TRACKING_TABLE = "hallledger_projection_tracking"
Progress = Callable[[int, int, float], None]


def connection_kwargs(datastore: PostgresDatastore) -> dict[str, Any]:
    """What a connection of its own (advisory locks, LISTEN) needs from the pool's settings."""
    kwargs = datastore.pool.kwargs or {}
    if callable(kwargs):  # psycopg_pool also takes a function returning them
        kwargs = kwargs()
    return {k: kwargs[k] for k in ("dbname", "host", "port", "user", "password") if k in kwargs}


class ProjectionStore:
    """The database the read models live in: the ledger's own, beside the events."""

    def __init__(self, app: Application[Any]) -> None:
        self.app = app
        recorder = app.recorder
        if not isinstance(recorder, PostgresApplicationRecorder | SQLiteApplicationRecorder):
            raise TypeError(
                f"read models live beside the events in SQLite or PostgreSQL, not {type(recorder).__name__}"
            )
        self.recorder: Any = recorder
        self.datastore: PostgresDatastore | SQLiteDatastore = recorder.datastore
        if isinstance(self.datastore, PostgresDatastore):
            self.dialect = "postgres"
            self.schema: str | None = self.datastore.schema
            self.tracking: SQLiteTrackingRecorder | PostgresTrackingRecorder = PostgresTrackingRecorder(
                self.datastore, tracking_table_name=PG_TRACKING_TABLE
            )
        else:
            assert isinstance(self.datastore, SQLiteDatastore)
            self.dialect = "sqlite"
            self.schema = None
            self.tracking = SQLiteTrackingRecorder(self.datastore)
        self.tracking.create_table()
        with self.transaction() as tx:
            text, integer = "TEXT", ("BIGINT" if self.dialect == "postgres" else "INTEGER")
            tx.execute(
                f"CREATE TABLE IF NOT EXISTS {tx.plain('projection_meta')} "
                f"(name {text} PRIMARY KEY, version {integer} NOT NULL, token {text} NOT NULL)"
            )
            tx.execute(
                f"CREATE TABLE IF NOT EXISTS {tx.plain('projection_rebuilds')} "
                f"(name {text} PRIMARY KEY, position {integer} NOT NULL, status {text} NOT NULL, "
                f"token {text} NOT NULL)"
            )

    # ── transactions and positions ───────────────────────────────────────────

    @contextlib.contextmanager
    def transaction(self, suffix: str = "") -> Iterator[Tx]:
        with self.datastore.transaction(commit=True) as cursor:
            yield Tx(cursor, self.dialect, self.schema, suffix, emitter=self._emit, recorded=self._recorded)

    def _recorded(self, tx: Tx, keys: list[tuple[Any, int]]) -> set[tuple[Any, int]]:
        """The ``(originator_id, originator_version)`` pairs of ``keys`` the events table holds
        (one query per few hundred streams, not one per event)."""
        found: set[tuple[Any, int]] = set()
        if not keys:
            return found
        qualified = tx.plain(self.recorder.events_table_name)
        wanted = set(keys)
        streams = sorted({originator for originator, _ in wanted})
        for start in range(0, len(streams), 500):
            chunk = streams[start : start + 500]
            if self.dialect == "postgres":
                rows = tx.query(
                    f"SELECT originator_id, originator_version FROM {qualified} WHERE originator_id = ANY(?)", (chunk,)
                )
                held = {(UUID(str(o)), int(v)) for o, v in rows}
            else:
                marks = ", ".join("?" * len(chunk))
                rows = tx.query(
                    f"SELECT originator_id, originator_version FROM {qualified} WHERE originator_id IN ({marks})",
                    [o.hex for o in chunk],
                )
                held = {(UUID(o), int(v)) for o, v in rows}
            found |= held & wanted
        return found

    def _emit(self, tx: Tx, events: list[Any]) -> list[Any]:
        """Insert events with the application recorder's in-transaction hook."""
        if not events:
            return []
        if self.dialect == "postgres":
            # Take the insert lock before looking: another follower (a live detector while
            # its rebuild switches in) cannot append the same candidate in between.
            self.recorder._lock_table(tx.cursor)
        held = self._recorded(tx, [(e.originator_id, e.originator_version) for e in events])
        fresh = [e for e in events if (e.originator_id, e.originator_version) not in held]
        stored = [self.app.mapper.to_stored_event(e) for e in fresh]
        if stored:
            if self.dialect == "postgres":
                self.recorder._insert_stored_events(tx.cursor, stored)  # locks the table, notifies
            else:
                self.recorder._insert_events(tx.cursor, stored)
        return fresh

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    def tracked(self, name: str) -> int:
        return self.tracking.max_tracking_id(name) or 0

    def advance(self, tx: Tx, name: str, position: int) -> None:
        """Record ``position`` for ``name`` in ``tx`` (refused unless it moves forward)."""
        self.tracking._insert_tracking(tx.cursor, Tracking(name, position))

    def force_tracking(self, tx: Tx, name: str, position: int) -> None:
        table = self._tracking_table()
        tx.execute(f"DELETE FROM {table} WHERE application_name = ?", (name,))
        if position > 0:
            tx.execute(f"INSERT INTO {table} (application_name, notification_id) VALUES (?, ?)", (name, position))

    def _tracking_table(self) -> str:
        if self.dialect == "postgres":
            return f'"{self.schema}"."{PG_TRACKING_TABLE}"'
        return "tracking"

    # ── tables ───────────────────────────────────────────────────────────────

    def table_exists(self, tx: Tx, name: str) -> bool:
        if self.dialect == "postgres":
            rows = tx.query(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
                (self.schema, name),
            )
        else:
            rows = tx.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return bool(rows)

    def create_tables(self, tx: Tx, model: ReadModel) -> str:
        token = secrets.token_hex(4)
        for table in model.tables:
            tx.execute(f"DROP TABLE IF EXISTS {tx.table(table.name)}")
            for statement in create_statements(table, self.dialect, tx, token):
                tx.execute(statement)
        return token

    def ensure(self, model: ReadModel) -> None:
        """Create a model's tables on first use; start it over when its version changed."""
        with self.transaction() as tx:
            row = tx.query(f"SELECT version FROM {tx.plain('projection_meta')} WHERE name = ?", (model.name,))
            missing = any(not self.table_exists(tx, t.name) for t in model.tables)
            if row and row[0][0] == model.version and not missing:
                return
            if row:
                log.warning("read model %s: version %s → %s, rebuilding from 0", model.name, row[0][0], model.version)
            token = self.create_tables(tx, model)
            self.force_tracking(tx, model.name, 0)
            self._set_meta(tx, model, token)
        model.reset()

    def _set_meta(self, tx: Tx, model: ReadModel, token: str) -> None:
        tx.execute(f"DELETE FROM {tx.plain('projection_meta')} WHERE name = ?", (model.name,))
        tx.execute(
            f"INSERT INTO {tx.plain('projection_meta')} (name, version, token) VALUES (?, ?, ?)",
            (model.name, model.version, token),
        )

    # ── locks: one writer per model ──────────────────────────────────────────

    @contextlib.contextmanager
    def lock(self, names: Sequence[str], *, stop: threading.Event | None = None, wait: bool = True) -> Iterator[bool]:
        """Hold the writer lock of every model in ``names``; yields False if not acquired."""
        if self.dialect == "postgres":
            with self._pg_locks(names, stop=stop, wait=wait) as held:
                yield held
        else:
            with self._file_locks(names, stop=stop, wait=wait) as held:
                yield held

    def _lock_key(self, name: str) -> int:
        digest = hashlib.sha256(f"hall-ledger/{self.schema}/{name}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    @contextlib.contextmanager
    def _pg_locks(self, names: Sequence[str], *, stop: threading.Event | None, wait: bool) -> Iterator[bool]:
        assert isinstance(self.datastore, PostgresDatastore)
        conn = psycopg.connect(**connection_kwargs(self.datastore), autocommit=True)
        try:
            keys = sorted(self._lock_key(n) for n in names)  # a fixed order: no deadlock between runners
            held: list[int] = []
            for key in keys:
                while True:
                    row = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
                    if row and row[0]:
                        held.append(key)
                        break
                    if not wait or (stop is not None and stop.is_set()):
                        for k in held:
                            conn.execute("SELECT pg_advisory_unlock(%s)", (k,))
                        yield False
                        return
                    (stop.wait(0.5) if stop else time.sleep(0.5))
            yield True
        finally:
            conn.close()  # ends the session: every advisory lock it held is released

    @contextlib.contextmanager
    def _file_locks(self, names: Sequence[str], *, stop: threading.Event | None, wait: bool) -> Iterator[bool]:
        assert isinstance(self.datastore, SQLiteDatastore)
        base = Path(self.datastore.pool.db_name)
        handles = []
        try:
            for name in sorted(names):
                handle = open(f"{base}.{name}.lock", "a+")  # noqa: SIM115 - held for the whole run
                handles.append(handle)
                while True:
                    try:
                        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if not wait or (stop is not None and stop.is_set()):
                            yield False
                            return
                        (stop.wait(0.2) if stop else time.sleep(0.2))
            yield True
        finally:
            for handle in handles:
                handle.close()  # closing releases the flock

    # ── rebuild bookkeeping ──────────────────────────────────────────────────

    def pending_rebuild(self, name: str) -> tuple[int, str] | None:
        with self.transaction() as tx:
            rows = tx.query(
                f"SELECT position, token FROM {tx.plain('projection_rebuilds')} WHERE name = ? AND status = 'ready'",
                (name,),
            )
        return (int(rows[0][0]), str(rows[0][1])) if rows else None

    def rebuild_status(self, name: str) -> str | None:
        with self.transaction() as tx:
            rows = tx.query(f"SELECT status FROM {tx.plain('projection_rebuilds')} WHERE name = ?", (name,))
        return str(rows[0][0]) if rows else None

    def set_rebuild(self, tx: Tx, name: str, position: int, status: str, token: str) -> None:
        tx.execute(f"DELETE FROM {tx.plain('projection_rebuilds')} WHERE name = ?", (name,))
        tx.execute(
            f"INSERT INTO {tx.plain('projection_rebuilds')} (name, position, status, token) VALUES (?, ?, ?, ?)",
            (name, position, status, token),
        )


@dataclass
class Batch:
    """What one pass over the log read: decoded events and the position it reaches."""

    events: list[tuple[int, Any]]
    end: int


def topics_of(models: Sequence[ReadModel]) -> list[str]:
    """The union of the models' topics; empty when any model follows every event."""
    if any(not m.topics for m in models):
        return []
    topics: set[str] = set()
    for model in models:
        topics.update(get_topic(cls) for cls in model.topics)
    return sorted(topics)


def read_batch(store: ProjectionStore, after: int, head: int, limit: int, topics: Sequence[str]) -> Batch:
    notifications = store.recorder.select_notifications(
        start=after, limit=limit, stop=head, topics=list(topics), inclusive_of_start=False
    )
    mapper = store.app.mapper
    events = [(n.id, mapper.to_domain_event(n)) for n in notifications]
    end = head if len(notifications) < limit else notifications[-1].id
    return Batch(events, end)


def apply_batch(tx: Tx, model: ReadModel, batch: Batch, after: int) -> None:
    events = batch.events
    if events and events[0][0] <= after:  # the model is ahead of the batch's start
        events = [(p, e) for p, e in events if p > after]
    model.apply(tx, model.relevant(events))


@dataclass
class RunnerStats:
    batches: int = 0
    events: int = 0
    last_batch_seconds: float = 0.0
    positions: dict[str, int] = field(default_factory=dict)


class ProjectionRunner:
    """Follows the log for a set of read models (one process, one writer per model)."""

    def __init__(
        self,
        app: Application[Any],
        models: Sequence[ReadModel],
        *,
        batch_size: int = 2000,
        poll_interval: float = 0.25,
        store: ProjectionStore | None = None,
    ) -> None:
        if not models:
            raise ValueError("a runner needs at least one read model")
        names = [m.name for m in models]
        if len(set(names)) != len(names):
            raise ValueError(f"read model names must be unique: {names}")
        self.store = store or ProjectionStore(app)
        self.models = list(models)
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.topics = topics_of(self.models)
        self.stats = RunnerStats()
        self._positions: dict[str, int] = {}
        self._listener: psycopg.Connection[Any] | None = None

    @property
    def names(self) -> list[str]:
        return [m.name for m in self.models]

    def positions(self) -> dict[str, int]:
        return dict(self._positions)

    def prepare(self) -> None:
        """Create or upgrade the models' tables and read their positions (lock held)."""
        for model in self.models:
            self.store.ensure(model)
            model.reset()
            self._positions[model.name] = self.store.tracked(model.name)
        self.stats.positions = self.positions()

    # ── one step ─────────────────────────────────────────────────────────────

    def step(self) -> int:
        """Fold the next batch into every model; return how many events were read."""
        self._complete_pending_rebuilds()
        head = self.store.head()
        after = min(self._positions.values())
        if after >= head:
            return 0
        started = time.perf_counter()
        batch = read_batch(self.store, after, head, self.batch_size, self.topics)
        try:
            with self.store.transaction() as tx:
                for model in self.models:
                    position = self._positions[model.name]
                    if batch.end <= position:
                        continue
                    apply_batch(tx, model, batch, position)
                    self.store.advance(tx, model.name, batch.end)
        except BaseException:
            # the transaction rolled back: in-memory state may hold the batch's effects
            for model in self.models:
                model.reset()
            raise
        for model in self.models:
            self._positions[model.name] = max(self._positions[model.name], batch.end)
        self.stats.batches += 1
        self.stats.events += len(batch.events)
        self.stats.last_batch_seconds = time.perf_counter() - started
        self.stats.positions = self.positions()
        return len(batch.events) or 1

    def catch_up(self) -> int:
        """Process everything up to the current head; return the position reached."""
        while self.step():
            pass
        return min(self._positions.values())

    # ── following ────────────────────────────────────────────────────────────

    def run(self, stop: threading.Event, *, on_ready: Callable[[], None] | None = None) -> None:
        """Hold the models' locks (waiting for another runner to die) and follow the log."""
        with self.store.lock(self.names, stop=stop) as held:
            if not held:
                return
            self.prepare()
            if on_ready:
                on_ready()
            while not stop.is_set():
                try:
                    if self.step():
                        continue
                except Exception:
                    log.exception("read models %s: batch failed; retrying", ", ".join(self.names))
                    stop.wait(1.0)
                    self.prepare()
                    continue
                self._wait_for_new(stop)
        self._close_listener()

    def _wait_for_new(self, stop: threading.Event) -> None:
        if self.store.dialect == "postgres":
            try:
                listener = self._listen()
                for _ in listener.notifies(timeout=self.poll_interval, stop_after=1):
                    break
                return
            except psycopg.Error:
                self._close_listener()
        stop.wait(self.poll_interval)

    def _listen(self) -> psycopg.Connection[Any]:
        if self._listener is None or self._listener.closed:
            datastore = self.store.datastore
            assert isinstance(datastore, PostgresDatastore)
            self._listener = psycopg.connect(**connection_kwargs(datastore), autocommit=True)
            self._listener.execute(f'LISTEN "{self.store.recorder.channel_name}"')
        return self._listener

    def _close_listener(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):
                self._listener.close()
            self._listener = None

    # ── rebuild switch (run by the lock holder) ──────────────────────────────

    def _complete_pending_rebuilds(self) -> None:
        for model in self.models:
            pending = self.store.pending_rebuild(model.name)
            if pending is not None:
                position = switch_in_rebuild(self.store, model, *pending, batch_size=self.batch_size)
                self._positions[model.name] = position


def switch_in_rebuild(store: ProjectionStore, model: ReadModel, position: int, token: str, *, batch_size: int) -> int:
    """Catch a finished shadow copy up to the head and swap it in (caller holds the lock)."""
    shadow = model.fresh()
    topics = topics_of([shadow])
    while True:
        head = store.head()
        if position >= head:
            break
        batch = read_batch(store, position, head, batch_size, topics)
        with store.transaction(SHADOW) as tx:
            apply_batch(tx, shadow, batch, position)
        position = batch.end
    with store.transaction() as tx:
        head = store.head()
        if head > position:  # events arrived meanwhile: fold them into the shadow first
            batch = read_batch(store, position, head, 1_000_000, topics)
            shadow_tx = Tx(tx.cursor, tx.dialect, tx.schema, SHADOW, emitter=store._emit, recorded=store._recorded)
            apply_batch(shadow_tx, shadow, batch, position)
            position = batch.end
        for table in model.tables:
            tx.execute(f"DROP TABLE IF EXISTS {tx.table(table.name)}")
            shadow_name = Tx(tx.cursor, tx.dialect, tx.schema, SHADOW).table(table.name)
            tx.execute(f'ALTER TABLE {shadow_name} RENAME TO "{table.name}"')
        store.force_tracking(tx, model.name, position)
        store._set_meta(tx, model, token)
        store.set_rebuild(tx, model.name, position, "done", token)
    model.reset()
    return position


@dataclass
class RebuildReport:
    names: list[str]
    events: int
    position: int
    seconds: float
    switched_by: str  # "rebuild" or "runner"

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def rebuild(
    app: Application[Any],
    models: Sequence[ReadModel],
    *,
    batch_size: int = 5000,
    progress: Progress | None = None,
    switch_timeout: float = 600.0,
    store: ProjectionStore | None = None,
) -> RebuildReport:
    """Replay the log from 0 into fresh (shadow) tables, then switch atomically."""
    with _few_collections():
        return _rebuild(
            app, models, batch_size=batch_size, progress=progress, switch_timeout=switch_timeout, store=store
        )


@contextlib.contextmanager
def _few_collections() -> Iterator[None]:
    """A replay allocates millions of short-lived objects beside large, long-lived read-model
    state; the cyclic collector would traverse that state over and over (measured: 15–30 % of
    a rebuild). Decoded events form no reference cycles (reference counting frees them), so
    the collector only runs rarely while replaying, and once at the end."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], 1_000_000), max(before[1], 100), max(before[2], 100))
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.collect()


def _rebuild(
    app: Application[Any],
    models: Sequence[ReadModel],
    *,
    batch_size: int,
    progress: Progress | None,
    switch_timeout: float,
    store: ProjectionStore | None,
) -> RebuildReport:
    store = store or ProjectionStore(app)
    shadows = [m.fresh() for m in models]
    tokens: dict[str, str] = {}
    with store.transaction(SHADOW) as tx:
        for shadow in shadows:
            tokens[shadow.name] = store.create_tables(tx, shadow)
            store.set_rebuild(tx, shadow.name, 0, "building", tokens[shadow.name])
    for shadow in shadows:
        shadow.reset()
        shadow.begin_bulk()
    head = store.head()
    topics = topics_of(shadows)
    started = time.perf_counter()
    position = 0
    read = 0
    while position < head:
        batch = read_batch(store, position, head, batch_size, topics)
        with store.transaction(SHADOW) as tx:
            for shadow in shadows:
                apply_batch(tx, shadow, batch, position)
        read += len(batch.events)
        position = batch.end
        if progress:
            progress(position, head, time.perf_counter() - started)
    with store.transaction(SHADOW) as tx:
        for shadow in shadows:
            shadow.flush(tx)
    with store.transaction() as tx:
        for shadow in shadows:
            store.set_rebuild(tx, shadow.name, position, "ready", tokens[shadow.name])
    names = [m.name for m in models]
    switched_by = "runner"
    with store.lock(names, wait=False) as held:
        if held:
            for model in models:
                pending = store.pending_rebuild(model.name)
                if pending is not None:
                    switch_in_rebuild(store, model, *pending, batch_size=batch_size)
            switched_by = "rebuild"
    deadline = time.monotonic() + switch_timeout
    while any(store.rebuild_status(n) != "done" for n in names):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the live runner did not switch in the rebuilt {', '.join(names)}")
        time.sleep(0.1)
    return RebuildReport(names, read, max(store.tracked(n) for n in names), time.perf_counter() - started, switched_by)
