"""The recording clock of a simulated hall.

The application reads record time from its clock; the simulator sets it just before each
command, a few minutes after the fact's valid time (the time a clerk needs to key it in),
and never lets it run backwards: record time grows strictly along the log, whatever order
the facts happened in (a completion entered two days late is recorded two days late).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

TICK = timedelta(milliseconds=1)


@dataclass
class SimClock:
    """A clock that moves only when the simulation says so (``HallLedger(clock=…)``)."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def record_at(self, valid: datetime, lag: timedelta) -> datetime:
        """Move to ``valid + lag`` — or one tick on, if the clock is already past it."""
        self.now = max(self.now + TICK, valid + lag)
        return self.now
