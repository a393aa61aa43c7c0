"""``hall-ledger demo``: a small hall and a few weeks of its life, through the domain commands.

Everything is recorded through :class:`~service.application.HallLedger` commands with a
simulated clock, so the demo ledger is an ordinary ledger: valid time and record time both
move through the weeks, refusals are real refusals, and every read model can be rebuilt
from it. The same seed gives the same hall.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from domain import ids
from domain.envelope import CHINA_STANDARD_TIME, Actor
from domain.errors import DomainError
from domain.rules import current_catalogue
from domain.staff import StaffMember
from domain.violation import Violation
from service.application import HallLedger
from service.eventlog import iter_events

MANAGER = Actor("mgr-zhang", "hall_manager")
OFFICE = Actor("office-he", "hall_manager")
INSPECTOR = Actor("insp-li", "inspector")
INSPECTOR_2 = Actor("insp-wu", "inspector")
COMMITTEE = Actor("cmte-zhao", "committee")

DEMO_START = date(2026, 10, 12)  # a Monday, after the National Day holiday
DEMO_WEEKS = 4

DEPARTMENTS = [
    # code, zh, en, uniformed (ART3.1), leader in charge (ART8.4)
    ("center", "行政审批中心办公室", "Center office", False, ("何晓东", "办公室主任")),
    ("market", "市场监督管理局", "Market Regulation Bureau", True, ("陈刚", "副局长")),
    ("tax", "税务局", "Taxation Bureau", True, ("林静", "副局长")),
    ("housing", "住房和城乡建设局", "Housing and Construction Bureau", False, ("郭涛", "副局长")),
    ("social", "人力资源和社会保障局", "Human Resources and Social Security Bureau", False, ("宋丽", "副局长")),
]

WINDOWS = [
    # code, zh, en, department, kind
    ("W01", "综合受理窗口", "General intake", "center", "comprehensive"),
    ("W02", "咨询服务台", "Consultation desk", "center", "consultation"),
    ("W03", "企业登记窗口", "Business registration", "market", "department"),
    ("W04", "食品经营许可窗口", "Food business licences", "market", "department"),
    ("W07", "办税服务窗口", "Tax services", "tax", "department"),
    ("W08", "发票领用窗口", "Invoices", "tax", "department"),
    ("W11", "建设工程审批窗口", "Construction permits", "housing", "department"),
    ("W14", "社会保险窗口", "Social insurance", "social", "department"),
]

STAFF = [
    # staff no, name, department, employment, window, posting start
    ("S001", "王芳", "center", "hall", "W01", date(2024, 3, 1)),
    ("S002", "李娜", "center", "hall", "W02", date(2025, 4, 1)),
    ("S003", "赵磊", "market", "seconded", "W03", date(2025, 5, 6)),
    ("S004", "孙悦", "market", "seconded", "W03", date(2024, 9, 2)),
    ("S005", "周杰", "market", "seconded", "W04", date(2025, 1, 6)),
    ("S006", "吴婷", "tax", "seconded", "W07", date(2024, 11, 4)),
    ("S007", "郑浩", "tax", "seconded", "W07", date(2025, 8, 4)),
    ("S008", "冯雪", "tax", "seconded", "W08", date(2024, 6, 3)),
    ("S009", "陈晨", "housing", "seconded", "W11", date(2025, 2, 10)),
    ("S010", "褚明", "housing", "seconded", "W11", date(2026, 3, 2)),
    ("S011", "卫静", "social", "seconded", "W14", date(2024, 12, 2)),
    ("S012", "蒋伟", "social", "seconded", "W14", date(2025, 7, 7)),
]

# Minor findings of the inspection rounds: rule, item, evidence (zh / en)
ROUTINE_FINDINGS = [
    ("ART6.5", "late", "08:41 到岗,开窗时间 08:30 / clocked in 08:41, opening 08:30"),
    ("ART6.1", "phone", "办理间隙玩手机游戏 / playing a phone game between clients"),
    ("ART3.1", "no_badge", "未佩戴胸牌 / no badge at the window"),
    ("ART4.1", None, "桌面堆放私人物品 / personal items piled on the desk"),
    ("ART6.1", None, "串岗聊天 / chatting at another window"),
    ("ART3.1", "no_uniform", "未着制服 / not in uniform (uniformed agency)"),
    ("ART6.5", "missed_punch", "下午未签到 / missed the afternoon punch"),
]


@dataclass
class DemoClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), CHINA_STANDARD_TIME)


def _working_days(start: date, weeks: int) -> list[date]:
    days = [start + timedelta(days=i) for i in range(weeks * 7)]
    return [d for d in days if d.weekday() < 5]


def build_demo_hall(app: HallLedger, *, seed: int = 7, weeks: int = DEMO_WEEKS) -> None:
    """Record the demo hall into ``app`` (whose clock must be a :class:`DemoClock`)."""
    clock = app.clock
    assert isinstance(clock, DemoClock), "the demo runs on a simulated clock"
    rng = random.Random(seed)
    hall = app.settings.hall_id

    # ── the hall as it stood before the demo weeks ────────────────────────────
    founding = _at(date(2024, 1, 2), 9)
    clock.now = founding
    if not app.exists(ids.hall_id(hall)):
        app.establish_hall(
            MANAGER, name_zh="北海行政审批中心", name_en="Beihai Administrative Approval Center",
            occurred_at=founding,
        )  # fmt: skip
    dept_ids: dict[str, UUID] = {}
    for code, zh, en, uniformed, (leader, title) in DEPARTMENTS:
        dept_ids[code] = app.register_department(
            MANAGER, code=code, name_zh=zh, name_en=en, uniformed=uniformed, occurred_at=founding
        ).id
        app.designate_leader_in_charge(
            MANAGER, department_id=dept_ids[code], leader_name=leader, leader_title=title, occurred_at=founding
        )
    window_ids: dict[str, UUID] = {}
    for code, zh, en, dept, kind in WINDOWS:
        window_ids[code] = app.open_window(
            MANAGER, code=code, name_zh=zh, name_en=en, department_id=dept_ids[dept], kind=kind, occurred_at=founding
        ).id
    staff_ids: dict[str, UUID] = {}
    for staff_no, name, dept, employment, window, start in sorted(STAFF, key=lambda s: s[5]):
        when = _at(start, 8, 30)
        clock.now = max(clock.now, when)
        staff_ids[staff_no] = app.onboard_staff(
            MANAGER, staff_no=staff_no, name=name, department_id=dept_ids[dept], employment=employment,
            occurred_at=when,
        ).id  # fmt: skip
        app.post_staff(
            MANAGER, staff_id=staff_ids[staff_no], window_id=window_ids[window], start=start, occurred_at=when
        )

    days = _working_days(DEMO_START, weeks)
    agenda: list[tuple[datetime, int, Any]] = []
    ref: dict[str, Any] = {}

    def on(when: datetime) -> Any:
        """Schedule an action of the hall at ``when`` (run in time order below)."""

        def schedule(action: Any) -> Any:
            agenda.append((when, len(agenda), action))
            return action

        return schedule

    def finding(key: str, staff_no: str, rule: str, item: str | None, evidence: str, when: datetime) -> None:
        """An inspector's finding, verified by a second inspector 90 minutes later."""

        @on(when)
        def record() -> None:
            ref[key] = app.record_violation(
                INSPECTOR, rule=rule, item=item, staff_id=staff_ids[staff_no], evidence=evidence,
                evidence_refs=[f"round:{when.date().isoformat()}"], occurred_at=when,
            ).id  # fmt: skip

        @on(when + timedelta(minutes=90))
        def confirm() -> None:
            app.confirm_violation(INSPECTOR_2, violation_id=ref[key], note="复核属实 / verified")

    # week 1: 赵磊 shirks a first inquiry (ART2.1) and is admonished the next day
    finding(
        "first_inquiry", "S003", "ART2.1", "not_handled",
        "群众咨询企业变更登记,答复“不归我管”后未引导 / told a client 'not my job' and did not guide them",
        _at(days[0], 10, 15),
    )  # fmt: skip

    @on(_at(days[1], 16))
    def admonish_zhao() -> None:
        ref["zhao_admonishment"] = app.issue_admonishment(
            MANAGER, staff_id=staff_ids["S003"], basis=[ref["first_inquiry"]],
            remedy="回访当事人并致歉,参加首问负责制培训 / call the client back, apologise, attend first-inquiry training",
            remedy_due=days[1] + timedelta(days=7),
        ).extra["admonishment_id"]  # fmt: skip

    # routine findings of the inspection rounds; about one in five is dismissed
    for n in range(9):
        when_day = rng.choice(days[1:])
        staff_no = rng.choice([s[0] for s in STAFF if s[0] != "S003"])
        rule, item, evidence = rng.choice(ROUTINE_FINDINGS)
        when = _at(when_day, 8 if rule == "ART6.5" else rng.choice([9, 10, 14, 15]), rng.randrange(0, 59))
        dismiss = rng.random() < 0.2

        def routine(
            key: str = f"routine{n}",
            staff_no: str = staff_no,
            rule: str = rule,
            item: str | None = item,
            evidence: str = evidence,
            when: datetime = when,
        ) -> None:
            ref[key] = app.record_violation(
                INSPECTOR, rule=rule, item=item, staff_id=staff_ids[staff_no], evidence=evidence,
                evidence_refs=[f"round:{when.date().isoformat()}"], occurred_at=when,
            ).id  # fmt: skip

        def verdict(key: str = f"routine{n}", dismiss: bool = dismiss) -> None:
            if dismiss:
                app.dismiss_violation(
                    INSPECTOR_2, violation_id=ref[key], reason="当事人说明合理,不予认定 / reasonable explanation given"
                )
            else:
                app.confirm_violation(INSPECTOR_2, violation_id=ref[key], note="复核属实 / verified")

        on(when)(routine)
        on(when + timedelta(minutes=60))(verdict)

    # week 2: a one-time notice that was not one-time (ART2.2) — later revoked on review
    finding(
        "notice", "S009", "ART2.2", "second_notice",
        "第二次告知要求补交首次告知未列明的施工图审查意见 / a second notice asked for a drawing review the first did not list",
        _at(days[6], 11, 5),
    )  # fmt: skip

    @on(_at(days[8], 15))
    def revoke_notice() -> None:
        app.revoke_violation(
            MANAGER, violation_id=ref["notice"],
            reason="申请人变更了建设内容,新增材料系新情况所致 / the applicant changed the project; the new material follows from that",
        )  # fmt: skip

    # week 2: 赵磊 fails a first inquiry again after the warning → suspension (待岗)
    finding(
        "repeat", "S003", "ART2.1.2", "result_not_communicated",
        "转办后未将处理结果告知服务对象 / handed over but never told the client the result",
        _at(days[7], 14, 20),
    )  # fmt: skip

    @on(_at(days[8], 9))
    def suspend_zhao() -> None:
        ref["suspension"] = app.decide_suspension(
            MANAGER, staff_id=staff_ids["S003"], basis=[ref["first_inquiry"], ref["repeat"]],
            start=days[8], until=days[8] + timedelta(days=14),
        ).extra["decision_id"]  # fmt: skip

    # 周杰: a wrong licence, admonished and remedied within the week
    finding(
        "licence",
        "S005",
        "ART2.5.3",
        "document_error",
        "许可证书地址书写错误 / wrong address on a licence",
        _at(days[9], 10),
    )

    @on(_at(days[9], 16))
    def admonish_zhou() -> None:
        ref["zhou_admonishment"] = app.issue_admonishment(
            MANAGER, staff_id=staff_ids["S005"], basis=[ref["licence"]],
            remedy="重新制证并当面送达 / reissue the licence and deliver it in person",
            remedy_due=days[9] + timedelta(days=5),
        ).extra["admonishment_id"]  # fmt: skip

    @on(_at(days[11], 11))
    def zhou_remedied() -> None:
        app.complete_remedy(
            MANAGER, staff_id=staff_ids["S005"], admonishment_id=ref["zhou_admonishment"],
            note="已重新制证送达 / licence reissued and delivered",
        )  # fmt: skip

    # week 3: the tax bureau replaces 郑浩; refused until the committee consents (ART8.2)
    @on(_at(days[12], 9))
    def replace_zheng() -> None:
        staff_ids["S013"] = app.onboard_staff(MANAGER, staff_no="S013", name="韩冰", department_id=dept_ids["tax"]).id
        try:
            app.replace_staff(MANAGER, outgoing_id=staff_ids["S007"], successor_id=staff_ids["S013"], start=days[12])
        except DomainError:
            ref["refused"] = ref.get("refused", 0) + 1  # no consent yet: nothing was written

    @on(_at(days[12], 11))
    def committee_consents() -> None:
        ref["consent"] = app.record_committee_consent(
            COMMITTEE, staff_id=staff_ids["S007"], kind="replacement", decision_ref="北海管委〔2026〕31号",
            note="税务局申请轮岗 / rotation requested by the tax bureau",
        ).extra["consent_id"]  # fmt: skip

    @on(_at(days[13], 8, 30))
    def replaced() -> None:
        app.replace_staff(
            MANAGER, outgoing_id=staff_ids["S007"], successor_id=staff_ids["S013"], start=days[13],
            consent_id=ref["consent"],
        )  # fmt: skip

    # week 4: an unauthorised fee (ART6.3, serious) is sanctioned at once by the committee
    finding(
        "fee", "S012", "ART6.3", "unauthorised_fee",
        "收取“加急费”200元,无收费依据 / took a 200 CNY 'express fee' with no legal basis", _at(days[16], 15, 40),
    )  # fmt: skip

    @on(_at(days[16], 17, 30))
    def suspend_jiang() -> None:
        app.decide_suspension(COMMITTEE, staff_id=staff_ids["S012"], basis=[ref["fee"]], start=days[17])

    # 赵磊 back at the window after retraining
    @on(_at(days[18], 9))
    def reinstate_zhao() -> None:
        app.reinstate(
            MANAGER,
            staff_id=staff_ids["S003"],
            decision_id=ref["suspension"],
            note="培训考试合格 / retraining exam passed",
        )

    for when, _, action in sorted(agenda, key=lambda entry: (entry[0], entry[1])):
        clock.now = max(clock.now, when + timedelta(minutes=3))
        action()


