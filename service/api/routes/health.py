"""``/healthz`` (the process answers) and ``/readyz`` (the database answers and no read model
lags the log by more than ``api_ready_max_lag`` events)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from service.api.deps import ServicesDep
from service.api.problems import Problem, problem_response

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database is reachable and the read models keep up",
    responses={503: {"model": Problem, "description": "not ready"}},
)
def readyz(request: Request, services: ServicesDep) -> Any:
    try:
        head = services.ledger.recorder.max_notification_id() or 0
    except Exception:  # a readiness probe reports any failure to reach the store
        return problem_response(
            request, status=503, code="database-unreachable", detail="the ledger's database does not answer"
        )
    try:
        lag = services.projection_lag()
    except Exception:
        return problem_response(
            request, status=503, code="projections-unknown", detail="the read models' positions cannot be read"
        )
    bound = services.settings.api_ready_max_lag
    lagging = {name: behind for name, behind in lag.items() if behind > bound}
    if lagging:
        names = ", ".join(f"{n} ({b} behind)" for n, b in sorted(lagging.items()))
        return problem_response(
            request, status=503, code="projections-lagging", detail=f"read models lag the log beyond {bound}: {names}"
        )
    return JSONResponse({"status": "ready", "head": head, "projections": lag, "max_lag": bound})
