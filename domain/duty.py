"""Duty roster and security (第九条 保密和安全保卫制度): ART9.1, ART9.3–ART9.8 as facts.

- :class:`DutyShift` — one slot of the duty roster (值班表) for one role on one day, id
  derived from (hall, day, slot, role), so a slot is rostered once. ART9.4: whoever cannot
  serve must have a substitute, so the post is never empty; the person on duty answers
  for accidents caused by negligence or by leaving the post. The shift keeps its
  *coverage* — who is on duty from when to when, after substitutions — so an incident is
  attributed to the person on duty at that instant. Releasing someone without naming a
  substitute is refused: the ledger can never say a shift was left to nobody.
- :class:`EndOfDayCheck` — the after-work check of one window on one day (ART9.7 power
  off; ART9.8 doors and windows locked, classified material and valuables secured); the
  items and the rule each evidences come from the security policy.
- :class:`CredentialIncident` — user names or passwords disclosed (ART9.1); closed when
  the credentials are reset. The password itself is never recorded.
- :class:`Hazard` — a safety hazard reported and resolved (ART9.3 fire/theft/injury and
  non-staff in the work area, ART9.5 power strips and water, ART9.6 kettles and electric
  blankets).

Virus checks (ART9.1) are recorded on the computer or server itself: see
:class:`domain.assets.Asset` (a device is an asset of the hall's books).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from domain.envelope import CommandContext, LedgerAggregate, require_text
from domain.errors import InvalidInput, InvariantViolated
from domain.roles import Role

#: 值班 (general duty) and 安保 (security guard) are rostered separately
DUTY_ROLES: dict[str, str] = {"duty": "值班", "security": "安保"}
INCIDENT_KINDS = ("fire", "theft", "injury", "intrusion", "damage", "power", "water", "other")
#: a hazard's kind names the rule of Article 9 it falls under
HAZARD_RULES: dict[str, str] = {
    "fire_risk": "ART9.3",
    "theft_risk": "ART9.3",
    "injury_risk": "ART9.3",
    "non_staff_in_work_area": "ART9.3",
    "power_strip_loose": "ART9.5",
    "water_near_power": "ART9.5",
    "hazardous_appliance": "ART9.6",
}

ROSTER_ROLES = (Role.HALL_MANAGER,)
#: the person who cannot serve arranges their substitute (ART9.4), or their lead or the hall does
SUBSTITUTION_ROLES = (Role.STAFF, Role.WINDOW_LEAD, Role.HALL_MANAGER)
REPORTING_ROLES = (Role.STAFF, Role.WINDOW_LEAD, Role.HALL_MANAGER, Role.INSPECTOR, Role.SYSTEM)
CHECKING_ROLES = (Role.STAFF, Role.WINDOW_LEAD, Role.HALL_MANAGER, Role.INSPECTOR)
#: who is on duty and when, as the aggregate (UUID, datetime) or a read model (text, microseconds) keeps it
Who = TypeVar("Who", UUID, str)
When = TypeVar("When", datetime, int)


def hazard_rule(kind: str) -> str:
    try:
        return HAZARD_RULES[kind]
    except KeyError:
        raise InvalidInput(f"hazard kind {kind!r} is not one of {', '.join(HAZARD_RULES)}", field="kind") from None


def substitute(
    coverage: list[dict[str, Any]], released: Who, substitute: Who, start: When, end: When
) -> list[dict[str, Any]]:
    """Coverage with ``substitute`` on duty instead of ``released`` over [start, end).

    The aggregate's coverage holds UUIDs and datetimes; the read models fold the same rule over
    their own encoding (ids as text, instants as microseconds)."""
    pieces: list[dict[str, Any]] = []
    for seg in coverage:
        if seg["staff_id"] != released or seg["end"] <= start or seg["start"] >= end:
            pieces.append(dict(seg))
            continue
        if seg["start"] < start:
            pieces.append({"start": seg["start"], "end": start, "staff_id": released})
        pieces.append({"start": max(seg["start"], start), "end": min(seg["end"], end), "staff_id": substitute})
        if seg["end"] > end:
            pieces.append({"start": end, "end": seg["end"], "staff_id": released})
    merged: list[dict[str, Any]] = []
    for seg in pieces:
        if merged and merged[-1]["staff_id"] == seg["staff_id"] and merged[-1]["end"] == seg["start"]:
            merged[-1]["end"] = seg["end"]
        else:
            merged.append(seg)
    return merged


@dataclass(frozen=True)
class ShiftFacts:
    """What a hand-over needs to know about the next shift."""

    shift_id: UUID
    duty_role: str
    starts: datetime
    on_duty_at_start: UUID


class DutyShift(LedgerAggregate):
    """One slot of the duty roster for one role on one day (值班)."""

    class Assigned(LedgerAggregate.Created):
        """排班 — the hall rosters a person for the slot (ART9.4)."""

        day: date
        slot: str
        duty_role: str
        staff_id: UUID
        starts: datetime
        ends: datetime
        policy: str
        rule: str

        def apply(self, s: Any) -> None:
            s.day = self.day
            s.slot = self.slot
            s.duty_role = self.duty_role
            s.rostered_staff_id = self.staff_id
            s.starts = self.starts
            s.ends = self.ends
            s.coverage = [{"start": self.starts, "end": self.ends, "staff_id": self.staff_id}]
            s.handed_over = False
            s.incidents = {}

    class SubstituteArranged(LedgerAggregate.Event):
        """顶替 — ``released_staff_id`` cannot serve; ``substitute_id`` is on duty over [covers_from, covers_until)."""

        released_staff_id: UUID
        substitute_id: UUID
        covers_from: datetime
        covers_until: datetime
        reason: str
        rule: str

        def apply(self, s: Any) -> None:
            s.coverage = substitute(
                s.coverage, self.released_staff_id, self.substitute_id, self.covers_from, self.covers_until
            )

    class HandedOver(LedgerAggregate.Event):
        """交接班 — the person on duty at the end hands over to the next shift (or to the hall at opening)."""

        from_staff_id: UUID
        to_shift_id: UUID | None
        to_staff_id: UUID
        notes: str
        rule: str

        def apply(self, s: Any) -> None:
            s.handed_over = True

    class IncidentReported(LedgerAggregate.Event):
        """安全事故/事件 — occurred_at is when it happened; ``on_duty_staff_id`` who was on duty then (ART9.4)."""

        incident_id: UUID
        kind: str
        description: str
        location: str
        window_id: UUID | None
        on_duty_staff_id: UUID
        rule: str

        def apply(self, s: Any) -> None:
            s.incidents[str(self.incident_id)] = {"at": self.occurred_at, "on_duty": self.on_duty_staff_id}

    if TYPE_CHECKING:
        day: date
        slot: str
        duty_role: str
        rostered_staff_id: UUID
        starts: datetime
        ends: datetime
        coverage: list[dict[str, Any]]
        handed_over: bool
        incidents: dict[str, dict[str, Any]]

    @classmethod
    def assign(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        day: date,
        slot: str,
        duty_role: str,
        staff_id: UUID,
        starts: datetime,
        ends: datetime,
        policy: str,
        rule: str,
    ) -> Self:
        ctx.actor.require(*ROSTER_ROLES, action="assigning a duty shift", rule=rule)
        if duty_role not in DUTY_ROLES:
            raise InvalidInput(f"duty role {duty_role!r} is not one of {', '.join(DUTY_ROLES)}", field="duty_role")
        if ends <= starts:
            raise InvalidInput("a shift ends after it starts", field="slot")
        return cls._create_with(
            cls.Assigned,
            ctx,
            id=id,
            day=day,
            slot=slot,
            duty_role=duty_role,
            staff_id=staff_id,
            starts=starts,
            ends=ends,
            policy=policy,
            rule=rule,
        )

    def on_duty_at(self, moment: datetime) -> UUID | None:
        """Who is on duty at ``moment`` (after substitutions); at the very end, the last person on duty."""
        if moment == self.ends:
            return UUID(str(self.coverage[-1]["staff_id"]))
        for seg in self.coverage:
            if seg["start"] <= moment < seg["end"]:
                return UUID(str(seg["staff_id"]))
        return None

    def serves(self, staff_id: UUID, start: datetime, end: datetime) -> bool:
        """Whether ``staff_id`` is on duty at some moment of [start, end)."""
        return any(s["staff_id"] == staff_id and s["start"] < end and s["end"] > start for s in self.coverage)

    def release(
        self,
        ctx: CommandContext,
        *,
        staff_id: UUID,
        substitute_id: UUID | None,
        covers_from: datetime | None,
        covers_until: datetime | None,
        reason: str,
        rule: str,
    ) -> None:
        """ART9.4: a person who cannot serve is released only with a named substitute."""
        ctx.actor.require(*SUBSTITUTION_ROLES, action="arranging a substitute for a duty shift", rule=rule)
        if ctx.occurred_at >= self.ends:
            raise InvariantViolated(f"the shift ended at {self.ends.isoformat()}", rule=rule, field="shift_id")
        if substitute_id is None:
            raise InvariantViolated(
                "whoever cannot be on duty must have a substitute, so the post is never empty: name the substitute",
                rule=rule,
                field="substitute_id",
            )
        if substitute_id == staff_id:
            raise InvalidInput("a person cannot substitute for themselves", rule=rule, field="substitute_id")
        start = covers_from if covers_from is not None else max(self.starts, ctx.occurred_at)
        end = covers_until if covers_until is not None else self.ends
        for name, value in (("covers_from", start), ("covers_until", end)):
            if value.tzinfo is None or value.utcoffset() is None:
                raise InvalidInput(f"{name} must carry a timezone", field=name, rule=rule)
        if not (self.starts <= start < end <= self.ends):
            raise InvalidInput(
                f"the substitution must lie within the shift {self.starts.isoformat()}–{self.ends.isoformat()}",
                field="covers_from",
                rule=rule,
            )
        if start < ctx.occurred_at:
            raise InvariantViolated(
                f"a substitute arranged at {ctx.occurred_at.isoformat()} cannot cover from {start.isoformat()}: "
                "the post was empty in between (arrange substitutes before they take over)",
                rule=rule,
                field="covers_from",
            )
        for seg in self.coverage:
            if seg["start"] < end and seg["end"] > start and seg["staff_id"] != staff_id:
                raise InvariantViolated(
                    f"{staff_id} is not on duty from {max(seg['start'], start).isoformat()}; {seg['staff_id']} is",
                    rule=rule,
                    field="staff_id",
                )
        self._trigger(
            self.SubstituteArranged,
            ctx,
            released_staff_id=staff_id,
            substitute_id=substitute_id,
            covers_from=start,
            covers_until=end,
            reason=require_text(reason, "reason", rule=rule),
            rule=rule,
        )

    def hand_over(
        self,
        ctx: CommandContext,
        *,
        to_shift: ShiftFacts | None,
        to_staff_id: UUID | None,
        notes: str,
        rule: str,
    ) -> None:
        """交接班 (ART9.4): to the next shift of the same role, or to a named person when the hall opens."""
        ctx.actor.require(*SUBSTITUTION_ROLES, action="recording a duty hand-over", rule=rule)
        if self.handed_over:
            raise InvariantViolated("this shift was already handed over", rule=rule, field="shift_id")
        if ctx.occurred_at < self.starts:
            raise InvalidInput("a shift is handed over after it starts", field="occurred_at", rule=rule)
        if to_shift is not None:
            if to_shift.shift_id == self.id:
                raise InvalidInput("a shift cannot be handed over to itself", field="to_shift_id", rule=rule)
            if to_shift.duty_role != self.duty_role or to_shift.starts != self.ends:
                raise InvariantViolated(
                    f"the next shift must be a {self.duty_role} shift starting at {self.ends.isoformat()}",
                    rule=rule,
                    field="to_shift_id",
                )
            if to_staff_id is not None and to_staff_id != to_shift.on_duty_at_start:
                raise InvariantViolated(
                    f"{to_staff_id} is not on duty at the start of the next shift; {to_shift.on_duty_at_start} is",
                    rule=rule,
                    field="to_staff_id",
                )
            to_staff_id = to_shift.on_duty_at_start
        if to_staff_id is None:
            raise InvalidInput(
                "name who takes over (the next shift, or a person when the hall opens)", field="to_staff_id"
            )
        from_staff = self.on_duty_at(self.ends)
        assert from_staff is not None
        if to_staff_id == from_staff:
            raise InvalidInput("a person cannot hand over to themselves", field="to_staff_id", rule=rule)
        self._trigger(
            self.HandedOver,
            ctx,
            from_staff_id=from_staff,
            to_shift_id=to_shift.shift_id if to_shift else None,
            to_staff_id=to_staff_id,
            notes=require_text(notes, "notes", rule=rule),
            rule=rule,
        )

    def report_incident(
        self,
        ctx: CommandContext,
        *,
        incident_id: UUID,
        kind: str,
        description: str,
        location: str,
        window_id: UUID | None,
        rule: str,
    ) -> None:
        """An incident during the shift, attributed to whoever was on duty at that instant (ART9.4)."""
        ctx.actor.require(*REPORTING_ROLES, action="reporting an incident", rule=rule)
        if kind not in INCIDENT_KINDS:
            raise InvalidInput(f"incident kind {kind!r} is not one of {', '.join(INCIDENT_KINDS)}", field="kind")
        if not (self.starts <= ctx.occurred_at < self.ends):
            raise InvariantViolated(
                f"{ctx.occurred_at.isoformat()} is outside this shift "
                f"({self.starts.isoformat()}–{self.ends.isoformat()})",
                rule=rule,
                field="occurred_at",
            )
        on_duty = self.on_duty_at(ctx.occurred_at)
        assert on_duty is not None, "coverage spans the whole shift"
        self._trigger(
            self.IncidentReported,
            ctx,
            incident_id=incident_id,
            kind=kind,
            description=require_text(description, "description", rule=rule),
            location=require_text(location, "location", rule=rule),
            window_id=window_id,
            on_duty_staff_id=on_duty,
            rule=rule,
        )

    def facts(self) -> ShiftFacts:
        first = self.on_duty_at(self.starts)
        assert first is not None
        return ShiftFacts(shift_id=self.id, duty_role=self.duty_role, starts=self.starts, on_duty_at_start=first)


class EndOfDayCheck(LedgerAggregate):
    """下班检查 — one window's after-work check on one day (ART9.7, ART9.8)."""

    class Recorded(LedgerAggregate.Created):
        """下班安全检查 — ``checks``: item → passed; ``rules``: item → the rule a failed item evidences.

        One check evidences two rules (ART9.7, ART9.8), so it carries ``rules`` per item
        rather than a single ``rule``.
        """

        window_id: UUID
        day: date
        checks: dict[str, bool]
        rules: dict[str, str]
        staff_id: UUID | None
        note: str
        policy: str

        def apply(self, c: Any) -> None:
            c.window_id = self.window_id
            c.day = self.day
            c.checks = dict(self.checks)
            c.staff_id = self.staff_id

    if TYPE_CHECKING:
        window_id: UUID
        day: date
        checks: dict[str, bool]
        staff_id: UUID | None

    @property
    def failed(self) -> list[str]:
        return [item for item, passed in self.checks.items() if not passed]

    @classmethod
    def record(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        window_id: UUID,
        day: date,
        checks: Mapping[str, bool],
        items: Mapping[str, str],
        staff_id: UUID | None,
        note: str,
        policy: str,
    ) -> Self:
        """``items``: the policy's check items → rule refs; ``checks`` must answer every one of them."""
        ctx.actor.require(*CHECKING_ROLES, action="recording an end-of-day check")
        missing = [item for item in items if item not in checks]
        unknown = [item for item in checks if item not in items]
        if missing or unknown:
            raise InvalidInput(
                f"an end-of-day check answers exactly {', '.join(items)} ({policy})"
                + (f"; missing: {', '.join(missing)}" if missing else "")
                + (f"; unknown: {', '.join(unknown)}" if unknown else ""),
                field="checks",
            )
        for item, passed in checks.items():
            if not isinstance(passed, bool):
                raise InvalidInput(f"check {item} must be true or false", field="checks")
        return cls._create_with(
            cls.Recorded,
            ctx,
            id=id,
            window_id=window_id,
            day=day,
            checks={item: checks[item] for item in items},
            rules=dict(items),
            staff_id=staff_id,
            note=note.strip(),
            policy=policy,
        )


