"""The demo's bilingual summary, read from the read models (and rendered with rich).

Nothing here folds the log: every figure that needs a state — a person's status, window,
violations, ladder and score; violations by article; escalation decisions; detected candidates;
what is open now — comes from the read models after the projection runner has caught up with
the head (the same tables and query functions as the HTTP API, ``service.api.queries``).
The log is read only where no read model keeps the thing: how many events of each type
(counted from the topics, like ``hall-ledger events --type``), the hall days, and the
committee's posting decisions (listed, like ``hall-ledger events --type``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from rich.console import Console
from rich.table import Table

from domain.envelope import CHINA_STANDARD_TIME
from domain.hall_day import HallDay
from domain.policies.scoring import load_scoring_policy
from domain.rules import current_catalogue
from domain.staff import StaffMember
from projections.base import Tx
from projections.registry import all_models
from projections.runner import ProjectionRunner
from service.api import queries
from service.application import HallLedger
from service.eventlog import iter_events
from service.simulation.report import count_types


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
    #: the head of the log (its last position)
    events: int = 0
    first_day: date | None = None
    last_day: date | None = None
    #: the last hall day has not closed (the demo ended while the hall was open)
    last_day_open: bool = False
    people: list[PersonLine] = field(default_factory=list)
    by_article: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    decisions: list[tuple[datetime, str, str, str]] = field(default_factory=list)
    #: (detector family, rule and item) → resolution counts
    candidates: dict[tuple[str, str], Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    #: events by type (``Inquiry.InquiryOpened`` …) and what is open now (``open_*``)
    figures: Counter[str] = field(default_factory=Counter)
    month: str = ""
    #: mean satisfaction index of the windows this month (``assessment_windows``), if any
    satisfaction: Decimal | None = None
    published: list[str] = field(default_factory=list)


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
#: escalation transitions that are decisions of the hall (``escalation_transitions.reason``)
DECISION_TEXT = {
    "admonishment issued, remedy ordered": "诫勉教育 Admonishment, remedy ordered",
    "remedy completed": "补救完成 Remedy completed",
    "suspension decided": "待岗 Suspension from post",
    "removal decided": "调离 Removal from post",
    "reinstated": "恢复上岗 Reinstated",
}
#: decisions no read model lists (the ladder re-derives without a rescinded decision): from the log
LISTED_DECISIONS: dict[type, str] = {
    StaffMember.CommitteeConsentRecorded: "管委会同意 Committee consent",
    StaffMember.ReplacementDemanded: "要求调换 Replacement demanded",
    StaffMember.PostingEnded: "离岗 Posting ended",
    StaffMember.AdmonishmentRescinded: "撤销诫勉 Admonishment rescinded",
    StaffMember.SanctionRescinded: "撤销处理 Sanction rescinded",
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


def caught_up(app: HallLedger) -> ProjectionRunner:
    """Every read model folded to the head of the log."""
    runner = ProjectionRunner(app, all_models())
    runner.prepare()
    runner.catch_up()
    return runner


def summarise(app: HallLedger) -> Summary:
    """The demo's summary, from the read models caught up with the head of the log."""
    s = Summary()
    runner = caught_up(app)
    with runner.store.transaction() as tx:
        units = {str(r[0]): r[1:] for r in tx.query("SELECT unit_id, kind, code, name_zh, name_en FROM {t:org_units}")}
        names = _people(tx, s, units)
        _decisions(tx, s, names)
        _candidates(app, tx, s)
        _open_now(tx, s)
    s.hall = next(((zh, en) for kind, _, zh, en in units.values() if kind == "hall"), s.hall)
    for _, event in iter_events(app, types=[t.__qualname__ for t in LISTED_DECISIONS]):
        text = LISTED_DECISIONS[type(event)]
        if isinstance(event, StaffMember.CommitteeConsentRecorded):
            text = f"{text} ({event.kind})"
        elif isinstance(event, StaffMember.PostingEnded):
            text = f"{text} ({event.reason})"
        name = names.get(str(event.originator_id), "?")
        s.decisions.append((event.occurred_at, text, name, getattr(event, "rule", None) or "—"))
    s.events = app.recorder.max_notification_id() or 0
    s.figures.update(count_types(app))
    days = [e.day for _, e in iter_events(app, types=["HallDay.Opened"]) if isinstance(e, HallDay.Opened)]
    if days:
        s.first_day, s.last_day = min(days), max(days)
        s.last_day_open = s.figures["HallDay.Closed"] < s.figures["HallDay.Opened"]
    return s


