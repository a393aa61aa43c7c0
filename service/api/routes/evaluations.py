"""Client ratings (好差评) and their review, complaints, praise and commendations (ART11).

A staff token contests only a rating of its own staff member.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field

from domain.evaluation import CHANNELS, COMMENDATION_KINDS, COMPLAINT_CHANNELS, CONTEST_GROUNDS, LEVELS, PRAISE_KINDS
from service.api.deps import Command, EditCommand, Ledger
from service.api.models import Name, Note, OutcomeOut, Ref, StaffIds, Text, TimedBody

router = APIRouter(tags=["evaluations"])


class RecordRating(TimedBody):
    ref: Ref = Field(description="the evaluation system's number (一次一评/一事一评)")
    level: Literal[tuple(LEVELS)]  # type: ignore[valid-type]
    channel: Literal[CHANNELS]  # type: ignore[valid-type]
    window_id: UUID
    staff_id: UUID
    case_id: UUID | None = None


class ContestRating(TimedBody):
    grounds: Literal[CONTEST_GROUNDS]  # type: ignore[valid-type]
    statement: Text


class ReviewRating(TimedBody):
    reason: Text


class RecordComplaint(TimedBody):
    channel: Literal[COMPLAINT_CHANNELS]  # type: ignore[valid-type]
    window_id: UUID
    summary: Text = Field(description="what the complaint is about; never the complainant's name or contact")
    staff_id: UUID | None = None
    case_id: UUID | None = None


class VerifyComplaint(TimedBody):
    finding: Text


class ComplaintUnfounded(TimedBody):
    reason: Text


class RecordPraise(TimedBody):
    kind: Literal[PRAISE_KINDS]  # type: ignore[valid-type]
    staff_ids: StaffIds = Field(default_factory=list)
    window_id: UUID | None = None
    from_organisation: Note = ""
    note: Note = ""


class AwardCommendation(TimedBody):
    kind: Literal[COMMENDATION_KINDS]  # type: ignore[valid-type]
    title: Name
    reason: Text
    decision_ref: Ref
    staff_ids: StaffIds = Field(default_factory=list)
    window_id: UUID | None = None
    basis: Annotated[list[UUID], Field(max_length=100)] = Field(
        default_factory=list, description="praise or ratings the commendation rests on"
    )


@router.post("/ratings", status_code=201, response_model=OutcomeOut, summary="服务评价 · Record a client rating")
def record_rating(body: RecordRating, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.record_rating(command.actor, **body.model_dump()),
        created=True,
        location="/api/v1/ratings/{id}",
    )


@router.post(
    "/ratings/{rating_id}/contest",
    response_model=OutcomeOut,
    summary="差评申诉 · Contest a bad rating as mistaken or malicious",
)
def contest_rating(rating_id: UUID, body: ContestRating, command: EditCommand, ledger: Ledger) -> JSONResponse:
    # a staff token contests only its own ratings: the command checks (domain.ownership)
    return command.run(
        body,
        lambda: ledger.contest_rating(
            command.actor, rating_id=rating_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post("/ratings/{rating_id}/exclusion", response_model=OutcomeOut, summary="剔除 · Exclude a contested rating")
def exclude_rating(rating_id: UUID, body: ReviewRating, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.exclude_rating(
            command.actor, rating_id=rating_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post("/ratings/{rating_id}/upholding", response_model=OutcomeOut, summary="维持 · Uphold a contested rating")
def uphold_rating(rating_id: UUID, body: ReviewRating, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.uphold_rating(
            command.actor, rating_id=rating_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post("/complaints", status_code=201, response_model=OutcomeOut, summary="投诉受理 · Receive a complaint")
def record_complaint(body: RecordComplaint, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.record_complaint(command.actor, **body.model_dump()),
        created=True,
        location="/api/v1/complaints/{id}",
    )


@router.post(
    "/complaints/{complaint_id}/verification", response_model=OutcomeOut, summary="查实 · The complaint is verified"
)
def verify_complaint(complaint_id: UUID, body: VerifyComplaint, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.verify_complaint(
            command.actor, complaint_id=complaint_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post(
    "/complaints/{complaint_id}/unfounded", response_model=OutcomeOut, summary="不实 · The complaint is unfounded"
)
def find_complaint_unfounded(
    complaint_id: UUID, body: ComplaintUnfounded, command: EditCommand, ledger: Ledger
) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.find_complaint_unfounded(
            command.actor, complaint_id=complaint_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post("/praise", status_code=201, response_model=OutcomeOut, summary="表扬 · Record praise (letters, banners)")
def record_praise(body: RecordPraise, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(body, lambda: ledger.record_praise(command.actor, **body.model_dump()), created=True)


@router.post(
    "/commendations", status_code=201, response_model=OutcomeOut, summary="表彰 · Award a commendation (ART11.2)"
)
def award_commendation(body: AwardCommendation, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(body, lambda: ledger.award_commendation(command.actor, **body.model_dump()), created=True)
