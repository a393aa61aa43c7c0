"""Candidates are reviewed by people, and detection is a pure function of the log.

- A candidate is confirmed (一经查实) or dismissed (e.g. a data-entry error, DOMAIN-RESEARCH
  S23) by an inspector with the ordinary commands; re-running the detector never records it
  again.
- A detector restarted between small batches resumes from its own tables, and a replay from
  position 0 into fresh tables takes the same decisions: nothing appended, the same rows.
- Several ordinary days of mixed activity produce no candidate and no e-supervision signal.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.service_case import MissingMaterial
from domain.violation import CONFIRMED, DISMISSED
from projections.detection import Detector
from projections.runner import ProjectionRunner
from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import (
    ATTENDANCE_DEVICE,
    CLERK,
    COMMITTEE,
    INSPECTOR,
    MANAGER,
    SECOND_INSPECTOR,
    WINDOW_LEAD,
    GivenHall,
    at,
    close_day,
    detected,
    detector_rows,
    given_accepted_case,
    given_asset,
    given_case,
    given_disclosure_request,
    given_duty_shift,
    given_hall,
    given_inquiry,
    given_staff,
    given_working_day,
    open_day,
    positions,
    rebuild_detector,
    run_detector,
)

WEEK = [date(2026, 10, d) for d in (12, 13, 14, 15, 16)]


@pytest.mark.rules("ART6.5")
def test_a_candidate_is_confirmed_and_another_dismissed_with_the_ordinary_commands(
    ledger: HallLedger, clock: FakeClock
) -> None:
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李强")
    open_day(ledger, WEEK[1])
    ledger.clock_in(CLERK, staff_id=wang, device=ATTENDANCE_DEVICE, occurred_at=at(10, 13, 8, 41))
    close_day(ledger, WEEK[1], present=(wang, li))  # 李强's clock-in is missing
    run_detector(ledger)
    found = {(e.staff_id, e.item): e for _, e in detected(ledger)}  # type: ignore[attr-defined]
    assert set(found) == {(wang, "late_long"), (li, "missed_punch")}
    late, missed = found[(wang, "late_long")], found[(li, "missed_punch")]
    ledger.confirm_violation(INSPECTOR, violation_id=late.originator_id, note="考勤记录与监控一致")
    ledger.dismiss_violation(
        SECOND_INSPECTOR, violation_id=missed.originator_id, reason="考勤机 10 月 13 日故障,数据录入错误"
    )
    confirmed, dismissed = ledger.violation(late.originator_id), ledger.violation(missed.originator_id)
    assert (confirmed.status, confirmed.candidate, confirmed.recorded_by.role) == (CONFIRMED, True, "system")
    assert confirmed.confirmed_by is not None and confirmed.confirmed_by.id == INSPECTOR.id
    assert dismissed.status == DISMISSED
    # the reviews are facts the detector follows without deciding anything again
    assert run_detector(ledger) == []
    assert rebuild_detector(ledger) == []
    assert ledger.violation(late.originator_id).status == CONFIRMED
    assert ledger.violation(missed.originator_id).status == DISMISSED


def _busy_fortnight(ledger: HallLedger, hall: GivenHall, wang: UUID, li: UUID) -> None:
    """Ten working days with something for every family of detection."""
    computer = given_asset(ledger, hall, wang)
    ledger.record_virus_check(CLERK, asset_id=computer, result="clean", tool="火绒", occurred_at=at(10, 9, 9, 0))
    given_duty_shift(ledger, li, day=date(2026, 10, 14), slot="lunch")
    leave = ledger.request_leave(
        CLERK, staff_id=li, leave_type="sick", starts=at(10, 14, 0, 0), ends=at(10, 15, 0, 0),
        occurred_at=at(10, 14, 7, 0),
    ).id  # fmt: skip
    ledger.approve_leave(WINDOW_LEAD, leave_id=leave, occurred_at=at(10, 14, 7, 10))
    case = given_accepted_case(ledger, hall, wang, committed_working_days=2, when=at(10, 12, 9, 0))
    noticed = given_case(ledger, hall, wang, when=at(10, 12, 9, 30), applicant_ref="applicant-0002")
    ledger.issue_one_time_notice(
        CLERK, case_id=noticed, missing_materials=[MissingMaterial("法定代表人身份证")], procedure="补齐后递交",
        time_limit_working_days=3, fees="不收费", legal_basis="《税务登记管理办法》第十条",
        materials_list_id="TAX-0101-一览表", occurred_at=at(10, 12, 9, 40),
    )  # fmt: skip
    request = given_disclosure_request(ledger, wang, when=at(10, 12, 10, 0))
    for day in [date(2026, 10, d) for d in (12, 13, 14, 15, 16, 19, 20, 21, 22, 23)]:
        present = (wang,) if day == date(2026, 10, 14) else (wang, li)
        open_day(ledger, day, present=present)
        if day.day == 15:
            ledger.report_back_from_leave(CLERK, leave_id=leave, occurred_at=at(10, 15, 8, 15))  # 销假 (ART7.5)
        given_inquiry(ledger, wang, when=at(10, day.day, 16, 30), client_ref=f"client-{day.day:04d}")
        if day.day == 13:
            ledger.issue_one_time_notice(
                CLERK, case_id=noticed, missing_materials=[MissingMaterial("股东会决议")], procedure="补齐后递交",
                time_limit_working_days=3, fees="不收费", legal_basis="《税务登记管理办法》第十条",
                materials_list_id="TAX-0101-一览表", occurred_at=at(10, 13, 9, 0),
            )  # fmt: skip
        close_day(ledger, day, present=present)
    ledger.complete_case(CLERK, case_id=case, result="准予登记", occurred_at=at(10, 26, 9, 0))
    ledger.answer_disclosure_request(
        CLERK, request_id=request, outcome="disclosed", summary="已提供", occurred_at=at(11, 12, 9, 0)
    )
    ledger.record_recall(MANAGER, staff_id=li, end=date(2026, 10, 30), note="召回", occurred_at=at(10, 27, 9, 0))


@pytest.mark.rules("ART2.1", "ART2.2", "ART2.3", "ART2.4.2", "ART6.5", "ART7.2", "ART8.1", "ART9.1", "ART9.4")
def test_a_detector_restarted_between_small_batches_decides_exactly_what_a_replay_from_zero_decides(
    ledger: HallLedger, clock: FakeClock
) -> None:
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李强")
    _busy_fortnight(ledger, hall, wang, li)
    # follow the log seven events at a time, with a fresh detector (state from its tables) every time
    head = positions(ledger)
    while True:
        runner = ProjectionRunner(ledger, [Detector()], batch_size=7)
        runner.prepare()
        if not runner.step():
            break
        assert runner.positions()["detection"] <= max(head, positions(ledger))
    rules = sorted(e.rule.partition("@")[0] for _, e in detected(ledger))  # type: ignore[attr-defined]
    assert rules == [
        "ART2.1", "ART2.1", "ART2.1", "ART2.1", "ART2.1", "ART2.1", "ART2.1", "ART2.1", "ART2.1", "ART2.1",
        "ART2.2", "ART2.4.2", "ART7.2", "ART8.1", "ART9.1", "ART9.4",
    ]  # fmt: skip
    tables = [t.name for t in Detector.tables]
    before = {t: detector_rows(ledger, t) for t in tables}
    assert rebuild_detector(ledger) == []
    assert {t: detector_rows(ledger, t) for t in tables} == before, "the replayed state equals the followed one"


@pytest.mark.rules("ART2.1", "ART2.2", "ART2.3", "ART2.4.2", "ART6.5", "ART7.2", "ART8.1", "ART9.1", "ART9.4")
def test_a_week_of_ordinary_business_produces_no_candidate_and_no_signal(ledger: HallLedger, clock: FakeClock) -> None:
    """Everyone in on time; inquiries handled at once; matters finished on the spot or well
    within their limits; notices complete; the request answered; the computer checked weekly;
    every lunch shift served, one by a substitute for a colleague on leave; a twelve-minute
    absence; a recall the committee consented to."""
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李强")
    zhao = given_staff(ledger, hall, staff_no="S003", name="赵敏", window=hall.tax_window_2)
    everyone = (wang, li, zhao)
    friday = WEEK[4]
    computer = given_asset(ledger, hall, wang)
    request = given_disclosure_request(ledger, zhao, when=at(10, 12, 14, 0))
    shifts = {day: given_duty_shift(ledger, zhao if day.day % 2 else li, day=day, slot="lunch") for day in WEEK}
    leave = ledger.request_leave(
        CLERK, staff_id=li, leave_type="annual", starts=at(10, 16, 8, 30), ends=at(10, 16, 17, 0),
        occurred_at=at(10, 13, 9, 0),
    ).id  # fmt: skip
    ledger.approve_leave(WINDOW_LEAD, leave_id=leave, occurred_at=at(10, 13, 9, 30))
    ledger.release_from_shift(
        WINDOW_LEAD, shift_id=shifts[friday], staff_id=li, substitute_id=wang, reason="年休假",
        occurred_at=at(10, 13, 10, 0),
    )  # fmt: skip
    for day in WEEK:
        present = (wang, zhao) if day == friday else everyone
        d = day.day
        open_day(ledger, day, present=present)
        inquiry = given_inquiry(ledger, wang, when=at(10, d, 9, 0), client_ref=f"client-{d:04d}")
        ledger.handle_inquiry(CLERK, inquiry_id=inquiry, outcome="已解答", occurred_at=at(10, d, 9, 10))
        spot = given_case(ledger, hall, zhao, when=at(10, d, 9, 30), applicant_ref=f"applicant-{d:04d}")
        ledger.complete_on_the_spot(CLERK, case_id=spot, result="当场办结", occurred_at=at(10, d, 9, 45))
        noticed = given_case(ledger, hall, wang, when=at(10, d, 10, 0), applicant_ref=f"applicant-1{d:03d}")
        ledger.issue_one_time_notice(
            CLERK, case_id=noticed, missing_materials=[MissingMaterial("法定代表人身份证")], procedure="补齐后递交",
            time_limit_working_days=3, fees="不收费", legal_basis="《税务登记管理办法》第十条",
            materials_list_id="TAX-0101-一览表", occurred_at=at(10, d, 10, 5),
        )  # fmt: skip
        ledger.resubmit_materials(CLERK, case_id=noticed, materials=["法定代表人身份证"], occurred_at=at(10, d, 11, 0))
        ledger.accept_application(CLERK, case_id=noticed, committed_working_days=5, occurred_at=at(10, d, 11, 5))
        ledger.complete_case(CLERK, case_id=noticed, result="准予登记", occurred_at=at(10, d, 16, 0))
        ledger.record_absence_from_post(
            INSPECTOR, staff_id=wang, left_at=at(10, d, 14, 0), returned_at=at(10, d, 14, 12), notice_displayed=False
        )
        if day == WEEK[2]:
            ledger.answer_disclosure_request(
                CLERK, request_id=request, outcome="disclosed", summary="已提供", occurred_at=at(10, d, 11, 0)
            )
        if day in (WEEK[0], friday):
            ledger.record_virus_check(CLERK, asset_id=computer, result="clean", tool="火绒", occurred_at=at(10, d, 17))
        close_day(ledger, day, present=present)
    ledger.record_committee_consent(
        COMMITTEE, staff_id=zhao, kind="early_end", decision_ref="管委会〔2026〕15号", occurred_at=at(10, 16, 18, 0)
    )
    ledger.record_recall(MANAGER, staff_id=zhao, end=date(2026, 10, 30), note="召回", occurred_at=at(10, 16, 18, 5))
    ledger.report_back_from_leave(CLERK, leave_id=leave, occurred_at=at(10, 19, 8, 15))  # 销假 (ART7.5)
    given_working_day(ledger, date(2026, 10, 19), present=everyone)
    appended: list[tuple[int, Any]] = run_detector(ledger)
    assert [(type(e).__name__, getattr(e, "rule", None), getattr(e, "item", None)) for _, e in appended] == []
    assert not detected(ledger)
    assert rebuild_detector(ledger) == []
