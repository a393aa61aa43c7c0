"""What every part of the simulator shares: the hall as the simulator knows it, the agenda,
the seeded random stream, and the one way commands are sent to the ledger."""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from uuid import UUID

from domain.envelope import CHINA_STANDARD_TIME, Actor
from domain.errors import DomainError
from service.app_base import Outcome
from service.application import HallLedger
from service.simulation.clock import SimClock
from service.simulation.profile import HallProfile, Rates, StaffSpec, WindowSpec
from service.simulation.report import SimulationReport

T = TypeVar("T")

ON_POST, SUSPENDED, REMOVED, OFF_POST = "on_post", "suspended", "removed", "off_post"

#: a showcase profile's rare breaches, each shown once (on or after the working day given),
#: so that a few weeks show what the detector finds even in a small hall
SHOWCASE = {
    "late": 1, "late_entry": 1, "overdue": 2, "extended": 2, "missed_punch": 3, "bad_rating": 3,
    "case_suspended": 4, "virus_check_skipped": 4, "end_of_day_failure": 6,
}  # fmt: skip


class SimulationRefusal(RuntimeError):
    """The ledger refused a command the simulator meant to succeed: a bug in the simulator."""


@dataclass
class Person:
    """A staff member as the simulator knows them (mirrors what its own commands recorded)."""

    spec: StaffSpec
    id: UUID
    actor: Actor
    window: str | None
    status: str = ON_POST
    #: how prone the person is to breaches (a fifth of the staff cause 60 % of them)
    propensity: float = 1.0
    #: people whose discipline a story scripts: no random breaches, no automatic decisions
    scripted: bool = False
    #: the escalation state the read model last reported
    ladder: str = "clear"
    leave_days: set[date] = field(default_factory=set)
    #: approved leave, first to last day (rest days in between included)
    leave_spans: list[tuple[date, date]] = field(default_factory=list)
    #: today's presence: clock-in and clock-out (None: not at work today)
    arrived: datetime | None = None
    leaves_at: datetime | None = None

    @property
    def staff_no(self) -> str:
        return self.spec.staff_no

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def department(self) -> str:
        return self.spec.department

    @property
    def on_post(self) -> bool:
        return self.status == ON_POST and self.window is not None

    @property
    def on_roster(self) -> bool:
        """Can be rostered for duty: at a window, or security staff (onboarded, never posted)."""
        return self.status == ON_POST or (self.status == "onboarded" and self.spec.window is None)

    def on_leave(self, day: date) -> bool:
        return any(first <= day <= last for first, last in self.leave_spans)

    def present(self, when: datetime) -> bool:
        return (
            self.on_post
            and self.arrived is not None
            and self.leaves_at is not None
            and self.arrived <= when < self.leaves_at
        )


@dataclass
class WindowState:
    spec: WindowSpec
    id: UUID
    department_id: UUID

    @property
    def code(self) -> str:
        return self.spec.code


