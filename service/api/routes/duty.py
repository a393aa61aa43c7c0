"""Duty roster and security (Article 9): shifts, a release with its substitute, hand-overs,
incidents; credential incidents and resets, end-of-day checks, hazards. (Virus checks of
computers are recorded on the asset: ``POST /assets/{asset_id}/virus-checks``.)

A staff token acts only for itself: it releases itself from a shift (naming its substitute)
and records the end-of-day check it made.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field, StringConstraints

from domain.duty import DUTY_ROLES, HAZARD_RULES, INCIDENT_KINDS
from service.api.deps import Command, EditCommand, Ledger
from service.api.models import Code, HallDate, Name, Note, OutcomeOut, Text, TimedBody, ValidTime
from service.app_base import Outcome

router = APIRouter(tags=["duty and security"])

DutyRole = Literal[tuple(DUTY_ROLES)]  # type: ignore[valid-type]
#: an item code of the security policy's end-of-day checks (power_off, locked …)
CheckCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,47}$")]


class AssignShift(TimedBody):
    day: HallDate
    slot: Code = Field(description="a slot of the security policy's duty roster (day, lunch, night …)")
    staff_id: UUID
    duty_role: DutyRole = "duty"  # type: ignore[valid-type]


class ReleaseFromShift(TimedBody):
    staff_id: UUID | None = Field(default=None, description="who cannot serve; a staff token: itself")
    substitute_id: UUID | None = Field(description="who takes over (ART9.4: refused without one)")
    reason: Text
    covers_from: ValidTime | None = None
    covers_until: ValidTime | None = None


class HandOverShift(TimedBody):
    notes: Text
    to_shift_id: UUID | None = None
    to_staff_id: UUID | None = None


class ReportIncident(TimedBody):
    kind: Literal[INCIDENT_KINDS]  # type: ignore[valid-type]
    description: Text
    location: Name
    duty_role: DutyRole = "duty"  # type: ignore[valid-type]
    shift_id: UUID | None = None
    window_id: UUID | None = None


class ReportCredentialIncident(TimedBody):
    system: Name
    account_holder_id: UUID
    disclosed_to: Name
    how: Text
    disclosed_by_id: UUID | None = None


class ResetCredentials(TimedBody):
    note: Text


class EndOfDayCheck(TimedBody):
    window_id: UUID
    checks: Annotated[dict[CheckCode, bool], Field(min_length=1, max_length=30)]
    staff_id: UUID | None = Field(default=None, description="who checked; a staff token: itself")
    note: Note = ""


class ReportHazard(TimedBody):
    kind: Literal[tuple(HAZARD_RULES)]  # type: ignore[valid-type]
    location: Name
    description: Text
    window_id: UUID | None = None
    staff_id: UUID | None = None


class ResolveHazard(TimedBody):
    action: Text


@router.post("/duty/shifts", status_code=201, response_model=OutcomeOut, summary="排班 · Assign a duty shift (ART9.4)")
def assign_shift(body: AssignShift, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.assign_shift(command.actor, **body.model_dump()),
        created=True,
        location="/api/v1/duty/shifts/{id}",
    )


@router.post(
    "/duty/shifts/{shift_id}/release",
    response_model=OutcomeOut,
    summary="顶替 · Release someone from a shift, naming the substitute (ART9.4)",
)
def release_from_shift(shift_id: UUID, body: ReleaseFromShift, command: EditCommand, ledger: Ledger) -> JSONResponse:
    def execute() -> Outcome:
        values = body.model_dump()
        values["staff_id"] = command.acting_staff(body.staff_id)
        return ledger.release_from_shift(
            command.actor, shift_id=shift_id, expected_version=command.expected_version, **values
        )

    return command.run(body, execute)


@router.post("/duty/shifts/{shift_id}/hand-over", response_model=OutcomeOut, summary="交接班 · Hand over the shift")
def hand_over_shift(shift_id: UUID, body: HandOverShift, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.hand_over_shift(
            command.actor, shift_id=shift_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post("/duty/incidents", response_model=OutcomeOut, summary="值班事件 · Report an incident (ART9.4)")
def report_duty_incident(body: ReportIncident, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(body, lambda: ledger.report_duty_incident(command.actor, **body.model_dump()))


@router.post(
    "/security/credential-incidents",
    status_code=201,
    response_model=OutcomeOut,
    summary="泄露口令 · Report disclosed credentials (ART9.1)",
)
def report_credential_incident(body: ReportCredentialIncident, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.report_credential_incident(command.actor, **body.model_dump()),
        created=True,
        location="/api/v1/security/credential-incidents/{id}",
    )


@router.post(
    "/security/credential-incidents/{incident_id}/reset",
    response_model=OutcomeOut,
    summary="重置口令 · Record the credentials reset",
)
def record_credentials_reset(
    incident_id: UUID, body: ResetCredentials, command: EditCommand, ledger: Ledger
) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.record_credentials_reset(
            command.actor, incident_id=incident_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post(
    "/security/end-of-day-checks",
    status_code=201,
    response_model=OutcomeOut,
    summary="下班检查 · Record a window's end-of-day check (ART9.7, ART9.8)",
)
def record_end_of_day_check(body: EndOfDayCheck, command: Command, ledger: Ledger) -> JSONResponse:
    def execute() -> Outcome:
        values = body.model_dump()
        values["staff_id"] = command.acting_staff(body.staff_id, required=False)
        return ledger.record_end_of_day_check(command.actor, **values)

    return command.run(body, execute, created=True)


@router.post(
    "/security/hazards",
    status_code=201,
    response_model=OutcomeOut,
    summary="安全隐患 · Report a hazard (ART9.3, ART9.5, ART9.6)",
)
def report_hazard(body: ReportHazard, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.report_hazard(command.actor, **body.model_dump()),
        created=True,
        location="/api/v1/security/hazards/{id}",
    )


@router.post("/security/hazards/{hazard_id}/resolution", response_model=OutcomeOut, summary="整改 · Resolve a hazard")
def resolve_hazard(hazard_id: UUID, body: ResolveHazard, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.resolve_hazard(
            command.actor, hazard_id=hazard_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )
