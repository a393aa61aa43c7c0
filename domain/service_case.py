"""Service cases (办件): an application for a matter, from submission to completion.

ART7.6 — matters are handled by mode: general (一般事项及时办理), complex (复杂事项限时办理),
joint across departments (多部门交叉事项联合办理), reported upward (上报事项协助办理),
urgent (特急事项特殊办理).

ART2.2 — one-time notification (一次性告知制): the window examines the materials; complete
and eligible → accepted in one go; incomplete → ONE notice listing *all* missing materials
with the procedure, the committed time limit, fees and legal basis, and a materials list
(《提供材料一览表》). A later notice on the same case is a fact the ledger records as such
(its sequence number and the materials the first notice did not list); the detector flags
it, a person confirms or dismisses the breach.

ART2.3 / ART7.2 — committed time limits: what can be finished on the spot is finished on
the spot; everything else is accepted with a committed deadline (working days on the
working-day calendar, or a date) and finished within it. Suspensions and extensions need
a recorded reason and are approved by the authenticated leader recording them (window lead
or hall manager, :func:`domain.ownership.approving_leader`: ``approved_by`` is the actor,
never free text) before the deadline passes.
Completion records the facts (the day, the deadline then in force); read models classify
early / on time / late.

Life of a case::

    submitted ──► notice issued ──► materials resubmitted ──► (another notice …)
        │                                  │
        ├──────────────► accepted ◄────────┘ ──► suspended ⇄ resumed
        │                  │   └─► deadline extended
        │                  └──────► completed (on the spot | by the deadline | late)
        └──► rejected (不予受理 before acceptance · 不予许可 after)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Self
from uuid import UUID

from domain.calendar import WorkingDayCalendar, hall_date
from domain.data_subject import require_pseudonym
from domain.envelope import CommandContext, LedgerAggregate, require_text
from domain.errors import InvalidInput, InvariantViolated
from domain.ownership import approving_leader
from domain.roles import Role

MODES = ("general", "complex", "joint", "upward", "urgent")

#: who records service work: the staff themselves, their window lead, the center
RECORDERS = (Role.STAFF, Role.WINDOW_LEAD, Role.HALL_MANAGER)

SUBMITTED = "submitted"
AWAITING_MATERIALS = "awaiting_materials"
RESUBMITTED = "resubmitted"
ACCEPTED = "accepted"
SUSPENDED = "suspended"
COMPLETED = "completed"
REJECTED = "rejected"

#: a committed limit longer than this is a typing error, not a commitment
LONGEST_COMMITMENT = 250


def material_key(name: str) -> str:
    """How two notices' materials are compared: case-folded, whitespace collapsed."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class MissingMaterial:
    """One line of a one-time notice: what to bring, in which form, how many, from whom."""

    name: str
    format: str | None = None
    quantity: int | None = None
    issuer: str | None = None

    def as_fact(self) -> dict[str, Any]:
        return {"name": self.name, "format": self.format, "quantity": self.quantity, "issuer": self.issuer}