@dataclass(order=True)
class Action:
    when: datetime
    seq: int
    label: str = field(compare=False)
    run: Callable[[], None] = field(compare=False)


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment of a hall day (China Standard Time)."""
    return datetime.combine(day, time(hour, minute, second), CHINA_STANDARD_TIME)


class SimulatorBase:
    """State and helpers of :class:`~service.simulation.engine.HallSimulator`'s parts."""

    app: HallLedger
    profile: HallProfile
    rates: Rates
    clock: SimClock
    rng: random.Random
    report: SimulationReport
    strict: bool

    def __init__(self) -> None:
        self.departments: dict[str, UUID] = {}
        self.windows: dict[str, WindowState] = {}
        self.people: dict[str, Person] = {}
        self.by_id: dict[UUID, Person] = {}
        self._agenda: list[Action] = []
        self._seq = 0
        self.day: date | None = None
        #: working days simulated so far (0 before the first)
        self.day_index = 0
        #: valid time of the action being run
        self._current = datetime(2000, 1, 1, tzinfo=CHINA_STANDARD_TIME)
        self._shown: set[str] = set()

    def init_processes(self) -> None:
        """Each part of the simulator sets up its own state here (cooperatively)."""

    # ── time ─────────────────────────────────────────────────────────────────

    @property
    def current(self) -> datetime:
        """Valid time of the action being run (what a story's actions record at)."""
        return self._current

    @property
    def calendar(self) -> Any:
        return self.app.calendar

    def working_day(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``n = 0``: ``start`` or the next working day)."""
        if n == 0:
            return self.calendar.next_working_day(start)  # type: ignore[no-any-return]
        return self.calendar.add_working_days(start, n)  # type: ignore[no-any-return]

    def opening_time(self, day: date) -> datetime:
        """A moment of the opening hours (08:30–11:30, 13:00–17:00), mornings a little busier."""
        if self.rng.random() < 0.45:
            minute = self.rng.randrange(0, 180)
            return at(day, 8, 30) + timedelta(minutes=minute, seconds=self.rng.randrange(60))
        minute = self.rng.randrange(0, 240)
        return at(day, 13, 0) + timedelta(minutes=minute, seconds=self.rng.randrange(60))

    def lag(self) -> timedelta:
        """How long after a fact it is keyed in: one to five minutes."""
        return timedelta(seconds=self.rng.randrange(60, 300))

    # ── the agenda ───────────────────────────────────────────────────────────

    def schedule(self, when: datetime, label: str, run: Callable[[], None]) -> None:
        self._seq += 1
        heapq.heappush(self._agenda, Action(when, self._seq, label, run))

    def run_agenda(self, until: datetime) -> None:
        """Run every scheduled action due before ``until``, in time order."""
        while self._agenda and self._agenda[0].when < until:
            action = heapq.heappop(self._agenda)
            self._current = action.when
            action.run()

    # ── commands ─────────────────────────────────────────────────────────────

    def do(
        self,
        when: datetime,
        command: Callable[..., Outcome],
        *args: Any,
        expect_refusal: bool = False,
        valid: str | None = "occurred_at",
        **kwargs: Any,
    ) -> Outcome | None:
        """Record a fact that happened at ``when`` through a ``HallLedger`` command.

        The clock moves to a few minutes after ``when``; ``valid`` names the command's
        valid-time argument (``occurred_at``, ``left_at`` …; None when it takes none).
        A refusal is a bug unless ``expect_refusal`` (a scenario showing one); both are
        counted in the report.
        """
        self.clock.record_at(when, self.lag())
        if valid is not None and valid not in kwargs:
            kwargs[valid] = when
        name = getattr(command, "__name__", str(command))
        try:
            outcome = command(*args, **kwargs)
        except DomainError as refused:
            if expect_refusal:
                self.report.deliberate_refusals.append((name, refused.message))
                return None
            self.report.refusals.append((name, refused.message))
            if self.strict:
                raise SimulationRefusal(
                    f"{name} at {when.isoformat()} was refused: {refused.message}"
                    + (f" (field {refused.field})" if refused.field else "")
                    + (f" [{refused.rule}]" if refused.rule else "")
                ) from refused
            return None
        if expect_refusal:
            raise SimulationRefusal(f"{name} at {when.isoformat()} should have been refused")
        self.report.commands += 1
        return outcome

    # ── randomness (one seeded stream: the same seed gives the same hall) ────

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, items: Sequence[T]) -> T:
        return items[self.rng.randrange(len(items))]

    def pick_weighted(self, items: Sequence[T], weights: Sequence[float]) -> T:
        return self.rng.choices(items, weights=weights, k=1)[0]

    def count(self, mean: float) -> int:
        """A Poisson-distributed count with the given mean."""
        if mean <= 0:
            return 0
        if mean > 40:
            return max(0, round(self.rng.gauss(mean, math.sqrt(mean))))
        limit, k, p = math.exp(-mean), 0, self.rng.random()
        while p > limit:
            k += 1
            p *= self.rng.random()
        return k

    def per_day(self, per_month: float) -> float:
        return per_month / 21.0

    def occurs(self, per_month: float, every: int = 0, offset: int = 0) -> int:
        """How many times a rare process happens today: a Poisson draw on its monthly rate, plus —
        in a showcase profile (the demo) — once every ``every`` working days, so that a few
        weeks show each process at work."""
        n = self.count(self.per_day(per_month))
        if self.rates.showcase and every and self.day_index % every == offset:
            n += 1
        return n

    def showcase(self, what: str) -> bool:
        """In a showcase profile, True once for each rare breach of ``SHOWCASE``, on or after its day."""
        day = SHOWCASE.get(what)
        if not self.rates.showcase or day is None or what in self._shown or self.day_index < day:
            return False
        self._shown.add(what)
        return True

    # ── the hall as the simulator knows it ───────────────────────────────────

    def staff_at(self, window: str, when: datetime) -> list[Person]:
        return [p for p in self.people.values() if p.window == window and p.present(when)]

    def present(self, when: datetime, *, department: str | None = None) -> list[Person]:
        return [
            p for p in self.people.values() if p.present(when) and (department is None or p.department == department)
        ]

    def windows_of(self, department: str) -> list[WindowState]:
        return [w for w in self.windows.values() if w.spec.department == department]
