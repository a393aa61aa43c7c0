"""Appeals (申诉/复核) in the application: the period in working days, separation of duties,
and decisions written as compensating events — nothing erased."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from domain.appeal import DECIDED, UNDER_REVIEW
from domain.envelope import Actor
from domain.errors import AlreadyExists, InvalidInput, InvariantViolated, NotFound, NotPermitted
from domain.staff import ON_POST, SUSPENDED
from domain.violation import CONFIRMED, REVOKED
from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import (
    COMMITTEE,
    INSPECTOR,
    MANAGER,
    REVIEWER,
    at,
    given_confirmed_violation,
    given_hall,
    given_staff,
    positions,
    topics,
)

WANG = Actor("wang-fang", "staff")


def suspended_after_warning(ledger: HallLedger, clock: FakeClock | None = None) -> tuple[UUID, UUID, UUID, UUID, UUID]:
    """王芳: ART2.1 confirmed 30 Sep, admonished, repeat on 8 Oct, suspended. With ``clock``, the
    first violation and its admonishment are also *recorded* on 30 Sep (not back-dated)."""
    if clock is not None:
        clock.set(at(9, 30, 10, 30))
    staff = given_staff(ledger, given_hall(ledger))
    first = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(9, 30))
    admonishment = ledger.issue_admonishment(
        MANAGER, staff_id=staff, basis=[first], remedy="call the client back", remedy_due=date(2026, 10, 9),
        occurred_at=at(9, 30, 10),
    ).extra["admonishment_id"]  # fmt: skip
    if clock is not None:
        clock.set(at(10, 8, 9))
    repeat = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(10, 8, 8))
    decision = ledger.decide_suspension(
        COMMITTEE, staff_id=staff, basis=[first, repeat], start=date(2026, 10, 8), occurred_at=at(10, 8, 8, 30)
    ).extra["decision_id"]
    return staff, first, admonishment, repeat, decision


@pytest.mark.rules("ART2.1.3")
def test_the_appeal_period_counts_working_days(ledger: HallLedger, clock: FakeClock) -> None:
    staff, first, *_ = suspended_after_warning(ledger, clock)
    # confirmed (and recorded) Wed 30 Sep; 1–7 Oct is the National Day holiday and Sat 10 Oct a
    # working day: 8, 9, 10, 12, 13 October are the five working days
    clock.set(at(10, 14, 9))
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as late:
        ledger.file_appeal(WANG, appellant_id=staff, target_kind="violation", target_id=first, grounds="x")
    assert late.value.code == "appeal-period-ended" and "2026-10-13" in str(late.value)
    assert positions(ledger) == before
    clock.set(at(10, 13, 17))
    filed = ledger.file_appeal(WANG, appellant_id=staff, target_kind="violation", target_id=first, grounds="x")
    appeal = ledger.appeal(filed.id)
    assert (appeal.deadline, appeal.decision_due) == (date(2026, 10, 13), date(2026, 10, 27))


def test_only_the_person_concerned_appeals_what_is_in_force(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李娜")
    theirs = given_confirmed_violation(ledger, li, when=at(10, 7))
    before = positions(ledger)
    with pytest.raises(NotPermitted):
        ledger.file_appeal(WANG, appellant_id=wang, target_kind="violation", target_id=theirs, grounds="x")
    with pytest.raises(NotPermitted):  # only staff file appeals
        ledger.file_appeal(MANAGER, appellant_id=wang, target_kind="violation", target_id=theirs, grounds="x")
    pending = ledger.record_violation(INSPECTOR, rule="ART3.1", staff_id=wang, evidence="no badge").id
    with pytest.raises(InvariantViolated) as refused:
        ledger.file_appeal(WANG, appellant_id=wang, target_kind="violation", target_id=pending, grounds="x")
    assert refused.value.code == "not-appealable"
    with pytest.raises(NotFound):  # someone else's sanction is not among one's own decisions
        ledger.file_appeal(WANG, appellant_id=wang, target_kind="sanction", target_id=theirs, grounds="x")
    own = given_confirmed_violation(ledger, wang, when=at(10, 7))
    before = positions(ledger)
    with pytest.raises(InvalidInput):
        ledger.file_appeal(WANG, appellant_id=wang, target_kind="violation", target_id=own, grounds="  ")
    assert positions(ledger) == before


def test_one_appeal_per_item_and_reviewers_never_judge_their_own_work(ledger: HallLedger) -> None:
    staff, first, *_ = suspended_after_warning(ledger)
    appeal = ledger.file_appeal(WANG, appellant_id=staff, target_kind="violation", target_id=first, grounds="x").id
    with pytest.raises(AlreadyExists) as twice:
        ledger.file_appeal(WANG, appellant_id=staff, target_kind="violation", target_id=first, grounds="again")
    assert twice.value.code == "already-appealed"
    before = positions(ledger)
    for conflicted in ("insp-li", "insp-wu"):  # the recorder and the confirmer, now sitting as reviewers
        with pytest.raises(NotPermitted) as refused:
            ledger.assign_appeal_reviewer(MANAGER, appeal_id=appeal, reviewer=Actor(conflicted, "appeal_reviewer"))
        assert refused.value.code == "reviewer-conflict"
    with pytest.raises(InvalidInput):
        ledger.assign_appeal_reviewer(MANAGER, appeal_id=appeal, reviewer=Actor("lead-qian", "window_lead"))
    with pytest.raises(InvariantViolated) as unassigned:
        ledger.decide_appeal(REVIEWER, appeal_id=appeal, outcome="upheld", reasons="x")
    assert unassigned.value.code == "no-reviewer"
    assert positions(ledger) == before
    ledger.assign_appeal_reviewer(MANAGER, appeal_id=appeal, reviewer=Actor("rev-zhou", "appeal_reviewer"))
    ledger.assign_appeal_reviewer(MANAGER, appeal_id=appeal, reviewer=REVIEWER)  # reassigned
    assert ledger.appeal(appeal).status == UNDER_REVIEW
    with pytest.raises(NotPermitted) as other:
        ledger.decide_appeal(Actor("rev-zhou", "appeal_reviewer"), appeal_id=appeal, outcome="upheld", reasons="x")
    assert other.value.code == "not-the-reviewer"


def test_a_sanctions_decider_does_not_review_its_appeal(ledger: HallLedger) -> None:
    staff, _, _, _, decision = suspended_after_warning(ledger)
    appeal = ledger.file_appeal(
        WANG, appellant_id=staff, target_kind="sanction", target_id=decision, grounds="disproportionate"
    ).id
    with pytest.raises(NotPermitted):  # the committee member who decided the suspension
        ledger.assign_appeal_reviewer(MANAGER, appeal_id=appeal, reviewer=Actor("cmte-zhao", "appeal_reviewer"))


@pytest.mark.rules("ART2.1.3", "ART2.1")
def test_overturning_a_violation_compensates_in_one_transaction(ledger: HallLedger) -> None:
    staff, first, admonishment, repeat, decision = suspended_after_warning(ledger)
    appeal = ledger.file_appeal(WANG, appellant_id=staff, target_kind="violation", target_id=first, grounds="x").id
    ledger.assign_appeal_reviewer(MANAGER, appeal_id=appeal, reviewer=REVIEWER)
    history = [n.state for n in ledger.recorder.select_notifications(1, 10_000)]
    outcome = ledger.decide_appeal(REVIEWER, appeal_id=appeal, outcome="overturned", reasons="CCTV shows a handover")
    start = outcome.positions[0]
    assert outcome.positions == list(range(start, start + 4)), "one transaction, contiguous positions"
    assert topics(ledger, start - 1) == ["Decided", "Revoked", "SanctionRescinded", "AdmonishmentRescinded"]
    assert outcome.extra == {
        "revoked_violations": [first], "rescinded_admonishments": [admonishment],
        "rescinded_sanctions": [decision],
    }  # fmt: skip
    assert [n.state for n in ledger.recorder.select_notifications(1, len(history))] == history, "nothing erased"
    assert ledger.violation(first).status == REVOKED and ledger.violation(repeat).status == CONFIRMED
    assert ledger.staff(staff).status == ON_POST
    assert ledger.appeal(appeal).status == DECIDED
    with pytest.raises(InvariantViolated):
        ledger.decide_appeal(REVIEWER, appeal_id=appeal, outcome="upheld", reasons="again")


def test_overturning_a_sanction_rescinds_that_sanction_only(ledger: HallLedger) -> None:
    staff, first, admonishment, _, decision = suspended_after_warning(ledger)
    appeal = ledger.file_appeal(WANG, appellant_id=staff, target_kind="sanction", target_id=decision, grounds="x").id
    ledger.assign_appeal_reviewer(MANAGER, appeal_id=appeal, reviewer=REVIEWER)
    assert ledger.staff(staff).status == SUSPENDED
    ledger.decide_appeal(REVIEWER, appeal_id=appeal, outcome="overturned", reasons="too harsh for a first repeat")
    after = ledger.staff(staff)
    assert after.status == ON_POST and after.sanctions[str(decision)]["rescinded"]
    assert not after.admonishments[str(admonishment)]["rescinded"] and ledger.violation(first).status == CONFIRMED


def test_overturning_an_admonishment_rescinds_it(ledger: HallLedger) -> None:
    staff, _, admonishment, *_ = suspended_after_warning(ledger)
    appeal = ledger.file_appeal(
        WANG, appellant_id=staff, target_kind="admonishment", target_id=admonishment, grounds="x"
    ).id
    ledger.assign_appeal_reviewer(MANAGER, appeal_id=appeal, reviewer=REVIEWER)
    with pytest.raises(InvalidInput):  # an admonishment is not re-classified
        ledger.decide_appeal(REVIEWER, appeal_id=appeal, outcome="amended", reasons="x", rule="ART1.1")
    ledger.decide_appeal(REVIEWER, appeal_id=appeal, outcome="overturned", reasons="procedure not followed")
    assert ledger.staff(staff).admonishments[str(admonishment)]["rescinded"]


def test_upheld_changes_nothing_else_and_amended_reclassifies(ledger: HallLedger) -> None:
    staff, first, _, repeat, _ = suspended_after_warning(ledger)
    upheld = ledger.file_appeal(WANG, appellant_id=staff, target_kind="violation", target_id=first, grounds="x").id
    ledger.assign_appeal_reviewer(MANAGER, appeal_id=upheld, reviewer=REVIEWER)
    before = positions(ledger)
    ledger.decide_appeal(REVIEWER, appeal_id=upheld, outcome="upheld", reasons="the record is sound")
    assert topics(ledger, before) == ["Decided"] and ledger.appeal(upheld).outcome == "upheld"

    amended = ledger.file_appeal(WANG, appellant_id=staff, target_kind="violation", target_id=repeat, grounds="y").id
    ledger.assign_appeal_reviewer(MANAGER, appeal_id=amended, reviewer=REVIEWER)
    with pytest.raises(InvalidInput):
        ledger.decide_appeal(REVIEWER, appeal_id=amended, outcome="amended", reasons="x")  # which rule?
    with pytest.raises(InvalidInput):
        ledger.decide_appeal(REVIEWER, appeal_id=amended, outcome="upheld", reasons="x", deduction=Decimal("1"))
    before = positions(ledger)
    ledger.decide_appeal(
        REVIEWER, appeal_id=amended, outcome="amended", reasons="a hand-over without contact",
        rule="ART2.1.2", item="handover_without_contact", deduction=Decimal("1.5"),
    )  # fmt: skip
    assert topics(ledger, before) == ["Decided", "Amended"]
    violation = ledger.violation(repeat)
    assert violation.rule == "ART2.1.2@2026.1" and violation.status == CONFIRMED


# ── while an appeal is pending, ladder steps that rest on the contested item wait ──


@pytest.mark.rules("ART2.1.3")
def test_a_pending_appeal_blocks_the_ladder_steps_resting_on_it(ledger: HallLedger) -> None:
    staff = given_staff(ledger, given_hall(ledger))
    first = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(9, 30))
    appeal = ledger.file_appeal(WANG, appellant_id=staff, target_kind="violation", target_id=first, grounds="x").id
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as blocked:
        ledger.issue_admonishment(
            MANAGER, staff_id=staff, basis=[first], remedy="call back", remedy_due=date(2026, 10, 16),
        )  # fmt: skip
    assert (blocked.value.code, blocked.value.field, blocked.value.rule) == ("under-appeal", "basis", "ART2.1.3@2026.1")
    assert str(appeal) in blocked.value.message and positions(ledger) == before
    # decided (upheld): the step may be taken
    ledger.assign_appeal_reviewer(MANAGER, appeal_id=appeal, reviewer=REVIEWER)
    ledger.decide_appeal(REVIEWER, appeal_id=appeal, outcome="upheld", reasons="the record is sound")
    ledger.issue_admonishment(MANAGER, staff_id=staff, basis=[first], remedy="call back", remedy_due=date(2026, 10, 16))


@pytest.mark.rules("ART2.1.3")
def test_a_sanction_waits_while_the_warning_it_escalates_from_is_under_appeal(ledger: HallLedger) -> None:
    staff = given_staff(ledger, given_hall(ledger))
    first = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(9, 30))
    admonishment = ledger.issue_admonishment(
        MANAGER, staff_id=staff, basis=[first], remedy="call back", remedy_due=date(2026, 10, 9),
        occurred_at=at(9, 30, 10),
    ).extra["admonishment_id"]  # fmt: skip
    repeat = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(10, 8, 8))
    ledger.file_appeal(WANG, appellant_id=staff, target_kind="admonishment", target_id=admonishment, grounds="x")
    before = positions(ledger)
    for decide in (
        lambda: ledger.decide_suspension(COMMITTEE, staff_id=staff, basis=[first, repeat], start=date(2026, 10, 8)),
        lambda: ledger.decide_removal(COMMITTEE, staff_id=staff, basis=[first, repeat], effective=date(2026, 10, 8)),
    ):
        with pytest.raises(InvariantViolated) as blocked:
            decide()
        assert blocked.value.code == "under-appeal" and str(admonishment) in blocked.value.message
    assert positions(ledger) == before


@pytest.mark.rules("ART2.1.3", "ART6.2")
def test_an_interim_suspension_for_a_serious_violation_is_allowed_under_appeal(ledger: HallLedger) -> None:
    staff = given_staff(ledger, given_hall(ledger))
    drinking = given_confirmed_violation(ledger, staff, rule="ART6.2", when=at(10, 7, 13))
    ledger.file_appeal(WANG, appellant_id=staff, target_kind="violation", target_id=drinking, grounds="x")
    with pytest.raises(InvariantViolated):  # a removal waits
        ledger.decide_removal(COMMITTEE, staff_id=staff, basis=[drinking], effective=date(2026, 10, 9))
    ledger.decide_suspension(COMMITTEE, staff_id=staff, basis=[drinking], start=date(2026, 10, 8))
    assert ledger.staff(staff).status == SUSPENDED


def test_decisions_refuse_a_stale_version_of_the_person(ledger: HallLedger) -> None:
    staff = given_staff(ledger, given_hall(ledger))
    first = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(9, 30))
    read = ledger.staff(staff).version
    ledger.record_committee_consent(COMMITTEE, staff_id=staff, kind="replacement", decision_ref="管委会〔2026〕1号")
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as stale:
        ledger.issue_admonishment(
            MANAGER, staff_id=staff, basis=[first], remedy="x", remedy_due=date(2026, 10, 16), expected_version=read
        )
    assert stale.value.code == "stale-version" and positions(ledger) == before
    ledger.issue_admonishment(
        MANAGER, staff_id=staff, basis=[first], remedy="x", remedy_due=date(2026, 10, 16), expected_version=read + 1
    )
