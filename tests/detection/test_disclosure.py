"""ART2.4.2 依申请公开: a request unanswered past its statutory deadline (20 working days).

*Given* a request received on Monday 12 October (due Monday 9 November), *when* the hall
closes 10 November with no answer, *then* a candidate against the staff member who received it.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.violation import Violation
from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import (
    CLERK,
    WINDOW_LEAD,
    at,
    detected,
    detector_rows,
    given_disclosure_request,
    given_hall,
    given_staff,
    given_working_day,
    positions,
    rebuild_detector,
    run_detector,
)

DEADLINE, DAY_AFTER = date(2026, 11, 9), date(2026, 11, 10)


@pytest.mark.rules("ART2.4.2")
def test_a_request_still_unanswered_after_its_deadline_is_a_candidate(ledger: HallLedger, clock: FakeClock) -> None:
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    request = given_disclosure_request(ledger, wang, when=at(10, 12, 9, 0))
    received = positions(ledger)
    assert ledger.disclosure_request(request).deadline == DEADLINE
    given_working_day(ledger, DEADLINE, present=(wang,))
    close = given_working_day(ledger, DAY_AFTER, present=(wang,))
    appended = run_detector(ledger)
    assert [type(e) for _, e in appended] == [Violation.Detected]
    _, candidate = appended[0]
    assert (candidate.rule, candidate.item, candidate.staff_id, candidate.window_id) == (  # type: ignore[attr-defined]
        "ART2.4.2@2026.1", None, wang, hall.tax_window,
    )  # fmt: skip
    assert candidate.causation == [received, close]  # type: ignore[attr-defined]
    assert candidate.occurred_at == at(11, 10, 0, 0)  # type: ignore[attr-defined]
    assert "2026-11-09" in candidate.evidence  # type: ignore[attr-defined]
    # answered the next day: still one candidate for one missed deadline
    ledger.answer_disclosure_request(
        CLERK, request_id=request, outcome="disclosed", summary="已提供收费目录", occurred_at=at(11, 11, 10, 0)
    )
    given_working_day(ledger, date(2026, 11, 11), present=(wang,))
    assert run_detector(ledger) == []
    rows = detector_rows(ledger)
    assert rebuild_detector(ledger) == []
    assert detector_rows(ledger) == rows and len(detected(ledger)) == 1


@pytest.mark.rules("ART2.4.2")
def test_an_answer_recorded_after_the_deadline_is_a_candidate_when_recorded(
    ledger: HallLedger, clock: FakeClock
) -> None:
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    request = given_disclosure_request(ledger, wang, when=at(10, 12, 9, 0))
    received = positions(ledger)
    answered = ledger.answer_disclosure_request(
        CLERK, request_id=request, outcome="not_held", summary="经检索没有", occurred_at=at(11, 10, 15, 0)
    )
    appended = run_detector(ledger)
    assert [type(e) for _, e in appended] == [Violation.Detected]
    assert appended[0][1].causation == [received, answered.positions[0]]  # type: ignore[attr-defined]
    assert rebuild_detector(ledger) == []


@pytest.mark.rules("ART2.4.2")
def test_requests_answered_in_time_awaiting_a_correction_or_extended_are_not_candidates(
    ledger: HallLedger, clock: FakeClock
) -> None:
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    on_time = given_disclosure_request(ledger, wang, when=at(10, 12, 9, 0))
    unclear = given_disclosure_request(ledger, wang, when=at(10, 12, 9, 30), requester_ref="requester-0002")
    extended = given_disclosure_request(ledger, wang, when=at(10, 12, 10, 0), requester_ref="requester-0003")
    ledger.request_disclosure_correction(
        CLERK, request_id=unclear, items=["所需信息的名称"], correction_due=date(2026, 10, 30),
        occurred_at=at(10, 13, 9, 0),
    )  # fmt: skip
    ledger.extend_disclosure(
        WINDOW_LEAD, request_id=extended, extra_working_days=10, reason="需征求第三方意见",
        occurred_at=at(11, 5, 9, 0),
    )  # fmt: skip
    ledger.answer_disclosure_request(
        CLERK, request_id=on_time, outcome="disclosed", summary="已提供", occurred_at=at(11, 9, 16, 0)
    )
    given_working_day(ledger, DEADLINE, present=(wang,))
    given_working_day(ledger, DAY_AFTER, present=(wang,))
    assert run_detector(ledger) == []
    assert rebuild_detector(ledger) == []
