"""The recording clocks of a simulated hall.

The application reads record time from its clock; the simulator sets it just before each
command. :class:`SimClock` (the simulator's, the benchmarks') sets it a few minutes after the
fact's valid time (the time a clerk needs to key it in) and never lets it run backwards:
record time grows strictly along the log, whatever order the facts happened in (a completion
entered two days late is recorded two days late).

:class:`LiveClock` (the demo's) records in the present what happened in the weeks before it:
record time is the real clock's, never behind the store's newest record and strictly
increasing, while valid times lie in the past. A real command sent after the demo (its
record time from the same real clock) lands after everything the demo recorded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from service import app_base

TICK = timedelta(milliseconds=1)
#: the live clock's step between two records in the same microsecond (it never runs ahead)
MICROSECOND = timedelta(microseconds=1)


@dataclass
class SimClock:
    """A clock that moves only when the simulation says so (``HallLedger(clock=…)``)."""

    now: datetime
    #: the least step between two records
    tick: timedelta = TICK

    def __call__(self) -> datetime:
        return self.now

    def record_at(self, valid: datetime, lag: timedelta) -> datetime:
        """Move to ``valid + lag`` — or one tick on, if the clock is already past it."""
        self.now = max(self.now + self.tick, valid + lag)
        return self.now

    def start_after(self, moment: datetime) -> None:
        """Never record at or before ``moment`` (the store's newest record)."""
        self.now = max(self.now, moment + self.tick)


def wall_clock() -> datetime:
    """The application's real clock, looked up at each call (``service.app_base.system_clock``:
    a test that fixes the application's clock fixes the demo's too)."""
    return app_base.system_clock()


@dataclass
class LiveClock(SimClock):
    """Record time from the real clock: the simulation's facts lie in the past, and each is
    recorded *now* — after the store's newest record, strictly increasing, never ahead of the
    real clock by more than a microsecond per record within one microsecond."""

    tick: timedelta = MICROSECOND
    real: Callable[[], datetime] = field(default=wall_clock)

    def record_at(self, valid: datetime, lag: timedelta) -> datetime:
        self.now = max(self.now + self.tick, self.real())
        return self.now

    def present(self) -> datetime:
        """The real clock's reading (the demo's "now": nothing is simulated after it)."""
        return self.real()

    def settle(self, limit: timedelta) -> None:
        """Wait, at most ``limit``, until the real clock has passed the last record time, so a
        command recorded next on the real clock lands after the simulation's records."""
        deadline = time.monotonic() + limit.total_seconds()
        while self.real() <= self.now and time.monotonic() < deadline:
            time.sleep(0.001)
