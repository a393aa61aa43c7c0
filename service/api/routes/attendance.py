"""Attendance and leave (ART6.5, ART7.5): clocking in and out, absences from the post and
returns, leave requested, approved or refused, and reported back (销假).

A staff token acts only for itself: it clocks in, records an absence, requests leave and
reports back for its own staff member (``staff_id`` defaults to it; naming anyone else is
403 ``not-yourself``). Window leads and the hall record for anyone; only they approve leave.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field

from service.api.deps import Command, EditCommand, Ledger
from service.api.models import Body, Code, Name, Note, OutcomeOut, Text, TimedBody, ValidTime
from service.app_base import Outcome

router = APIRouter(tags=["attendance"])

STAFF_FIELD = Field(default=None, description="the staff member; a staff token: itself (and only itself)")


class Punch(TimedBody):
    staff_id: UUID | None = STAFF_FIELD
    device: Name = Field(description="the attendance device (考勤机) or channel")


class RecordAbsence(Body):
    staff_id: UUID | None = STAFF_FIELD
    left_at: ValidTime = Field(description="when the person left the post (the absence's valid time)")
    notice_displayed: bool = Field(description="ART6.5: a notice (暂停服务牌) was displayed at the window")
    returned_at: ValidTime | None = None
    reason: Note = ""


class RecordReturn(Body):
    staff_id: UUID | None = STAFF_FIELD
    returned_at: ValidTime | None = Field(default=None, description="defaults to now")


class RequestLeave(TimedBody):
    staff_id: UUID | None = STAFF_FIELD
    leave_type: Code = Field(description="a leave type of the attendance policy (annual, sick, personal …)")
    starts: ValidTime
    ends: ValidTime
    reason: Note = ""


class ApproveLeave(TimedBody):
    note: Note = ""


class RefuseLeave(TimedBody):
    reason: Text


class ReportBack(TimedBody):
    pass


@router.post("/attendance/clock-ins", response_model=OutcomeOut, summary="上班打卡 · Clock in (ART7.5)")
def clock_in(body: Punch, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.clock_in(
            command.actor, staff_id=command.acting_staff(body.staff_id), device=body.device,
            occurred_at=body.occurred_at,
        ),
    )  # fmt: skip


@router.post("/attendance/clock-outs", response_model=OutcomeOut, summary="下班打卡 · Clock out (ART7.5)")
def clock_out(body: Punch, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.clock_out(
            command.actor, staff_id=command.acting_staff(body.staff_id), device=body.device,
            occurred_at=body.occurred_at,
        ),
    )  # fmt: skip


@router.post(
    "/attendance/absences",
    status_code=201,
    response_model=OutcomeOut,
    summary="离岗登记 · Record an absence from the post (ART6.5)",
)
def record_absence(body: RecordAbsence, command: Command, ledger: Ledger) -> JSONResponse:
    def execute() -> Outcome:
        values = body.model_dump()
        values["staff_id"] = command.acting_staff(body.staff_id)
        return ledger.record_absence_from_post(command.actor, **values)

    return command.run(body, execute, created=True)


@router.post(
    "/attendance/absences/{absence_id}/return", response_model=OutcomeOut, summary="返岗 · Record the return to post"
)
def record_return(absence_id: UUID, body: RecordReturn, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.record_return_to_post(
            command.actor, staff_id=command.acting_staff(body.staff_id), absence_id=absence_id,
            returned_at=body.returned_at,
        ),
    )  # fmt: skip


@router.post("/leave-requests", status_code=201, response_model=OutcomeOut, summary="请假 · Request leave (ART7.5)")
def request_leave(body: RequestLeave, command: Command, ledger: Ledger) -> JSONResponse:
    def execute() -> Outcome:
        values = body.model_dump()
        values["staff_id"] = command.acting_staff(body.staff_id)
        return ledger.request_leave(command.actor, **values)

    return command.run(body, execute, created=True, location="/api/v1/leave-requests/{id}")


@router.post("/leave-requests/{leave_id}/approval", response_model=OutcomeOut, summary="准假 · Approve leave")
def approve_leave(leave_id: UUID, body: ApproveLeave, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.approve_leave(
            command.actor, leave_id=leave_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post("/leave-requests/{leave_id}/refusal", response_model=OutcomeOut, summary="不准假 · Refuse leave")
def refuse_leave(leave_id: UUID, body: RefuseLeave, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.refuse_leave(
            command.actor, leave_id=leave_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post("/leave-requests/{leave_id}/report-back", response_model=OutcomeOut, summary="销假 · Report back")
def report_back(leave_id: UUID, body: ReportBack, command: EditCommand, ledger: Ledger) -> JSONResponse:
    # a staff token reports back only from its own leave: the command checks (domain.ownership)
    return command.run(
        body,
        lambda: ledger.report_back_from_leave(
            command.actor, leave_id=leave_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )
