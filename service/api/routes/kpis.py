"""What is open now (the ``kpis`` read model, 电子监察): counts per window and for the hall,
the open items behind them (the alerts), and the candidate violations automatic detection
found that nobody has confirmed or dismissed yet.

The counts are aggregates (dashboards read them); a window's count of escalation decisions
owed is staff performance data (a window has one or two people) and is shown only to the
hall manager, the committee and appeal reviewers — the hall's total is shown to everyone.
Open items name the person a case or shift belongs to: operations roles read them; the
escalation items among them only the same three roles.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StringConstraints

from service.api import queries
from service.api.access import PERFORMANCE_READERS
from service.api.deps import CurrentPrincipal, ServicesDep
from service.api.reads import AfterPosition, Limit, Offset
from service.api.tables import transaction

router = APIRouter(tags=["open items and KPIs"])

ItemKind = Literal[
    "application", "disclosure", "shift", "candidate_violation", "escalation_admonishment",
    "escalation_suspension_or_removal", "escalation_rescission",
]  # fmt: skip
ItemState = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,20}(:[a-z_]{1,20})?$")]


class KpiView(BaseModel):
    position: int = Field(description="how far the kpis model has read the log")
    as_of: str | None
    hall: dict[str, Any] | None = Field(description="the hall's totals (window_id '*')")
    windows: list[dict[str, Any]]


class ItemsView(BaseModel):
    position: int
    as_of: str | None
    items: list[dict[str, Any]]
    next_offset: int | None


@router.get("/kpis", response_model=KpiView, summary="电子监察 · Open items counted per window and for the hall")
def view_kpis(
    principal: CurrentPrincipal,
    services: ServicesDep,
    window_id: UUID | None = None,
    after_position: AfterPosition = None,
) -> JSONResponse:
    reads = services.reads
    position = reads.ready(["kpis"], after_position)
    with transaction(services.ledger, commit=False) as tx:
        rows = queries.kpi_rows(
            tx, str(window_id) if window_id else None, performance=principal.role in PERFORMANCE_READERS
        )
        as_of = reads.as_of(tx, "kpis")
    hall = next((r for r in rows if r["window_id"] == queries.HALL), None)
    windows = [r for r in rows if r["window_id"] != queries.HALL]
    return JSONResponse({"position": position, "as_of": as_of, "hall": hall, "windows": windows})


@router.get("/alerts", response_model=ItemsView, summary="待办与预警 · The open items: late cases, uncovered shifts …")
def view_alerts(
    principal: CurrentPrincipal,
    services: ServicesDep,
    kind: Annotated[list[ItemKind] | None, Query(max_length=10, description="repeatable")] = None,
    window_id: UUID | None = None,
    staff_id: UUID | None = None,
    state: Annotated[ItemState | None, Query(description="red, overdue, uncovered:on_leave …")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    after_position: AfterPosition = None,
) -> JSONResponse:
    reads = services.reads
    position = reads.ready(["kpis"], after_position)
    with transaction(services.ledger, commit=False) as tx:
        items = queries.open_items(
            tx, kinds=kind or (), window_id=str(window_id) if window_id else None,
            staff_id=str(staff_id) if staff_id else None, state=state,
            performance=principal.role in PERFORMANCE_READERS, limit=limit, offset=offset,
        )  # fmt: skip
        as_of = reads.as_of(tx, "kpis")
    following = offset + limit if len(items) == limit else None
    return JSONResponse({"position": position, "as_of": as_of, "items": items, "next_offset": following})


@router.get(
    "/candidates",
    response_model=ItemsView,
    summary="违规线索 · Candidate violations awaiting confirmation or dismissal (detected, or recorded by hand)",
)
def view_candidates(
    services: ServicesDep,
    source: Annotated[
        Literal["detected", "recorded", "all"],
        Query(description="detected automatically, recorded by a person, or both"),
    ] = "detected",
    window_id: UUID | None = None,
    staff_id: UUID | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    after_position: AfterPosition = None,
) -> JSONResponse:
    reads = services.reads
    position = reads.ready(["kpis"], after_position)
    with transaction(services.ledger, commit=False) as tx:
        items = queries.open_items(
            tx, kinds=["candidate_violation"], window_id=str(window_id) if window_id else None,
            staff_id=str(staff_id) if staff_id else None, state=None if source == "all" else source,
            limit=limit, offset=offset,
        )  # fmt: skip
        ids = [i["item_id"].partition(":")[2] for i in items]
        details = queries.candidate_details(tx, ids, reads.store.table_exists(tx, "detection_candidates"))
        as_of = reads.as_of(tx, "kpis")
    for item in items:
        item["violation_id"] = item["item_id"].partition(":")[2]
        item["detection"] = details.get(item["violation_id"])
    following = offset + limit if len(items) == limit else None
    return JSONResponse({"position": position, "as_of": as_of, "items": items, "next_offset": following})
