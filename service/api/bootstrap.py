"""Build the HTTP service's collaborators once, at start-up (Cosmic Python's ``bootstrap.py``).

:func:`bootstrap` wires, in this order: the settings → the :class:`~service.application.HallLedger`
(opened from the settings when not given) → the personal-data vault, the token store, the
idempotency store (their tables created under the schema lock), the read models, the
metrics and the read models' lag → the command gate's factory (a gate per request gets only
the ledger, the idempotency store, the events counter and the hall id). It returns them as
one :class:`Services`, which :func:`service.api.app.create_app` hangs on the FastAPI app and
the routes reach through :mod:`service.api.deps`. Nothing here knows HTTP routing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from fastapi import Request

from projections.registry import all_models
from projections.runner import ProjectionStore
from service.api.gate import CommandGate
from service.api.idempotency import IdempotencyStore
from service.api.metrics import Metrics
from service.api.personal import Vault, ledger_vault
from service.api.reads import ReadModels
from service.api.tokens import Principal, TokenStore
from service.app_base import Clock
from service.application import HallLedger, open_ledger
from service.settings import Settings
from service.stores import schema_lock

#: ``gate(request, principal, idempotency_key)``: the command gate of one request
GateFactory = Callable[[Request, Principal, str | None], CommandGate]


@dataclass
class Services:
    """Everything the routes share: wired once per process by :func:`bootstrap`."""

    settings: Settings
    ledger: HallLedger
    tokens: TokenStore
    idempotency: IdempotencyStore
    metrics: Metrics
    vault: Vault | None
    projection_lag: Callable[[], dict[str, int]]
    #: the read models as the routes query them (freshness, read-your-writes)
    reads: ReadModels
    #: the command gate of a request (:mod:`service.api.gate`)
    gate: GateFactory
    #: each endpoint function's full path template (the access table's keys); filled in by
    #: ``create_app`` once the routes are mounted
    paths: dict[Callable[..., Any], str]

    def template(self, scope: Any) -> str | None:
        """The path template of the route a request matched (None: no route)."""
        route = scope.get("route")
        endpoint = getattr(route, "endpoint", None)
        if endpoint is None:
            return None
        return self.paths.get(endpoint) or getattr(route, "path", None)


class ProjectionLag:
    """Events each registered read model is behind the log (the readiness bound and metrics)."""

    def __init__(self, ledger: HallLedger) -> None:
        self.ledger = ledger
        self._names = [m.name for m in all_models()]
        self._store: ProjectionStore | None = None
        self._lock = threading.Lock()

    def __call__(self) -> dict[str, int]:
        if not self._names:
            return {}
        with self._lock:  # the store creates its control tables once
            if self._store is None:
                self._store = ProjectionStore(self.ledger)
        head = self._store.head()
        return {name: max(0, head - self._store.tracked(name)) for name in self._names}


def bootstrap(
    settings: Settings | None = None,
    ledger: HallLedger | None = None,
    clock: Clock | None = None,
    *,
    vault: Vault | None = None,
    projection_lag: Callable[[], dict[str, int]] | None = None,
) -> Services:
    """The services of the HTTP layer on ``ledger`` (or on a ledger opened from ``settings``
    with ``clock``).

    ``vault`` reveals personal fields to roles allowed to see them (default: the ledger's
    personal-data vault); ``projection_lag`` reports how far each read model lags (default:
    the registered read models' tracking positions).
    """
    settings = settings or Settings()
    if ledger is None:
        ledger = open_ledger(settings, clock=clock)
    tokens = TokenStore(ledger)
    idempotency = IdempotencyStore(ledger, claim_seconds=settings.api_idempotency_claim_seconds)
    with schema_lock(settings):
        tokens.create_table()
        idempotency.create_table()
    metrics = Metrics()
    lag = projection_lag or ProjectionLag(ledger)
    metrics.watch(partial(_log_head, ledger), lag)
    return Services(
        settings=settings,
        ledger=ledger,
        tokens=tokens,
        idempotency=idempotency,
        metrics=metrics,
        vault=vault if vault is not None else ledger_vault(ledger),
        projection_lag=lag,
        reads=ReadModels(ledger, settings),
        gate=partial(
            CommandGate,
            ledger=ledger,
            idempotency=idempotency,
            events_appended=metrics.events_appended,
            hall_id=settings.hall_id,
        ),
        paths={},
    )


def _log_head(ledger: HallLedger) -> int:
    return ledger.recorder.max_notification_id() or 0
