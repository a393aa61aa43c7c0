"""Violations: recorded by an inspector with evidence, confirmed by a second person or
dismissed, revoked later only with a reason. A refused command writes nothing."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.errors import InvalidInput, InvariantViolated, NotFound, NotPermitted
from domain.violation import CONFIRMED, DISMISSED, REVOKED
from service.application import HallLedger
from tests.givens import (
    INSPECTOR,
    MANAGER,
    REVIEWER,
    SECOND_INSPECTOR,
    WINDOW_LEAD,
    at,
    given_confirmed_violation,
    given_hall,
    given_staff,
    positions,
)


def test_an_inspector_records_a_violation_with_evidence_at_the_window(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    outcome = ledger.record_violation(
        INSPECTOR,
        rule="ART6.5",
        item="late",
        staff_id=staff,
        evidence="clocked in at 08:39, opening 08:30",
        evidence_refs=["attendance:2026-10-08:S001"],
        occurred_at=at(10, 8, 8, 39),
    )
    violation = ledger.violation(outcome.id)
    assert violation.status == "pending"
    assert violation.window_id == hall.tax_window, "the window defaults to the person's post"
    assert (violation.rule, violation.item, violation.severity) == ("ART6.5@2026.1", "late", "minor")


def test_recording_against_an_unknown_person_is_refused(ledger: HallLedger) -> None:
    given_hall(ledger)
    before = positions(ledger)
    with pytest.raises(NotFound) as refused:
        ledger.record_violation(INSPECTOR, rule="ART6.1", staff_id=uuid4(), evidence="x")
    assert refused.value.field == "staff_id"
    assert positions(ledger) == before


@pytest.mark.parametrize(
    ("rule", "item", "field"),
    [
        ("ART99.1", None, "rule"),  # not a rule of the regulation
        ("ART6.5", "asleep", "item"),  # not an item of ART6.5
        ("ART11.1", None, "rule"),  # a duty of the hall: nobody breaches it
        ("ART2.1.3", None, "rule"),  # the sanction rule itself
        ("ART6.5@2026.1", None, "rule"),  # the version is chosen from occurred_at
    ],
)
def test_recording_against_an_unknown_or_unbreachable_rule_is_refused(
    ledger: HallLedger, rule: str, item: str | None, field: str
) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    before = positions(ledger)
    with pytest.raises((NotFound, InvalidInput)) as refused:
        ledger.record_violation(INSPECTOR, rule=rule, item=item, staff_id=staff, evidence="x")
    assert refused.value.field == field
    assert positions(ledger) == before


def test_a_department_rule_names_the_department(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    before = positions(ledger)
    with pytest.raises(InvalidInput) as refused:
        ledger.record_violation(INSPECTOR, rule="ART8.4", evidence="no leader in charge named")
    assert refused.value.field == "department_id"
    assert positions(ledger) == before
    ledger.record_violation(INSPECTOR, rule="ART8.4", department_id=hall.market, evidence="no leader in charge named")


def test_evidence_is_required(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    before = positions(ledger)
    with pytest.raises(InvalidInput) as refused:
        ledger.record_violation(INSPECTOR, rule="ART6.1", staff_id=staff, evidence="  ")
    assert refused.value.field == "evidence"
    assert positions(ledger) == before


def test_only_inspectors_and_the_hall_record_violations(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    before = positions(ledger)
    with pytest.raises(NotPermitted):
        ledger.record_violation(WINDOW_LEAD, rule="ART6.1", staff_id=staff, evidence="x")
    assert positions(ledger) == before


def test_nobody_confirms_a_violation_they_recorded(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    violation = ledger.record_violation(INSPECTOR, rule="ART6.1", staff_id=staff, evidence="dozing").id
    before = positions(ledger)
    with pytest.raises(NotPermitted) as refused:
        ledger.confirm_violation(INSPECTOR, violation_id=violation)
    assert "four eyes" in str(refused.value)
    assert positions(ledger) == before
    ledger.confirm_violation(SECOND_INSPECTOR, violation_id=violation)
    assert ledger.violation(violation).status == CONFIRMED


def test_confirming_a_dismissed_violation_is_refused(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    violation = ledger.record_violation(
        INSPECTOR, rule="ART3.1", item="no_badge", staff_id=staff, evidence="no badge"
    ).id
    ledger.dismiss_violation(SECOND_INSPECTOR, violation_id=violation, reason="badge was in the pocket, shown at once")
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.confirm_violation(SECOND_INSPECTOR, violation_id=violation)
    assert "dismissed" in str(refused.value)
    assert positions(ledger) == before
    assert ledger.violation(violation).status == DISMISSED


def test_dismissing_needs_a_reason(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    violation = ledger.record_violation(INSPECTOR, rule="ART6.1", staff_id=staff, evidence="x").id
    before = positions(ledger)
    with pytest.raises(InvalidInput) as refused:
        ledger.dismiss_violation(SECOND_INSPECTOR, violation_id=violation, reason="")
    assert refused.value.field == "reason"
    assert positions(ledger) == before


def test_revoking_needs_a_reason_and_cannot_happen_twice(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    violation = given_confirmed_violation(ledger, staff)
    before = positions(ledger)
    with pytest.raises(InvalidInput):
        ledger.revoke_violation(MANAGER, violation_id=violation, reason=" ")
    assert positions(ledger) == before
    ledger.revoke_violation(MANAGER, violation_id=violation, reason="CCTV shows she was at the window")
    assert ledger.violation(violation).status == REVOKED
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.revoke_violation(MANAGER, violation_id=violation, reason="again")
    assert "already revoked" in str(refused.value)
    assert positions(ledger) == before


def test_a_pending_violation_is_dismissed_not_revoked(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    violation = ledger.record_violation(INSPECTOR, rule="ART6.1", staff_id=staff, evidence="x").id
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.revoke_violation(MANAGER, violation_id=violation, reason="x")
    assert "dismiss it instead" in str(refused.value)
    assert positions(ledger) == before


def test_an_appeal_reviewer_may_amend_a_confirmed_violation(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    violation = given_confirmed_violation(ledger, staff, rule="ART6.6")
    ledger.amend_violation(REVIEWER, violation_id=violation, rule="ART6.1", reason="it was a phone, not a game")
    amended = ledger.violation(violation)
    assert (amended.rule, amended.status) == ("ART6.1@2026.1", CONFIRMED)


def test_unknown_violation_id_is_not_found(ledger: HallLedger) -> None:
    given_hall(ledger)
    with pytest.raises(NotFound) as refused:
        ledger.confirm_violation(SECOND_INSPECTOR, violation_id=uuid4())
    assert refused.value.field == "violation_id"
