"""Inspection rounds (ART1, ART3–ART7 findings) and the center's cleaning coordination (ART4.2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID, uuid4

from domain import ids
from domain.envelope import Actor, CommandContext, check_aware
from domain.errors import DomainError, InvalidInput
from domain.inspection import CleaningRequest, InspectionRound
from domain.organisation import Window
from domain.violation import Violation
from service.app_base import Outcome
from service.commands.discipline import DisciplineCommands


@dataclass(frozen=True)
class Finding:
    """发现问题: a breach of ``rule`` (an id such as ``ART6.1``) seen at ``window_id``."""

    window_id: UUID
    rule: str
    evidence: str
    observed_at: datetime
    staff_id: UUID | None = None
    department_id: UUID | None = None
    item: str | None = None
    evidence_refs: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class CleanPass:
    """检查无问题: the window was inspected and nothing was wrong."""

    window_id: UUID
    observed_at: datetime
    note: str = ""


def _at(ctx: CommandContext, when: datetime, field_name: str) -> CommandContext:
    """The same command's context at another valid time of the round (an observation)."""
    check_aware(when, field_name)
    if when > ctx.occurred_at:
        raise InvalidInput(
            f"{when.isoformat()} lies after the round was completed ({ctx.occurred_at.isoformat()})", field=field_name
        )
    return replace(ctx, occurred_at=when)


def _located(refused: DomainError, where: str) -> DomainError:
    """The same refusal, its field named within the round's command (``findings[1].evidence``)."""
    if refused.field is None or refused.field.startswith(where):
        return refused
    return type(refused)(refused.message, rule=refused.rule, field=f"{where}.{refused.field}", code=refused.code)


class InspectionCommands(DisciplineCommands):
    def inspection_round(self, round_id: UUID) -> InspectionRound:
        return self.load(InspectionRound, round_id, what="inspection round", field="round_id")

    def finding_violation_id(self, round_id: UUID, index: int) -> UUID:
        """A finding's violation id derives from its round: a round submitted twice is refused whole."""
        return ids.derived_id("inspection-finding", self.settings.hall_id, str(round_id), str(index))

    def complete_inspection_round(
        self,
        actor: Actor,
        *,
        windows: Sequence[UUID],
        started_at: datetime,
        findings: Sequence[Finding] = (),
        clean_passes: Sequence[CleanPass] = (),
        covert: bool = False,
        kind: str = "daily",
        round_id: UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """巡查/暗访: the round over ``windows``, its findings (each a new violation) and clean passes.

        ``occurred_at`` is when the round was completed. The round and every violation it
        found are saved in one transaction; ``extra["violation_ids"]`` lists the violations
        in the order of ``findings``.
        """
        ctx = self.context(actor, occurred_at)
        round_id = round_id or uuid4()
        for i, window_id in enumerate(windows):
            window = self.load(Window, window_id, what="window", field=f"windows[{i}]")
            window.check_open()
        _, ref = self.rule_in_force("ART11.1", ctx.occurred_at)
        inspection = InspectionRound.start(
            _at(ctx, started_at, "started_at"),
            id=round_id,
            windows=list(windows),
            covert=covert,
            kind=kind,
            rule=str(ref),
        )
        violations: list[Violation] = []
        for i, finding in enumerate(findings):
            where = f"findings[{i}]"
            inspection.check_covers(finding.window_id, field=f"{where}.window_id")
            seen = _at(ctx, finding.observed_at, f"{where}.observed_at")
            try:
                violation = self.new_violation(
                    seen,
                    violation_id=self.finding_violation_id(round_id, i),
                    rule=finding.rule,
                    evidence=finding.evidence,
                    staff_id=finding.staff_id,
                    department_id=finding.department_id,
                    window_id=finding.window_id,
                    item=finding.item,
                    evidence_refs=finding.evidence_refs,
                    source="inspection",
                    time_field="observed_at",
                )
            except DomainError as refused:
                raise _located(refused, where) from None
            inspection.record_finding(seen, violation=violation, where=where)
            violations.append(violation)
        for i, clean in enumerate(clean_passes):
            where = f"clean_passes[{i}]"
            inspection.record_clean_pass(
                _at(ctx, clean.observed_at, f"{where}.observed_at"),
                window_id=clean.window_id,
                note=clean.note,
                where=where,
            )
        inspection.complete(ctx, rule=str(ref))
        return self.record(
            inspection,
            *violations,
            created=[inspection, *violations],
            extra={"violation_ids": [v.id for v in violations]},
        )

    # ── ART4.2: the center coordinates cleaning with property management ─────

    def raise_cleaning_request(
        self,
        actor: Actor,
        *,
        description: str,
        contractor: str,
        window_id: UUID | None = None,
        area: str = "",
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """保洁需求 (ART4.2): the center asks property management (``contractor``) to clean."""
        ctx = self.context(actor, occurred_at)
        if window_id is not None:
            self.load(Window, window_id, what="window", field="window_id")
        _, ref = self.rule_in_force("ART4.2", ctx.occurred_at)
        request = CleaningRequest.raise_request(
            ctx,
            id=uuid4(),
            window_id=window_id,
            area=area,
            description=description,
            contractor=contractor,
            rule=str(ref),
        )
        return self.record(request, created=[request])

    def resolve_cleaning_request(
        self,
        actor: Actor,
        *,
        request_id: UUID,
        note: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        request = self.load(
            CleaningRequest, request_id, what="cleaning request", field="request_id", expected_version=expected_version
        )
        _, ref = self.rule_in_force("ART4.2", ctx.occurred_at)
        request.resolve(ctx, note=note, rule=str(ref))
        return self.record(request)
