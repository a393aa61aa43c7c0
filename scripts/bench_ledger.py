#!/usr/bin/env python
"""Benchmark: the ledger's Merkle tree keeps up with ingestion, and proofs stay fast at 1M leaves.

    python scripts/bench_ledger.py [--events 20000] [--leaves 1000000] [--proofs 1000] [--db DIR]

In one run, on one store:

1. **Append rate** — commands through :class:`service.application.HallLedger`, one
   transaction each, in a realistic mix: violations recorded by an inspector and
   confirmed by a second one (now and then dismissed), new staff onboarded and posted —
   until the log holds ``--events`` events. Events/s.
2. **Tree rate** — the ``ledger_tree`` read model catching up from position 0 over that
   same log (``ProjectionRunner``, batches of 2,000, checkpoints signed every 1,000 leaves):
   decode, RFC 8785 leaf, SHA-256, perfect-subtree nodes, tracking — events/s, and its
   ratio to the append rate (the target is ≥ 5×).
3. **Proofs at scale** — a tree of ``--leaves`` random leaf hashes bulk-loaded through the
   appender (``merkle.append_leaves``) straight into the node table of a second store, then
   ``--proofs`` random inclusion proofs at the full size through
   :meth:`service.transparency.TransparencyLog.inclusion` (a read transaction, the tree head, one
   ``SELECT`` of the path's nodes): median and p95 in ms (the target median is < 5 ms).
   Each proof is checked against the root.

SQLite by default (files under ``--db`` or a temp dir); PostgreSQL when
``HALL_LEDGER_DATABASE_URL`` is set (schemas ``bench_ledger`` and ``bench_ledger_tree``,
dropped before and, unless ``--keep``, after). Results go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from domain.envelope import Actor  # noqa: E402
from domain.errors import DomainError  # noqa: E402
from projections.runner import ProjectionRunner, ProjectionStore  # noqa: E402
from projections.transparency.keys import SigningKey  # noqa: E402
from projections.transparency.merkle import Frontier, append_leaves, verify_inclusion  # noqa: E402
from projections.transparency.tree import NODES_TABLE, TreeHead, TreeModel, node_id, write_head  # noqa: E402
from service.application import HallLedger, open_ledger  # noqa: E402
from service.settings import Settings  # noqa: E402
from service.transparency import TransparencyLog  # noqa: E402

MANAGER = Actor("mgr-zhang", "hall_manager")
INSPECTORS = (Actor("insp-li", "inspector"), Actor("insp-wu", "inspector"))
RULES = ("ART2.1", "ART6.1", "ART4.1", "ART6.6")
ORIGIN = "hall-ledger.example/bench"


class Clock:
    """The recording clock: one minute per command, from a Monday morning."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=60)
        return self.now


def settings_for(schema: str, directory: Path) -> Settings:
    url = os.environ.get("HALL_LEDGER_DATABASE_URL")
    if url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        return Settings(database_url=url, postgres_schema=schema, key_dir=directory / "keys")
    path = directory / f"{schema}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return Settings(sqlite_path=path, key_dir=directory / "keys")


# --------------------------------------------------------------------------- 1. appending


def set_up_hall(ledger: HallLedger) -> tuple[UUID, list[UUID]]:
    ledger.establish_hall(MANAGER, name_zh="基准大厅", name_en="Benchmark hall")
    tax = ledger.register_department(MANAGER, code="tax", name_zh="税务局", name_en="Taxation", uniformed=True).id
    windows = [
        ledger.open_window(MANAGER, code=f"W{n:02d}", name_zh=f"窗口{n}", name_en=f"Window {n}", department_id=tax).id
        for n in range(1, 21)
    ]
    return tax, windows


def append(ledger: HallLedger, events: int, rng: random.Random) -> tuple[int, float, int]:
    """Commands until the log holds ``events`` events: (events appended, seconds, commands)."""
    tax, windows = set_up_hall(ledger)
    staff: list[UUID] = []
    start_events = ledger.recorder.max_notification_id() or 0
    commands = 0
    started = time.perf_counter()
    while (ledger.recorder.max_notification_id() or 0) < events:
        try:
            if not staff or rng.random() < 0.08:
                number = len(staff) + 1
                person = ledger.onboard_staff(
                    MANAGER, staff_no=f"S{number:05d}", name=f"职员{number}", department_id=tax
                ).id
                ledger.post_staff(MANAGER, staff_id=person, window_id=rng.choice(windows), start=date(2026, 1, 5))
                staff.append(person)
                commands += 2
                continue
            recorder, confirmer = rng.sample(INSPECTORS, 2)
            violation = ledger.record_violation(
                recorder, rule=rng.choice(RULES), staff_id=rng.choice(staff), evidence="observed on the floor"
            ).id
            if rng.random() < 0.9:
                ledger.confirm_violation(confirmer, violation_id=violation)
            else:
                ledger.dismiss_violation(confirmer, violation_id=violation, reason="not borne out by the video")
            commands += 2
        except DomainError:
            commands += 1
    elapsed = time.perf_counter() - started
    return (ledger.recorder.max_notification_id() or 0) - start_events, elapsed, commands


