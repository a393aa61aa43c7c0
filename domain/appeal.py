"""Appeals (申诉/复核) against a confirmed violation, an admonishment or a sanction decision.

Life of an appeal (DOMAIN-RESEARCH §2)::

    filed ── by the staff member concerned, with grounds, within the appeal period
      └─► reviewer assigned ── role appeal_reviewer; never someone who recorded or confirmed
            │                  a contested violation or took the contested decision
            │                  (reporter ≠ verifier ≠ reviewer); may be reassigned until decided
            └─► decided ── upheld | overturned | amended (another rule, item or deduction), with reasons

Nothing is erased. The application writes an overturn or an amendment as compensating
events on the contested records — ``Violation.Revoked``/``Violation.Amended``,
``StaffMember.AdmonishmentRescinded``/``SanctionRescinded`` — in the same transaction as
the decision, and the decision names them, so the ledger shows why each was undone.

One appeal per contested item: the appeal's id is derived from the item (``appeal_id``),
so a second appeal against the same item is refused by the store itself.

Appeal period (default policy [P], DOMAIN-RESEARCH §2): 5 working days (``domain.calendar``) after the contested
decision *became visible to the person* — the record time (recording timestamp) of the
violation's confirmation (一经查实, the moment the person is told), of the admonishment, or of
the sanction decision, never its valid time, so back-dating a record cannot shorten the
period (``domain.periods``, the one place of that rule). The appeal counts as filed when the
ledger records it. The reviewer's decision is due within 10 working days of the filing's
record time (recorded, not enforced: a late decision is still a decision).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self
from uuid import UUID

from domain.calendar import national_calendar
from domain.envelope import Actor, CommandContext, LedgerAggregate, require_text
from domain.errors import InvalidInput, InvariantViolated, NotPermitted
from domain.ids import derived_id
from domain.periods import (
    FILING_PERIOD_WORKING_DAYS,
    appeal_deadline,
    appeal_decision_due,
    appeal_period_open,
    protective_period_start,
)
from domain.roles import Role

TARGET_KINDS = ("violation", "admonishment", "sanction")
OUTCOMES = ("upheld", "overturned", "amended")

FILED = "filed"
UNDER_REVIEW = "under_review"
DECIDED = "decided"

#: the default appeals policy [P]: its name is recorded on every filed appeal
APPEAL_POLICY = "appeals-default-2026.1"


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` on the national calendar (weekends, public
    holidays and the adjusted working weekends 调休; ``start`` itself not counted). A year the
    calendar has no data for is refused (``OutsideCalendar``) rather than guessed."""
    return national_calendar().add_working_days(start, days)


def filing_deadline(recorded_at: datetime) -> date:
    """The last day an appeal may be filed against a decision *recorded* at ``recorded_at``
    (record time, :func:`domain.periods.appeal_deadline`)."""
    return appeal_deadline(recorded_at)


def appeal_id(hall_id: str, kind: str, target_id: UUID) -> UUID:
    """The id of the (only) appeal against one contested item."""
    return derived_id("appeal", hall_id, kind, str(target_id))


@dataclass(frozen=True)
class ContestedItem:
    """What filing an appeal needs to know about the contested record.

    ``violation_ids`` are the violations the item rests on (the violation itself, or a
    decision's basis); ``decided_by`` everyone who recorded, confirmed or decided it — none
    of them may review the appeal. ``decided_at`` is the contested decision's valid time,
    ``recorded_at`` its record time (the event's ``timestamp``): the appeal period runs from
    the latter.
    """

    kind: str
    id: UUID
    staff_id: UUID | None
    violation_ids: tuple[UUID, ...]
    rule: str
    status: str
    in_force: bool
    decided_at: datetime
    decided_by: tuple[Actor, ...]
    recorded_at: datetime