def run_demo(app: HallLedger, *, seed: int = 7) -> bool:
    """Build the demo hall unless the store already holds it. Returns True when built."""
    if app.exists(ids.department_id(app.settings.hall_id, "market")):
        return False
    build_demo_hall(app, seed=seed)
    return True


# ── the summary, folded from the log ─────────────────────────────────────────


@dataclass
class PersonLine:
    staff_no: str
    name: str
    department: str
    window: str
    status: str
    confirmed: int = 0


@dataclass
class Summary:
    hall: tuple[str, str] = ("", "")
    events: int = 0
    first_day: date | None = None
    last_day: date | None = None
    people: dict[UUID, PersonLine] = field(default_factory=dict)
    by_article: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    decisions: list[tuple[datetime, str, str, str]] = field(default_factory=list)
    refused: int = 0


STATUS_TEXT = {
    "onboarded": "待上岗 onboarded",
    "on_post": "在岗 on post",
    "off_post": "离岗 off post",
    "suspended": "待岗 suspended",
    "removed": "调离 removed",
    "left": "离开 left",
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


def summarise(app: HallLedger) -> Summary:
    summary = Summary()
    names: dict[UUID, str] = {}
    windows: dict[UUID, str] = {}
    violations: dict[UUID, dict[str, Any]] = {}
    for position, event in iter_events(app):
        summary.events = position
        day = event.occurred_at.astimezone(CHINA_STANDARD_TIME).date()
        if type(event).__qualname__ not in ("Hall.Established",):
            summary.first_day = min(summary.first_day or day, day) if summary.first_day else day
        summary.last_day = max(summary.last_day or day, day)
        kind = type(event).__qualname__
        if kind == "Hall.Established":
            summary.hall = (event.name_zh, event.name_en)
        elif kind == "Department.Registered":
            names[event.originator_id] = event.name_zh
        elif kind == "Window.Opened":
            windows[event.originator_id] = f"{event.code} {event.name_zh}"
        elif isinstance(event, StaffMember.Onboarded):
            summary.people[event.originator_id] = PersonLine(
                event.staff_no, event.name, names.get(event.department_id, "?"), "—", STATUS_TEXT["onboarded"]
            )
        elif isinstance(event, StaffMember.Posted | StaffMember.Moved):
            window = event.window_id if isinstance(event, StaffMember.Posted) else event.to_window_id
            person = summary.people[event.originator_id]
            person.window, person.status = windows.get(window, "?"), STATUS_TEXT["on_post"]
        elif isinstance(event, StaffMember.PostingEnded | StaffMember.RecalledByDepartment):
            person = summary.people[event.originator_id]
            person.window, person.status = "—", STATUS_TEXT["off_post"]
        elif isinstance(event, StaffMember.SuspensionDecided):
            summary.people[event.originator_id].status = STATUS_TEXT["suspended"]
            summary.decisions.append(
                (event.occurred_at, "待岗 Suspension from post", summary.people[event.originator_id].name, event.rule)
            )
        elif isinstance(event, StaffMember.RemovalFromPostDecided):
            summary.people[event.originator_id].status = STATUS_TEXT["removed"]
            summary.decisions.append(
                (event.occurred_at, "调离 Removal from post", summary.people[event.originator_id].name, event.rule)
            )
        elif isinstance(event, StaffMember.Reinstated):
            summary.people[event.originator_id].status = STATUS_TEXT["on_post"]
            summary.decisions.append(
                (event.occurred_at, "恢复上岗 Reinstated", summary.people[event.originator_id].name, "—")
            )
        elif isinstance(event, StaffMember.AdmonishmentIssued):
            summary.decisions.append(
                (event.occurred_at, f"诫勉教育 Admonishment (remedy due {event.remedy_due})",
                 summary.people[event.originator_id].name, event.rule)
            )  # fmt: skip
        elif isinstance(event, StaffMember.RemedyCompleted):
            summary.decisions.append(
                (event.occurred_at, "补救完成 Remedy completed", summary.people[event.originator_id].name, "—")
            )
        elif isinstance(event, StaffMember.CommitteeConsentRecorded):
            summary.decisions.append(
                (event.occurred_at, f"管委会同意 Committee consent ({event.kind})", summary.people[event.originator_id].name, event.rule)
            )  # fmt: skip
        elif isinstance(event, Violation.Recorded | Violation.Detected):
            violations[event.originator_id] = {"rule": event.rule, "staff": event.staff_id, "status": "pending"}
        elif isinstance(event, Violation.Confirmed):
            violations[event.originator_id]["status"] = "confirmed"
        elif isinstance(event, Violation.Dismissed):
            violations[event.originator_id]["status"] = "dismissed"
        elif isinstance(event, Violation.Revoked):
            violations[event.originator_id]["status"] = "revoked"
        elif isinstance(event, Violation.Amended):
            violations[event.originator_id]["rule"] = event.rule
    for v in violations.values():
        rule_id = v["rule"].partition("@")[0]
        article = current_catalogue().get(rule_id).article
        summary.by_article[article][v["status"]] += 1
        if v["status"] == "confirmed" and v["staff"] in summary.people:
            summary.people[v["staff"]].confirmed += 1
    return summary