class CredentialIncident(LedgerAggregate):
    """泄露口令 — user names or passwords with access rights disclosed to someone unrelated (ART9.1)."""

    class Reported(LedgerAggregate.Created):
        """口令泄露报告 — the system, whose credentials, who disclosed them (if known), to whom, how."""

        system: str
        account_holder_id: UUID
        disclosed_by_id: UUID | None
        disclosed_to: str
        how: str
        rule: str

        def apply(self, i: Any) -> None:
            i.system = self.system
            i.account_holder_id = self.account_holder_id
            i.disclosed_by_id = self.disclosed_by_id
            i.reported_at = self.occurred_at
            i.reset = False

    class CredentialsReset(LedgerAggregate.Event):
        """口令重置 — the disclosed credentials were changed or revoked."""

        note: str
        rule: str

        def apply(self, i: Any) -> None:
            i.reset = True

    if TYPE_CHECKING:
        system: str
        account_holder_id: UUID
        disclosed_by_id: UUID | None
        reported_at: datetime
        reset: bool

    @classmethod
    def report(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        system: str,
        account_holder_id: UUID,
        disclosed_by_id: UUID | None,
        disclosed_to: str,
        how: str,
        rule: str,
    ) -> Self:
        ctx.actor.require(*REPORTING_ROLES, action="reporting disclosed credentials", rule=rule)
        return cls._create_with(
            cls.Reported,
            ctx,
            id=id,
            system=require_text(system, "system", rule=rule),
            account_holder_id=account_holder_id,
            disclosed_by_id=disclosed_by_id,
            disclosed_to=require_text(disclosed_to, "disclosed_to", rule=rule),
            how=require_text(how, "how", rule=rule),
            rule=rule,
        )

    def record_reset(self, ctx: CommandContext, *, note: str, rule: str) -> None:
        ctx.actor.require(Role.HALL_MANAGER, Role.SYSTEM, action="recording a credential reset", rule=rule)
        if self.reset:
            raise InvariantViolated("the credentials were already reset", rule=rule, field="incident_id")
        if ctx.occurred_at < self.reported_at:
            raise InvalidInput("the reset cannot precede the report", field="occurred_at", rule=rule)
        self._trigger(self.CredentialsReset, ctx, note=require_text(note, "note", rule=rule), rule=rule)


