"""Staff and their postings (Article 8): onboard, post, move, committee consent, demand a
replacement, end a posting, replace, recall by the department, departure."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from domain.staff import CONSENT_KINDS, EMPLOYMENTS, END_REASONS
from service.api.deps import Command, EditCommand, Ledger
from service.api.models import Code, HallDate, Name, Note, OutcomeOut, Text, TimedBody

router = APIRouter(prefix="/staff", tags=["staff"])


class OnboardStaff(TimedBody):
    staff_no: Code
    name: Name
    department_id: UUID
    employment: Literal[EMPLOYMENTS] = "seconded"  # type: ignore[valid-type]


class PostStaff(TimedBody):
    window_id: UUID
    start: HallDate
    temporary: bool = False
    consent_id: UUID | None = None


class MoveStaff(TimedBody):
    window_id: UUID
    start: HallDate


class RecordConsent(TimedBody):
    kind: Literal[CONSENT_KINDS]  # type: ignore[valid-type]
    decision_ref: Name
    note: Note = ""


class DemandReplacement(TimedBody):
    grounds: Text
    due: HallDate


class EndPosting(TimedBody):
    end: HallDate
    reason: Literal[END_REASONS]  # type: ignore[valid-type]
    consent_id: UUID | None = None
    demand_id: UUID | None = None


class ReplaceStaff(TimedBody):
    successor_id: UUID
    start: HallDate
    consent_id: UUID | None = None
    demand_id: UUID | None = None


class RecordRecall(TimedBody):
    end: HallDate
    note: Text


class RecordDeparture(TimedBody):
    on: HallDate
    reason: Text


@router.post("", status_code=201, response_model=OutcomeOut, summary="入驻登记 · Onboard a staff member")
def onboard_staff(body: OnboardStaff, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.onboard_staff(command.actor, **body.model_dump()),
        created=True,
        location="/api/v1/staff/{id}",
    )


@router.post("/{staff_id}/posting", response_model=OutcomeOut, summary="安排岗位 · Post to a window (ART8.2)")
def post_staff(staff_id: UUID, body: PostStaff, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.post_staff(
            command.actor, staff_id=staff_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post("/{staff_id}/move", response_model=OutcomeOut, summary="调整窗口 · Move to another window")
def move_staff(staff_id: UUID, body: MoveStaff, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.move_staff(
            command.actor, staff_id=staff_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post(
    "/{staff_id}/committee-consents",
    response_model=OutcomeOut,
    summary="管委会同意 · Record the committee's prior consent (ART8.2)",
)
def record_committee_consent(staff_id: UUID, body: RecordConsent, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(
        body, lambda: ledger.record_committee_consent(command.actor, staff_id=staff_id, **body.model_dump())
    )


@router.post(
    "/{staff_id}/replacement-demands", response_model=OutcomeOut, summary="要求调换 · Demand a replacement (ART8.3)"
)
def demand_replacement(staff_id: UUID, body: DemandReplacement, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(body, lambda: ledger.demand_replacement(command.actor, staff_id=staff_id, **body.model_dump()))


@router.post("/{staff_id}/posting-end", response_model=OutcomeOut, summary="离岗 · End the posting (ART8.1)")
def end_posting(staff_id: UUID, body: EndPosting, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.end_posting(
            command.actor, staff_id=staff_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post(
    "/{staff_id}/replacement",
    response_model=OutcomeOut,
    summary="调换派驻人员 · Replace a staff member at their window (ART8.2)",
)
def replace_staff(staff_id: UUID, body: ReplaceStaff, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(body, lambda: ledger.replace_staff(command.actor, outgoing_id=staff_id, **body.model_dump()))


@router.post(
    "/{staff_id}/recall", response_model=OutcomeOut, summary="派驻部门召回 · Record a recall by the department"
)
def record_recall(staff_id: UUID, body: RecordRecall, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(body, lambda: ledger.record_recall(command.actor, staff_id=staff_id, **body.model_dump()))


@router.post("/{staff_id}/departure", response_model=OutcomeOut, summary="离开中心 · Record that staff left the hall")
def record_departure(staff_id: UUID, body: RecordDeparture, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(body, lambda: ledger.record_staff_left(command.actor, staff_id=staff_id, **body.model_dump()))
