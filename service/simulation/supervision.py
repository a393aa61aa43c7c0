"""Supervision and its consequences (ART11, ART2.1.3, Article 8): inspection rounds, detected
candidates confirmed or dismissed, the ladder's decisions as the escalation read model calls
for them, appeals, complaints, praise and commendations, monthly assessment, rotations."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain import ids
from domain.ladder import judge_sanction, micros
from domain.violation import CONFIRMED, Violation
from service.commands.inspections import CleanPass, Finding
from service.eventlog import iter_events
from service.simulation.base import ON_POST, REMOVED, SUSPENDED, Person, SimulatorBase, at
from service.simulation.fake_data import staff_name
from service.simulation.profile import COMMITTEE, MANAGER, OFFICE, REVIEWER, FindingRate, StaffSpec

REMEDIES = {
    "SERVICE": "当面致歉并回访,参加首问负责制和服务规范培训 / apologise, call the client back; service training",
    "DISCIPLINE": "书面检查,参加窗口纪律教育 / written self-criticism; window discipline training",
    "SECURITY": "参加保密和安全管理培训并通过测试 / security training with a test",
    "INTEGRITY": "退还款项,书面检讨 / refund, written self-criticism",
}
UNIFORMED_ITEMS = ("no_uniform",)


@dataclass
class Decision:
    kind: str  # admonishment | suspension | removal
    person: Person
    basis: list[UUID]
    completed: bool = False
    rescinded: bool = False
    issued: datetime | None = None
    remedy_due: date | None = None


class Supervision(SimulatorBase):
    def init_processes(self) -> None:
        super().init_processes()
        self.rounds = 0
        self.seen_position = 0
        #: violation id → person, for the simulator's own findings awaiting a second inspector
        self.violations: dict[UUID, Person] = {}
        #: admonishments and sanctions the hall decided (id → decision)
        self.decisions: dict[UUID, Decision] = {}
        #: dues already acted on (staff, kind, family, since)
        self.acted: set[tuple[str, str, str, str]] = set()
        self.published: set[str] = set()
        self.appeal_weeks: set[int] = set()
        self.finding_weeks: set[int] = set()
        self.hired = 0

    # ── the day's supervision ────────────────────────────────────────────────

    def plan_supervision(self, day: date) -> None:
        rates = self.rates
        windows = sorted(self.windows.values(), key=lambda w: w.code)
        for n in range(rates.rounds_per_day):
            start = at(day, 10 if n % 2 == 0 else 15, self.rng.randrange(0, 30))
            k = rates.rounds_per_day if len(windows) > 8 else 1  # each round covers its share of the windows
            share = windows[n % k :: k]
            self.schedule(start, "inspection round", lambda s=start, w=share: self.inspection_round(s, w, covert=False))
        if self.chance(rates.covert_rounds_per_week / 5):
            start = at(day, 14, self.rng.randrange(0, 60))
            sample = self.rng.sample(windows, k=max(1, len(windows) // 3))
            self.schedule(start, "covert round", lambda: self.inspection_round(start, sample, covert=True))
        for _ in range(self.occurs(rates.complaints_per_month, 5, 0)):
            self.schedule(self.opening_time(day), "complaint", self.complaint)
        for _ in range(self.occurs(rates.praise_per_month, 5, 3)):
            self.schedule(at(day, 11, self.rng.randrange(60)), "praise", self.praise)
        for _ in range(self.occurs(rates.rotations_per_month)):
            self.schedule(at(day, 9, self.rng.randrange(60)), "rotation", self.rotation)
        # on the first working day of a month, last month's assessment is published the next day
        previous = self.working_day(day, -1)
        if previous.month != day.month and self.day_index > 0:
            month = f"{previous:%Y-%m}"
            self.schedule(at(self.working_day(day, 1), 16, 0), "assessment", lambda: self.publish_month(month))

    def findings_today(self, covered: list[Any], when: datetime, share: float) -> list[tuple[FindingRate, Person]]:
        """What a round over ``covered`` windows finds: per rule a Poisson count, the person
        drawn by propensity (a fifth of the staff cause 60 % of the breaches)."""
        people = [p for w in covered for p in self.staff_at(w.code, when) if not p.scripted]
        if not people:
            return []
        scale = len(self.profile.window_staff) / 40.0
        found: list[tuple[FindingRate, Person]] = []
        draws = [(rate, self.count(self.per_day(rate.per_month) * scale * share)) for rate in self.rates.findings]
        week = self.day_index // 5
        if self.rates.showcase and week not in self.finding_weeks and not any(n for _, n in draws):
            # a showcase round finds something once a week, the kind drawn by how common it is
            rates = [r for r in self.rates.findings if r.per_month >= 1]
            draws.append((self.pick_weighted(rates, [r.per_month for r in rates]), 1))
        for rate, n in draws:
            for _ in range(n):
                eligible = [p for p in people if rate.item not in UNIFORMED_ITEMS or self.uniformed(p)]
                weights = [self.behaviour(p) for p in eligible]  # type: ignore[attr-defined]
                if not eligible or sum(weights) <= 0:
                    continue
                found.append((rate, self.pick_weighted(eligible, weights)))
                self.finding_weeks.add(week)
        return found

    def uniformed(self, person: Person) -> bool:
        return self.profile.department(person.department).uniformed

    def inspection_round(self, started: datetime, covered: list[Any], *, covert: bool) -> None:
        """巡查/暗访: findings (each a violation) and clean passes for every covered window."""
        # the day's rounds cover every window once (covert rounds a third of them again):
        # each round finds its share of the day's expected findings
        coverage = 1.0 + self.rates.covert_rounds_per_week / 5 / 3
        share = len(covered) / max(1, len(self.windows)) / coverage
        findings = self.findings_today(covered, started, share)
        inspector = self.profile.inspectors[self.rounds % len(self.profile.inspectors)]
        self.rounds += 1
        by_window: dict[str, list[Finding]] = {}
        seen: set[tuple[str, str]] = set()
        for n, (rate, person) in enumerate(findings):
            if (person.staff_no, rate.rule) in seen or person.window is None:
                continue
            seen.add((person.staff_no, rate.rule))
            observed = started + timedelta(minutes=2 + n)
            by_window.setdefault(person.window, []).append(
                Finding(
                    window_id=self.windows[person.window].id,
                    rule=rate.rule,
                    item=rate.item,
                    staff_id=person.id,
                    evidence=rate.evidence,
                    observed_at=observed,
                    evidence_refs=[f"监控录像 {observed:%Y%m%d-%H%M}"],
                )
            )
        finished = started + timedelta(minutes=10 + len(covered))
        clean = [
            CleanPass(window_id=w.id, observed_at=started + timedelta(minutes=1 + k), note="")
            for k, w in enumerate(covered)
            if w.code not in by_window
        ]
        flat = [f for w in covered for f in by_window.get(w.code, [])]
        round_id = ids.derived_id("sim-round", self.app.settings.hall_id, f"{started.isoformat()}-{self.rounds}")
        outcome = self.do(
            finished,
            self.app.complete_inspection_round,
            inspector,
            windows=[w.id for w in covered],
            started_at=started,
            findings=flat,
            clean_passes=clean,
            covert=covert,
            kind="special" if covert else "daily",
            round_id=round_id,
        )
        if outcome is None:
            return
        for violation_id, finding in zip(outcome.extra["violation_ids"], flat, strict=True):
            person = self.by_id[finding.staff_id] if finding.staff_id else None
            if person is None:
                continue
            self.violations[violation_id] = person
            second = (
                next(i for i in self.profile.inspectors if i != inspector)
                if len(self.profile.inspectors) > 1
                else MANAGER
            )
            verdict = finished + timedelta(minutes=self.rng.randint(40, 120))
            confirm = self.chance(self.rates.finding_confirmed)
            self.schedule(verdict, "verdict", lambda v=violation_id, a=second, c=confirm: self.verdict(v, a, c))

    def verdict(
        self, violation_id: UUID, inspector: Any, confirm: bool, note: str = "", *, appealable: bool = True
    ) -> None:
        """The second inspector's decision (four eyes) on a finding or a detected candidate."""
        if confirm:
            done = self.do(
                self._current,
                self.app.confirm_violation,
                inspector,
                violation_id=violation_id,
                note=note or "复核属实 / verified",
            )
            if done is not None and appealable:
                self.maybe_appeal(violation_id)
        else:
            self.do(
                self._current,
                self.app.dismiss_violation,
                inspector,
                violation_id=violation_id,
                reason=note or "当事人说明合理,不予认定 / a reasonable explanation was given",
            )

    # ── after the day closed: candidates and the ladder ──────────────────────

    def after_close(self, day: date) -> None:
        tomorrow = self.working_day(day, 1)
        self.review_candidates(tomorrow)
        self.read_ladder()
        self.decide_dues(tomorrow)

    def review_candidates(self, tomorrow: date) -> None:
        """Next morning, inspectors go through what the detector flagged (违规线索)."""
        detected = iter_events(self.app, after=self.seen_position, types=["Violation.Detected"])
        for k, (position, event) in enumerate(detected, start=1):
            self.seen_position = position
            explained = self.explanation(event.causation)
            person = self.by_id.get(event.staff_id) if event.staff_id else None
            if person is not None:
                self.violations[event.originator_id] = person
            rule = event.rule.partition("@")[0]
            if explained is not None:
                confirm, note = False, explained
            elif person is not None and person.scripted:
                confirm, note = True, ""  # the story's people: their breaches are the story
            else:
                confirm = not self.chance(self.rates.candidate_dismissed)
                note = "" if confirm else "经核实有正当理由,不予认定 / a legitimate reason was shown"
            self.report.candidates[f"{rule}:{'confirmed' if confirm else 'dismissed'}"] += 1
            inspector = self.profile.inspectors[k % len(self.profile.inspectors)]
            when = at(tomorrow, 8, 40) + timedelta(minutes=3 * k)
            self.schedule(
                when,
                "candidate reviewed",
                lambda v=event.originator_id, a=inspector, c=confirm, t=note: self.verdict(v, a, c, t),
            )
        self.seen_position = max(self.seen_position, self.head())  # type: ignore[attr-defined]

    def explanation(self, causation: list[int]) -> str | None:
        """Why a candidate is not a breach, when the simulator knows (from the events behind it)."""
        for position in causation:
            stream = self.stream_at(position)
            if stream is not None and stream in self.explained:  # type: ignore[attr-defined]
                return self.explained[stream]  # type: ignore[attr-defined,no-any-return]
        return None

    def read_ladder(self) -> None:
        """Each person's escalation state, as the read model derives it (it deters)."""
        try:
            rows = self.query("SELECT staff_id, state FROM {t:escalation_states}")
        except Exception:
            return
        for staff_id, state in rows:
            person = self.by_id.get(UUID(staff_id))
            if person is not None:
                person.ladder = state

    def decide_dues(self, tomorrow: date) -> None:
        """What the escalation read model says the hall owes a decision on, decided next morning."""
        try:
            rows = self.query(
                "SELECT staff_id, kind, family, decision, since, recommended, cause_positions "
                "FROM {t:escalation_dues} ORDER BY staff_id, kind, family, decision"
            )
        except Exception:
            return
        for n, (staff_id, kind, family, decision, since, recommended, causes) in enumerate(rows):
            person = self.by_id.get(UUID(staff_id))
            key = (staff_id, kind, family, since)
            if person is None or key in self.acted:
                continue
            self.acted.add(key)
            positions = json.loads(causes) if isinstance(causes, str) else list(causes)
            when = at(tomorrow, 9, 30) + timedelta(minutes=5 * n)
            if kind == "admonishment":
                self.schedule(when, "admonishment", lambda p=person, f=family, c=positions: self.admonish(p, f, c))
            elif kind == "suspension_or_removal":
                self.schedule(when, "sanction", lambda p=person, r=recommended, c=positions: self.sanction(p, r, c))
            elif kind == "rescission" and decision:
                self.schedule(when, "rescission", lambda d=UUID(decision): self.rescind(d))

    def basis_of(self, person: Person, positions: list[int]) -> list[UUID]:
        """The confirmed violations of ``person`` among the events a due names."""
        basis: list[UUID] = []
        for position in sorted(positions):
            stream = self.stream_at(position)
            if stream is None or stream in basis or self.by_id.get(stream) is not None:
                continue
            if stream not in self.violations and not self.app.exists(stream):
                continue
            try:
                violation = self.app.repository.get(stream)
            except Exception:
                continue
            if isinstance(violation, Violation) and violation.staff_id == person.id and violation.status == CONFIRMED:
                basis.append(stream)
        return basis

    def admonish(self, person: Person, family: str, positions: list[int]) -> None:
        """诫勉教育 with an ordered remedy (ART2.1.3), due in five working days."""
        used = {b for d in self.decisions.values() if d.kind == "admonishment" and not d.rescinded for b in d.basis}
        basis = [v for v in self.basis_of(person, positions) if v not in used]
        if person.status == REMOVED:
            return
        if not basis:
            self.verify_ratings(person, positions, lambda found: self.issue_admonishment(person, family, [found]))
            return
        self.issue_admonishment(person, family, basis)

    def issue_admonishment(self, person: Person, family: str, basis: list[UUID]) -> UUID | None:
        due = self.working_day(self._current.date(), 5)
        outcome = self.do(
            self._current,
            self.app.issue_admonishment,
            MANAGER,
            staff_id=person.id,
            basis=basis,
            remedy=REMEDIES.get(family, REMEDIES["DISCIPLINE"]),
            remedy_due=due,
        )
        if outcome is None:
            return None
        admonishment = outcome.extra["admonishment_id"]
        due = outcome.extra.get("remedy_due", due)  # the policy's date counts from the day recorded
        self.decisions[admonishment] = Decision("admonishment", person, basis, issued=self._current, remedy_due=due)
        self.report.decisions["admonishment"] += 1
        if person.scripted or self.chance(self.rates.remedy_on_time):
            done = self.working_day(self._current.date(), self.rng.randint(1, 4))
            self.schedule(at(done, 16, self.rng.randrange(50)), "remedy", lambda: self.remedy(admonishment))
        return admonishment  # type: ignore[no-any-return]

    def verify_ratings(self, person: Person, positions: list[int], then: Any) -> None:
        """A step made of repeated bad ratings (反复被差评) names ratings, not violations; a decision
        rests on confirmed violations, so supervision first verifies the ratings and records the
        breach they show (ART1.1, source ``rating``), then the hall decides on it."""
        refs = []
        for position in sorted(positions):
            stream = self.stream_at(position)
            if stream is None or not self.app.exists(stream):
                continue
            rating = self.app.repository.get(stream)
            if type(rating).__name__ == "Rating" and rating.staff_id == person.id:
                refs.append(f"rating:{rating.ref}")
        if not refs:
            return
        inspector = self.pick(self.profile.inspectors)
        found = self.do(
            self._current,
            self.app.record_violation,
            inspector,
            rule="ART1.1",
            item="three_greetings",
            staff_id=person.id,
            source="rating",
            evidence=f"{len(refs)} 次差评经核实属实,服务态度生硬 / {len(refs)} bad ratings verified: curt service",
            evidence_refs=refs,
        )
        if found is None:
            return
        self.violations[found.id] = person
        second = next((i for i in self.profile.inspectors if i != inspector), MANAGER)
        confirm_at = self._current + timedelta(minutes=30)
        self.schedule(confirm_at, "verdict", lambda: self.verdict(found.id, second, True, appealable=False))
        self.schedule(confirm_at + timedelta(minutes=30), "decision on verified ratings", lambda: then(found.id))

    def remedy(self, admonishment: UUID, note: str = "已完成整改 / remedy done") -> None:
        decision = self.decisions[admonishment]
        if decision.rescinded or decision.completed:
            return
        self.do(
            self._current,
            self.app.complete_remedy,
            MANAGER,
            staff_id=decision.person.id,
            admonishment_id=admonishment,
            note=note,
        )
        decision.completed = True

    def sanction(self, person: Person, recommended: str | None, positions: list[int]) -> None:
        """待岗 or 调离 as the read model recommends, on the violations behind the due. The domain
        wants the warning shown unheeded: a breach after the admonishment (or its remedy missed);
        when the step after the warning was repeated bad ratings, supervision verifies them first."""
        if person.status != ON_POST:
            return
        basis = self.basis_of(person, positions)
        if not self.warnings(person) and not self.serious(basis):
            # the ladder calls a repeat after a reinstatement (the first sanction was for a
            # serious breach) a sanction, but no warning was ever given: the hall warns first
            self.report.decisions["admonishment instead of a sanction (no warning on record)"] += 1
            self.admonish(person, "SERVICE", positions)
            return
        if basis and self.unheeded(person, basis, "removal" if recommended == "removal" else "suspension"):
            self.sanction_on(person, recommended, basis)
        elif self.rated(person, positions):
            self.verify_ratings(person, positions, lambda found: self.sanction_on(person, recommended, [*basis, found]))
        else:
            self.report.decisions["sanction due, no basis the domain accepts"] += 1

    def warnings(self, person: Person) -> list[Decision]:
        return [
            d for d in self.decisions.values() if d.kind == "admonishment" and d.person is person and not d.rescinded
        ]

    def serious(self, basis: list[UUID]) -> bool:
        return any(self.app.violation(v).severity == "serious" for v in basis)

    def unheeded(self, person: Person, basis: list[UUID], kind: str = "suspension") -> bool:
        """The domain's test (ART2.1.3 经告诫仍不改正) as the command asks it: the escalation policy's
        verdict over the person's facts (``domain.ladder.judge_sanction``) — serious, or a counting
        step in the same family after the warning, or its remedy missed."""
        verdict = judge_sanction(
            self.app.ladder_facts(person.id),
            self.app.escalation_policy(),
            t=micros(self._current),
            kind=kind,
            basis=[str(b) for b in basis],
        )
        return verdict.supported

    def rated(self, person: Person, positions: list[int]) -> bool:
        for position in positions:
            stream = self.stream_at(position)
            if stream is not None and stream not in self.violations and self.app.exists(stream):
                found = self.app.repository.get(stream)
                if type(found).__name__ == "Rating" and found.staff_id == person.id:
                    return True
        return False

    def sanction_on(self, person: Person, recommended: str | None, basis: list[UUID]) -> None:
        if person.status != ON_POST:
            return
        if recommended == "removal":
            self.remove(person, basis)
        else:
            self.suspend(person, basis)

    def suspend(
        self, person: Person, basis: list[UUID], *, actor: Any = COMMITTEE, indefinite: bool = False
    ) -> UUID | None:
        """待岗, the management committee's decision: off the window until retrained (reinstated the
        morning after the period), or — for a serious breach referred elsewhere — until further
        notice (``indefinite``)."""
        start = self.working_day(self._current.date(), 1)
        until = None if indefinite else self.working_day(start, max(0, self.rates.suspension_working_days - 1))
        outcome = self.do(
            self._current, self.app.decide_suspension, actor, staff_id=person.id, basis=basis, start=start, until=until
        )
        if outcome is None:
            return None
        decision = outcome.extra["decision_id"]
        self.decisions[decision] = Decision("suspension", person, basis)
        self.report.decisions["suspension"] += 1
        person.status = SUSPENDED
        self.cover_shifts(person)
        if until is not None:
            back = self.working_day(until, 1)
            self.schedule(at(back, 8, 0), "reinstatement", lambda: self.reinstate(decision))
        return decision  # type: ignore[no-any-return]

    def cover_shifts(self, person: Person) -> None:
        """The roster's shifts of someone taken off post get a substitute at once (ART9.4)."""
        for shift in sorted(self.shifts.values(), key=lambda s: s.starts):  # type: ignore[attr-defined]
            if shift.on_duty is person and shift.ends > self._current:
                self.schedule(
                    self._current + timedelta(minutes=5),
                    "substitute",
                    lambda s=shift: self.substitute(s, "原值班人员停止上岗,另行安排顶班"),
                )  # type: ignore[attr-defined]

    def reinstate(self, decision_id: UUID, note: str = "培训考试合格,恢复上岗 / retraining exam passed") -> None:
        decision = self.decisions[decision_id]
        if decision.rescinded or decision.person.status != SUSPENDED:
            return
        if (
            self.do(
                self._current,
                self.app.reinstate,
                MANAGER,
                staff_id=decision.person.id,
                decision_id=decision_id,
                note=note,
            )
            is not None
        ):
            decision.person.status = ON_POST
            decision.completed = True
            self.plan_attendance(decision.person, self._current.date(), earliest=self._current)  # type: ignore[attr-defined]

    def remove(self, person: Person, basis: list[UUID]) -> None:
        """调离 by the committee; a seconded person's department is asked for a replacement (ART8.3)."""
        when = self._current
        if person.spec.employment == "seconded":
            self.do(
                when,
                self.app.demand_replacement,
                COMMITTEE,
                staff_id=person.id,
                grounds="经告诫仍不改正,要求派驻部门调换 / not corrected after warning",
                due=when.date() + timedelta(days=14),
            )
        outcome = self.do(
            when + timedelta(minutes=5),
            self.app.decide_removal,
            COMMITTEE,
            staff_id=person.id,
            basis=basis,
            effective=self.working_day(when.date(), 1),
        )
        if outcome is None:
            return
        self.decisions[outcome.extra["decision_id"]] = Decision("removal", person, basis)
        self.report.decisions["removal"] += 1
        window, person.status, person.window = person.window, REMOVED, None
        self.cover_shifts(person)
        arrives = self.working_day(when.date(), self.rng.randint(3, 6))
        self.schedule(at(arrives, 8, 0), "successor", lambda: self.successor(person, window))

    def successor(self, leaving: Person, window: str | None) -> Person | None:
        """The department (or the center) sends someone new to the window."""
        if window is None:
            return None
        self.hired += 1
        spec = StaffSpec(
            f"N{self.hired:03d}",
            staff_name(900 + self.hired),
            leaving.department,
            leaving.spec.employment,
            window,
            self._current.date(),
        )
        person = self.onboard(spec, self._current)  # type: ignore[attr-defined]
        person.propensity = 1.0
        self.plan_attendance(person, self._current.date(), earliest=self._current)  # type: ignore[attr-defined]
        self.transfer_custody(leaving, person, self._current + timedelta(minutes=10))  # type: ignore[attr-defined]
        return person  # type: ignore[no-any-return]

    def rescind(self, decision_id: UUID) -> None:
        decision = self.decisions.get(decision_id)
        if decision is None or decision.rescinded:
            return
        reason = "处理依据已撤销 / its basis was revoked"
        if decision.kind == "admonishment":
            self.do(
                self._current,
                self.app.rescind_admonishment,
                MANAGER,
                staff_id=decision.person.id,
                admonishment_id=decision_id,
                reason=reason,
            )
        else:
            self.do(
                self._current,
                self.app.rescind_sanction,
                MANAGER,
                staff_id=decision.person.id,
                decision_id=decision_id,
                reason=reason,
            )
            if decision.person.status == SUSPENDED:
                decision.person.status = ON_POST
        decision.rescinded = True

    # ── appeals (申诉) ─────────────────────────────────────────────────────────

    def maybe_appeal(self, violation_id: UUID) -> None:
        """8 % of confirmed violations are appealed (a showcase: at least one a week)."""
        person = self.violations.get(violation_id)
        if person is None or person.scripted:
            return
        week = self.day_index // 5
        showcase = self.rates.showcase and week not in self.appeal_weeks
        if not (showcase or self.chance(self.rates.appealed)):
            return
        self.appeal_weeks.add(week)
        filed = self.working_day(self._current.date(), self.rng.randint(1, 2) if showcase else self.rng.randint(1, 3))
        overturn = self.chance(self.rates.overturned)
        self.schedule(
            at(filed, 11, self.rng.randrange(60)), "appeal", lambda: self.appeal(violation_id, person, overturn)
        )

    def appeal(self, violation_id: UUID, person: Person, overturn: bool) -> None:
        violation = self.app.violation(violation_id)
        if violation.status != CONFIRMED:
            return
        outcome = self.do(
            self._current,
            self.app.file_appeal,
            person.actor,
            appellant_id=person.id,
            target_kind="violation",
            target_id=violation_id,
            grounds="当时正在为服务对象查询资料,并非违规 / I was looking up a client's file",
        )
        if outcome is None:
            return
        appeal_id = outcome.id
        assign = at(self.working_day(self._current.date(), 1), 9, self.rng.randrange(30))
        decide = self.working_day(
            assign.date(), self.rng.randint(1, 3) if self.rates.showcase else self.rng.randint(2, 6)
        )

        def assigned() -> None:
            self.do(self._current, self.app.assign_appeal_reviewer, MANAGER, appeal_id=appeal_id, reviewer=REVIEWER)

        def decided() -> None:
            result = self.do(
                self._current,
                self.app.decide_appeal,
                REVIEWER,
                appeal_id=appeal_id,
                outcome="overturned" if overturn else "upheld",
                reasons="调取录像核实,申诉理由成立 / the recording supports the appeal"
                if overturn
                else "证据充分,维持原认定 / the evidence stands",
            )
            if result is None:
                return
            for rescinded in [*result.extra["rescinded_admonishments"], *result.extra["rescinded_sanctions"]]:
                decision = self.decisions.get(rescinded)
                if decision is not None:
                    decision.rescinded = True
                    if decision.kind == "suspension" and decision.person.status == SUSPENDED:
                        decision.person.status = ON_POST

        self.schedule(assign, "appeal reviewer", assigned)
        self.schedule(at(decide, 15, self.rng.randrange(60)), "appeal decided", decided)

    # ── complaints, praise, commendations ────────────────────────────────────

    def complaint(self) -> None:
        when = self._current
        people = sorted(self.present(when), key=lambda p: p.staff_no)
        if not people:
            return
        person = self.pick_weighted(people, [1.0 + self.behaviour(p) for p in people])  # type: ignore[attr-defined]
        window = self.windows[person.window] if person.window else None
        if window is None:
            return
        outcome = self.do(
            when,
            self.app.record_complaint,
            OFFICE,
            channel=self.pick(("hotline", "online", "on_site")),
            window_id=window.id,
            staff_id=person.id,
            summary="办事群众反映窗口人员态度生硬",
        )
        if outcome is None:
            return
        verified = self.chance(self.rates.complaint_verified) and not person.scripted
        inspector = self.pick(self.profile.inspectors)
        check = at(self.working_day(when.date(), 1), 14, self.rng.randrange(60))

        def decided() -> None:
            if verified:
                self.do(
                    self._current,
                    self.app.verify_complaint,
                    inspector,
                    complaint_id=outcome.id,
                    finding="调取录像核实,反映属实",
                )
                found = self.do(
                    self._current + timedelta(minutes=5),
                    self.app.record_violation,
                    inspector,
                    rule="ART1.1",
                    item="three_greetings",
                    staff_id=person.id,
                    source="complaint",
                    evidence="投诉查实:接待时态度生硬,未做到问有答声 / verified complaint: curt manner",
                    evidence_refs=[f"complaint:{outcome.id}"],
                )
                if found is not None:
                    self.violations[found.id] = person
                    second = next((i for i in self.profile.inspectors if i != inspector), MANAGER)
                    self.schedule(
                        self._current + timedelta(hours=1), "verdict", lambda: self.verdict(found.id, second, True)
                    )
            else:
                self.do(
                    self._current,
                    self.app.find_complaint_unfounded,
                    inspector,
                    complaint_id=outcome.id,
                    reason="经核实,窗口人员已按规定解释说明",
                )

        self.schedule(check, "complaint checked", decided)

    def praise(self) -> None:
        when = self._current
        people = sorted((p for p in self.people.values() if p.on_post), key=lambda p: p.staff_no)
        if not people:
            return
        person = self.pick(people)
        kind = self.pick(("letter", "letter", "silk_banner", "online"))
        self.do(
            when,
            self.app.record_praise,
            MANAGER,
            kind=kind,
            staff_ids=[person.id],
            window_id=self.windows[person.window].id if person.window else None,
            from_organisation="营口某企业" if kind == "silk_banner" else "",
            note="感谢窗口热情周到、一次办好",
        )

    def publish_month(self, month: str) -> None:
        """考核发布 (ART11.1) of last month, then its 服务之星 and 红旗窗口 (ART11.2)."""
        if month in self.published:
            return
        self.published.add(month)
        self.catch_up()  # type: ignore[attr-defined]
        outcome = self.do(self._current, self.app.publish_assessment, MANAGER, period=month)
        if outcome is None:
            return
        self.catch_up()  # type: ignore[attr-defined]
        rows = self.query(
            "SELECT staff_id, total, violations FROM {t:assessment_monthly} WHERE period = ? "
            "ORDER BY total DESC, staff_id",
            (month,),
        )
        stars = [UUID(r[0]) for r in rows if int(r[2]) == 0 and UUID(r[0]) in self.by_id][: self.rates.service_stars]
        for n, staff_id in enumerate(stars):
            self.do(
                self._current + timedelta(minutes=10 + n),
                self.app.award_commendation,
                MANAGER,
                kind="service_star",
                title=f"{month} 服务之星",
                reason="月度考核成绩优秀,无违规记录",
                decision_ref=f"北海审批〔{month}〕表彰",
                staff_ids=[staff_id],
            )
        windows = self.query(
            "SELECT window_id FROM {t:assessment_windows} WHERE period = ? ORDER BY rank_hall, window_id", (month,)
        )
        for n, (window_id,) in enumerate(windows[: self.rates.red_flag_windows]):
            self.do(
                self._current + timedelta(minutes=20 + n),
                self.app.award_commendation,
                MANAGER,
                kind="red_flag_window",
                title=f"{month} 红旗窗口",
                reason="月度窗口考核排名前列",
                decision_ref=f"北海审批〔{month}〕表彰",
                window_id=UUID(window_id),
            )

    # ── rotations (ART8.2) ───────────────────────────────────────────────────

    def rotation(self) -> None:
        """A department rotates a seconded person out, with the committee's prior consent (ART8.2)."""
        when = self._current
        seconded = sorted(
            (p for p in self.people.values() if p.on_post and p.spec.employment == "seconded" and not p.scripted),
            key=lambda p: p.staff_no,
        )
        if not seconded:
            return
        person = self.pick(seconded)
        consent = self.do(
            when,
            self.app.record_committee_consent,
            COMMITTEE,
            staff_id=person.id,
            kind="replacement",
            decision_ref=f"北海管委〔{when:%Y}〕{self.hired + 30}号",
            note="派驻部门申请轮岗",
        )
        if consent is None:
            return
        self.hired += 1
        spec = StaffSpec(
            f"N{self.hired:03d}", staff_name(900 + self.hired), person.department, "seconded", None, when.date()
        )
        start = self.working_day(when.date(), 1)

        def replaced() -> None:
            successor = self.onboard(spec, self._current, post=False)  # type: ignore[attr-defined]
            done = self.do(
                self._current + timedelta(minutes=5),
                self.app.replace_staff,
                MANAGER,
                outgoing_id=person.id,
                successor_id=successor.id,
                start=start,
                consent_id=consent.extra["consent_id"],
            )
            if done is not None:
                successor.window, successor.status = person.window, ON_POST
                person.window, person.status = None, "off_post"
                self.plan_attendance(successor, start, earliest=self._current)  # type: ignore[attr-defined]
                self.transfer_custody(person, successor, self._current + timedelta(minutes=10))  # type: ignore[attr-defined]

        self.schedule(at(start, 8, 0), "replacement", replaced)
