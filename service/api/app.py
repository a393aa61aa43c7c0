"""The FastAPI application: ``create_app(settings, ledger=None, clock=None)``.

One :class:`~service.application.HallLedger` per process (opened when not given; closed on
shutdown only if opened here); the services around it are built once by
:func:`service.api.bootstrap.bootstrap`. Routes live in ``service/api/routes/<resource>.py``,
one module per resource named as its URL; versioned under ``/api/v1`` (the transparency
log's public ``/ledger/…`` outside it); OpenAPI at ``/openapi.json``, docs at ``/docs``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.utils import get_openapi

from service.api.access import routes_of
from service.api.bootstrap import bootstrap
from service.api.deps import authorise
from service.api.limits import BodyLimitMiddleware
from service.api.metrics import MetricsMiddleware
from service.api.personal import Vault
from service.api.problems import PROBLEM_RESPONSES, install_problem_handlers, problem_media_types
from service.api.routes import (
    appeals,
    applications,
    assessments,
    assets,
    attendance,
    consultations,
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
    schemas,
    staff,
    transparency,
    violations,
)
from service.app_base import Clock
from service.application import HallLedger
from service.settings import Settings

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


def create_app(
    settings: Settings | None = None,
    ledger: HallLedger | None = None,
    clock: Clock | None = None,
    *,
    vault: Vault | None = None,
    projection_lag: Callable[[], dict[str, int]] | None = None,
) -> FastAPI:
    """The HTTP service on ``ledger`` (or on a ledger opened from ``settings`` with ``clock``).

    The services are built once, here, by :func:`service.api.bootstrap.bootstrap` (``vault``
    and ``projection_lag`` are passed on to it); the ledger is closed on shutdown only if it
    was opened here.
    """
    owned = ledger is None
    services = bootstrap(settings, ledger, clock, vault=vault, projection_lag=projection_lag)
    settings = services.settings

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            services.ledger.close()

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
    app.add_middleware(MetricsMiddleware, metrics=services.metrics, template=services.template)

    app.include_router(health.router)
    app.include_router(metrics.router)
    api = APIRouter(prefix=API_PREFIX)
    guarded = [Depends(authorise)]
    for module in (
        organisation,
        staff,
        violations,
        appeals,
        inquiries,
        applications,
        disclosure,
        consultations,
        attendance,
        duty,
        assets,
        inspections,
        evaluations,
        hall_days,
        assessments,
        kpis,
        events,
    ):
        api.include_router(module.router, dependencies=guarded)
    api.include_router(schemas.router)
    api.include_router(transparency.receipts, dependencies=guarded)
    app.include_router(api)
    app.include_router(transparency.router)  # /ledger/…: outside /api/v1, as verifiers expect
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
