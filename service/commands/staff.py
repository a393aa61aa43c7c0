"""Staff and their postings (Article 8)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

from domain import ids
from domain.calendar import hall_date
from domain.envelope import Actor
from domain.errors import InvalidInput, InvariantViolated, NotFound
from domain.organisation import Department, Window
from domain.staff import REPLACEMENT_REASONS, StaffMember, WindowFacts
from domain.valid_time import StaffTimeline, check_valid_time, staff_timeline
from service.app_base import LedgerApplicationBase, Outcome


class StaffCommands(LedgerApplicationBase):
    def window_facts(self, window_id: UUID) -> WindowFacts:
        window = self.load(Window, window_id, what="window", field="window_id")
        return WindowFacts(
            window_id=window.id, department_id=window.department_id, kind=window.kind, closed=window.closed
        )

    def staff(self, staff_id: UUID, *, expected_version: int | None = None) -> StaffMember:
        return self.load(
            StaffMember, staff_id, what="staff member", field="staff_id", expected_version=expected_version
        )

    def staff_timeline(self, staff_id: UUID, *, field: str = "staff_id") -> StaffTimeline:
        """When the person was in the hall and at which window (a fold of their stored events)."""
        events = list(self.events.get(staff_id))
        if not events or not isinstance(events[0], StaffMember.Onboarded):
            raise NotFound(f"no staff member with id {staff_id}", field=field)
        return staff_timeline(events)

    def placed_at(
        self,
        at: datetime,
        *,
        staff_id: UUID | None,
        window_id: UUID | None,
        window_rule: bool = False,
        field: str = "occurred_at",
        rule: str | None = None,
    ) -> UUID | None:
        """Refuse an impossible valid time ``at`` (``domain.valid_time.check_valid_time``: before the
        catalogue, before onboarding or after leaving, at a window without a posting — a window named
        or a window-duty rule) and return the window the fact happened at: the one named, else the
        person's window on that hall date (not today's)."""
        timeline = self.staff_timeline(staff_id) if staff_id is not None else None
        check_valid_time(at, field=field, staff=timeline, window_named=window_id is not None or window_rule, rule=rule)
        if window_id is None and timeline is not None:
            window_id = timeline.window_on(hall_date(at))
        return window_id

    def onboard_staff(
        self,
        actor: Actor,
        *,
        staff_no: str,
        name: str,
        department_id: UUID,
        employment: str = "seconded",
        occurred_at: datetime | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        self.load(Department, department_id, what="department", field="department_id")
        staff = StaffMember.onboard(
            ctx,
            id=ids.staff_id(self.settings.hall_id, staff_no),
            staff_no=staff_no,
            name=name,
            department_id=department_id,
            employment=employment,
        )
        return self.record(staff, created=[staff])

    def post_staff(
        self,
        actor: Actor,
        *,
        staff_id: UUID,
        window_id: UUID,
        start: date,
        temporary: bool = False,
        consent_id: UUID | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        staff = self.staff(staff_id, expected_version=expected_version)
        _, ref = self.rule_in_force("ART8.2", ctx.occurred_at)
        staff.post(
            ctx,
            window=self.window_facts(window_id),
            start=start,
            temporary=temporary,
            consent_id=consent_id,
            rule=str(ref),
        )
        return self.record(staff)

    def move_staff(
        self,
        actor: Actor,
        *,
        staff_id: UUID,
        window_id: UUID,
        start: date,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        staff = self.staff(staff_id, expected_version=expected_version)
        staff.move(ctx, window=self.window_facts(window_id), start=start)
        return self.record(staff)

    def record_committee_consent(
        self,
        actor: Actor,
        *,
        staff_id: UUID,
        kind: str,
        decision_ref: str,
        note: str = "",
        occurred_at: datetime | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        staff = self.staff(staff_id)
        _, ref = self.rule_in_force("ART8.2", ctx.occurred_at)
        consent_id = uuid4()
        staff.record_committee_consent(
            ctx, consent_id=consent_id, kind=kind, decision_ref=decision_ref, note=note, rule=str(ref)
        )
        return self.record(staff, extra={"consent_id": consent_id})

    def demand_replacement(
        self,
        actor: Actor,
        *,
        staff_id: UUID,
        grounds: str,
        due: date,
        occurred_at: datetime | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        staff = self.staff(staff_id)
        _, ref = self.rule_in_force("ART8.3", ctx.occurred_at)
        demand_id = uuid4()
        staff.demand_replacement(ctx, demand_id=demand_id, grounds=grounds, due=due, rule=str(ref))
        return self.record(staff, extra={"demand_id": demand_id})

    def end_posting(
        self,
        actor: Actor,
        *,
        staff_id: UUID,
        end: date,
        reason: str,
        consent_id: UUID | None = None,
        demand_id: UUID | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        staff = self.staff(staff_id, expected_version=expected_version)
        # a rotation or replacement is ART8.2 (prior consent, any tenure); other early ends ART8.1
        _, ref = self.rule_in_force("ART8.2" if reason in REPLACEMENT_REASONS else "ART8.1", ctx.occurred_at)
        staff.end_posting(ctx, end=end, reason=reason, consent_id=consent_id, demand_id=demand_id, rule=str(ref))
        return self.record(staff)

    def replace_staff(
        self,
        actor: Actor,
        *,
        outgoing_id: UUID,
        successor_id: UUID,
        start: date,
        consent_id: UUID | None = None,
        demand_id: UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """调换派驻人员 (ART8.2): the outgoing posting ends, the successor takes the window.

        Both changes are saved in one transaction: there is never a moment when the
        replacement is half-recorded.
        """
        ctx = self.context(actor, occurred_at)
        if outgoing_id == successor_id:
            raise InvalidInput("a person cannot replace themselves", field="successor_id")
        outgoing = self.staff(outgoing_id)
        successor = self.load(StaffMember, successor_id, what="staff member", field="successor_id")
        if outgoing.posting is None:
            raise InvariantViolated(f"{outgoing.name} is not on post", field="outgoing_id")
        window = self.window_facts(outgoing.posting["window_id"])
        _, ref82 = self.rule_in_force("ART8.2", ctx.occurred_at)
        outgoing.end_posting(
            ctx,
            end=start,
            reason="replaced",
            consent_id=consent_id,
            demand_id=demand_id,
            successor_id=successor_id,
            rule=str(ref82),
        )
        successor.post(ctx, window=window, start=start, replacing=outgoing_id, rule=str(ref82))
        return self.record(outgoing, successor)

    def record_recall(
        self, actor: Actor, *, staff_id: UUID, end: date, note: str, occurred_at: datetime | None = None
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        staff = self.staff(staff_id)
        staff.record_recall(ctx, end=end, note=note)
        return self.record(staff)

    def record_staff_left(
        self, actor: Actor, *, staff_id: UUID, on: date, reason: str, occurred_at: datetime | None = None
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        staff = self.staff(staff_id)
        staff.leave(ctx, on=on, reason=reason)
        return self.record(staff)
