"""ART6.5 准时到岗,不得无故空岗、脱岗: late arrival, unexcused absence, missed punch, leaving the post.

Judged at the close of a working day (日终) against the attendance policy (08:30–11:30,
13:00–17:00, no grace) and the detection policy (late_long over 10 minutes; away from the
post 15 minutes or more without a notice). *Given* Tuesday 13 October, *when* 王芳 clocks
in at 08:35 and 李强 at 08:52, *then* ``late`` for her and ``late_long`` for him.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.violation import Violation
from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import (
    ATTENDANCE_DEVICE,
    CLERK,
    INSPECTOR,
    MANAGER,
    WINDOW_LEAD,
    GivenHall,
    at,
    close_day,
    detector_rows,
    given_hall,
    given_staff,
    open_day,
    positions,
    rebuild_detector,
    run_detector,
)

TUE, WED, SAT = date(2026, 10, 13), date(2026, 10, 14), date(2026, 10, 17)


def _staff(ledger: HallLedger, hall: GivenHall, no: str, name: str) -> tuple[UUID, int]:
    """A person posted at the tax window since March 2025, and the position of the posting."""
    staff = given_staff(ledger, hall, staff_no=no, name=name)
    return staff, positions(ledger)


def _punch(ledger: HallLedger, staff: UUID, hour: int, minute: int, *, out: bool = False, day: int = 13) -> int:
    command = ledger.clock_out if out else ledger.clock_in
    outcome = command(CLERK, staff_id=staff, device=ATTENDANCE_DEVICE, occurred_at=at(10, day, hour, minute))
    return outcome.positions[-1]


def _found(appended: list[tuple[int, Any]]) -> dict[tuple[UUID | None, str | None], Any]:
    events = [e for _, e in appended]
    assert all(isinstance(e, Violation.Detected) for e in events)
    return {(e.staff_id, e.item): e for e in events}


@pytest.mark.rules("ART6.5")
def test_a_first_clock_in_after_the_opening_is_late_or_late_long(ledger: HallLedger, clock: FakeClock) -> None:
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang, _ = _staff(ledger, hall, "S001", "王芳")
    li, _ = _staff(ledger, hall, "S002", "李强")
    zhao, _ = _staff(ledger, hall, "S003", "赵敏")
    open_day(ledger, TUE)
    wang_in = _punch(ledger, wang, 8, 35)
    _punch(ledger, li, 8, 52)
    _punch(ledger, zhao, 8, 30)
    _punch(ledger, li, 8, 20)  # a manual entry of an earlier punch: the first clock-in counts
    close = close_day(ledger, TUE, present=(wang, li, zhao))
    found = _found(run_detector(ledger))
    assert set(found) == {(wang, "late")}, "李强's 08:20 punch, recorded later, is his first clock-in"
    late = found[(wang, "late")]
    assert (late.rule, late.window_id, late.causation) == ("ART6.5@2026.1", hall.tax_window, [wang_in, close])
    assert late.occurred_at == at(10, 13, 8, 35)
    assert "5 分钟" in late.evidence and "5 minute(s) late" in late.evidence


@pytest.mark.rules("ART6.5")
def test_more_than_ten_minutes_late_is_late_long(ledger: HallLedger, clock: FakeClock) -> None:
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    li, _ = _staff(ledger, hall, "S002", "李强")
    open_day(ledger, TUE)
    li_in = _punch(ledger, li, 8, 52)
    close = close_day(ledger, TUE, present=(li,))
    found = _found(run_detector(ledger))
    assert set(found) == {(li, "late_long")}
    assert found[(li, "late_long")].causation == [li_in, close]
    rows = detector_rows(ledger)
    assert rebuild_detector(ledger) == []
    assert detector_rows(ledger) == rows


@pytest.mark.rules("ART6.5")
def test_no_punch_on_a_working_day_without_leave_is_absence_per_half_day(ledger: HallLedger, clock: FakeClock) -> None:
    """旷工 is deducted per half day: one candidate per uncovered session. A clock-out without a
    clock-in is a missed punch, not an absence; an afternoon-only arrival is half a day absent."""
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    zhang, zhang_posted = _staff(ledger, hall, "S004", "张伟")
    chen, _ = _staff(ledger, hall, "S005", "陈静")
    sun, sun_posted = _staff(ledger, hall, "S006", "孙丽")
    open_day(ledger, TUE)
    sun_in = _punch(ledger, sun, 13, 5)
    chen_out = _punch(ledger, chen, 17, 2, out=True)
    close = close_day(ledger, TUE, present=(sun,))
    appended = run_detector(ledger)
    found = {(e.staff_id, e.item, e.occurred_at): e for _, e in appended}  # type: ignore[attr-defined]
    assert set(found) == {
        (zhang, "absent", at(10, 13, 8, 30)),
        (zhang, "absent", at(10, 13, 13, 0)),
        (chen, "missed_punch", at(10, 13, 8, 30)),
        (sun, "absent", at(10, 13, 8, 30)),
        (sun, "late", at(10, 13, 13, 5)),
    }
    assert found[(zhang, "absent", at(10, 13, 8, 30))].causation == [zhang_posted, close]
    assert found[(sun, "absent", at(10, 13, 8, 30))].causation == [sun_posted, close]
    assert found[(sun, "late", at(10, 13, 13, 5))].causation == [sun_in, close]
    assert found[(chen, "missed_punch", at(10, 13, 8, 30))].causation == [chen_out, close]
    assert "08:30–11:30" in found[(zhang, "absent", at(10, 13, 8, 30))].evidence
    assert len({e.originator_id for _, e in appended}) == 5, "a distinct cause, a distinct candidate"
    rows = detector_rows(ledger)
    assert rebuild_detector(ledger) == []
    assert detector_rows(ledger) == rows


@pytest.mark.rules("ART6.5", "ART7.5")
def test_approved_leave_a_rest_day_and_a_posting_not_yet_begun_excuse_the_day(
    ledger: HallLedger, clock: FakeClock
) -> None:
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang, _ = _staff(ledger, hall, "S001", "王芳")
    li, _ = _staff(ledger, hall, "S002", "李强")
    zhao, _ = _staff(ledger, hall, "S003", "赵敏")
    newcomer = given_staff(ledger, hall, staff_no="S009", name="周杰", posted_on=date(2026, 10, 20))
    whole_day = ledger.request_leave(
        CLERK, staff_id=wang, leave_type="annual", starts=at(10, 13, 0, 0), ends=at(10, 14, 0, 0),
        occurred_at=at(10, 9, 9, 0),
    ).id  # fmt: skip
    morning = ledger.request_leave(
        CLERK, staff_id=li, leave_type="personal", starts=at(10, 13, 8, 30), ends=at(10, 13, 12, 0),
        occurred_at=at(10, 12, 16, 0),
    ).id  # fmt: skip
    ledger.approve_leave(WINDOW_LEAD, leave_id=whole_day, occurred_at=at(10, 9, 10, 0))
    ledger.approve_leave(WINDOW_LEAD, leave_id=morning, occurred_at=at(10, 12, 16, 30))
    open_day(ledger, TUE, present=(zhao,))
    _punch(ledger, li, 12, 55)
    ledger.report_back_from_leave(CLERK, leave_id=morning, occurred_at=at(10, 13, 12, 56))  # 销假 (ART7.5)
    close_day(ledger, TUE, present=(li, zhao))
    # Saturday 17 October is a rest day: the hall opened for a weekend service, nobody was expected
    open_day(ledger, SAT)
    close_day(ledger, SAT)
    assert newcomer
    assert run_detector(ledger) == []
    assert rebuild_detector(ledger) == []


@pytest.mark.rules("ART6.5")
def test_away_from_the_post_fifteen_minutes_without_a_notice_is_left_post(ledger: HallLedger, clock: FakeClock) -> None:
    """Counted within opening hours only; an absence recorded after its day was closed is judged
    at the next close."""
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang, _ = _staff(ledger, hall, "S001", "王芳")
    li, _ = _staff(ledger, hall, "S002", "李强")
    open_day(ledger, TUE, present=(wang, li))
    away = ledger.record_absence_from_post(
        INSPECTOR, staff_id=wang, left_at=at(10, 13, 10, 0), returned_at=at(10, 13, 10, 20), notice_displayed=False
    )
    close = close_day(ledger, TUE, present=(wang, li))
    open_day(ledger, WED, present=(wang, li))
    late_record = ledger.record_absence_from_post(
        MANAGER, staff_id=li, left_at=at(10, 13, 15, 0), notice_displayed=False, reason="补录"
    )
    ledger.record_return_to_post(
        MANAGER, staff_id=li, absence_id=late_record.extra["absence_id"], returned_at=at(10, 13, 15, 40)
    )
    returned = positions(ledger)
    next_close = close_day(ledger, WED, present=(wang, li))
    found = _found(run_detector(ledger))
    assert set(found) == {(wang, "left_post"), (li, "left_post")}
    assert found[(wang, "left_post")].causation == [away.positions[0], close]
    assert found[(wang, "left_post")].occurred_at == at(10, 13, 10, 0)
    assert "20 分钟" in found[(wang, "left_post")].evidence
    assert found[(li, "left_post")].causation == [late_record.positions[0], returned, next_close]
    assert "40 minute(s)" in found[(li, "left_post")].evidence
    rows = detector_rows(ledger)
    assert rebuild_detector(ledger) == []
    assert detector_rows(ledger) == rows


@pytest.mark.rules("ART6.5")
def test_a_short_absence_a_displayed_notice_or_the_lunch_break_is_not_left_post(
    ledger: HallLedger, clock: FakeClock
) -> None:
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang, _ = _staff(ledger, hall, "S001", "王芳")
    open_day(ledger, TUE, present=(wang,))
    for left, back, notice in (
        ((9, 0), (9, 10), False),  # ten minutes
        ((9, 30), (10, 30), True),  # an hour behind a "暂停受理" sign
        ((11, 25), (13, 5), False),  # across lunch: ten minutes of opening time
    ):
        ledger.record_absence_from_post(
            INSPECTOR, staff_id=wang, left_at=at(10, 13, *left), returned_at=at(10, 13, *back), notice_displayed=notice
        )
    close_day(ledger, TUE, present=(wang,))
    assert run_detector(ledger) == []
    assert rebuild_detector(ledger) == []