def _people(tx: Tx, s: Summary, units: dict[str, tuple[Any, ...]]) -> dict[str, str]:
    """Each person as ``staff_records`` holds them (``queries.staff_records``), with this month's
    score; returns their names by staff id."""
    names: dict[str, str] = {}
    grades = {g.code: f"{g.name_zh} {g.name_en}" for g in load_scoring_policy().grades}
    for record in queries.staff_records(tx):
        department = units.get(record["department_id"] or "", ("", "", "?", ""))[2]
        window = units.get(record["window_id"] or "")
        line = PersonLine(
            record["staff_no"],
            record["name"],
            department,
            f"{window[1]} {window[2]}" if window else "—",
            STATUS_TEXT.get(record["status"], record["status"] or "—"),
            confirmed=record["violations"]["confirmed"],
            ladder=LADDER_TEXT.get(record["escalation_state"], record["escalation_state"] or "—"),
        )
        if record["month_score"] is not None:
            grade = record["month_grade"]
            line.score = f"{Decimal(str(record['month_score'])):.2f} {grades.get(grade, grade or '')}".strip()
        s.month = record["month"] or s.month
        names[str(record["staff_id"])] = record["name"]
        s.people.append(line)
        for article, counts in record["violations_by_article"].items():
            for state in ("confirmed", "revoked", "dismissed", "pending"):
                s.by_article[int(article)][state] += counts[state]
    return names


def _decisions(tx: Tx, s: Summary, names: dict[str, str]) -> None:
    """The hall's escalation decisions: the transitions of ``escalation_transitions`` they made
    (a decision the re-derived ladder does not support is shown as such)."""
    for staff_id, at, reason, rule in tx.query(
        "SELECT staff_id, at, reason, rule FROM {t:escalation_transitions} ORDER BY staff_id, seq"
    ):
        decided, unsupported = reason.partition(" the re-derived ladder")[0], "(unsupported)" in reason
        text = DECISION_TEXT.get(reason) or (
            DECISION_TEXT.get(f"{decided} decided", "") + " (unsupported)" if unsupported else None
        )
        if text is not None:
            s.decisions.append((datetime.fromisoformat(str(at)), text, names.get(str(staff_id), "?"), rule or "—"))


def _candidates(app: HallLedger, tx: Tx, s: Summary) -> None:
    """What the detector recorded (``detection_candidates``) and how each was resolved (the
    violation's current status)."""
    for vid, rule, item, detector in tx.query(
        "SELECT id, rule, item, detector FROM {t:detection_candidates} ORDER BY occurred_at, id"
    ):
        status = app.violation(UUID(str(vid))).status
        label = f"{rule.partition('@')[0]} {item or ''}".strip()
        s.candidates[(detector, label)][status] += 1


def _open_now(tx: Tx, s: Summary) -> None:
    """What is open now (the hall's row of ``kpi_windows``), this month's window satisfaction
    (``assessment_windows``) and the published periods (``assessment_periods``)."""
    hall = next((r for r in queries.kpi_rows(tx) if r["window_id"] == queries.HALL), None)
    if hall is not None:
        for name in ("open_green", "open_yellow", "open_yellow_card", "open_red", "open_suspended"):
            s.figures["open_cases"] += int(hall[name])
        s.figures["open_red"] = int(hall["open_red"])
        s.figures["open_disclosures"] = int(hall["disclosures_open"]) + int(hall["disclosures_overdue"])
        s.figures["open_disclosures_overdue"] = int(hall["disclosures_overdue"])
        s.figures["open_shifts_uncovered"] = int(hall["shifts_uncovered"])
        s.figures["open_candidates"] = int(hall["candidates_pending"])
    if s.month:
        rated = [Decimal(str(w["satisfaction"])) for w in queries.windows(tx, s.month) if w["satisfaction"] is not None]
        s.satisfaction = sum(rated, Decimal(0)) / len(rated) if rated else None
    s.published = [str(r[0]) for r in tx.query("SELECT period FROM {t:assessment_periods} ORDER BY period")]


