"""``/applications``: applications (办件; ART2.2, ART2.3, ART7.2, ART7.6): submission, one-time
notices (一次性告知), resubmitted materials, acceptance with a committed deadline, completion on
the spot, suspension and resumption of the clock, extension, completion, rejection.

An application is the aggregate ``ServiceCase`` (the name is fixed by the stored events); the
path parameter ``case_id`` is part of the published OpenAPI contract and keeps its name.

A staff token records its own service work: the staff member named as handling, issuing,
receiving, accepting, completing or rejecting is the token's own (and defaults to it), and it
acts only on applications it handles (:func:`domain.ownership.require_own_record`, checked by
the commands). Stopping the clock and extending the deadline are approved by the window lead or
hall manager sending the command; ``approved_by`` is derived from that token.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field

from domain.service_case import MODES
from service.api.deps import Command, EditCommand, Ledger
from service.api.gate import CommandGate
from service.api.models import (
    Body,
    Code,
    HallDate,
    Name,
    Names,
    Note,
    OutcomeOut,
    Pseudonym,
    Ref,
    Text,
    TimedBody,
    WorkingDays,
)
from service.app_base import Outcome

router = APIRouter(prefix="/applications", tags=["applications"])


class SubmitApplication(TimedBody):
    matter_code: Code
    matter_name: Name
    mode: Literal[MODES] = "general"  # type: ignore[valid-type]
    window_id: UUID
    staff_id: UUID | None = Field(default=None, description="who handles it; a staff token: itself")
    applicant_ref: Pseudonym
    materials: Names = Field(default_factory=list)
    partner_department_ids: Annotated[list[UUID], Field(max_length=20)] = Field(default_factory=list)
    reported_to: Name | None = None
    case_no: Code | None = Field(default=None, description="the platform's case number (办件编号), if any")


class MissingMaterialIn(Body):
    name: Name
    format: Name | None = None
    quantity: Annotated[int, Field(ge=1, le=1000)] | None = None
    issuer: Name | None = None


class IssueNotice(TimedBody):
    missing_materials: Annotated[list[MissingMaterialIn], Field(min_length=1, max_length=100)]
    procedure: Text
    time_limit_working_days: WorkingDays
    fees: Text
    legal_basis: Text
    materials_list_id: Ref
    issued_by: UUID | None = None


class Resubmit(TimedBody):
    materials: Annotated[Names, Field(min_length=1)]
    received_by: UUID | None = None
    note: Note = ""


class Accept(TimedBody):
    committed_working_days: WorkingDays | None = None
    committed_deadline: HallDate | None = None
    receipt_no: Code | None = None
    accepted_by: UUID | None = None


class CompleteOnTheSpot(TimedBody):
    result: Text
    result_ref: Ref | None = None
    receipt_no: Code | None = None
    completed_by: UUID | None = None


#: the approver of a suspension or extension is the authenticated leader (domain.ownership)
APPROVED_BY = Field(
    default=None,
    description="deprecated: the approver is the authenticated window lead or hall manager sending the "
    "command; if given it must be that token's name",
)


class Suspend(TimedBody):
    reason: Text
    approved_by: Name | None = APPROVED_BY


class Resume(TimedBody):
    note: Note = ""


class Extend(TimedBody):
    extra_working_days: WorkingDays
    reason: Text
    approved_by: Name | None = APPROVED_BY


class Complete(TimedBody):
    result: Text
    result_ref: Ref | None = None
    completed_by: UUID | None = None


class Reject(TimedBody):
    reason: Text
    legal_basis: Text
    remedies: Note = ""
    rejected_by: UUID | None = None


@router.post("", status_code=201, response_model=OutcomeOut, summary="递交申请 · Record an application (ART7.6)")
def submit_application(body: SubmitApplication, command: Command, ledger: Ledger) -> JSONResponse:
    def execute() -> Outcome:
        values = body.model_dump()
        values["staff_id"] = command.acting_staff(body.staff_id)
        return ledger.submit_application(command.actor, **values)

    return command.run(body, execute, created=True, location="/api/v1/applications/{id}")


def _acting(command: CommandGate, body: TimedBody, field: str) -> dict[str, object]:
    """The body's fields, with the staff member acting resolved (a staff token: itself)."""
    values = body.model_dump()
    values[field] = command.acting_staff(values[field], field, required=False)
    return values


@router.post(
    "/{case_id}/one-time-notices", response_model=OutcomeOut, summary="一次性告知 · Issue a one-time notice (ART2.2)"
)
def issue_one_time_notice(case_id: UUID, body: IssueNotice, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.issue_one_time_notice(
            command.actor, case_id=case_id, expected_version=command.expected_version,
            **_acting(command, body, "issued_by"),
        ),
    )  # fmt: skip


@router.post("/{case_id}/resubmission", response_model=OutcomeOut, summary="补正材料 · Record resubmitted materials")
def resubmit_materials(case_id: UUID, body: Resubmit, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.resubmit_materials(
            command.actor, case_id=case_id, expected_version=command.expected_version,
            **_acting(command, body, "received_by"),
        ),
    )  # fmt: skip


@router.post(
    "/{case_id}/acceptance", response_model=OutcomeOut, summary="受理 · Accept with a committed deadline (ART2.3)"
)
def accept_application(case_id: UUID, body: Accept, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.accept_application(
            command.actor, case_id=case_id, expected_version=command.expected_version,
            **_acting(command, body, "accepted_by"),
        ),
    )  # fmt: skip


@router.post(
    "/{case_id}/on-the-spot-completion", response_model=OutcomeOut, summary="当场办结 · Complete on the spot (ART7.2)"
)
def complete_on_the_spot(case_id: UUID, body: CompleteOnTheSpot, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.complete_on_the_spot(
            command.actor, case_id=case_id, expected_version=command.expected_version,
            **_acting(command, body, "completed_by"),
        ),
    )  # fmt: skip


@router.post("/{case_id}/suspension", response_model=OutcomeOut, summary="中止 · Stop the clock (approved)")
def suspend_case(case_id: UUID, body: Suspend, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.suspend_case(
            command.actor, case_id=case_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post("/{case_id}/resumption", response_model=OutcomeOut, summary="恢复 · Restart the clock")
def resume_case(case_id: UUID, body: Resume, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.resume_case(
            command.actor, case_id=case_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post("/{case_id}/extension", response_model=OutcomeOut, summary="延期 · Extend the committed deadline")
def extend_case_deadline(case_id: UUID, body: Extend, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.extend_case_deadline(
            command.actor, case_id=case_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post("/{case_id}/completion", response_model=OutcomeOut, summary="办结 · Complete an accepted case")
def complete_case(case_id: UUID, body: Complete, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.complete_case(
            command.actor, case_id=case_id, expected_version=command.expected_version,
            **_acting(command, body, "completed_by"),
        ),
    )  # fmt: skip


@router.post("/{case_id}/rejection", response_model=OutcomeOut, summary="不予受理 · Reject, with the legal basis")
def reject_application(case_id: UUID, body: Reject, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.reject_application(
            command.actor, case_id=case_id, expected_version=command.expected_version,
            **_acting(command, body, "rejected_by"),
        ),
    )  # fmt: skip
