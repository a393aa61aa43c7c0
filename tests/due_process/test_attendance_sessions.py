"""ART6.5 按时上下班,不得空岗、脱岗 and ART7.5 请销假: every session of the hall day is judged.

The hall opens 08:30–11:30 and 13:00–17:00 (attendance@2026.1). *Given* Tuesday 13 October
2026, *when* the day closes (日终), *then* each person's punches are judged session by
session: lateness in the afternoon, leaving early, a clock-in never followed by a clock-out,
leaving for good after a morning clock-in, and a lateness that misses most of a session is a
half-day absence (旷工) — never cheaper than staying away. Approved leave whose person is back
at work, or whose end has passed, without 销假 is a candidate under ART7.5.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

import domain.policies
from domain.policies.attendance import load_attendance_policy, parse_attendance_policy
from domain.policies.loading import PolicyError
from domain.rules import catalogue_in_force
from domain.violation import Violation
from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import (
    ATTENDANCE_DEVICE,
    CLERK,
    WINDOW_LEAD,
    at,
    close_day,
    detector_rows,
    given_hall,
    given_staff,
    open_day,
    rebuild_detector,
    run_detector,
)

TUE, WED = date(2026, 10, 13), date(2026, 10, 14)


def _punch(ledger: HallLedger, staff: UUID, hour: int, minute: int, *, out: bool = False, day: int = 13) -> int:
    command = ledger.clock_out if out else ledger.clock_in
    return command(CLERK, staff_id=staff, device=ATTENDANCE_DEVICE, occurred_at=at(10, day, hour, minute)).positions[-1]


def _found(appended: list[tuple[int, Any]]) -> dict[tuple[UUID | None, str | None, str], Violation.Detected]:
    """The candidates by (person, item, hall time of the breach)."""
    events = [e for _, e in appended]
    assert all(isinstance(e, Violation.Detected) for e in events)
    return {(e.staff_id, e.item, e.occurred_at.strftime("%H:%M")): e for e in events}


def _unchanged_by_replay(ledger: HallLedger) -> None:
    rows = detector_rows(ledger)
    assert rebuild_detector(ledger) == [], "a replay decides exactly what the live follower decided"
    assert detector_rows(ledger) == rows


@pytest.mark.rules("ART6.5", "ART7.5")
def test_afternoon_lateness_and_early_leave_are_judged_per_session(ledger: HallLedger, clock: FakeClock) -> None:
    """王芳 is on time in the morning, back from lunch at 13:20 (late, over 10 minutes); 李强 works
    the whole day but clocks out at 16:52 (eight minutes early)."""
    clock.set(at(10, 14, 9))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall, staff_no="S001", name="王芳")
    li = given_staff(ledger, hall, staff_no="S002", name="李强")
    open_day(ledger, TUE, present=(wang, li))
    _punch(ledger, wang, 11, 31, out=True)
    back = _punch(ledger, wang, 13, 20)
    _punch(ledger, wang, 17, 5, out=True)
    early = _punch(ledger, li, 16, 52, out=True)
    close = close_day(ledger, TUE)
    found = _found(run_detector(ledger))
    assert set(found) == {(wang, "late_long", "13:20"), (li, "late", "16:52")}
    assert found[(wang, "late_long", "13:20")].causation == [back, close]
    assert "迟到 20 分钟" in found[(wang, "late_long", "13:20")].evidence
    assert found[(li, "late", "16:52")].causation == [early, close]
    assert "早退 8 分钟" in found[(li, "late", "16:52")].evidence
    assert "left 8 minute(s) early" in found[(li, "late", "16:52")].evidence
    _unchanged_by_replay(ledger)


@pytest.mark.rules("ART6.5", "ART7.5")
def test_a_clock_in_never_followed_by_a_clock_out_is_a_missed_punch(ledger: HallLedger, clock: FakeClock) -> None:
    clock.set(at(10, 14, 9))
    hall = given_hall(ledger)
    zhao = given_staff(ledger, hall, staff_no="S003", name="赵敏")
    open_day(ledger, TUE, present=(zhao,))
    close = close_day(ledger, TUE)
    found = _found(run_detector(ledger))
    assert set(found) == {(zhao, "missed_punch", "17:00")}, "no absence the ledger cannot know; the punch is missed"
    missed = found[(zhao, "missed_punch", "17:00")]
    assert missed.causation[-1] == close
    assert "无下班打卡" in missed.evidence and "no clock-out" in missed.evidence
    _unchanged_by_replay(ledger)


@pytest.mark.rules("ART6.5")
def test_leaving_for_good_after_a_morning_clock_in_is_absence_for_what_was_missed(
    ledger: HallLedger, clock: FakeClock
) -> None:
    """孙丽 clocks in at 08:25 and out at 09:10, and does not come back: the morning is a half-day
    absence (gone 140 minutes early, over the 60-minute threshold), the afternoon too."""
    clock.set(at(10, 14, 9))
    hall = given_hall(ledger)
    sun = given_staff(ledger, hall, staff_no="S006", name="孙丽")
    open_day(ledger, TUE)
    _punch(ledger, sun, 8, 25)
    gone = _punch(ledger, sun, 9, 10, out=True)
    close = close_day(ledger, TUE)
    found = _found(run_detector(ledger))
    assert set(found) == {(sun, "absent", "08:30"), (sun, "absent", "13:00")}
    morning = found[(sun, "absent", "08:30")]
    assert morning.causation == [gone, close]
    assert "早退 140 分钟" in morning.evidence and "half-day absence" in morning.evidence
    assert len({e.originator_id for e in found.values()}) == 2
    _unchanged_by_replay(ledger)


@pytest.mark.rules("ART6.5")
def test_a_179_minute_lateness_never_costs_less_than_a_half_day_absence(ledger: HallLedger, clock: FakeClock) -> None:
    """陈静 arrives at 11:29 (179 minutes late); 张伟 skips the morning and comes at 13:00. Both are
    one half-day absence: the deduction for the lateness is not smaller than for the absence."""
    clock.set(at(10, 14, 9))
    hall = given_hall(ledger)
    chen = given_staff(ledger, hall, staff_no="S005", name="陈静")
    zhang = given_staff(ledger, hall, staff_no="S004", name="张伟")
    open_day(ledger, TUE)
    late = _punch(ledger, chen, 11, 29)
    _punch(ledger, zhang, 13, 0)
    close = close_day(ledger, TUE, present=(chen, zhang))
    found = _found(run_detector(ledger))
    assert set(found) == {(chen, "absent", "08:30"), (zhang, "absent", "08:30")}
    assert found[(chen, "absent", "08:30")].causation == [late, close]
    assert "179" in found[(chen, "absent", "08:30")].evidence
    rule = catalogue_in_force(TUE).get("ART6.5")

    def cost(who: UUID) -> Decimal:
        return sum((rule.deduction_of(e.item) for e in found.values() if e.staff_id == who), Decimal(0))

    assert cost(chen) >= cost(zhang) == Decimal(5)
    assert load_attendance_policy("2026.1").absent_over_minutes == 60
    _unchanged_by_replay(ledger)


@pytest.mark.rules("ART7.5")
def test_leave_not_reported_back_is_a_candidate(ledger: HallLedger, clock: FakeClock) -> None:
    """王芳 has Tuesday morning off and is back at 12:55 but never reports back (销假): a candidate at
    Tuesday's close. 李强's leave ended Tuesday evening; still open at Wednesday's close: a candidate.
    赵敏 reported back: nothing."""
    clock.set(at(10, 15, 9))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall, staff_no="S001", name="王芳")
    li = given_staff(ledger, hall, staff_no="S002", name="李强")
    zhao = given_staff(ledger, hall, staff_no="S003", name="赵敏")
    leaves = {}
    for who, starts, ends in (
        (wang, at(10, 13, 8, 30), at(10, 13, 12, 0)),
        (li, at(10, 13, 8, 30), at(10, 13, 17, 0)),
        (zhao, at(10, 13, 8, 30), at(10, 13, 17, 0)),
    ):
        leave = ledger.request_leave(
            CLERK, staff_id=who, leave_type="personal", starts=starts, ends=ends, occurred_at=at(10, 12, 16, 0)
        ).id
        approved = ledger.approve_leave(WINDOW_LEAD, leave_id=leave, occurred_at=at(10, 12, 16, 30))
        leaves[who] = (leave, approved.positions[-1])
    open_day(ledger, TUE)
    _punch(ledger, wang, 12, 55)
    tue = close_day(ledger, TUE, present=(wang,))
    open_day(ledger, WED, present=(wang, li, zhao))
    ledger.report_back_from_leave(CLERK, leave_id=leaves[zhao][0], occurred_at=at(10, 14, 8, 25))
    wed = close_day(ledger, WED, present=(wang, li, zhao))
    found = {(e.staff_id, e.rule): e for _, e in run_detector(ledger)}  # type: ignore[attr-defined]
    assert set(found) == {(wang, "ART7.5@2026.1"), (li, "ART7.5@2026.1")}
    assert found[(wang, "ART7.5@2026.1")].causation == [leaves[wang][1], tue]
    assert "未销假" in found[(wang, "ART7.5@2026.1")].evidence
    assert found[(li, "ART7.5@2026.1")].causation == [leaves[li][1], wed]
    assert found[(li, "ART7.5@2026.1")].occurred_at == at(10, 14, 8, 30)
    _unchanged_by_replay(ledger)


@pytest.mark.rules("ART7.5")
def test_back_at_work_inside_the_leave_without_reporting_back_is_a_candidate(
    ledger: HallLedger, clock: FakeClock
) -> None:
    """王芳's approved leave runs Tuesday and Wednesday; she is back on Tuesday at 08:20 without 销假."""
    clock.set(at(10, 14, 9))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall, staff_no="S001", name="王芳")
    leave = ledger.request_leave(
        CLERK, staff_id=wang, leave_type="annual", starts=at(10, 13, 0, 0), ends=at(10, 15, 0, 0),
        occurred_at=at(10, 9, 9, 0),
    ).id  # fmt: skip
    ledger.approve_leave(WINDOW_LEAD, leave_id=leave, occurred_at=at(10, 9, 10, 0))
    open_day(ledger, TUE, present=(wang,))
    close_day(ledger, TUE, present=(wang,))
    found = _found(run_detector(ledger))
    assert [(e.rule, e.occurred_at) for e in found.values()] == [("ART7.5@2026.1", at(10, 13, 8, 20))]
    assert "已打卡上班" in next(iter(found.values())).evidence
    _unchanged_by_replay(ledger)


def test_the_policy_refuses_a_threshold_that_lets_a_lateness_cost_less_than_the_absence() -> None:
    shipped = (Path(domain.policies.__file__).parent / "attendance-2026.1.toml").read_bytes()
    data = shipped.replace(b"absent_over_minutes = 60", b"absent_over_minutes = 179")
    with pytest.raises(PolicyError, match="more than half the 180-minute session morning"):
        parse_attendance_policy(data, "attendance-test.toml")
