"""The consultation desk and reception records (ART2.5): the record with the client's personal
data (sealed under the client's own key), its outcomes — answered, referred, out of scope,
handling limits explained — and the erasure of a data subject's personal data (PIPL §47).

The answer never echoes personal data: a recorded consultation returns its id and the
client's pseudonymous reference (``extra.client_ref``), which is what an erasure names.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field

from domain.consultation import CHANNELS, LIMIT_KINDS, OUT_OF_SCOPE_KINDS
from service.api.deps import Command, EditCommand, Ledger
from service.api.models import Code, Name, OutcomeOut, Pseudonym, Ref, Text, TimedBody
from service.app_base import Outcome

router = APIRouter(tags=["consultations"])


class RecordConsultation(TimedBody):
    staff_id: UUID | None = Field(default=None, description="who received the client; a staff token: itself")
    client_name: Name = Field(json_schema_extra={"x-personal-data": True})
    client_contact: Name = Field(json_schema_extra={"x-personal-data": True})
    client_organisation: Name | None = Field(default=None, json_schema_extra={"x-personal-data": True})
    details: Text | None = Field(default=None, json_schema_extra={"x-personal-data": True})
    matter: Text
    matter_code: Code | None = None
    client_ref: Pseudonym | None = Field(default=None, description="a returning client's pseudonymous reference")
    channel: Literal[CHANNELS] = "desk"  # type: ignore[valid-type]
    window_id: UUID | None = None


class AnswerConsultation(TimedBody):
    answer: Text
    service_notice_ref: Ref | None = None


class ReferConsultation(TimedBody):
    where: Text
    how: Text


class OutOfScope(TimedBody):
    kind: Literal[OUT_OF_SCOPE_KINDS]  # type: ignore[valid-type]
    reason: Text


class HandlingLimits(TimedBody):
    kind: Literal[LIMIT_KINDS]  # type: ignore[valid-type]
    reason: Text
    guidance: Text


class EraseSubject(TimedBody):
    subject: Pseudonym = Field(description="the data subject's pseudonymous reference (client_ref)")
    reason: Text


@router.post(
    "/consultations",
    status_code=201,
    response_model=OutcomeOut,
    summary="接待登记 · Record a consultation (ART2.5.2); personal fields are sealed",
)
def record_consultation(body: RecordConsultation, command: Command, ledger: Ledger) -> JSONResponse:
    def execute() -> Outcome:
        values = body.model_dump()
        values["staff_id"] = command.acting_staff(body.staff_id)
        return ledger.record_consultation(command.actor, **values)

    return command.run(body, execute, created=True, location="/api/v1/consultations/{id}")


@router.post("/consultations/{consultation_id}/answer", response_model=OutcomeOut, summary="解答 · Answered (ART2.5.1)")
def answer_consultation(
    consultation_id: UUID, body: AnswerConsultation, command: EditCommand, ledger: Ledger
) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.answer_consultation(
            command.actor, consultation_id=consultation_id, expected_version=command.expected_version,
            **body.model_dump(),
        ),
    )  # fmt: skip


@router.post(
    "/consultations/{consultation_id}/referral",
    response_model=OutcomeOut,
    summary="告知去向 · Told where and how to get the answer (ART2.5.1)",
)
def refer_consultation(
    consultation_id: UUID, body: ReferConsultation, command: EditCommand, ledger: Ledger
) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.refer_consultation(
            command.actor, consultation_id=consultation_id, expected_version=command.expected_version,
            **body.model_dump(),
        ),
    )  # fmt: skip


@router.post(
    "/consultations/{consultation_id}/out-of-scope",
    response_model=OutcomeOut,
    summary="不属于业务范围 · Explained as out of scope (ART2.5.1)",
)
def explain_out_of_scope(consultation_id: UUID, body: OutOfScope, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.explain_out_of_scope(
            command.actor, consultation_id=consultation_id, expected_version=command.expected_version,
            **body.model_dump(),
        ),
    )  # fmt: skip


@router.post(
    "/consultations/{consultation_id}/handling-limits",
    response_model=OutcomeOut,
    summary="不能办理的说明 · Handling limits explained and guided (ART2.5.3)",
)
def explain_handling_limits(
    consultation_id: UUID, body: HandlingLimits, command: EditCommand, ledger: Ledger
) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.explain_handling_limits(
            command.actor, consultation_id=consultation_id, expected_version=command.expected_version,
            **body.model_dump(),
        ),
    )  # fmt: skip


@router.post(
    "/personal-data/erasures",
    status_code=201,
    response_model=OutcomeOut,
    summary="删除个人信息 · Erase a data subject's personal data (PIPL §47): the key is destroyed",
)
def erase_personal_data(body: EraseSubject, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(body, lambda: ledger.erase_personal_data(command.actor, **body.model_dump()), created=True)
