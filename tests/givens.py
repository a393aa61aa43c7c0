"""Histories built through domain commands, so tests read like the regulation.

*Given* a hall with a taxation department and its window, *given* 王芳 posted there on
1 March 2025, *when* an inspector records her late on 8 October …
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
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
