"""Violations (违规记录): record with evidence, confirm (four eyes) or dismiss, revoke, amend."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field

from domain.violation import SOURCES
from service.api.deps import Command, EditCommand, Ledger
from service.api.models import Deduction, EvidenceRefs, ItemCode, Note, OutcomeOut, RuleId, Text, TimedBody

router = APIRouter(prefix="/violations", tags=["violations"])

#: sources a person may state; "detection" belongs to the automatic detector
MANUAL_SOURCES = tuple(s for s in SOURCES if s != "detection")


class RecordViolation(TimedBody):
    rule: RuleId
    evidence: Text
    staff_id: UUID | None = None
    department_id: UUID | None = None
    window_id: UUID | None = None
    item: ItemCode | None = None
    evidence_refs: EvidenceRefs = Field(default_factory=list)
    source: Literal[MANUAL_SOURCES] = "inspection"  # type: ignore[valid-type]


class ConfirmViolation(TimedBody):
    note: Note = ""


class DismissViolation(TimedBody):
    reason: Text


class RevokeViolation(TimedBody):
    reason: Text


class AmendViolation(TimedBody):
    rule: RuleId
    reason: Text
    item: ItemCode | None = None
    deduction: Deduction | None = None


@router.post("", status_code=201, response_model=OutcomeOut, summary="违规记录 · Record a violation with evidence")
def record_violation(body: RecordViolation, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.record_violation(
            command.actor, violation_id=command.derived_id("violation"), **body.model_dump()
        ),
        created=True,
        location="/api/v1/violations/{id}",
    )


@router.post(
    "/{violation_id}/confirmation", response_model=OutcomeOut, summary="一经查实 · Confirm a violation (four eyes)"
)
def confirm_violation(violation_id: UUID, body: ConfirmViolation, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.confirm_violation(
            command.actor, violation_id=violation_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post("/{violation_id}/dismissal", response_model=OutcomeOut, summary="不予认定 · Dismiss a violation")
def dismiss_violation(violation_id: UUID, body: DismissViolation, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.dismiss_violation(
            command.actor, violation_id=violation_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post(
    "/{violation_id}/revocation", response_model=OutcomeOut, summary="撤销 · Revoke a confirmed violation (on review)"
)
def revoke_violation(violation_id: UUID, body: RevokeViolation, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.revoke_violation(
            command.actor, violation_id=violation_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post(
    "/{violation_id}/amendment", response_model=OutcomeOut, summary="变更认定 · Re-classify a confirmed violation"
)
def amend_violation(violation_id: UUID, body: AmendViolation, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.amend_violation(
            command.actor, violation_id=violation_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )
