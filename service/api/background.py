"""What ``hall-ledger serve`` runs beside the HTTP service, each in a thread, all stopped by
one event on shutdown:

- the read models: one :class:`~projections.runner.ProjectionRunner` over
  :func:`projections.registry.all_models` (one writer per model: with ``hall-ledger project``
  running elsewhere, this one waits and takes over if that one dies);
- the verifiable ledger: the ``ledger_tree`` model and its signed checkpoints
  (:func:`service.transparency.follow_tree`, which also signs a due checkpoint while the log is
  idle) — when the deployment has its signing key (``hall-ledger init``);
- housekeeping: idempotency keys older than ``api_idempotency_retention_hours`` are purged.

``/readyz`` reports how far each read model lags (``ProjectionLag``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from projections.registry import all_models
from projections.runner import ProjectionRunner
from service.api.idempotency import IdempotencyStore
from service.settings import Settings
from service.transparency import follow_tree, tree_model_if_keyed

log = logging.getLogger("hall_ledger.serve")

#: the longest pause between two purges of old idempotency keys, in seconds
PURGE_EVERY_SECONDS = 3600.0


class Background:
    def __init__(
        self,
        ledger: Any,
        settings: Settings,
        *,
        project: bool = True,
        idempotency: IdempotencyStore | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.ledger = ledger
        self.settings = settings
        self.project = project
        self.idempotency = idempotency or IdempotencyStore(ledger)
        self.now = now
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []
        self.runner: ProjectionRunner | None = None

    def start(self) -> list[str]:
        """Start the threads; the names of what runs."""
        if self.project:
            self.runner = ProjectionRunner(self.ledger, all_models())
            self._spawn("hall-ledger-project", self.runner.run, self.stop_event)
            tree = tree_model_if_keyed(self.settings)
            if tree is not None:
                self._spawn("hall-ledger-tree", follow_tree, self.ledger, self.settings, self.stop_event, model=tree)
        self._spawn("hall-ledger-housekeeping", self.housekeeping)
        return [t.name for t in self.threads]

    def _spawn(self, name: str, target: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        def run() -> None:
            try:
                target(*args, **kwargs)
            except Exception:  # a dying thread must say so; the HTTP service keeps answering
                log.exception("%s stopped with an error", name)

        thread = threading.Thread(target=run, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def purge_once(self) -> int:
        """Delete idempotency keys older than the retention; how many were deleted."""
        cutoff = self.now() - timedelta(hours=self.settings.api_idempotency_retention_hours)
        return self.idempotency.purge(before=cutoff)

    def housekeeping(self) -> None:
        interval = min(PURGE_EVERY_SECONDS, self.settings.api_idempotency_retention_hours * 3600 / 24)
        while not self.stop_event.is_set():
            try:
                purged = self.purge_once()
                if purged:
                    log.info(
                        "purged %d idempotency keys older than %d hours",
                        purged,
                        self.settings.api_idempotency_retention_hours,
                    )
            except Exception:
                log.exception("purging old idempotency keys failed; trying again later")
            self.stop_event.wait(interval)

    def stop(self, timeout: float = 15.0) -> bool:
        """Stop every thread (True: all of them ended within ``timeout`` seconds each)."""
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout)
        return not any(t.is_alive() for t in self.threads)
