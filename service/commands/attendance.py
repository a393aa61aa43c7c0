"""Attendance and leave (ART6.5, ART7.5): punches, absences from the post, leave requests.

Facts only: lateness, leaving early, missed punches and unexcused absence are judged by
the detector that follows the log, under the attendance policy each day was opened with.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

from domain import ids
from domain.attendance import AttendanceDay, LeaveRequest
from domain.calendar import hall_date
from domain.envelope import Actor, CommandContext, check_aware
from domain.errors import AlreadyExists, InvalidInput, InvariantViolated, NotFound
from domain.ownership import require_own_record
from domain.policies.attendance import attendance_policy_in_force
from domain.staff import LEFT, StaffMember
from service.app_base import ConcurrentChange, LedgerApplicationBase, Outcome

#: a day opened by two devices at the same moment: the loser retries on the winner's stream
_PUNCH_ATTEMPTS = 3


class AttendanceCommands(LedgerApplicationBase):
    def attendance_day_id(self, staff_id: UUID, day: date) -> UUID:
        return ids.derived_id("attendance-day", self.settings.hall_id, str(staff_id), day.isoformat())

    def attendance_day(self, staff_id: UUID, day: date) -> AttendanceDay:
        return self.load(AttendanceDay, self.attendance_day_id(staff_id, day), what="attendance day", field="day")

    def leave_request(
        self, leave_id: UUID, *, expected_version: int | None = None, actor: Actor | None = None
    ) -> LeaveRequest:
        """The leave request; with ``actor``, only when it may act on it (a staff actor: its own)."""
        leave = self.load(
            LeaveRequest, leave_id, what="leave request", field="leave_id", expected_version=expected_version
        )
        if actor is not None:
            require_own_record(actor, [leave.staff_id], record=f"leave request {leave_id}", field="leave_id")
        return leave

    def _context_at(self, actor: Actor, when: datetime | None, field: str) -> CommandContext:
        """The command's context at ``when``, a refusal naming ``field`` rather than occurred_at."""
        try:
            return self.context(actor, when)
        except InvalidInput as refused:
            if refused.field != "occurred_at":
                raise
            raise InvalidInput(refused.message.replace("occurred_at", field), field=field) from None

    def _working_staff(self, staff_id: UUID, field: str = "staff_id") -> StaffMember:
        staff = self.load(StaffMember, staff_id, what="staff member", field=field)
        if staff.status == LEFT:
            raise InvariantViolated(f"{staff.name} has left the hall", field=field)
        return staff

    def _day_for(self, ctx: CommandContext, staff: StaffMember) -> tuple[AttendanceDay, bool]:
        """The person's attendance day of ``ctx.occurred_at``, opened now if it is the first fact."""
        policy = attendance_policy_in_force(hall_date(ctx.occurred_at))
        day = policy.hall_day(ctx.occurred_at)
        day_id = self.attendance_day_id(staff.id, day)
        if self.exists(day_id):
            return self.load(AttendanceDay, day_id, what="attendance day", field="day"), False
        window_id = staff.posting["window_id"] if staff.posting else None
        opened = AttendanceDay.open(ctx, id=day_id, staff_id=staff.id, day=day, window_id=window_id, policy=policy.ref)
        return opened, True

    def _punch(self, actor: Actor, staff_id: UUID, device: str, occurred_at: datetime | None, kind: str) -> Outcome:
        ctx = self.context(actor, occurred_at)
        require_own_record(actor, [staff_id], record=f"the attendance of {staff_id}", field="staff_id")
        staff = self._working_staff(staff_id)
        _, ref = self.rule_in_force("ART7.5", ctx.occurred_at)
        for attempt in range(_PUNCH_ATTEMPTS):
            day, new = self._day_for(ctx, staff)
            if kind == "in":
                day.clock_in(ctx, device=device, rule=str(ref))
            else:
                day.clock_out(ctx, device=device, rule=str(ref))
            try:
                return self.record(day, created=[day] if new else [])
            except (AlreadyExists, ConcurrentChange):
                if attempt == _PUNCH_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def clock_in(self, actor: Actor, *, staff_id: UUID, device: str, occurred_at: datetime | None = None) -> Outcome:
        """上班打卡 (ART7.5) at ``occurred_at`` on ``device``."""
        return self._punch(actor, staff_id, device, occurred_at, "in")

    def clock_out(self, actor: Actor, *, staff_id: UUID, device: str, occurred_at: datetime | None = None) -> Outcome:
        """下班打卡 (ART7.5) at ``occurred_at`` on ``device``."""
        return self._punch(actor, staff_id, device, occurred_at, "out")

    def record_absence_from_post(
        self,
        actor: Actor,
        *,
        staff_id: UUID,
        left_at: datetime,
        notice_displayed: bool,
        returned_at: datetime | None = None,
        reason: str = "",
    ) -> Outcome:
        """离岗登记 (ART6.5): the absence's valid time is when the person left the post."""
        ctx = self._context_at(actor, left_at, "left_at")
        if returned_at is not None:
            check_aware(returned_at, "returned_at")
            if returned_at > ctx.recorded_at + self.settings.clock_skew:
                raise InvalidInput("returned_at lies in the future", field="returned_at")
        staff = self._working_staff(staff_id)
        _, ref = self.rule_in_force("ART6.5", ctx.occurred_at)
        day, new = self._day_for(ctx, staff)
        absence_id = uuid4()
        day.record_absence(
            ctx,
            absence_id=absence_id,
            window_id=staff.posting["window_id"] if staff.posting else None,
            returned_at=returned_at,
            notice_displayed=notice_displayed,
            reason=reason,
            rule=str(ref),
        )
        return self.record(day, created=[day] if new else [], extra={"absence_id": absence_id})

    def record_return_to_post(
        self, actor: Actor, *, staff_id: UUID, absence_id: UUID, returned_at: datetime | None = None
    ) -> Outcome:
        """返岗 (ART6.5): closes an absence recorded while the person was still away."""
        ctx = self._context_at(actor, returned_at, "returned_at")
        # closing an absence is the absent person's own record (or their lead's, the center's, an inspector's)
        require_own_record(actor, [staff_id], record=f"the absence of {staff_id}", field="staff_id")
        self.load(StaffMember, staff_id, what="staff member", field="staff_id")
        _, ref = self.rule_in_force("ART6.5", ctx.occurred_at)
        day_id = self.attendance_day_id(
            staff_id, attendance_policy_in_force(hall_date(ctx.occurred_at)).hall_day(ctx.occurred_at)
        )
        if not self.exists(day_id):
            raise NotFound(f"no absence {absence_id} is recorded for that person that day", field="absence_id")
        day = self.load(AttendanceDay, day_id, what="attendance day", field="absence_id")
        day.record_return(ctx, absence_id=absence_id, rule=str(ref))
        return self.record(day)

    # ── leave (请销假) ────────────────────────────────────────────────────────

    def request_leave(
        self,
        actor: Actor,
        *,
        staff_id: UUID,
        leave_type: str,
        starts: datetime,
        ends: datetime,
        reason: str = "",
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """请假 (ART7.5) of ``leave_type`` (a type of the attendance policy) from ``starts`` to ``ends``."""
        ctx = self.context(actor, occurred_at)
        require_own_record(actor, [staff_id], record=f"a leave request of {staff_id}", field="staff_id")
        self._working_staff(staff_id)
        _, ref = self.rule_in_force("ART7.5", ctx.occurred_at)
        policy = attendance_policy_in_force(starts.date())
        leave = LeaveRequest.request(
            ctx,
            id=uuid4(),
            staff_id=staff_id,
            leave_type=leave_type,
            leave_types=tuple(policy.leave_types),
            starts=starts,
            ends=ends,
            reason=reason,
            policy=policy.ref,
            rule=str(ref),
        )
        return self.record(leave, created=[leave])

    def approve_leave(
        self,
        actor: Actor,
        *,
        leave_id: UUID,
        note: str = "",
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """准假 by a window lead or the hall (ART7.5)."""
        ctx = self.context(actor, occurred_at)
        leave = self.leave_request(leave_id, expected_version=expected_version)
        _, ref = self.rule_in_force("ART7.5", ctx.occurred_at)
        leave.approve(ctx, note=note, rule=str(ref))
        return self.record(leave)

    def refuse_leave(
        self,
        actor: Actor,
        *,
        leave_id: UUID,
        reason: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        leave = self.leave_request(leave_id, expected_version=expected_version)
        _, ref = self.rule_in_force("ART7.5", ctx.occurred_at)
        leave.refuse(ctx, reason=reason, rule=str(ref))
        return self.record(leave)

    def report_back_from_leave(
        self,
        actor: Actor,
        *,
        leave_id: UUID,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """销假 (ART7.5): the person is back at work."""
        ctx = self.context(actor, occurred_at)
        leave = self.leave_request(leave_id, expected_version=expected_version, actor=actor)
        _, ref = self.rule_in_force("ART7.5", ctx.occurred_at)
        leave.report_back(ctx, rule=str(ref))
        return self.record(leave)