def describe_period(s: Summary) -> str:
    if s.first_day is None or s.last_day is None:
        return ""
    text = f"{s.first_day.isoformat()} – {s.last_day.isoformat()}"
    if s.last_day_open:
        text += f" ({s.last_day.isoformat()} 营业中 the hall day is still open)"
    return text


# ── printing (rich) ──────────────────────────────────────────────────────────


def print_summary(console: Console, s: Summary, *, built: bool, elapsed: float, store: str, seed: int) -> None:
    console.rule(f"[bold]{s.hall[0]} · {s.hall[1]}")
    console.print(
        f"{'已生成' if built else '已存在'} {'built' if built else 'already present'}: "
        f"{s.events} 条事件 events in {store}" + (f" ({elapsed:.1f}s, seed {seed})" if built else "")
    )
    console.print(
        f"模拟期间 Simulated period: {describe_period(s)} · {s.figures['HallDay.Opened']} 个营业日 hall days; "
        "截至今天 ending today (hall time): 今天的营业日模拟至三小时前 today's hall day is simulated up to three "
        "hours ago, or the last working day before today if the hall had not opened by then"
    )

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
    for p in s.people:
        people.add_row(p.staff_no, p.name, p.department, p.window, p.status, str(p.confirmed), p.ladder, p.score)
    console.print(people)

    articles = Table(title="违规按条款 Violations by article")
    for column in ("条款 Article", "认定 confirmed", "撤销 revoked", "不予认定 dismissed", "待定 pending"):
        articles.add_column(column)
    for article in sorted(s.by_article):
        counts = s.by_article[article]
        if not any(counts.values()):
            continue
        zh, en = ARTICLE_TITLES[article]
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
    for label, text in process_lines(s):
        figures.add_row(label, text)
    console.print(figures)
    console.print(
        f"规则目录 Rule catalogue {current_catalogue().version}; every event names its actor, valid time and "
        "record time — try `hall-ledger events --type SuspensionDecided`."
    )


