"""Attendance and leave (考勤与请销假): ART6.5 and ART7.5 as facts.

ART6.5: staff arrive on time and never leave the post empty without reason (空岗、脱岗).
ART7.5: staff keep the hall's attendance and leave rules (考勤和请销假制度), on time in and out.

The ledger records what happened — punches, leave requested and decided, a person away
from the post — and judges nothing here: lateness, leaving early, missed punches and
unexcused absence are *detected* by a follower of the log that reads the attendance
policy (``domain/policies/attendance-<version>.toml``) the day was opened under.

Aggregate boundaries:

- :class:`AttendanceDay` — one stream per person per hall day (China time), id derived
  from (hall, person, day). A day's facts are judged together (the first clock-in against
  the opening, the last clock-out against the closing, absences against the sessions),
  the stream stays a handful of events long (no snapshots, no hot stream for a person
  over years), and the derived id means two devices punching at the same moment cannot
  open two days: the second creation clashes in the store and the command retries on the
  day the first opened.
- :class:`LeaveRequest` — one stream per request: leave spans days and has a life of its
  own (requested → approved or refused → reported back, 销假).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Self
from uuid import UUID

from domain.envelope import Actor, CommandContext, LedgerAggregate, require_text
from domain.errors import InvalidInput, InvariantViolated, NotPermitted
from domain.roles import Role

CLOCK_IN = "in"
CLOCK_OUT = "out"

#: who records a punch: the person at a device, their lead or the hall (a manual entry),
#: or the attendance system feeding the ledger
PUNCH_ROLES = (Role.STAFF, Role.WINDOW_LEAD, Role.HALL_MANAGER, Role.SYSTEM)
#: who records that someone left the post: the lead, the hall, an inspector, the person themselves
ABSENCE_ROLES = (Role.STAFF, Role.WINDOW_LEAD, Role.HALL_MANAGER, Role.INSPECTOR)
#: ART7.5 / DOMAIN.md: a window lead or the hall approves leave
LEAVE_APPROVERS = (Role.WINDOW_LEAD, Role.HALL_MANAGER)

REQUESTED = "requested"
APPROVED = "approved"
REFUSED = "refused"
REPORTED_BACK = "reported_back"


class AttendanceDay(LedgerAggregate):
    """One person's attendance record for one hall day (考勤日)."""

    class Opened(LedgerAggregate.Created):
        """考勤日 — opened by the day's first fact; names the policy the day is judged under."""

        staff_id: UUID
        day: date
        window_id: UUID | None
        policy: str

        def apply(self, d: Any) -> None:
            d.staff_id = self.staff_id
            d.day = self.day
            d.window_id = self.window_id
            d.policy = self.policy
            d.punches = []
            d.absences = {}

    class ClockedIn(LedgerAggregate.Event):
        """上班打卡 — occurred_at is the punch time."""

        device: str
        rule: str

        def apply(self, d: Any) -> None:
            d.punches.append({"kind": CLOCK_IN, "at": self.occurred_at, "device": self.device})

    class ClockedOut(LedgerAggregate.Event):
        """下班打卡 — occurred_at is the punch time."""

        device: str
        rule: str

        def apply(self, d: Any) -> None:
            d.punches.append({"kind": CLOCK_OUT, "at": self.occurred_at, "device": self.device})

    class AbsenceFromPostRecorded(LedgerAggregate.Event):
        """离岗登记 — the person left the post at occurred_at (脱岗 unless excused).

        ``notice_displayed``: a "暂停受理" (service paused) sign was put up at the window — real
        halls count a short, signed absence as legitimate (DOMAIN-RESEARCH S40).
        ``returned_at`` is None while the person is still away.
        """

        absence_id: UUID
        window_id: UUID | None
        returned_at: datetime | None
        notice_displayed: bool
        reason: str
        rule: str

        def apply(self, d: Any) -> None:
            d.absences[str(self.absence_id)] = {
                "left_at": self.occurred_at,
                "returned_at": self.returned_at,
                "notice_displayed": self.notice_displayed,
            }

    class ReturnedToPost(LedgerAggregate.Event):
        """返岗 — occurred_at is when the person was back at the post."""

        absence_id: UUID
        rule: str

        def apply(self, d: Any) -> None:
            d.absences[str(self.absence_id)]["returned_at"] = self.occurred_at

    if TYPE_CHECKING:
        staff_id: UUID
        day: date
        window_id: UUID | None
        policy: str
        punches: list[dict[str, Any]]
        absences: dict[str, dict[str, Any]]

    @classmethod
    def open(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        staff_id: UUID,
        day: date,
        window_id: UUID | None,
        policy: str,
    ) -> Self:
        return cls._create_with(cls.Opened, ctx, id=id, staff_id=staff_id, day=day, window_id=window_id, policy=policy)

    def _punch(self, ctx: CommandContext, kind: str, device: str, rule: str) -> None:
        ctx.actor.require(*PUNCH_ROLES, action="recording an attendance punch", rule=rule)
        device = require_text(device, "device", rule=rule)
        for punch in self.punches:
            if punch["kind"] == kind and punch["at"] == ctx.occurred_at:
                raise InvariantViolated(
                    f"a clock-{kind} at {ctx.occurred_at.isoformat()} is already recorded for this day "
                    f"(device {punch['device']})",
                    rule=rule,
                    field="occurred_at",
                )
        event = self.ClockedIn if kind == CLOCK_IN else self.ClockedOut
        self._trigger(event, ctx, device=device, rule=rule)

    def clock_in(self, ctx: CommandContext, *, device: str, rule: str) -> None:
        """ART7.5: a punch is a fact; whether it was late is the detector's judgement."""
        self._punch(ctx, CLOCK_IN, device, rule)

    def clock_out(self, ctx: CommandContext, *, device: str, rule: str) -> None:
        self._punch(ctx, CLOCK_OUT, device, rule)

    @property
    def open_absence(self) -> str | None:
        return next((k for k, a in self.absences.items() if a["returned_at"] is None), None)

    def record_absence(
        self,
        ctx: CommandContext,
        *,
        absence_id: UUID,
        window_id: UUID | None,
        returned_at: datetime | None,
        notice_displayed: bool,
        reason: str,
        rule: str,
    ) -> None:
        """ART6.5: the person left the post at ``ctx.occurred_at`` (and came back at ``returned_at``)."""
        ctx.actor.require(*ABSENCE_ROLES, action="recording an absence from the post", rule=rule)
        left_at = ctx.occurred_at
        if returned_at is not None:
            self._check_return(left_at, returned_at, rule)
        ends = returned_at
        for key, other in self.absences.items():
            other_ends = other["returned_at"]
            if other_ends is None and other["left_at"] <= left_at:
                raise InvariantViolated(
                    f"the absence from {other['left_at'].isoformat()} is still open; record the return first",
                    rule=rule,
                    field="left_at",
                )
            starts_before_other_ends = other_ends is None or left_at < other_ends
            ends_after_other_starts = ends is None or ends > other["left_at"]
            if starts_before_other_ends and ends_after_other_starts:
                raise InvariantViolated(
                    f"this absence overlaps absence {key} recorded from {other['left_at'].isoformat()}",
                    rule=rule,
                    field="left_at",
                )
        self._trigger(
            self.AbsenceFromPostRecorded,
            ctx,
            absence_id=absence_id,
            window_id=window_id,
            returned_at=returned_at,
            notice_displayed=bool(notice_displayed),
            reason=reason.strip(),
            rule=rule,
        )

    def _check_return(self, left_at: datetime, returned_at: datetime, rule: str) -> None:
        if returned_at.tzinfo is None:
            raise InvalidInput("returned_at must carry a timezone", field="returned_at", rule=rule)
        if returned_at <= left_at:
            raise InvalidInput("the return must come after leaving the post", field="returned_at", rule=rule)
        if returned_at.astimezone(left_at.tzinfo).date() != self.day:
            raise InvalidInput(
                f"a return on another day than {self.day.isoformat()} is not a return to the post; "
                "record the day's clock-out instead",
                field="returned_at",
                rule=rule,
            )

    def record_return(self, ctx: CommandContext, *, absence_id: UUID, rule: str) -> None:
        ctx.actor.require(*ABSENCE_ROLES, action="recording a return to the post", rule=rule)
        absence = self.absences.get(str(absence_id))
        if absence is None:
            raise InvalidInput(f"no absence {absence_id} on {self.day.isoformat()}", field="absence_id", rule=rule)
        if absence["returned_at"] is not None:
            raise InvariantViolated(
                f"the return was already recorded at {absence['returned_at'].isoformat()}",
                field="absence_id",
                rule=rule,
            )
        self._check_return(absence["left_at"], ctx.occurred_at, rule)
        self._trigger(self.ReturnedToPost, ctx, absence_id=absence_id, rule=rule)