# --------------------------------------------------------------------------- 2. the tree following


def tree_catch_up(ledger: HallLedger, key: SigningKey) -> tuple[int, float, int]:
    model = TreeModel(key, origin=ORIGIN)
    runner = ProjectionRunner(ledger, [model], batch_size=2000)
    runner.prepare()
    started = time.perf_counter()
    position = runner.catch_up()
    return position, time.perf_counter() - started, len(model.issued)


# --------------------------------------------------------------------------- 3. proofs at 1M leaves


def bulk_tree(ledger: HallLedger, leaves: int) -> tuple[ProjectionStore, bytes, float]:
    """``leaves`` random leaf hashes appended through the appender straight into the node table."""
    store = ProjectionStore(ledger)
    store.ensure(TreeModel(origin=ORIGIN))
    started = time.perf_counter()
    frontier = Frontier.empty()
    chunk = 100_000
    for start in range(0, leaves, chunk):
        hashes = [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(start, min(start + chunk, leaves))]
        appended = append_leaves(frontier, hashes)
        rows = [(node_id(level, index), digest) for level, index, digest in appended.nodes]
        with store.transaction() as tx:
            if tx.dialect == "postgres":
                with tx.cursor.copy(f"COPY {tx.table(NODES_TABLE)} (id, hash) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                tx.executemany(f"INSERT INTO {{t:{NODES_TABLE}}} (id, hash) VALUES (?, ?)", rows)
            write_head(tx, TreeHead(appended.size, appended.root, 0))
        frontier = appended.frontier
    if store.dialect == "postgres":
        with store.transaction() as tx:
            tx.execute(f"ANALYZE {tx.table(NODES_TABLE)}")
    return store, frontier.root, time.perf_counter() - started


def time_proofs(ledger: HallLedger, store: ProjectionStore, size: int, root: bytes, count: int, rng: random.Random):  # type: ignore[no-untyped-def]
    tree = TransparencyLog(ledger, store=store)
    for _ in range(20):  # warm the pool and the caches
        tree.inclusion(rng.randrange(size), size)
    timings = []
    for _ in range(count):
        index = rng.randrange(size)
        started = time.perf_counter()
        answer = tree.inclusion(index, size)
        timings.append((time.perf_counter() - started) * 1000)
        verify_inclusion(index, size, answer.leaf_hash, answer.inclusion_path, root)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], timings[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000, help="events to append through commands")
    parser.add_argument("--leaves", type=int, default=1_000_000, help="leaves of the proof-timing tree")
    parser.add_argument("--proofs", type=int, default=1_000, help="inclusion proofs to time")
    parser.add_argument("--db", type=Path, help="directory for the SQLite files (default: a temp dir)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark's databases")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    directory = args.db or Path(tempfile.mkdtemp(prefix="bench-ledger-"))
    directory.mkdir(parents=True, exist_ok=True)
    key = SigningKey.generate(ORIGIN)

    settings = settings_for("bench_ledger", directory)
    print(f"store: {settings.describe_store()}", flush=True)
    ledger = open_ledger(settings, clock=Clock())
    appended, append_seconds, commands = append(ledger, args.events, rng)
    append_rate = appended / append_seconds
    print(f"append   {appended:,} events ({commands:,} commands) in {append_seconds:.1f}s: {append_rate:,.0f} events/s")
    position, tree_seconds, signed = tree_catch_up(ledger, key)
    tree_rate = position / tree_seconds
    print(
        f"tree     {position:,} leaves from 0 in {tree_seconds:.2f}s: {tree_rate:,.0f} events/s "
        f"({signed} checkpoints signed); ratio {tree_rate / append_rate:.1f}× the append rate (target ≥ 5×)"
    )
    ledger.close()

    big = open_ledger(settings_for("bench_ledger_tree", directory))
    store, root, load_seconds = bulk_tree(big, args.leaves)
    print(f"bulk     {args.leaves:,} leaves through the appender into the node table in {load_seconds:.1f}s")
    median, p95, worst = time_proofs(big, store, args.leaves, root, args.proofs, rng)
    print(
        f"proofs   {args.proofs:,} random inclusion proofs at {args.leaves:,} leaves: "
        f"median {median:.3f} ms, p95 {p95:.3f} ms, max {worst:.3f} ms (target median < 5 ms); all verified"
    )
    big.close()
    if not args.keep:
        drop(directory, temporary=args.db is None)
    return 0


def drop(directory: Path, *, temporary: bool) -> None:
    url = os.environ.get("HALL_LEDGER_DATABASE_URL")
    if url:
        with psycopg.connect(url, autocommit=True) as conn:
            for schema in ("bench_ledger", "bench_ledger_tree"):
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
    for path in directory.glob("bench_ledger*.db*"):
        path.unlink()
    if temporary:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
