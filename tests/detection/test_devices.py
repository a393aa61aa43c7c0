"""ART9.1 定期病毒检测: a computer or server past the security policy's virus-check interval
(5 working days of the hall's calendar).

*Given* 王芳's computer last checked on Thursday 8 October, *when* the hall closes on the
15th (Fri 9, Sat 10 worked, Mon 12 – Wed 14: five working days later) with no new check,
*then* a candidate against her as its custodian — once per lapsed interval.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.violation import Violation
from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import (
    CLERK,
    at,
    detected,
    detector_rows,
    given_asset,
    given_hall,
    given_staff,
    given_working_day,
    rebuild_detector,
    run_detector,
)


@pytest.mark.rules("ART9.1")
def test_a_device_past_its_virus_check_interval_is_a_candidate_against_its_custodian(
    ledger: HallLedger, clock: FakeClock
) -> None:
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    computer = given_asset(ledger, hall, wang)
    checked = ledger.record_virus_check(
        CLERK, asset_id=computer, result="clean", tool="奇安信天擎", occurred_at=at(10, 8, 9, 0)
    ).positions[0]
    given_working_day(ledger, date(2026, 10, 14), present=(wang,))  # the fifth working day: still within
    lapsed = given_working_day(ledger, date(2026, 10, 15), present=(wang,))
    given_working_day(ledger, date(2026, 10, 16), present=(wang,))  # the same lapse: no second candidate
    appended = run_detector(ledger)
    assert [type(e) for _, e in appended] == [Violation.Detected]
    _, candidate = appended[0]
    assert (candidate.rule, candidate.item, candidate.staff_id, candidate.window_id) == (  # type: ignore[attr-defined]
        "ART9.1@2026.1", "virus_check_overdue", wang, hall.tax_window,
    )  # fmt: skip
    assert candidate.causation == [checked, lapsed]  # type: ignore[attr-defined]
    assert candidate.occurred_at == at(10, 15, 0, 0)  # type: ignore[attr-defined]
    assert "security@2026.1" in candidate.evidence  # type: ignore[attr-defined]
    # a new check starts a new interval, which can lapse again
    rechecked = ledger.record_virus_check(
        CLERK, asset_id=computer, result="clean", tool="奇安信天擎", occurred_at=at(10, 19, 10, 0)
    ).positions[0]
    given_working_day(ledger, date(2026, 10, 26), present=(wang,))  # Tue 20 – Mon 26: five working days
    lapsed_again = given_working_day(ledger, date(2026, 10, 27), present=(wang,))
    again = run_detector(ledger)
    assert [e.causation for _, e in again] == [[rechecked, lapsed_again]]  # type: ignore[attr-defined]
    rows = detector_rows(ledger)
    assert rebuild_detector(ledger) == []
    assert detector_rows(ledger) == rows and len(detected(ledger)) == 2


@pytest.mark.rules("ART9.1")
def test_devices_checked_every_week_and_equipment_that_is_no_computer_are_not_candidates(
    ledger: HallLedger, clock: FakeClock
) -> None:
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    server = given_asset(ledger, hall, wang, asset_no="BH-SRV-0001", category="server", value="26000.00")
    given_asset(ledger, hall, wang, asset_no="BH-PRN-0001", category="printer", value="2300.00")
    for day in (8, 15, 22):
        ledger.record_virus_check(CLERK, asset_id=server, result="clean", tool="火绒", occurred_at=at(10, day, 18, 0))
    for day in (12, 16, 19, 23):
        given_working_day(ledger, date(2026, 10, day), present=(wang,))
    assert run_detector(ledger) == []
    assert rebuild_detector(ledger) == []
