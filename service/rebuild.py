"""A full rebuild of the read models, shared out over several processes.

Replaying the log is CPU-bound Python: one process reads and decodes every event and offers it
to every model. With ``jobs`` processes, each replays the whole log for its share of the
models (shared out by :attr:`~projections.base.ReadModel.replay_cost`, heaviest first onto the
lightest share), into its own shadow tables, and switches its models in as
:func:`projections.runner.rebuild` always does — so reading is paid ``jobs`` times but the
models' work is spread over the cores, and the wall time is that of the slowest share. Each
model's rebuild is the same replay as with one process (a test compares the rows); a model
never sees another's state, so nothing is shared but the log.

The caller's process replays the first share itself; the others run in fresh interpreters
(``spawn``) that open the ledger from the same settings. A share that fails makes the whole
call fail, naming the models and the error; the models of the shares that finished are
switched in (each share is atomic on its own, like any rebuild), the failed ones keep their
current tables.
"""

from __future__ import annotations

import multiprocessing
import time
import traceback
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

from projections.base import ReadModel
from projections.registry import select
from projections.runner import Progress, RebuildReport, rebuild
from service.application import HallLedger, open_ledger
from service.settings import Settings


class RebuildFailed(RuntimeError):
    """A share of a parallel rebuild failed (its models keep their current tables)."""


def shares(models: Sequence[ReadModel], jobs: int) -> list[list[ReadModel]]:
    """The models shared out over at most ``jobs`` processes: heaviest first onto the lightest
    share (each share keeps the models' own order). Never an empty share."""
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    count = min(jobs, len(models))
    if count <= 1:
        return [list(models)]
    loads = [0.0] * count
    owner: dict[int, int] = {}
    for i in sorted(range(len(models)), key=lambda i: -models[i].replay_cost):
        share = loads.index(min(loads))
        owner[i] = share
        loads[share] += models[i].replay_cost
    return [[m for i, m in enumerate(models) if owner[i] == share] for share in range(count)]


def rebuild_models(
    ledger: HallLedger,
    models: Sequence[ReadModel],
    *,
    jobs: int = 1,
    batch_size: int = 5000,
    progress: Progress | None = None,
) -> RebuildReport:
    """Rebuild ``models`` from position 0 with ``jobs`` processes (``progress`` follows the
    first share, replayed in this process); the report's seconds are the wall time of all."""
    parts = shares(models, jobs)
    if len(parts) == 1:
        return rebuild(ledger, parts[0], batch_size=batch_size, progress=progress)
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    workers: list[tuple[list[str], Any, Connection]] = []
    for part in parts[1:]:
        names = [m.name for m in part]
        receive, send = context.Pipe(duplex=False)
        process = context.Process(
            target=_replay_share, args=(ledger.settings, names, batch_size, send), name=f"rebuild {','.join(names)}"
        )
        process.start()
        send.close()
        workers.append((names, process, receive))
    failures: list[str] = []
    reports: list[RebuildReport] = []
    try:
        reports.append(rebuild(ledger, parts[0], batch_size=batch_size, progress=progress))
    except Exception as error:  # the other shares still finish (and switch in) before we say so
        failures.append(f"{', '.join(m.name for m in parts[0])}: {error!r}")
    for names, process, receive in workers:
        try:
            result = receive.recv()
        except EOFError:  # the process ended without a word (killed, out of memory)
            result = None
        process.join()
        if isinstance(result, RebuildReport):
            reports.append(result)
        else:
            failures.append(f"{', '.join(names)}: {result or f'exit code {process.exitcode}'}")
    if failures:
        raise RebuildFailed("rebuild failed for " + "; ".join(failures))
    order = {m.name: i for i, m in enumerate(models)}
    return RebuildReport(
        names=sorted((n for r in reports for n in r.names), key=order.__getitem__),
        events=max(r.events for r in reports),
        position=min(r.position for r in reports),
        seconds=time.perf_counter() - started,
        switched_by=", ".join(sorted({r.switched_by for r in reports})),
    )


def _named(settings: Settings, names: list[str]) -> list[ReadModel]:
    """The registered models and, by its name, the ledger's tree (which signs with the hall's key)."""
    from service.transparency import TREE_MODEL, tree_model

    registered = {m.name: m for m in select([n for n in names if n != TREE_MODEL])}
    return [tree_model(settings) if n == TREE_MODEL else registered[n] for n in names]


def _replay_share(settings: Settings, names: list[str], batch_size: int, send: Connection) -> None:
    """In a fresh process: open the ledger and rebuild these models; send the report or the error."""
    try:
        ledger = open_ledger(settings, create_schema=False)
        try:
            send.send(rebuild(ledger, _named(settings, names), batch_size=batch_size))
        finally:
            ledger.close()
    except BaseException:  # whatever it was goes to the parent, which raises
        send.send(traceback.format_exc(limit=3).strip().splitlines()[-1])
    finally:
        send.close()
