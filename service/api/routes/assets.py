"""Fixed assets and office equipment (ART10.1, ART5.2, ART9.1): the books, custodians, filed and
unfiled moves, virus checks of computers, and inventory counts (清查盘点) with their results,
the resolution or write-off (核销) of discrepancies, and the close."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field

from domain.assets import CATEGORIES, COUNT_KINDS, RESOLUTIONS, VIRUS_RESULTS
from service.api.deps import Command, EditCommand, Ledger
from service.api.models import Amount, Body, Code, HallDate, Name, Names, Note, OutcomeOut, Ref, Text, TimedBody
from service.commands.assets import FoundItem, MissingItem, SurplusItem

router = APIRouter(tags=["assets"])


class RegisterAsset(TimedBody):
    asset_no: Code
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    description: Text
    value: Amount
    department_id: UUID
    custodian_id: UUID
    window_id: UUID | None = None
    location: Note = ""
    acquired_on: HallDate | None = None
    designation_ref: Note = ""


class DesignateCustodian(TimedBody):
    custodian_id: UUID
    designation_ref: Note = ""


class FileMove(TimedBody):
    filing_ref: Ref
    reason: Text
    to_window_id: UUID | None = None
    to_location: Note = ""


class MoveAsset(TimedBody):
    filing_ref: Ref | None = Field(description="the filing (备案) of the move; a move without one is refused")


class UnfiledMove(TimedBody):
    evidence: Text
    found_window_id: UUID | None = None
    found_location: Note = ""
    moved_by_id: UUID | None = None


class VirusCheck(TimedBody):
    result: Literal[VIRUS_RESULTS]  # type: ignore[valid-type]
    tool: Name
    threats: Names = Field(default_factory=list)
    action: Note = ""


class OpenCount(TimedBody):
    reference: Ref
    asset_ids: Annotated[list[UUID], Field(min_length=1, max_length=5000)]
    kind: Literal[COUNT_KINDS] = "spot"  # type: ignore[valid-type]


class Found(Body):
    asset_id: UUID
    window_id: UUID | None = None
    location: Note = ""


class Missing(Body):
    asset_id: UUID
    note: Note = ""


class Surplus(Body):
    description: Text
    tag: Note = ""
    window_id: UUID | None = None
    location: Note = ""


class CountResults(TimedBody):
    found: Annotated[list[Found], Field(max_length=5000)] = Field(default_factory=list)
    missing: Annotated[list[Missing], Field(max_length=5000)] = Field(default_factory=list)
    surplus: Annotated[list[Surplus], Field(max_length=5000)] = Field(default_factory=list)


class ResolveDiscrepancy(TimedBody):
    resolution: Literal[RESOLUTIONS]  # type: ignore[valid-type]
    note: Text
    asset_id: UUID | None = None


class WriteOff(TimedBody):
    discrepancy_ids: Annotated[list[UUID], Field(min_length=1, max_length=5000)]
    approval_ref: Ref


class CloseCount(TimedBody):
    pass


@router.post("/assets", status_code=201, response_model=OutcomeOut, summary="统一建帐 · Register an asset (ART10.1)")
def register_asset(body: RegisterAsset, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.register_asset(command.actor, **body.model_dump()),
        created=True,
        location="/api/v1/assets/{id}",
    )


@router.post("/assets/{asset_id}/custodian", response_model=OutcomeOut, summary="指定保管人 · Designate the custodian")
def designate_custodian(asset_id: UUID, body: DesignateCustodian, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.designate_custodian(
            command.actor, asset_id=asset_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post("/assets/{asset_id}/move-filings", response_model=OutcomeOut, summary="备案 · File a move (ART5.2)")
def file_asset_move(asset_id: UUID, body: FileMove, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.file_asset_move(
            command.actor, asset_id=asset_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post("/assets/{asset_id}/moves", response_model=OutcomeOut, summary="调整 · Carry out a filed move (ART5.2)")
def move_asset(asset_id: UUID, body: MoveAsset, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.move_asset(
            command.actor, asset_id=asset_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post("/assets/{asset_id}/unfiled-moves", response_model=OutcomeOut, summary="私自挪动 · Record an unfiled move")
def record_unfiled_move(asset_id: UUID, body: UnfiledMove, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.record_unfiled_move(
            command.actor, asset_id=asset_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post(
    "/assets/{asset_id}/virus-checks", response_model=OutcomeOut, summary="病毒检测 · Record a virus check (ART9.1)"
)
def record_virus_check(asset_id: UUID, body: VirusCheck, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(body, lambda: ledger.record_virus_check(command.actor, asset_id=asset_id, **body.model_dump()))


@router.post(
    "/inventory-counts", status_code=201, response_model=OutcomeOut, summary="清查盘点 · Open an inventory count"
)
def open_inventory_count(body: OpenCount, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.open_inventory_count(command.actor, **body.model_dump()),
        created=True,
        location="/api/v1/inventory-counts/{id}",
    )


@router.post(
    "/inventory-counts/{count_id}/results",
    response_model=OutcomeOut,
    summary="盘点结果 · Items found, missing (盘亏) and surplus (盘盈)",
)
def record_count_results(count_id: UUID, body: CountResults, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.record_count_results(
            command.actor,
            count_id=count_id,
            found=[FoundItem(**item.model_dump()) for item in body.found],
            missing=[MissingItem(**item.model_dump()) for item in body.missing],
            surplus=[SurplusItem(**item.model_dump()) for item in body.surplus],
            occurred_at=body.occurred_at,
            expected_version=command.expected_version,
        ),
    )


@router.post(
    "/inventory-counts/{count_id}/discrepancies/{discrepancy_id}/resolution",
    response_model=OutcomeOut,
    summary="查明 · Resolve a discrepancy",
)
def resolve_count_discrepancy(
    count_id: UUID, discrepancy_id: UUID, body: ResolveDiscrepancy, command: EditCommand, ledger: Ledger
) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.resolve_count_discrepancy(
            command.actor, count_id=count_id, discrepancy_id=discrepancy_id,
            expected_version=command.expected_version, **body.model_dump(),
        ),
    )  # fmt: skip


@router.post(
    "/inventory-counts/{count_id}/write-off",
    response_model=OutcomeOut,
    summary="核销 · Write off discrepancies by approval",
)
def write_off(count_id: UUID, body: WriteOff, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.write_off_count_discrepancies(
            command.actor, count_id=count_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post("/inventory-counts/{count_id}/closure", response_model=OutcomeOut, summary="盘点结束 · Close the count")
def close_inventory_count(count_id: UUID, body: CloseCount, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.close_inventory_count(
            command.actor, count_id=count_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )
