"""The hall simulator: a seeded hall stepped working day by working day through ``HallLedger``.

Each working day::

    07:50  the hall day opens (``open_hall_day``, when the ledger has it)
    08:10  staff clock in (a few late, a few absent, some on leave); inspectors confirm or
           dismiss yesterday's detected candidates; the hall decides what the escalation read
           model says is due (admonishments, suspensions, removals, rescissions)
    08:30  visitors: first inquiries at the hall and by phone, applications (on the spot,
           committed deadlines, one-time notices, resubmissions …), consultations, disclosure
           requests; inspection rounds; duty shifts, asset moves, virus checks …
    17:00  staff clock out; end-of-day checks of every window
    17:45  the hall day closes (``close_hall_day``): the automatic detector evaluates deadlines
    then   the read models and the detector catch up (``ProjectionRunner.catch_up``)

A run may end in the present (``ending``, the demo's): its working days are counted back from
the last day whose hall has opened by then (:func:`last_day`), and that day is simulated up
to ``ending`` less :data:`LOOKAHEAD`, its hall day left open — no fact lies ahead of the clock.

Everything goes through the real command path, so every invariant of the domain holds; a
refused command stops the run (``SimulationRefusal``) unless a scenario expects it. The
recording clock (:class:`SimClock`) runs a few minutes behind the facts and never backwards.
The same seed on the same kind of store gives the same log (apart from random ids).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain import ids
from domain.calendar import hall_date
from domain.envelope import CHINA_STANDARD_TIME
from projections.registry import all_models
from projections.runner import ProjectionRunner
from service.application import HallLedger
from service.simulation.base import ON_POST, Person, SimulationRefusal, SimulatorBase, WindowState, at
from service.simulation.clock import SimClock
from service.simulation.operations import Operations
from service.simulation.profile import ANTIVIRUS, MANAGER, OFFICE, HallProfile, staff_actor
from service.simulation.report import SimulationReport
from service.simulation.service_desk import ServiceDesk
from service.simulation.supervision import Supervision

#: asset values in CNY by category (what the books record; no floats)
ASSET_VALUES = {
    "computer": "4800.00", "server": "36000.00", "printer": "2600.00", "document_camera": "1500.00",
    "rating_device": "900.00", "id_reader": "1200.00", "queue_screen": "5200.00", "camera": "1800.00",
    "network": "3400.00", "furniture": "1100.00", "other": "500.00",
}  # fmt: skip
ASSET_NAMES = {
    "computer": "台式计算机", "server": "服务器", "printer": "激光打印机", "document_camera": "高拍仪",
    "rating_device": "评价器", "id_reader": "身份证读卡器", "queue_screen": "排队叫号屏", "camera": "监控摄像机",
    "network": "网络交换机", "furniture": "办公桌椅", "other": "其他",
}  # fmt: skip


#: the longest a simulated action records ahead of its own time (an inventory count's results,
#: three hours after the count starts): a run ending in the present stops this long before it
LOOKAHEAD = timedelta(hours=3)
#: when a hall day opens (``open_hall_day``)
HALL_OPENS = (7, 50)


def last_day(calendar: Any, present: datetime) -> date:
    """The last working day of a run that ends at ``present``: today (hall time, Asia/Shanghai)
    when it is a working day and the hall has opened by ``present`` less :data:`LOOKAHEAD`,
    else the last working day before it."""
    today = hall_date(present)
    if calendar.is_working_day(today) and present - LOOKAHEAD > at(today, *HALL_OPENS):
        return today
    day = today - timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


def first_of(calendar: Any, last: date, days: int) -> date:
    """The first of ``days`` working days that end on working day ``last``."""
    day, counted = last, 1
    while counted < days:
        day -= timedelta(days=1)
        counted += calendar.is_working_day(day)
    return day


class Story:
    """A scripted storyline laid over the simulated hall (the demo's). Every hook is optional."""

    #: staff numbers whose discipline the story scripts (no random breaches, no automatic decisions)
    scripted: frozenset[str] = frozenset()

    def on_setup(self, sim: HallSimulator) -> None:
        """After the organisation is recorded, before the first day."""

    def on_day(self, sim: HallSimulator, index: int, day: date) -> None:
        """At the start of working day ``index`` (0-based): schedule the story's actions."""

    def after_close(self, sim: HallSimulator, index: int, day: date) -> None:
        """After the day closed and the read models caught up."""


class HallSimulator(ServiceDesk, Operations, Supervision, SimulatorBase):
    """Simulates a hall of ``profile`` on ``app`` (whose clock must be a :class:`SimClock`)."""

    def __init__(
        self,
        app: HallLedger,
        profile: HallProfile,
        *,
        seed: int = 7,
        start: date | None = None,
        story: Story | None = None,
        strict: bool = True,
        progress: Callable[[int, int, date], None] | None = None,
        ending: datetime | None = None,
    ) -> None:
        super().__init__()
        if not isinstance(app.clock, SimClock):
            raise TypeError("the simulator needs the application to record on a SimClock")
        self.app = app
        self.clock = app.clock
        self.profile = profile
        self.rates = profile.rates
        self.seed = seed
        self.rng = random.Random(seed)
        self.story = story or Story()
        self.strict = strict
        self.progress = progress
        self.report = SimulationReport()
        self.requested_start = start
        #: the present, when the run ends in it (the demo): see :func:`last_day`
        self.ending = ending
        self.planned_days = 0
        self.next_day: date | None = None
        self.runner: ProjectionRunner | None = None
        self.hall_uuid = ids.hall_id(app.settings.hall_id)
        self.init_processes()

    # ── the run ──────────────────────────────────────────────────────────────

    def run(self, days: int) -> SimulationReport:
        """Simulate ``days`` more working days (setting the hall up first if needed)."""
        started = time.perf_counter()
        self.report.position_before = self.report.position_before or self.head()
        if self.next_day is None:
            self.planned_days = days
            self.setup()
        assert self.next_day is not None
        if self.runner is None:
            self.runner = ProjectionRunner(self.app, all_models())
            self.runner.prepare()
        for n in range(days):
            day = self.next_day
            self.simulate_day(day)
            self.next_day = self.working_day(day, 1)
            if self.progress:
                self.progress(n + 1, days, day)
        self.report.position_after = self.head()
        self.report.seconds += time.perf_counter() - started
        self.report.count_types(self.app)
        return self.report

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def simulate_day(self, day: date) -> None:
        self.day = day
        self.report.days += 1
        self.report.first_day = self.report.first_day or day
        self.report.last_day = day
        horizon = at(day, 17, 50)
        if self.ending is not None:
            horizon = min(horizon, self.ending - LOOKAHEAD)
        self.run_agenda(until=min(at(day, 7, 0), horizon))
        self.reset_presence()
        self.schedule(at(day, *HALL_OPENS), "open hall day", lambda: self.open_day(day))
        self.plan_people(day)
        self.plan_services(day)
        self.plan_operations(day)
        self.plan_supervision(day)
        self.story.on_day(self, self.day_index, day)
        self.schedule(at(day, 17, 45), "close hall day", lambda: self.close_day(day))
        self.run_agenda(until=horizon)
        self.catch_up()
        self.after_close(day)
        self.story.after_close(self, self.day_index, day)
        self.day_index += 1

    def open_day(self, day: date) -> None:
        command = getattr(self.app, "open_hall_day", None)
        if command is not None:
            self.do(at(day, 7, 50), command, OFFICE, day=day)

    def close_day(self, day: date) -> None:
        command = getattr(self.app, "close_hall_day", None)
        if command is not None:
            self.do(at(day, 17, 45), command, OFFICE, day=day)

    def catch_up(self) -> None:
        """Fold the day into every read model (and let the detector record its candidates)."""
        assert self.runner is not None
        started = time.perf_counter()
        self.runner.catch_up()
        self.report.projection_seconds += time.perf_counter() - started

    def query(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of a read model's table (``{t:name}``), as of the last catch-up."""
        assert self.runner is not None
        with self.runner.store.transaction() as tx:
            return tx.query(statement, params)

    def stream_at(self, position: int) -> UUID | None:
        """The stream (aggregate id) of the event at ``position``."""
        found = self.app.recorder.select_notifications(start=position, limit=1)
        return found[0].originator_id if found and found[0].id == position else None

    # ── setting the hall up ──────────────────────────────────────────────────

    def first_day(self) -> date:
        """When the run ends in the present (``ending``): the first of its working days counted
        back from :func:`last_day`. Otherwise the requested or the profile's start, or — when the
        store already records later events (``hall-ledger init`` ran today) — the Monday after the
        newest record, so record time never runs back."""
        if self.ending is not None:
            return first_of(self.calendar, last_day(self.calendar, self.ending), max(1, self.planned_days))
        start = self.requested_start or self.profile.start
        newest = self.newest_record()
        if newest is not None and hall_date(newest) >= start:
            start = hall_date(newest) + timedelta(days=1)
            start += timedelta(days=(7 - start.weekday()) % 7)
        return self.working_day(start, 0)

    def newest_record(self) -> datetime | None:
        head = self.head()
        if not head:
            return None
        notification = self.app.recorder.select_notifications(start=head, limit=1)[0]
        event = self.app.mapper.to_domain_event(notification)
        timestamp: datetime = event.timestamp
        return timestamp

    def setup(self) -> None:
        """Record the hall, its departments, windows, staff and assets (as they stood before the run)."""
        taken = [
            k.code
            for k in self.profile.departments
            if self.app.exists(ids.department_id(self.app.settings.hall_id, k.code))
        ]
        if taken:
            raise SimulationRefusal(
                f"the store already holds a hall with department {taken[0]!r}: a simulation sets its hall up "
                "itself and keeps its state in memory — simulate on a fresh store (one HallSimulator.run "
                "may be called again to carry on)"
            )
        first = self.first_day()
        newest = self.newest_record()
        self.clock.now = max(self.clock.now, at(first - timedelta(days=1), 18, 0))
        if newest is not None:
            self.clock.start_after(newest)
        founded = at(self.profile.founded, 9, 0)
        if not self.app.exists(self.hall_uuid):
            self.do(
                founded,
                self.app.establish_hall,
                MANAGER,
                name_zh=self.profile.hall_name_zh,
                name_en=self.profile.hall_name_en,
            )
        for kind in self.profile.departments:
            dept = self.do(
                founded,
                self.app.register_department,
                MANAGER,
                code=kind.code,
                name_zh=kind.name_zh,
                name_en=kind.name_en,
                uniformed=kind.uniformed,
            )
            assert dept is not None
            self.departments[kind.code] = dept.id
            self.do(
                founded,
                self.app.designate_leader_in_charge,
                MANAGER,
                department_id=dept.id,
                leader_name=kind.leader,
                leader_title=kind.leader_title,
            )
        for spec in self.profile.windows:
            window = self.do(
                founded,
                self.app.open_window,
                MANAGER,
                code=spec.code,
                name_zh=spec.name_zh,
                name_en=spec.name_en,
                department_id=self.departments[spec.department],
                kind=spec.kind,
            )
            assert window is not None
            self.windows[spec.code] = WindowState(spec, window.id, self.departments[spec.department])
        for spec in sorted(self.profile.staff, key=lambda s: (s.posted_on, s.staff_no)):
            self.onboard(spec, at(spec.posted_on, 8, 30))
        for staff_no in sorted(self.people):
            self.people[staff_no].scripted = staff_no in self.story.scripted
        # a fifth of the window staff (those a story scripts aside) are the most prone to breaches
        pool = sorted(n for n, p in self.people.items() if p.spec.window is not None and not p.scripted)
        prone = set(self.rng.sample(pool, k=max(1, round(len(pool) / 5)))) if pool else set()
        for staff_no in sorted(self.people):
            person = self.people[staff_no]
            person.propensity = (self.profile.prone_factor if staff_no in prone else 1.0) * self.rng.uniform(0.7, 1.3)
        counted = [self.people[n].propensity for n in pool]
        self.mean_propensity = sum(counted) / len(counted) if counted else 1.0
        self.register_assets(first)
        self.next_day = first
        self.story.on_setup(self)
        self.plan_roster(first)

    def onboard(self, spec: Any, when: datetime, *, post: bool = True) -> Person:
        staff = self.do(
            when,
            self.app.onboard_staff,
            MANAGER,
            staff_no=spec.staff_no,
            name=spec.name,
            department_id=self.departments[spec.department],
            employment=spec.employment,
        )
        assert staff is not None
        person = Person(spec=spec, id=staff.id, actor=staff_actor(spec.staff_no), window=None, status="onboarded")
        self.people[spec.staff_no] = person
        self.by_id[staff.id] = person
        if post and spec.window is not None:
            self.do(
                when,
                self.app.post_staff,
                MANAGER,
                staff_id=staff.id,
                window_id=self.windows[spec.window].id,
                start=when.date(),
            )
            person.window, person.status = spec.window, ON_POST
        return person

    def register_assets(self, first: date) -> None:
        """The hall's books (ART10.1): items per window in the window's department's custody,
        the center's own items, and a virus check of every computer in the week before the run."""
        acquired = self.profile.founded
        when = at(acquired, 10, 0)
        number = 0

        def register(category: str, department: str, window: WindowState | None, location: str) -> None:
            nonlocal number
            number += 1
            custodian = self.custodian_for(department, window)
            if custodian is None:
                return
            asset_no = f"BH-{category[:3].upper()}-{number:04d}"
            outcome = self.do(
                when,
                self.app.register_asset,
                OFFICE,
                asset_no=asset_no,
                category=category,
                description=f"{ASSET_NAMES[category]} {asset_no}",
                value=Decimal(ASSET_VALUES[category]),
                department_id=self.departments[department],
                custodian_id=custodian.id,
                window_id=window.id if window else None,
                location=location,
                acquired_on=acquired,
                designation_ref=f"{self.profile.department(department).name_zh}〔2024〕1号",
            )
            assert outcome is not None
            self.assets[outcome.id] = {
                "no": asset_no,
                "category": category,
                "department": department,
                "window": window.code if window else None,
                "location": location,
                "custodian": custodian.staff_no,
                "in_service": True,
            }

        for window in self.windows.values():
            for category, n in self.profile.window_assets:
                for _ in range(n):
                    register(category, window.spec.department, window, "")
        for category, n in self.profile.hall_assets:
            for k in range(n):
                location = {"camera": f"大厅监控点{k + 1}", "server": "机房", "queue_screen": "大厅"}.get(
                    category, "后台办公区"
                )
                register(category, "center", None, location)
        # the last virus check of every computer and server, in the week before the run
        for n, (asset_id, asset) in enumerate(self.assets.items()):
            if asset["category"] in ("computer", "server"):
                # the same weekday as its checks during the run: a week before it
                checked = first - timedelta(days=(first.weekday() - n % 7) % 7 or 7)
                self.do(
                    at(checked, 16, 30),
                    self.app.record_virus_check,
                    ANTIVIRUS,
                    asset_id=asset_id,
                    result="clean",
                    tool="终端安全管理系统",
                )

    def custodian_for(self, department: str, window: WindowState | None) -> Person | None:
        """The department names one of its own people as custodian (ART10.1)."""
        candidates = [
            p
            for p in self.people.values()
            if p.department == department and p.status == ON_POST and (window is None or p.window == window.code)
        ] or [p for p in self.people.values() if p.department == department and p.status == ON_POST]
        return min(candidates, key=lambda p: p.staff_no) if candidates else None

    def reset_presence(self) -> None:
        for person in self.people.values():
            person.arrived = person.leaves_at = None


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def moment(day: date, minutes_after_opening: int) -> datetime:
    return datetime.combine(day, datetime.min.time(), CHINA_STANDARD_TIME) + timedelta(
        hours=8, minutes=30 + minutes_after_opening
    )
