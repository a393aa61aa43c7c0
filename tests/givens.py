"""Histories built through domain commands, so tests read like the regulation.

*Given* a hall with a taxation department and its window, *given* 王芳 posted there on
1 March 2025, *when* an inspector records her late on 8 October …
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from domain.envelope import CHINA_STANDARD_TIME, Actor
from service.application import HallLedger

MANAGER = Actor("mgr-zhang", "hall_manager")
INSPECTOR = Actor("insp-li", "inspector")
SECOND_INSPECTOR = Actor("insp-wu", "inspector")
COMMITTEE = Actor("cmte-zhao", "committee")
REVIEWER = Actor("rev-sun", "appeal_reviewer")
WINDOW_LEAD = Actor("lead-qian", "window_lead")


def at(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026) -> datetime:
    """A moment in the hall (China Standard Time)."""
    return datetime(year, month, day, hour, minute, tzinfo=CHINA_STANDARD_TIME)


@dataclass
class GivenHall:
    tax: UUID
    market: UUID
    tax_window: UUID
    tax_window_2: UUID
    market_window: UUID
    comprehensive_window: UUID


def given_hall(ledger: HallLedger) -> GivenHall:
    when = at(1, 5, year=2025)
    ledger.establish_hall(MANAGER, name_zh="北海行政审批中心", name_en="Beihai Approval Center", occurred_at=when)
    tax = ledger.register_department(
        MANAGER, code="tax", name_zh="税务局", name_en="Taxation", uniformed=True, occurred_at=when
    ).id
    market = ledger.register_department(
        MANAGER, code="market", name_zh="市场监管局", name_en="Market regulation", uniformed=True, occurred_at=when
    ).id
    tax_window = ledger.open_window(
        MANAGER, code="W07", name_zh="税务综合窗口", name_en="Tax window", department_id=tax, occurred_at=when
    ).id
    tax_window_2 = ledger.open_window(
        MANAGER, code="W08", name_zh="税务发票窗口", name_en="Invoice window", department_id=tax, occurred_at=when
    ).id
    market_window = ledger.open_window(
        MANAGER, code="W03", name_zh="企业登记窗口", name_en="Business registration", department_id=market,
        occurred_at=when,
    ).id  # fmt: skip
    comprehensive = ledger.open_window(
        MANAGER, code="W01", name_zh="综合受理窗口", name_en="General intake", department_id=market,
        kind="comprehensive", occurred_at=when,
    ).id  # fmt: skip
    return GivenHall(tax, market, tax_window, tax_window_2, market_window, comprehensive)


def given_staff(
    ledger: HallLedger,
    hall: GivenHall,
    *,
    staff_no: str = "S001",
    name: str = "王芳",
    posted_on: date = date(2025, 3, 1),
    window: UUID | None = None,
    department: UUID | None = None,
    employment: str = "seconded",
    posted: bool = True,
) -> UUID:
    staff_id = ledger.onboard_staff(
        MANAGER,
        staff_no=staff_no,
        name=name,
        department_id=department or hall.tax,
        employment=employment,
        occurred_at=datetime.combine(posted_on, datetime.min.time(), CHINA_STANDARD_TIME),
    ).id
    if posted:
        ledger.post_staff(
            MANAGER,
            staff_id=staff_id,
            window_id=window or hall.tax_window,
            start=posted_on,
            occurred_at=datetime.combine(posted_on, datetime.min.time(), CHINA_STANDARD_TIME),
        )
    return staff_id


def given_confirmed_violation(
    ledger: HallLedger,
    staff_id: UUID,
    *,
    rule: str = "ART2.1",
    item: str | None = None,
    when: datetime | None = None,
    evidence: str = "observed during an inspection round",
) -> UUID:
    when = when or at(10, 1)
    violation_id = ledger.record_violation(
        INSPECTOR, rule=rule, item=item, staff_id=staff_id, evidence=evidence, occurred_at=when
    ).id
    ledger.confirm_violation(SECOND_INSPECTOR, violation_id=violation_id, occurred_at=when)
    return violation_id


def positions(ledger: HallLedger) -> int:
    """How many events the ledger holds (a refused command must leave it unchanged)."""
    return ledger.recorder.max_notification_id() or 0


def topics(ledger: HallLedger, after: int = 0) -> list[str]:
    return [n.topic.rpartition(".")[2] for n in ledger.recorder.select_notifications(after + 1, 10_000)]


# ── service processes (ART2.x, ART7.2, ART7.6): inquiries, cases, disclosure, consultations ──

#: 王芳 at the tax window, recording her own service work
CLERK = Actor("wang-fang", "staff")


def given_inquiry(
    ledger: HallLedger,
    responder: UUID,
    *,
    channel: str = "hall",
    client_ref: str = "client-0001",
    topic: str = "如何办理个体工商户税务登记",
    when: datetime | None = None,
) -> UUID:
    """*Given* a client asked ``responder`` first (首问)."""
    return ledger.open_inquiry(
        CLERK, channel=channel, first_responder_id=responder, client_ref=client_ref, topic=topic,
        occurred_at=when or at(10, 8, 8, 30),
    ).id  # fmt: skip


def given_case(
    ledger: HallLedger,
    hall: GivenHall,
    staff: UUID,
    *,
    mode: str = "general",
    matter_code: str = "TAX-0101",
    matter_name: str = "税务登记",
    applicant_ref: str = "applicant-0001",
    when: datetime | None = None,
) -> UUID:
    """*Given* an application submitted at the tax window, handled by ``staff``."""
    return ledger.submit_application(
        CLERK, matter_code=matter_code, matter_name=matter_name, mode=mode, window_id=hall.tax_window,
        staff_id=staff, applicant_ref=applicant_ref, materials=["营业执照副本"], occurred_at=when or at(10, 8, 9, 0),
    ).id  # fmt: skip


def given_accepted_case(
    ledger: HallLedger,
    hall: GivenHall,
    staff: UUID,
    *,
    committed_working_days: int = 5,
    when: datetime | None = None,
) -> UUID:
    """*Given* an application accepted in one go with a committed limit in working days."""
    when = when or at(10, 8, 9, 0)
    case_id = given_case(ledger, hall, staff, when=when)
    ledger.accept_application(CLERK, case_id=case_id, committed_working_days=committed_working_days, occurred_at=when)
    return case_id


def given_disclosure_request(
    ledger: HallLedger,
    staff: UUID,
    *,
    when: datetime,
    requester_ref: str = "requester-0001",
    description: str = "本部门2025年度行政事业性收费目录",
) -> UUID:
    """*Given* a request for government information received by ``staff`` at ``when``."""
    return ledger.receive_disclosure_request(
        CLERK, received_by=staff, requester_ref=requester_ref, description=description, occurred_at=when
    ).id


def given_consultation(
    ledger: HallLedger,
    staff: UUID,
    *,
    client_name: str = "李明",
    client_contact: str = "13800138000",
    client_organisation: str | None = "营口某贸易有限公司",
    client_ref: str | None = None,
    when: datetime | None = None,
) -> tuple[UUID, str]:
    """*Given* a reception record at the consultation desk; returns (consultation id, client_ref)."""
    outcome = ledger.record_consultation(
        CLERK, staff_id=staff, client_name=client_name, client_contact=client_contact,
        client_organisation=client_organisation, matter="企业设立登记需要哪些材料", client_ref=client_ref,
        occurred_at=when or at(10, 8, 9, 0),
    )  # fmt: skip
    return outcome.id, str(outcome.extra["client_ref"])


def events_of(ledger: HallLedger, stream_id: UUID) -> list[object]:
    """The domain events of one stream, in order."""
    return list(ledger.events.get(stream_id))


# ── hall operations (ART5.2, ART6.5, ART7.5, ART9, ART10.1, ART11): attendance, duty, assets, ratings ──


def event_at(ledger: HallLedger, position: int) -> object:
    """The domain event stored at ``position`` of the log."""
    return ledger.mapper.to_domain_event(ledger.recorder.select_notifications(position, 1)[0])


def given_asset(
    ledger: HallLedger,
    hall: GivenHall,
    custodian: UUID,
    *,
    asset_no: str = "BH-PC-0001",
    category: str = "computer",
    window: UUID | None = None,
    value: str = "4800.00",
) -> UUID:
    """*Given* an item on the hall's books at a tax window, in ``custodian``'s care (ART10.1)."""
    from decimal import Decimal

    return ledger.register_asset(
        MANAGER, asset_no=asset_no, category=category, description=f"{category} {asset_no}", value=Decimal(value),
        department_id=hall.tax, custodian_id=custodian, window_id=window or hall.tax_window,
        designation_ref="税务局〔2025〕3号", occurred_at=at(3, 2, year=2025),
    ).id  # fmt: skip


def given_duty_shift(
    ledger: HallLedger, staff: UUID, *, day: date = date(2026, 9, 29), slot: str = "lunch", duty_role: str = "duty"
) -> UUID:
    """*Given* ``staff`` rostered (值班表, ART9.4) for ``slot`` on ``day``."""
    return ledger.assign_shift(
        MANAGER, day=day, slot=slot, staff_id=staff, duty_role=duty_role, occurred_at=at(9, 20, 10)
    ).id


# ── automatic detection (projections/detection): hall days, the detector and what it appended ──

#: the hall's own scheduler (``hall-ledger serve``): opens and closes the hall day (营业日, 日终)
HALL_SYSTEM = Actor("hall-scheduler", "system")
ATTENDANCE_DEVICE = "人脸识别考勤机-1F"


def open_day(ledger: HallLedger, day: date, *, present: tuple[UUID, ...] = ()) -> int:
    """*Given* the hall opened ``day`` at 08:00 and everyone ``present`` clocked in at 08:20; the
    position of the opening."""
    opened = ledger.open_hall_day(HALL_SYSTEM, day=day, occurred_at=_on(day, 8, 0))
    for staff in present:
        ledger.clock_in(CLERK, staff_id=staff, device=ATTENDANCE_DEVICE, occurred_at=_on(day, 8, 20))
    return opened.positions[0]


def close_day(
    ledger: HallLedger, day: date, *, present: tuple[UUID, ...] = (), hour: int = 17, minute: int = 30
) -> int:
    """*Given* everyone ``present`` clocked out at 17:05 and the hall closed ``day`` (日终) at 17:30;
    the position of the close."""
    for staff in present:
        ledger.clock_out(CLERK, staff_id=staff, device=ATTENDANCE_DEVICE, occurred_at=_on(day, 17, 5))
    return ledger.close_hall_day(HALL_SYSTEM, day=day, occurred_at=_on(day, hour, minute)).positions[0]


def given_working_day(ledger: HallLedger, day: date, *, present: tuple[UUID, ...] = ()) -> int:
    """*Given* an ordinary day: opened, everyone ``present`` in on time and out, closed; the close's position."""
    open_day(ledger, day, present=present)
    return close_day(ledger, day, present=present)


def _on(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA_STANDARD_TIME)


def run_detector(ledger: HallLedger, detector: object | None = None) -> list[tuple[int, object]]:
    """*When* automatic detection catches up with the log: the events it appended, with positions."""
    from projections.detection import Detector
    from projections.runner import ProjectionRunner

    before = positions(ledger)
    runner = ProjectionRunner(ledger, [detector if isinstance(detector, Detector) else Detector()])
    runner.prepare()
    runner.catch_up()
    return [(n.id, ledger.mapper.to_domain_event(n)) for n in ledger.recorder.select_notifications(before + 1, 100_000)]


def detected(ledger: HallLedger) -> list[tuple[int, object]]:
    """Every candidate violation in the log (``Violation.Detected``), with its position."""
    return [
        (n.id, ledger.mapper.to_domain_event(n))
        for n in ledger.recorder.select_notifications(1, 1_000_000)
        if n.topic.endswith("Violation.Detected")
    ]


def rebuild_detector(ledger: HallLedger) -> list[tuple[int, object]]:
    """*When* the detector is replayed from position 0 into fresh tables (``hall-ledger rebuild``):
    the events it appended (none, when detection never fires twice)."""
    from projections.detection import Detector
    from projections.runner import rebuild

    before = positions(ledger)
    rebuild(ledger, [Detector()])
    return [(n.id, ledger.mapper.to_domain_event(n)) for n in ledger.recorder.select_notifications(before + 1, 100_000)]


