"""ART2.1 首问负责制: an inquiry neither handled, handed over nor reported to a leader within the
detection policy's working hours (2) is a candidate against the first responder.

*Given* 王芳 first asked at 15:00 on Monday 12 October, *when* nothing is recorded by 17:00
(two hours of opening time later), *then* the first event past 17:00 reveals the candidate.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.violation import Violation
from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import (
    ATTENDANCE_DEVICE,
    CLERK,
    COMMITTEE,
    at,
    close_day,
    detected,
    detector_rows,
    given_hall,
    given_inquiry,
    given_staff,
    open_day,
    positions,
    rebuild_detector,
    run_detector,
)

MON, TUE, FRI, NEXT_MON = date(2026, 10, 12), date(2026, 10, 13), date(2026, 10, 16), date(2026, 10, 19)


def _only_candidate(ledger: HallLedger) -> tuple[int, Any]:
    found = detected(ledger)
    assert len(found) == 1, [e.rule for _, e in found]  # type: ignore[attr-defined]
    return found[0]


@pytest.mark.rules("ART2.1")
def test_an_inquiry_left_past_two_working_hours_is_a_candidate_against_the_first_responder(
    ledger: HallLedger, clock: FakeClock
) -> None:
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    open_day(ledger, MON, present=(wang,))
    inquiry = given_inquiry(ledger, wang, when=at(10, 12, 15, 0))
    opened = positions(ledger)
    ledger.clock_out(CLERK, staff_id=wang, device=ATTENDANCE_DEVICE, occurred_at=at(10, 12, 17, 5))
    first_past_due = positions(ledger)
    close_day(ledger, MON)
    appended = run_detector(ledger)
    assert [type(e) for _, e in appended] == [Violation.Detected]
    position, candidate = _only_candidate(ledger)
    assert position == appended[0][0] > first_past_due
    assert (candidate.rule, candidate.item, candidate.staff_id, candidate.window_id) == (
        "ART2.1@2026.1", "not_handled", wang, hall.tax_window,
    )  # fmt: skip
    assert candidate.causation == [opened, first_past_due]
    assert candidate.occurred_at == at(10, 12, 17, 0), "the valid time is when the handling time ran out"
    assert (candidate.detector, candidate.detection_policy, candidate.source) == (
        "inquiry", "detection@2026.1", "detection",
    )  # fmt: skip
    assert "2 个工作小时" in candidate.evidence and "2 working hours" in candidate.evidence
    assert candidate.originator_id != inquiry
    # the inquiry handled afterwards changes nothing: one inquiry, one candidate
    ledger.handle_inquiry(CLERK, inquiry_id=inquiry, outcome="已办理", occurred_at=at(10, 13, 9, 0))
    assert run_detector(ledger) == []
    rows = detector_rows(ledger)
    assert rebuild_detector(ledger) == [], "a replay from position 0 appends nothing"
    assert detector_rows(ledger) == rows and len(detected(ledger)) == 1


@pytest.mark.rules("ART2.1")
def test_a_handling_recorded_after_the_due_moment_reveals_the_candidate_itself(
    ledger: HallLedger, clock: FakeClock
) -> None:
    """Opened at 16:30: half an hour on Monday, an hour and a half on Tuesday → due at 10:00."""
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    open_day(ledger, MON, present=(wang,))
    inquiry = given_inquiry(ledger, wang, when=at(10, 12, 16, 30))
    opened = positions(ledger)
    close_day(ledger, MON, present=(wang,))
    open_day(ledger, TUE, present=(wang,))
    handled = ledger.handle_inquiry(CLERK, inquiry_id=inquiry, outcome="已解答", occurred_at=at(10, 13, 10, 20))
    run_detector(ledger)
    _, candidate = _only_candidate(ledger)
    assert candidate.causation == [opened, handled.positions[0]]
    assert candidate.occurred_at == at(10, 13, 10, 0)
    assert rebuild_detector(ledger) == []


@pytest.mark.rules("ART2.1", "ART2.1.1", "ART2.1.2")
def test_inquiries_handled_handed_over_or_escalated_in_working_hours_are_not_candidates(
    ledger: HallLedger, clock: FakeClock
) -> None:
    """Working hours skip the evening and the weekend: Friday 16:00 is due on Monday at 09:30."""
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李强", window=hall.tax_window_2)
    open_day(ledger, FRI, present=(wang, li))
    friday = given_inquiry(ledger, wang, when=at(10, 16, 16, 0))
    handled = given_inquiry(ledger, li, when=at(10, 16, 14, 0), client_ref="client-0002")
    ledger.handle_inquiry(CLERK, inquiry_id=handled, outcome="已办理", occurred_at=at(10, 16, 15, 55))
    close_day(ledger, FRI, present=(wang, li))
    phone = given_inquiry(ledger, li, channel="phone", when=at(10, 16, 19, 0), client_ref="client-0003")
    open_day(ledger, NEXT_MON, present=(wang, li))
    ledger.hand_over_inquiry(
        CLERK, inquiry_id=friday, to_window_id=hall.market_window, contact_method="phone",
        contacted="市场监管窗口 张敏", occurred_at=at(10, 19, 9, 25),
    )  # fmt: skip
    ledger.escalate_inquiry(
        CLERK, inquiry_id=phone, leader="科长 刘伟", reason="职责不明", occurred_at=at(10, 19, 10, 25)
    )
    close_day(ledger, NEXT_MON, present=(wang, li))
    assert run_detector(ledger) == []
    assert rebuild_detector(ledger) == []


@pytest.mark.rules("ART2.1")
def test_a_history_back_filled_behind_a_later_record_is_judged_as_it_was_lived(
    ledger: HallLedger, clock: FakeClock
) -> None:
    """*Given* the ledger already holds a record of 31 December (a hall set up today), *when* October's
    history is entered afterwards — 王芳 first asked at 15:00 on 12 October, nothing by 17:00 —
    *then* the first back-filled event past 17:00 still reveals the candidate."""
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    ledger.record_committee_consent(  # a record of today: the detector's "now" is 31 December already
        COMMITTEE, staff_id=wang, kind="early_end", decision_ref="管委会〔2026〕30号", occurred_at=at(12, 31)
    )
    open_day(ledger, MON, present=(wang,))
    given_inquiry(ledger, wang, when=at(10, 12, 15, 0))
    opened = positions(ledger)
    ledger.clock_out(CLERK, staff_id=wang, device=ATTENDANCE_DEVICE, occurred_at=at(10, 12, 17, 5))
    first_past_due = positions(ledger)
    close_day(ledger, MON)
    run_detector(ledger)
    found = [e for _, e in detected(ledger) if e.rule.startswith("ART2.1@")]  # type: ignore[attr-defined]
    assert len(found) == 1
    assert found[0].causation == [opened, first_past_due]  # type: ignore[attr-defined]
    assert found[0].occurred_at == at(10, 12, 17, 0)  # type: ignore[attr-defined]
    assert rebuild_detector(ledger) == [], "a replay from position 0 decides the same"
