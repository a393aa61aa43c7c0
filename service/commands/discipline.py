"""Violations and the escalation ladder's decisions (ART2.1.3).

While an appeal is pending, ladder steps that rest on the contested item wait for the
reviewer (DOMAIN.md, "Appeals"): an admonishment, suspension or removal whose basis
includes a violation under appeal is refused (409 ``under-appeal``), and so is a sanction
while an admonishment of the person — the warning a sanction escalates from — is under
appeal. The one exception is an interim suspension for a ``serious`` violation.

A suspension or removal is recorded only when the escalation policy supports it: the person's
facts are folded from their events exactly as the escalation read model folds them
(``projections.facts``) and judged by ``domain.ladder.judge_sanction`` — the walk and the
verdict the read model derives ``suspension_or_removal_due`` and a sanction's support with.
An admonishment's remedy is due ``remedy_due_working_days`` working days after the day it is
recorded (Asia/Shanghai) unless a later ``remedy_due`` is given. A confirmed serious violation is
referred to discipline inspection (``StaffMember.ReferredToDisciplineInspection``) in the same
transaction as its confirmation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from domain.appeal import DECIDED, Appeal, appeal_id
from domain.envelope import Actor, CommandContext
from domain.errors import InvalidInput, InvariantViolated
from domain.ladder import SanctionVerdict, judge_sanction, micros, remedy_due_by
from domain.organisation import Department, Window
from domain.policies.escalation import EscalationPolicy, load_escalation_policy
from domain.staff import StaffMember
from domain.violation import CONFIRMED, BasisFact, Violation
from projections.facts import HallFacts, fold
from projections.runner import ProjectionStore
from projections.timetravel import events_concerning
from service.app_base import Outcome
from service.commands.staff import StaffCommands


class DisciplineCommands(StaffCommands):
    def violation(self, violation_id: UUID, *, expected_version: int | None = None) -> Violation:
        return self.load(
            Violation, violation_id, what="violation", field="violation_id", expected_version=expected_version
        )

    def record_violation(
        self,
        actor: Actor,
        *,
        rule: str,
        evidence: str,
        staff_id: UUID | None = None,
        department_id: UUID | None = None,
        window_id: UUID | None = None,
        item: str | None = None,
        evidence_refs: Sequence[str] = (),
        source: str = "inspection",
        occurred_at: datetime | None = None,
        violation_id: UUID | None = None,
    ) -> Outcome:
        """违规记录: an inspector records a breach of ``rule`` (an id such as ``ART6.5``)."""
        ctx = self.context(actor, occurred_at)
        violation = self.new_violation(
            ctx,
            violation_id=violation_id or uuid4(),
            rule=rule,
            evidence=evidence,
            staff_id=staff_id,
            department_id=department_id,
            window_id=window_id,
            item=item,
            evidence_refs=evidence_refs,
            source=source,
        )
        return self.record(violation, created=[violation])

    def new_violation(
        self,
        ctx: CommandContext,
        *,
        violation_id: UUID,
        rule: str,
        evidence: str,
        staff_id: UUID | None,
        department_id: UUID | None,
        window_id: UUID | None,
        item: str | None,
        evidence_refs: Sequence[str],
        source: str,
        time_field: str = "occurred_at",
    ) -> Violation:
        """The violation a command records (not saved yet): ``rule`` named by its id and taken from the
        catalogue in force at ``ctx.occurred_at`` (which came from the input ``time_field``), its item, and
        the staff member, department and window it names — a staff member's posting names the window when
        none is given. Used by :meth:`record_violation` and by inspection rounds' findings."""
        if "@" in rule:
            raise InvalidInput(
                f"name the rule by its id (ART6.5); the catalogue version in force is chosen from {time_field}",
                field="rule",
            )
        found, ref = self.rule_in_force(rule, ctx.occurred_at, field=time_field)
        found.item(item)  # refuse an unknown item before anything else
        # an impossible valid time is refused (domain.valid_time); the window is the posting's then
        window_id = self.placed_at(
            ctx.occurred_at, staff_id=staff_id, window_id=window_id, field=time_field, rule=found.id,
            window_rule=found.category == "window_duties",
        )  # fmt: skip
        if department_id is not None:
            self.load(Department, department_id, what="department", field="department_id")
        if window_id is not None:
            self.load(Window, window_id, what="window", field="window_id")
        return Violation.record(
            ctx,
            id=violation_id,
            rule=found,
            ref=ref,
            item=item,
            staff_id=staff_id,
            department_id=department_id,
            window_id=window_id,
            evidence=evidence,
            evidence_refs=list(evidence_refs),
            source=source,
        )

    def confirm_violation(
        self,
        actor: Actor,
        *,
        violation_id: UUID,
        note: str = "",
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        violation = self.violation(violation_id, expected_version=expected_version)
        violation.confirm(ctx, note=note)
        return self.record(violation, *self._referral(ctx, violation))

    def dismiss_violation(
        self,
        actor: Actor,
        *,
        violation_id: UUID,
        reason: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        violation = self.violation(violation_id, expected_version=expected_version)
        violation.dismiss(ctx, reason=reason)
        return self.record(violation)

    def revoke_violation(
        self,
        actor: Actor,
        *,
        violation_id: UUID,
        reason: str,
        appeal_id: UUID | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        violation = self.violation(violation_id, expected_version=expected_version)
        violation.revoke(ctx, reason=reason, appeal_id=appeal_id)
        return self.record(violation)

    def amend_violation(
        self,
        actor: Actor,
        *,
        violation_id: UUID,
        rule: str,
        reason: str,
        item: str | None = None,
        deduction: Decimal | None = None,
        appeal_id: UUID | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        violation = self.violation(violation_id, expected_version=expected_version)
        found, ref = self.rule_in_force(rule, violation.occurred)
        found.item(item)
        violation.amend(ctx, rule=found, ref=ref, item=item, deduction=deduction, reason=reason, appeal_id=appeal_id)
        return self.record(violation, *self._referral(ctx, violation))

    def _referral(self, ctx: CommandContext, violation: Violation) -> list[StaffMember]:
        """移送纪检监察: a confirmed serious (integrity) violation is referred to the
        discipline-inspection body when it is confirmed (or amended to serious) — the moment the
        ladder proposes a sanction at once. Once per violation; saved with the confirmation."""
        if violation.severity != "serious" or violation.status != CONFIRMED or violation.staff_id is None:
            return []
        staff = self.staff(violation.staff_id)
        if str(violation.id) in staff.referrals:
            return []
        staff.refer_to_discipline_inspection(ctx, referral_id=uuid4(), violation=violation.as_basis())
        return [staff]

    # ── the ladder's decisions ───────────────────────────────────────────────

    def escalation_policy(self) -> EscalationPolicy:
        """The escalation policy the escalation read model derives with (the newest version)."""
        return load_escalation_policy()

    def ladder_facts(self, staff_id: UUID) -> dict[str, Any]:
        """A person's facts as the escalation read model folds them (``projections.facts``), from
        every event concerning them the ledger holds now (the subject index and the log's tail)."""
        store = self.__dict__.get("_ladder_store")
        if store is None:
            store = self.__dict__["_ladder_store"] = ProjectionStore(self)
        facts = fold(events_concerning(self, staff_id, store=store), HallFacts(months=False))
        return facts.core(str(staff_id))

    def judge_sanction(
        self, ctx: CommandContext, staff_id: UUID, basis: Sequence[UUID], *, kind: str
    ) -> SanctionVerdict:
        """Does the escalation policy support a ``kind`` decided at ``ctx.occurred_at`` on ``basis``?
        The same walk and verdict as the read model (``domain.ladder.judge_sanction``)."""
        return judge_sanction(
            self.ladder_facts(staff_id),
            self.escalation_policy(),
            t=micros(ctx.occurred_at),
            kind=kind,
            basis=[str(b) for b in basis],
        )

    def basis_facts(self, basis: Sequence[UUID]) -> list[BasisFact]:
        return [self.load(Violation, v, what="violation", field="basis").as_basis() for v in basis]

    def pending_appeal(self, kind: str, target_id: UUID) -> Appeal | None:
        """The appeal against an item, while it waits for its decision (an item is appealed once)."""
        found = appeal_id(self.settings.hall_id, kind, target_id)
        if not self.exists(found):
            return None
        appeal = self.load(Appeal, found, what="appeal", field="basis")
        return None if appeal.status == DECIDED else appeal

    def _check_not_under_appeal(self, staff: StaffMember, basis: Sequence[BasisFact], *, step: str, rule: str) -> None:
        """申诉期间 ladder steps that rest on a contested item are blocked (DOMAIN-RESEARCH §2)."""
        interim = step == "suspension" and any(b.severity == "serious" for b in basis)
        for fact in basis:
            if interim and fact.severity == "serious":
                continue  # an interim suspension for a serious violation is allowed meanwhile
            appeal = self.pending_appeal("violation", fact.violation_id)
            if appeal is not None:
                raise InvariantViolated(
                    f"violation {fact.violation_id} is under appeal (appeal {appeal.id}, {appeal.status}); "
                    f"a {step} resting on it waits for the reviewer's decision",
                    field="basis",
                    rule=rule,
                    code="under-appeal",
                )
        if step == "admonishment" or interim:
            return
        for key, admonishment in sorted(staff.admonishments.items()):
            if admonishment["rescinded"]:
                continue
            appeal = self.pending_appeal("admonishment", UUID(key))
            if appeal is not None:
                raise InvariantViolated(
                    f"admonishment {key} of {staff.name} is under appeal (appeal {appeal.id}, {appeal.status}); "
                    f"a {step} escalating from the warning waits for the reviewer's decision",
                    field="basis",
                    rule=rule,
                    code="under-appeal",
                )

    def _ladder_step(
        self, ctx: CommandContext, staff_id: UUID, basis: Sequence[UUID], *, step: str, expected_version: int | None
    ) -> tuple[StaffMember, list[BasisFact], str]:
        """What every step of the ladder (ART2.1.3) rests on: the person, the basis violations as facts and
        the rule in force — refused while an item the step rests on waits for its appeal."""
        staff = self.staff(staff_id, expected_version=expected_version)
        _, ref = self.rule_in_force("ART2.1.3", ctx.occurred_at)
        facts = self.basis_facts(basis)
        self._check_not_under_appeal(staff, facts, step=step, rule=str(ref))
        return staff, facts, str(ref)

    def issue_admonishment(
        self,
        actor: Actor,
        *,
        staff_id: UUID,
        basis: Sequence[UUID],
        remedy: str,
        remedy_due: date | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """诫勉教育 + 责令补救: the remedy is due on ``remedy_due`` when given and no earlier than the
        policy allows (``remedy_due_working_days`` working days after the day it is recorded), else
        on the policy's date; the outcome's ``remedy_due`` is the date in force."""
        ctx = self.context(actor, occurred_at)
        staff, facts, rule = self._ladder_step(
            ctx, staff_id, basis, step="admonishment", expected_version=expected_version
        )
        admonishment_id = uuid4()
        staff.issue_admonishment(
            ctx,
            admonishment_id=admonishment_id,
            basis=facts,
            rule=rule,
            remedy=remedy,
            remedy_due=remedy_due,
            earliest_remedy_due=remedy_due_by(self.escalation_policy(), ctx.recorded_at),
        )
        in_force = staff.admonishments[str(admonishment_id)]["remedy_due"]
        return self.record(staff, extra={"admonishment_id": admonishment_id, "remedy_due": in_force})

    def complete_remedy(
        self,
        actor: Actor,
        *,
        staff_id: UUID,
        admonishment_id: UUID,
        note: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        staff = self.staff(staff_id, expected_version=expected_version)
        staff.complete_remedy(ctx, admonishment_id=admonishment_id, note=note)
        return self.record(staff)

    def decide_suspension(
        self,
        actor: Actor,
        *,
        staff_id: UUID,
        basis: Sequence[UUID],
        start: date,
        until: date | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        staff, facts, rule = self._ladder_step(
            ctx, staff_id, basis, step="suspension", expected_version=expected_version
        )
        decision_id = uuid4()
        staff.decide_suspension(
            ctx, decision_id=decision_id, basis=facts, rule=rule, start=start, until=until,
            ladder=self.judge_sanction(ctx, staff_id, basis, kind="suspension"),
        )  # fmt: skip
        return self.record(staff, extra={"decision_id": decision_id})

    def decide_removal(
        self,
        actor: Actor,
        *,
        staff_id: UUID,
        basis: Sequence[UUID],
        effective: date,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        staff, facts, rule = self._ladder_step(ctx, staff_id, basis, step="removal", expected_version=expected_version)
        decision_id = uuid4()
        staff.decide_removal(
            ctx, decision_id=decision_id, basis=facts, rule=rule, effective=effective,
            ladder=self.judge_sanction(ctx, staff_id, basis, kind="removal"),
        )  # fmt: skip
        return self.record(staff, extra={"decision_id": decision_id})

    def reinstate(
        self,
        actor: Actor,
        *,
        staff_id: UUID,
        decision_id: UUID,
        note: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        staff = self.staff(staff_id, expected_version=expected_version)
        staff.reinstate(ctx, decision_id=decision_id, note=note)
        return self.record(staff)

    def rescind_sanction(
        self,
        actor: Actor,
        *,
        staff_id: UUID,
        decision_id: UUID,
        reason: str,
        appeal_id: UUID | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        staff = self.staff(staff_id, expected_version=expected_version)
        staff.rescind_sanction(ctx, decision_id=decision_id, reason=reason, appeal_id=appeal_id)
        return self.record(staff)

    def rescind_admonishment(
        self,
        actor: Actor,
        *,
        staff_id: UUID,
        admonishment_id: UUID,
        reason: str,
        appeal_id: UUID | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        staff = self.staff(staff_id, expected_version=expected_version)
        staff.rescind_admonishment(ctx, admonishment_id=admonishment_id, reason=reason, appeal_id=appeal_id)
        return self.record(staff)
