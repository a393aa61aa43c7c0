"""First inquiries (首问负责制, ART2.1 – ART2.1.2): open, handle, hand over, report to a leader,
tell the client the result, close.

A staff token records its own service work: the first responder (and whoever is named as
handling or communicating) is the token's own staff member.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from domain.inquiry import CHANNELS, COMMUNICATION_CHANNELS, CONTACT_METHODS
from service.api.deps import Command, EditCommand, Ledger
from service.api.models import Name, Note, OutcomeOut, Pseudonym, Text, TimedBody
from service.app_base import Outcome

router = APIRouter(prefix="/inquiries", tags=["first inquiries"])


class OpenInquiry(TimedBody):
    channel: Literal[CHANNELS]  # type: ignore[valid-type]
    first_responder_id: UUID | None = None
    client_ref: Pseudonym
    topic: Text
    window_id: UUID | None = None


class HandleInquiry(TimedBody):
    outcome: Text
    handled_by: UUID | None = None
    case_id: UUID | None = None


class HandOverInquiry(TimedBody):
    contact_method: Literal[CONTACT_METHODS]  # type: ignore[valid-type]
    contacted: Name
    to_window_id: UUID | None = None
    to_staff_id: UUID | None = None
    note: Note = ""


class EscalateInquiry(TimedBody):
    leader: Name
    reason: Text


class CommunicateResult(TimedBody):
    result: Text
    channel: Literal[COMMUNICATION_CHANNELS] = "in_person"  # type: ignore[valid-type]
    communicated_by: UUID | None = None


class CloseInquiry(TimedBody):
    pass


@router.post("", status_code=201, response_model=OutcomeOut, summary="首问登记 · Open a first inquiry (ART2.1)")
def open_inquiry(body: OpenInquiry, command: Command, ledger: Ledger) -> JSONResponse:
    def execute() -> Outcome:
        values = body.model_dump()
        values["first_responder_id"] = command.acting_staff(body.first_responder_id, "first_responder_id")
        return ledger.open_inquiry(command.actor, **values)

    return command.run(body, execute, created=True, location="/api/v1/inquiries/{id}")


@router.post("/{inquiry_id}/handling", response_model=OutcomeOut, summary="办理 · Record how the inquiry was handled")
def handle_inquiry(inquiry_id: UUID, body: HandleInquiry, command: EditCommand, ledger: Ledger) -> JSONResponse:
    def execute() -> Outcome:
        values = body.model_dump()
        values["handled_by"] = command.acting_staff(body.handled_by, "handled_by", required=False)
        return ledger.handle_inquiry(
            command.actor, inquiry_id=inquiry_id, expected_version=command.expected_version, **values
        )

    return command.run(body, execute)


@router.post("/{inquiry_id}/hand-over", response_model=OutcomeOut, summary="联系转交 · Hand over (ART2.1.2)")
def hand_over_inquiry(inquiry_id: UUID, body: HandOverInquiry, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.hand_over_inquiry(
            command.actor, inquiry_id=inquiry_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post("/{inquiry_id}/escalation", response_model=OutcomeOut, summary="报告领导 · Report to a leader (ART2.1.2)")
def escalate_inquiry(inquiry_id: UUID, body: EscalateInquiry, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.escalate_inquiry(
            command.actor, inquiry_id=inquiry_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post("/{inquiry_id}/result", response_model=OutcomeOut, summary="告知结果 · Tell the client the result")
def communicate_result(inquiry_id: UUID, body: CommunicateResult, command: EditCommand, ledger: Ledger) -> JSONResponse:
    def execute() -> Outcome:
        values = body.model_dump()
        values["communicated_by"] = command.acting_staff(body.communicated_by, "communicated_by", required=False)
        return ledger.communicate_inquiry_result(
            command.actor, inquiry_id=inquiry_id, expected_version=command.expected_version, **values
        )

    return command.run(body, execute)


@router.post("/{inquiry_id}/closure", response_model=OutcomeOut, summary="办结 · Close the inquiry")
def close_inquiry(inquiry_id: UUID, body: CloseInquiry, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.close_inquiry(
            command.actor, inquiry_id=inquiry_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )
