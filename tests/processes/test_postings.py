"""Article 8: postings of seconded staff, committee consent, replacement."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import AlreadyExists, InvalidInput, InvariantViolated, NotFound, NotPermitted
from domain.staff import OFF_POST, ON_POST
from service.application import HallLedger
from tests.givens import COMMITTEE, MANAGER, at, given_hall, given_staff, positions, topics


def test_onboarding_the_same_staff_number_twice_is_refused(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    given_staff(ledger, hall)
    before = positions(ledger)
    with pytest.raises(AlreadyExists):
        ledger.onboard_staff(MANAGER, staff_no="S001", name="王芳", department_id=hall.tax)
    assert positions(ledger) == before


def test_onboarding_into_an_unknown_department_is_refused(ledger: HallLedger) -> None:
    given_hall(ledger)
    before = positions(ledger)
    from uuid import uuid4

    with pytest.raises(NotFound) as refused:
        ledger.onboard_staff(MANAGER, staff_no="S009", name="李雷", department_id=uuid4())
    assert refused.value.field == "department_id"
    assert positions(ledger) == before


def test_a_department_window_is_staffed_by_that_department(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall, posted=False)
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.post_staff(MANAGER, staff_id=staff, window_id=hall.market_window, start=date(2025, 3, 1))
    assert positions(ledger) == before
    ledger.post_staff(MANAGER, staff_id=staff, window_id=hall.comprehensive_window, start=date(2025, 3, 1))
    assert ledger.staff(staff).status == ON_POST


def test_moving_within_the_hall_keeps_the_posting(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    ledger.move_staff(MANAGER, staff_id=staff, window_id=hall.tax_window_2, start=date(2025, 9, 1))
    posting = ledger.staff(staff).posting
    assert posting is not None
    assert posting["window_id"] == hall.tax_window_2 and posting["start"] == date(2025, 3, 1)


@pytest.mark.rules("ART8.1", "ART8.2")
def test_ending_a_seconded_posting_before_two_years_needs_committee_consent(ledger: HallLedger) -> None:
    """ART8.1/8.2: posted 1 March 2025; ending it on 20 October 2026 is early."""
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall, posted_on=date(2025, 3, 1))
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.end_posting(MANAGER, staff_id=staff, end=date(2026, 10, 20), reason="early_end")
    assert refused.value.rule == "ART8.1@2026.1"
    assert "2027-03-01" in str(refused.value)
    assert positions(ledger) == before

    consent = ledger.record_committee_consent(
        COMMITTEE, staff_id=staff, kind="early_end", decision_ref="管委会〔2026〕12号"
    ).extra["consent_id"]
    ledger.end_posting(MANAGER, staff_id=staff, end=date(2026, 10, 20), reason="early_end", consent_id=consent)
    assert ledger.staff(staff).status == OFF_POST
    assert topics(ledger)[-2:] == ["CommitteeConsentRecorded", "PostingEnded"]


def test_a_consent_is_used_once(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall, posted_on=date(2025, 3, 1))
    consent = ledger.record_committee_consent(
        COMMITTEE, staff_id=staff, kind="early_end", decision_ref="管委会〔2026〕12号"
    ).extra["consent_id"]
    ledger.end_posting(MANAGER, staff_id=staff, end=date(2026, 10, 20), reason="early_end", consent_id=consent)
    ledger.post_staff(MANAGER, staff_id=staff, window_id=hall.tax_window, start=date(2026, 10, 21))
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.end_posting(MANAGER, staff_id=staff, end=date(2026, 11, 1), reason="early_end", consent_id=consent)
    assert "already used" in str(refused.value)
    assert positions(ledger) == before


@pytest.mark.rules("ART8.2")
def test_after_two_years_a_rotation_still_needs_the_committees_prior_consent(ledger: HallLedger) -> None:
    """ART8.2 holds whatever the tenure (issue 10 point 4): a rotation after two years is a replacement."""
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall, posted_on=date(2024, 3, 1))
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.end_posting(MANAGER, staff_id=staff, end=date(2026, 3, 1), reason="rotation", occurred_at=at(3, 1))
    assert (refused.value.rule, refused.value.field) == ("ART8.2@2026.1", "consent_id")
    assert positions(ledger) == before
    consent = ledger.record_committee_consent(
        COMMITTEE, staff_id=staff, kind="replacement", decision_ref="管委会〔2026〕3号", occurred_at=at(2, 26)
    ).extra["consent_id"]
    ledger.end_posting(
        MANAGER, staff_id=staff, end=date(2026, 3, 1), reason="rotation", consent_id=consent, occurred_at=at(3, 1)
    )
    assert ledger.staff(staff).status == OFF_POST


def test_hall_staff_are_not_under_the_secondment_rules(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall, employment="hall", window=hall.comprehensive_window)
    ledger.end_posting(MANAGER, staff_id=staff, end=date(2025, 6, 1), reason="rotation")
    with pytest.raises(InvariantViolated):
        ledger.record_committee_consent(COMMITTEE, staff_id=staff, kind="early_end", decision_ref="x")


def test_only_the_committee_records_its_consent(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    before = positions(ledger)
    with pytest.raises(NotPermitted):
        ledger.record_committee_consent(MANAGER, staff_id=staff, kind="replacement", decision_ref="x")
    assert positions(ledger) == before


@pytest.mark.rules("ART8.2")
def test_replacing_seconded_staff_needs_prior_consent_and_is_one_transaction(ledger: HallLedger) -> None:
    """ART8.2: 调换派驻人员 needs the committee's consent; the center assigns the successor."""
    hall = given_hall(ledger)
    outgoing = given_staff(ledger, hall, posted_on=date(2025, 3, 1))
    successor = given_staff(ledger, hall, staff_no="S002", name="刘洋", posted=False)
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.replace_staff(MANAGER, outgoing_id=outgoing, successor_id=successor, start=date(2026, 10, 9))
    assert refused.value.rule == "ART8.2@2026.1"
    assert positions(ledger) == before

    consent = ledger.record_committee_consent(
        COMMITTEE, staff_id=outgoing, kind="replacement", decision_ref="管委会〔2026〕15号"
    ).extra["consent_id"]
    outcome = ledger.replace_staff(
        MANAGER, outgoing_id=outgoing, successor_id=successor, start=date(2026, 10, 9), consent_id=consent
    )
    assert len(outcome.positions) == 2, "both halves commit together"
    assert ledger.staff(outgoing).status == OFF_POST
    successor_posting = ledger.staff(successor).posting
    assert successor_posting is not None and successor_posting["window_id"] == hall.tax_window