class LeaveRequest(LedgerAggregate):
    """请假 — a request for leave over a period, decided by a window lead or the hall (ART7.5)."""

    class Requested(LedgerAggregate.Created):
        """请假申请"""

        staff_id: UUID
        leave_type: str
        starts: datetime
        ends: datetime
        reason: str
        policy: str
        rule: str

        def apply(self, r: Any) -> None:
            r.staff_id = self.staff_id
            r.leave_type = self.leave_type
            r.starts = self.starts
            r.ends = self.ends
            r.status = REQUESTED
            r.requested_by = self.actor
            r.decided_by = None
            r.reported_back_at = None

    class Approved(LedgerAggregate.Event):
        """准假"""

        note: str
        rule: str

        def apply(self, r: Any) -> None:
            r.status = APPROVED
            r.decided_by = self.actor

    class Refused(LedgerAggregate.Event):
        """不准假"""

        reason: str
        rule: str

        def apply(self, r: Any) -> None:
            r.status = REFUSED
            r.decided_by = self.actor

    class ReportedBack(LedgerAggregate.Event):
        """销假 — back at work after the leave; occurred_at is when the person reported back."""

        rule: str

        def apply(self, r: Any) -> None:
            r.status = REPORTED_BACK
            r.reported_back_at = self.occurred_at

    if TYPE_CHECKING:
        staff_id: UUID
        leave_type: str
        starts: datetime
        ends: datetime
        status: str
        requested_by: Actor
        decided_by: Actor | None
        reported_back_at: datetime | None

    @classmethod
    def request(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        staff_id: UUID,
        leave_type: str,
        leave_types: tuple[str, ...],
        starts: datetime,
        ends: datetime,
        reason: str,
        policy: str,
        rule: str,
    ) -> Self:
        """Leave may be requested after the fact (sick leave); the detector weighs when it was approved."""
        ctx.actor.require(Role.STAFF, Role.WINDOW_LEAD, Role.HALL_MANAGER, action="requesting leave", rule=rule)
        if leave_type not in leave_types:
            raise InvalidInput(
                f"leave type {leave_type!r} is not one of {', '.join(leave_types)} ({policy})",
                field="leave_type",
                rule=rule,
            )
        for name, value in (("starts", starts), ("ends", ends)):
            if value.tzinfo is None or value.utcoffset() is None:
                raise InvalidInput(f"{name} must carry a timezone", field=name, rule=rule)
        if ends <= starts:
            raise InvalidInput("the leave must end after it starts", field="ends", rule=rule)
        return cls._create_with(
            cls.Requested,
            ctx,
            id=id,
            staff_id=staff_id,
            leave_type=leave_type,
            starts=starts,
            ends=ends,
            reason=reason.strip(),
            policy=policy,
            rule=rule,
        )

    def _check_requested(self, verb: str, rule: str) -> None:
        if self.status != REQUESTED:
            raise InvariantViolated(f"this leave request is {self.status} and cannot be {verb}", rule=rule)

    def approve(self, ctx: CommandContext, *, note: str, rule: str) -> None:
        ctx.actor.require(*LEAVE_APPROVERS, action="approving leave", rule=rule)
        self._check_not_own(ctx, "approves", rule)
        self._check_requested("approved", rule)
        self._trigger(self.Approved, ctx, note=note.strip(), rule=rule)

    def refuse(self, ctx: CommandContext, *, reason: str, rule: str) -> None:
        ctx.actor.require(*LEAVE_APPROVERS, action="refusing leave", rule=rule)
        self._check_not_own(ctx, "refuses", rule)
        self._check_requested("refused", rule)
        self._trigger(self.Refused, ctx, reason=require_text(reason, "reason", rule=rule), rule=rule)

    def _check_not_own(self, ctx: CommandContext, verb: str, rule: str) -> None:
        """Nobody decides their own leave: a window lead's leave goes to another lead or the hall
        (the person behind the token, ``Actor.person``, compared with the requester)."""
        if ctx.actor.person is not None and ctx.actor.person == self.staff_id:
            raise NotPermitted(
                f"nobody {verb} their own leave; {ctx.actor.id} asked for this one", field="actor", rule=rule
            )

    def report_back(self, ctx: CommandContext, *, rule: str) -> None:
        """销假: only approved leave is reported back, once, and not before it began."""
        ctx.actor.require(
            Role.STAFF, Role.WINDOW_LEAD, Role.HALL_MANAGER, action="reporting back from leave", rule=rule
        )
        if self.status != APPROVED:
            raise InvariantViolated(
                f"this leave request is {self.status}; only approved leave is reported back", rule=rule
            )
        if ctx.occurred_at < self.starts:
            raise InvalidInput("reporting back before the leave began", field="occurred_at", rule=rule)
        self._trigger(self.ReportedBack, ctx, rule=rule)