class Hazard(LedgerAggregate):
    """安全隐患 — a hazard reported and resolved (ART9.3, ART9.5, ART9.6)."""

    class Reported(LedgerAggregate.Created):
        """隐患报告"""

        kind: str
        location: str
        window_id: UUID | None
        staff_id: UUID | None
        description: str
        rule: str

        def apply(self, h: Any) -> None:
            h.kind = self.kind
            h.window_id = self.window_id
            h.staff_id = self.staff_id
            h.resolved = False

    class Resolved(LedgerAggregate.Event):
        """隐患处置"""

        action: str
        rule: str

        def apply(self, h: Any) -> None:
            h.resolved = True

    if TYPE_CHECKING:
        kind: str
        window_id: UUID | None
        staff_id: UUID | None
        resolved: bool

    @classmethod
    def report(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        kind: str,
        location: str,
        window_id: UUID | None,
        staff_id: UUID | None,
        description: str,
        rule: str,
    ) -> Self:
        ctx.actor.require(*REPORTING_ROLES, action="reporting a hazard", rule=rule)
        hazard_rule(kind)
        return cls._create_with(
            cls.Reported,
            ctx,
            id=id,
            kind=kind,
            location=require_text(location, "location", rule=rule),
            window_id=window_id,
            staff_id=staff_id,
            description=require_text(description, "description", rule=rule),
            rule=rule,
        )

    def resolve(self, ctx: CommandContext, *, action: str, rule: str) -> None:
        ctx.actor.require(Role.STAFF, Role.WINDOW_LEAD, Role.HALL_MANAGER, action="resolving a hazard", rule=rule)
        if self.resolved:
            raise InvariantViolated("this hazard was already resolved", rule=rule, field="hazard_id")
        self._trigger(self.Resolved, ctx, action=require_text(action, "action", rule=rule), rule=rule)
