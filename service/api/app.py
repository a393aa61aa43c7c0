"""The FastAPI application: ``create_app(settings, ledger=None, clock=None)``.

One :class:`~service.application.HallLedger` per process (opened here when not given;
closed on shutdown only if opened here). Routes live in ``service/api/routes/<resource>.py``;
versioned under ``/api/v1``; OpenAPI at ``/openapi.json``, docs at ``/docs``.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.utils import get_openapi

from projections.registry import all_models
from projections.runner import ProjectionStore
from service.api.access import routes_of
from service.api.deps import Services, authorise
from service.api.idempotency import IdempotencyStore
from service.api.limits import BodyLimitMiddleware
from service.api.metrics import Metrics, MetricsMiddleware
from service.api.personal import Vault, ledger_vault
from service.api.problems import PROBLEM_RESPONSES, install_problem_handlers, problem_media_types
from service.api.reads import ReadModels
from service.api.routes import (
    appeals,
    assessments,
    assets,
    attendance,
    cases,
    consultations,
    decisions,
    disclosure,
    duty,
    evaluations,
    events,
    hall_days,
    health,
    inquiries,
    inspections,
    kpis,
    metrics,
    organisation,
    people,
    schemas,
    staff,
    violations,
)
from service.api.routes import ledger as ledger_routes
from service.api.tokens import TokenStore
from service.app_base import Clock
from service.application import HallLedger, open_ledger
from service.settings import Settings
from service.stores import schema_lock

API_PREFIX = "/api/v1"

DESCRIPTION = """
政务服务大厅审计与纪律账本 · The audit and discipline ledger of a government service hall.

Every command is a POST that records events; the actor is always the authenticated token's
identity (a `staff` token acts only for its own staff member). Send `Idempotency-Key` with
every command (a retry writes nothing new), and `If-Match` with the ETag you read where a
command edits a record. Errors are RFC 9457 `application/problem+json` naming the `field`
at fault and the `rule` that refused it.

Reads come from the read models (docs/read-models.md): each answer says how far they have
read the log (`position`); send `after_position` with a position a command returned to read
your own write. `as_of` (valid time) and `known_at` (record time or ledger position) replay
a person's record as it stood. Who may call what: service/api/access.py. The event feed and
its envelope are documented in docs/event-feed.md.
"""


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


def create_app(
    settings: Settings | None = None,
    ledger: HallLedger | None = None,
    clock: Clock | None = None,
    *,
    vault: Vault | None = None,
    projection_lag: Callable[[], dict[str, int]] | None = None,
) -> FastAPI:
    """The HTTP service on ``ledger`` (or on a ledger opened from ``settings`` with ``clock``).

    ``vault`` reveals personal fields to roles allowed to see them (default: the ledger's
    personal-data vault); ``projection_lag`` reports how far each read model lags (default:
    the registered read models' tracking positions).
    """
    settings = settings or Settings()
    owned = ledger is None
    if ledger is None:
        ledger = open_ledger(settings, clock=clock)
    tokens = TokenStore(ledger)
    idempotency = IdempotencyStore(ledger, claim_seconds=settings.api_idempotency_claim_seconds)
    with schema_lock(settings):
        tokens.create_table()
        idempotency.create_table()
    the_metrics = Metrics()
    lag = projection_lag or ProjectionLag(ledger)
    the_metrics.watch(lambda: ledger.recorder.max_notification_id() or 0, lag)
    services = Services(
        settings=settings,
        ledger=ledger,
        tokens=tokens,
        idempotency=idempotency,
        metrics=the_metrics,
        vault=vault if vault is not None else ledger_vault(ledger),
        projection_lag=lag,
        reads=ReadModels(ledger, settings),
        paths={},
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            ledger.close()

    app = FastAPI(
        title="hall-ledger",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        responses=PROBLEM_RESPONSES,
    )
    app.state.services = services
    install_problem_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.api_max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=the_metrics, template=services.template)

    app.include_router(health.router)
    app.include_router(metrics.router)
    api = APIRouter(prefix=API_PREFIX)
    guarded = [Depends(authorise)]
    for module in (
        organisation,
        staff,
        violations,
        decisions,
        appeals,
        inquiries,
        cases,
        disclosure,
        consultations,
        attendance,
        duty,
        assets,
        inspections,
        evaluations,
        hall_days,
        assessments,
        people,
        kpis,
        events,
    ):
        api.include_router(module.router, dependencies=guarded)
    api.include_router(schemas.router)
    api.include_router(ledger_routes.receipts, dependencies=guarded)
    app.include_router(api)
    app.include_router(ledger_routes.router)  # /ledger/…: outside /api/v1, as verifiers expect
    services.paths.update({endpoint: path for _, path, endpoint in routes_of(app)})

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problem_media_types(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                    tags=app.openapi_tags,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