def process_lines(s: Summary) -> list[tuple[str, str]]:
    """The processes at work: events by type (the log's topics) and what is open now (``kpi_windows``)."""
    f = s.figures
    satisfied = f"{s.satisfaction:.1f}%" if s.satisfaction is not None else "—"
    second_notices = sum(n for (d, _), c in s.candidates.items() if d == "one_time_notice" for n in c.values())
    return [
        (
            "首问负责 First inquiries (ART2.1)",
            f"{f['Inquiry.InquiryOpened']} 首问 opened → {f['Inquiry.InquiryHandled']} 办理 handled · "
            f"{f['Inquiry.InquiryHandedOver']} 转交 handed over · {f['Inquiry.InquiryEscalatedToLeader']} 报告领导 "
            f"escalated · {f['Inquiry.ResultCommunicated']} 告知结果 results told · {f['Inquiry.InquiryClosed']} "
            "办结 closed",
        ),
        (
            "办件 Applications (ART2.3, ART7.2)",
            f"{f['ServiceCase.ApplicationSubmitted']} 申请 submitted → {f['ServiceCase.ApplicationCompleted']} 办结 "
            f"completed · {f['ServiceCase.ApplicationRejected']} 不予受理 rejected · "
            f"{f['ServiceCase.DeadlineExtended']} 延期 extended · {f['ServiceCase.ApplicationSuspended']} 中止 "
            f"suspended · 在办 open now {f['open_cases']} ({f['open_red']} 超期 overdue)",
        ),
        (
            "一次性告知 One-time notices (ART2.2)",
            f"{f['ServiceCase.OneTimeNoticeIssued']} 告知 notices · {second_notices} 二次告知新材料 second notices "
            "asking for new materials (detected)",
        ),
        (
            "电子监察 E-supervision",
            f"{f['CaseSupervision.YellowLight']} 黄灯 yellow lights · {f['CaseSupervision.YellowCard']} 黄牌 yellow "
            f"cards · {f['CaseSupervision.RedCard']} 红牌 red cards",
        ),
        (
            "信息公开 Disclosure (ART2.4)",
            f"{f['DisclosureRequest.DisclosureRequested']} 申请 requests → "
            f"{f['DisclosureRequest.DisclosureAnswered']} 答复 answered · "
            f"{f['DisclosureRequest.DisclosureRequestAbandoned']} 视为放弃 abandoned · 办理中 open now "
            f"{f['open_disclosures']} ({f['open_disclosures_overdue']} 逾期 overdue) · "
            f"{f['Publication.InformationPublished']} 主动公开 published",
        ),
        (
            "咨询 Consultations (ART2.5)",
            f"{f['Consultation.ConsultationRecorded']} 接待登记 records (personal data sealed) → "
            f"{f['Consultation.ConsultationAnswered']} 解答 answered · {f['Consultation.ConsultationReferred']} 引导 "
            f"referred · {f['Consultation.ConsultationOutOfScopeExplained']} 不予受理说明 out of scope · "
            f"{f['Consultation.HandlingLimitsExplained']} 事先说明 limits explained · "
            f"{f['DataSubject.PersonalDataErased']} 删除 erased",
        ),
        (
            "好差评与表彰 Ratings, praise (ART11)",
            f"{f['Rating.Rated']} 评价 ratings (本月窗口满意度 window satisfaction this month {satisfied}) · "
            f"{f['Rating.Contested']} 申诉 contested · {f['Rating.Excluded']} 剔除 excluded · "
            f"{f['Complaint.Received']} 投诉 complaints ({f['Complaint.Verified']} 查实 verified) · "
            f"{f['Praise.Received']} 表扬 praise · {f['Commendation.Awarded']} 表彰 commendations",
        ),
        (
            "考勤 Attendance (ART6.5, ART7.5)",
            f"{f['AttendanceDay.Opened']} 人·日 person-days · {f['LeaveRequest.Requested']} 请假 leave "
            f"({f['LeaveRequest.Approved']} 批准 approved) · {f['AttendanceDay.AbsenceFromPostRecorded']} 离岗登记 "
            "absences from the post",
        ),
        (
            "值班 Duty roster (ART9.4)",
            f"{f['DutyShift.Assigned']} 班次 shifts · {f['DutyShift.SubstituteArranged']} 顶班 substitutes · "
            f"{f['DutyShift.HandedOver']} 交接 hand-overs · {f['DutyShift.IncidentReported']} 事件 incidents · "
            f"{f['Hazard.Reported']} 隐患 hazards · {f['open_shifts_uncovered']} 无人值守 uncovered now",
        ),
        (
            "安全 Security (ART9.1, ART9.7–9.8)",
            f"{f['EndOfDayCheck.Recorded']} 下班检查 end-of-day checks · {f['Asset.VirusChecked']} 病毒检测 virus "
            "checks",
        ),
        (
            "资产 Assets (ART5.2, ART10.1)",
            f"{f['Asset.Registered']} 在册 on the books · {f['Asset.Moved']} 备案调整 moves · "
            f"{f['Asset.MovedWithoutFiling']} 私自挪动 unfiled · {f['InventoryCount.Opened']} 盘点 counts "
            f"({f['InventoryCount.Closed']} 结束 closed): {f['InventoryCount.ItemFound']} 相符 found · "
            f"{f['InventoryCount.ItemMissing']} 盘亏 missing · {f['InventoryCount.SurplusFound']} 盘盈 surplus · "
            f"{f['Asset.WrittenOff']} 核销 written off",
        ),
        (
            "巡查 Inspection rounds (ART11.1)",
            f"{f['InspectionRound.Completed']} 轮 rounds · {f['InspectionRound.FindingRecorded']} 发现问题 findings · "
            f"{f['InspectionRound.CleanPassRecorded']} 无问题 clean passes",
        ),
        (
            "申诉 Appeals",
            f"{f['Appeal.Filed']} 申诉 filed → {f['Appeal.Decided']} 已决定 decided · 待定线索 candidates pending "
            f"{f['open_candidates']}",
        ),
        (
            "考核 Assessment (ART11)",
            f"{f['AssessmentPeriod.Published']} 期已发布 periods published ({', '.join(s.published) or '—'})",
        ),
    ]
