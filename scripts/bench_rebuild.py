#!/usr/bin/env python
"""Benchmark: a full rebuild of every read model against the raw read rate of the same log.

    python scripts/bench_rebuild.py [--events 1000000] [--scale 10] [--db PATH] [--keep]

1. Generates a realistic log (DOMAIN.md "This hall and bigger ones"): a hall of ``scale`` ×
   (14 departments, 24 windows, 52 people) and its working days — attendance punches, first
   inquiries, applications (60 % on the spot, 35 % with a committed deadline, one-time
   notices, a few breaking ART2.2), client ratings (0.6 % dissatisfied), praise, duty
   shifts and leave, disclosure requests, ~35 violations a month per ×1 (20 % of the staff
   cause 60 %), appeals (a third overturned), admonishments and suspensions — until the log
   holds ``--events`` events. Aggregates are built through their domain methods and saved
   many per ``app.save(...)`` (one transaction per simulated hour), not one command per
   event; the few ladder and appeal decisions go through the application's commands.
2. In a fresh process, on the same store, measures in one run
   (a) the raw read-and-deserialise rate: ``select_notifications`` in pages of 5,000 and
       ``mapper.to_domain_event`` for every event;
   (b) a full rebuild of every registered read model (``projections.runner.rebuild``);
   and prints events/s of each, their ratio, and the peak memory (max RSS) of that process.

SQLite by default (a file under ``--db`` or a temp dir); PostgreSQL when
``HALL_LEDGER_DATABASE_URL`` is set (schema ``bench_rebuild``, or ``--schema``).
Results go to docs/benchmarks.md by hand: ratios from one run, not absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from uuid import UUID

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from domain import ids  # noqa: E402
from domain.attendance import AttendanceDay, LeaveRequest  # noqa: E402
from domain.calendar import national_calendar  # noqa: E402
from domain.disclosure import DisclosureRequest  # noqa: E402
from domain.duty import DutyShift  # noqa: E402
from domain.envelope import CHINA_STANDARD_TIME, Actor, CommandContext  # noqa: E402
from domain.errors import DomainError  # noqa: E402
from domain.evaluation import Praise, Rating  # noqa: E402
from domain.inquiry import Inquiry  # noqa: E402
from domain.rules import catalogue_in_force  # noqa: E402
from domain.service_case import MissingMaterial, ServiceCase  # noqa: E402
from domain.violation import Violation  # noqa: E402

MANAGER = Actor("mgr-zhang", "hall_manager")
INSPECTOR = Actor("insp-li", "inspector")
INSPECTOR_2 = Actor("insp-wu", "inspector")
COMMITTEE = Actor("cmte-zhao", "committee")
REVIEWER = Actor("rev-sun", "appeal_reviewer")
CLERK = Actor("clerk", "staff")
SYSTEM = Actor("rating-import", "system")

FINDINGS = [
    ("ART6.5", "late"),
    ("ART6.1", "phone"),
    ("ART3.1", "no_badge"),
    ("ART4.1", None),
    ("ART6.1", None),
    ("ART3.1", "no_uniform"),
    ("ART2.1", None),
    ("ART1.1", "three_greetings"),
    ("ART2.2", "second_notice"),
    ("ART6.6", None),
    ("ART6.5", "left_post"),
    ("ART7.2", "overdue"),
]
LEVELS = [
    ("very_satisfied", 0.70),
    ("satisfied", 0.25),
    ("basically_satisfied", 0.044),
    ("dissatisfied", 0.004),
    ("very_dissatisfied", 0.002),
]


class Clock:
    """The application's recording clock, moved by the simulation."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Hall:
    departments: list[UUID]
    windows: list[tuple[UUID, UUID]]  # (window, department)
    staff: list[tuple[UUID, UUID, UUID]]  # (staff, window, department)
    offenders: list[tuple[UUID, UUID, UUID]]
    open_cases: list[tuple[ServiceCase, date, UUID]] = field(default_factory=list)
    open_disclosures: list[tuple[DisclosureRequest, date, UUID]] = field(default_factory=list)
    confirmed: dict[UUID, list[UUID]] = field(default_factory=dict)  # staff → confirmed violations
    admonished: dict[UUID, UUID] = field(default_factory=dict)
    suspended: set[UUID] = field(default_factory=set)


