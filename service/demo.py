"""``hall-ledger demo``: the small demo hall simulated for four weeks, with a storyline, and a
bilingual summary folded from the log and the read models.

The hall's ordinary life comes from the simulator (``service.simulation``, demo profile):
visitors, inquiries, applications, one-time notices, consultations, attendance, duty, asset
moves, inspection rounds, ratings, detected candidates confirmed or dismissed, decisions as
the escalation read model calls for them. Over it the story scripts what a reader should see:

- 赵磊 leaves a first inquiry unhandled (ART2.1; the detector flags it) → admonished, remedy
  ordered; after the warning he fails another inquiry (ART2.1.2) → suspended from post (待岗)
  → reinstated after retraining;
- 陈晨's second one-time notice asks for a new material (ART2.2; detected) → confirmed, then
  revoked on review (the applicant had changed the project);
- 周杰 issues a licence with a wrong address (ART2.5.3) → admonished, remedy completed;
- the tax bureau replaces 郑浩: refused without the committee's consent (ART8.2), done once
  the committee consents;
- 蒋伟 takes an "express fee" (ART6.3, serious) → the committee suspends him at once.

Everything is recorded through ``HallLedger`` commands on a simulated clock, so the demo
ledger is an ordinary ledger. A second run on the same store writes nothing and prints the
summary of what is there.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from rich.console import Console
from rich.table import Table

from domain import ids
from domain.envelope import CHINA_STANDARD_TIME, Actor
from domain.rules import current_catalogue
from projections.registry import all_models
from projections.runner import ProjectionRunner
from service.application import HallLedger
from service.eventlog import iter_events
from service.simulation import HallSimulator, SimClock, Story, demo_profile
from service.simulation.base import at
from service.simulation.profile import COMMITTEE, MANAGER, StaffSpec

DEMO_DAYS = 20  # four weeks of working days
DEMO_SEED = 7
INSPECTOR = Actor("insp-li", "inspector")
INSPECTOR_2 = Actor("insp-wu", "inspector")

#: a department's window staff the story needs at work on its days
SCRIPTED = frozenset({"S003", "S005", "S007", "S009", "S012"})


class DemoStory(Story):
    """The storyline laid over the simulated demo hall (days are working days of the run)."""

    scripted = SCRIPTED

    def __init__(self) -> None:
        self.ref: dict[str, Any] = {}

    def on_day(self, sim: HallSimulator, index: int, day: date) -> None:
        plan = {
            0: self.unhandled_inquiry,
            1: self.inquiry_handled_late,
            5: self.first_notice,
            6: self.second_notice,
            7: self.repeat_after_warning,
            8: self.review,
            9: self.wrong_licence,
            12: self.replacement_refused,
            13: self.replacement,
            16: self.unauthorised_fee,
        }
        if index in plan:
            plan[index](sim, day)

    # ── 赵磊: ART2.1 → admonishment → ART2.1.2 after the warning → suspension ──

    def unhandled_inquiry(self, sim: HallSimulator, day: date) -> None:
        def asked() -> None:
            zhao = sim.people["S003"]
            outcome = sim.do(
                sim._current,
                sim.app.open_inquiry,
                zhao.actor,
                channel="hall",
                first_responder_id=zhao.id,
                client_ref="inq-story-0001",
                topic="咨询企业变更登记需要哪些材料",
            )
            assert outcome is not None
            self.ref["inquiry"] = outcome.id  # nobody handles it: the detector flags ART2.1

        sim.schedule(at(day, 10, 15), "story: inquiry left unhandled", asked)

    def inquiry_handled_late(self, sim: HallSimulator, day: date) -> None:
        def handled() -> None:
            zhao = sim.people["S003"]
            sim.do(
                sim._current,
                sim.app.handle_inquiry,
                zhao.actor,
                inquiry_id=self.ref["inquiry"],
                outcome="次日回访当事人并告知变更登记材料",
            )
            sim.do(
                sim._current + timedelta(minutes=1), sim.app.close_inquiry, zhao.actor, inquiry_id=self.ref["inquiry"]
            )

        sim.schedule(at(day, 10, 0), "story: inquiry handled a day late", handled)

    def repeat_after_warning(self, sim: HallSimulator, day: date) -> None:
        def handed_over() -> None:
            zhao = sim.people["S003"]
            receivers = sim.staff_at("W07", sim._current) or sim.staff_at("W08", sim._current)
            receiver = min(receivers, key=lambda p: p.staff_no)
            opened = sim.do(
                sim._current,
                sim.app.open_inquiry,
                zhao.actor,
                channel="hall",
                first_responder_id=zhao.id,
                client_ref="inq-story-0002",
                topic="咨询企业跨区域涉税事项报告",
            )
            assert opened is not None
            self.ref["inquiry2"] = opened.id
            sim.do(
                sim._current + timedelta(minutes=3),
                sim.app.hand_over_inquiry,
                zhao.actor,
                inquiry_id=opened.id,
                contact_method="phone",
                contacted=f"{receiver.name}({receiver.window})",
                to_window_id=sim.windows[receiver.window or "W07"].id,
            )

        def complaint() -> None:
            zhao = sim.people["S003"]
            found = sim.do(
                sim._current,
                sim.app.record_violation,
                INSPECTOR,
                rule="ART2.1.2",
                item="result_not_communicated",
                staff_id=zhao.id,
                source="complaint",
                evidence="群众投诉:转办后始终未被告知处理结果 / handed over, the client was never told the result",
                evidence_refs=["12345:2026-story-02"],
            )
            assert found is not None
            sim.violations[found.id] = zhao
            sim.schedule(
                sim._current + timedelta(minutes=50), "story: verdict", lambda: sim.verdict(found.id, INSPECTOR_2, True)
            )

        sim.schedule(at(day, 14, 20), "story: handed over, result never told", handed_over)
        sim.schedule(at(day, 15, 40), "story: the client complains", complaint)

    # ── 陈晨: a second notice (ART2.2, detected) → confirmed → revoked on review ──

    def first_notice(self, sim: HallSimulator, day: date) -> None:
        def submitted() -> None:
            chen = sim.people["S009"]
            window = sim.windows["W11"]
            outcome = sim.do(
                sim._current,
                sim.app.submit_application,
                chen.actor,
                matter_code="HSG-01",
                matter_name="建筑工程施工许可",
                mode="complex",
                window_id=window.id,
                staff_id=chen.id,
                applicant_ref="app-story-0001",
                case_no="BH-STORY-0001",
                materials=["施工许可申请表", "用地批准手续", "中标通知书", "安全施工措施资料"],
            )
            assert outcome is not None
            self.ref["case"] = outcome.id
            sim.do(
                sim._current + timedelta(minutes=8),
                sim.app.issue_one_time_notice,
                chen.actor,
                case_id=outcome.id,
                missing_materials=[{"name": "施工图审查合格书", "format": "原件", "quantity": 1}],
                procedure="材料齐全后受理,7个工作日内办结",
                time_limit_working_days=7,
                fees="不收费",
                legal_basis="《建筑工程施工许可管理办法》",
                materials_list_id="HSG-01-CL-2026",
            )

        sim.schedule(at(day, 10, 20), "story: first notice", submitted)

    def second_notice(self, sim: HallSimulator, day: date) -> None:
        def again() -> None:
            chen = sim.people["S009"]
            case = self.ref["case"]
            sim.do(sim._current, sim.app.resubmit_materials, chen.actor, case_id=case, materials=["施工图审查合格书"])
            sim.do(
                sim._current + timedelta(minutes=6),
                sim.app.issue_one_time_notice,
                chen.actor,
                case_id=case,
                missing_materials=[{"name": "消防设计审查意见", "format": "原件", "quantity": 1}],
                procedure="材料齐全后受理,7个工作日内办结",
                time_limit_working_days=7,
                fees="不收费",
                legal_basis="《建筑工程施工许可管理办法》",
                materials_list_id="HSG-01-CL-2026",
            )

        def complete() -> None:
            chen = sim.people["S009"]
            case = self.ref["case"]
            sim.do(sim._current, sim.app.resubmit_materials, chen.actor, case_id=case, materials=["消防设计审查意见"])
            sim.do(
                sim._current + timedelta(minutes=5),
                sim.app.accept_application,
                chen.actor,
                case_id=case,
                committed_working_days=7,
                receipt_no="SL-BH-STORY-0001",
            )

        def finished() -> None:
            chen = sim.people["S009"]
            sim.do(sim._current, sim.app.complete_case, chen.actor, case_id=self.ref["case"], result="准予许可",
                   result_ref="XK-BH-STORY-0001")  # fmt: skip

        sim.schedule(at(day, 11, 5), "story: second notice", again)
        sim.schedule(at(sim.working_day(day, 1), 14, 0), "story: materials complete", complete)
        sim.schedule(at(sim.working_day(day, 5), 15, 0), "story: permit issued", finished)

    def review(self, sim: HallSimulator, day: date) -> None:
        def revoked() -> None:
            found = [v for v, p in sim.violations.items() if p.staff_no == "S009"]
            for violation in found:
                if sim.app.violation(violation).status == "confirmed":
                    sim.do(
                        sim._current,
                        sim.app.revoke_violation,
                        MANAGER,
                        violation_id=violation,
                        reason="复核:申请人变更了建设内容,新增材料系新情况所致 / "
                        "on review: the applicant changed the project; the new material follows from that",
                    )

        def told() -> None:
            sun = sim.people["S004"]
            sim.do(
                sim._current,
                sim.app.communicate_inquiry_result,
                sun.actor,
                inquiry_id=self.ref["inquiry2"],
                result="已由税务窗口受理,告知办理结果",
                channel="phone",
                communicated_by=sun.id,
            )
            sim.do(
                sim._current + timedelta(minutes=1), sim.app.close_inquiry, sun.actor, inquiry_id=self.ref["inquiry2"]
            )

        sim.schedule(at(day, 9, 0), "story: notice finding revoked", revoked)
        sim.schedule(at(day, 10, 30), "story: the result is told at last", told)

    # ── 周杰: a wrong licence (ART2.5.3) → admonished, remedy completed ──

    def wrong_licence(self, sim: HallSimulator, day: date) -> None:
        def found() -> None:
            zhou = sim.people["S005"]
            outcome = sim.do(
                sim._current,
                sim.app.record_violation,
                INSPECTOR,
                rule="ART2.5.3",
                item="document_error",
                staff_id=zhou.id,
                source="supervision",
                evidence="许可证书地址书写错误 / wrong address on a licence",
                evidence_refs=["XK-2026-0917"],
            )
            assert outcome is not None
            sim.violations[outcome.id] = zhou
            sim.schedule(
                sim._current + timedelta(minutes=90),
                "story: verdict",
                lambda: sim.verdict(outcome.id, INSPECTOR_2, True),
            )

        sim.schedule(at(day, 10, 0), "story: wrong licence", found)

    # ── 郑浩 replaced: refused without consent (ART8.2), then done ──

    def replacement_refused(self, sim: HallSimulator, day: date) -> None:
        def refused() -> None:
            han = sim.onboard(StaffSpec("S013", "韩冰", "tax", "seconded", None, day), sim._current, post=False)
            han.scripted = True
            self.ref["han"] = han
            sim.do(
                sim._current + timedelta(minutes=5),
                sim.app.replace_staff,
                MANAGER,
                outgoing_id=sim.people["S007"].id,
                successor_id=han.id,
                start=day,
                expect_refusal=True,
            )

        def consent() -> None:
            outcome = sim.do(
                sim._current,
                sim.app.record_committee_consent,
                COMMITTEE,
                staff_id=sim.people["S007"].id,
                kind="replacement",
                decision_ref="北海管委〔2026〕31号",
                note="税务局申请轮岗 / rotation requested by the tax bureau",
            )
            assert outcome is not None
            self.ref["consent"] = outcome.extra["consent_id"]

        sim.schedule(at(day, 9, 0), "story: replacement refused", refused)
        sim.schedule(at(day, 11, 0), "story: committee consents", consent)

    def replacement(self, sim: HallSimulator, day: date) -> None:
        def replaced() -> None:
            zheng, han = sim.people["S007"], self.ref["han"]
            sim.do(
                sim._current,
                sim.app.replace_staff,
                MANAGER,
                outgoing_id=zheng.id,
                successor_id=han.id,
                start=day,
                consent_id=self.ref["consent"],
            )
            han.window, han.status = zheng.window, "on_post"
            zheng.window, zheng.status = None, "off_post"
            sim.transfer_custody(zheng, han, sim._current + timedelta(minutes=5))
            sim.plan_attendance(han, day, earliest=sim._current)

        sim.schedule(at(day, 8, 0), "story: replaced with consent", replaced)

    # ── 蒋伟: an unauthorised fee (ART6.3, serious) → suspended at once ──

    def unauthorised_fee(self, sim: HallSimulator, day: date) -> None:
        def found() -> None:
            jiang = sim.people["S012"]
            outcome = sim.do(
                sim._current,
                sim.app.record_violation,
                INSPECTOR,
                rule="ART6.3",
                item="unauthorised_fee",
                staff_id=jiang.id,
                source="complaint",
                evidence="收取“加急费”200元,无收费依据 / took a 200 CNY 'express fee' with no legal basis",
                evidence_refs=["12345:2026-story-03"],
            )
            assert outcome is not None
            sim.violations[outcome.id] = jiang
            self.ref["fee"] = outcome.id
            sim.schedule(
                sim._current + timedelta(minutes=80),
                "story: verdict",
                lambda: sim.verdict(outcome.id, INSPECTOR_2, True),
            )

        def suspended() -> None:
            sim.suspend(sim.people["S012"], [self.ref["fee"]], actor=COMMITTEE, indefinite=True)

        sim.schedule(at(day, 15, 40), "story: unauthorised fee", found)
        sim.schedule(at(day, 17, 30), "story: suspended at once", suspended)


def run_demo(app: HallLedger, *, seed: int = DEMO_SEED, days: int = DEMO_DAYS) -> bool:
    """Simulate the demo hall unless the store already holds it. Returns True when built."""
    if app.exists(ids.department_id(app.settings.hall_id, "market")):
        return False
    if not isinstance(app.clock, SimClock):
        raise TypeError("the demo records on a SimClock")
    HallSimulator(app, demo_profile(), seed=seed, story=DemoStory()).run(days)
    return True


def demo_clock() -> SimClock:
    return SimClock(datetime(2024, 1, 1, tzinfo=CHINA_STANDARD_TIME))


# ── the summary, folded from the log (and the read models for people) ───────


@dataclass
class PersonLine:
    staff_no: str
    name: str
    department: str
    window: str
    status: str
    confirmed: int = 0
    ladder: str = "—"
    score: str = "—"


@dataclass
class Summary:
    hall: tuple[str, str] = ("", "")
    events: int = 0
    first_day: date | None = None
    last_day: date | None = None
    people: dict[UUID, PersonLine] = field(default_factory=dict)
    by_article: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    decisions: list[tuple[datetime, str, str, str]] = field(default_factory=list)
    #: (detector family, rule and item) → resolution counts
    candidates: dict[tuple[str, str], Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    figures: Counter[str] = field(default_factory=Counter)
    month: str = ""


STATUS_TEXT = {
    "onboarded": "值班安保 duty roster",
    "on_post": "在岗 on post",
    "off_post": "离岗 off post",
    "suspended": "待岗 suspended",
    "removed": "调离 removed",
    "left": "离开 left",
}
LADDER_TEXT = {
    "clear": "正常 clear",
    "admonishment_due": "应诫勉 admonishment due",
    "warned": "已诫勉 warned",
    "probation": "考察期 probation",
    "suspension_or_removal_due": "应待岗/调离 sanction due",
    "suspended": "待岗 suspended",
    "removed": "调离 removed",
    "reinstated": "已恢复 reinstated",
}
ARTICLE_TITLES = {
    1: ("岗位行为规范", "Conduct at the window"),
    2: ("创新服务体制", "Service system"),
    3: ("仪容、仪态规范", "Appearance"),
    4: ("窗口环境规范", "Window environment"),
    5: ("办公设备管理规范", "Office equipment"),
    6: ("窗口纪律管理规范", "Window discipline"),
    7: ("办事窗口工作职责", "Duties of a window"),
    8: ("派驻机构及人员管理", "Seconded agencies and staff"),
    9: ("保密和安全保卫", "Confidentiality and security"),
    10: ("固定资产管理", "Fixed assets"),
    11: ("考核管理", "Assessment"),
}
DETECTORS = {
    "inquiry": "首问超时 first inquiry",
    "deadline": "承诺时限 deadlines",
    "one_time_notice": "一次性告知 one-time notice",
    "disclosure": "信息公开 disclosure",
    "attendance": "考勤 attendance",
    "device": "病毒检测 virus checks",
    "duty": "值班 duty",
    "posting": "派驻 postings",
}


def _day(moment: datetime) -> date:
    return moment.astimezone(CHINA_STANDARD_TIME).date()


def summarise(app: HallLedger) -> Summary:
    """The demo's summary: the log folded once, people's ladder and score from the read models."""
    s = Summary()
    f = s.figures
    names: dict[UUID, str] = {}
    windows: dict[UUID, str] = {}
    violations: dict[UUID, dict[str, Any]] = {}
    inquiries: dict[UUID, str] = {}
    cases: dict[UUID, dict[str, Any]] = {}
    disclosures: dict[UUID, str] = {}
    for position, event in iter_events(app):
        s.events = position
        kind = type(event).__qualname__
        if kind == "HallDay.Opened":
            s.first_day = s.first_day or event.day
            s.last_day = event.day
        if kind == "Hall.Established":
            s.hall = (event.name_zh, event.name_en)
        elif kind == "Department.Registered":
            names[event.originator_id] = event.name_zh
        elif kind == "Window.Opened":
            windows[event.originator_id] = f"{event.code} {event.name_zh}"
        elif kind == "StaffMember.Onboarded":
            s.people[event.originator_id] = PersonLine(
                event.staff_no, event.name, names.get(event.department_id, "?"), "—", STATUS_TEXT["onboarded"]
            )
        elif kind in ("StaffMember.Posted", "StaffMember.Moved"):
            window = event.window_id if kind == "StaffMember.Posted" else event.to_window_id
            person = s.people[event.originator_id]
            person.window, person.status = windows.get(window, "?"), STATUS_TEXT["on_post"]
        elif kind in ("StaffMember.PostingEnded", "StaffMember.RecalledByDepartment"):
            person = s.people[event.originator_id]
            person.window, person.status = "—", STATUS_TEXT["off_post"]
        elif kind.startswith("StaffMember."):
            _decision(s, kind, event)
        elif kind.startswith("Violation."):
            _violation(s, violations, kind, event)
        else:
            _figures(f, kind, event, inquiries, cases, disclosures)
    for v in violations.values():
        rule_id = v["rule"].partition("@")[0]
        article = current_catalogue().get(rule_id).article
        s.by_article[article][v["status"]] += 1
        if v["status"] == "confirmed" and v["staff"] in s.people:
            s.people[v["staff"]].confirmed += 1
        if v["detector"]:
            s.candidates[(v["detector"], v["label"])][v["status"]] += 1
    f["inquiries_open"] = sum(1 for state in inquiries.values() if state != "closed")
    for case in cases.values():
        if case.get("completed") is None:
            f["cases_open"] += int(case.get("status") != "rejected")
        elif case.get("on_the_spot"):
            f["cases_on_the_spot"] += 1
        elif case["completed"] > case["deadline"]:
            f["cases_late"] += 1
        else:
            f["cases_on_time"] += 1
    f["disclosure_open"] = sum(1 for state in disclosures.values() if state == "open")
    _people_from_read_models(app, s)
    return s


def _decision(s: Summary, kind: str, event: Any) -> None:
    person = s.people[event.originator_id]
    rule = getattr(event, "rule", None) or "—"
    text = {
        "StaffMember.SuspensionDecided": "待岗 Suspension from post",
        "StaffMember.RemovalFromPostDecided": "调离 Removal from post",
        "StaffMember.Reinstated": "恢复上岗 Reinstated",
        "StaffMember.RemedyCompleted": "补救完成 Remedy completed",
        "StaffMember.AdmonishmentRescinded": "撤销诫勉 Admonishment rescinded",
        "StaffMember.SanctionRescinded": "撤销处理 Sanction rescinded",
        "StaffMember.ReplacementDemanded": "要求调换 Replacement demanded",
        "StaffMember.Left": "离开中心 Left the hall",
    }.get(kind)
    if kind == "StaffMember.AdmonishmentIssued":
        text = f"诫勉教育 Admonishment (remedy due {event.remedy_due})"
    elif kind == "StaffMember.CommitteeConsentRecorded":
        text = f"管委会同意 Committee consent ({event.kind})"
    elif kind == "StaffMember.PostingEnded":
        text = f"离岗 Posting ended ({event.reason})"
    if text is None:
        return
    s.decisions.append((event.occurred_at, text, person.name, rule))
    if kind == "StaffMember.SuspensionDecided":
        person.status = STATUS_TEXT["suspended"]
    elif kind == "StaffMember.RemovalFromPostDecided":
        person.status, person.window = STATUS_TEXT["removed"], "—"
    elif kind in ("StaffMember.Reinstated", "StaffMember.SanctionRescinded") and person.status.startswith("待岗"):
        person.status = STATUS_TEXT["on_post"]
    elif kind == "StaffMember.Left":
        person.status = STATUS_TEXT["left"]


def _violation(s: Summary, violations: dict[UUID, dict[str, Any]], kind: str, event: Any) -> None:
    if kind in ("Violation.Recorded", "Violation.Detected"):
        detector = getattr(event, "detector", None)
        rule = event.rule.partition("@")[0]
        violations[event.originator_id] = {
            "rule": event.rule,
            "staff": event.staff_id,
            "status": "pending",
            "detector": detector,
            "label": f"{rule} {event.item or ''}".strip(),
        }
        return
    v = violations[event.originator_id]
    if kind == "Violation.Confirmed":
        v["status"] = "confirmed"
    elif kind == "Violation.Dismissed":
        v["status"] = "dismissed"
    elif kind == "Violation.Revoked":
        v["status"] = "revoked"
    elif kind == "Violation.Amended":
        v["rule"] = event.rule


def _figures(
    f: Counter[str],
    kind: str,
    event: Any,
    inquiries: dict[UUID, str],
    cases: dict[UUID, dict[str, Any]],
    disclosures: dict[UUID, str],
) -> None:
    stream = event.originator_id
    if kind == "Inquiry.InquiryOpened":
        f[f"inquiries_{event.channel}"] += 1
        inquiries[stream] = "open"
    elif kind == "Inquiry.InquiryClosed":
        f[f"inquiries_{event.resolution}"] += 1
        inquiries[stream] = "closed"
    elif kind == "ServiceCase.ApplicationSubmitted":
        f["cases"] += 1
        cases[stream] = {}
    elif kind == "ServiceCase.OneTimeNoticeIssued":
        f["notices_first" if event.notice_no == 1 else "notices_later"] += 1
        if event.notice_no > 1 and event.not_in_first_notice:
            f["notices_second_new"] += 1
    elif kind == "ServiceCase.ApplicationCompleted":
        cases[stream].update(
            completed=event.completed_on, on_the_spot=event.on_the_spot, deadline=event.committed_deadline
        )
    elif kind == "ServiceCase.ApplicationRejected":
        f["cases_rejected"] += 1
        cases[stream]["status"] = "rejected"
    elif kind == "ServiceCase.DeadlineExtended":
        f["cases_extended"] += 1
    elif kind == "ServiceCase.ApplicationSuspended":
        f["cases_suspended"] += 1
    elif kind.startswith("CaseSupervision.") and kind != "CaseSupervision.Started":
        f[f"supervision_{kind.partition('.')[2]}"] += 1
    elif kind == "DisclosureRequest.DisclosureRequested":
        f["disclosure"] += 1
        disclosures[stream] = "open"
    elif kind == "DisclosureRequest.DisclosureAnswered":
        f["disclosure_on_time" if event.answered_on <= event.deadline else "disclosure_late"] += 1
        disclosures[stream] = "answered"
    elif kind == "DisclosureRequest.DisclosureRequestAbandoned":
        disclosures[stream] = "abandoned"
        f["disclosure_abandoned"] += 1
    elif kind == "Rating.Rated":
        f["ratings"] += 1
        if event.level in ("dissatisfied", "very_dissatisfied"):
            f["ratings_bad"] += 1
        elif event.level in ("very_satisfied", "satisfied"):
            f["ratings_good"] += 1
    else:
        simple = {
            "Consultation.ConsultationRecorded": "consultations",
            "Consultation.ConsultationAnswered": "consultations_answered",
            "Consultation.ConsultationReferred": "consultations_referred",
            "Consultation.ConsultationOutOfScopeExplained": "consultations_out_of_scope",
            "Consultation.HandlingLimitsExplained": "consultations_limits",
            "DataSubject.PersonalDataErased": "erasures",
            "Publication.InformationPublished": "publications",
            "Rating.Contested": "ratings_contested",
            "Rating.Excluded": "ratings_excluded",
            "Complaint.Received": "complaints",
            "Complaint.Verified": "complaints_verified",
            "Praise.Received": "praise",
            "Commendation.Awarded": "commendations",
            "Appeal.Filed": "appeals",
            "AttendanceDay.Opened": "attendance_days",
            "AttendanceDay.AbsenceFromPostRecorded": "absences",
            "LeaveRequest.Requested": "leave",
            "LeaveRequest.Approved": "leave_approved",
            "DutyShift.Assigned": "shifts",
            "DutyShift.SubstituteArranged": "substitutes",
            "DutyShift.HandedOver": "handovers",
            "DutyShift.IncidentReported": "incidents",
            "Hazard.Reported": "hazards",
            "EndOfDayCheck.Recorded": "eod_checks",
            "Asset.VirusChecked": "virus_checks",
            "Asset.Registered": "assets",
            "Asset.Moved": "asset_moves",
            "Asset.MovedWithoutFiling": "asset_unfiled",
            "InventoryCount.Opened": "counts",
            "InventoryCount.ItemFound": "count_found",
            "InventoryCount.ItemMissing": "count_missing",
            "InventoryCount.SurplusFound": "count_surplus",
            "InventoryCount.Closed": "counts_closed",
            "Asset.WrittenOff": "written_off",
            "InspectionRound.Completed": "rounds",
            "InspectionRound.FindingRecorded": "findings",
            "InspectionRound.CleanPassRecorded": "clean_passes",
            "AssessmentPeriod.Published": "assessments",
            "HallDay.Closed": "days_closed",
        }.get(kind)
        if simple:
            f[simple] += 1
        if kind == "Appeal.Decided":
            f[f"appeals_{event.outcome}"] += 1
        elif kind == "EndOfDayCheck.Recorded" and not all(event.checks.values()):
            f["eod_failed"] += 1
        elif kind == "Asset.VirusChecked" and event.result != "clean":
            f["virus_threats"] += 1


def _grades() -> dict[str, str]:
    from domain.policies.scoring import load_scoring_policy

    return {g.code: f"{g.name_zh} {g.name_en}" for g in load_scoring_policy().grades}


def _people_from_read_models(app: HallLedger, s: Summary) -> None:
    """Each person's escalation state and this month's score, as the read models hold them."""
    runner = ProjectionRunner(app, all_models())
    runner.prepare()
    runner.catch_up()
    with runner.store.transaction() as tx:
        rows = tx.query("SELECT staff_id, escalation_state, month, month_score, month_grade FROM {t:staff_records}")
    grades = _grades()
    for staff_id, state, month, score, grade in rows:
        person = s.people.get(UUID(str(staff_id)))
        if person is None:
            continue
        person.ladder = LADDER_TEXT.get(state, state or "—")
        if score is not None:
            person.score = f"{Decimal(str(score)):.2f} {grades.get(grade, grade or '')}".strip()
        s.month = month or s.month


def describe_period(s: Summary) -> str:
    if s.first_day is None or s.last_day is None:
        return ""
    return f"{s.first_day.isoformat()} – {s.last_day.isoformat()}"


# ── printing (rich) ──────────────────────────────────────────────────────────


def print_summary(console: Console, s: Summary, *, built: bool, elapsed: float, store: str, seed: int) -> None:
    console.rule(f"[bold]{s.hall[0]} · {s.hall[1]}")
    console.print(
        f"{'已生成' if built else '已存在'} {'built' if built else 'already present'}: "
        f"{s.events} 条事件 events in {store}" + (f" ({elapsed:.1f}s, seed {seed})" if built else "")
    )
    console.print(f"模拟期间 Simulated period: {describe_period(s)} · {s.figures['days_closed']} 个营业日 hall days")

    people = Table(title=f"人员 People (本月 this month: {s.month})")
    for column in (
        "工号 No.",
        "姓名 Name",
        "部门 Department",
        "窗口 Window",
        "状态 Status",
        "已认定违规 Confirmed",
        "阶梯状态 Escalation",
        "本月得分 Score",
    ):
        people.add_column(column)
    for p in sorted(s.people.values(), key=lambda p: p.staff_no):
        people.add_row(p.staff_no, p.name, p.department, p.window, p.status, str(p.confirmed), p.ladder, p.score)
    console.print(people)

    articles = Table(title="违规按条款 Violations by article")
    for column in ("条款 Article", "认定 confirmed", "撤销 revoked", "不予认定 dismissed", "待定 pending"):
        articles.add_column(column)
    for article in sorted(s.by_article):
        zh, en = ARTICLE_TITLES[article]
        counts = s.by_article[article]
        articles.add_row(
            f"第{article}条 {zh} · Art. {article} {en}",
            str(counts["confirmed"]),
            str(counts["revoked"]),
            str(counts["dismissed"]),
            str(counts["pending"]),
        )
    console.print(articles)

    decisions = Table(title="处理决定 Escalation and posting decisions")
    for column in ("日期 Date", "决定 Decision", "人员 Person", "依据 Rule"):
        decisions.add_column(column)
    for when, what, who, rule in sorted(s.decisions):
        decisions.add_row(when.astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m-%d %H:%M"), what, who, rule)
    console.print(decisions)

    candidates = Table(title="自动发现的违规线索及处理 Detected candidates and how they were resolved")
    for column in (
        "检测 Detection",
        "规则 Rule",
        "认定 confirmed",
        "不予认定 dismissed",
        "撤销 revoked",
        "待定 pending",
    ):
        candidates.add_column(column)
    for (detector, label), counts in sorted(s.candidates.items()):
        candidates.add_row(
            DETECTORS.get(detector, detector),
            label,
            str(counts["confirmed"]),
            str(counts["dismissed"]),
            str(counts["revoked"]),
            str(counts["pending"]),
        )
    if not s.candidates:
        candidates.add_row("—", "无 none", "0", "0", "0", "0")
    console.print(candidates)

    figures = Table(title="办事与运行情况 Processes at work", show_header=True)
    figures.add_column("流程 Process")
    figures.add_column("情况 Figures")
    for label, text in process_lines(s.figures):
        figures.add_row(label, text)
    console.print(figures)
    console.print(
        f"规则目录 Rule catalogue {current_catalogue().version}; every event names its actor, valid time and "
        "record time — try `hall-ledger events --type SuspensionDecided`."
    )


def process_lines(f: Counter[str]) -> list[tuple[str, str]]:
    good = f"{100 * f['ratings_good'] / f['ratings']:.1f}%" if f["ratings"] else "—"
    return [
        (
            "首问负责 First inquiries (ART2.1)",
            f"{f['inquiries_hall']} 现场 at the hall · {f['inquiries_phone']} 电话 by phone → {f['inquiries_handled']} 办理 "
            f"handled · {f['inquiries_handed_over']} 转交 handed over · {f['inquiries_escalated']} 报告领导 escalated · "
            f"{f['inquiries_open']} 未结 open",
        ),
        (
            "办件 Applications (ART2.3, ART7.2)",
            f"{f['cases']} 申请 submitted → {f['cases_on_the_spot']} 当场办结 on the spot · {f['cases_on_time']} 按期 "
            f"on time · {f['cases_late']} 超期 late · {f['cases_open']} 在办 open · {f['cases_rejected']} 不予受理 "
            f"rejected · {f['cases_extended']} 延期 extended · {f['cases_suspended']} 中止 suspended",
        ),
        (
            "一次性告知 One-time notices (ART2.2)",
            f"{f['notices_first']} 告知 notices · {f['notices_second_new']} 二次告知新材料 second notices asking for "
            "new materials",
        ),
        (
            "电子监察 E-supervision",
            f"{f['supervision_YellowLight']} 黄灯 yellow lights · {f['supervision_YellowCard']} 黄牌 yellow cards · "
            f"{f['supervision_RedCard']} 红牌 red cards",
        ),
        (
            "信息公开 Disclosure (ART2.4)",
            f"{f['disclosure']} 申请 requests → {f['disclosure_on_time']} 按期答复 answered on time · "
            f"{f['disclosure_late']} 逾期 late · {f['disclosure_abandoned']} 视为放弃 abandoned · {f['disclosure_open']} "
            f"办理中 open · {f['publications']} 主动公开 published",
        ),
        (
            "咨询 Consultations (ART2.5)",
            f"{f['consultations']} 接待登记 records (personal data sealed) → {f['consultations_answered']} "
            f"解答 answered · {f['consultations_referred']} 引导 referred · {f['consultations_out_of_scope']} 不予受理说明 "
            f"out of scope · {f['consultations_limits']} 事先说明 limits explained · {f['erasures']} 删除 erased",
        ),
        (
            "好差评与表彰 Ratings, praise (ART11)",
            f"{f['ratings']} 评价 ratings ({good} 满意 satisfied) · {f['ratings_bad']} 差评 bad · {f['ratings_contested']} "
            f"申诉 contested · {f['ratings_excluded']} 剔除 excluded · {f['complaints']} 投诉 complaints "
            f"({f['complaints_verified']} 查实 verified) · {f['praise']} 表扬 praise · {f['commendations']} 表彰 "
            "commendations",
        ),
        (
            "考勤 Attendance (ART6.5, ART7.5)",
            f"{f['attendance_days']} 人·日 person-days · {f['leave']} 请假 leave ({f['leave_approved']} 批准 approved) · "
            f"{f['absences']} 离岗登记 absences from the post",
        ),
        (
            "值班 Duty roster (ART9.4)",
            f"{f['shifts']} 班次 shifts · {f['substitutes']} 顶班 substitutes · {f['handovers']} 交接 hand-overs · "
            f"{f['incidents']} 事件 incidents · {f['hazards']} 隐患 hazards",
        ),
        (
            "安全 Security (ART9.1, ART9.7–9.8)",
            f"{f['eod_checks']} 下班检查 end-of-day checks ({f['eod_failed']} 未通过 failed) · {f['virus_checks']} "
            f"病毒检测 virus checks ({f['virus_threats']} 发现病毒 threats)",
        ),
        (
            "资产 Assets (ART5.2, ART10.1)",
            f"{f['assets']} 在册 on the books · {f['asset_moves']} 备案调整 moves · {f['asset_unfiled']} "
            f"私自挪动 unfiled · {f['counts']} 盘点 counts ({f['counts_closed']} 结束 closed): {f['count_found']} 相符 "
            f"found · {f['count_missing']} 盘亏 missing · {f['count_surplus']} 盘盈 surplus · {f['written_off']} 核销 "
            "written off",
        ),
        (
            "巡查 Inspection rounds (ART11.1)",
            f"{f['rounds']} 轮 rounds · {f['findings']} 发现问题 findings · {f['clean_passes']} 无问题 clean passes",
        ),
        (
            "申诉 Appeals",
            f"{f['appeals']} 申诉 filed → {f['appeals_upheld']} 维持 upheld · {f['appeals_overturned']} 撤销 "
            f"overturned · {f['appeals_amended']} 变更 amended",
        ),
        ("考核 Assessment (ART11)", f"{f['assessments']} 期已发布 periods published"),
    ]
