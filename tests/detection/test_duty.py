"""ART9.4 按值班表值班,不能值班须有人顶替: a duty shift with nobody on duty.

The roster never releases anyone without a substitute, so an empty post shows in other
facts: *given* 李强 rostered for Tuesday's lunch duty, *when* his approved leave covers it
and nobody substitutes for him, *then* after the shift a candidate against him.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.violation import Violation
from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import (
    CLERK,
    MANAGER,
    WINDOW_LEAD,
    at,
    close_day,
    detected,
    detector_rows,
    given_duty_shift,
    given_hall,
    given_staff,
    given_working_day,
    open_day,
    positions,
    rebuild_detector,
    run_detector,
)

TUE, WED = date(2026, 10, 13), date(2026, 10, 14)


@pytest.mark.rules("ART9.4")
def test_a_shift_whose_person_on_duty_is_on_leave_without_a_substitute_is_a_candidate(
    ledger: HallLedger, clock: FakeClock
) -> None:
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李强")
    lunch = given_duty_shift(ledger, li, day=TUE, slot="lunch")
    assigned = positions(ledger)
    leave = ledger.request_leave(
        CLERK, staff_id=li, leave_type="sick", starts=at(10, 13, 0, 0), ends=at(10, 14, 0, 0),
        occurred_at=at(10, 13, 7, 30),
    ).id  # fmt: skip
    approved = ledger.approve_leave(WINDOW_LEAD, leave_id=leave, occurred_at=at(10, 13, 7, 45)).positions[0]
    close = given_working_day(ledger, TUE, present=(wang,))
    appended = run_detector(ledger)
    assert [type(e) for _, e in appended] == [Violation.Detected], "his leave excuses his absence from work"
    _, candidate = appended[0]
    assert (candidate.rule, candidate.item, candidate.staff_id) == ("ART9.4@2026.1", None, li)  # type: ignore[attr-defined]
    assert candidate.causation == [assigned, approved, close]  # type: ignore[attr-defined]
    assert candidate.occurred_at == at(10, 13, 11, 30)  # type: ignore[attr-defined]
    assert "11:30–13:00" in candidate.evidence and "nobody on duty" in candidate.evidence  # type: ignore[attr-defined]
    assert candidate.originator_id != lunch  # type: ignore[attr-defined]
    rows = detector_rows(ledger)
    assert rebuild_detector(ledger) == []
    assert detector_rows(ledger) == rows and len(detected(ledger)) == 1


@pytest.mark.rules("ART9.4", "ART6.5")
def test_a_lunch_shift_whose_person_never_came_in_that_day_is_a_candidate(ledger: HallLedger, clock: FakeClock) -> None:
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    zhao = given_staff(ledger, hall, staff_no="S003", name="赵敏")
    given_duty_shift(ledger, zhao, day=WED, slot="lunch")
    assigned = positions(ledger)
    close = given_working_day(ledger, WED)
    appended = run_detector(ledger)
    found = sorted((e.rule, e.item or "") for _, e in appended)  # type: ignore[attr-defined]
    assert found == [("ART6.5@2026.1", "absent"), ("ART6.5@2026.1", "absent"), ("ART9.4@2026.1", "")]
    duty = next(e for _, e in appended if e.rule.startswith("ART9.4"))  # type: ignore[attr-defined]
    assert duty.causation == [assigned, close]
    assert "no punch" in duty.evidence
    assert rebuild_detector(ledger) == []


@pytest.mark.rules("ART9.4")
def test_shifts_covered_by_a_substitute_or_by_the_person_rostered_are_not_candidates(
    ledger: HallLedger, clock: FakeClock
) -> None:
    """A night shift ends the next morning: it is judged at the first close after its end."""
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李强")
    zhao = given_staff(ledger, hall, staff_no="S003", name="赵敏")
    lunch = given_duty_shift(ledger, li, day=TUE, slot="lunch")
    given_duty_shift(ledger, wang, day=TUE, slot="night")
    leave = ledger.request_leave(
        CLERK, staff_id=li, leave_type="personal", starts=at(10, 13, 8, 30), ends=at(10, 13, 17, 0),
        occurred_at=at(10, 12, 9, 0),
    ).id  # fmt: skip
    ledger.approve_leave(WINDOW_LEAD, leave_id=leave, occurred_at=at(10, 12, 9, 30))
    ledger.release_from_shift(
        WINDOW_LEAD, shift_id=lunch, staff_id=li, substitute_id=zhao, reason="事假", occurred_at=at(10, 12, 10, 0)
    )
    open_day(ledger, TUE, present=(wang, zhao))
    close_day(ledger, TUE, present=(wang, zhao))
    ledger.report_back_from_leave(CLERK, leave_id=leave, occurred_at=at(10, 14, 8, 10))  # 销假 (ART7.5)
    given_working_day(ledger, WED, present=(wang, li, zhao))
    assert run_detector(ledger) == []
    assert rebuild_detector(ledger) == []


@pytest.mark.rules("ART9.4")
def test_a_night_shift_left_to_someone_who_has_left_the_hall_is_a_candidate_after_it_ends(
    ledger: HallLedger, clock: FakeClock
) -> None:
    """The night shift of Tuesday ends on Wednesday at 08:30: Tuesday's close does not judge it yet."""
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    guard = given_staff(ledger, hall, staff_no="H001", name="钱保安", employment="hall")
    given_duty_shift(ledger, guard, day=TUE, slot="night", duty_role="security")
    assigned = positions(ledger)
    ledger.end_posting(MANAGER, staff_id=guard, end=date(2026, 10, 12), reason="rotation", occurred_at=at(10, 12, 9))
    left = ledger.record_staff_left(
        MANAGER, staff_id=guard, on=date(2026, 10, 12), reason="合同到期", occurred_at=at(10, 12, 9, 5)
    ).positions[0]
    given_working_day(ledger, TUE, present=(wang,))
    assert run_detector(ledger) == [], "the shift has not ended at Tuesday's close"
    close = given_working_day(ledger, WED, present=(wang,))
    appended = run_detector(ledger)
    assert [(e.rule, e.staff_id) for _, e in appended] == [("ART9.4@2026.1", guard)]  # type: ignore[attr-defined]
    assert appended[0][1].causation == [assigned, left, close]  # type: ignore[attr-defined]
    assert appended[0][1].occurred_at == at(10, 13, 17, 0)  # type: ignore[attr-defined]
    assert rebuild_detector(ledger) == []