class Appeal(LedgerAggregate):
    """申诉 — one staff member's appeal against one contested record."""

    class Filed(LedgerAggregate.Created):
        """提出申诉 — the staff member concerned contests a record, with grounds."""

        staff_id: UUID
        target_kind: str
        target_id: UUID
        violation_ids: list[UUID]
        #: the contested record's rule, as it stood (``ART2.1@2026.1``)
        rule: str
        grounds: str
        evidence_refs: list[str]
        contested_at: datetime
        deadline: date
        decision_due: date
        #: who recorded, confirmed or decided the contested record (never its reviewer)
        excluded_reviewers: list[Actor]
        policy: str
        #: the working-day calendar the deadlines were counted on
        calendar: str

        def apply(self, a: Any) -> None:
            a.staff_id = self.staff_id
            a.target_kind = self.target_kind
            a.target_id = self.target_id
            a.violation_ids = list(self.violation_ids)
            a.rule = self.rule
            a.filed_by = self.actor
            a.filed_at = self.occurred_at
            a.deadline = self.deadline
            a.decision_due = self.decision_due
            a.excluded = [actor.id for actor in self.excluded_reviewers]
            a.excluded_actors = list(self.excluded_reviewers)
            a.status = FILED
            a.reviewer = None
            a.outcome = None

    class ReviewerAssigned(LedgerAggregate.Event):
        """指定复核人"""

        reviewer: Actor
        replaces: Actor | None

        def apply(self, a: Any) -> None:
            a.reviewer = self.reviewer
            a.status = UNDER_REVIEW

    class Decided(LedgerAggregate.Event):
        """复核决定 — upheld (维持), overturned (撤销) or amended (变更), with reasons.

        Lists the compensating changes written with it in the same transaction.
        """

        outcome: str
        reasons: str
        rule: str
        amended_rule: str | None
        amended_item: str | None
        amended_deduction: Decimal | None
        revoked_violations: list[UUID]
        rescinded_admonishments: list[UUID]
        rescinded_sanctions: list[UUID]

        def apply(self, a: Any) -> None:
            a.status = DECIDED
            a.outcome = self.outcome

    if TYPE_CHECKING:
        staff_id: UUID
        target_kind: str
        target_id: UUID
        violation_ids: list[UUID]
        rule: str
        filed_by: Actor
        filed_at: datetime
        deadline: date
        decision_due: date
        excluded: list[str]
        excluded_actors: list[Actor]
        status: str
        reviewer: Actor | None
        outcome: str | None

    @classmethod
    def file(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        appellant_id: UUID | None,
        item: ContestedItem,
        grounds: str,
        evidence_refs: Sequence[str] = (),
    ) -> Self:
        ctx.actor.require(Role.STAFF, action="filing an appeal")
        if appellant_id is None:
            raise NotPermitted(
                f"{ctx.actor.id} is not linked to a staff member; only the staff member concerned may appeal",
                field="actor",
            )
        if item.kind not in TARGET_KINDS:
            raise InvalidInput(f"an appeal contests one of {', '.join(TARGET_KINDS)}", field="target.kind")
        if item.staff_id != appellant_id:
            raise NotPermitted(f"only the staff member concerned may appeal this {item.kind}", field="target.id")
        if not item.in_force:
            raise InvariantViolated(
                f"this {item.kind} is {item.status}; only a {item.kind} in force can be appealed",
                field="target.id",
                code="not-appealable",
            )
        if ctx.occurred_at < item.decided_at:
            raise InvalidInput(f"the appeal cannot precede the {item.kind} it contests", field="occurred_at")
        # record time on both sides: the period runs from when the record became visible and
        # the appeal counts as filed when the ledger records it (neither can be back-dated)
        deadline = appeal_deadline(item.recorded_at)
        if not appeal_period_open(item.recorded_at, ctx.recorded_at):
            raise InvariantViolated(
                f"the appeal period for this {item.kind} ended on {deadline.isoformat()} "
                f"({FILING_PERIOD_WORKING_DAYS} working days after it was recorded on "
                f"{protective_period_start(item.recorded_at).isoformat()})",
                field="target.id",
                code="appeal-period-ended",
            )
        refs = [require_text(r, "evidence_refs") for r in evidence_refs]
        excluded: dict[str, Actor] = {}
        for actor in item.decided_by:
            excluded.setdefault(actor.id, actor)
        return cls._create_with(
            cls.Filed,
            ctx,
            id=id,
            staff_id=appellant_id,
            target_kind=item.kind,
            target_id=item.id,
            violation_ids=list(item.violation_ids),
            rule=item.rule,
            grounds=require_text(grounds, "grounds"),
            evidence_refs=refs,
            contested_at=item.decided_at,
            deadline=deadline,
            decision_due=appeal_decision_due(ctx.recorded_at),
            excluded_reviewers=list(excluded.values()),
            policy=APPEAL_POLICY,
            calendar=national_calendar().ref,
        )

    def _conflicted(self, who: Actor) -> bool:
        """``who`` is one of the people who recorded, confirmed or decided the contested item
        (compared as people: :meth:`Actor.same_person`, issue 10 point 7)."""
        return any(who.same_person(other) for other in self.excluded_actors)

    def _check_open(self) -> None:
        if self.status == DECIDED:
            raise InvariantViolated(f"this appeal was already decided ({self.outcome})", code="appeal-decided")

    def assign_reviewer(self, ctx: CommandContext, *, reviewer: Actor) -> None:
        """The center (or the committee) assigns a reviewer; separation of duties applies."""
        ctx.actor.require(Role.HALL_MANAGER, Role.COMMITTEE, action="assigning an appeal reviewer")
        self._check_open()
        if reviewer.role != Role.APPEAL_REVIEWER:
            raise InvalidInput(f"{reviewer.id} acts as {reviewer.role}, not as an appeal reviewer", field="reviewer")
        if reviewer.id in self.excluded or self._conflicted(reviewer):
            raise NotPermitted(
                f"{reviewer.id} recorded, confirmed or decided the contested {self.target_kind} "
                "and cannot review its appeal",
                field="reviewer",
                code="reviewer-conflict",
            )
        if reviewer.same_person(self.filed_by):
            raise NotPermitted("nobody reviews their own appeal", field="reviewer", code="reviewer-conflict")
        if self.reviewer is not None and self.reviewer.id == reviewer.id:
            raise InvariantViolated(f"{reviewer.id} already reviews this appeal", field="reviewer")
        self._trigger(self.ReviewerAssigned, ctx, reviewer=reviewer, replaces=self.reviewer)

    def check_decision(
        self,
        ctx: CommandContext,
        *,
        outcome: str,
        reasons: str,
        amended_rule: str | None,
        amended_deduction: Decimal | None,
    ) -> None:
        """Refuse a decision before anything is compensated (who, when, what, why)."""
        ctx.actor.require(Role.APPEAL_REVIEWER, action="deciding an appeal")
        self._check_open()
        if self.reviewer is None:
            raise InvariantViolated("no reviewer is assigned to this appeal yet", code="no-reviewer")
        if ctx.actor.id != self.reviewer.id:
            raise NotPermitted(
                f"this appeal is assigned to {self.reviewer.id}; {ctx.actor.id} cannot decide it",
                field="actor",
                code="not-the-reviewer",
            )
        # assignment checked it; a renamed identity (or another token of the same person) must not slip through
        if ctx.actor.id in self.excluded or self._conflicted(ctx.actor):
            raise NotPermitted(f"{ctx.actor.id} cannot review this appeal", field="actor", code="reviewer-conflict")
        if outcome not in OUTCOMES:
            raise InvalidInput(f"outcome must be one of {', '.join(OUTCOMES)}", field="outcome")
        if ctx.occurred_at < self.filed_at:
            raise InvalidInput("the decision cannot precede the appeal", field="occurred_at")
        if outcome == "amended":
            if self.target_kind != "violation":
                raise InvalidInput(
                    f"an amendment re-classifies a violation; an appeal against a {self.target_kind} "
                    "is upheld or overturned",
                    field="outcome",
                )
            if amended_rule is None:
                raise InvalidInput("an amendment names the rule the breach falls under", field="rule")
        elif amended_rule is not None or amended_deduction is not None:
            raise InvalidInput("only an amendment names another rule or deduction", field="rule")
        require_text(reasons, "reasons")

    def decide(
        self,
        ctx: CommandContext,
        *,
        outcome: str,
        reasons: str,
        amended_rule: str | None = None,
        amended_item: str | None = None,
        amended_deduction: Decimal | None = None,
        revoked_violations: Sequence[UUID] = (),
        rescinded_admonishments: Sequence[UUID] = (),
        rescinded_sanctions: Sequence[UUID] = (),
    ) -> None:
        self.check_decision(
            ctx, outcome=outcome, reasons=reasons, amended_rule=amended_rule, amended_deduction=amended_deduction
        )
        if outcome != "overturned" and (revoked_violations or rescinded_admonishments or rescinded_sanctions):
            raise InvalidInput("only an overturn revokes or rescinds records", field="outcome")
        self._trigger(
            self.Decided,
            ctx,
            outcome=outcome,
            reasons=require_text(reasons, "reasons"),
            rule=self.rule,
            amended_rule=amended_rule,
            amended_item=amended_item,
            amended_deduction=amended_deduction,
            revoked_violations=list(revoked_violations),
            rescinded_admonishments=list(rescinded_admonishments),
            rescinded_sanctions=list(rescinded_sanctions),
        )