def _optional_text(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


class ServiceCase(LedgerAggregate):
    """One application (办件) for one matter (事项) at one window."""

    class ApplicationSubmitted(LedgerAggregate.Created):
        """递交申请 — materials handed in at a window, handling mode chosen (ART7.6)."""

        case_no: str | None
        matter_code: str
        matter_name: str
        mode: str
        window_id: UUID
        department_id: UUID
        staff_id: UUID
        applicant_ref: str
        materials: list[str]
        partner_department_ids: list[UUID]
        reported_to: str | None
        rule: str

        def apply(self, c: Any) -> None:
            c.case_no = self.case_no
            c.matter_code = self.matter_code
            c.matter_name = self.matter_name
            c.mode = self.mode
            c.window_id = self.window_id
            c.department_id = self.department_id
            c.staff_id = self.staff_id
            c.applicant_ref = self.applicant_ref
            c.status = SUBMITTED
            c.notices = []
            c.first_notice_materials = []
            c.committed_deadline = None
            c.accepted_on = None
            c.on_the_spot = False
            c.completed_on = None

    class OneTimeNoticeIssued(LedgerAggregate.Event):
        """一次性告知 — all missing materials, procedure, time limit, fees, legal basis (ART2.2).

        ``notice_no`` counts the notices on this case (1 = the first); a later notice
        lists in ``not_in_first_notice`` the materials the first did not ask for.
        """

        notice_no: int
        missing_materials: list[dict[str, Any]]
        procedure: str
        time_limit_working_days: int
        fees: str
        legal_basis: str
        materials_list_id: str
        issued_by: UUID
        not_in_first_notice: list[str]
        rule: str

        def apply(self, c: Any) -> None:
            names = [m["name"] for m in self.missing_materials]
            c.notices.append({"notice_no": self.notice_no, "materials": names, "issued": self.occurred_at})
            if self.notice_no == 1:
                c.first_notice_materials = names
            c.status = AWAITING_MATERIALS

    class MaterialsResubmitted(LedgerAggregate.Event):
        """补齐材料 — the applicant brings what the notice asked for."""

        materials: list[str]
        received_by: UUID
        note: str
        rule: str

        def apply(self, c: Any) -> None:
            c.status = RESUBMITTED

    class ApplicationAccepted(LedgerAggregate.Event):
        """受理 — accepted in one go (ART2.2), with a committed deadline unless done on the spot."""

        on_the_spot: bool
        committed_working_days: int | None
        committed_deadline: date | None
        calendar: str | None
        receipt_no: str | None
        accepted_by: UUID
        rule: str

        def apply(self, c: Any) -> None:
            c.status = ACCEPTED
            c.on_the_spot = self.on_the_spot
            c.accepted_on = self.occurred_at
            c.committed_deadline = self.committed_deadline

    class ApplicationSuspended(LedgerAggregate.Event):
        """中止/暂停计时 — the clock stops (hearing, testing, expert review …) on an approved reason.

        ``approved_by``: the id of the authenticated leader who recorded it (before issue 10: free text)."""

        reason: str
        approved_by: str
        remaining_working_days: int
        rule: str

        def apply(self, c: Any) -> None:
            c.status = SUSPENDED
            c.remaining_working_days = self.remaining_working_days

    class ApplicationResumed(LedgerAggregate.Event):
        """恢复计时 — the clock runs again; the deadline moves by the days it stood still."""

        committed_deadline: date
        calendar: str
        note: str
        rule: str

        def apply(self, c: Any) -> None:
            c.status = ACCEPTED
            c.committed_deadline = self.committed_deadline

    class DeadlineExtended(LedgerAggregate.Event):
        """延期 — the committed deadline is extended on an approved reason (before it passed).

        ``approved_by``: the id of the authenticated leader who recorded it (before issue 10: free text)."""

        extra_working_days: int
        previous_deadline: date
        committed_deadline: date
        calendar: str
        reason: str
        approved_by: str
        rule: str

        def apply(self, c: Any) -> None:
            c.committed_deadline = self.committed_deadline

    class ApplicationCompleted(LedgerAggregate.Event):
        """办结 — finished: on the spot (ART7.2) or against the committed deadline (ART2.3)."""

        completed_on: date
        on_the_spot: bool
        committed_deadline: date | None
        completed_by: UUID
        result: str
        result_ref: str | None
        rule: str

        def apply(self, c: Any) -> None:
            c.status = COMPLETED
            c.completed_on = self.completed_on

    class ApplicationRejected(LedgerAggregate.Event):
        """不予受理 (before acceptance) / 不予许可 (after) — with reason and legal basis."""

        stage: str
        reason: str
        legal_basis: str
        remedies: str
        rejected_by: UUID
        rule: str

        def apply(self, c: Any) -> None:
            c.status = REJECTED

    if TYPE_CHECKING:
        case_no: str | None
        matter_code: str
        matter_name: str
        mode: str
        window_id: UUID
        department_id: UUID
        staff_id: UUID
        applicant_ref: str
        status: str
        notices: list[dict[str, Any]]
        first_notice_materials: list[str]
        committed_deadline: date | None
        accepted_on: datetime | None
        on_the_spot: bool
        completed_on: date | None
        remaining_working_days: int

    # ── submission ───────────────────────────────────────────────────────────

    @classmethod
    def submit(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        case_no: str | None,
        matter_code: str,
        matter_name: str,
        mode: str,
        window_id: UUID,
        department_id: UUID,
        staff_id: UUID,
        applicant_ref: str,
        materials: Sequence[str],
        partner_department_ids: Sequence[UUID],
        reported_to: str | None,
        rule: str,
    ) -> Self:
        """ART7.6: the mode decides how the matter is handled; joint and upward need their partner."""
        ctx.actor.require(*RECORDERS, action="recording an application", rule=rule)
        if mode not in MODES:
            raise InvalidInput(f"mode must be one of {', '.join(MODES)}", field="mode", rule=rule)
        partners = list(dict.fromkeys(partner_department_ids))
        if mode == "joint":
            if not [p for p in partners if p != department_id]:
                raise InvalidInput(
                    "a joint (cross-department) matter names the other departments that handle it",
                    field="partner_department_ids",
                    rule=rule,
                )
        elif partners:
            raise InvalidInput("only a joint matter has partner departments", field="partner_department_ids", rule=rule)
        reported = _optional_text(reported_to)
        if mode == "upward" and reported is None:
            raise InvalidInput(
                "a matter reported upward names the authority it goes to", field="reported_to", rule=rule
            )
        if mode != "upward" and reported is not None:
            raise InvalidInput("only a matter reported upward has reported_to", field="reported_to", rule=rule)
        return cls._create_with(
            cls.ApplicationSubmitted,
            ctx,
            id=id,
            case_no=_optional_text(case_no),
            matter_code=require_text(matter_code, "matter_code", rule=rule),
            matter_name=require_text(matter_name, "matter_name", rule=rule),
            mode=mode,
            window_id=window_id,
            department_id=department_id,
            staff_id=staff_id,
            applicant_ref=require_pseudonym(applicant_ref, "applicant_ref"),
            materials=[require_text(m, "materials", rule=rule) for m in materials],
            partner_department_ids=[p for p in partners if p != department_id],
            reported_to=reported,
            rule=rule,
        )

    # ── one-time notice and resubmission (ART2.2) ────────────────────────────

    def _check_before_acceptance(self, what: str, rule: str) -> None:
        if self.status in (ACCEPTED, SUSPENDED):
            raise InvariantViolated(f"the case was already accepted; {what} comes before acceptance", rule=rule)
        self._check_open(rule)

    def _check_open(self, rule: str) -> None:
        if self.status in (COMPLETED, REJECTED):
            raise InvariantViolated(f"the case is {self.status}", rule=rule)

    def issue_one_time_notice(
        self,
        ctx: CommandContext,
        *,
        missing_materials: Sequence[MissingMaterial],
        procedure: str,
        time_limit_working_days: int,
        fees: str,
        legal_basis: str,
        materials_list_id: str,
        issued_by: UUID,
        rule: str,
    ) -> None:
        """ART2.2: one notice, listing every missing material and every mandatory field."""
        ctx.actor.require(*RECORDERS, action="issuing a one-time notice", rule=rule)
        self._check_before_acceptance("a one-time notice", rule)
        if not missing_materials:
            raise InvalidInput(
                "a one-time notice lists the missing materials (at least one); a complete application "
                "is accepted in one go",
                field="missing_materials",
                rule=rule,
            )
        lines: list[dict[str, Any]] = []
        seen: set[str] = set()
        for n, material in enumerate(missing_materials):
            name = require_text(material.name, f"missing_materials[{n}].name", rule=rule)
            if material_key(name) in seen:
                raise InvalidInput(f"{name} is listed twice", field=f"missing_materials[{n}].name", rule=rule)
            seen.add(material_key(name))
            if material.quantity is not None and (
                isinstance(material.quantity, bool) or not 1 <= material.quantity <= 100
            ):
                raise InvalidInput(
                    "quantity is a number of copies between 1 and 100",
                    field=f"missing_materials[{n}].quantity",
                    rule=rule,
                )
            lines.append(
                MissingMaterial(
                    name=name,
                    format=_optional_text(material.format),
                    quantity=material.quantity,
                    issuer=_optional_text(material.issuer),
                ).as_fact()
            )
        if isinstance(time_limit_working_days, bool) or not 0 <= time_limit_working_days <= LONGEST_COMMITMENT:
            raise InvalidInput(
                f"the committed time limit is 0 (on the spot) to {LONGEST_COMMITMENT} working days",
                field="time_limit_working_days",
                rule=rule,
            )
        first = {material_key(m) for m in self.first_notice_materials}
        not_in_first = [line["name"] for line in lines if first and material_key(line["name"]) not in first]
        self._trigger(
            self.OneTimeNoticeIssued,
            ctx,
            notice_no=len(self.notices) + 1,
            missing_materials=lines,
            procedure=require_text(procedure, "procedure", rule=rule),
            time_limit_working_days=time_limit_working_days,
            fees=require_text(fees, "fees", rule=rule),
            legal_basis=require_text(legal_basis, "legal_basis", rule=rule),
            materials_list_id=require_text(materials_list_id, "materials_list_id", rule=rule),
            issued_by=issued_by,
            not_in_first_notice=not_in_first,
            rule=rule,
        )

    def resubmit_materials(
        self, ctx: CommandContext, *, materials: Sequence[str], received_by: UUID, note: str, rule: str
    ) -> None:
        ctx.actor.require(*RECORDERS, action="recording resubmitted materials", rule=rule)
        self._check_before_acceptance("resubmission", rule)
        if self.status != AWAITING_MATERIALS:
            raise InvariantViolated("no one-time notice is awaiting materials on this case", rule=rule)
        if not materials:
            raise InvalidInput("name the materials the applicant brought", field="materials", rule=rule)
        self._trigger(
            self.MaterialsResubmitted,
            ctx,
            materials=[require_text(m, "materials", rule=rule) for m in materials],
            received_by=received_by,
            note=note.strip(),
            rule=rule,
        )

    # ── acceptance and the committed deadline (ART2.2, ART2.3, ART7.2) ───────

    def accept(
        self,
        ctx: CommandContext,
        *,
        accepted_by: UUID,
        committed_working_days: int | None,
        committed_deadline: date | None,
        receipt_no: str | None,
        calendar: WorkingDayCalendar,
        rules: Mapping[str, str],
    ) -> None:
        """Accept in one go (ART2.2) with a committed deadline (ART2.3).

        Exactly one of ``committed_working_days`` (counted on ``calendar`` from the day of
        acceptance) and ``committed_deadline`` (a working day). A matter finished on the
        spot has no deadline: :meth:`complete_on_the_spot`. ``rules`` maps ``ART2.2`` and
        ``ART2.3`` to their references in force.
        """
        rule = rules["ART2.2"]
        ctx.actor.require(*RECORDERS, action="accepting an application", rule=rule)
        self._check_acceptable(rule)
        accepted_on = hall_date(ctx.occurred_at)
        deadline_rule = rules["ART2.3"]
        if (committed_working_days is None) == (committed_deadline is None):
            raise InvalidInput(
                "acceptance needs a committed deadline — give committed_working_days or committed_deadline "
                "(exactly one) — unless the matter is finished on the spot",
                field="committed_deadline",
                rule=deadline_rule,
            )
        if committed_working_days is not None:
            if isinstance(committed_working_days, bool) or not 1 <= committed_working_days <= LONGEST_COMMITMENT:
                raise InvalidInput(
                    f"committed_working_days must lie between 1 and {LONGEST_COMMITMENT}",
                    field="committed_working_days",
                    rule=deadline_rule,
                )
            deadline = calendar.add_working_days(accepted_on, committed_working_days)
            days = committed_working_days
        else:
            assert committed_deadline is not None
            if committed_deadline < accepted_on:
                raise InvalidInput(
                    "the committed deadline lies before the acceptance", field="committed_deadline",
                    rule=deadline_rule,
                )  # fmt: skip
            if not calendar.is_working_day(committed_deadline):
                raise InvalidInput(
                    f"the committed deadline {committed_deadline} is not a working day",
                    field="committed_deadline",
                    rule=deadline_rule,
                )
            deadline = committed_deadline
            days = calendar.working_days_between(accepted_on, committed_deadline)
        self._trigger(
            self.ApplicationAccepted,
            ctx,
            on_the_spot=False,
            committed_working_days=days,
            committed_deadline=deadline,
            calendar=calendar.ref,
            receipt_no=_optional_text(receipt_no),
            accepted_by=accepted_by,
            rule=rule,
        )

    def _check_acceptable(self, rule: str) -> None:
        self._check_before_acceptance("acceptance", rule)
        if self.status == AWAITING_MATERIALS:
            raise InvariantViolated(
                "a one-time notice is still awaiting materials; record the resubmission first "
                "(acceptance needs the materials complete)",
                rule=rule,
            )

    def complete_on_the_spot(
        self,
        ctx: CommandContext,
        *,
        completed_by: UUID,
        result: str,
        result_ref: str | None,
        receipt_no: str | None,
        rules: Mapping[str, str],
    ) -> None:
        """ART7.2: what can be finished on the spot is accepted and finished at once.

        The only acceptance without a committed deadline: both facts are recorded together.
        ``rules`` maps ``ART2.2`` and ``ART7.2``.
        """
        rule = rules["ART7.2"]
        ctx.actor.require(*RECORDERS, action="recording a matter finished on the spot", rule=rule)
        self._check_acceptable(rules["ART2.2"])
        result = require_text(result, "result", rule=rule)
        self._trigger(
            self.ApplicationAccepted,
            ctx,
            on_the_spot=True,
            committed_working_days=None,
            committed_deadline=None,
            calendar=None,
            receipt_no=_optional_text(receipt_no),
            accepted_by=completed_by,
            rule=rules["ART2.2"],
        )
        self._trigger(
            self.ApplicationCompleted,
            ctx,
            completed_on=hall_date(ctx.occurred_at),
            on_the_spot=True,
            committed_deadline=None,
            completed_by=completed_by,
            result=result,
            result_ref=_optional_text(result_ref),
            rule=rule,
        )

    def _check_running(self, what: str, rule: str) -> date:
        """The deadline in force of an accepted case whose clock runs."""
        self._check_open(rule)
        if self.status == SUSPENDED:
            raise InvariantViolated(f"the case is suspended; resume it before {what}", rule=rule)
        if self.status != ACCEPTED:
            raise InvariantViolated(f"only an accepted case allows {what}", rule=rule)
        if self.committed_deadline is None:
            raise InvariantViolated(f"the case was handled on the spot and has no deadline for {what}", rule=rule)
        return self.committed_deadline

    def _check_before_deadline(self, ctx: CommandContext, deadline: date, what: str, rule: str) -> None:
        if hall_date(ctx.occurred_at) > deadline:
            raise InvariantViolated(
                f"the committed deadline {deadline} has passed; {what} must be decided before it expires",
                rule=rule,
            )

    def suspend(
        self,
        ctx: CommandContext,
        *,
        reason: str,
        approved_by: str | None = None,
        calendar: WorkingDayCalendar,
        rule: str,
    ) -> None:
        ctx.actor.require(*RECORDERS, action="suspending a case", rule=rule)
        approver = approving_leader(ctx.actor, approved_by, what="a stop of a case's clock", rule=rule)
        deadline = self._check_running("a suspension", rule)
        self._check_before_deadline(ctx, deadline, "a suspension", rule)
        remaining = calendar.working_days_between(hall_date(ctx.occurred_at), deadline)
        self._trigger(
            self.ApplicationSuspended,
            ctx,
            reason=require_text(reason, "reason", rule=rule),
            approved_by=approver,
            remaining_working_days=remaining,
            rule=rule,
        )

    def resume(self, ctx: CommandContext, *, note: str, calendar: WorkingDayCalendar, rule: str) -> None:
        ctx.actor.require(*RECORDERS, action="resuming a case", rule=rule)
        self._check_open(rule)
        if self.status != SUSPENDED:
            raise InvariantViolated("the case is not suspended", rule=rule)
        deadline = calendar.add_working_days(hall_date(ctx.occurred_at), self.remaining_working_days)
        self._trigger(
            self.ApplicationResumed,
            ctx,
            committed_deadline=deadline,
            calendar=calendar.ref,
            note=note.strip(),
            rule=rule,
        )

    def extend_deadline(
        self,
        ctx: CommandContext,
        *,
        extra_working_days: int,
        reason: str,
        approved_by: str | None = None,
        calendar: WorkingDayCalendar,
        rule: str,
    ) -> None:
        ctx.actor.require(*RECORDERS, action="extending a committed deadline", rule=rule)
        approver = approving_leader(ctx.actor, approved_by, what="an extension of the committed deadline", rule=rule)
        deadline = self._check_running("an extension", rule)
        if isinstance(extra_working_days, bool) or not 1 <= extra_working_days <= LONGEST_COMMITMENT:
            raise InvalidInput(
                f"extra_working_days must lie between 1 and {LONGEST_COMMITMENT}",
                field="extra_working_days",
                rule=rule,
            )
        reason = require_text(reason, "reason", rule=rule)
        self._check_before_deadline(ctx, deadline, "an extension", rule)
        self._trigger(
            self.DeadlineExtended,
            ctx,
            extra_working_days=extra_working_days,
            previous_deadline=deadline,
            committed_deadline=calendar.add_working_days(deadline, extra_working_days),
            calendar=calendar.ref,
            reason=reason,
            approved_by=approver,
            rule=rule,
        )

    # ── the end of a case ────────────────────────────────────────────────────

    def complete(
        self,
        ctx: CommandContext,
        *,
        completed_by: UUID,
        result: str,
        result_ref: str | None,
        rule: str,
    ) -> None:
        """Record the completion of a case with a deadline; read models classify it
        (before / on / after the committed deadline). ``rule`` is ART2.3's reference.
        """
        ctx.actor.require(*RECORDERS, action="recording a completed case", rule=rule)
        self._check_open(rule)
        if self.status == SUSPENDED:
            raise InvariantViolated("the case is suspended; resume it before completing it", rule=rule)
        if self.status != ACCEPTED:
            raise InvariantViolated("only an accepted case can be completed", rule=rule)
        self._trigger(
            self.ApplicationCompleted,
            ctx,
            completed_on=hall_date(ctx.occurred_at),
            on_the_spot=False,
            committed_deadline=self.committed_deadline,
            completed_by=completed_by,
            result=require_text(result, "result", rule=rule),
            result_ref=_optional_text(result_ref),
            rule=rule,
        )

    def reject(
        self,
        ctx: CommandContext,
        *,
        reason: str,
        legal_basis: str,
        remedies: str,
        rejected_by: UUID,
        rule: str,
    ) -> None:
        ctx.actor.require(*RECORDERS, action="rejecting an application", rule=rule)
        self._check_open(rule)
        self._trigger(
            self.ApplicationRejected,
            ctx,
            stage="refused" if self.status in (ACCEPTED, SUSPENDED) else "not_accepted",
            reason=require_text(reason, "reason", rule=rule),
            legal_basis=require_text(legal_basis, "legal_basis", rule=rule),
            remedies=remedies.strip(),
            rejected_by=rejected_by,
            rule=rule,
        )
