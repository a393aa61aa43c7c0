"""The ladder guard (ART2.1.3 经告诫仍不改正) is the escalation policy, not looser: a suspension or
removal is recorded only when the read model's walk (``domain.ladder``) supports it — same family,
within the look-back, a counting step after the warning (minor ones grouped) or a missed remedy;
a serious violation at once (interim) with a referral to discipline inspection. Remedies are due
5 working days (hall calendar) after the admonishment is recorded, taken in Asia/Shanghai.
Both stores."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.errors import InvariantViolated
from domain.staff import ON_POST, REMOVED, SUSPENDED
from service.application import HallLedger
from tests.api.conftest import TestClient, Tokens
from tests.conftest import FakeClock
from tests.givens import (
    COMMITTEE,
    MANAGER,
    REVIEWER,
    WINDOW_LEAD,
    at,
    given_appeal,
    given_confirmed_violation,
    given_hall,
    given_staff,
    positions,
    topics,
)
from tests.projections.support import one, project

pytestmark = pytest.mark.rules("ART2.1.3")


def admonished_in_january(ledger: HallLedger, clock: FakeClock, *, remedied: bool = True) -> tuple[object, object]:
    """*Given* 王芳 left a first inquiry unhandled (ART2.1, SERVICE) on 5 January 2026, was admonished
    on 6 January and (``remedied``) called the client back on 8 January."""
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(1, 6, 10))
    first = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(1, 5))
    admonishment = ledger.issue_admonishment(
        MANAGER, staff_id=staff, basis=[first], remedy="回访服务对象并书面检查", occurred_at=at(1, 6)
    ).extra["admonishment_id"]
    if remedied:
        clock.set(at(1, 8, 16))
        ledger.complete_remedy(WINDOW_LEAD, staff_id=staff, admonishment_id=admonishment, note="已回访并书面检查")
    return staff, first


def refused_suspension(ledger: HallLedger, staff: object, basis: list[object], when: datetime) -> InvariantViolated:
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.decide_suspension(COMMITTEE, staff_id=staff, basis=basis, start=when.date(), occurred_at=when)
    assert positions(ledger) == before, "nothing is written"
    assert (refused.value.rule, refused.value.field) == ("ART2.1.3@2026.1", "basis")
    return refused.value


@pytest.mark.rules("ART2.1", "ART3.3")
def test_a_remedied_service_warning_and_one_minor_discipline_slip_months_later_ground_no_suspension(
    ledger: HallLedger, clock: FakeClock
) -> None:
    staff, _ = admonished_in_january(ledger, clock)
    clock.set(at(10, 12, 12))
    slip = given_confirmed_violation(ledger, staff, rule="ART3.3", when=at(10, 12, 9))  # minor, DISCIPLINE
    refused = refused_suspension(ledger, staff, [slip], at(10, 12, 11))
    assert "no counting step in the same family after the warning" in refused.message
    assert "escalation@2026.1" in refused.message and "3 minor ones within 90 days" in refused.message
    assert ledger.staff(staff).status == ON_POST


@pytest.mark.rules("ART2.1", "ART1.2")
def test_one_minor_slip_in_the_same_family_is_no_step_three_within_90_days_are(
    ledger: HallLedger, clock: FakeClock
) -> None:
    staff, _ = admonished_in_january(ledger, clock)
    clock.set(at(3, 4, 12))
    slips = [given_confirmed_violation(ledger, staff, rule="ART1.2", when=at(3, d)) for d in (2,)]
    refused_suspension(ledger, staff, slips, at(3, 2, 11))
    slips += [given_confirmed_violation(ledger, staff, rule="ART1.2", when=at(3, d)) for d in (3, 4)]
    ledger.decide_suspension(COMMITTEE, staff_id=staff, basis=slips, start=date(2026, 3, 5), occurred_at=at(3, 4, 11))
    assert ledger.staff(staff).status == SUSPENDED


@pytest.mark.rules("ART2.1", "ART2.1.1")
def test_a_major_breach_in_the_same_family_after_the_warning_grounds_a_suspension_the_read_model_supports(
    ledger: HallLedger, clock: FakeClock
) -> None:
    staff, _ = admonished_in_january(ledger, clock)
    clock.set(at(10, 12, 12))
    repeat = given_confirmed_violation(ledger, staff, rule="ART2.1.1", when=at(10, 12, 9))  # major, SERVICE
    ledger.decide_suspension(
        COMMITTEE, staff_id=staff, basis=[repeat], start=date(2026, 10, 13), occurred_at=at(10, 12, 11)
    )
    project(ledger, "escalation")
    state = one(ledger, "escalation_states")
    assert (state["state"], state["sanction_supported"]) == ("suspended", 1)


@pytest.mark.rules("ART2.1", "ART2.1.1")
def test_a_warning_older_than_the_look_back_grounds_nothing(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(6, 2, 10, year=2025))
    first = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(6, 2, 9, year=2025))
    ledger.issue_admonishment(
        MANAGER, staff_id=staff, basis=[first], remedy="书面检查", occurred_at=at(6, 2, year=2025)
    )
    clock.set(at(10, 12, 12))
    repeat = given_confirmed_violation(ledger, staff, rule="ART2.1.1", when=at(10, 12, 9))
    refused = refused_suspension(ledger, staff, [repeat], at(10, 12, 11))
    assert "no prior admonishment on the ladder within the look-back" in refused.message


@pytest.mark.rules("ART2.1")
def test_a_missed_remedy_grounds_a_suspension(ledger: HallLedger, clock: FakeClock) -> None:
    staff, first = admonished_in_january(ledger, clock, remedied=False)
    # recorded Tuesday 6 January: due 5 working days later, Tuesday 13 January; not done
    assert ledger.staff(staff).admonishments and next(iter(ledger.staff(staff).admonishments.values()))[
        "remedy_due"
    ] == date(2026, 1, 13)
    clock.set(at(1, 13, 17))
    refused_suspension(ledger, staff, [first], at(1, 13, 17))  # still due today
    clock.set(at(1, 14, 9))
    ledger.decide_suspension(
        COMMITTEE, staff_id=staff, basis=[first], start=date(2026, 1, 15), occurred_at=at(1, 14, 9)
    )
    assert ledger.staff(staff).status == SUSPENDED


@pytest.mark.rules("ART2.1", "ART2.1.1", "ART3.3")
def test_the_basis_must_name_a_violation_of_the_family_the_sanction_is_due_in(
    ledger: HallLedger, clock: FakeClock
) -> None:
    staff, _ = admonished_in_january(ledger, clock)
    clock.set(at(10, 12, 12))
    repeat = given_confirmed_violation(ledger, staff, rule="ART2.1.1", when=at(10, 12, 8))
    slip = given_confirmed_violation(ledger, staff, rule="ART3.3", when=at(10, 12, 9))
    refused = refused_suspension(ledger, staff, [slip], at(10, 12, 11))
    assert "due in the SERVICE family" in refused.message and str(repeat) in refused.message


@pytest.mark.rules("ART2.1", "ART3.3")
def test_a_removal_is_held_to_the_same_policy(ledger: HallLedger, clock: FakeClock) -> None:
    staff, _ = admonished_in_january(ledger, clock)
    clock.set(at(10, 12, 12))
    slip = given_confirmed_violation(ledger, staff, rule="ART3.3", when=at(10, 12, 9))
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.decide_removal(COMMITTEE, staff_id=staff, basis=[slip], effective=date(2026, 10, 13))
    assert (refused.value.rule, refused.value.field) == ("ART2.1.3@2026.1", "basis")
    assert positions(ledger) == before
    assert ledger.staff(staff).status == ON_POST != REMOVED


@pytest.mark.rules("ART6.2")
def test_a_serious_violation_allows_an_interim_suspension_and_is_referred_to_discipline_inspection(
    ledger: HallLedger, clock: FakeClock, client: TestClient, tokens: Tokens
) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 12, 17))
    drinking = given_confirmed_violation(ledger, staff, rule="ART6.2", when=at(10, 12, 13, 30))
    assert topics(ledger)[-2:] == ["Confirmed", "ReferredToDisciplineInspection"], "in one transaction"
    referral = next(e for e in ledger.events.get(staff) if type(e).__name__ == "ReferredToDisciplineInspection")
    assert (referral.violation_id, referral.rule, referral.body) == (drinking, "ART6.2@2026.1", "纪检监察")
    project(ledger, "escalation")
    state = one(ledger, "escalation_states")
    assert state["state"] == "suspension_or_removal_due"
    [shown] = state["referrals"]
    assert (shown["violation"], shown["body"]) == (str(drinking), "纪检监察")
    over_http = client.get(f"/api/v1/staff/{staff}/escalation", headers=tokens.headers("committee"))
    assert over_http.status_code == 200, over_http.text
    assert [r["violation"] for r in over_http.json()["referrals"]] == [str(drinking)]

    ledger.decide_suspension(
        COMMITTEE, staff_id=staff, basis=[drinking], start=date(2026, 10, 12), occurred_at=at(10, 12, 16)
    )
    assert ledger.staff(staff).status == SUSPENDED
    assert topics(ledger).count("ReferredToDisciplineInspection") == 1, "referred once"


def test_the_remedy_is_due_5_working_days_after_the_day_recorded_across_the_national_day_holiday(
    ledger: HallLedger, clock: FakeClock
) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(9, 29, 10))  # Tuesday 29 September 2026; 1–7 October off, Saturday 10 October worked
    first = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(9, 28))
    outcome = ledger.issue_admonishment(MANAGER, staff_id=staff, basis=[first], remedy="回访", occurred_at=at(9, 28))
    # 30 Sep, 8 Oct, 9 Oct, 10 Oct (调休), 12 Oct — not Monday to Friday (that would be 6 October)
    assert outcome.extra["remedy_due"] == date(2026, 10, 12)


def test_an_earlier_remedy_date_is_raised_to_the_policys_and_a_later_one_kept(
    ledger: HallLedger, clock: FakeClock
) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 12, 12))
    # back-dated: it happened on 2 October but became visible to the person on 12 October
    first = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(10, 2))
    second = given_confirmed_violation(ledger, staff, rule="ART2.2", when=at(10, 2))
    early = ledger.issue_admonishment(
        MANAGER, staff_id=staff, basis=[first], remedy="回访", remedy_due=date(2026, 10, 9), occurred_at=at(10, 2)
    )
    assert early.extra["remedy_due"] == date(2026, 10, 19), "5 working days after 12 October, not 9 October"
    later = ledger.issue_admonishment(
        MANAGER, staff_id=staff, basis=[second], remedy="回访", remedy_due=date(2026, 10, 30), occurred_at=at(10, 2)
    )
    assert later.extra["remedy_due"] == date(2026, 10, 30)


def test_the_day_recorded_is_the_halls_day_not_the_utc_date(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    # 17:30 UTC on Friday 9 October is 01:30 on Saturday 10 October in Shanghai (a worked Saturday)
    clock.set(datetime(2026, 10, 9, 17, 30, tzinfo=UTC))
    first = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(10, 9, 16))
    outcome = ledger.issue_admonishment(MANAGER, staff_id=staff, basis=[first], remedy="回访")
    # from Saturday 10 October: 12, 13, 14, 15, 16 October (from the UTC date it would be the 15th)
    assert outcome.extra["remedy_due"] == date(2026, 10, 16)


@pytest.mark.rules("ART6.2")
def test_a_violation_amended_on_appeal_to_a_serious_rule_is_referred_to_discipline_inspection(
    ledger: HallLedger, clock: FakeClock
) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 12, 17))
    slip = given_confirmed_violation(ledger, staff, rule="ART3.3", when=at(10, 12, 13, 30))
    assert "ReferredToDisciplineInspection" not in topics(ledger), "a minor slip is not referred"
    appeal = given_appeal(ledger, staff, slip, filed=at(10, 12, 16))
    before = positions(ledger)
    ledger.decide_appeal(
        REVIEWER, appeal_id=appeal, outcome="amended", rule="ART6.2",
        reasons="呼气检测记录显示当班饮酒 the breath test shows drinking on duty",
    )  # fmt: skip
    assert topics(ledger, before) == ["Decided", "Amended", "ReferredToDisciplineInspection"], "in one transaction"
    referral = next(e for e in ledger.events.get(staff) if type(e).__name__ == "ReferredToDisciplineInspection")
    assert (referral.violation_id, referral.rule, referral.actor.id) == (slip, "ART6.2@2026.1", REVIEWER.id)
