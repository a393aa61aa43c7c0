"""Inspection rounds (日检查/巡查/暗访): each finding is a violation of the regulation, recorded
with the same machinery as any other; the round and all it found are one transaction.
And ART4.2: the center coordinates cleaning with property management.

*Given* two windows on a covert round, *when* the inspector finds 王芳 playing with her phone
at W07 and nothing wrong at W08, *then* the round, its finding and the pending violation are
on the ledger together — and a second inspector confirms the violation as usual.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.errors import AlreadyExists, InvalidInput, InvariantViolated, NotFound, NotPermitted
from domain.violation import CONFIRMED, PENDING, REVOKED, Violation
from service.application import HallLedger
from service.commands.inspections import CleanPass, Finding
from tests.givens import (
    INSPECTOR,
    MANAGER,
    SECOND_INSPECTOR,
    WINDOW_LEAD,
    GivenHall,
    at,
    events_of,
    given_hall,
    given_staff,
    positions,
    topics,
)


def _two_windows(ledger: HallLedger) -> tuple[GivenHall, UUID, UUID]:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李娜", window=hall.tax_window_2)
    return hall, wang, li


def _round(ledger: HallLedger, hall: GivenHall, findings: list[Finding], clean: list[CleanPass], **kw: Any) -> Any:
    return ledger.complete_inspection_round(
        INSPECTOR, windows=[hall.tax_window, hall.tax_window_2], started_at=at(9, 29, 9, 0), findings=findings,
        clean_passes=clean, occurred_at=at(9, 29, 9, 40), **kw,
    )  # fmt: skip


@pytest.mark.rules("ART6.1", "ART11.1")
def test_a_covert_round_saves_itself_and_its_violations_in_one_transaction(ledger: HallLedger) -> None:
    hall, wang, _ = _two_windows(ledger)
    before = positions(ledger)
    outcome = _round(
        ledger,
        hall,
        [
            Finding(
                hall.tax_window,
                "ART6.1",
                "窗口工作人员低头玩手机约3分钟",
                at(9, 29, 9, 12),
                staff_id=wang,
                item="phone",
                evidence_refs=["暗访视频 20260929-0912.mp4"],
            )
        ],
        [CleanPass(hall.tax_window_2, at(9, 29, 9, 20), note="着装、秩序良好")],
        covert=True,
    )
    assert outcome.positions == list(range(before + 1, before + 6)), "one command, consecutive positions"
    assert topics(ledger, before) == ["Started", "FindingRecorded", "CleanPassRecorded", "Completed", "Recorded"]
    (violation_id,) = outcome.extra["violation_ids"]
    violation = ledger.violation(violation_id)
    assert (violation.status, violation.rule, violation.item, violation.severity) == (
        PENDING,
        "ART6.1@2026.1",
        "phone",
        "major",
    )
    assert (violation.staff_id, violation.window_id, violation.occurred) == (wang, hall.tax_window, at(9, 29, 9, 12))
    inspection = ledger.inspection_round(outcome.id)
    assert inspection.covert and inspection.completed
    started, finding, clean, completed = events_of(ledger, outcome.id)
    assert (started.occurred_at, started.rule) == (at(9, 29, 9, 0), "ART11.1@2026.1")
    assert (finding.violation_id, finding.occurred_at, finding.rule) == (
        violation_id,
        at(9, 29, 9, 12),
        "ART6.1@2026.1",
    )
    assert clean.window_id == hall.tax_window_2
    assert (completed.findings, completed.clean_windows) == ([violation_id], [hall.tax_window_2])
    # the finding lives the normal life of a violation: four eyes confirm it, a review may revoke it
    ledger.confirm_violation(SECOND_INSPECTOR, violation_id=violation_id)
    assert ledger.violation(violation_id).status == CONFIRMED
    ledger.revoke_violation(MANAGER, violation_id=violation_id, reason="视频显示为工作电话")
    assert ledger.violation(violation_id).status == REVOKED


#: what rounds find, one conduct rule each (DOMAIN-RESEARCH §4 gives the finer items)
RULES_FOUND_ON_ROUNDS = [
    pytest.param("ART1.1", "three_greetings", "群众离开时未道别", marks=pytest.mark.rules("ART1.1"), id="ART1.1"),
    pytest.param("ART1.2", None, "接待中未经群众同意接听私人电话", marks=pytest.mark.rules("ART1.2"), id="ART1.2"),
    pytest.param("ART1.3", None, "承诺当日回电告知结果,未回电", marks=pytest.mark.rules("ART1.3"), id="ART1.3"),
    pytest.param("ART3.1", "no_badge", "未佩戴胸牌", marks=pytest.mark.rules("ART3.1"), id="ART3.1"),
    pytest.param("ART3.2", None, "坐姿不端,脚搭在抽屉上", marks=pytest.mark.rules("ART3.2"), id="ART3.2"),
    pytest.param("ART3.3", None, "佩戴有色眼镜办公", marks=pytest.mark.rules("ART3.3"), id="ART3.3"),
    pytest.param("ART4.1", None, "桌面堆放外卖餐盒等杂物", marks=pytest.mark.rules("ART4.1"), id="ART4.1"),
    pytest.param("ART5.1", None, "工作电脑安装炒股软件并在运行", marks=pytest.mark.rules("ART5.1"), id="ART5.1"),
    pytest.param("ART6.2", None, "午饭饮酒后上岗,酒气明显", marks=pytest.mark.rules("ART6.2"), id="ART6.2"),
    pytest.param("ART6.3", "back_to_window", "背对窗口与同事交谈", marks=pytest.mark.rules("ART6.3"), id="ART6.3"),
    pytest.param("ART6.4", None, "参加服务对象安排的宴请(举报经核实)", marks=pytest.mark.rules("ART6.4"), id="ART6.4"),
    pytest.param(
        "ART6.5", "left_post", "窗口无人20分钟,未放置暂停受理提示牌", marks=pytest.mark.rules("ART6.5"), id="ART6.5"
    ),
    pytest.param("ART6.6", None, "上班时间戴耳机看视频", marks=pytest.mark.rules("ART6.6"), id="ART6.6"),
    pytest.param("ART6.7", None, "为材料不全的申请人说情要求放宽条件", marks=pytest.mark.rules("ART6.7"), id="ART6.7"),
    pytest.param("ART6.8", None, "私下向群众推荐指定代办中介", marks=pytest.mark.rules("ART6.8"), id="ART6.8"),
    pytest.param(
        "ART7.1", None, "本窗口事项以非本窗口业务为由拒绝受理", marks=pytest.mark.rules("ART7.1"), id="ART7.1"
    ),
    pytest.param(
        "ART7.3", None, "11:30 到点中止正在办理的业务,要求群众下午再来", marks=pytest.mark.rules("ART7.3"), id="ART7.3"
    ),
    pytest.param("ART7.4", None, "拒绝配合巡查人员检查", marks=pytest.mark.rules("ART7.4"), id="ART7.4"),
    pytest.param("ART9.2", None, "通过聊天软件传送涉密文件电子版", marks=pytest.mark.rules("ART9.2"), id="ART9.2"),
]


@pytest.mark.parametrize(("rule", "item", "evidence"), RULES_FOUND_ON_ROUNDS)
def test_a_finding_is_a_violation_of_its_rule(ledger: HallLedger, rule: str, item: str | None, evidence: str) -> None:
    hall, wang, _ = _two_windows(ledger)
    outcome = _round(
        ledger,
        hall,
        [Finding(hall.tax_window, rule, evidence, at(9, 29, 9, 15), staff_id=wang, item=item)],
        [CleanPass(hall.tax_window_2, at(9, 29, 9, 25))],
    )
    (violation_id,) = outcome.extra["violation_ids"]
    recorded = events_of(ledger, violation_id)[0]
    assert type(recorded) is Violation.Recorded
    assert (recorded.rule, recorded.item, recorded.evidence, recorded.source) == (
        f"{rule}@2026.1",
        item,
        evidence,
        "inspection",
    )
    assert ledger.inspection_round(outcome.id).findings == {str(hall.tax_window): [str(violation_id)]}


@pytest.mark.rules("ART6.1")
def test_a_finding_or_clean_pass_for_a_window_not_on_the_round_is_refused(ledger: HallLedger) -> None:
    hall, wang, _ = _two_windows(ledger)
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as finding:
        _round(
            ledger,
            hall,
            [Finding(hall.market_window, "ART6.1", "串岗聊天", at(9, 29, 9, 10), staff_id=wang)],
            [CleanPass(hall.tax_window, at(9, 29, 9, 5)), CleanPass(hall.tax_window_2, at(9, 29, 9, 6))],
        )
    assert finding.value.field == "findings[0].window_id"
    with pytest.raises(InvariantViolated) as clean:
        _round(
            ledger,
            hall,
            [],
            [CleanPass(hall.tax_window, at(9, 29, 9, 5)), CleanPass(hall.market_window, at(9, 29, 9, 6))],
        )
    assert clean.value.field == "clean_passes[1].window_id"
    assert positions(ledger) == before, "neither the round nor any violation was written"


@pytest.mark.rules("ART3.1")
def test_a_round_accounts_for_every_window_it_covered(ledger: HallLedger) -> None:
    hall, wang, _ = _two_windows(ledger)
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        _round(ledger, hall, [Finding(hall.tax_window, "ART3.1", "未着制服", at(9, 29, 9, 10), staff_id=wang)], [])
    assert refused.value.field == "windows"
    assert str(hall.tax_window_2) in str(refused.value)
    assert positions(ledger) == before


@pytest.mark.rules("ART4.1")
def test_a_window_with_findings_does_not_also_pass_clean(ledger: HallLedger) -> None:
    hall, wang, li = _two_windows(ledger)
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        _round(
            ledger,
            hall,
            [Finding(hall.tax_window, "ART4.1", "桌面杂乱", at(9, 29, 9, 10), staff_id=wang)],
            [CleanPass(hall.tax_window, at(9, 29, 9, 11)), CleanPass(hall.tax_window_2, at(9, 29, 9, 12))],
        )
    assert refused.value.field == "clean_passes[0].window_id"
    assert positions(ledger) == before
    # two findings at one window are fine
    outcome = _round(
        ledger,
        hall,
        [
            Finding(hall.tax_window, "ART4.1", "桌面杂乱", at(9, 29, 9, 10), staff_id=wang),
            Finding(hall.tax_window, "ART3.1", "未佩戴胸牌", at(9, 29, 9, 10), staff_id=wang, item="no_badge"),
            Finding(hall.tax_window_2, "ART4.1", "地面有纸屑", at(9, 29, 9, 14), staff_id=li),
        ],
        [],
    )
    assert len(outcome.extra["violation_ids"]) == 3


@pytest.mark.rules("ART6.1")
@pytest.mark.parametrize(
    ("observed", "field"),
    [
        (at(9, 29, 8, 50), "findings[0].observed_at"),  # before the round began
        (at(9, 29, 9, 50), "findings[0].observed_at"),  # after it was completed
    ],
)
def test_findings_are_observed_during_the_round(ledger: HallLedger, observed: Any, field: str) -> None:
    hall, wang, _ = _two_windows(ledger)
    before = positions(ledger)
    with pytest.raises(InvalidInput) as refused:
        _round(
            ledger,
            hall,
            [Finding(hall.tax_window, "ART6.1", "打瞌睡", observed, staff_id=wang)],
            [CleanPass(hall.tax_window_2, at(9, 29, 9, 20))],
        )
    assert refused.value.field == field
    assert positions(ledger) == before


@pytest.mark.rules("ART6.5")
def test_one_bad_finding_refuses_the_whole_round(ledger: HallLedger) -> None:
    hall, wang, _ = _two_windows(ledger)
    before = positions(ledger)
    good = Finding(hall.tax_window, "ART6.5", "窗口无人", at(9, 29, 9, 10), staff_id=wang, item="left_post")
    for bad, error, field in [
        (
            Finding(hall.tax_window_2, "ART6.5", "x", at(9, 29, 9, 11), staff_id=wang, item="asleep"),
            InvalidInput,
            "item",
        ),
        (Finding(hall.tax_window_2, "ART6.1", "x", at(9, 29, 9, 11), staff_id=uuid4()), NotFound, "staff_id"),
        (Finding(hall.tax_window_2, "ART6.1", " ", at(9, 29, 9, 11), staff_id=wang), InvalidInput, "evidence"),
        (Finding(hall.tax_window_2, "ART6.1", "x", at(9, 29, 9, 11)), InvalidInput, "staff_id"),  # a person's rule
        (Finding(hall.tax_window_2, "ART4.2", "x", at(9, 29, 9, 11)), InvalidInput, "rule"),  # the center's duty
        (Finding(hall.tax_window_2, "ART6.1@2026.1", "x", at(9, 29, 9, 11)), InvalidInput, "rule"),
        (Finding(hall.tax_window_2, "ART99.1", "x", at(9, 29, 9, 11)), NotFound, "rule"),
    ]:
        with pytest.raises(error) as refused:
            _round(ledger, hall, [good, bad], [])
        assert refused.value.field == f"findings[1].{field}"
    assert positions(ledger) == before


@pytest.mark.rules("ART6.6")
def test_a_round_is_recorded_once(ledger: HallLedger) -> None:
    hall, wang, _ = _two_windows(ledger)
    round_id = uuid4()
    findings = [Finding(hall.tax_window, "ART6.6", "网购", at(9, 29, 9, 10), staff_id=wang)]
    clean = [CleanPass(hall.tax_window_2, at(9, 29, 9, 20))]
    _round(ledger, hall, findings, clean, round_id=round_id)
    before = positions(ledger)
    with pytest.raises(AlreadyExists):
        _round(ledger, hall, findings, clean, round_id=round_id)
    assert positions(ledger) == before


@pytest.mark.rules("ART7.4")
def test_only_inspectors_and_the_hall_conduct_rounds(ledger: HallLedger) -> None:
    hall, _, _ = _two_windows(ledger)
    before = positions(ledger)
    with pytest.raises(NotPermitted):
        ledger.complete_inspection_round(
            WINDOW_LEAD, windows=[hall.tax_window], started_at=at(9, 29, 9),
            clean_passes=[CleanPass(hall.tax_window, at(9, 29, 9, 5))], occurred_at=at(9, 29, 9, 10),
        )  # fmt: skip
    with pytest.raises(NotFound) as unknown:
        ledger.complete_inspection_round(
            INSPECTOR, windows=[uuid4()], started_at=at(9, 29, 9), occurred_at=at(9, 29, 9, 10)
        )
    assert unknown.value.field == "windows[0]"
    assert positions(ledger) == before


# ── ART4.2: cleaning coordinated with property management ────────────────────


@pytest.mark.rules("ART4.2")
def test_the_center_raises_cleaning_with_property_management_and_sees_it_done(ledger: HallLedger) -> None:
    hall, _, _ = _two_windows(ledger)
    request = ledger.raise_cleaning_request(
        MANAGER, window_id=hall.tax_window, description="W07 地面有积水和纸屑", contractor="北海物业服务有限公司",
        occurred_at=at(9, 29, 9, 45),
    ).id  # fmt: skip
    ledger.resolve_cleaning_request(WINDOW_LEAD, request_id=request, note="物业已清理", occurred_at=at(9, 29, 10, 5))
    raised, resolved = events_of(ledger, request)
    assert (raised.rule, resolved.rule) == ("ART4.2@2026.1", "ART4.2@2026.1")
    assert raised.contractor == "北海物业服务有限公司"
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.resolve_cleaning_request(WINDOW_LEAD, request_id=request, note="again")
    assert positions(ledger) == before


@pytest.mark.rules("ART4.2")
def test_cleaning_requests_come_from_the_center_and_say_where(ledger: HallLedger) -> None:
    hall, _, _ = _two_windows(ledger)
    before = positions(ledger)
    with pytest.raises(NotPermitted) as refused:
        ledger.raise_cleaning_request(WINDOW_LEAD, window_id=hall.tax_window, description="x", contractor="物业")
    assert refused.value.rule == "ART4.2@2026.1"
    with pytest.raises(InvalidInput) as nowhere:
        ledger.raise_cleaning_request(MANAGER, description="卫生间需保洁", contractor="物业")
    assert nowhere.value.field == "area"
    assert positions(ledger) == before
    ledger.raise_cleaning_request(MANAGER, area="二楼卫生间", description="卫生间需保洁", contractor="物业")
