"""Duty roster and security (Article 9): shifts, substitutes, hand-overs, incidents, virus checks,
end-of-day checks, credential incidents and hazards."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from domain import ids
from domain.assets import Asset
from domain.calendar import hall_date
from domain.duty import DUTY_ROLES, CredentialIncident, DutyShift, EndOfDayCheck, Hazard, hazard_rule
from domain.envelope import Actor, check_aware
from domain.errors import InvalidInput, InvariantViolated, NotFound
from domain.organisation import Window
from domain.ownership import require_own_record
from domain.policies.security import SecurityPolicy, security_policy_in_force
from domain.staff import LEFT, StaffMember
from service.app_base import LedgerApplicationBase, Outcome


class DutyCommands(LedgerApplicationBase):
    # ── the roster (ART9.4) ──────────────────────────────────────────────────

    def duty_shift_id(self, day: date, slot: str, duty_role: str) -> UUID:
        return ids.derived_id("duty-shift", self.settings.hall_id, day.isoformat(), slot, duty_role)

    def duty_shift(self, shift_id: UUID, *, field: str = "shift_id") -> DutyShift:
        return self.load(DutyShift, shift_id, what="duty shift", field=field)

    def _duty_person(self, staff_id: UUID, field: str) -> StaffMember:
        staff = self.load(StaffMember, staff_id, what="staff member", field=field)
        if staff.status == LEFT:
            raise InvariantViolated(f"{staff.name} has left the hall", field=field)
        return staff

    def _shifts_around(self, policy: SecurityPolicy, first: date, last: date) -> list[DutyShift]:
        """Every rostered shift of the days ``first - 1`` … ``last`` (an overnight slot reaches into the next day)."""
        found: list[DutyShift] = []
        day = first - timedelta(days=1)
        while day <= last:
            for slot in policy.duty_slots:
                for duty_role in DUTY_ROLES:
                    shift_id = self.duty_shift_id(day, slot, duty_role)
                    if self.exists(shift_id):
                        found.append(self.duty_shift(shift_id))
            day += timedelta(days=1)
        return found

    def _check_free(
        self,
        policy: SecurityPolicy,
        staff: StaffMember,
        start: datetime,
        end: datetime,
        *,
        skip: UUID,
        field: str,
        rule: str,
    ) -> None:
        """A person is not on duty in two shifts at once."""
        for other in self._shifts_around(policy, policy.hall_day(start), policy.hall_day(end)):
            if other.id != skip and other.serves(staff.id, start, end):
                raise InvariantViolated(
                    f"{staff.name} is already on duty in the {other.slot} {other.duty_role} shift of "
                    f"{other.day.isoformat()}",
                    rule=rule,
                    field=field,
                )

    def assign_shift(
        self,
        actor: Actor,
        *,
        day: date,
        slot: str,
        staff_id: UUID,
        duty_role: str = "duty",
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """排班 (ART9.4): ``staff_id`` on ``duty_role`` duty in ``slot`` (of the security policy) on ``day``."""
        ctx = self.context(actor, occurred_at)
        policy = security_policy_in_force(day)
        found = policy.slot(slot)
        if found is None:
            raise InvalidInput(
                f"slot {slot!r} is not one of {', '.join(policy.duty_slots)} ({policy.ref})", field="slot"
            )
        staff = self._duty_person(staff_id, "staff_id")
        starts, ends = found.interval(day, policy.timezone)
        shift_id = self.duty_shift_id(day, slot, duty_role)
        _, ref = self.rule_in_force("ART9.4", ctx.occurred_at)
        self._check_free(policy, staff, starts, ends, skip=shift_id, field="staff_id", rule=str(ref))
        shift = DutyShift.assign(
            ctx,
            id=shift_id,
            day=day,
            slot=slot,
            duty_role=duty_role,
            staff_id=staff_id,
            starts=starts,
            ends=ends,
            policy=policy.ref,
            rule=str(ref),
        )
        return self.record(shift, created=[shift])

    def release_from_shift(
        self,
        actor: Actor,
        *,
        shift_id: UUID,
        staff_id: UUID,
        substitute_id: UUID | None,
        reason: str,
        covers_from: datetime | None = None,
        covers_until: datetime | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """顶替 (ART9.4): ``staff_id`` cannot serve; ``substitute_id`` takes over — refused without one."""
        ctx = self.context(actor, occurred_at)
        shift = self.load(DutyShift, shift_id, what="duty shift", field="shift_id", expected_version=expected_version)
        # a member of staff releases only themselves (their window lead or the center arranges for others)
        require_own_record(
            actor, [staff_id], record=f"the release of {staff_id} from shift {shift_id}", field="staff_id"
        )
        self.load(StaffMember, staff_id, what="staff member", field="staff_id")
        _, ref = self.rule_in_force("ART9.4", ctx.occurred_at)
        for name, value in (("covers_from", covers_from), ("covers_until", covers_until)):
            if value is not None:
                check_aware(value, name)
        if substitute_id is not None:
            substitute = self._duty_person(substitute_id, "substitute_id")
            policy = security_policy_in_force(shift.day)
            start = covers_from if covers_from is not None else max(shift.starts, ctx.occurred_at)
            end = covers_until if covers_until is not None else shift.ends
            if start < end:
                self._check_free(policy, substitute, start, end, skip=shift.id, field="substitute_id", rule=str(ref))
        shift.release(
            ctx,
            staff_id=staff_id,
            substitute_id=substitute_id,
            covers_from=covers_from,
            covers_until=covers_until,
            reason=reason,
            rule=str(ref),
        )
        return self.record(shift)

    def hand_over_shift(
        self,
        actor: Actor,
        *,
        shift_id: UUID,
        notes: str,
        to_shift_id: UUID | None = None,
        to_staff_id: UUID | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """交接班 (ART9.4): to the next shift of the same role, or to a named person when the hall opens."""
        ctx = self.context(actor, occurred_at)
        shift = self.load(DutyShift, shift_id, what="duty shift", field="shift_id", expected_version=expected_version)
        # a member of staff hands over only a shift they are on duty in at its end
        require_own_record(actor, [shift.on_duty_at(shift.ends)], record=f"duty shift {shift_id}", field="shift_id")
        next_shift = self.duty_shift(to_shift_id, field="to_shift_id").facts() if to_shift_id is not None else None
        if to_staff_id is not None:
            self._duty_person(to_staff_id, "to_staff_id")
        _, ref = self.rule_in_force("ART9.4", ctx.occurred_at)
        shift.hand_over(ctx, to_shift=next_shift, to_staff_id=to_staff_id, notes=notes, rule=str(ref))
        return self.record(shift)

    def report_duty_incident(
        self,
        actor: Actor,
        *,
        kind: str,
        description: str,
        location: str,
        duty_role: str = "duty",
        shift_id: UUID | None = None,
        window_id: UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """An incident at ``occurred_at``, attributed to whoever was on duty then (ART9.4).

        Without ``shift_id`` the shift of ``duty_role`` covering that instant is found from
        the roster; an instant no shift covers is refused (name the shift).
        """
        ctx = self.context(actor, occurred_at)
        if window_id is not None:
            self.load(Window, window_id, what="window", field="window_id")
        if shift_id is not None:
            shift = self.duty_shift(shift_id)
        else:
            policy = security_policy_in_force(hall_date(ctx.occurred_at))
            day = policy.hall_day(ctx.occurred_at)
            covering = [
                s
                for s in self._shifts_around(policy, day, day)
                if s.duty_role == duty_role and s.starts <= ctx.occurred_at < s.ends
            ]
            if not covering:
                raise NotFound(
                    f"no {duty_role} shift covers {ctx.occurred_at.isoformat()}; name the shift", field="shift_id"
                )
            shift = covering[0]
        _, ref = self.rule_in_force("ART9.4", ctx.occurred_at)
        incident_id = uuid4()
        shift.report_incident(
            ctx,
            incident_id=incident_id,
            kind=kind,
            description=description,
            location=location,
            window_id=window_id,
            rule=str(ref),
        )
        on_duty = shift.incidents[str(incident_id)]["on_duty"]
        return self.record(shift, extra={"incident_id": incident_id, "on_duty_staff_id": on_duty})

    # ── computers and servers (ART9.1) ───────────────────────────────────────

    def record_virus_check(
        self,
        actor: Actor,
        *,
        asset_id: UUID,
        result: str,
        tool: str,
        threats: Sequence[str] = (),
        action: str = "",
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """病毒检测 (ART9.1) of a computer or server on the hall's books."""
        ctx = self.context(actor, occurred_at)
        asset = self.load(Asset, asset_id, what="asset", field="asset_id")
        _, ref = self.rule_in_force("ART9.1", ctx.occurred_at)
        asset.record_virus_check(ctx, result=result, threats=list(threats), action=action, tool=tool, rule=str(ref))
        return self.record(asset)

    def report_credential_incident(
        self,
        actor: Actor,
        *,
        system: str,
        account_holder_id: UUID,
        disclosed_to: str,
        how: str,
        disclosed_by_id: UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """泄露口令 (ART9.1): whose credentials for which system went to whom, and how."""
        ctx = self.context(actor, occurred_at)
        self.load(StaffMember, account_holder_id, what="staff member", field="account_holder_id")
        if disclosed_by_id is not None:
            self.load(StaffMember, disclosed_by_id, what="staff member", field="disclosed_by_id")
        _, ref = self.rule_in_force("ART9.1", ctx.occurred_at)
        incident = CredentialIncident.report(
            ctx,
            id=uuid4(),
            system=system,
            account_holder_id=account_holder_id,
            disclosed_by_id=disclosed_by_id,
            disclosed_to=disclosed_to,
            how=how,
            rule=str(ref),
        )
        return self.record(incident, created=[incident])

    def record_credentials_reset(
        self,
        actor: Actor,
        *,
        incident_id: UUID,
        note: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        incident = self.load(
            CredentialIncident, incident_id, what="credential incident", field="incident_id",
            expected_version=expected_version,
        )  # fmt: skip
        _, ref = self.rule_in_force("ART9.1", ctx.occurred_at)
        incident.record_reset(ctx, note=note, rule=str(ref))
        return self.record(incident)

    # ── after work (ART9.7, ART9.8) ──────────────────────────────────────────

    def end_of_day_check_id(self, window_id: UUID, day: date) -> UUID:
        return ids.derived_id("end-of-day-check", self.settings.hall_id, str(window_id), day.isoformat())

    def record_end_of_day_check(
        self,
        actor: Actor,
        *,
        window_id: UUID,
        checks: Mapping[str, bool],
        staff_id: UUID | None = None,
        note: str = "",
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """下班检查: the window's items of the security policy (power off, locked, classified secured)."""
        ctx = self.context(actor, occurred_at)
        self.load(Window, window_id, what="window", field="window_id")
        if staff_id is not None:
            self.load(StaffMember, staff_id, what="staff member", field="staff_id")
        policy = security_policy_in_force(hall_date(ctx.occurred_at))
        items = {
            code: str(self.rule_in_force(item.rule, ctx.occurred_at)[1])
            for code, item in policy.end_of_day_checks.items()
        }
        day = policy.hall_day(ctx.occurred_at)
        check = EndOfDayCheck.record(
            ctx,
            id=self.end_of_day_check_id(window_id, day),
            window_id=window_id,
            day=day,
            checks=dict(checks),
            items=items,
            staff_id=staff_id,
            note=note,
            policy=policy.ref,
        )
        return self.record(check, created=[check])

    # ── hazards (ART9.3, ART9.5, ART9.6) ─────────────────────────────────────

    def report_hazard(
        self,
        actor: Actor,
        *,
        kind: str,
        location: str,
        description: str,
        window_id: UUID | None = None,
        staff_id: UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """安全隐患: its kind names the rule (ART9.3 fire, theft, non-staff; ART9.5 power, water; ART9.6 kettles)."""
        ctx = self.context(actor, occurred_at)
        rule_id = hazard_rule(kind)
        if window_id is not None:
            self.load(Window, window_id, what="window", field="window_id")
        if staff_id is not None:
            self.load(StaffMember, staff_id, what="staff member", field="staff_id")
        _, ref = self.rule_in_force(rule_id, ctx.occurred_at)
        hazard = Hazard.report(
            ctx,
            id=uuid4(),
            kind=kind,
            location=location,
            window_id=window_id,
            staff_id=staff_id,
            description=description,
            rule=str(ref),
        )
        return self.record(hazard, created=[hazard])

    def resolve_hazard(
        self,
        actor: Actor,
        *,
        hazard_id: UUID,
        action: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        hazard = self.load(Hazard, hazard_id, what="hazard", field="hazard_id", expected_version=expected_version)
        _, ref = self.rule_in_force(hazard_rule(hazard.kind), ctx.occurred_at)
        hazard.resolve(ctx, action=action, rule=str(ref))
        return self.record(hazard)