@pytest.mark.rules("ART8.2")
def test_a_temporary_seconded_substitute_needs_prior_consent(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    temp = given_staff(ledger, hall, staff_no="S003", name="周敏", posted=False)
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.post_staff(MANAGER, staff_id=temp, window_id=hall.tax_window_2, start=date(2026, 10, 9), temporary=True)
    assert refused.value.field == "consent_id"
    assert positions(ledger) == before
    consent = ledger.record_committee_consent(
        COMMITTEE, staff_id=temp, kind="temporary_substitution", decision_ref="管委会〔2026〕16号"
    ).extra["consent_id"]
    ledger.post_staff(
        MANAGER, staff_id=temp, window_id=hall.tax_window_2, start=date(2026, 10, 9), temporary=True, consent_id=consent
    )
    assert ledger.staff(temp).posting == {"window_id": hall.tax_window_2, "start": date(2026, 10, 9), "temporary": True}


@pytest.mark.rules("ART8.3")
def test_the_committee_may_demand_a_replacement(ledger: HallLedger) -> None:
    """ART8.3: a demand for replacement lets the posting end early without a consent."""
    hall = given_hall(ledger)
    outgoing = given_staff(ledger, hall, posted_on=date(2026, 1, 5))
    successor = given_staff(ledger, hall, staff_no="S002", name="刘洋", posted=False)
    demand = ledger.demand_replacement(
        COMMITTEE, staff_id=outgoing, grounds="refused the hall's management twice", due=date(2026, 10, 20)
    ).extra["demand_id"]
    ledger.replace_staff(
        MANAGER, outgoing_id=outgoing, successor_id=successor, start=date(2026, 10, 15), demand_id=demand
    )
    assert ledger.staff(outgoing).status == OFF_POST
    assert "ReplacementDemanded" in topics(ledger)


def test_a_recall_by_the_department_is_recorded_as_a_fact(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall, posted_on=date(2026, 1, 5))
    ledger.record_recall(MANAGER, staff_id=staff, end=date(2026, 10, 8), note="recalled by the tax bureau")
    assert ledger.staff(staff).status == OFF_POST
    assert topics(ledger)[-1] == "RecalledByDepartment"


def test_a_person_still_posted_cannot_leave(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.record_staff_left(MANAGER, staff_id=staff, on=date(2026, 10, 8), reason="retired")
    assert positions(ledger) == before


def test_posting_needs_a_start_on_or_after_it_and_an_end_on_or_after_start(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall, posted_on=date(2024, 3, 1))
    before = positions(ledger)
    with pytest.raises(InvalidInput) as refused:
        ledger.end_posting(MANAGER, staff_id=staff, end=date(2024, 1, 1), reason="rotation")
    assert refused.value.field == "end"
    assert positions(ledger) == before


@pytest.mark.rules("ART8.4")
def test_a_leader_in_charge_replaces_the_previous_one(ledger: HallLedger) -> None:
    """ART8.4: each department names one leader in charge."""
    hall = given_hall(ledger)
    ledger.designate_leader_in_charge(MANAGER, department_id=hall.tax, leader_name="陈刚", leader_title="副局长")
    ledger.designate_leader_in_charge(MANAGER, department_id=hall.tax, leader_name="林静", leader_title="副局长")
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.designate_leader_in_charge(MANAGER, department_id=hall.tax, leader_name="林静")
    assert positions(ledger) == before
    last = ledger.mapper.to_domain_event(ledger.recorder.select_notifications(before, 1)[0])
    assert (last.leader_name, last.replaces, last.rule) == ("林静", "陈刚", "ART8.4@2026.1")
