"""The hall's business days (营业日): opened and closed (日终) by the hall's system or a manager.

The simulator calls these every working day and ``hall-ledger serve`` on a schedule;
automatic detection judges the time-based rules at each close (``docs/detection.md``).
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from domain import ids
from domain.envelope import Actor
from domain.errors import InvariantViolated
from domain.hall_day import HallDay
from domain.organisation import Hall
from service.app_base import LedgerApplicationBase, Outcome


class HallDayCommands(LedgerApplicationBase):
    def hall_day_id(self, day: date) -> UUID:
        return ids.derived_id("hall-day", self.settings.hall_id, day.isoformat())

    def hall_day(self, day: date) -> HallDay:
        return self.load(HallDay, self.hall_day_id(day), what="hall day", field="day")

    def open_hall_day(self, actor: Actor, *, day: date, occurred_at: datetime | None = None) -> Outcome:
        """开门营业: the hall opens ``day`` (once; a second opening is refused as already recorded)."""
        ctx = self.context(actor, occurred_at)
        self.load(Hall, ids.hall_id(self.settings.hall_id), what="hall (run `hall-ledger init` first)", field="hall_id")
        opened = HallDay.open(ctx, id=self.hall_day_id(day), day=day)
        return self.record(opened, created=[opened])

    def close_hall_day(self, actor: Actor, *, day: date, occurred_at: datetime | None = None) -> Outcome:
        """日终: the day's business is over; detection judges the day's time-based rules."""
        ctx = self.context(actor, occurred_at)
        day_id = self.hall_day_id(day)
        if not self.exists(day_id):
            raise InvariantViolated(f"the hall day {day.isoformat()} was not opened; open it first", field="day")
        hall_day = self.load(HallDay, day_id, what="hall day", field="day")
        hall_day.close(ctx)
        return self.record(hall_day)
