"""The hall's business day (营业日): opened in the morning, closed at the end of business (日终).

Automatic detection is a pure function of the log, so it takes its notion of time from the
log too, never from a clock: most time-based breaches — a deadline passed, a person who
never clocked in, a device past its virus-check interval, a duty shift left to nobody —
are judged when a hall day is *closed*. The hall's system (``hall-ledger serve`` on a
schedule, the simulator) or a hall manager records both facts; replaying the same log
therefore always judges the same days at the same points (``docs/detection.md``).

One stream per hall day, id derived from (hall, date), so a day is opened once: a second
opening clashes in the store. A day is closed once, after it was opened, at or after its
opening and never on an earlier date.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Self
from uuid import UUID

from domain.calendar import hall_date
from domain.envelope import CommandContext, LedgerAggregate
from domain.errors import InvalidInput, InvariantViolated
from domain.roles import Role

#: the hall's own system (a scheduler) or a hall manager opens and closes the day
RECORDERS = (Role.SYSTEM, Role.HALL_MANAGER)


class HallDay(LedgerAggregate):
    """营业日 — one business day of the hall."""

    class Opened(LedgerAggregate.Created):
        """开门营业 — the hall opens for the day's business."""

        day: date

        def apply(self, d: Any) -> None:
            d.day = self.day
            d.opened_at = self.occurred_at
            d.closed_at = None

    class Closed(LedgerAggregate.Event):
        """日终 — the day's business is over; time-based detection judges the day now."""

        day: date

        def apply(self, d: Any) -> None:
            d.closed_at = self.occurred_at

    if TYPE_CHECKING:
        day: date
        opened_at: datetime
        closed_at: datetime | None

    @classmethod
    def open(cls, ctx: CommandContext, *, id: UUID, day: date) -> Self:
        ctx.actor.require(*RECORDERS, action="opening the hall day")
        if hall_date(ctx.occurred_at) != day:
            raise InvalidInput(
                f"the hall day {day.isoformat()} is opened on that day, not at {ctx.occurred_at.isoformat()}",
                field="occurred_at",
            )
        return cls._create_with(cls.Opened, ctx, id=id, day=day)

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    def close(self, ctx: CommandContext) -> None:
        ctx.actor.require(*RECORDERS, action="closing the hall day")
        if self.closed:
            raise InvariantViolated(f"the hall day {self.day.isoformat()} is already closed", field="day")
        if ctx.occurred_at < self.opened_at:
            raise InvalidInput(
                f"the hall day {self.day.isoformat()} opened at {self.opened_at.isoformat()}; "
                "it cannot close before that",
                field="occurred_at",
            )
        self._trigger(self.Closed, ctx, day=self.day)