def _cst(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, clock_time(hour, minute, second), CHINA_STANDARD_TIME)


def build_hall(app: Any, clock: Clock, scale: int, rng: random.Random) -> Hall:
    """Departments, windows and people through the application's commands."""
    when = _cst(date(2025, 12, 1), 9)
    clock.now = when
    if not app.exists(app.hall_uuid):
        app.establish_hall(MANAGER, name_zh="北海行政审批中心", name_en="Beihai Approval Center", occurred_at=when)
    departments, windows, staff = [], [], []
    for d in range(14 * scale):
        code = f"D{d:03d}"
        dept = ids.department_id(app.settings.hall_id, code)
        if not app.exists(dept):
            app.register_department(
                MANAGER,
                code=code,
                name_zh=f"部门{d}",
                name_en=f"Department {d}",
                uniformed=d % 5 == 0,
                occurred_at=when,
            )
        departments.append(dept)
    for w in range(24 * scale):
        code = f"W{w:03d}"
        dept = departments[w % len(departments)]
        window = ids.window_id(app.settings.hall_id, code)
        if not app.exists(window):
            app.open_window(
                MANAGER, code=code, name_zh=f"窗口{w}", name_en=f"Window {w}", department_id=dept, occurred_at=when
            )
        windows.append((window, dept))
    for s in range(52 * scale):
        staff_no = f"S{s:04d}"
        window, dept = windows[s % len(windows)]
        person = ids.staff_id(app.settings.hall_id, staff_no)
        if not app.exists(person):
            app.onboard_staff(
                MANAGER,
                staff_no=staff_no,
                name=f"员工{s}",
                department_id=dept,
                employment="seconded" if s % 7 else "hall",
                occurred_at=when,
            )
            app.post_staff(MANAGER, staff_id=person, window_id=window, start=date(2025, 6, 1), occurred_at=when)
        staff.append((person, window, dept))
    offenders = rng.sample(staff, max(1, len(staff) // 5))
    return Hall(departments, windows, staff, offenders)


class Day:
    """One simulated hall day: events grouped by the hour they are recorded in."""

    def __init__(self, app: Any, clock: Clock, day: date, rng: random.Random) -> None:
        self.app, self.clock, self.day, self.rng = app, clock, day, rng
        self.slots: dict[int, list[Callable[[], Any]]] = {}
        self.refused: list[str] = []

    def at(self, hour: int, action: Callable[[], Any]) -> None:
        self.slots.setdefault(hour, []).append(action)

    def ctx(self, actor: Actor, hour: int) -> CommandContext:
        occurred = _cst(self.day, hour, self.rng.randrange(60), self.rng.randrange(60))
        return CommandContext(actor=actor, occurred_at=occurred, recorded_at=self.clock.now, hall_id="beihai")

    def run(self) -> int:
        saved = 0
        for hour in sorted(self.slots):
            self.clock.now = _cst(self.day, hour, 59, 59)
            changed: dict[UUID, Any] = {}
            for action in self.slots[hour]:
                try:
                    done = action() or ()
                except DomainError as refused:  # the simulation must not write what the domain refuses
                    self.refused.append(str(refused))
                    continue
                for aggregate in done:
                    changed[aggregate.id] = aggregate
            if changed:
                recordings = self.app.save(*changed.values())
                saved += len(recordings)
        return saved


def rule_ref(rule_id: str, on: date) -> str:
    catalogue = catalogue_in_force(on)
    return str(catalogue.ref(rule_id))


def simulate_day(
    app: Any, clock: Clock, hall: Hall, day: date, scale: int, rng: random.Random, hall_days: bool = True
) -> int:
    """One working day of the hall; returns the events saved. With ``hall_days`` the day is opened
    (07:50) and closed (18:00, after the last punches are recorded) as the simulator and
    ``hall-ledger serve`` do, so that automatic detection judges it; without, the log of the
    first measurements (no hall days, clock-ins anywhere in 08:00–08:59)."""
    cal = national_calendar()
    sim = Day(app, clock, day, rng)
    on_post = [s for s in hall.staff if s[0] not in hall.suspended]
    refs = {
        r: rule_ref(r, day)
        for r in (
            "ART2.1",
            "ART2.1.2",
            "ART2.2",
            "ART2.3",
            "ART7.2",
            "ART7.6",
            "ART7.5",
            "ART11.1",
            "ART9.4",
            "ART2.4.2",
        )
    }

    # attendance (ART7.5): everyone on post clocks in and out
    for person, window, _ in on_post:

        def punch(person: UUID = person, window: UUID = window) -> list[Any]:
            if hall_days:  # 08:00–08:29, one in a hundred after the 08:30 opening (a late arrival)
                minute = rng.randrange(30) + (30 if rng.random() < 0.01 else 0)
                occurred = _cst(day, 8, minute, rng.randrange(60))
                ctx = CommandContext(actor=CLERK, occurred_at=occurred, recorded_at=clock.now, hall_id="beihai")
            else:
                ctx = sim.ctx(CLERK, 8)
            att = AttendanceDay.open(
                ctx,
                id=ids.derived_id("attendance", str(person), day.isoformat()),
                staff_id=person,
                day=day,
                window_id=window,
                policy="attendance@2026.1",
            )
            att.clock_in(ctx, device="face-01", rule=refs["ART7.5"])
            att.clock_out(sim.ctx(CLERK, 17), device="face-01", rule=refs["ART7.5"])
            return [att]

        sim.at(17, punch)

    # first inquiries (ART2.1): 160 × scale a day
    for _ in range(160 * scale):
        person, window, _ = rng.choice(on_post)
        hour = rng.randrange(9, 17)

        def inquiry(person: UUID = person, window: UUID = window, hour: int = hour) -> list[Any]:
            ctx = sim.ctx(CLERK, hour)
            found = Inquiry.open(
                ctx,
                id=UUID(int=rng.getrandbits(128), version=4),
                channel=rng.choice(("hall", "phone")),
                first_responder_id=person,
                window_id=window,
                client_ref=f"client-{rng.randrange(10**6):06d}",
                topic="办理咨询",
                rule=refs["ART2.1"],
            )
            if rng.random() < 0.85:
                found.handle(ctx, handled_by=person, outcome="answered", case_id=None, rule=refs["ART2.1"])
            else:
                other, other_window, _ = rng.choice([s for s in on_post[:50] if s[0] != person])
                found.hand_over(
                    ctx,
                    to_window_id=other_window,
                    to_staff_id=other,
                    contact_method="phone",
                    contacted="reached",
                    note="转交办理",
                    rule=refs["ART2.1.2"],
                )
                found.communicate_result(
                    ctx, communicated_by=person, channel="phone", result="已办结", rule=refs["ART2.1.2"]
                )
            found.close(ctx, rules={"ART2.1": refs["ART2.1"], "ART2.1.2": refs["ART2.1.2"]})
            return [found]

        sim.at(hour, inquiry)

    # applications (ART2.2, ART2.3, ART7.2, ART7.6): 150 × scale a day, 85 % rated
    for _ in range(150 * scale):
        person, window, dept = rng.choice(on_post)
        hour = rng.randrange(9, 17)

        def case(person: UUID = person, window: UUID = window, dept: UUID = dept, hour: int = hour) -> list[Any]:
            ctx = sim.ctx(CLERK, hour)
            found = ServiceCase.submit(
                ctx,
                id=UUID(int=rng.getrandbits(128), version=4),
                case_no=None,
                matter_code="M-0101",
                matter_name="登记",
                mode="general",
                window_id=window,
                department_id=dept,
                staff_id=person,
                applicant_ref=f"app-{rng.randrange(10**6):06d}",
                materials=["申请表"],
                partner_department_ids=[],
                reported_to=None,
                rule=refs["ART7.6"],
            )
            out: list[Any] = [found]
            if rng.random() < 0.2:
                found.issue_one_time_notice(
                    ctx,
                    missing_materials=[MissingMaterial("营业执照副本")],
                    procedure="补正后受理",
                    time_limit_working_days=5,
                    fees="无",
                    legal_basis="行政许可法第三十二条",
                    materials_list_id="ML-1",
                    issued_by=person,
                    rule=refs["ART2.2"],
                )
                if rng.random() < 0.03:
                    found.issue_one_time_notice(
                        ctx,
                        missing_materials=[MissingMaterial("法人身份证")],
                        procedure="补正",
                        time_limit_working_days=5,
                        fees="无",
                        legal_basis="行政许可法第三十二条",
                        materials_list_id="ML-1",
                        issued_by=person,
                        rule=refs["ART2.2"],
                    )
                found.resubmit_materials(
                    ctx, materials=["营业执照副本"], received_by=person, note="已补正", rule=refs["ART2.2"]
                )
            roll = rng.random()
            if roll < 0.60:
                found.complete_on_the_spot(
                    ctx,
                    completed_by=person,
                    result="准予",
                    result_ref=None,
                    receipt_no=None,
                    rules={"ART2.2": refs["ART2.2"], "ART7.2": refs["ART7.2"]},
                )
                done = True
            elif roll < 0.95:
                found.accept(
                    ctx,
                    accepted_by=person,
                    committed_working_days=rng.randrange(3, 16),
                    committed_deadline=None,
                    receipt_no=None,
                    calendar=cal,
                    rules={"ART2.2": refs["ART2.2"], "ART2.3": refs["ART2.3"]},
                )
                deadline = found.committed_deadline
                assert deadline is not None
                late = rng.random() < 0.005
                finish = cal.add_working_days(deadline, 1) if late else cal.add_working_days(day, rng.randrange(1, 4))
                hall.open_cases.append((found, min(finish, deadline) if not late else finish, person))
                done = False
            else:
                found.reject(
                    ctx,
                    reason="不符合条件",
                    legal_basis="法规",
                    remedies="可申请复议",
                    rejected_by=person,
                    rule=refs["ART2.2"],
                )
                done = False
            if done and rng.random() < 0.85:
                out.append(rate(ctx, person, window, found.id))
            return out

        sim.at(hour, case)

    # committed cases finishing today
    due = [c for c in hall.open_cases if c[1] <= day]
    hall.open_cases = [c for c in hall.open_cases if c[1] > day]
    for found, _, person in due:
        hour = rng.randrange(9, 17)

        def finish(found: ServiceCase = found, person: UUID = person, hour: int = hour) -> list[Any]:
            ctx = sim.ctx(CLERK, hour)
            found.complete(ctx, completed_by=person, result="准予", result_ref=None, rule=refs["ART7.2"])
            out: list[Any] = [found]
            if rng.random() < 0.85:
                out.append(rate(ctx, person, found.window_id, found.id))
            return out

        sim.at(hour, finish)

    def rate(ctx: CommandContext, person: UUID, window: UUID, case_id: UUID | None) -> Any:
        roll, level = rng.random(), "very_satisfied"
        for name, share in LEVELS:
            if roll < share:
                level = name
                break
            roll -= share
        ctx = CommandContext(actor=SYSTEM, occurred_at=ctx.occurred_at, recorded_at=ctx.recorded_at, hall_id="beihai")
        return Rating.rate(
            ctx,
            id=UUID(int=rng.getrandbits(128), version=4),
            ref=f"HCP-{rng.getrandbits(48):012x}",
            level=level,
            channel="on_site",
            window_id=window,
            staff_id=person,
            case_id=case_id,
            rule=refs["ART11.1"],
        )

    # duty roster (ART9.4): lunch and evening duty
    for slot, start, end in (("lunch", (11, 30), (13, 0)), ("evening", (17, 0), (18, 0))):
        person = rng.choice(on_post)[0]

        def shift(
            person: UUID = person, slot: str = slot, start: tuple[int, int] = start, end: tuple[int, int] = end
        ) -> list[Any]:
            ctx = sim.ctx(MANAGER, 8)
            return [
                DutyShift.assign(
                    ctx,
                    id=ids.derived_id("shift", day.isoformat(), slot, "duty"),
                    day=day,
                    slot=slot,
                    duty_role="duty",
                    staff_id=person,
                    starts=_cst(day, *start),
                    ends=_cst(day, *end),
                    policy="security@2026.1",
                    rule=refs["ART9.4"],
                )
            ]

        sim.at(8, shift)

    # disclosure requests (ART2.4.2), praise and leave: a few a week per ×1
    if rng.random() < 0.4 * scale:
        person, window, dept = rng.choice(on_post)

        def disclosure(person: UUID = person, window: UUID = window, dept: UUID = dept) -> list[Any]:
            ctx = sim.ctx(CLERK, 10)
            found = DisclosureRequest.receive(
                ctx,
                id=UUID(int=rng.getrandbits(128), version=4),
                department_id=dept,
                window_id=window,
                received_by=person,
                requester_ref="req-000001",
                channel="in_person",
                description="政府信息公开申请",
                calendar=cal,
                rule=refs["ART2.4.2"],
            )
            hall.open_disclosures.append((found, cal.add_working_days(day, rng.randrange(3, 15)), person))
            return [found]

        sim.at(10, disclosure)
    answered = [d for d in hall.open_disclosures if d[1] <= day]
    hall.open_disclosures = [d for d in hall.open_disclosures if d[1] > day]
    for found, _, person in answered:

        def answer(found: DisclosureRequest = found, person: UUID = person) -> list[Any]:
            found.answer(
                sim.ctx(CLERK, 15),
                outcome="disclosed",
                summary="予以公开",
                legal_basis=None,
                answered_by=person,
                rule=refs["ART2.4.2"],
            )
            return [found]

        sim.at(15, answer)
    if rng.random() < 0.3 * scale:
        person, window, _ = rng.choice(on_post)

        def praise(person: UUID = person, window: UUID = window) -> list[Any]:
            kind = rng.choice(("letter", "silk_banner", "online"))
            return [
                Praise.receive(
                    sim.ctx(MANAGER, 11),
                    id=UUID(int=rng.getrandbits(128), version=4),
                    kind=kind,
                    staff_ids=[person],
                    window_id=window,
                    from_organisation="某公司",
                    note="感谢",
                    rule=refs["ART11.1"],
                )
            ]

        sim.at(11, praise)
    if rng.random() < 0.5 * scale:
        person = rng.choice(on_post)[0]
        later = cal.add_working_days(day, rng.randrange(1, 10))

        def leave(person: UUID = person, later: date = later) -> list[Any]:
            ctx = sim.ctx(CLERK, 9)
            found = LeaveRequest.request(
                ctx,
                id=UUID(int=rng.getrandbits(128), version=4),
                staff_id=person,
                leave_type="personal",
                leave_types=("personal",),
                starts=_cst(later, 8, 30),
                ends=_cst(later, 17),
                reason="事假",
                policy="attendance@2026.1",
                rule=refs["ART7.5"],
            )
            found.approve(sim.ctx(MANAGER, 10), note="同意", rule=refs["ART7.5"])
            return [found]

        sim.at(10, leave)

    # violations: ~35 a month per ×1 (≈ 1.6 a working day), 60 % by a fifth of the staff
    for _ in range(_poisson(rng, 1.6 * scale)):
        pool = hall.offenders if rng.random() < 0.6 else hall.staff
        person, window, _ = rng.choice(pool)
        rule_id, item = rng.choice(FINDINGS)
        hour = rng.randrange(9, 17)

        def violation(
            person: UUID = person,
            window: UUID = window,
            rule_id: str = rule_id,
            item: str | None = item,
            hour: int = hour,
        ) -> list[Any]:
            ctx = sim.ctx(INSPECTOR, hour)
            catalogue = catalogue_in_force(day)
            found = Violation.record(
                ctx,
                id=UUID(int=rng.getrandbits(128), version=4),
                rule=catalogue.get(rule_id),
                ref=catalogue.ref(rule_id),
                item=item,
                staff_id=person,
                department_id=None,
                window_id=window,
                evidence="巡查发现",
                evidence_refs=[],
            )
            if rng.random() < 0.9:
                found.confirm(sim.ctx(INSPECTOR_2, hour))
                hall.confirmed.setdefault(person, []).append(found.id)
            else:
                found.dismiss(sim.ctx(INSPECTOR_2, hour), reason="证据不足")
            return [found]

        sim.at(hour, violation)
    if hall_days:
        clock.now = _cst(day, 7, 50)
        app.open_hall_day(MANAGER, day=day, occurred_at=clock.now)
    saved = sim.run()
    if hall_days:
        clock.now = _cst(day, 18, 0)
        app.close_hall_day(MANAGER, day=day, occurred_at=clock.now)
    saved += decisions(app, clock, hall, day, rng)
    return saved


def _poisson(rng: random.Random, mean: float) -> int:
    n, p, limit = 0, 1.0, pow(2.718281828459045, -mean)
    while True:
        p *= rng.random()
        if p <= limit:
            return n
        n += 1


def decisions(app: Any, clock: Clock, hall: Hall, day: date, rng: random.Random) -> int:
    """The ladder's and the appeals' decisions of the day, through the commands (few)."""
    before = app.recorder.max_notification_id() or 0
    clock.now = _cst(day, 18, 30)
    for person, violations in list(hall.confirmed.items()):
        if not violations:
            continue
        latest = violations[-1]
        try:
            if rng.random() < 0.08:  # the person appeals; a third are overturned
                clock.now = _cst(day, 18, 35)
                appeal = app.file_appeal(
                    Actor(f"staff-{person.hex[:8]}", "staff"),
                    appellant_id=person,
                    target_kind="violation",
                    target_id=latest,
                    grounds="不属实",
                ).id
                app.assign_appeal_reviewer(MANAGER, appeal_id=appeal, reviewer=REVIEWER)
                app.decide_appeal(
                    REVIEWER,
                    appeal_id=appeal,
                    outcome="overturned" if rng.random() < 0.34 else "upheld",
                    reasons="复核",
                )
            if person not in hall.admonished and len(violations) >= 2 and rng.random() < 0.3:
                clock.now = _cst(day, 18, 40)
                outcome = app.issue_admonishment(
                    MANAGER, staff_id=person, basis=[latest], remedy="书面检查", remedy_due=day + timedelta(days=7)
                )
                hall.admonished[person] = outcome.extra["admonishment_id"]
                violations.clear()
            elif (
                person in hall.admonished
                and person not in hall.suspended
                and len(violations) >= 2
                and rng.random() < 0.15
            ):
                clock.now = _cst(day, 18, 45)
                app.decide_suspension(
                    COMMITTEE,
                    staff_id=person,
                    basis=[latest],
                    start=day + timedelta(days=1),
                    until=day + timedelta(days=30),
                )
                hall.suspended.add(person)
                violations.clear()
        except DomainError:
            violations.clear()
    return (app.recorder.max_notification_id() or 0) - before


def generate(
    app: Any,
    clock: Clock,
    *,
    events: int,
    scale: int = 1,
    seed: int = 7,
    start: date = date(2026, 1, 5),
    progress: bool = False,
    hall_days: bool = True,
) -> int:
    """Simulate working days until the log holds at least ``events`` events; returns the head.

    With ``hall_days``, automatic detection follows the log as it does in service (after each
    day's close), so its candidates and e-supervision signals sit in the log where a live
    detector puts them and a rebuild finds every one of them already recorded."""
    from projections.detection import Detector
    from projections.runner import ProjectionRunner

    rng = random.Random(seed)
    hall = build_hall(app, clock, scale, rng)
    detector = ProjectionRunner(app, [Detector()]) if hall_days else None
    if detector is not None:
        detector.prepare()
    cal = national_calendar()
    day = start
    started = time.perf_counter()
    head = app.recorder.max_notification_id() or 0
    while head < events:
        if cal.covers(day) and cal.is_working_day(day):
            simulate_day(app, clock, hall, day, scale, rng, hall_days)
            if detector is not None:
                detector.catch_up()
            head = app.recorder.max_notification_id() or 0
            if progress:
                rate = head / (time.perf_counter() - started)
                print(f"\r  {day} {head:>10,} events ({rate:,.0f}/s)", end="", flush=True)
        for person in list(hall.suspended):
            if rng.random() < 0.05:
                hall.suspended.discard(person)  # (reinstatement is not simulated: they stay off the rosters)
        day += timedelta(days=1)
    if progress:
        print()
    return head


# ── measuring ─────────────────────────────────────────────────────────────────


PERSON_MODELS = ["subject_index", "staff_records", "escalation", "assessment", "kpis"]


def raw_read(app: Any) -> tuple[int, float]:
    """Read and deserialise the whole log: ``select_notifications`` pages + ``to_domain_event``."""
    head = app.recorder.max_notification_id() or 0
    started = time.perf_counter()
    position, count = 0, 0
    while position < head:
        page = app.recorder.select_notifications(start=position, limit=5000, inclusive_of_start=False)
        if not page:
            break
        for n in page:
            app.mapper.to_domain_event(n)
        count += len(page)
        position = page[-1].id
    return count, time.perf_counter() - started


def measure(everything: bool, repeat: int, jobs: int = 1) -> dict[str, Any]:
    """In this process: raw read, then ``repeat`` times a full rebuild of the person-centred
    models (and, with ``everything``, of every registered model), each followed by a raw read.
    The machine's speed drifts: each rebuild is compared with the mean of the two reads
    around it, and the ratio reported is the median. With ``jobs`` > 1, only every registered
    model, shared out over ``jobs`` processes (``service.rebuild``); its peak memory is this
    process's plus ``jobs - 1`` times the largest other process's."""
    import statistics

    from projections.registry import all_models, select
    from service.application import open_ledger
    from service.rebuild import rebuild_models
    from service.settings import Settings

    settings = Settings()
    app = open_ledger(settings)
    head = app.recorder.max_notification_id() or 0
    count, read = raw_read(app)
    reads = [read]
    kinds = {"five": (lambda: select(PERSON_MODELS))} if jobs == 1 else {}
    if everything or jobs > 1:
        kinds["all"] = all_models
    seconds: dict[str, list[float]] = {k: [] for k in kinds}
    ratios: dict[str, list[float]] = {k: [] for k in kinds}
    peaks: dict[str, float] = {}
    names: dict[str, list[str]] = {}
    for _ in range(repeat):
        for kind, models in kinds.items():
            report = rebuild_models(app, models(), jobs=jobs, batch_size=5000)
            if kind == "all" or kind not in peaks:  # the five's peak: before any rebuild of every model
                own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                others = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 if jobs > 1 else 0.0
                peaks[kind] = own + (jobs - 1) * others
            names[kind] = report.names
            _, read = raw_read(app)
            around = count / ((reads[-1] + read) / 2)  # raw events/s around this rebuild
            seconds[kind].append(report.seconds)
            ratios[kind].append((head / report.seconds) / around)
            reads.append(read)
    app.close()
    out: dict[str, Any] = {
        "store": settings.describe_store(),
        "events": head,
        "jobs": jobs,
        "raw_seconds": [round(r, 2) for r in reads],
        "raw_rate": count / statistics.median(reads),
    }
    for kind, prefix in (("five", ""), ("all", "all_")):  # keys as before: ratio, all_ratio …
        if kind in kinds:
            out[f"{prefix}models"] = names[kind]
            out[f"{prefix}rebuild_seconds"] = [round(r, 2) for r in seconds[kind]]
            out[f"{prefix}rebuild_rate"] = head / statistics.median(seconds[kind])
            out[f"{prefix}ratios"] = [round(r, 3) for r in ratios[kind]]
            out[f"{prefix}ratio"] = statistics.median(ratios[kind])
            out[f"{prefix}peak_rss_mb"] = peaks[kind]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--scale", type=int, default=10, help="× the DOMAIN.md hall (10: a city centre)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", type=Path, help="SQLite file (default: a temp dir)")
    parser.add_argument("--schema", default="bench_rebuild", help="PostgreSQL schema")
    parser.add_argument("--keep", action="store_true", help="keep an existing log of at least --events")
    parser.add_argument("--all", action="store_true", help="also rebuild every registered model (others' too)")
    parser.add_argument(
        "--no-hall-days", action="store_true", help="generate the first measurements' log (no hall days, no detector)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="rebuilds to measure (the median ratio is reported)")
    parser.add_argument(
        "--jobs", type=int, default=1, help="also rebuild every registered model over this many processes"
    )
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        print(json.dumps(measure(args.all, args.repeat, args.jobs)))
        return

    env = dict(os.environ)
    postgres = bool(env.get("HALL_LEDGER_DATABASE_URL"))
    if postgres:
        env["HALL_LEDGER_POSTGRES_SCHEMA"] = args.schema
    else:
        path = args.db or Path(tempfile.mkdtemp(prefix="bench-rebuild-")) / "ledger.db"
        env["HALL_LEDGER_SQLITE_PATH"] = str(path)
    env.setdefault("HALL_LEDGER_KEY_DIR", tempfile.mkdtemp(prefix="bench-keys-"))
    os.environ.update(env)

    from service.application import open_ledger
    from service.settings import Settings

    settings = Settings()
    if postgres and not args.keep:
        from psycopg.sql import SQL, Identifier

        from service.stores import connect_postgres

        with connect_postgres(settings) as conn:
            conn.execute(SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(Identifier(args.schema)))
    elif not postgres and not args.keep and settings.sqlite_path.exists():
        settings.sqlite_path.unlink()
    clock = Clock(_cst(date(2025, 12, 1), 9))
    app = open_ledger(settings, clock=clock)
    have = app.recorder.max_notification_id() or 0
    print(f"store: {settings.describe_store()}")
    if have < args.events:
        print(f"generating {args.events:,} events (scale ×{args.scale}) …")
        started = time.perf_counter()
        head = generate(
            app,
            clock,
            events=args.events,
            scale=args.scale,
            seed=args.seed,
            progress=True,
            hall_days=not args.no_hall_days,
        )
        elapsed = time.perf_counter() - started
        print(f"generated {head - have:,} events in {elapsed:.0f}s ({(head - have) / elapsed:,.0f} events/s)")
    app.close()

    print("measuring in a fresh process (raw read, full rebuild, raw read again) …")
    command = [sys.executable, __file__, "--measure-only", "--repeat", str(args.repeat)]
    out = subprocess.run(command + (["--all"] if args.all else []), env=env, check=True, capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(json.dumps(result, indent=2))
    print(
        f"\nraw read+decode {result['raw_rate']:>10,.0f} events/s (median of the reads around the rebuilds)\n"
        f"full rebuild    {result['rebuild_rate']:>10,.0f} events/s  ({', '.join(result['models'])})\n"
        f"ratio           {result['ratio']:>10.2f}   (median of {result['ratios']}; target ≥ 0.50)\n"
        f"peak memory     {result['peak_rss_mb']:>10,.0f} MB (max RSS of the measuring process; target < 500)"
    )
    if args.all:
        print(
            f"every registered model {result['all_rebuild_rate']:>10,.0f} events/s "
            f"({', '.join(result['all_models'])}), ratio {result['all_ratio']:.2f} "
            f"(median of {result['all_ratios']}), peak {result['all_peak_rss_mb']:,.0f} MB"
        )
    if args.jobs > 1:
        print(f"measuring every registered model over {args.jobs} processes, in a fresh process …")
        out = subprocess.run([*command, "--jobs", str(args.jobs)], env=env, check=True, capture_output=True, text=True)
        shared = json.loads(out.stdout.strip().splitlines()[-1])
        print(json.dumps(shared, indent=2))
        print(
            f"every registered model, {args.jobs} processes {shared['all_rebuild_rate']:>10,.0f} events/s, "
            f"raw read {shared['raw_rate']:,.0f} events/s, ratio {shared['all_ratio']:.2f} "
            f"(median of {shared['all_ratios']}; target ≥ 0.50), "
            f"peak {shared['all_peak_rss_mb']:,.0f} MB (all processes; target < 500)"
        )


if __name__ == "__main__":
    main()
