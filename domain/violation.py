"""Violations of the regulation (违规记录): recorded with evidence, confirmed or dismissed,
revoked later only with a reason, amended on appeal. Nothing is ever erased.

Life of a violation::

    recorded (by an inspector) ─┐            ┌─► revoked (reason; appeal)
    detected (candidate) ───────┴─ pending ──┤
                                             ├─► confirmed ──► amended (appeal: another rule)
                                             └─► dismissed (reason)

Only confirmed violations count: in scores, on the escalation ladder, as the basis of a
sanction. Four eyes: nobody confirms a violation they recorded themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self
from uuid import UUID

from domain.envelope import Actor, CommandContext, LedgerAggregate, require_text
from domain.errors import InvalidInput, InvariantViolated, NotPermitted
from domain.roles import Role
from domain.rules import Rule, RuleRef

SOURCES = ("inspection", "complaint", "supervision", "rating", "self_report", "detection")

PENDING = "pending"
CONFIRMED = "confirmed"
DISMISSED = "dismissed"
REVOKED = "revoked"


@dataclass(frozen=True)
class BasisFact:
    """What a sanction decision needs to know about one violation it rests on."""

    violation_id: UUID
    staff_id: UUID | None
    status: str
    rule: str
    severity: str
    occurred_at: datetime
    recorded_by: Actor
    confirmed_by: Actor | None


class Violation(LedgerAggregate):
    """One breach of one rule by one person (or department), with its evidence."""

    class Recorded(LedgerAggregate.Created):
        """违规记录 — an inspector records a breach with evidence."""

        staff_id: UUID | None
        department_id: UUID | None
        window_id: UUID | None
        rule: str
        item: str | None
        severity: str
        evidence: str
        evidence_refs: list[str]
        source: str

        def apply(self, v: Any) -> None:
            v.staff_id = self.staff_id
            v.department_id = self.department_id
            v.window_id = self.window_id
            v.rule = self.rule
            v.item = self.item
            v.severity = self.severity
            v.status = PENDING
            v.candidate = False
            v.recorded_by = self.actor
            v.confirmed_by = None
            v.occurred = self.occurred_at
            v.causation = []

    class Detected(LedgerAggregate.Created):
        """违规线索 — a candidate found by automatic detection, for a person to confirm.

        ``causation`` holds the ledger positions of the events that revealed it.
        """

        staff_id: UUID | None
        department_id: UUID | None
        window_id: UUID | None
        rule: str
        item: str | None
        severity: str
        evidence: str
        evidence_refs: list[str]
        source: str
        causation: list[int]
        detector: str
        detection_policy: str

        def apply(self, v: Any) -> None:
            v.staff_id = self.staff_id
            v.department_id = self.department_id
            v.window_id = self.window_id
            v.rule = self.rule
            v.item = self.item
            v.severity = self.severity
            v.status = PENDING
            v.candidate = True
            v.recorded_by = self.actor
            v.confirmed_by = None
            v.occurred = self.occurred_at
            v.causation = list(self.causation)

    class Confirmed(LedgerAggregate.Event):
        """一经查实 — verified by a second person."""

        note: str

        def apply(self, v: Any) -> None:
            v.status = CONFIRMED
            v.confirmed_by = self.actor

    class Dismissed(LedgerAggregate.Event):
        """不予认定"""

        reason: str

        def apply(self, v: Any) -> None:
            v.status = DISMISSED

    class Revoked(LedgerAggregate.Event):
        """撤销 — a confirmed violation is withdrawn (on appeal or on review)."""

        reason: str
        appeal_id: UUID | None

        def apply(self, v: Any) -> None:
            v.status = REVOKED

    class Amended(LedgerAggregate.Event):
        """变更认定 — on appeal, the breach is re-classified under another rule or deduction."""

        rule: str
        item: str | None
        severity: str
        deduction: Decimal | None
        reason: str
        appeal_id: UUID | None

        def apply(self, v: Any) -> None:
            v.rule = self.rule
            v.item = self.item
            v.severity = self.severity

    if TYPE_CHECKING:
        staff_id: UUID | None
        department_id: UUID | None
        window_id: UUID | None
        rule: str
        item: str | None
        severity: str
        status: str
        candidate: bool
        recorded_by: Actor
        confirmed_by: Actor | None
        occurred: datetime
        causation: list[int]

    @staticmethod
    def _subject(rule: Rule, staff_id: UUID | None, department_id: UUID | None) -> tuple[UUID | None, UUID | None]:
        if rule.kind != "conduct":
            raise InvalidInput(
                f"{rule.id} ({rule.title_en}) is a {rule.kind} rule; nobody can breach it",
                field="rule",
                rule=rule.id,
            )
        if rule.target == "person" and staff_id is None:
            raise InvalidInput(
                f"{rule.id} is breached by a person: name the staff member", field="staff_id", rule=rule.id
            )
        if rule.target == "department" and department_id is None:
            raise InvalidInput(f"{rule.id} is breached by a department: name it", field="department_id", rule=rule.id)
        return staff_id, department_id

    @classmethod
    def record(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        rule: Rule,
        ref: RuleRef,
        item: str | None,
        staff_id: UUID | None,
        department_id: UUID | None,
        window_id: UUID | None,
        evidence: str,
        evidence_refs: Sequence[str],
        source: str = "inspection",
    ) -> Self:
        ctx.actor.require(Role.INSPECTOR, Role.HALL_MANAGER, action="recording a violation", rule=rule.id)
        if source not in SOURCES or source == "detection":
            raise InvalidInput(f"source {source!r} is not one of {', '.join(SOURCES[:-1])}", field="source")
        staff_id, department_id = cls._subject(rule, staff_id, department_id)
        refs = [require_text(r, "evidence_refs") for r in evidence_refs]
        return cls._create_with(
            cls.Recorded,
            ctx,
            id=id,
            staff_id=staff_id,
            department_id=department_id,
            window_id=window_id,
            rule=str(ref),
            item=item,
            severity=rule.severity_of(item),
            evidence=require_text(evidence, "evidence", rule=rule.id),
            evidence_refs=refs,
            source=source,
        )

    @classmethod
    def detect(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        rule: Rule,
        ref: RuleRef,
        item: str | None,
        staff_id: UUID | None,
        department_id: UUID | None,
        window_id: UUID | None,
        evidence: str,
        causation: Sequence[int],
        detector: str,
        detection_policy: str,
    ) -> Self:
        ctx.actor.require(Role.SYSTEM, action="recording a detected candidate", rule=rule.id)
        if not causation:
            raise InvalidInput("a detected candidate names the events that revealed it", field="causation")
        staff_id, department_id = cls._subject(rule, staff_id, department_id)
        return cls._create_with(
            cls.Detected,
            ctx,
            id=id,
            staff_id=staff_id,
            department_id=department_id,
            window_id=window_id,
            rule=str(ref),
            item=item,
            severity=rule.severity_of(item),
            evidence=require_text(evidence, "evidence"),
            evidence_refs=[],
            source="detection",
            causation=sorted(set(causation)),
            detector=detector,
            detection_policy=detection_policy,
        )

    @property
    def rule_id(self) -> str:
        return self.rule.partition("@")[0]

    def confirm(self, ctx: CommandContext, *, note: str = "") -> None:
        ctx.actor.require(Role.INSPECTOR, Role.HALL_MANAGER, action="confirming a violation", rule=self.rule_id)
        self._check_pending("confirmed")
        if ctx.actor.same_person(self.recorded_by):  # people, not token names (issue 10 point 7)
            raise NotPermitted(
                f"{ctx.actor.id} recorded this violation and cannot also confirm it (four eyes)",
                rule=self.rule_id,
                field="actor",
            )
        self._trigger(self.Confirmed, ctx, note=note.strip())

    def dismiss(self, ctx: CommandContext, *, reason: str) -> None:
        ctx.actor.require(Role.INSPECTOR, Role.HALL_MANAGER, action="dismissing a violation", rule=self.rule_id)
        self._check_pending("dismissed")
        self._trigger(self.Dismissed, ctx, reason=require_text(reason, "reason"))

    def revoke(self, ctx: CommandContext, *, reason: str, appeal_id: UUID | None = None) -> None:
        ctx.actor.require(
            Role.HALL_MANAGER, Role.COMMITTEE, Role.APPEAL_REVIEWER,
            action="revoking a violation", rule=self.rule_id,
        )  # fmt: skip
        if self.status == REVOKED:
            raise InvariantViolated("this violation was already revoked", rule=self.rule_id)
        if self.status != CONFIRMED:
            raise InvariantViolated(
                f"only a confirmed violation can be revoked; this one is {self.status}"
                + (" (dismiss it instead)" if self.status == PENDING else ""),
                rule=self.rule_id,
            )
        self._trigger(self.Revoked, ctx, reason=require_text(reason, "reason"), appeal_id=appeal_id)

    def amend(
        self,
        ctx: CommandContext,
        *,
        rule: Rule,
        ref: RuleRef,
        item: str | None,
        deduction: Decimal | None,
        reason: str,
        appeal_id: UUID | None = None,
    ) -> None:
        ctx.actor.require(
            Role.HALL_MANAGER, Role.COMMITTEE, Role.APPEAL_REVIEWER,
            action="amending a violation", rule=self.rule_id,
        )  # fmt: skip
        if self.status != CONFIRMED:
            raise InvariantViolated(f"only a confirmed violation can be amended; this one is {self.status}")
        self._subject(rule, self.staff_id, self.department_id)
        if deduction is not None and not (Decimal(0) <= deduction <= Decimal(100)):
            raise InvalidInput("deduction must lie between 0 and 100", field="deduction")
        self._trigger(
            self.Amended,
            ctx,
            rule=str(ref),
            item=item,
            severity=rule.severity_of(item),
            deduction=deduction,
            reason=require_text(reason, "reason"),
            appeal_id=appeal_id,
        )

    def _check_pending(self, verb: str) -> None:
        if self.status != PENDING:
            raise InvariantViolated(f"this violation is {self.status} and cannot be {verb}", rule=self.rule_id)

    def as_basis(self) -> BasisFact:
        return BasisFact(
            violation_id=self.id,
            staff_id=self.staff_id,
            status=self.status,
            rule=self.rule,
            severity=self.severity,
            occurred_at=self.occurred,
            recorded_by=self.recorded_by,
            confirmed_by=self.confirmed_by,
        )
