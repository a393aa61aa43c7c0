"""ART8.1 定岗两年以上: a seconded posting ended before two years without the committee's consent.

*Given* 王芳 seconded by the tax bureau and posted since 1 March 2025, *when* the bureau
recalls her on 16 October 2026 with no consent or demand on record, *then* a candidate
against the **department** (ART8.1 is breached by departments, not people).
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.violation import Violation
from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import (
    COMMITTEE,
    MANAGER,
    at,
    detected,
    given_hall,
    given_staff,
    positions,
    rebuild_detector,
    run_detector,
)

RECALL = date(2026, 10, 16)


@pytest.mark.rules("ART8.1")
def test_a_recall_before_the_second_anniversary_without_consent_is_a_candidate_against_the_department(
    ledger: HallLedger, clock: FakeClock
) -> None:
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    posted = positions(ledger)
    recall = ledger.record_recall(
        MANAGER, staff_id=wang, end=RECALL, note="税务局通知召回", occurred_at=at(10, 12, 10, 0)
    ).positions[0]
    appended = run_detector(ledger)
    assert [type(e) for _, e in appended] == [Violation.Detected]
    _, candidate = appended[0]
    assert (candidate.rule, candidate.staff_id, candidate.department_id, candidate.window_id) == (  # type: ignore[attr-defined]
        "ART8.1@2026.1", None, hall.tax, hall.tax_window,
    )  # fmt: skip
    assert candidate.causation == [posted, recall]  # type: ignore[attr-defined]
    assert "2027-03-01" in candidate.evidence and "S001" in candidate.evidence  # type: ignore[attr-defined]
    assert rebuild_detector(ledger) == []
    assert len(detected(ledger)) == 1


@pytest.mark.rules("ART8.1", "ART8.2", "ART8.3")
def test_recalls_with_consent_on_demand_or_after_two_years_are_not_candidates(
    ledger: HallLedger, clock: FakeClock
) -> None:
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    consented = given_staff(ledger, hall)
    demanded = given_staff(ledger, hall, staff_no="S002", name="李强")
    veteran = given_staff(ledger, hall, staff_no="S003", name="赵敏", posted_on=date(2024, 3, 1))
    ledger.record_committee_consent(
        COMMITTEE, staff_id=consented, kind="early_end", decision_ref="管委会〔2026〕12号", occurred_at=at(10, 9)
    )
    ledger.demand_replacement(
        COMMITTEE, staff_id=demanded, grounds="不服从管理", due=date(2026, 10, 23), occurred_at=at(10, 9)
    )
    for staff in (consented, demanded, veteran):
        ledger.record_recall(MANAGER, staff_id=staff, end=RECALL, note="派驻部门召回", occurred_at=at(10, 12, 10, 0))
    assert run_detector(ledger) == []
    assert rebuild_detector(ledger) == []
