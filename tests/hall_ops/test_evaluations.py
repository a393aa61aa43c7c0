"""Client evaluation (好差评), complaints, praise and commendations — the facts the monthly
assessment (ART11.1) counts and the rewards it leads to (ART11.2).

*Given* a 非常不满意 rating of 王芳, *when* it is contested as malicious and a reviewer
excludes it, *then* it stops counting — its current status says so — and nothing is erased.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.envelope import Actor
from domain.errors import AlreadyExists, InvalidInput, InvariantViolated, NotFound, NotPermitted
from domain.evaluation import CONTESTED, COUNTING, EXCLUDED, UNFOUNDED, VERIFIED, Commendation, Rating
from service.application import HallLedger
from tests.givens import (
    CLERK,
    COMMITTEE,
    INSPECTOR,
    MANAGER,
    REVIEWER,
    SECOND_INSPECTOR,
    WINDOW_LEAD,
    GivenHall,
    at,
    event_at,
    events_of,
    given_hall,
    given_staff,
    positions,
    topics,
)

RATING_SYSTEM = Actor("haochaping", "system")


def _hall_and_wang(ledger: HallLedger) -> tuple[GivenHall, UUID]:
    hall = given_hall(ledger)
    return hall, given_staff(ledger, hall)


def _rate(ledger: HallLedger, hall: GivenHall, staff: UUID, level: str, ref: str = "HCP-20260929-0001") -> UUID:
    return ledger.record_rating(
        RATING_SYSTEM, ref=ref, level=level, channel="on_site", window_id=hall.tax_window, staff_id=staff,
        occurred_at=at(9, 29, 10, 5),
    ).id  # fmt: skip


def _last(ledger: HallLedger) -> Any:
    return event_at(ledger, positions(ledger))


@pytest.mark.rules("ART11.1")
def test_a_rating_is_recorded_on_the_five_national_levels(ledger: HallLedger) -> None:
    hall, wang = _hall_and_wang(ledger)
    case_id = uuid4()
    rating_id = ledger.record_rating(
        RATING_SYSTEM, ref="HCP-20260929-0001", level="very_satisfied", channel="online", window_id=hall.tax_window,
        staff_id=wang, case_id=case_id, occurred_at=at(9, 29, 10, 5),
    ).id  # fmt: skip
    assert rating_id == ledger.rating_id("HCP-20260929-0001"), "the evaluation system's number is the identity"
    rated = events_of(ledger, rating_id)[0]
    assert type(rated) is Rating.Rated
    assert (rated.level, rated.score, rated.channel, rated.case_id) == ("very_satisfied", 5, "online", case_id)
    assert rated.rule == "ART11.1@2026.1"
    assert ledger.rating(rating_id).status == COUNTING


@pytest.mark.rules("ART11.1")
def test_a_rating_is_imported_once_on_a_known_level_and_channel(ledger: HallLedger) -> None:
    hall, wang = _hall_and_wang(ledger)
    _rate(ledger, hall, wang, "satisfied")
    before = positions(ledger)
    with pytest.raises(AlreadyExists):
        _rate(ledger, hall, wang, "satisfied")
    for level, channel, field in [("excellent", "on_site", "level"), ("satisfied", "carrier_pigeon", "channel")]:
        with pytest.raises(InvalidInput) as refused:
            ledger.record_rating(
                RATING_SYSTEM, ref="HCP-20260929-0002", level=level, channel=channel, window_id=hall.tax_window,
                staff_id=wang,
            )  # fmt: skip
        assert refused.value.field == field
    with pytest.raises(NotFound) as unknown:
        ledger.record_rating(
            RATING_SYSTEM, ref="HCP-20260929-0003", level="satisfied", channel="phone", window_id=hall.tax_window,
            staff_id=uuid4(),
        )  # fmt: skip
    assert unknown.value.field == "staff_id"
    with pytest.raises(NotPermitted):
        ledger.record_rating(
            CLERK, ref="HCP-20260929-0004", level="very_satisfied", channel="on_site", window_id=hall.tax_window,
            staff_id=wang,
        )  # fmt: skip
    assert positions(ledger) == before


@pytest.mark.rules("ART11.1")
def test_a_malicious_bad_rating_is_contested_and_excluded_after_review(ledger: HallLedger) -> None:
    hall, wang = _hall_and_wang(ledger)
    rating_id = _rate(ledger, hall, wang, "very_dissatisfied")
    ledger.contest_rating(
        CLERK, rating_id=rating_id, grounds="malicious", statement="申请人因材料不全未能受理,当场声称要给差评",
        occurred_at=at(9, 29, 15),
    )  # fmt: skip
    assert ledger.rating(rating_id).status == CONTESTED
    ledger.exclude_rating(
        REVIEWER, rating_id=rating_id, reason="监控录像与一次性告知书证实窗口无过错", occurred_at=at(9, 30, 9)
    )
    assert ledger.rating(rating_id).status == EXCLUDED
    assert [type(e).__name__ for e in events_of(ledger, rating_id)] == ["Rated", "Contested", "Excluded"]
    assert _last(ledger).rule == "ART11.1@2026.1"


@pytest.mark.rules("ART11.1")
def test_only_a_bad_rating_is_contested_and_only_once(ledger: HallLedger) -> None:
    hall, wang = _hall_and_wang(ledger)
    fine = _rate(ledger, hall, wang, "basically_satisfied", ref="HCP-1")
    bad = _rate(ledger, hall, wang, "dissatisfied", ref="HCP-2")
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as not_bad:
        ledger.contest_rating(CLERK, rating_id=fine, grounds="mistaken", statement="按错了键")
    assert "基本满意" in str(not_bad.value)
    with pytest.raises(InvalidInput) as grounds:
        ledger.contest_rating(CLERK, rating_id=bad, grounds="unfair", statement="x")
    assert grounds.value.field == "grounds"
    assert positions(ledger) == before

    ledger.contest_rating(CLERK, rating_id=bad, grounds="mistaken", statement="老人误按")
    ledger.uphold_rating(MANAGER, rating_id=bad, reason="回访确认群众不满意等候时间")
    assert ledger.rating(bad).status == COUNTING, "an upheld rating counts again"
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as again:
        ledger.contest_rating(CLERK, rating_id=bad, grounds="malicious", statement="再次申诉")
    assert "contested once" in str(again.value)
    assert positions(ledger) == before


@pytest.mark.rules("ART11.1")
def test_nobody_decides_on_a_rating_they_contested(ledger: HallLedger) -> None:
    hall, wang = _hall_and_wang(ledger)
    rating_id = _rate(ledger, hall, wang, "dissatisfied")
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as uncontested:
        ledger.exclude_rating(REVIEWER, rating_id=rating_id, reason="x")
    assert "not contested" in str(uncontested.value)
    assert positions(ledger) == before
    ledger.contest_rating(MANAGER, rating_id=rating_id, grounds="mistaken", statement="评价器故障")
    before = positions(ledger)
    with pytest.raises(NotPermitted) as own:
        ledger.exclude_rating(MANAGER, rating_id=rating_id, reason="评价器故障")
    assert "four eyes" in str(own.value)
    with pytest.raises(NotPermitted):
        ledger.exclude_rating(WINDOW_LEAD, rating_id=rating_id, reason="x")
    assert positions(ledger) == before
    ledger.exclude_rating(REVIEWER, rating_id=rating_id, reason="评价器维修记录证实故障")


# ── complaints ───────────────────────────────────────────────────────────────


@pytest.mark.rules("ART11.1", "ART1.1")
def test_a_verified_complaint_counts_and_an_unfounded_one_never_does(ledger: HallLedger) -> None:
    hall, wang = _hall_and_wang(ledger)
    verified = ledger.record_complaint(
        CLERK, channel="hotline", window_id=hall.tax_window, staff_id=wang, summary="12345转办:窗口人员态度生硬",
        occurred_at=at(9, 29, 11),
    ).id  # fmt: skip
    unfounded = ledger.record_complaint(
        CLERK, channel="on_site", window_id=hall.tax_window, summary="排队时间过长", occurred_at=at(9, 29, 11, 30)
    ).id
    ledger.verify_complaint(INSPECTOR, complaint_id=verified, finding="录像显示未做到问有答声")
    ledger.find_complaint_unfounded(SECOND_INSPECTOR, complaint_id=unfounded, reason="当日等候时间在承诺范围内")
    assert ledger.repository.get(verified).status == VERIFIED
    assert ledger.repository.get(unfounded).status == UNFOUNDED
    assert events_of(ledger, verified)[-1].rule == "ART11.1@2026.1"


@pytest.mark.rules("ART11.1")
def test_a_complaint_is_decided_once_and_not_by_whoever_recorded_it(ledger: HallLedger) -> None:
    hall, wang = _hall_and_wang(ledger)
    complaint = ledger.record_complaint(
        INSPECTOR, channel="letter", window_id=hall.tax_window, staff_id=wang, summary="来信反映推诿"
    ).id
    before = positions(ledger)
    with pytest.raises(NotPermitted):
        ledger.verify_complaint(INSPECTOR, complaint_id=complaint, finding="x")
    with pytest.raises(InvalidInput) as channel:
        ledger.record_complaint(CLERK, channel="pigeon", window_id=hall.tax_window, summary="x")
    assert channel.value.field == "channel"
    assert positions(ledger) == before
    ledger.verify_complaint(SECOND_INSPECTOR, complaint_id=complaint, finding="核实属实")
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.find_complaint_unfounded(MANAGER, complaint_id=complaint, reason="x")
    assert positions(ledger) == before


# ── praise and commendation (ART11.2) ────────────────────────────────────────


@pytest.mark.rules("ART11.1", "ART11.2")
def test_a_silk_banner_grounds_a_commendation_by_the_hall(ledger: HallLedger) -> None:
    hall, wang = _hall_and_wang(ledger)
    banner = ledger.record_praise(
        MANAGER, kind="silk_banner", staff_ids=[wang], window_id=hall.tax_window,
        from_organisation="营口某科技有限公司", note="“热情服务 高效便民”", occurred_at=at(9, 29, 16),
    ).id  # fmt: skip
    very_satisfied = _rate(ledger, hall, wang, "very_satisfied")
    commendation = ledger.award_commendation(
        MANAGER, kind="service_star", title="2026年9月服务之星", staff_ids=[wang], reason="锦旗一面,非常满意评价",
        decision_ref="北海审批〔2026〕40号", basis=[banner, very_satisfied], occurred_at=at(9, 30, 16),
    ).id  # fmt: skip
    awarded = events_of(ledger, commendation)[0]
    assert type(awarded) is Commendation.Awarded
    assert (awarded.staff_ids, awarded.basis, awarded.rule) == ([wang], [banner, very_satisfied], "ART11.2@2026.1")
    assert topics(ledger)[-1] == "Awarded"
    assert events_of(ledger, banner)[0].rule == "ART11.1@2026.1"


@pytest.mark.rules("ART11.2")
def test_a_commendation_is_a_leaders_decision_on_a_sound_basis(ledger: HallLedger) -> None:
    hall, wang = _hall_and_wang(ledger)
    bad = _rate(ledger, hall, wang, "very_dissatisfied", ref="HCP-9")
    ledger.contest_rating(CLERK, rating_id=bad, grounds="malicious", statement="x")
    ledger.exclude_rating(REVIEWER, rating_id=bad, reason="恶意差评")
    before = positions(ledger)
    award = {"title": "服务之星", "reason": "x", "decision_ref": "〔2026〕1号", "staff_ids": [wang]}
    with pytest.raises(NotPermitted):
        ledger.award_commendation(WINDOW_LEAD, kind="service_star", **award)
    with pytest.raises(InvariantViolated) as excluded:
        ledger.award_commendation(MANAGER, kind="service_star", basis=[bad], **award)
    assert excluded.value.field == "basis"
    with pytest.raises(NotFound) as unknown:
        ledger.award_commendation(MANAGER, kind="service_star", basis=[uuid4()], **award)
    assert unknown.value.field == "basis"
    with pytest.raises(InvalidInput) as red_flag:
        ledger.award_commendation(MANAGER, kind="red_flag_window", **award)
    assert red_flag.value.field == "window_id"
    assert positions(ledger) == before
    ledger.award_commendation(
        COMMITTEE, kind="red_flag_window", title="2026年9月红旗窗口", window_id=hall.tax_window, reason="月度考核第一",
        decision_ref="管委会〔2026〕30号",
    )  # fmt: skip


@pytest.mark.rules("ART11.1")
def test_praise_names_who_is_praised(ledger: HallLedger) -> None:
    hall, wang = _hall_and_wang(ledger)
    before = positions(ledger)
    with pytest.raises(InvalidInput) as nobody:
        ledger.record_praise(MANAGER, kind="letter")
    assert nobody.value.field == "staff_ids"
    with pytest.raises(InvalidInput) as kind:
        ledger.record_praise(MANAGER, kind="trophy", staff_ids=[wang])
    assert kind.value.field == "kind"
    with pytest.raises(NotPermitted):
        ledger.record_praise(CLERK, kind="letter", staff_ids=[wang])
    assert positions(ledger) == before
    ledger.record_praise(MANAGER, kind="letter", window_id=hall.tax_window)
