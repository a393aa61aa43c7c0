"""The hall's service work (Article 2, ART7.2, ART7.6): first inquiries, applications and their
deadlines, one-time notices, consultations with sealed personal data, disclosure, 好差评."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

from domain.envelope import Actor
from service.simulation.base import Person, SimulatorBase, WindowState, at
from service.simulation.departments import Matter
from service.simulation.fake_data import company_name, person_name, phone_number
from service.simulation.profile import MANAGER, OFFICE, RATING_SYSTEM, WINDOW_LEAD

DESK_KINDS = ("department", "comprehensive")
BAD_LEVELS = ("dissatisfied", "very_dissatisfied")
ANSWERS = (
    ("disclosed", 0.55, None),
    ("already_public", 0.15, None),
    ("partially_disclosed", 0.10, "《中华人民共和国政府信息公开条例》第三十七条"),
    ("not_held", 0.08, None),
    ("not_this_agency", 0.05, None),
    ("withheld", 0.04, "《中华人民共和国政府信息公开条例》第十四条"),
    ("other_channel", 0.03, "《中华人民共和国政府信息公开条例》第三十六条第七项"),
)
EXTRA_MATERIALS = ("情况说明", "补充承诺书", "现场照片", "授权委托书")


@dataclass
class Case:
    id: UUID
    case_no: str
    matter: Matter
    window: WindowState
    staff: Person
    mode: str
    submitted: datetime
    missing: list[str] = field(default_factory=list)
    notices: list[list[str]] = field(default_factory=list)
    deadline: date | None = None


class ServiceDesk(SimulatorBase):
    def init_processes(self) -> None:
        super().init_processes()
        self.cases: dict[UUID, Case] = {}
        self.serial: dict[str, int] = {}
        #: clients whose personal data may be asked for again (consultations), and those erased
        self.clients: list[str] = []
        #: streams whose detected candidates have an explanation the inspectors accept (a
        #: completion keyed in late; a second notice the applicant's own change called for)
        self.explained: dict[UUID, str] = {}

    def next_no(self, kind: str) -> int:
        self.serial[kind] = self.serial.get(kind, 0) + 1
        return self.serial[kind]

    # ── the day's visitors ───────────────────────────────────────────────────

    def day_factor(self, day: date) -> float:
        rates, factor = self.rates, 1.0
        if day.weekday() == 0:
            factor *= rates.monday
        elif day.weekday() == 4:
            factor *= rates.friday
        if self.working_day(day, 2).month != day.month:
            factor *= rates.month_end
        if self.calendar.holiday_of(day - timedelta(days=1)) is not None:
            factor *= rates.after_holiday
        return factor

    def plan_services(self, day: date) -> None:
        rates, factor = self.rates, self.day_factor(day)
        for _ in range(self.count(rates.cases * factor)):
            self.schedule(self.opening_time(day), "application", self.new_case)
        for _ in range(self.count(rates.consultations * factor)):
            self.schedule(self.opening_time(day), "consultation", self.new_consultation)
        for _ in range(self.count(rates.hall_inquiries * factor)):
            self.schedule(self.opening_time(day), "inquiry", lambda: self.new_inquiry("hall"))
        for _ in range(self.count(rates.phone_inquiries * factor)):
            self.schedule(self.opening_time(day), "phone inquiry", lambda: self.new_inquiry("phone"))
        for _ in range(self.count(rates.disclosure_requests * factor) + self.occurs(0, 5, 0)):
            self.schedule(self.opening_time(day), "disclosure request", self.new_disclosure)
        for kind in self.profile.departments:
            if kind.code != "center" and self.chance(rates.publications_per_department_week / 5):
                self.schedule(
                    at(day, 16, self.rng.randrange(0, 50)), "publication", lambda k=kind.code: self.publish(k)
                )
        for _ in range(self.occurs(rates.erasures_per_month, 10, 1)):
            self.schedule(at(day, 16, self.rng.randrange(60)), "erasure", self.erase_client)

    def worker(self, window: WindowState, when: datetime, prefer: Person | None = None) -> Person | None:
        """Who handles it: ``prefer`` if at work, else a colleague at the window or of the department."""
        if prefer is not None and prefer.present(when) and prefer.window == window.code:
            return prefer
        here = self.staff_at(window.code, when)
        if here:
            return self.pick(sorted(here, key=lambda p: p.staff_no))
        colleagues = self.present(when, department=window.spec.department)
        return self.pick(sorted(colleagues, key=lambda p: p.staff_no)) if colleagues else None

    # ── applications (ART2.2, ART2.3, ART7.2, ART7.6) ────────────────────────

    def new_case(self) -> None:
        when = self._current
        # 60 % of the hall's cases are matters finished on the spot (即办件), the others committed
        spot = self.chance(self.rates.on_the_spot)
        desks = [
            w
            for w in self.windows.values()
            if w.spec.kind in DESK_KINDS
            and any(m.on_the_spot == spot for m in self.profile.department(w.spec.department).matters)
        ] or [w for w in self.windows.values() if w.spec.kind in DESK_KINDS]
        window = self.pick(desks)
        staff = self.worker(window, when)
        if staff is None:
            return  # nobody at that window just now: the visitor queues elsewhere
        matters = self.profile.department(window.spec.department).matters
        matter = self.pick([m for m in matters if m.on_the_spot == spot] or list(matters))
        mode, partners, reported_to = "general", [], None
        if not matter.on_the_spot:
            r = self.rng.random()
            rates = self.rates
            others = [d for c, d in self.departments.items() if c not in (window.spec.department, "center")]
            if r < rates.joint and others:
                mode, partners = "joint", [self.pick(others)]
            elif r < rates.joint + rates.upward:
                mode, reported_to = "upward", "营口市" + self.profile.department(window.spec.department).name_zh
            elif r < rates.joint + rates.upward + rates.urgent:
                mode = "urgent"
            else:
                mode = "complex"
        number = self.next_no("case")
        case_no = f"BH{when:%Y%m%d}{number:06d}"
        missing: list[str] = []
        if self.chance(self.rates.one_time_notice) and len(matter.materials) > 1:
            missing = self.rng.sample(list(matter.materials), k=self.rng.randint(1, min(3, len(matter.materials) - 1)))
        submitted = [m for m in matter.materials if m not in missing]
        outcome = self.do(
            when,
            self.app.submit_application,
            staff.actor,
            matter_code=matter.code,
            matter_name=matter.name_zh,
            mode=mode,
            window_id=window.id,
            staff_id=staff.id,
            applicant_ref=f"app-{number:06d}",
            materials=submitted,
            partner_department_ids=partners,
            reported_to=reported_to,
            case_no=case_no,
        )
        if outcome is None:
            return
        case = Case(outcome.id, case_no, matter, window, staff, mode, when, missing=missing)
        self.cases[case.id] = case
        later = when + timedelta(minutes=self.rng.randint(4, 15))
        if self.chance(self.rates.rejected):
            self.do(
                later,
                self.app.reject_application,
                staff.actor,
                case_id=case.id,
                reason="申请事项不属于本机关职权范围",
                legal_basis="《中华人民共和国行政许可法》第三十二条",
                remedies="可向有权机关申请",
            )
            return
        if missing:
            self.notice(case, later, missing)
            if self.chance(self.rates.resubmitted):
                back = self.working_day(when.date(), self.rng.randint(1, 10))
                self.schedule(self.opening_time(back), "resubmission", lambda: self.resubmit(case))
            return
        self.proceed(case, later)

    def notice(self, case: Case, when: datetime, missing: list[str]) -> None:
        matter = case.matter
        issuer = self.worker(case.window, when, case.staff)
        actor = issuer.actor if issuer else OFFICE
        self.do(
            when,
            self.app.issue_one_time_notice,
            actor,
            case_id=case.id,
            missing_materials=[{"name": m, "format": "原件及复印件", "quantity": 1} for m in missing],
            procedure=f"材料齐全后受理,{f'{matter.committed_days}个工作日内' if matter.committed_days else '当场'}办结",
            time_limit_working_days=matter.committed_days,
            fees=matter.fees,
            legal_basis=matter.legal_basis,
            materials_list_id=f"{matter.code}-CL-2026",
            issued_by=issuer.id if issuer else case.staff.id,
        )
        case.notices.append(missing)

    def resubmit(self, case: Case) -> None:
        when = self._current
        receiver = self.worker(case.window, when, case.staff)
        if receiver is None:
            back = self.working_day(when.date(), 1)
            self.schedule(self.opening_time(back), "resubmission", lambda: self.resubmit(case))
            return
        self.do(
            when,
            self.app.resubmit_materials,
            receiver.actor,
            case_id=case.id,
            materials=case.notices[-1],
            received_by=receiver.id,
        )
        later = when + timedelta(minutes=self.rng.randint(3, 10))
        tendency = self.tendency(case.staff)  # type: ignore[attr-defined]
        if len(case.notices) == 1 and self.chance(self.rates.second_notice * tendency):
            # a second notice: mostly what the first listed, brought incomplete again; sometimes
            # a material the first did not list (the detector flags ART2.2) — the clerk's
            # omission, or a change the applicant made to the application
            listed = list(case.notices[0])
            if self.chance(self.rates.second_notice_new):
                fresh = [m for m in case.matter.materials if m not in listed] or list(EXTRA_MATERIALS)
                if self.chance(self.rates.second_notice_explained):
                    self.explained[case.id] = (
                        "申请人变更了申请内容,新增材料系新情况所致 / the applicant changed the application"
                    )
                self.notice(case, later, [self.pick(fresh)])
            else:
                self.notice(case, later, [self.pick(listed)])
            back = self.working_day(when.date(), self.rng.randint(1, 5))
            self.schedule(self.opening_time(back), "resubmission", lambda: self.resubmit(case))
            return
        self.proceed(case, later)

    def proceed(self, case: Case, when: datetime) -> None:
        """Complete materials: finished on the spot, or accepted with a committed deadline."""
        staff = self.worker(case.window, when, case.staff) or case.staff
        actor = staff.actor if staff.present(when) else OFFICE
        matter = case.matter
        if matter.on_the_spot and case.mode == "general":
            self.do(
                when,
                self.app.complete_on_the_spot,
                actor,
                case_id=case.id,
                result="准予办理",
                result_ref=f"ZS-{case.case_no}",
                receipt_no=f"SL-{case.case_no}",
                completed_by=staff.id,
            )
            self.after_completion(case, staff, when, on_site=True)
            return
        days = max(1, matter.committed_days // 2) if case.mode == "urgent" else matter.committed_days
        accepted = self.do(
            when,
            self.app.accept_application,
            actor,
            case_id=case.id,
            committed_working_days=days,
            receipt_no=f"SL-{case.case_no}",
            accepted_by=staff.id,
        )
        if accepted is None:
            return
        deadline: date = accepted.extra["committed_deadline"]
        case.deadline, case.staff = deadline, staff
        self.plan_completion(case, when.date(), deadline, days)

    def plan_completion(self, case: Case, accepted: date, deadline: date, days: int) -> None:
        rates, r = self.rates, self.rng.random()
        tendency = self.tendency(case.staff)  # type: ignore[attr-defined]
        r /= max(tendency, 1e-9)
        if tendency > 0 and self.showcase("overdue"):
            r = 0.0
        elif tendency > 0 and self.showcase("late_entry"):
            r = rates.overdue
        elif days > 1 and self.showcase("extended"):
            r = rates.overdue + rates.late_entry
        elif days > 1 and self.showcase("case_suspended"):
            r = rates.overdue + rates.late_entry + rates.extended
        if r < rates.overdue:
            finish = self.working_day(deadline, self.rng.randint(1, 3))
            self.schedule(self.opening_time(finish), "completion (late)", lambda: self.complete(case))
        elif r < rates.overdue + rates.late_entry:
            # finished on the deadline, keyed in only two working days later (a data-entry slip):
            # the day close in between sees the case open past its deadline
            finish = self.working_day(deadline, 2)
            valid = at(deadline, 16, self.rng.randrange(0, 55))
            self.explained[case.id] = (
                "系办结信息录入滞后,实际已按期办结,不予认定 / a data-entry delay: finished in time"
            )
            self.schedule(
                at(finish, 8, 10 + self.rng.randrange(0, 20)),
                "completion (keyed late)",
                lambda: self.complete(case, valid=valid),
            )
        elif r < rates.overdue + rates.late_entry + rates.extended and days > 1:
            ask = self.working_day(accepted, self.rng.randint(1, days - 1))
            self.schedule(at(ask, 10, self.rng.randrange(0, 50)), "extension", lambda: self.extend(case))
        elif r < rates.overdue + rates.late_entry + rates.extended + rates.suspended and days > 1:
            stop = self.working_day(accepted, self.rng.randint(1, days - 1))
            self.schedule(at(stop, 11, self.rng.randrange(0, 25)), "case suspended", lambda: self.suspend_case(case))
        else:
            # anywhere within the committed limit; 30 % well ahead of it (ART2.3 提前办结)
            latest = max(1, days // 2) if self.chance(rates.early) else days
            finish = self.working_day(accepted, self.rng.randint(1, latest))
            self.schedule(self.opening_time(finish), "completion", lambda: self.complete(case))

    def extend(self, case: Case) -> None:
        when = self._current
        self.worker(case.window, when, case.staff)  # drawn as before: the seeded stream stays the same
        # approved by an authenticated leader, who records it (issue 10: never a typed-in name)
        outcome = self.do(
            when,
            self.app.extend_case_deadline,
            WINDOW_LEAD,
            case_id=case.id,
            extra_working_days=self.rng.randint(3, 10),
            reason="需现场核查,经批准延长办理时限",
        )
        if outcome is not None:
            case.deadline = outcome.extra["committed_deadline"]
            assert case.deadline is not None
            span = self.calendar.working_days_between(when.date(), case.deadline)
            finish = self.working_day(when.date(), self.rng.randint(1, max(1, span)))
            self.schedule(self.opening_time(finish), "completion", lambda: self.complete(case))

    def suspend_case(self, case: Case) -> None:
        when = self._current
        self.worker(case.window, when, case.staff)  # drawn as before: the seeded stream stays the same
        self.do(
            when,
            self.app.suspend_case,
            WINDOW_LEAD,  # the approving leader records it (issue 10)
            case_id=case.id,
            reason="组织专家评审,评审期间不计入办理时限",
        )
        back = self.working_day(when.date(), self.rng.randint(2, 6))
        self.schedule(at(back, 9, self.rng.randrange(0, 50)), "case resumed", lambda: self.resume_case(case))

    def resume_case(self, case: Case) -> None:
        when = self._current
        staff = self.worker(case.window, when, case.staff)
        outcome = self.do(
            when, self.app.resume_case, staff.actor if staff else OFFICE, case_id=case.id, note="专家评审完成,恢复计时"
        )
        if outcome is not None:
            case.deadline = outcome.extra["committed_deadline"]
            assert case.deadline is not None
            finish = self.working_day(
                when.date(), self.rng.randint(1, max(1, self.calendar.working_days_between(when.date(), case.deadline)))
            )
            self.schedule(self.opening_time(min(finish, case.deadline)), "completion", lambda: self.complete(case))

    def complete(self, case: Case, valid: datetime | None = None) -> None:
        when = valid or self._current
        staff = self.worker(case.window, when, case.staff) or case.staff
        actor = staff.actor if staff.present(when) else OFFICE
        self.do(
            when,
            self.app.complete_case,
            actor,
            case_id=case.id,
            result="准予许可",
            result_ref=f"XK-{case.case_no}",
            completed_by=staff.id,
        )
        self.after_completion(case, staff, self._current, on_site=False)

    def after_completion(self, case: Case, staff: Person, when: datetime, *, on_site: bool) -> None:
        if not self.chance(self.rates.rated):
            return
        rated = when + timedelta(minutes=self.rng.randint(1, 4) if on_site else self.rng.randint(30, 240))
        # 差评 follow the person's service: the hall's bad share, scaled by their tendency
        bad = [(lv, w) for lv, w in self.rates.levels if lv in BAD_LEVELS]
        rest = [(lv, w) for lv, w in self.rates.levels if lv not in BAD_LEVELS]
        bad_share = sum(w for _, w in bad) * self.tendency(staff, deterred=False)  # type: ignore[attr-defined]
        pool = bad if self.chance(bad_share) or (bad_share > 0 and self.showcase("bad_rating")) else rest
        level = self.pick_weighted([lv for lv, _ in pool], [w for _, w in pool])
        self.schedule(rated, "rating", lambda: self.rate(case, staff, level, "on_site" if on_site else "online"))

    def rate(self, case: Case, staff: Person, level: str, channel: str) -> None:
        when = self._current
        ref = f"HCP-{case.case_no}"
        outcome = self.do(
            when,
            self.app.record_rating,
            RATING_SYSTEM,
            ref=ref,
            level=level,
            channel=channel,
            window_id=case.window.id,
            staff_id=staff.id,
            case_id=case.id,
        )
        if outcome is None or level not in BAD_LEVELS:
            return
        if self.chance(self.rates.contested):
            contest = self.working_day(when.date(), 1)
            self.schedule(
                at(contest, 10, self.rng.randrange(60)), "rating contested", lambda: self.contest(outcome.id, staff)
            )

    def contest(self, rating_id: UUID, staff: Person) -> None:
        when = self._current
        grounds = self.pick(("mistaken", "malicious"))
        statement = {
            "mistaken": "评价人误按评价器按键,现场已当面致歉确认",
            "malicious": "办事人因材料不全被告知补正后恶意差评",
        }[grounds]
        self.contest_rating(rating_id, staff, grounds, statement, when)

    def contest_rating(self, rating_id: UUID, staff: Person, grounds: str, statement: str, when: datetime) -> None:
        self.do(when, self.app.contest_rating, staff.actor, rating_id=rating_id, grounds=grounds, statement=statement)
        review = self.working_day(when.date(), self.rng.randint(1, 3))
        exclude = self.chance(self.rates.excluded)
        self.schedule(
            at(review, 15, self.rng.randrange(60)), "rating reviewed", lambda: self.review_rating(rating_id, exclude)
        )

    def review_rating(self, rating_id: UUID, exclude: bool) -> None:
        when = self._current
        if exclude:
            self.do(
                when,
                self.app.exclude_rating,
                MANAGER,
                rating_id=rating_id,
                reason="经调取录像核实,评价与办理情况不符,予以剔除",
            )
        else:
            self.do(when, self.app.uphold_rating, MANAGER, rating_id=rating_id, reason="经核实,评价属实,维持")

    # ── first inquiries (ART2.1) ─────────────────────────────────────────────

    def new_inquiry(self, channel: str) -> None:
        when = self._current
        people = sorted(self.present(when), key=lambda p: p.staff_no)
        if not people:
            return
        responder = self.pick(people)
        n = self.next_no("inquiry")
        rates, r = self.rates, self.rng.random()
        own = self.profile.department(responder.department).matters
        if r < rates.handed_over:
            others = [
                w
                for w in self.windows.values()
                if w.spec.kind in DESK_KINDS and w.spec.department != responder.department
            ]
            target = self.pick(others) if others else None
            receiver = self.worker(target, when) if target else None
            if target is None or receiver is None:
                r = 1.0  # nobody to hand over to: handled by the responder
            else:
                topic = self.pick(self.profile.department(target.spec.department).matters).name_zh
        if r >= rates.handed_over:
            topic = self.pick(own).name_zh
        opened = self.do(
            when,
            self.app.open_inquiry,
            responder.actor,
            channel=channel,
            first_responder_id=responder.id,
            client_ref=f"inq-{n:06d}",
            topic=f"咨询{topic}",
        )
        if opened is None:
            return
        inquiry = opened.id
        step = when + timedelta(minutes=self.rng.randint(2, 12))
        if r < rates.handed_over:
            assert target is not None and receiver is not None
            self.do(
                step,
                self.app.hand_over_inquiry,
                responder.actor,
                inquiry_id=inquiry,
                contact_method="escorted" if channel == "hall" else "phone",
                contacted=f"{receiver.name}({target.code})",
                to_window_id=target.id,
                to_staff_id=receiver.id,
            )
            later = step + timedelta(minutes=self.rng.randint(10, 50))
            if self.chance(0.6):
                self.do(
                    later,
                    self.app.handle_inquiry,
                    receiver.actor,
                    inquiry_id=inquiry,
                    outcome="已受理并答复",
                    handled_by=receiver.id,
                )
            else:
                self.do(
                    later,
                    self.app.communicate_inquiry_result,
                    responder.actor,
                    inquiry_id=inquiry,
                    result=f"已由{target.spec.name_zh}受理",
                    channel="phone" if channel == "phone" else "in_person",
                )
            self.do(later + timedelta(minutes=1), self.app.close_inquiry, responder.actor, inquiry_id=inquiry)
        elif r < rates.handed_over + rates.escalated:
            self.do(
                step,
                self.app.escalate_inquiry,
                responder.actor,
                inquiry_id=inquiry,
                leader="中心副主任 孟凡",
                reason="涉及多个部门职责,责任不明确",
            )
            result_at = step + timedelta(hours=self.rng.randint(1, 3))
            self.schedule(result_at, "inquiry result", lambda: self.inquiry_result(inquiry, responder))
        else:
            self.do(step, self.app.handle_inquiry, responder.actor, inquiry_id=inquiry, outcome="当场解答")
            self.do(step + timedelta(minutes=1), self.app.close_inquiry, responder.actor, inquiry_id=inquiry)

    def inquiry_result(self, inquiry: UUID, responder: Person) -> None:
        when = self._current
        actor: Actor = responder.actor if responder.on_post else OFFICE
        self.do(
            when,
            self.app.communicate_inquiry_result,
            actor,
            inquiry_id=inquiry,
            result="经中心协调,已明确由牵头部门办理并告知办理方式",
            channel="phone",
            communicated_by=responder.id,
        )
        self.do(when + timedelta(minutes=1), self.app.close_inquiry, actor, inquiry_id=inquiry)

    # ── consultations (ART2.5) ───────────────────────────────────────────────

    def new_consultation(self) -> None:
        when = self._current
        desk = [w for w in self.windows.values() if w.spec.kind == "consultation"]
        staff = None
        for window in desk:
            staff = self.worker(window, when)
            if staff is not None:
                break
        if staff is None:
            center = sorted(self.present(when, department="center"), key=lambda p: p.staff_no)
            if not center:
                return
            staff = self.pick(center)
        n = self.next_no("consultation")
        returning = self.clients and self.chance(0.1)
        client = self.pick(self.clients) if returning else f"cst-{n:06d}"
        kind = self.pick([k for k in self.profile.departments if k.code != "center"])
        matter = self.pick(kind.matters)
        organisation = company_name(self.rng) if self.chance(0.6) else None
        outcome = self.do(
            when,
            self.app.record_consultation,
            staff.actor,
            staff_id=staff.id,
            client_name=person_name(self.rng),
            client_contact=phone_number(self.rng),
            client_organisation=organisation,
            matter=f"{matter.name_zh}需要哪些材料",
            details=f"拟办理{matter.name_zh},咨询办理条件、材料和时限",
            matter_code=matter.code,
            client_ref=client,
            channel=self.pick(("desk", "desk", "phone")),
            window_id=staff.window and self.windows[staff.window].id,
        )
        if outcome is None:
            return
        if not returning:
            self.clients.append(client)
        consultation, later = outcome.id, when + timedelta(minutes=self.rng.randint(3, 15))
        rates, r = self.rates, self.rng.random()
        if r < rates.referred:
            self.do(
                later,
                self.app.refer_consultation,
                staff.actor,
                consultation_id=consultation,
                where=f"营口市{kind.name_zh}政务服务窗口",
                how="现场咨询或拨打12345政务服务便民热线",
            )
        elif r < rates.referred + rates.out_of_scope:
            self.do(
                later,
                self.app.explain_out_of_scope,
                staff.actor,
                consultation_id=consultation,
                kind=self.pick(("no_longer_accepted", "not_hall_business")),
                reason="该事项已调整至市级办理,本中心不再受理",
            )
        elif r < rates.referred + rates.out_of_scope + rates.handling_limits:
            self.do(
                later,
                self.app.explain_handling_limits,
                staff.actor,
                consultation_id=consultation,
                kind=self.pick(("cannot_be_handled_in_time", "formalities_incomplete")),
                reason="前置审批手续尚未办结",
                guidance="请先办理前置审批,取得批准文件后再行申请",
            )
        else:
            self.do(
                later,
                self.app.answer_consultation,
                staff.actor,
                consultation_id=consultation,
                answer=f"已告知{matter.name_zh}的办理条件、所需材料({'、'.join(matter.materials)})和承诺时限",
                service_notice_ref=f"FWGZ-{matter.code}",
            )

    def erase_client(self) -> None:
        """个人信息删除 (PIPL §47): a client asks for their reception records' personal data to go."""
        when = self._current
        if not self.clients:
            return
        client = self.clients.pop(self.rng.randrange(len(self.clients)))
        self.do(
            when,
            self.app.erase_personal_data,
            MANAGER,
            subject=client,
            reason="本人申请删除个人信息(《个人信息保护法》第四十七条)",
        )

    # ── disclosure (ART2.4) ──────────────────────────────────────────────────

    def new_disclosure(self) -> None:
        when = self._current
        desks = [w for w in self.windows.values() if w.spec.kind == "department"]
        window = self.pick(desks)
        staff = self.worker(window, when)
        if staff is None:
            return
        n = self.next_no("disclosure")
        kind = self.profile.department(window.spec.department)
        outcome = self.do(
            when,
            self.app.receive_disclosure_request,
            staff.actor,
            received_by=staff.id,
            requester_ref=f"req-{n:05d}",
            description=f"申请公开{kind.name_zh}{when.year - 1}年度行政许可办理情况",
            channel=self.pick(("in_person", "online", "online", "post")),
        )
        if outcome is None:
            return
        request, deadline = outcome.id, outcome.extra["deadline"]
        rates, r = self.rates, self.rng.random()
        day = when.date()
        if r < rates.disclosure_correction:
            ask = self.working_day(day, self.rng.randint(1, 3))
            self.schedule(
                at(ask, 10, self.rng.randrange(60)),
                "disclosure correction",
                lambda: self.disclosure_correction(request, window, staff),
            )
        elif r < rates.disclosure_correction + rates.disclosure_extended:
            ask = self.working_day(day, self.rng.randint(12, 17))
            self.schedule(
                at(ask, 10, self.rng.randrange(60)),
                "disclosure extended",
                lambda: self.disclosure_extend(request, window, staff),
            )
        elif r < rates.disclosure_correction + rates.disclosure_extended + rates.disclosure_late:
            answer = self.working_day(deadline, self.rng.randint(1, 3))
            self.schedule(
                at(answer, 15, self.rng.randrange(60)),
                "disclosure answer (late)",
                lambda: self.disclosure_answer(request, window, staff),
            )
        else:
            answer = self.working_day(day, self.rng.randint(2, 18))
            self.schedule(
                at(min(answer, deadline), 15, self.rng.randrange(60)),
                "disclosure answer",
                lambda: self.disclosure_answer(request, window, staff),
            )

    def disclosure_correction(self, request: UUID, window: WindowState, staff: Person) -> None:
        when = self._current
        clerk = self.worker(window, when, staff)
        actor = clerk.actor if clerk else OFFICE
        due = when.date() + timedelta(days=15)
        self.do(
            when,
            self.app.request_disclosure_correction,
            actor,
            request_id=request,
            items=["所需信息的名称、文号或者便于查询的其他特征性描述"],
            correction_due=due,
        )
        if self.chance(self.rates.disclosure_abandoned):
            gone = self.working_day(due, 1)
            self.schedule(
                at(gone, 9, 30),
                "disclosure abandoned",
                lambda: self.do(self._current, self.app.abandon_disclosure_request, OFFICE, request_id=request),
            )
            return
        back = self.working_day(when.date(), self.rng.randint(2, 6))

        def corrected() -> None:
            outcome = self.do(self._current, self.app.receive_disclosure_correction, actor, request_id=request)
            if outcome is not None:
                answer = self.working_day(self._current.date(), self.rng.randint(3, 15))
                self.schedule(
                    at(min(answer, outcome.extra["deadline"]), 15, self.rng.randrange(60)),
                    "disclosure answer",
                    lambda: self.disclosure_answer(request, window, staff),
                )

        self.schedule(at(back, 10, self.rng.randrange(60)), "disclosure corrected", corrected)

    def disclosure_extend(self, request: UUID, window: WindowState, staff: Person) -> None:
        when = self._current
        self.worker(window, when, staff)  # drawn as before: the seeded stream stays the same
        outcome = self.do(
            when,
            self.app.extend_disclosure,
            OFFICE,  # the disclosure office's head approves and records it (Art. 33; issue 10)
            request_id=request,
            extra_working_days=self.rng.randint(5, 20),
            reason="需要征求第三方意见",
        )
        if outcome is not None:
            answer = outcome.extra["deadline"]
            self.schedule(
                at(answer, 14, self.rng.randrange(60)),
                "disclosure answer",
                lambda: self.disclosure_answer(request, window, staff),
            )

    def disclosure_answer(self, request: UUID, window: WindowState, staff: Person) -> None:
        when = self._current
        clerk = self.worker(window, when, staff)
        outcomes = [a for a, _, _ in ANSWERS]
        outcome = self.pick_weighted(outcomes, [w for _, w, _ in ANSWERS])
        basis = next(b for a, _, b in ANSWERS if a == outcome)
        self.do(
            when,
            self.app.answer_disclosure_request,
            clerk.actor if clerk else OFFICE,
            request_id=request,
            outcome=outcome,
            summary="已按申请内容书面答复",
            legal_basis=basis,
            answered_by=clerk.id if clerk else staff.id,
        )

    def publish(self, department: str) -> None:
        when = self._current
        people = sorted(self.present(when, department=department), key=lambda p: p.staff_no)
        if not people:
            return
        staff = self.pick(people)
        n = self.next_no("publication")
        category = self.pick(("business", "progress", "policy_explanation"))
        titles = {"business": "办事指南更新", "progress": "本周办件进度公示", "policy_explanation": "新政策解读"}
        outcome = self.do(
            when,
            self.app.publish_information,
            staff.actor,
            staff_id=staff.id,
            category=category,
            title=f"{self.profile.department(department).name_zh}{titles[category]}",
            reference=f"ZWGK-{department}-{n:05d}",
        )
        if outcome is not None and self.chance(self.rates.publications_withdrawn):
            later = at(self.working_day(when.date(), self.rng.randint(1, 3)), 9, self.rng.randrange(60))
            reason = "内容已过时,更新后重新发布 / out of date, republished"
            self.schedule(
                later,
                "publication withdrawn",
                lambda: self.do(
                    self._current, self.app.withdraw_publication, OFFICE, publication_id=outcome.id, reason=reason
                ),
            )
