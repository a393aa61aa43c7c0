"""Appeals (申诉/复核): filing, assigning a reviewer, deciding — and the compensating events.

An overturn is written in ONE transaction with the decision: the contested violation is
revoked (``Violation.Revoked`` naming the appeal) and every admonishment or sanction of the
person whose basis includes it is rescinded (``AdmonishmentRescinded``/``SanctionRescinded``);
an amendment writes ``Violation.Amended``. The original events stay in the log; read models
re-derive from the whole history.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.appeal import Appeal, ContestedItem, appeal_id
from domain.envelope import Actor
from domain.errors import AlreadyExists, InvalidInput, NotFound
from domain.staff import StaffMember
from domain.violation import CONFIRMED, Violation
from service.app_base import Outcome
from service.commands.discipline import DisciplineCommands


class AppealCommands(DisciplineCommands):
    def appeal(self, appeal_id: UUID, *, expected_version: int | None = None) -> Appeal:
        return self.load(Appeal, appeal_id, what="appeal", field="appeal_id", expected_version=expected_version)

    # ── what is contested ────────────────────────────────────────────────────

    def _stream(self, stream_id: UUID) -> list[Any]:
        return list(self.events.get(stream_id))

    def contested_item(self, kind: str, target_id: UUID, *, staff_id: UUID | None) -> ContestedItem:
        """The facts an appeal needs about a violation, an admonishment or a sanction.

        Admonishments and sanctions are looked up among ``staff_id``'s own decisions, so
        someone else's decision is simply not found.
        """
        if kind == "violation":
            return self._contested_violation(target_id)
        if kind not in ("admonishment", "sanction"):
            raise InvalidInput("an appeal contests a violation, an admonishment or a sanction", field="target.kind")
        if staff_id is None:
            raise NotFound(f"no {kind} {target_id} of yours is on record", field="target.id")
        staff = self.load(StaffMember, staff_id, what="staff member", field="staff_id")
        records = staff.admonishments if kind == "admonishment" else staff.sanctions
        record = records.get(str(target_id))
        if record is None:
            raise NotFound(f"no {kind} {target_id} of yours is on record", field="target.id")
        key = "admonishment_id" if kind == "admonishment" else "decision_id"
        decision = next(
            (e for e in self._stream(staff.id) if getattr(e, key, None) == target_id and hasattr(e, "basis")), None
        )
        if decision is None:  # pragma: no cover - the record exists only because its decision does
            raise NotFound(f"no {kind} {target_id} of yours is on record", field="target.id")
        basis = [UUID(b) for b in record["basis"]]
        deciders: list[Actor] = [decision.actor]
        for violation_id in basis:
            violation = self.load(Violation, violation_id, what="violation", field="target.id")
            deciders.append(violation.recorded_by)
            if violation.confirmed_by is not None:
                deciders.append(violation.confirmed_by)
        rescinded = bool(record.get("rescinded"))
        return ContestedItem(
            kind=kind,
            id=target_id,
            staff_id=staff.id,
            violation_ids=tuple(basis),
            rule=decision.rule,
            status="rescinded" if rescinded else "in force",
            in_force=not rescinded,
            decided_at=decision.occurred_at,
            decided_by=tuple(deciders),
            recorded_at=decision.timestamp,
        )

    def _contested_violation(self, violation_id: UUID) -> ContestedItem:
        violation = self.load(Violation, violation_id, what="violation", field="target.id")
        confirmations = [e for e in self._stream(violation.id) if isinstance(e, Violation.Confirmed)]
        decided_at = confirmations[-1].occurred_at if confirmations else violation.occurred
        # record time: the confirmation (一经查实) is when the violation became visible to the person
        recorded_at = confirmations[-1].timestamp if confirmations else violation.created_on
        deciders = [violation.recorded_by] + ([violation.confirmed_by] if violation.confirmed_by else [])
        return ContestedItem(
            kind="violation",
            id=violation.id,
            staff_id=violation.staff_id,
            violation_ids=(violation.id,),
            rule=violation.rule,
            status=violation.status,
            in_force=violation.status == CONFIRMED,
            decided_at=decided_at,
            decided_by=tuple(deciders),
            recorded_at=recorded_at,
        )

    # ── commands ─────────────────────────────────────────────────────────────

    def file_appeal(
        self,
        actor: Actor,
        *,
        appellant_id: UUID | None,
        target_kind: str,
        target_id: UUID,
        grounds: str,
        evidence_refs: Sequence[str] = (),
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """申诉: ``appellant_id`` is the authenticated staff member's own id (never a body's)."""
        ctx = self.context(actor, occurred_at)
        item = self.contested_item(target_kind, target_id, staff_id=appellant_id)
        new_id = appeal_id(self.settings.hall_id, target_kind, target_id)
        if self.exists(new_id):
            raise AlreadyExists(
                f"this {target_kind} was already appealed (appeal {new_id}); an item is reviewed once",
                field="target.id",
                code="already-appealed",
            )
        appeal = Appeal.file(
            ctx, id=new_id, appellant_id=appellant_id, item=item, grounds=grounds, evidence_refs=evidence_refs
        )
        return self.record(appeal, created=[appeal])

    def assign_appeal_reviewer(
        self,
        actor: Actor,
        *,
        appeal_id: UUID,
        reviewer: Actor,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        appeal = self.appeal(appeal_id, expected_version=expected_version)
        appeal.assign_reviewer(ctx, reviewer=reviewer)
        return self.record(appeal)

    def decide_appeal(
        self,
        actor: Actor,
        *,
        appeal_id: UUID,
        outcome: str,
        reasons: str,
        rule: str | None = None,
        item: str | None = None,
        deduction: Decimal | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """复核决定. ``rule``/``item``/``deduction`` are the amendment (rule by id: ART6.5)."""
        ctx = self.context(actor, occurred_at)
        appeal = self.appeal(appeal_id, expected_version=expected_version)
        if rule is not None and "@" in rule:
            raise InvalidInput(
                "name the rule by its id (ART6.5); the catalogue version in force at the breach is chosen",
                field="rule",
            )
        appeal.check_decision(ctx, outcome=outcome, reasons=reasons, amended_rule=rule, amended_deduction=deduction)
        why = f"申诉复核 appeal {appeal.id} {outcome}: {reasons.strip()}"
        changed: list[Any] = []
        revoked: list[UUID] = []
        admonishments: list[UUID] = []
        sanctions: list[UUID] = []
        amended_rule: str | None = None

        if outcome == "overturned":
            staff = self.load(StaffMember, appeal.staff_id, what="staff member", field="staff_id")
            if appeal.target_kind == "violation":
                violation = self.load(Violation, appeal.target_id, what="violation", field="appeal_id")
                if violation.status == CONFIRMED:  # a manager may have revoked it meanwhile
                    violation.revoke(ctx, reason=why, appeal_id=appeal.id)
                    revoked.append(violation.id)
                    changed.append(violation)
                sanctions = self._resting_on(staff.sanctions, violation.id)
                admonishments = self._resting_on(staff.admonishments, violation.id)
            elif appeal.target_kind == "sanction":
                sanctions = [appeal.target_id] if not staff.sanctions[str(appeal.target_id)].get("rescinded") else []
            else:
                admonishments = (
                    [appeal.target_id] if not staff.admonishments[str(appeal.target_id)]["rescinded"] else []
                )
            for decision_id in sanctions:
                staff.rescind_sanction(ctx, decision_id=decision_id, reason=why, appeal_id=appeal.id)
            for admonishment_id in admonishments:
                staff.rescind_admonishment(ctx, admonishment_id=admonishment_id, reason=why, appeal_id=appeal.id)
            if sanctions or admonishments:
                changed.append(staff)
        elif outcome == "amended":
            assert rule is not None  # check_decision refused an amendment without a rule
            violation = self.load(Violation, appeal.target_id, what="violation", field="appeal_id")
            found, ref = self.rule_in_force(rule, violation.occurred)
            found.item(item)
            violation.amend(ctx, rule=found, ref=ref, item=item, deduction=deduction, reason=why, appeal_id=appeal.id)
            amended_rule = str(ref)
            changed.append(violation)
            # amended to a serious (integrity) rule: referred to discipline inspection as on confirmation
            changed.extend(self._referral(ctx, violation))

        appeal.decide(
            ctx,
            outcome=outcome,
            reasons=reasons,
            amended_rule=amended_rule,
            amended_item=item if outcome == "amended" else None,
            amended_deduction=deduction if outcome == "amended" else None,
            revoked_violations=revoked,
            rescinded_admonishments=admonishments,
            rescinded_sanctions=sanctions,
        )
        return self.record(
            appeal,
            *changed,
            extra={
                "revoked_violations": revoked,
                "rescinded_admonishments": admonishments,
                "rescinded_sanctions": sanctions,
            },
        )

    @staticmethod
    def _resting_on(records: dict[str, dict[str, Any]], violation_id: UUID) -> list[UUID]:
        """Decisions not yet rescinded whose basis includes the violation."""
        return [
            UUID(key)
            for key, record in records.items()
            if not record.get("rescinded") and str(violation_id) in record["basis"]
        ]
