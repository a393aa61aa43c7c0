"""Government information disclosure (ART2.4): proactive publications and their withdrawal;
requests received, a one-time correction (补正), its receipt, one extension, the answer, or
abandonment.

A staff token records its own work: the staff member publishing, receiving or answering is
the token's own (and defaults to it).
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field

from domain.disclosure import CATEGORIES, OUTCOMES, PLATFORMS, REQUEST_CHANNELS
from service.api.deps import Command, EditCommand, Ledger
from service.api.models import HallDate, Name, Names, OutcomeOut, Pseudonym, Ref, Text, TimedBody, WorkingDays
from service.app_base import Outcome

router = APIRouter(tags=["disclosure"])


class Publish(TimedBody):
    staff_id: UUID | None = Field(default=None, description="who published it; a staff token: itself")
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    title: Name
    reference: Ref = Field(description="where it was published (the platform's item number or address)")
    platform: Literal[PLATFORMS] = "unified_platform"  # type: ignore[valid-type]
    department_id: UUID | None = None
    window_id: UUID | None = None


class Withdraw(TimedBody):
    reason: Text


class ReceiveRequest(TimedBody):
    received_by: UUID | None = Field(default=None, description="who received it; a staff token: itself")
    requester_ref: Pseudonym
    description: Text
    channel: Literal[REQUEST_CHANNELS] = "in_person"  # type: ignore[valid-type]
    department_id: UUID | None = None
    window_id: UUID | None = None


class RequestCorrection(TimedBody):
    items: Annotated[Names, Field(min_length=1)]
    correction_due: HallDate


class ReceiveCorrection(TimedBody):
    pass


class ExtendDisclosure(TimedBody):
    extra_working_days: Annotated[WorkingDays, Field(le=20)]
    reason: Text
    approved_by: Name | None = Field(
        default=None,
        description="deprecated: the approver is the authenticated window lead or hall manager sending the "
        "command; if given it must be that token's name",
    )


class Answer(TimedBody):
    outcome: Literal[OUTCOMES]  # type: ignore[valid-type]
    summary: Text
    legal_basis: Text | None = None
    answered_by: UUID | None = None


class Abandon(TimedBody):
    pass


@router.post(
    "/publications", status_code=201, response_model=OutcomeOut, summary="主动公开 · Publish information (ART2.4.1)"
)
def publish_information(body: Publish, command: Command, ledger: Ledger) -> JSONResponse:
    def execute() -> Outcome:
        values = body.model_dump()
        values["staff_id"] = command.acting_staff(body.staff_id)
        return ledger.publish_information(command.actor, **values)

    return command.run(body, execute, created=True, location="/api/v1/publications/{id}")


@router.post(
    "/publications/{publication_id}/withdrawal", response_model=OutcomeOut, summary="撤回 · Withdraw a publication"
)
def withdraw_publication(publication_id: UUID, body: Withdraw, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.withdraw_publication(
            command.actor, publication_id=publication_id, expected_version=command.expected_version,
            **body.model_dump(),
        ),
    )  # fmt: skip


@router.post(
    "/disclosure-requests",
    status_code=201,
    response_model=OutcomeOut,
    summary="依申请公开 · Receive a disclosure request (ART2.4.2)",
)
def receive_disclosure_request(body: ReceiveRequest, command: Command, ledger: Ledger) -> JSONResponse:
    def execute() -> Outcome:
        values = body.model_dump()
        values["received_by"] = command.acting_staff(body.received_by, "received_by")
        return ledger.receive_disclosure_request(command.actor, **values)

    return command.run(body, execute, created=True, location="/api/v1/disclosure-requests/{id}")


@router.post(
    "/disclosure-requests/{request_id}/correction-request",
    response_model=OutcomeOut,
    summary="一次性告知补正 · Ask once for a correction",
)
def request_disclosure_correction(
    request_id: UUID, body: RequestCorrection, command: EditCommand, ledger: Ledger
) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.request_disclosure_correction(
            command.actor, request_id=request_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post(
    "/disclosure-requests/{request_id}/correction",
    response_model=OutcomeOut,
    summary="收到补正 · Record the correction received",
)
def receive_disclosure_correction(
    request_id: UUID, body: ReceiveCorrection, command: EditCommand, ledger: Ledger
) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.receive_disclosure_correction(
            command.actor, request_id=request_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post(
    "/disclosure-requests/{request_id}/extension",
    response_model=OutcomeOut,
    summary="延长答复期限 · Extend the answer period once",
)
def extend_disclosure(request_id: UUID, body: ExtendDisclosure, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.extend_disclosure(
            command.actor, request_id=request_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post("/disclosure-requests/{request_id}/answer", response_model=OutcomeOut, summary="答复 · Answer the request")
def answer_disclosure_request(request_id: UUID, body: Answer, command: EditCommand, ledger: Ledger) -> JSONResponse:
    def execute() -> Outcome:
        values = body.model_dump()
        values["answered_by"] = command.acting_staff(body.answered_by, "answered_by", required=False)
        return ledger.answer_disclosure_request(
            command.actor, request_id=request_id, expected_version=command.expected_version, **values
        )

    return command.run(body, execute)


@router.post(
    "/disclosure-requests/{request_id}/abandonment",
    response_model=OutcomeOut,
    summary="视为放弃 · The correction did not come back",
)
def abandon_disclosure_request(request_id: UUID, body: Abandon, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.abandon_disclosure_request(
            command.actor, request_id=request_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )
