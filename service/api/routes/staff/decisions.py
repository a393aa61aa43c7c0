"""The escalation ladder's decisions (ART2.1.3): admonishment with an ordered remedy, remedy
completed, suspension from post (待岗), removal from the post (调离), reinstatement, and the
compensating rescissions.

Who decides (DOMAIN.md roles, ``service/api/access.py``): the center (``hall_manager``) or the
committee admonishes; suspensions and removals are the management committee's (``committee``,
管委会), and only what the escalation policy supports (``domain.ladder.judge_sanction``, the walk
the escalation read model derives with; refused with rule ART2.1.3 and field ``basis``)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from service.api.deps import EditCommand, Ledger
from service.api.models import Basis, HallDate, OutcomeOut, Text, TimedBody

router = APIRouter(prefix="/staff/{staff_id}", tags=["escalation decisions"])


class IssueAdmonishment(TimedBody):
    basis: Basis
    remedy: Text
    #: the remedy's due date; omitted: the escalation policy's (5 working days after the day the
    #: admonishment is recorded, Asia/Shanghai); an earlier date than the policy's is raised to it
    remedy_due: HallDate | None = None


class CompleteRemedy(TimedBody):
    note: Text


class Rescind(TimedBody):
    reason: Text


class DecideSuspension(TimedBody):
    basis: Basis
    start: HallDate
    until: HallDate | None = None


class DecideRemoval(TimedBody):
    basis: Basis
    effective: HallDate


class Reinstate(TimedBody):
    note: Text


@router.post(
    "/admonishments",
    status_code=201,
    response_model=OutcomeOut,
    summary="诫勉教育 + 责令补救 · Admonish and order a remedy (ART2.1.3)",
)
def issue_admonishment(staff_id: UUID, body: IssueAdmonishment, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.issue_admonishment(
            command.actor, staff_id=staff_id, expected_version=command.expected_version, **body.model_dump()
        ),
        created=True,
    )


@router.post(
    "/admonishments/{admonishment_id}/remedy-completion",
    response_model=OutcomeOut,
    summary="补救完成 · Record the remedy completed",
)
def complete_remedy(
    staff_id: UUID, admonishment_id: UUID, body: CompleteRemedy, command: EditCommand, ledger: Ledger
) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.complete_remedy(
            command.actor,
            staff_id=staff_id,
            admonishment_id=admonishment_id,
            expected_version=command.expected_version,
            **body.model_dump(),
        ),
    )


@router.post(
    "/admonishments/{admonishment_id}/rescission",
    response_model=OutcomeOut,
    summary="撤销诫勉 · Rescind an admonishment",
)
def rescind_admonishment(
    staff_id: UUID, admonishment_id: UUID, body: Rescind, command: EditCommand, ledger: Ledger
) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.rescind_admonishment(
            command.actor,
            staff_id=staff_id,
            admonishment_id=admonishment_id,
            expected_version=command.expected_version,
            **body.model_dump(),
        ),
    )


@router.post(
    "/suspensions",
    status_code=201,
    response_model=OutcomeOut,
    summary="待岗 · Decide a suspension from post (committee; ART2.1.3 as the escalation policy supports it)",
)
def decide_suspension(staff_id: UUID, body: DecideSuspension, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.decide_suspension(
            command.actor, staff_id=staff_id, expected_version=command.expected_version, **body.model_dump()
        ),
        created=True,
    )


@router.post("/removals", status_code=201, response_model=OutcomeOut, summary="调离 · Decide a removal from the post")
def decide_removal(staff_id: UUID, body: DecideRemoval, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.decide_removal(
            command.actor, staff_id=staff_id, expected_version=command.expected_version, **body.model_dump()
        ),
        created=True,
    )


@router.post(
    "/sanctions/{decision_id}/reinstatement",
    response_model=OutcomeOut,
    summary="恢复上岗 · Reinstate after a suspension",
)
def reinstate(staff_id: UUID, decision_id: UUID, body: Reinstate, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.reinstate(
            command.actor,
            staff_id=staff_id,
            decision_id=decision_id,
            expected_version=command.expected_version,
            **body.model_dump(),
        ),
    )


@router.post("/sanctions/{decision_id}/rescission", response_model=OutcomeOut, summary="撤销处理 · Rescind a sanction")
def rescind_sanction(
    staff_id: UUID, decision_id: UUID, body: Rescind, command: EditCommand, ledger: Ledger
) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.rescind_sanction(
            command.actor,
            staff_id=staff_id,
            decision_id=decision_id,
            expected_version=command.expected_version,
            **body.model_dump(),
        ),
    )
