"""Inspection rounds (巡查/暗访: findings become violations, clean passes are recorded) and the
center's cleaning requests to property management (ART4.2)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field

from domain.inspection import ROUND_KINDS
from service.api.deps import Command, EditCommand, Ledger
from service.api.models import Body, EvidenceRefs, ItemCode, Name, Note, OutcomeOut, RuleId, Text, TimedBody, ValidTime
from service.app_base import Outcome
from service.commands.inspections import CleanPass, Finding

router = APIRouter(tags=["inspections"])


class FindingIn(Body):
    window_id: UUID
    rule: RuleId
    evidence: Text
    observed_at: ValidTime
    staff_id: UUID | None = None
    department_id: UUID | None = None
    item: ItemCode | None = None
    evidence_refs: EvidenceRefs = Field(default_factory=list)


class CleanPassIn(Body):
    window_id: UUID
    observed_at: ValidTime
    note: Note = ""


class CompleteRound(TimedBody):
    """``occurred_at`` is when the round was completed."""

    windows: Annotated[list[UUID], Field(min_length=1, max_length=200)]
    started_at: ValidTime
    findings: Annotated[list[FindingIn], Field(max_length=200)] = Field(default_factory=list)
    clean_passes: Annotated[list[CleanPassIn], Field(max_length=200)] = Field(default_factory=list)
    covert: bool = Field(default=False, description="暗访: an unannounced visit")
    kind: Literal[ROUND_KINDS] = "daily"  # type: ignore[valid-type]


class RaiseCleaning(TimedBody):
    description: Text
    contractor: Name
    window_id: UUID | None = None
    area: Note = ""


class ResolveCleaning(TimedBody):
    note: Text


@router.post(
    "/inspection-rounds",
    status_code=201,
    response_model=OutcomeOut,
    summary="巡查 · Record a completed inspection round; each finding is a violation",
)
def complete_inspection_round(body: CompleteRound, command: Command, ledger: Ledger) -> JSONResponse:
    def execute() -> Outcome:
        return ledger.complete_inspection_round(
            command.actor,
            windows=body.windows,
            started_at=body.started_at,
            findings=[Finding(**f.model_dump()) for f in body.findings],
            clean_passes=[CleanPass(**c.model_dump()) for c in body.clean_passes],
            covert=body.covert,
            kind=body.kind,
            # the round's id (and so its findings' violation ids) derives from the key: a
            # round re-executed after a crash collides instead of being recorded twice
            round_id=command.derived_id("inspection-round"),
            occurred_at=body.occurred_at,
        )

    return command.run(body, execute, created=True, location="/api/v1/inspection-rounds/{id}")


@router.post(
    "/cleaning-requests", status_code=201, response_model=OutcomeOut, summary="保洁需求 · Ask for cleaning (ART4.2)"
)
def raise_cleaning_request(body: RaiseCleaning, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.raise_cleaning_request(command.actor, **body.model_dump()),
        created=True,
        location="/api/v1/cleaning-requests/{id}",
    )


@router.post(
    "/cleaning-requests/{request_id}/resolution", response_model=OutcomeOut, summary="已保洁 · Record the cleaning done"
)
def resolve_cleaning_request(
    request_id: UUID, body: ResolveCleaning, command: EditCommand, ledger: Ledger
) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.resolve_cleaning_request(
            command.actor, request_id=request_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )
