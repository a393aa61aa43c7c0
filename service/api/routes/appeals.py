"""Appeals (申诉/复核): file (the staff member concerned), assign a reviewer, decide — and
the appeal view with its evidence chain."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from domain.appeal import OUTCOMES, TARGET_KINDS
from domain.errors import InvalidInput, NotPermitted
from domain.roles import Role
from service.api.deps import Command, CurrentPrincipal, EditCommand, Ledger, ServicesDep
from service.api.evidence import appeal_view
from service.api.gate import etag
from service.api.models import ActorName, Body, Deduction, EvidenceRefs, ItemCode, OutcomeOut, RuleId, Text
from service.api.personal import revealer_for

router = APIRouter(prefix="/appeals", tags=["appeals"])


class Target(Body):
    kind: Literal[TARGET_KINDS]  # type: ignore[valid-type]
    id: UUID


class FileAppeal(Body):
    """Filed now, by the authenticated staff member, for themselves (the token names them)."""

    target: Target
    grounds: Text
    evidence_refs: EvidenceRefs = Field(default_factory=list)


class AssignReviewer(Body):
    reviewer: ActorName


class DecideAppeal(Body):
    outcome: Literal[OUTCOMES]  # type: ignore[valid-type]
    reasons: Text
    rule: RuleId | None = None
    item: ItemCode | None = None
    deduction: Deduction | None = None


class ActorOut(BaseModel):
    id: str
    role: str


class EvidenceEntry(BaseModel):
    """An event of the chain: the documented envelope plus how it relates to the appeal."""

    position: int
    stream: str
    version: int
    type: str
    occurred_at: str
    recorded_at: str
    actor: ActorOut
    hall_id: str
    rule: str | None
    data: dict[str, Any]
    relation: Literal["contested", "basis", "consequence", "appeal"]


class RuleText(BaseModel):
    ref: str
    found: bool
    id: str | None = None
    version: str | None = None
    severity: str | None = None
    deduction: str | None = None
    title_zh: str | None = None
    title_en: str | None = None
    text_zh: str | None = None
    text_en: str | None = None
    items: list[dict[str, Any]] | None = None


class TargetOut(BaseModel):
    kind: str
    id: str


class AppealView(BaseModel):
    id: str
    version: int
    status: str
    staff_id: str
    target: TargetOut
    violation_ids: list[str]
    rule: str
    filed_by: ActorOut
    filed_at: str
    deadline: str = Field(
        description="last day of the appeal period: 5 working days after the contested record was *recorded* "
        "(record time in Asia/Shanghai, never its back-datable valid time; domain.periods.appeal_deadline)"
    )
    decision_due: str = Field(description="10 working days after the appeal was recorded")
    reviewer: ActorOut | None
    outcome: str | None
    decision: dict[str, Any] | None
    evidence: list[EvidenceEntry]
    rules: list[RuleText]
    state: dict[str, Any] = Field(
        description="the appellant's state (status, ladder, month score) as the ledger knew it just before the "
        "contested record, and right after the decision (or now, while pending)"
    )


@router.post(
    "", status_code=201, response_model=OutcomeOut, summary="提出申诉 · File an appeal (staff, for themselves)"
)
def file_appeal(body: FileAppeal, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.file_appeal(
            command.actor,
            appellant_id=command.principal.staff_id,
            target_kind=body.target.kind,
            target_id=body.target.id,
            grounds=body.grounds,
            evidence_refs=body.evidence_refs,
        ),
        created=True,
        location="/api/v1/appeals/{id}",
    )


@router.post("/{appeal_id}/reviewer", response_model=OutcomeOut, summary="指定复核人 · Assign the reviewer")
def assign_reviewer(
    appeal_id: UUID, body: AssignReviewer, command: EditCommand, ledger: Ledger, services: ServicesDep
) -> JSONResponse:
    def execute() -> Any:
        reviewer = services.tokens.active(body.reviewer)
        if reviewer is None:
            raise InvalidInput(f"nobody named {body.reviewer!r} holds an active token", field="reviewer")
        return ledger.assign_appeal_reviewer(
            command.actor, appeal_id=appeal_id, reviewer=reviewer.actor, expected_version=command.expected_version
        )

    return command.run(body, execute)


@router.post(
    "/{appeal_id}/decision",
    response_model=OutcomeOut,
    summary="复核决定 · Decide: upheld, overturned (compensating events) or amended",
)
def decide_appeal(appeal_id: UUID, body: DecideAppeal, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.decide_appeal(
            command.actor, appeal_id=appeal_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.get("/{appeal_id}", response_model=AppealView, summary="申诉详情 · The appeal and its evidence chain")
def view_appeal(appeal_id: UUID, principal: CurrentPrincipal, ledger: Ledger, services: ServicesDep) -> JSONResponse:
    appeal = ledger.appeal(appeal_id)
    if principal.role == Role.STAFF and principal.staff_id != appeal.staff_id:
        raise NotPermitted("a staff member sees only their own appeals", field="appeal_id", code="not-your-appeal")
    view = appeal_view(ledger, appeal, reveal=revealer_for(principal.role, services.vault), store=services.reads.store)
    return JSONResponse(view, headers={"ETag": etag(appeal.version)})