def detector_rows(ledger: HallLedger, table: str = "detection_candidates") -> list[tuple[object, ...]]:
    """The rows of one of the detector's tables, in key order (what a BI tool reads)."""
    from projections.runner import ProjectionStore

    with ProjectionStore(ledger).transaction() as tx:
        return tx.query(f"SELECT * FROM {{t:{table}}} ORDER BY 1, 2")


# ── the read side (projections): ladder decisions, appeals, projecting ──


def given_admonishment(
    ledger: HallLedger, staff_id: UUID, basis: list[UUID], *, when: datetime, remedy_due: date
) -> UUID:
    """*Given* the center admonished the person (诫勉教育) and ordered a remedy by ``remedy_due``."""
    return ledger.issue_admonishment(
        MANAGER, staff_id=staff_id, basis=basis, remedy="书面检查并向服务对象道歉", remedy_due=remedy_due,
        occurred_at=when,
    ).extra["admonishment_id"]  # fmt: skip


def given_suspension(ledger: HallLedger, staff_id: UUID, basis: list[UUID], *, when: datetime) -> UUID:
    """*Given* the committee suspended the person from post (待岗) from the next day."""
    return ledger.decide_suspension(
        COMMITTEE, staff_id=staff_id, basis=basis, start=(when + timedelta(days=1)).date(), occurred_at=when
    ).extra["decision_id"]


def given_overturned_appeal(
    ledger: HallLedger, staff_id: UUID, violation_id: UUID, *, filed: datetime, decided: datetime
) -> UUID:
    """*Given* the person appealed a violation (申诉) and the reviewer overturned it (撤销)."""
    appeal_id = given_appeal(ledger, staff_id, violation_id, filed=filed)
    ledger.decide_appeal(REVIEWER, appeal_id=appeal_id, outcome="overturned", reasons="当日请假,证据不足",
                         occurred_at=decided)  # fmt: skip
    return appeal_id


def given_appeal(ledger: HallLedger, staff_id: UUID, violation_id: UUID, *, filed: datetime) -> UUID:
    """*Given* the person appealed a violation and a reviewer was assigned (still pending)."""
    appeal_id = ledger.file_appeal(
        CLERK, appellant_id=staff_id, target_kind="violation", target_id=violation_id, grounds="当日请假,不在岗",
        occurred_at=filed,
    ).id  # fmt: skip
    ledger.assign_appeal_reviewer(MANAGER, appeal_id=appeal_id, reviewer=REVIEWER, occurred_at=filed)
    return appeal_id
