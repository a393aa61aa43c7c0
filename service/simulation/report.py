"""What a simulation run did: days, commands, events by type, refusals, speed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from projections.envelope import event_type


@dataclass
class SimulationReport:
    days: int = 0
    first_day: date | None = None
    last_day: date | None = None
    commands: int = 0
    #: refused commands the simulator meant to succeed (a bug; empty in a good run)
    refusals: list[tuple[str, str]] = field(default_factory=list)
    #: refusals a scenario shows on purpose (e.g. a replacement without the committee's consent)
    deliberate_refusals: list[tuple[str, str]] = field(default_factory=list)
    position_before: int = 0
    position_after: int = 0
    seconds: float = 0.0
    projection_seconds: float = 0.0
    by_type: Counter[str] = field(default_factory=Counter)
    #: detected candidates seen, and how the simulated inspectors resolved them
    candidates: Counter[str] = field(default_factory=Counter)
    decisions: Counter[str] = field(default_factory=Counter)

    @property
    def events(self) -> int:
        return self.position_after - self.position_before

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    def count_types(self, app: Any) -> None:
        """Events by type between the run's first and last position (one pass over the log)."""
        self.by_type = count_types(app, after=self.position_before, stop=self.position_after)

    def families(self) -> Counter[str]:
        """Events by aggregate (``ServiceCase``, ``Inquiry`` …)."""
        out: Counter[str] = Counter()
        for kind, n in self.by_type.items():
            out[kind.partition(".")[0]] += n
        return out


def count_types(app: Any, *, after: int = 0, stop: int | None = None) -> Counter[str]:
    """Events by type (``Inquiry.InquiryOpened`` …) after position ``after`` up to ``stop``,
    counted from the log's topics (nothing is decoded)."""
    counts: Counter[str] = Counter()
    start = after
    while True:
        page = app.recorder.select_notifications(start=start, limit=5000, stop=stop, inclusive_of_start=False)
        for notification in page:
            counts[event_type(notification.topic)] += 1
        if len(page) < 5000:
            return counts
        start = page[-1].id
