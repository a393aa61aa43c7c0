"""The escalation ladder of ART2.1.3 as decisions: first verified breach → admonishment and
an ordered remedy; not corrected after that warning → suspension (待岗) or removal (调离)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidInput, InvariantViolated, NotPermitted
from domain.staff import ON_POST, REMOVED, SUSPENDED
from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import (
    COMMITTEE,
    INSPECTOR,
    MANAGER,
    REVIEWER,
    SECOND_INSPECTOR,
    at,
    given_confirmed_violation,
    given_hall,
    given_staff,
    positions,
    topics,
)


@pytest.mark.rules("ART2.1.3", "ART2.1")
def test_first_verified_breach_admonishment_with_remedy(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    first = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(10, 1))
    # recorded on Thursday 8 October 2026: the remedy is due 5 working days later (Sat 10 Oct is worked)
    outcome = ledger.issue_admonishment(
        MANAGER, staff_id=staff, basis=[first], remedy="call the client back and apologise", occurred_at=at(10, 2),
    )  # fmt: skip
    event = ledger.mapper.to_domain_event(ledger.recorder.select_notifications(outcome.positions[0], 1)[0])
    assert (event.rule, event.basis, event.remedy_due) == ("ART2.1.3@2026.1", [first], date(2026, 10, 14))
    assert outcome.extra["remedy_due"] == date(2026, 10, 14)


def test_no_suspension_without_a_prior_admonishment(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    first = given_confirmed_violation(ledger, staff, rule="ART2.1")
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.decide_suspension(COMMITTEE, staff_id=staff, basis=[first], start=date(2026, 10, 9))
    assert (refused.value.rule, refused.value.field) == ("ART2.1.3@2026.1", "basis")
    assert "no prior admonishment" in str(refused.value)
    assert positions(ledger) == before


@pytest.mark.rules("ART2.1.3", "ART6.2")
def test_a_serious_breach_may_be_sanctioned_at_once(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    drinking = given_confirmed_violation(ledger, staff, rule="ART6.2", when=at(10, 3, 13, 30))
    ledger.decide_suspension(COMMITTEE, staff_id=staff, basis=[drinking], start=date(2026, 10, 3))
    assert ledger.staff(staff).status == SUSPENDED


@pytest.mark.rules("ART2.1.3", "ART2.1.2")
def test_repeat_after_warning_grounds_a_suspension_then_reinstatement(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    first = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(10, 1))
    ledger.issue_admonishment(
        MANAGER,
        staff_id=staff,
        basis=[first],
        remedy="retraining",
        remedy_due=date(2026, 10, 16),
        occurred_at=at(10, 2),
    )
    before = positions(ledger)
    # the admonishment's own basis is no repeat
    with pytest.raises(InvariantViolated) as refused:
        ledger.decide_suspension(
            COMMITTEE, staff_id=staff, basis=[first], start=date(2026, 10, 3), occurred_at=at(10, 3)
        )
    assert "no counting step in the same family after the warning" in str(refused.value)
    assert positions(ledger) == before

    repeat = given_confirmed_violation(ledger, staff, rule="ART2.1.2", item="result_not_communicated", when=at(10, 6))
    decision = ledger.decide_suspension(
        COMMITTEE, staff_id=staff, basis=[first, repeat], start=date(2026, 10, 8), until=date(2026, 11, 8)
    ).extra["decision_id"]
    assert ledger.staff(staff).status == SUSPENDED
    ledger.reinstate(MANAGER, staff_id=staff, decision_id=decision, note="retraining passed")
    assert ledger.staff(staff).status == ON_POST
    assert topics(ledger)[-2:] == ["SuspensionDecided", "Reinstated"]


def test_an_overdue_remedy_is_also_not_corrected(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(9, 2, 10))
    first = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(9, 1))
    ledger.issue_admonishment(
        MANAGER, staff_id=staff, basis=[first], remedy="retraining", remedy_due=date(2026, 9, 9), occurred_at=at(9, 2)
    )
    clock.set(at(10, 8, 10))
    ledger.decide_suspension(COMMITTEE, staff_id=staff, basis=[first], start=date(2026, 10, 8), occurred_at=at(10, 8))
    assert ledger.staff(staff).status == SUSPENDED


def test_only_confirmed_violations_of_this_person_ground_a_decision(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    other = given_staff(ledger, hall, staff_no="S002", name="刘洋")
    pending = ledger.record_violation(INSPECTOR, rule="ART2.1", staff_id=staff, evidence="x").id
    theirs = given_confirmed_violation(ledger, other)
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.issue_admonishment(MANAGER, staff_id=staff, basis=[pending], remedy="x", remedy_due=date(2026, 10, 20))
    assert "only confirmed" in str(refused.value)
    with pytest.raises(InvalidInput) as refused_other:
        ledger.issue_admonishment(MANAGER, staff_id=staff, basis=[theirs], remedy="x", remedy_due=date(2026, 10, 20))
    assert refused_other.value.field == "basis"
    with pytest.raises(InvalidInput):
        ledger.issue_admonishment(MANAGER, staff_id=staff, basis=[], remedy="x", remedy_due=date(2026, 10, 20))
    assert positions(ledger) == before


def test_a_revoked_violation_no_longer_grounds_a_decision(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    first = given_confirmed_violation(ledger, staff)
    ledger.revoke_violation(REVIEWER, violation_id=first, reason="overturned on appeal")
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.issue_admonishment(MANAGER, staff_id=staff, basis=[first], remedy="x", remedy_due=date(2026, 10, 20))
    assert positions(ledger) == before


def test_a_decision_needs_a_role_above_the_recorder_and_nobody_decides_on_their_own_record(
    ledger: HallLedger,
) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    by_manager = ledger.record_violation(MANAGER, rule="ART2.1", staff_id=staff, evidence="x").id
    ledger.confirm_violation(SECOND_INSPECTOR, violation_id=by_manager)
    before = positions(ledger)
    with pytest.raises(NotPermitted) as refused:
        ledger.issue_admonishment(
            MANAGER, staff_id=staff, basis=[by_manager], remedy="x", remedy_due=date(2026, 10, 20)
        )
    assert refused.value.field == "actor"
    with pytest.raises(NotPermitted):
        # an inspector may not decide at all
        ledger.issue_admonishment(
            INSPECTOR, staff_id=staff, basis=[by_manager], remedy="x", remedy_due=date(2026, 10, 20)
        )
    assert positions(ledger) == before
    # the committee outranks the recording manager
    ledger.issue_admonishment(COMMITTEE, staff_id=staff, basis=[by_manager], remedy="x", remedy_due=date(2026, 10, 20))


@pytest.mark.rules("ART2.1.3")
def test_removal_from_post_is_the_committees_decision(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    first = given_confirmed_violation(ledger, staff, when=at(10, 1))
    ledger.issue_admonishment(
        MANAGER, staff_id=staff, basis=[first], remedy="x", remedy_due=date(2026, 10, 9), occurred_at=at(10, 2)
    )
    repeat = given_confirmed_violation(ledger, staff, when=at(10, 6))
    before = positions(ledger)
    with pytest.raises(NotPermitted):
        ledger.decide_removal(MANAGER, staff_id=staff, basis=[repeat], effective=date(2026, 10, 10))
    assert positions(ledger) == before
    ledger.decide_removal(COMMITTEE, staff_id=staff, basis=[repeat], effective=date(2026, 10, 10))
    removed = ledger.staff(staff)
    assert removed.status == REMOVED and removed.posting is None


def test_a_person_already_suspended_is_not_suspended_again(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    drinking = given_confirmed_violation(ledger, staff, rule="ART6.2")
    ledger.decide_suspension(COMMITTEE, staff_id=staff, basis=[drinking], start=date(2026, 10, 3))
    bribe = given_confirmed_violation(ledger, staff, rule="ART6.3")
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.decide_suspension(COMMITTEE, staff_id=staff, basis=[bribe], start=date(2026, 10, 4))
    assert positions(ledger) == before


def test_a_sanction_is_rescinded_by_a_compensating_decision(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    drinking = given_confirmed_violation(ledger, staff, rule="ART6.2")
    decision = ledger.decide_suspension(COMMITTEE, staff_id=staff, basis=[drinking], start=date(2026, 10, 3)).extra[
        "decision_id"
    ]
    ledger.revoke_violation(REVIEWER, violation_id=drinking, reason="breath test was of another person")
    ledger.rescind_sanction(REVIEWER, staff_id=staff, decision_id=decision, reason="basis overturned")
    assert ledger.staff(staff).status == ON_POST
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.rescind_sanction(REVIEWER, staff_id=staff, decision_id=decision, reason="again")
    assert positions(ledger) == before
    assert topics(ledger).count("SuspensionDecided") == 1, "the original decision is still in the log"


def test_remedy_completion_is_recorded_once(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    first = given_confirmed_violation(ledger, staff)
    admonishment = ledger.issue_admonishment(
        MANAGER, staff_id=staff, basis=[first], remedy="x", remedy_due=date(2026, 10, 20)
    ).extra["admonishment_id"]
    ledger.complete_remedy(MANAGER, staff_id=staff, admonishment_id=admonishment, note="apology made")
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.complete_remedy(MANAGER, staff_id=staff, admonishment_id=admonishment, note="again")
    assert positions(ledger) == before


@pytest.mark.rules("ART2.1.3")
def test_suspension_is_the_committees_decision_not_the_centers(ledger: HallLedger) -> None:
    """DOMAIN.md roles: 管委会 (committee) decides suspension and removal; the center admonishes."""
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    drinking = given_confirmed_violation(ledger, staff, rule="ART6.2", when=at(10, 3, 13, 30))
    before = positions(ledger)
    with pytest.raises(NotPermitted):
        ledger.decide_suspension(MANAGER, staff_id=staff, basis=[drinking], start=date(2026, 10, 3))
    assert positions(ledger) == before
    ledger.decide_suspension(COMMITTEE, staff_id=staff, basis=[drinking], start=date(2026, 10, 3))
    assert ledger.staff(staff).status == SUSPENDED
