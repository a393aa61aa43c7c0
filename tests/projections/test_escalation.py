"""Escalation state per person (ART2.1.3 generalised): given events, then rows — both stores.

The ladder is re-derived from the *current* status of every violation, rating and decision
(DOMAIN-RESEARCH §2: the S41 pitfall), so these tests also check that what is revoked,
excluded or under appeal stops counting.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.policies.escalation import load_escalation_policy
from projections.escalation import derive
from projections.facts import micros
from projections.timetravel import person_as_of
from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import (
    CLERK,
    INSPECTOR,
    MANAGER,
    SECOND_INSPECTOR,
    WINDOW_LEAD,
    at,
    given_admonishment,
    given_appeal,
    given_confirmed_violation,
    given_hall,
    given_staff,
    given_suspension,
)
from tests.projections.support import one, positions_of, project, rows

pytestmark = pytest.mark.rules("ART2.1.3")


def test_a_first_confirmed_breach_makes_an_admonishment_due_and_an_alert_after_14_days(
    ledger: HallLedger, clock: FakeClock
) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 9, 10))
    violation = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(10, 9, 9))
    project(ledger, "escalation")

    state = one(ledger, "escalation_states")
    assert state["state"] == "admonishment_due"
    assert state["families"]["SERVICE"]["level"] == "admonishment_due"
    assert state["policy"] == "escalation@2026.1"
    due = one(ledger, "escalation_dues")
    assert (due["kind"], due["family"], due["overdue"]) == ("admonishment", "SERVICE", 0)
    assert due["due_by"] == "2026-10-23T01:00:00.000000Z", "decision due 14 days after the step"
    [transition] = rows(ledger, "escalation_transitions")
    assert (transition["from_level"], transition["to_level"], transition["reason"]) == (
        "clear", "admonishment_due", "confirmed violation",
    )  # fmt: skip
    assert transition["cause_positions"] == positions_of(ledger, violation), "recorded and confirmed"
    assert transition["rule"] == "ART2.1@2026.1"

    # two weeks later the hall has still not decided: the log's clock moves on, the due is an alert
    clock.set(at(10, 24, 10))
    given_staff(ledger, hall, staff_no="S002", name="李娜")
    project(ledger, "escalation")
    assert one(ledger, "escalation_dues", "WHERE staff_id = ?", (str(staff),))["overdue"] == 1
    assert one(ledger, "escalation_states", "WHERE staff_id = ?", (str(staff),))["alerts"] == 1


def test_admonished_remedied_then_clear_after_a_clean_year(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 12, 10))
    violation = given_confirmed_violation(ledger, staff, when=at(10, 9))
    admonishment = given_admonishment(ledger, staff, [violation], when=at(10, 12), remedy_due=date(2026, 10, 19))
    project(ledger, "escalation")
    state = one(ledger, "escalation_states")
    assert (state["state"], state["remedy_due"]) == ("warned", "2026-10-19")
    assert rows(ledger, "escalation_dues") == [], "the admonishment was the decision owed"

    clock.set(at(10, 16, 10))
    ledger.complete_remedy(WINDOW_LEAD, staff_id=staff, admonishment_id=admonishment, note="已书面检查")
    project(ledger, "escalation")
    assert one(ledger, "escalation_states")["state"] == "probation"
    assert one(ledger, "escalation_states")["next_change_at"] == "2027-10-12T01:00:00.000000Z"
    # a clean year after the warning the ladder resets (the history stays)
    later = person_as_of(ledger, staff, as_of=at(10, 13, year=2027))
    assert later["escalation"]["state"] == "clear"
    assert [t["reason"] for t in later["escalation"]["transitions"]][-1] == "clean period served"


def test_a_repeat_after_the_warning_makes_a_sanction_due_then_suspended_then_reinstated(
    ledger: HallLedger, clock: FakeClock
) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 12, 10))
    first = given_confirmed_violation(ledger, staff, when=at(10, 9))
    given_admonishment(ledger, staff, [first], when=at(10, 12), remedy_due=date(2026, 10, 30))
    clock.set(at(10, 20, 10))
    repeat = given_confirmed_violation(ledger, staff, rule="ART2.1.1", when=at(10, 20))
    project(ledger, "escalation")
    assert one(ledger, "escalation_states")["state"] == "suspension_or_removal_due"
    due = one(ledger, "escalation_dues")
    assert (due["kind"], due["recommended"]) == ("suspension_or_removal", "suspension")
    assert set(positions_of(ledger, repeat)) <= set(due["cause_positions"])

    clock.set(at(10, 22, 10))
    decision = given_suspension(ledger, staff, [repeat], when=at(10, 22))
    project(ledger, "escalation")
    state = one(ledger, "escalation_states")
    assert (state["state"], state["sanction_kind"], state["sanction_supported"]) == ("suspended", "suspension", 1)
    assert rows(ledger, "escalation_dues") == []

    clock.set(at(11, 20, 10))
    ledger.reinstate(MANAGER, staff_id=staff, decision_id=decision, note="培训考试合格")
    project(ledger, "escalation")
    assert one(ledger, "escalation_states")["state"] == "reinstated"
    reasons = [t["reason"] for t in rows(ledger, "escalation_transitions")]
    assert reasons == [
        "confirmed violation",
        "admonishment issued, remedy ordered",
        "repeat after warning",
        "suspension decided",
        "reinstated",
    ]


def test_a_missed_remedy_makes_a_sanction_due(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 12, 10))
    violation = given_confirmed_violation(ledger, staff, when=at(10, 9))
    # recorded Monday 12 October: the policy's remedy is due 5 working days later, Monday 19 October
    given_admonishment(ledger, staff, [violation], when=at(10, 12), remedy_due=date(2026, 10, 19))
    project(ledger, "escalation")
    assert one(ledger, "escalation_states")["state"] == "warned"
    clock.set(at(10, 20, 10))
    given_staff(ledger, hall, staff_no="S002", name="李娜")  # the log moves past the due date
    project(ledger, "escalation")
    state = one(ledger, "escalation_states", "WHERE staff_id = ?", (str(staff),))
    assert state["state"] == "suspension_or_removal_due"
    last = rows(ledger, "escalation_transitions", "WHERE staff_id = ?", (str(staff),))[-1]
    assert (last["reason"], last["at"]) == ("remedy not completed by its due date", "2026-10-19T16:00:00.000000Z")


@pytest.mark.rules("ART3.1", "ART6.5")
def test_minor_breaches_count_one_step_per_three_within_90_days_and_families_never_mix(
    ledger: HallLedger, clock: FakeClock
) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 20, 10))
    given_confirmed_violation(ledger, staff, rule="ART3.1", item="no_badge", when=at(7, 1))  # DISCIPLINE
    given_confirmed_violation(ledger, staff, rule="ART1.2", when=at(10, 1))  # SERVICE, minor
    given_confirmed_violation(ledger, staff, rule="ART6.5", item="late", when=at(10, 5))  # DISCIPLINE
    given_confirmed_violation(ledger, staff, rule="ART6.5", item="late", when=at(10, 6))  # DISCIPLINE
    project(ledger, "escalation")
    assert one(ledger, "escalation_states")["state"] == "clear", "the July slip is outside the 90 days"

    given_confirmed_violation(ledger, staff, rule="ART3.1", item="no_badge", when=at(10, 15))
    project(ledger, "escalation")
    state = one(ledger, "escalation_states")
    assert state["state"] == "admonishment_due"
    assert list(state["families"]) == ["DISCIPLINE"], "a Mandarin slip never escalates a discipline record"


def test_pending_dismissed_and_revoked_violations_never_count(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 9, 10))
    pending = ledger.record_violation(
        INSPECTOR, rule="ART2.1", staff_id=staff, evidence="推诿", occurred_at=at(10, 9)
    ).id
    dismissed = ledger.record_violation(
        INSPECTOR, rule="ART2.2", staff_id=staff, evidence="?", occurred_at=at(10, 9)
    ).id
    ledger.dismiss_violation(SECOND_INSPECTOR, violation_id=dismissed, reason="证据不足")
    project(ledger, "escalation")
    assert one(ledger, "escalation_states")["state"] == "clear"

    ledger.confirm_violation(SECOND_INSPECTOR, violation_id=pending)
    project(ledger, "escalation")
    assert one(ledger, "escalation_states")["state"] == "admonishment_due"

    clock.set(at(10, 10, 10))
    ledger.revoke_violation(MANAGER, violation_id=pending, reason="复查认定有误")
    project(ledger, "escalation")
    assert one(ledger, "escalation_states")["state"] == "clear", "the revoked breach no longer counts"
    assert rows(ledger, "escalation_dues") == []
    assert rows(ledger, "escalation_transitions") == [], "the ladder is re-derived, not patched"


@pytest.mark.rules("ART6.3")
def test_a_serious_breach_makes_removal_due_at_once(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 9, 10))
    given_confirmed_violation(ledger, staff, rule="ART6.3", item="unauthorised_fee", when=at(10, 9))
    project(ledger, "escalation")
    state = one(ledger, "escalation_states")
    assert state["state"] == "suspension_or_removal_due"
    assert list(state["families"]) == ["INTEGRITY"]
    assert one(ledger, "escalation_dues")["recommended"] == "removal"


@pytest.mark.rules("ART11.1")
def test_three_bad_ratings_in_90_days_are_a_step_and_an_excluded_one_stops_counting(
    ledger: HallLedger, clock: FakeClock
) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 9, 10))
    ratings = [
        ledger.record_rating(
            MANAGER,
            ref=f"HCP-{n}",
            level="dissatisfied",
            channel="on_site",
            window_id=hall.tax_window,
            staff_id=staff,
            occurred_at=at(10, n),
        ).id
        for n in (1, 3, 5)
    ]
    project(ledger, "escalation")
    state = one(ledger, "escalation_states")
    assert state["state"] == "admonishment_due", "反复被差评"
    assert state["families"]["SERVICE"]["causes"] == sorted(p for r in ratings for p in positions_of(ledger, r))

    ledger.contest_rating(CLERK, rating_id=ratings[0], grounds="mistaken", statement="评价人误操作")
    project(ledger, "escalation")
    state = one(ledger, "escalation_states")
    assert state["state"] == "clear", "a contested rating is blocked while it is reviewed"
    assert state["blocked"][0]["rating"] == str(ratings[0])

    ledger.exclude_rating(MANAGER, rating_id=ratings[0], reason="核实为误评")
    project(ledger, "escalation")
    assert one(ledger, "escalation_states")["state"] == "clear", "an excluded rating never counts again (S41)"


def test_a_step_under_appeal_is_blocked_until_the_appeal_is_decided(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 9, 10))
    violation = given_confirmed_violation(ledger, staff, when=at(10, 9))
    clock.set(at(10, 12, 10))
    given_appeal(ledger, staff, violation, filed=at(10, 12))
    project(ledger, "escalation")
    state = one(ledger, "escalation_states")
    assert state["state"] == "clear"
    assert state["blocked"][0]["violation"] == str(violation)


def test_derive_is_a_pure_function_of_the_facts_and_the_valid_time() -> None:
    """The same facts give the same ladder; only ``as_of`` moves the time-driven parts."""
    from projections.facts import HallFacts

    facts = HallFacts()
    core = facts.core("p1")
    core["profile"] = {
        "staff_no": "S1",
        "name": "n",
        "department_id": "d",
        "employment": "hall",
        "onboarded_t": 0,
        "pos": 1,
    }
    core["violations"]["v1"] = {
        "rule": "ART2.1@2026.1", "item": None, "severity": "major", "t": micros(at(10, 1)), "recorded_t": 0,
        "window_id": None, "department_id": None, "candidate": False, "source": "inspection", "status": "confirmed",
        "status_t": micros(at(10, 1)), "deduction": None, "appeal": None, "pos": [2, 3],
    }  # fmt: skip
    policy = load_escalation_policy()
    soon, late = derive(core, policy, micros(at(10, 2))), derive(core, policy, micros(at(10, 20)))
    assert soon["state"] == late["state"] == "admonishment_due"
    assert (soon["dues"][0]["overdue"], late["dues"][0]["overdue"]) == (False, True)
    assert derive(core, policy, micros(at(10, 1, year=2027)))["state"] == "clear", "older than the look-back"
