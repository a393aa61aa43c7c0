"""Impossible valid times are refused — the one place of that rule.

A fact's valid time (``occurred_at``, or a command's own time field) may be back-dated, but
not to a moment the ledger's own facts rule out:

- before the rule catalogue's start (no catalogue version judged a fact of that date; the
  lookup does not silently take a later version — ``domain.rules.check_within_catalogue``),
- before the person concerned was onboarded (入驻登记), or after they left the hall,
- at a window (named by the command, or implied by a window-duty rule of Article 7) while the
  person had no posting at all.

:func:`staff_timeline` folds a staff member's events into the dates those checks need (a pure
fold of stored events: no aggregate state, so snapshots and old streams need nothing new);
:func:`check_valid_time` refuses, naming the time field. Dates are hall dates (Asia/Shanghai).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.calendar import hall_date
from domain.errors import InvalidInput
from domain.rules import check_within_catalogue
from domain.staff import StaffMember


class ImpossibleValidTime(InvalidInput):
    """The stated valid time contradicts what the ledger knows (onboarding, postings, catalogue)."""

    code = "impossible-valid-time"


@dataclass(frozen=True)
class PostingSpell:
    """A stretch of a posting at one window, ``start``..``end`` inclusive (``end`` None: still on)."""

    window_id: UUID
    start: date
    end: date | None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class StaffTimeline:
    """When a person was in the hall and at which window (valid time)."""

    staff_id: UUID
    name: str
    onboarded_on: date
    left_on: date | None = None
    spells: tuple[PostingSpell, ...] = field(default_factory=tuple)

    @property
    def in_hall_from(self) -> date:
        """The first day the person was in the hall: the onboarding's valid date, or an earlier
        posting start (an onboarding recorded late without its valid time must not hide a posting)."""
        return min([self.onboarded_on, *(s.start for s in self.spells)])

    def window_on(self, day: date) -> UUID | None:
        """The window the person was posted to on ``day`` (the latest spell covering it), if any."""
        found = [s for s in self.spells if s.covers(day)]
        return found[-1].window_id if found else None


def staff_timeline(events: Iterable[Any]) -> StaffTimeline:
    """Fold a staff member's stored events (in stream order) into their :class:`StaffTimeline`."""
    staff_id: UUID | None = None
    name = ""
    onboarded_on: date | None = None
    left_on: date | None = None
    spells: list[PostingSpell] = []

    def close(end: date) -> None:
        if spells and spells[-1].end is None:
            last = spells[-1]
            spells[-1] = PostingSpell(last.window_id, last.start, max(end, last.start))

    for e in events:
        if isinstance(e, StaffMember.Onboarded):
            staff_id, name, onboarded_on = e.originator_id, e.name, hall_date(e.occurred_at)
        elif isinstance(e, StaffMember.Posted):
            close(e.start)
            spells.append(PostingSpell(e.window_id, e.start, None))
        elif isinstance(e, StaffMember.Moved):
            close(e.start)
            spells.append(PostingSpell(e.to_window_id, e.start, None))
        elif isinstance(e, StaffMember.PostingEnded | StaffMember.RecalledByDepartment):
            close(e.end)
        elif isinstance(e, StaffMember.RemovalFromPostDecided):
            close(e.effective)
        elif isinstance(e, StaffMember.Left):
            left_on = e.on
    if staff_id is None or onboarded_on is None:
        raise InvalidInput("a staff timeline starts with the onboarding event", field="staff_id")
    return StaffTimeline(staff_id, name, onboarded_on, left_on, tuple(spells))


def check_valid_time(
    at: datetime,
    *,
    field: str = "occurred_at",
    staff: StaffTimeline | None = None,
    window_named: bool = False,
    rule: str | None = None,
) -> None:
    """Refuse a valid time the ledger's facts rule out, naming ``field`` (the command's time field).

    ``staff``: the person the fact concerns; ``window_named``: the fact places them at a window
    (a window named by the command, or a window-duty rule) — they must have been posted then.
    """
    day = hall_date(at)
    check_within_catalogue(day, field=field)
    if staff is None:
        return
    if day < staff.in_hall_from:
        raise ImpossibleValidTime(
            f"{field} {day.isoformat()} lies before {staff.name} was onboarded "
            f"({staff.in_hall_from.isoformat()}); nothing of theirs can have happened in the hall then",
            field=field,
            rule=rule,
        )
    if staff.left_on is not None and day > staff.left_on:
        raise ImpossibleValidTime(
            f"{field} {day.isoformat()} lies after {staff.name} left the hall ({staff.left_on.isoformat()})",
            field=field,
            rule=rule,
        )
    if window_named and staff.window_on(day) is None:
        raise ImpossibleValidTime(
            f"{staff.name} had no posting on {day.isoformat()} ({field}); a breach at a window "
            "needs the person to have been posted there",
            field=field,
            rule=rule,
        )
