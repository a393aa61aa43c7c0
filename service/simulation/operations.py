"""Running the hall (ART5.2, ART6.5, ART7.5, Article 9, ART10.1): attendance and leave, the duty
roster with substitutes and hand-overs, end-of-day checks, virus checks, hazards, cleaning,
asset moves and inventory counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from service.app_base import Outcome
from service.commands.assets import FoundItem, MissingItem, SurplusItem
from service.simulation.base import ON_POST, Person, SimulatorBase, at
from service.simulation.profile import (
    ANTIVIRUS,
    ATTENDANCE_TERMINAL,
    COMMITTEE,
    MANAGER,
    OFFICE,
    WINDOW_LEAD,
)

DEVICE = "考勤机-大厅东门"
HAZARDS = (
    ("hazardous_appliance", "窗口内使用电水壶", "ART9.6"),
    ("power_strip_loose", "插线板未固定在主机箱上", "ART9.5"),
    ("water_near_power", "插线板附近地面有水", "ART9.5"),
)
INCIDENTS = (
    ("power", "夜间配电箱跳闸,已联系物业恢复供电"),
    ("water", "二楼卫生间水管渗漏,已关闭阀门并通知物业"),
    ("other", "自助终端异常重启,已记录并报修"),
)


@dataclass
class Shift:
    id: UUID
    day: date
    slot: str
    role: str
    staff: Person
    starts: datetime
    ends: datetime
    substitute: Person | None = None
    handed_over: bool = False

    @property
    def on_duty(self) -> Person:
        return self.substitute or self.staff


class Operations(SimulatorBase):
    def init_processes(self) -> None:
        super().init_processes()
        self.assets: dict[UUID, dict[str, Any]] = {}
        self.shifts: dict[tuple[date, str, str], Shift] = {}
        self.rostered_until: date | None = None
        self.leaves: dict[UUID, Person] = {}
        self.counts = 0
        self.filings = 0

    # ── attendance and leave (ART6.5, ART7.5) ────────────────────────────────

    def behaviour(self, person: Person) -> float:
        """How prone to breaches a person is today (a warning deters for a while)."""
        if person.scripted:
            return 0.0
        deterred = person.ladder in ("warned", "probation", "reinstated")
        return person.propensity * (self.rates.deterrence if deterred else 1.0)

    def tendency(self, person: Person | None, *, deterred: bool = True) -> float:
        """A person's behaviour relative to the average (rates stay the hall's averages)."""
        if person is None:
            return 1.0
        behaviour = self.behaviour(person) if deterred or person.scripted else person.propensity
        return behaviour / getattr(self, "mean_propensity", 1.0)

    def plan_people(self, day: date) -> None:
        rates, asked = self.rates, False
        for person in sorted(self.people.values(), key=lambda p: p.staff_no):
            if not person.on_post or day in person.leave_days:
                continue
            if self.chance(rates.unexcused_absence * self.tendency(person)):
                continue  # 旷工: no punch, no leave — the detector sees an empty day
            # a showcase asks for one (planned) leave a week
            weekly = rates.showcase and self.day_index % 5 == 1 and not asked
            if (self.chance(rates.leave) or weekly) and not person.scripted:
                asked = True
                if self.chance(0.3) and not weekly:  # sick: phones in before opening, the lead approves
                    days = [day] + ([self.working_day(day, 1)] if self.chance(0.4) else [])
                    person.leave_days.update(days)
                    person.leave_spans.append((days[0], days[-1]))
                    self.schedule(
                        at(day, 8, 5), "sick leave", lambda p=person, d=days: self.request_leave(p, d, "sick")
                    )
                    continue
                first = self.working_day(day, self.rng.randint(2, 6))
                days = [first]
                for _ in range(self.rng.randint(0, 2)):
                    days.append(self.working_day(days[-1], 1))
                kind = self.pick(("annual", "personal", "official_business"))
                self.schedule(
                    at(day, 10, self.rng.randrange(60)),
                    "leave request",
                    lambda p=person, d=days, k=kind: self.request_leave(p, d, k),
                )
            self.plan_attendance(person, day)
        self.plan_absences(day)

    def plan_attendance(self, person: Person, day: date, *, earliest: datetime | None = None) -> None:
        """Today's punches of one person: mostly on time, a few late, a few missed."""
        rates, prone = self.rates, self.tendency(person)
        late = self.chance(rates.late * prone) or (prone > 0 and self.showcase("late"))
        # most late arrivals are a few minutes (≤ 10: item late), some longer (late_long)
        minutes_late = self.rng.randint(1, 10) if self.chance(0.7) else self.rng.randint(11, 25)
        arrive = at(day, 8, 30 + minutes_late) if late else at(day, 8, 5 + self.rng.randrange(0, 24))
        if earliest is not None:
            arrive = max(arrive, earliest + timedelta(minutes=1))
        early = self.chance(rates.early_leave * prone)
        depart = at(day, 16, 35 + self.rng.randrange(20)) if early else at(day, 17, self.rng.randrange(0, 20))
        person.arrived, person.leaves_at = arrive, depart
        # a missed clock-in with a clock-out is 漏签; a missed clock-out goes unnoticed
        missed = self.chance(rates.missed_punch * prone) or (prone > 0 and self.showcase("missed_punch"))
        missed_in = missed and self.chance(0.5)
        if not missed_in:
            self.schedule(arrive, "clock in", lambda p=person, t=arrive: self.punch(p, t, "in"))
        if not (missed and not missed_in):
            self.schedule(depart, "clock out", lambda p=person, t=depart: self.punch(p, t, "out"))
        if self.chance(rates.short_absence):
            left = self.opening_time(day)
            if arrive < left < depart - timedelta(minutes=20):
                self.schedule(
                    left + timedelta(minutes=12),
                    "absence with notice",
                    lambda p=person, t=left: self.absence(p, t, notice=True),
                )

    def plan_absences(self, day: date) -> None:
        """An inspector finds a post empty, no 暂停受理 sign (the detector judges ≥ 15 minutes)."""
        scale = len(self.profile.window_staff) / 40.0
        for _ in range(self.count(self.per_day(self.rates.left_post_per_month) * scale)):
            left = self.opening_time(day)
            self.schedule(left + timedelta(minutes=40), "absence found", lambda t=left: self.found_away(t))

    def found_away(self, left: datetime) -> None:
        people = [
            p
            for p in self.present(left)
            if self.behaviour(p) > 0 and p.leaves_at and p.leaves_at > left + timedelta(minutes=45)
        ]
        if not people:
            return
        person = self.pick_weighted(people, [self.behaviour(p) for p in people])
        self.absence(person, left, notice=False)

    def absence(self, person: Person, left: datetime, *, notice: bool) -> None:
        """离岗: with the sign and back within minutes (allowed), or found away by an inspector."""
        if not person.present(left):
            return
        back = left + timedelta(minutes=self.rng.randint(5, 11) if notice else self.rng.randint(18, 40))
        actor = person.actor if notice else self.pick(self.profile.inspectors)
        self.do(
            back,
            self.app.record_absence_from_post,
            actor,
            valid=None,
            staff_id=person.id,
            left_at=left,
            notice_displayed=notice,
            returned_at=back,
            reason="到后台取档案材料" if notice else "",
        )

    def punch(self, person: Person, when: datetime, kind: str) -> None:
        if person.status not in (ON_POST,):
            return  # suspended or removed since the day was planned
        command = self.app.clock_in if kind == "in" else self.app.clock_out
        self.do(when, command, ATTENDANCE_TERMINAL, staff_id=person.id, device=DEVICE)

    def request_leave(self, person: Person, days: list[date], kind: str) -> None:
        when = self._current
        if not person.on_post:
            return
        outcome = self.do(
            when,
            self.app.request_leave,
            person.actor,
            staff_id=person.id,
            leave_type=kind,
            starts=at(days[0], 8, 30),
            ends=at(days[-1], 17, 0),
            reason={
                "sick": "发热就医",
                "annual": "年休假",
                "personal": "家中有事",
                "official_business": "参加业务培训",
            }[kind],
        )
        if outcome is None:
            return
        decided = when + timedelta(minutes=self.rng.randint(15, 90))
        if kind != "sick" and self.chance(0.05):
            self.do(
                decided, self.app.refuse_leave, WINDOW_LEAD, leave_id=outcome.id, reason="窗口当日人手不足,请调整时间"
            )
            return
        self.do(decided, self.app.approve_leave, WINDOW_LEAD, leave_id=outcome.id, note="同意,窗口已安排顶岗")
        person.leave_days.update(days)
        if (days[0], days[-1]) not in person.leave_spans:
            person.leave_spans.append((days[0], days[-1]))
        back = self.working_day(days[-1], 1)
        self.leaves[outcome.id] = person
        self.schedule(at(back, 8, 20), "report back", lambda: self.report_back(outcome.id, person))

    def report_back(self, leave_id: UUID, person: Person) -> None:
        if person.status == ON_POST:
            self.do(self._current, self.app.report_back_from_leave, person.actor, leave_id=leave_id)

    # ── the duty roster (ART9.4) ─────────────────────────────────────────────

    def slots_of(self, day: date) -> list[tuple[str, str]]:
        if self.calendar.is_working_day(day):
            return [("lunch", "duty"), ("night", "duty"), ("night", "security")]
        return [("day", "duty"), ("day", "security"), ("night", "duty"), ("night", "security")]

    def plan_roster(self, first: date) -> None:
        """The office rosters a week ahead (值班表): lunch AB duty, nights, rest days."""
        until = first + timedelta(days=(6 - first.weekday()) % 7 + 7)
        self.assign_shifts(first, until, at(first - timedelta(days=1), 18, 30))

    def assign_shifts(self, start: date, until: date, when: datetime) -> None:
        day = start
        duty = sorted((p for p in self.people.values() if p.window is not None), key=lambda p: p.staff_no)
        guards = sorted((p for p in self.people.values() if p.window is None), key=lambda p: p.staff_no) or duty
        n = 0
        while day <= until:
            for slot, role in self.slots_of(day):
                pool = guards if role == "security" else duty
                eligible = [p for p in pool if p.on_roster and not p.on_leave(day) and not p.scripted]
                if not eligible:
                    continue
                busy = {s.staff.staff_no for (d, _, _), s in self.shifts.items() if abs((d - day).days) <= 1}
                free = [p for p in eligible if p.staff_no not in busy] or eligible
                person = free[(day.toordinal() * 3 + n) % len(free)]
                n += 1
                outcome = self.do(
                    when, self.app.assign_shift, OFFICE, day=day, slot=slot, staff_id=person.id, duty_role=role
                )
                if outcome is None:
                    continue
                shift = self.app.duty_shift(outcome.id)
                record = Shift(outcome.id, day, slot, role, person, shift.starts, shift.ends)
                self.shifts[(day, slot, role)] = record
                self.schedule(record.ends, "duty hand-over", lambda s=record: self.hand_over(s))
                if slot == "night" and self.chance(self.per_day(self.rates.incidents_per_month)):
                    moment = record.starts + timedelta(hours=self.rng.randint(2, 12))
                    self.schedule(moment, "duty incident", lambda s=record, t=moment: self.incident(s, t))
            day += timedelta(days=1)
        self.rostered_until = until

    def plan_duty(self, day: date) -> None:
        nxt = self.working_day(day, 1)
        if self.rostered_until is not None and nxt > self.rostered_until - timedelta(days=2):
            start = self.rostered_until + timedelta(days=1)
            self.schedule(
                at(day, 15, 30), "roster", lambda: self.assign_shifts(start, start + timedelta(days=6), self._current)
            )
        # people who cannot serve (leave, suspension) are released with a substitute; a few swaps
        upcoming = [s for (d, _, _), s in sorted(self.shifts.items()) if day <= d <= nxt + timedelta(days=2)]
        for shift in upcoming:
            if not shift.handed_over and (not shift.on_duty.on_roster or shift.on_duty.on_leave(shift.day)):
                self.schedule(
                    at(day, 9, 15), "substitute", lambda s=shift: self.substitute(s, "请假/待岗,另行安排顶班")
                )
        swappable = [s for s in upcoming if s.role == "duty" and s.day > day] or upcoming
        if swappable and self.occurs(self.rates.swaps_per_month, 5, 2):
            shift = self.pick(swappable)
            self.schedule(
                at(day, 10, self.rng.randrange(60)), "duty swap", lambda: self.substitute(shift, "家中有事,申请换班")
            )

    def substitute(self, shift: Shift, reason: str) -> None:
        """顶班 (ART9.4): whoever cannot serve is released only with a substitute."""
        released = shift.on_duty
        if shift.handed_over or self._current >= shift.ends:
            return
        start, end = max(shift.starts, self._current), shift.ends
        guards = shift.role == "security"

        def busy(p: Person, days: int) -> bool:
            return any(
                s.on_duty is p
                and ((s.starts < end and s.ends > start) or (days and abs((s.day - shift.day).days) <= days))
                for s in self.shifts.values()
            )

        pool = sorted(
            (
                p
                for p in self.people.values()
                if (p.spec.window is None) == guards
                and p.on_roster
                and p is not released
                and not p.scripted
                and not p.on_leave(shift.day)
                and not busy(p, 0)
            ),
            key=lambda p: p.staff_no,
        )
        if not pool:
            return
        sub = self.pick([p for p in pool if not busy(p, 1)] or pool)
        actor = released.actor if released.on_roster else OFFICE
        done = self.do(
            self._current,
            self.app.release_from_shift,
            actor,
            shift_id=shift.id,
            staff_id=released.id,
            substitute_id=sub.id,
            reason=reason,
        )
        if done is not None:
            shift.substitute = sub

    def hand_over(self, shift: Shift) -> None:
        when = self._current
        giver = shift.on_duty
        following = None
        if shift.slot == "day":
            following = self.shifts.get((shift.day, "night", shift.role))
        elif shift.slot == "night":
            nxt = shift.day + timedelta(days=1)
            following = self.shifts.get((nxt, "day", shift.role))
        if following is not None and following.on_duty is giver:
            return  # the same person stays on: nothing to hand over
        if following is not None:
            self.do(
                when,
                self.app.hand_over_shift,
                giver.actor,
                shift_id=shift.id,
                to_shift_id=following.id,
                notes="交接正常,设备门窗已检查",
            )
        else:
            receivers = [p for p in self.present(when) if p is not giver] or [
                p for p in self.people.values() if p.status == ON_POST and p is not giver and p.window is not None
            ]
            if not receivers:
                return
            receiver = min(receivers, key=lambda p: (p.department != "center", p.staff_no))
            self.do(
                when,
                self.app.hand_over_shift,
                giver.actor,
                shift_id=shift.id,
                to_staff_id=receiver.id,
                notes="值班期间无异常,已交接",
            )
        shift.handed_over = True

    def incident(self, shift: Shift, when: datetime) -> None:
        kind, description = self.pick(INCIDENTS)
        self.do(
            when,
            self.app.report_duty_incident,
            shift.on_duty.actor,
            kind=kind,
            description=description,
            location="政务服务大厅",
            duty_role=shift.role,
            shift_id=shift.id,
        )

    # ── the day's operations ─────────────────────────────────────────────────

    def plan_operations(self, day: date) -> None:
        self.plan_duty(day)
        rates = self.rates
        # after-work checks (ART9.7, ART9.8) of every window
        for window in self.windows.values():
            self.schedule(
                at(day, 17, 20 + self.rng.randrange(8)), "end-of-day check", lambda w=window: self.end_of_day(w)
            )
        # virus checks (ART9.1): the console checks every computer and server once a week,
        # rest days included; the days until the next working day are planned today
        nxt = self.working_day(day, 1)
        calendar_day = day
        while calendar_day < nxt:
            for n, (asset_id, asset) in enumerate(self.assets.items()):
                if asset["category"] in ("computer", "server") and n % 7 == calendar_day.weekday():
                    self.schedule(
                        at(calendar_day, 12, 30) + timedelta(seconds=n),
                        "virus check",
                        lambda a=asset_id: self.virus_check(a),
                    )
            calendar_day += timedelta(days=1)
        for _ in range(self.occurs(rates.hazards_per_month, 5, 2)):
            self.schedule(self.opening_time(day), "hazard", self.hazard)
        for _ in range(self.occurs(rates.cleaning_requests_per_month, 10, 4)):
            self.schedule(at(day, 9, self.rng.randrange(60)), "cleaning request", self.cleaning)
        for _ in range(self.occurs(rates.asset_moves_per_month, 5, 0)):
            self.schedule(at(day, 14, self.rng.randrange(60)), "asset move", self.file_move)
        for _ in range(self.occurs(rates.unfiled_moves_per_month, 10, 1)):
            self.schedule(at(day, 11, self.rng.randrange(30)), "unfiled move", self.unfiled_move)
        for _ in range(self.occurs(rates.credential_incidents_per_month, 20, 3)):
            self.schedule(self.opening_time(day), "credential incident", self.credential_incident)
        every = rates.count_every_working_days
        if self.day_index % every == (2 if rates.showcase else every // 2):
            self.schedule(at(day, 9, 0), "inventory count", self.inventory_count)

    def end_of_day(self, window: Any) -> None:
        """下班检查 by the evening duty officer, window by window; what was left on or open is
        recorded against whoever worked there last, and supervision follows it up next morning."""
        when = self._current
        here = [p for p in self.people.values() if p.window == window.code and p.on_post and p.arrived is not None]
        last = max(here, key=lambda p: (p.leaves_at or when, p.staff_no)) if here else None
        night = self.shifts.get((when.date(), "night", "duty"))
        checker = night.on_duty if night is not None and night.on_duty.on_roster else None
        checks = {"power_off": True, "locked": True, "classified_secured": True}
        note = ""
        failed = None
        tendency = self.tendency(last)
        if last is not None and (
            self.chance(self.rates.end_of_day_failure * tendency)
            or (tendency > 0 and self.showcase("end_of_day_failure"))
        ):
            failed = self.pick(("power_off", "locked"))
            checks[failed] = False
            note = {"power_off": "主机和显示器未关闭,已代为关闭", "locked": "窗口柜门未上锁,已代为锁好"}[failed]
        done = self.do(
            when,
            self.app.record_end_of_day_check,
            checker.actor if checker else OFFICE,
            window_id=window.id,
            checks=checks,
            staff_id=last.id if last else None,
            note=note,
        )
        if done is not None and failed is not None and last is not None:
            rule = "ART9.7" if failed == "power_off" else "ART9.8"
            refs = [f"end-of-day-check:{done.id}"]
            evidence = f"下班检查未通过:{note} / end-of-day check failed"
            self.schedule(
                at(self.working_day(when.date(), 1), 9, self.rng.randrange(30)),
                "end-of-day finding",
                lambda: self.supervise(last, rule, None, evidence, "supervision", refs),
            )

    def supervise(
        self, person: Person, rule: str, item: str | None, evidence: str, source: str, refs: list[str]
    ) -> None:
        """Supervision records a breach found in the hall's own records; a second inspector verifies it."""
        if person.scripted:
            return
        inspector = self.pick(self.profile.inspectors)
        found = self.do(
            self._current,
            self.app.record_violation,
            inspector,
            rule=rule,
            item=item,
            staff_id=person.id,
            source=source,
            evidence=evidence,
            evidence_refs=refs,
        )
        if found is None:
            return
        self.violations[found.id] = person  # type: ignore[attr-defined]
        second = next((i for i in self.profile.inspectors if i != inspector), MANAGER)
        confirm = self.chance(self.rates.finding_confirmed)
        self.schedule(
            self._current + timedelta(minutes=self.rng.randint(40, 120)),
            "verdict",
            lambda: self.verdict(found.id, second, confirm),  # type: ignore[attr-defined]
        )

    def virus_check(self, asset_id: UUID) -> None:
        asset = self.assets[asset_id]
        custodian = self.people.get(asset["custodian"])
        tendency = self.tendency(custodian)
        skipped = self.chance(self.rates.virus_check_skipped * tendency)
        if not asset["in_service"] or skipped or (tendency > 0 and self.showcase("virus_check_skipped")):
            return
        if self.chance(self.rates.virus_threats):
            self.do(
                self._current,
                self.app.record_virus_check,
                ANTIVIRUS,
                asset_id=asset_id,
                result="threats_found",
                tool="终端安全管理系统",
                threats=["Trojan.Win32.Agent"],
                action="已隔离并清除,复查无异常",
            )
        else:
            self.do(
                self._current,
                self.app.record_virus_check,
                ANTIVIRUS,
                asset_id=asset_id,
                result="clean",
                tool="终端安全管理系统",
            )

    def hazard(self) -> None:
        when = self._current
        kind, description, _ = self.pick(HAZARDS)
        people = sorted(self.present(when), key=lambda p: p.staff_no)
        person = self.pick(people) if people else None
        inspector = self.pick(self.profile.inspectors)
        outcome = self.do(
            when,
            self.app.report_hazard,
            inspector,
            kind=kind,
            location="政务服务大厅",
            description=description,
            window_id=self.windows[person.window].id if person and person.window else None,
            staff_id=person.id if person else None,
        )
        if outcome is not None:
            self.schedule(
                when + timedelta(hours=1),
                "hazard resolved",
                lambda: self.do(
                    self._current,
                    self.app.resolve_hazard,
                    MANAGER,
                    hazard_id=outcome.id,
                    action="已当场整改并告知窗口人员",
                ),
            )

    def credential_incident(self) -> None:
        """泄露口令 (ART9.1): someone's password given to a person without access; reset at once."""
        when = self._current
        people = sorted((p for p in self.present(when) if self.behaviour(p) > 0), key=lambda p: p.staff_no)
        if not people:
            return
        holder = self.pick_weighted(people, [self.behaviour(p) for p in people])
        inspector = self.pick(self.profile.inspectors)
        outcome = self.do(
            when,
            self.app.report_credential_incident,
            inspector,
            system="一体化政务服务平台",
            account_holder_id=holder.id,
            disclosed_to="来窗口实习的学生",
            how="将账号密码写在便签上交给对方",
            disclosed_by_id=holder.id,
        )
        if outcome is None:
            return
        self.do(
            when + timedelta(minutes=20),
            self.app.record_credentials_reset,
            OFFICE,
            incident_id=outcome.id,
            note="已重置密码并收回便签",
        )
        refs = [f"credential-incident:{outcome.id}"]
        evidence = "泄露平台账号密码 / disclosed the platform password"
        self.schedule(
            when + timedelta(minutes=30),
            "credential finding",
            lambda: self.supervise(holder, "ART9.1", "credential_disclosure", evidence, "inspection", refs),
        )

    def cleaning(self) -> None:
        when = self._current
        window = self.pick(list(self.windows.values()))
        outcome = self.do(
            when,
            self.app.raise_cleaning_request,
            MANAGER,
            description="窗口地面及台面清洁",
            contractor="营口海港物业服务有限公司",
            window_id=window.id,
        )
        if outcome is not None:
            self.schedule(
                when + timedelta(hours=3),
                "cleaning done",
                lambda: self.do(
                    self._current,
                    self.app.resolve_cleaning_request,
                    MANAGER,
                    request_id=outcome.id,
                    note="物业已完成保洁",
                ),
            )

    # ── assets (ART5.2, ART10.1) ─────────────────────────────────────────────

    def movable(self) -> list[UUID]:
        return [
            a
            for a, asset in self.assets.items()
            if asset["in_service"] and asset["category"] in ("furniture", "printer", "computer", "document_camera")
        ]

    def destination(self, asset: dict[str, Any]) -> tuple[UUID | None, str]:
        others = [w for w in self.windows_of(asset["department"]) if w.code != asset["window"]]
        if others and self.chance(0.7):
            return self.pick(others).id, ""
        location = "后台办公区" if asset["location"] != "后台办公区" else "资料室"
        return None, location

    def file_move(self) -> None:
        """调整办公设备: filed with hall management (备案), then carried out (ART5.2)."""
        candidates = self.movable()
        if not candidates:
            return
        asset_id = self.pick(candidates)
        asset = self.assets[asset_id]
        to_window, to_location = self.destination(asset)
        self.filings += 1
        filing = f"BA-{self._current:%Y}-{self.filings:04d}"
        if (
            self.do(
                self._current,
                self.app.file_asset_move,
                OFFICE,
                asset_id=asset_id,
                filing_ref=filing,
                reason="窗口业务调整",
                to_window_id=to_window,
                to_location=to_location,
            )
            is None
        ):
            return
        move = self.working_day(self._current.date(), self.rng.randint(0, 2))
        when = max(self._current + timedelta(minutes=30), at(move, 16, self.rng.randrange(50)))

        def carried_out() -> None:
            staff = [p for p in self.present(self._current, department=asset["department"])]
            actor = min(staff, key=lambda p: p.staff_no).actor if staff else OFFICE
            if self.do(self._current, self.app.move_asset, actor, asset_id=asset_id, filing_ref=filing) is not None:
                asset.update(window=self.window_code(to_window), location=to_location)

        self.schedule(when, "asset moved", carried_out)

    def unfiled_move(self) -> None:
        """私自挪动: an inspector finds an item moved without a filing (the books follow where it was
        found); the office files its move back and the window puts it back (ART5.2)."""
        candidates = [a for a in self.movable() if self.assets[a]["window"] is not None]
        if not candidates:
            return
        asset_id = self.pick(candidates)
        asset = self.assets[asset_id]
        home_window, home_location = self.windows[asset["window"]].id, asset["location"]
        to_window, to_location = self.destination(asset)
        movers = [p for p in self.people.values() if p.window == asset["window"] and p.on_post]
        mover = min(movers, key=lambda p: p.staff_no) if movers else None
        inspector = self.pick(self.profile.inspectors)
        found = self.do(
            self._current,
            self.app.record_unfiled_move,
            inspector,
            asset_id=asset_id,
            evidence="巡查发现该设备不在账面位置,未见调整备案 / found away from its place, no filing",
            found_window_id=to_window,
            found_location=to_location,
            moved_by_id=mover.id if mover else None,
        )
        if found is None:
            return
        home = asset["window"]
        asset.update(window=self.window_code(to_window), location=to_location)
        if mover is not None:
            evidence = "私自挪动办公设备未备案 / moved equipment without filing"
            refs = [f"asset:{asset['no']}"]
            self.schedule(
                self._current + timedelta(minutes=30),
                "unfiled move finding",
                lambda: self.supervise(mover, "ART5.2", None, evidence, "inspection", refs),
            )
        self.filings += 1
        filing = f"BA-{self._current:%Y}-{self.filings:04d}"

        def put_back() -> None:
            filed = self.do(
                self._current,
                self.app.file_asset_move,
                OFFICE,
                asset_id=asset_id,
                filing_ref=filing,
                reason="责令恢复原位 / ordered back to its place",
                to_window_id=home_window,
                to_location=home_location,
            )
            if filed is None:
                return
            back = self.do(self._current + timedelta(minutes=5), self.app.move_asset, OFFICE, asset_id=asset_id,
                           filing_ref=filing)  # fmt: skip
            if back is not None:
                asset.update(window=home, location=home_location)

        self.schedule(at(self.working_day(self._current.date(), 1), 10, self.rng.randrange(60)), "put back", put_back)

    def window_code(self, window_id: UUID | None) -> str | None:
        return next((w.code for w in self.windows.values() if w.id == window_id), None)

    def inventory_count(self) -> None:
        """清查盘点: a spot count of part of the books; shortages located or written off."""
        when = self._current
        in_service = [a for a, asset in self.assets.items() if asset["in_service"]]
        scope = self.rng.sample(in_service, k=max(1, round(len(in_service) * self.rates.count_fraction)))
        scope.sort(key=lambda a: self.assets[a]["no"])
        self.counts += 1
        opened = self.do(
            when,
            self.app.open_inventory_count,
            OFFICE,
            reference=f"PD-{when:%Y}-{self.counts:02d}",
            asset_ids=scope,
            kind="spot",
        )
        if opened is None:
            return
        count_id = opened.id
        missing = [a for a in scope if self.chance(self.rates.count_discrepancy * 3)][:2]
        found = [
            FoundItem(
                a,
                window_id=self.windows[self.assets[a]["window"]].id if self.assets[a]["window"] else None,
                location=self.assets[a]["location"],
            )
            for a in scope
            if a not in missing
        ]
        surplus = [SurplusItem("未贴资产标签的打印机", tag="", location="资料室")] if self.chance(0.3) else []
        results = self.do(
            when + timedelta(hours=3),
            self.app.record_count_results,
            OFFICE,
            count_id=count_id,
            found=found,
            missing=[MissingItem(a, note="盘点时未找到") for a in missing],
            surplus=surplus,
        )
        if results is None:
            return
        discrepancies: list[UUID] = results.extra["discrepancy_ids"]
        settle = at(self.working_day(when.date(), 2), 10, 0)

        def settled() -> None:
            t = self._current
            written_off: list[UUID] = []
            for n, discrepancy in enumerate(discrepancies):
                if n < len(missing):
                    if self.chance(0.7):
                        self.do(
                            t,
                            self.app.resolve_count_discrepancy,
                            OFFICE,
                            count_id=count_id,
                            discrepancy_id=discrepancy,
                            resolution="located",
                            note="已在维修点找到",
                        )
                    else:
                        written_off.append(discrepancy)
                        self.assets[missing[n]]["in_service"] = False
                else:
                    self.do(
                        t,
                        self.app.resolve_count_discrepancy,
                        OFFICE,
                        count_id=count_id,
                        discrepancy_id=discrepancy,
                        resolution="not_hall_property",
                        note="经核实为物业公司所有",
                    )
            if written_off:
                self.do(
                    t + timedelta(minutes=10),
                    self.app.write_off_count_discrepancies,
                    COMMITTEE,
                    count_id=count_id,
                    discrepancy_ids=written_off,
                    approval_ref=f"北海管委〔{t:%Y}〕资产核销{self.counts}号",
                )
            self.do(t + timedelta(minutes=20), self.app.close_inventory_count, OFFICE, count_id=count_id)

        self.schedule(settle, "count settled", settled)

    def transfer_custody(self, leaving: Person, successor: Person, when: datetime) -> None:
        """The successor becomes custodian of what the person leaving kept (ART10.1)."""
        for asset_id, asset in self.assets.items():
            if (
                asset["custodian"] == leaving.staff_no
                and asset["in_service"]
                and successor.department == asset["department"]
            ):
                outcome: Outcome | None = self.do(
                    when,
                    self.app.designate_custodian,
                    OFFICE,
                    asset_id=asset_id,
                    custodian_id=successor.id,
                    designation_ref="人员调整",
                )
                if outcome is not None:
                    asset["custodian"] = successor.staff_no
