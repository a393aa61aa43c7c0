"""Assessments (考核, ART11): publishing a period's results (monthly and quarterly by the hall
manager, annual by the committee), amending a published period, the committee's annual
review scores — and reading scores and rankings from the ``assessment`` read model."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field

from service.api.deps import Command, Ledger
from service.api.models import Note, OutcomeOut, Period, Score, Text, TimedBody

router = APIRouter(prefix="/assessments", tags=["assessments"])


class Publish(TimedBody):
    pass


class Amend(TimedBody):
    reason: Text


class AnnualReview(TimedBody):
    staff_id: UUID
    score: Score = Field(description="the committee's review score (20 % of the annual score)")
    note: Note = ""


@router.post(
    "/{period}/publication",
    response_model=OutcomeOut,
    summary="考核结果发布 · Publish a period's results as the read model shows them",
)
def publish_assessment(period: Period, body: Publish, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(body, lambda: ledger.publish_assessment(command.actor, period=period, **body.model_dump()))


@router.post(
    "/{period}/amendment",
    response_model=OutcomeOut,
    summary="考核结果更正 · Publish the period's current results in place of the published ones",
)
def amend_assessment(period: Period, body: Amend, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(body, lambda: ledger.amend_assessment(command.actor, period=period, **body.model_dump()))


@router.post(
    "/{period}/reviews",
    response_model=OutcomeOut,
    summary="年度综合评议 · Record a person's annual review score (committee)",
)
def record_annual_review(period: Period, body: AnnualReview, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(body, lambda: ledger.record_annual_review(command.actor, year=period, **body.model_dump()))
