"""ART6.5 (准时到岗,不得无故空岗、脱岗) and ART7.5 (考勤和请销假制度) as facts.

*Given* 王芳 posted at the tax window, *when* she clocks in at 08:52, *then* the ledger
records the punch as it happened on her attendance day — lateness is the detector's
judgement, under the attendance policy the day was opened with.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest

from domain.attendance import APPROVED, REFUSED, REPORTED_BACK, AttendanceDay, LeaveRequest
from domain.envelope import Actor
from domain.errors import InvalidInput, InvariantViolated, NotFound, NotPermitted
from domain.policies.attendance import load_attendance_policy
from service.application import HallLedger
from tests.givens import (
    CLERK,
    INSPECTOR,
    MANAGER,
    WINDOW_LEAD,
    at,
    event_at,
    events_of,
    given_hall,
    given_staff,
    positions,
    topics,
)

DEVICE = "人脸识别考勤机-1F"


def _last(ledger: HallLedger) -> Any:
    return event_at(ledger, positions(ledger))


@pytest.mark.rules("ART7.5")
def test_the_first_punch_opens_the_day_under_the_attendance_policy(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    before = positions(ledger)
    ledger.clock_in(CLERK, staff_id=staff, device=DEVICE, occurred_at=at(9, 29, 8, 24))
    ledger.clock_out(CLERK, staff_id=staff, device=DEVICE, occurred_at=at(9, 29, 17, 6))
    assert topics(ledger, before) == ["Opened", "ClockedIn", "ClockedOut"]
    day = ledger.attendance_day(staff, date(2026, 9, 29))
    assert (day.staff_id, day.window_id, day.policy) == (staff, hall.tax_window, "attendance@2026.1")
    assert [(p["kind"], p["at"], p["device"]) for p in day.punches] == [
        ("in", at(9, 29, 8, 24), DEVICE),
        ("out", at(9, 29, 17, 6), DEVICE),
    ]
    assert _last(ledger).rule == "ART7.5@2026.1"


@pytest.mark.rules("ART6.5", "ART7.5")
def test_a_late_punch_is_recorded_as_it_happened_for_the_detector_to_judge(ledger: HallLedger) -> None:
    """The hall opens at 08:30 (policy data, not code); a punch at 08:52 is a fact, not a refusal."""
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    ledger.clock_in(CLERK, staff_id=staff, device=DEVICE, occurred_at=at(9, 29, 8, 52))
    day = ledger.attendance_day(staff, date(2026, 9, 29))
    policy = load_attendance_policy(day.policy.partition("@")[2])
    opens, _ = policy.opening_hours(day.day)[0]
    assert opens == at(9, 29, 8, 30)
    assert (day.punches[0]["at"] - opens).total_seconds() == 22 * 60


@pytest.mark.rules("ART7.5")
def test_the_hall_day_is_china_time_whatever_zone_the_device_reports(ledger: HallLedger) -> None:
    """07:55 on 29 September in the hall is 23:55 UTC on the 28th: it belongs to the 29th."""
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    ledger.clock_in(CLERK, staff_id=staff, device=DEVICE, occurred_at=datetime(2026, 9, 28, 23, 55, tzinfo=UTC))
    ledger.clock_out(CLERK, staff_id=staff, device=DEVICE, occurred_at=at(9, 29, 17, 1))
    day = ledger.attendance_day(staff, date(2026, 9, 29))
    assert len(day.punches) == 2
    with pytest.raises(NotFound):
        ledger.attendance_day(staff, date(2026, 9, 28))


@pytest.mark.rules("ART7.5")
def test_the_same_punch_twice_is_refused(ledger: HallLedger) -> None:
    """A device that re-uploads its punches must not double them."""
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    ledger.clock_in(CLERK, staff_id=staff, device=DEVICE, occurred_at=at(9, 29, 8, 24))
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.clock_in(Actor("attendance-sync", "system"), staff_id=staff, device=DEVICE, occurred_at=at(9, 29, 8, 24))
    assert (refused.value.rule, refused.value.field) == ("ART7.5@2026.1", "occurred_at")
    assert positions(ledger) == before


@pytest.mark.rules("ART7.5")
def test_a_punch_names_its_device(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    before = positions(ledger)
    with pytest.raises(InvalidInput) as refused:
        ledger.clock_in(CLERK, staff_id=staff, device="  ", occurred_at=at(9, 29, 8, 24))
    assert refused.value.field == "device"
    assert positions(ledger) == before


@pytest.mark.rules("ART7.5")
def test_punches_of_unknown_people_or_people_who_left_are_refused(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    gone = given_staff(ledger, hall, staff_no="S002", name="赵强", posted=False)
    ledger.record_staff_left(MANAGER, staff_id=gone, on=date(2026, 6, 30), reason="调回原单位")
    before = positions(ledger)
    with pytest.raises(NotFound) as unknown:
        ledger.clock_in(CLERK, staff_id=uuid4(), device=DEVICE, occurred_at=at(9, 29, 8, 24))
    assert unknown.value.field == "staff_id"
    with pytest.raises(InvariantViolated) as left:
        ledger.clock_in(CLERK, staff_id=gone, device=DEVICE, occurred_at=at(9, 29, 8, 24))
    assert left.value.field == "staff_id"
    assert positions(ledger) == before


@pytest.mark.rules("ART7.5")
def test_read_only_roles_record_no_punches(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    before = positions(ledger)
    with pytest.raises(NotPermitted):
        ledger.clock_in(Actor("bi", "dashboard"), staff_id=staff, device=DEVICE, occurred_at=at(9, 29, 8, 24))
    assert positions(ledger) == before


# ── absence from the post (空岗、脱岗) ────────────────────────────────────────


@pytest.mark.rules("ART6.5")
def test_an_absence_from_the_post_records_when_and_whether_service_was_paused(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    ledger.clock_in(CLERK, staff_id=staff, device=DEVICE, occurred_at=at(9, 29, 8, 24))
    outcome = ledger.record_absence_from_post(
        WINDOW_LEAD, staff_id=staff, left_at=at(9, 29, 10, 5), returned_at=at(9, 29, 10, 12),
        notice_displayed=True, reason="取打印纸",
    )  # fmt: skip
    event = _last(ledger)
    assert type(event) is AttendanceDay.AbsenceFromPostRecorded
    assert (event.occurred_at, event.returned_at, event.notice_displayed) == (
        at(9, 29, 10, 5),
        at(9, 29, 10, 12),
        True,
    )
    assert (event.window_id, event.rule, event.absence_id) == (
        hall.tax_window,
        "ART6.5@2026.1",
        outcome.extra["absence_id"],
    )


@pytest.mark.rules("ART6.5")
def test_an_absence_seen_while_it_lasts_is_closed_by_the_return(ledger: HallLedger) -> None:
    """An inspector finds the window empty, no 暂停受理 sign; she comes back 40 minutes later."""
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    absence = ledger.record_absence_from_post(
        INSPECTOR, staff_id=staff, left_at=at(9, 29, 14, 0), notice_displayed=False
    ).extra["absence_id"]
    day = ledger.attendance_day(staff, date(2026, 9, 29))
    assert day.open_absence == str(absence)
    ledger.record_return_to_post(WINDOW_LEAD, staff_id=staff, absence_id=absence, returned_at=at(9, 29, 14, 40))
    day = ledger.attendance_day(staff, date(2026, 9, 29))
    assert day.open_absence is None
    assert day.absences[str(absence)]["returned_at"] == at(9, 29, 14, 40)
    assert topics(ledger)[-1] == "ReturnedToPost"


@pytest.mark.rules("ART6.5")
def test_absences_do_not_overlap_and_an_open_one_blocks_the_next(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    ledger.record_absence_from_post(
        WINDOW_LEAD, staff_id=staff, left_at=at(9, 29, 10, 0), returned_at=at(9, 29, 10, 30), notice_displayed=True
    )
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as overlapping:
        ledger.record_absence_from_post(
            WINDOW_LEAD, staff_id=staff, left_at=at(9, 29, 10, 20), returned_at=at(9, 29, 10, 50),
            notice_displayed=False,
        )  # fmt: skip
    assert (overlapping.value.rule, overlapping.value.field) == ("ART6.5@2026.1", "left_at")
    assert positions(ledger) == before

    ledger.record_absence_from_post(WINDOW_LEAD, staff_id=staff, left_at=at(9, 29, 14, 0), notice_displayed=False)
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as still_open:
        ledger.record_absence_from_post(WINDOW_LEAD, staff_id=staff, left_at=at(9, 29, 15, 0), notice_displayed=False)
    assert "still open" in str(still_open.value)
    assert positions(ledger) == before


@pytest.mark.rules("ART6.5")
def test_a_return_comes_after_leaving_once_and_the_same_day(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    before = positions(ledger)
    with pytest.raises(InvalidInput) as backwards:
        ledger.record_absence_from_post(
            WINDOW_LEAD, staff_id=staff, left_at=at(9, 29, 10, 0), returned_at=at(9, 29, 9, 50), notice_displayed=True
        )
    assert backwards.value.field == "returned_at"
    with pytest.raises(InvalidInput) as next_day:
        ledger.record_absence_from_post(
            WINDOW_LEAD, staff_id=staff, left_at=at(9, 29, 16, 0), returned_at=at(9, 30, 8, 30), notice_displayed=False
        )
    assert "clock-out" in str(next_day.value)
    assert positions(ledger) == before

    absence = ledger.record_absence_from_post(
        WINDOW_LEAD, staff_id=staff, left_at=at(9, 29, 10, 0), returned_at=at(9, 29, 10, 9), notice_displayed=True
    ).extra["absence_id"]
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as twice:
        ledger.record_return_to_post(WINDOW_LEAD, staff_id=staff, absence_id=absence, returned_at=at(9, 29, 10, 20))
    assert twice.value.field == "absence_id"
    assert positions(ledger) == before


# ── leave (请销假) ────────────────────────────────────────────────────────────


@pytest.mark.rules("ART7.5")
def test_leave_requested_approved_by_the_window_lead_and_reported_back(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    leave = ledger.request_leave(
        CLERK, staff_id=staff, leave_type="annual", starts=at(9, 30, 8, 30), ends=at(9, 30, 17, 0),
        reason="家中有事", occurred_at=at(9, 28, 16),
    ).id  # fmt: skip
    ledger.approve_leave(WINDOW_LEAD, leave_id=leave, note="已安排AB岗顶岗", occurred_at=at(9, 28, 17))
    assert ledger.leave_request(leave).status == APPROVED
    ledger.report_back_from_leave(CLERK, leave_id=leave, occurred_at=at(10, 8, 8, 25))
    request = ledger.leave_request(leave)
    assert (request.status, request.reported_back_at) == (REPORTED_BACK, at(10, 8, 8, 25))
    kinds = [type(e) for e in events_of(ledger, leave)]
    assert kinds == [LeaveRequest.Requested, LeaveRequest.Approved, LeaveRequest.ReportedBack]
    assert all(e.rule == "ART7.5@2026.1" for e in events_of(ledger, leave))
    assert events_of(ledger, leave)[0].policy == "attendance@2026.1"


@pytest.mark.rules("ART7.5")
def test_only_a_window_lead_or_the_hall_decides_on_leave(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    leave = ledger.request_leave(
        CLERK, staff_id=staff, leave_type="sick", starts=at(9, 29, 8, 30), ends=at(9, 29, 17, 0)
    ).id
    before = positions(ledger)
    for actor in (CLERK, INSPECTOR):
        with pytest.raises(NotPermitted) as refused:
            ledger.approve_leave(actor, leave_id=leave)
        assert refused.value.rule == "ART7.5@2026.1"
    assert positions(ledger) == before
    ledger.approve_leave(MANAGER, leave_id=leave)


@pytest.mark.rules("ART7.5")
@pytest.mark.parametrize(
    ("leave_type", "starts", "ends", "field"),
    [
        ("holiday", at(9, 30, 8, 30), at(9, 30, 17), "leave_type"),  # not a type of the policy
        ("annual", at(9, 30, 17), at(9, 30, 8, 30), "ends"),  # ends before it starts
        ("annual", datetime(2026, 9, 30, 8, 30), at(9, 30, 17), "starts"),  # no timezone
    ],
)
def test_a_leave_request_has_a_known_type_and_a_real_period(
    ledger: HallLedger, leave_type: str, starts: datetime, ends: datetime, field: str
) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    before = positions(ledger)
    with pytest.raises(InvalidInput) as refused:
        ledger.request_leave(CLERK, staff_id=staff, leave_type=leave_type, starts=starts, ends=ends)
    assert refused.value.field == field
    assert positions(ledger) == before


@pytest.mark.rules("ART7.5")
def test_a_decided_request_is_not_decided_again_and_only_approved_leave_is_reported_back(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    leave = ledger.request_leave(
        CLERK, staff_id=staff, leave_type="personal", starts=at(9, 30, 13), ends=at(9, 30, 17)
    ).id
    before = positions(ledger)
    with pytest.raises(InvalidInput) as no_reason:
        ledger.refuse_leave(WINDOW_LEAD, leave_id=leave, reason="")
    assert no_reason.value.field == "reason"
    assert positions(ledger) == before
    ledger.refuse_leave(WINDOW_LEAD, leave_id=leave, reason="当日窗口仅一人在岗")
    assert ledger.leave_request(leave).status == REFUSED
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.approve_leave(MANAGER, leave_id=leave)
    with pytest.raises(InvariantViolated) as refused:
        ledger.report_back_from_leave(CLERK, leave_id=leave)
    assert "only approved leave" in str(refused.value)
    assert positions(ledger) == before


@pytest.mark.rules("ART6.5")
def test_a_return_closes_a_recorded_absence_and_lies_in_the_past(ledger: HallLedger, clock: Any) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    before = positions(ledger)
    with pytest.raises(NotFound) as unknown:
        ledger.record_return_to_post(WINDOW_LEAD, staff_id=staff, absence_id=uuid4(), returned_at=at(9, 29, 10))
    assert unknown.value.field == "absence_id"
    with pytest.raises(InvalidInput) as future:
        ledger.record_absence_from_post(
            WINDOW_LEAD, staff_id=staff, left_at=clock.now, returned_at=at(10, 8, 11), notice_displayed=True
        )
    assert future.value.field == "returned_at"
    with pytest.raises(InvalidInput) as naive:
        ledger.record_absence_from_post(
            WINDOW_LEAD, staff_id=staff, left_at=datetime(2026, 9, 29, 10), notice_displayed=True
        )
    assert naive.value.field == "left_at"
    with pytest.raises(InvalidInput) as ahead:
        ledger.record_absence_from_post(WINDOW_LEAD, staff_id=staff, left_at=at(10, 8, 12), notice_displayed=True)
    assert (ahead.value.field, "left_at" in str(ahead.value)) == ("left_at", True)
    assert positions(ledger) == before


@pytest.mark.rules("ART7.5")
def test_leave_is_reported_back_once_it_has_begun(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    leave = ledger.request_leave(
        CLERK, staff_id=staff, leave_type="annual", starts=at(10, 9, 8, 30), ends=at(10, 9, 17), occurred_at=at(9, 30)
    ).id
    ledger.approve_leave(WINDOW_LEAD, leave_id=leave, occurred_at=at(9, 30, 10))
    before = positions(ledger)
    with pytest.raises(InvalidInput) as early:
        ledger.report_back_from_leave(CLERK, leave_id=leave, occurred_at=at(10, 8, 8, 30))
    assert early.value.field == "occurred_at"
    assert positions(ledger) == before


@pytest.mark.rules("ART7.5")
def test_two_devices_opening_the_same_day_at_once_share_one_day(
    ledger: HallLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second device read "no day yet" before the first saved it: its save clashes on the
    derived id, and the command retries on the day the first one opened."""
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    ledger.clock_in(CLERK, staff_id=staff, device="人脸识别考勤机-1F", occurred_at=at(9, 29, 8, 24))
    day_id = ledger.attendance_day_id(staff, date(2026, 9, 29))
    stale = {"reads": 0}
    real_exists = ledger.exists

    def exists_seen_before_the_first_save(aggregate_id: Any) -> bool:
        if aggregate_id == day_id and stale["reads"] == 0:
            stale["reads"] += 1
            return False
        return real_exists(aggregate_id)

    monkeypatch.setattr(ledger, "exists", exists_seen_before_the_first_save)
    ledger.clock_in(CLERK, staff_id=staff, device="人脸识别考勤机-2F", occurred_at=at(9, 29, 8, 25))
    assert stale["reads"] == 1
    assert [p["device"] for p in ledger.attendance_day(staff, date(2026, 9, 29)).punches] == [
        "人脸识别考勤机-1F",
        "人脸识别考勤机-2F",
    ]
    assert [type(e) for e in events_of(ledger, day_id)] == [
        AttendanceDay.Opened,
        AttendanceDay.ClockedIn,
        AttendanceDay.ClockedIn,
    ]
