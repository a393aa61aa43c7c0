"""Assessments (考核, ART11): publishing a period's results (monthly and quarterly by the hall
manager, annual by the committee), amending a published period, the committee's annual
review scores — and reading scores and rankings from the ``assessment`` read model.

A quarter's or year's ranking says how its grades were reached: each row's ``grade_reason``
(``veto`` 一票否决, ``forbidden_severity``, ``failed_month``, ``quota``) with the rules behind
it and its ``place`` (the position that decides the 优秀 quota), and ``grading`` gives the
quota of the period (``domain.assessment.grading_summary``, the rule the model grades with)."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from domain.assessment import grading_summary, period_kind
from domain.errors import DomainError
from domain.policies.loading import PolicyError
from domain.policies.scoring import load_scoring_policy
from service.api import queries
from service.api.deps import Command, Ledger, ServicesDep
from service.api.models import Month, Note, OutcomeOut, Period, Score, Text, TimedBody
from service.api.reads import AfterPosition
from service.api.tables import transaction

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


# ── reading scores and rankings (the ``assessment`` read model) ───────────────


class Ranking(BaseModel):
    period: str
    kind: Literal["month", "quarter", "year"]
    position: int = Field(description="how far the assessment model has read the log")
    as_of: str | None
    publication: dict[str, Any] | None = Field(description="the published period, if it was published")
    grading: dict[str, Any] | None = Field(
        None,
        description="quarter and year: the 优秀 quota of the period (people with a total, seats ⌊quota × n⌋, "
        "holders) and the tie-break of positions",
    )
    results: list[dict[str, Any]]


class UnitRanking(BaseModel):
    period: str
    position: int
    as_of: str | None
    results: list[dict[str, Any]]


@router.get(
    "/{period}",
    response_model=Ranking,
    summary="考核排名 · Everyone's results of a period, ranked (named people: management and reviewers)",
)
def view_ranking(period: Period, services: ServicesDep, after_position: AfterPosition = None) -> JSONResponse:
    reads = services.reads
    position = reads.ready(["assessment"], after_position)
    kind = period_kind(period)
    with transaction(services.ledger, commit=False) as tx:
        if kind == "month":
            results = queries.monthly(tx, "period = ?", [period])
        elif kind == "quarter":
            results = queries.quarterly(tx, "period = ?", [period])
        else:
            results = queries.annual(tx, "period = ?", [period])
        published = queries.publication(tx, period)
        as_of = reads.as_of(tx, "assessment")
    return JSONResponse(
        {"period": period, "kind": kind, "position": position, "as_of": as_of, "publication": published,
         "grading": _grading(kind, results), "results": results}
    )  # fmt: skip


def _grading(kind: str, results: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The quota of a quarter or year under the policy its rows cite (None for a month)."""
    refs = sorted({str(r["policy"]) for r in results})
    if kind == "month" or len(refs) != 1:
        return None
    try:
        policy = load_scoring_policy(refs[0].removeprefix("scoring@"))
    except (PolicyError, DomainError):
        return None
    return grading_summary(results, policy, kind)


@router.get(
    "/{period}/windows",
    response_model=UnitRanking,
    summary="窗口评比 · The monthly window ranking (红旗窗口): aggregates, no person named",
)
def view_window_ranking(period: Month, services: ServicesDep, after_position: AfterPosition = None) -> JSONResponse:
    reads = services.reads
    position = reads.ready(["assessment"], after_position)
    with transaction(services.ledger, commit=False) as tx:
        results = queries.windows(tx, period)
        as_of = reads.as_of(tx, "assessment")
    return JSONResponse({"period": period, "position": position, "as_of": as_of, "results": results})


@router.get(
    "/{period}/departments",
    response_model=UnitRanking,
    summary="部门排名 · Departments by the mean of their staff's monthly scores: aggregates, no person named",
)
def view_department_ranking(period: Month, services: ServicesDep, after_position: AfterPosition = None) -> JSONResponse:
    reads = services.reads
    position = reads.ready(["assessment"], after_position)
    with transaction(services.ledger, commit=False) as tx:
        results = queries.departments(tx, period)
        as_of = reads.as_of(tx, "assessment")
    return JSONResponse({"period": period, "position": position, "as_of": as_of, "results": results})
